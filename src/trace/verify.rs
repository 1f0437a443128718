//! `wasmtf replay --verify`: feed a trace's recorded tokens to the model
//! (teacher forcing) and check, pass by pass, that its argmax is the next
//! recorded token. Because the recorded token is appended whatever the
//! model says, one wrong pass does not derail the rest: every pass where
//! the weights go wrong is found, not just the first.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

use super::compare::differing_fields;
use super::reader::Trace;
use super::record::architecture_info;
use crate::engine::prefill::PrefillPlan;
use crate::engine::{Mode, Model};
use crate::interpreter::TransformerRun;
use crate::interpreter::prefill::forced_argmaxes;
use crate::interpreter::tokens::TraceToken;

/// A pass whose argmax is not the recorded token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disagreement {
    pub pass: u64,
    /// The instruction it executed.
    pub ip: i64,
    /// `(output field, recorded, model)`.
    pub fields: Vec<(usize, i64, i64)>,
}

/// The outcome of a verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub passes: u64,
    pub disagreements: Vec<Disagreement>,
}

/// Refuses weights whose architecture is not the one the trace was written
/// for.
pub fn check_architecture(trace: &Trace, model: &Model) -> Result<(), String> {
    let ours = architecture_info(model.weights());
    let theirs = &trace.header.architecture;
    if ours.sha256 != theirs.sha256 {
        return Err(format!(
            "line 1: the trace was written for weights of another architecture \
             (d_model {}, {} layers, {} heads, {} neurons; sidecar sha256 {}) \
             than these (d_model {}, {} layers, {} heads, {} neurons; sidecar sha256 {})",
            theirs.d_model,
            theirs.layers,
            theirs.heads,
            theirs.neurons,
            theirs.sha256,
            ours.d_model,
            ours.layers,
            ours.heads,
            ours.neurons,
            ours.sha256
        ));
    }
    Ok(())
}

/// Feeds every recorded pass to `model` and collects where it disagrees:
/// the batched prefill on every available core.
pub fn verify(trace: &Trace, model: Arc<Model>) -> Result<Verification, String> {
    verify_batched(trace, model, PrefillPlan::default())
}

/// [`verify`] by the prefill, divided as `plan` says.
pub fn verify_batched(
    trace: &Trace,
    model: Arc<Model>,
    plan: PrefillPlan,
) -> Result<Verification, String> {
    check_architecture(trace, &model)?;
    let recorded: Vec<TraceToken> = trace.passes.iter().map(|p| p.token).collect();
    let mut disagreements = Vec::new();
    forced_argmaxes(
        model,
        &trace.program,
        &trace.files,
        &recorded,
        plan,
        |first, argmaxes| {
            for (i, argmax) in argmaxes.iter().enumerate() {
                let pass = first + i;
                let fields = differing_fields(&recorded[pass], argmax);
                if !fields.is_empty() {
                    disagreements.push(Disagreement {
                        pass: pass as u64 + 1,
                        ip: trace.passes[pass].ip,
                        fields,
                    });
                }
            }
        },
    )?;
    Ok(Verification {
        passes: trace.passes.len() as u64,
        disagreements,
    })
}

/// [`verify`] one forward pass at a time, as the debugger replays: the
/// reference the prefill is tested against.
pub fn verify_one_at_a_time(trace: &Trace, model: Arc<Model>) -> Result<Verification, String> {
    check_architecture(trace, &model)?;
    let mut run = TransformerRun::new(
        model,
        Arc::clone(&trace.program),
        trace.files.clone(),
        Mode::Fast,
    )?;
    let mut disagreements = Vec::new();
    for (i, recorded) in trace.passes.iter().enumerate() {
        let argmax = run.step_forced(recorded.token, None)?;
        let fields = differing_fields(&recorded.token, &argmax);
        if !fields.is_empty() {
            disagreements.push(Disagreement {
                pass: i as u64 + 1,
                ip: recorded.ip,
                fields,
            });
        }
    }
    Ok(Verification {
        passes: trace.passes.len() as u64,
        disagreements,
    })
}

impl Verification {
    /// What `--verify` prints when passes disagree: how many, the first
    /// `shown`, and a summary by opcode and field.
    pub fn report(&self, trace: &Trace, shown: usize) -> String {
        let names = &trace.header.architecture.output_fields;
        let field = |f: usize| names.get(f).map_or("?", String::as_str).to_string();
        let opcode = |ip: i64| {
            usize::try_from(ip)
                .ok()
                .and_then(|i| trace.program.instructions.get(i))
                .map_or("(no instruction)".to_string(), |i| {
                    i.to_string()
                        .split_whitespace()
                        .next()
                        .unwrap_or("")
                        .to_string()
                })
        };
        let mut text = format!(
            "{} of {} passes disagree\n",
            self.disagreements.len(),
            self.passes
        );
        for d in self.disagreements.iter().take(shown) {
            let instruction = usize::try_from(d.ip)
                .ok()
                .filter(|&i| i < trace.program.instructions.len())
                .map_or(format!("{}", d.ip), |i| {
                    format!("{i} ({})", trace.program.instruction_text(i))
                });
            for (f, recorded, model) in &d.fields {
                let _ = writeln!(
                    text,
                    "  pass {}, instruction {instruction}: {} recorded {recorded}, model {model}",
                    d.pass,
                    field(*f)
                );
            }
        }
        if self.disagreements.len() > shown {
            let _ = writeln!(text, "  … and {} more", self.disagreements.len() - shown);
        }
        let mut summary: BTreeMap<(String, String), usize> = BTreeMap::new();
        for d in &self.disagreements {
            for (f, _, _) in &d.fields {
                *summary.entry((opcode(d.ip), field(*f))).or_default() += 1;
            }
        }
        let _ = writeln!(text, "by opcode and field:");
        for ((op, f), count) in summary {
            let _ = writeln!(text, "  {op:<14} {f:<8} {count}");
        }
        text
    }
}
