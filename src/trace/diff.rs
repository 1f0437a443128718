//! `wasmtf diff A B`: the first pass where two traces part, and how much
//! they differ in all. One use: a transformer trace against a VM trace of
//! the same program, to see where (and whether) the model leaves the VM.

use std::fmt::Write as _;

use super::compare::differing_fields;
use super::reader::Trace;

/// Compares two traces and says how they differ, in lines of text; `None`
/// when they record the same run.
pub fn diff(a: &Trace, b: &Trace) -> Option<String> {
    let mut text = String::new();
    if a.header.program.sha256 != b.header.program.sha256 {
        let _ = writeln!(
            text,
            "different programs: {} ({}) and {} ({})",
            a.header.program.name,
            &a.header.program.sha256[..12],
            b.header.program.name,
            &b.header.program.sha256[..12]
        );
    }
    if a.header.files != b.header.files {
        let _ = writeln!(text, "different initial files");
    }
    let names = &a.header.architecture.output_fields;
    let common = a.passes.len().min(b.passes.len());
    let mut differing = 0;
    let mut first = None;
    for i in 0..common {
        let fields = differing_fields(&a.passes[i].token, &b.passes[i].token);
        if !fields.is_empty() || a.passes[i].ip != b.passes[i].ip {
            differing += 1;
            first.get_or_insert((i, fields));
        }
    }
    if let Some((i, fields)) = first {
        let ip = a.passes[i].ip;
        let instruction = usize::try_from(ip)
            .ok()
            .filter(|&k| k < a.program.instructions.len())
            .map_or(ip.to_string(), |k| {
                format!("{k} ({})", a.program.instruction_text(k))
            });
        let _ = writeln!(
            text,
            "first difference at pass {}, instruction {instruction}:",
            i + 1
        );
        let _ = writeln!(text, "  A: {}", a.passes[i].token.describe());
        let _ = writeln!(text, "  B: {}", b.passes[i].token.describe());
        for (f, va, vb) in fields {
            let name = names.get(f).map_or("?", String::as_str);
            let _ = writeln!(text, "  {name}: A {va}, B {vb}");
        }
        let _ = writeln!(
            text,
            "{differing} of the {common} passes both traces have differ"
        );
    }
    if a.passes.len() != b.passes.len() {
        let _ = writeln!(
            text,
            "A has {} passes, B has {}",
            a.passes.len(),
            b.passes.len()
        );
    }
    match (&a.footer, &b.footer) {
        (Some(fa), Some(fb)) if fa != fb => {
            let _ = writeln!(
                text,
                "endings: A {} {:?}, B {} {:?}",
                fa.ending, fa.outputs, fb.ending, fb.outputs
            );
        }
        (Some(_), None) | (None, Some(_)) => {
            let _ = writeln!(text, "one trace ends early (no footer)");
        }
        _ => {}
    }
    (!text.is_empty()).then_some(text)
}
