//! Teacher forcing in blocks: the host loop of [`super::TransformerRun::step_forced`]
//! for a sequence whose every token is known in advance. The prompt and the
//! recorded trace tokens are appended as they are, and the model's argmax at
//! each pass is returned for comparison; no runtime value is computed here.
//! The engine's [`Prefill`] processes the tokens layer by layer over blocks
//! of positions.

use std::sync::Arc;

use super::embedding::encode;
use super::prompt::{check_bounds, decode, file_entries, prompt};
use super::tokens::{RunStatus, Token, TraceToken};
use crate::engine::Model;
use crate::engine::prefill::{BlockToken, Prefill, PrefillPlan};
use crate::files::{FILE_COUNT, FileContents};
use crate::program::Program;

/// The model's argmax token at each pass when `recorded` is fed in, pass
/// by pass: `visit(first, argmaxes)` is called for each block, where
/// `argmaxes[i]` is the argmax of pass `first + i` (counting from 0), which
/// read `recorded[first + i - 1]` (the trace's first token for pass 0).
pub fn forced_argmaxes(
    model: Arc<Model>,
    program: &Program,
    files: &FileContents,
    recorded: &[TraceToken],
    plan: PrefillPlan,
    mut visit: impl FnMut(usize, &[TraceToken]),
) -> Result<(), String> {
    check_bounds(program)?;
    let mut prefill = Prefill::new(model, plan);
    for (memory, contents) in files.0.iter().enumerate().take(FILE_COUNT) {
        for entry in file_entries(contents) {
            prefill.store_memory_entry(memory, &encode(&entry))?;
        }
    }
    let tokens = prompt(program);
    let (first, before) = tokens.split_last().expect("the prompt is never empty");
    let Token::Trace(first) = *first else {
        unreachable!("the prompt ends with the first trace token")
    };
    // The last pass reads position `before.len() + recorded.len() − 1`.
    if !recorded.is_empty() {
        super::check_position((before.len() + recorded.len() - 1) as u64)?;
    }
    // What `TransformerRun` refuses to append.
    for (i, token) in recorded.iter().enumerate() {
        if let Err(why) = token.write_target() {
            return Err(format!("pass {}: the recorded token is {why}", i + 1));
        }
    }
    let prompt_block: Vec<BlockToken> = before
        .iter()
        .map(|token| BlockToken {
            fields: encode(token),
            writes_memory: None,
        })
        .collect();
    prefill
        .run(&prompt_block)
        .map_err(|e| format!("prompt position {}: {}", e.index, e.message))?;
    // The token each pass reads: the trace's first, then each recorded one
    // but the last.
    let read = |pass: usize| if pass == 0 { first } else { recorded[pass - 1] };
    let mut start = 0;
    while start < recorded.len() {
        let end = (start + plan.block.max(1)).min(recorded.len());
        let block = (start..end)
            .map(|pass| read_token(read(pass), pass))
            .collect::<Result<Vec<_>, _>>()?;
        let argmaxes = prefill
            .run(&block)
            .map_err(|e| format!("pass {}: {}", start + e.index + 1, e.message))?;
        let decoded: Vec<TraceToken> = argmaxes.iter().map(|fields| decode(fields)).collect();
        visit(start, &decoded);
        start = end;
    }
    Ok(())
}

/// What pass `pass` (from 0) reads: the token, and the memory it writes if
/// it is a write. Refuses a pass after the end, as
/// [`super::TransformerRun::step_forced`] does.
fn read_token(token: TraceToken, pass: usize) -> Result<BlockToken, String> {
    if token.status != RunStatus::Running {
        return Err(format!(
            "pass {}: the run has already ended (pass {pass} ended it)",
            pass + 1
        ));
    }
    Ok(BlockToken {
        fields: encode(&Token::Trace(token)),
        writes_memory: token.memory_written(),
    })
}
