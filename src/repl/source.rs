//! The program typed so far, as lines, and the module text made from them.
//!
//! The typed lines become the body of `main` in a module that imports the five
//! `env` functions of SPEC §2 as `$output`, `$fd_open`, `$fd_read`,
//! `$fd_write` and `$fd_close`, declares one page of memory and the locals
//! declared with `:local`. `main` is `[] -> []`, so when the typed code leaves
//! values on the stack the body ends with `return`: `return` is valid whatever
//! is left below it (it discards it), so no count of `drop`s is needed, and it
//! runs in one pass. While a `block`, `loop` or `if` is open, each one is
//! closed for validation by `unreachable` (which satisfies any result type)
//! and `end` (`unreachable else unreachable end` for an `if` without its
//! `else`, which an `if` with a result needs); that module is only checked,
//! never run.

use super::scan::{ConstructKind, OpenConstruct};
use crate::program::HostCall;

/// One accepted line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypedLine {
    /// What was typed, trimmed.
    pub text: String,
    pub kind: LineKind,
    /// Nesting depth, for indentation.
    pub indent: usize,
    /// The constructs open after this line.
    pub open_after: Vec<OpenConstruct>,
    /// Flat instructions of the typed code up to and including this line: the
    /// line's own are those from the previous line's `flat_end` to this one.
    pub flat_end: usize,
}

/// What a line adds to the module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineKind {
    /// Instructions of `main`'s body.
    Code,
    /// `:local $a $b`: i32 locals of `main` (the names with their `$`).
    Locals(Vec<String>),
}

/// How the generated body ends after the typed lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tail<'a> {
    /// Nothing: the typed code leaves the stack empty.
    Nothing,
    /// `return`, which discards the values the typed code leaves.
    Return,
    /// Validation only: close the open constructs (outermost first in the
    /// slice), then `return`.
    Closers(&'a [OpenConstruct]),
}

/// A generated module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleText {
    pub text: String,
    /// For each code line: its index among the typed lines, its line number
    /// in `text` (from 1) and the column it starts at (from 0).
    pub placed: Vec<(usize, usize, usize)>,
    /// Operators of the body after the typed code, before the function's
    /// final `end`.
    pub tail_operators: usize,
}

/// The first line of a saved module.
pub const SAVED_HEADER: &str = ";; typed in `wasmtf repl`; run it with `wasmtf run FILE`";

/// The module for `lines` ending with `tail`.
pub fn module_text(lines: &[TypedLine], tail: Tail<'_>) -> ModuleText {
    let mut out = vec![SAVED_HEADER.to_string(), "(module".to_string()];
    for call in HostCall::ALL {
        out.push(format!(
            "  (import \"env\" \"{0}\" (func ${0} {1}))",
            call.name(),
            call.signature()
        ));
    }
    out.push("  (memory 1)".into());
    let mut header = String::from("  (func (export \"main\")");
    for line in lines {
        if let LineKind::Locals(names) = &line.kind {
            for name in names {
                header.push_str(&format!(" (local {name} i32)"));
            }
        }
    }
    out.push(header);
    let mut placed = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        if line.kind == LineKind::Code {
            let column = 4 + 2 * line.indent;
            placed.push((index, out.len() + 1, column));
            out.push(format!("{}{}", " ".repeat(column), line.text));
        }
    }
    let mut tail_operators = 0;
    match tail {
        Tail::Nothing => {}
        Tail::Return => {
            out.push("    return ;; discards the values left on the stack".into());
            tail_operators = 1;
        }
        Tail::Closers(open) => {
            for (depth, construct) in open.iter().enumerate().rev() {
                let pad = " ".repeat(4 + 2 * depth);
                if construct.kind == ConstructKind::If && !construct.has_else {
                    out.push(format!("{pad}unreachable else unreachable end"));
                    tail_operators += 4;
                } else {
                    out.push(format!("{pad}unreachable end"));
                    tail_operators += 2;
                }
            }
            out.push("    return".into());
            tail_operators += 1;
        }
    }
    out.push("  )".into());
    out.push(")".into());
    let mut text = out.join("\n");
    text.push('\n');
    ModuleText {
        text,
        placed,
        tail_operators,
    }
}

/// Where a wat syntax error points (`--> NAME:LINE:COL`), as a line of the
/// module text and a column, both from 1.
pub fn syntax_error_position(message: &str) -> Option<(usize, usize)> {
    let at = message.lines().find_map(|l| l.trim().strip_prefix("-->"))?;
    let mut parts = at.trim().rsplitn(3, ':');
    let column = parts.next()?.parse().ok()?;
    let line = parts.next()?.parse().ok()?;
    Some((line, column))
}

/// `1 line`, `4 lines`.
pub fn count_lines(n: usize) -> String {
    if n == 1 {
        "1 line".into()
    } else {
        format!("{n} lines")
    }
}
