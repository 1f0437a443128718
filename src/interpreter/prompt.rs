//! The host's side of SPEC §4: the prompt (a pure function of the program), the
//! file memories' initial entries, and decoding the emitted fields into a token.

use super::tokens::{InstrToken, RunStatus, Token, TraceToken};
use super::{MAX_DROP, MAX_LOCALS, MAX_MEMORY, MAX_PROGRAM, out_field};
use crate::program::Program;

/// Refuses programs outside the bounds the weights are exact for.
pub fn check_bounds(program: &Program) -> Result<(), String> {
    let too_big = |what: &str, value: i64, max: i64| {
        Err(format!(
            "{}: {what} is {value}, beyond the transformer's bound of {max} (see docs/ARCHITECTURE.md, exactness)",
            program.name
        ))
    };
    if program.instructions.len() as i64 > MAX_PROGRAM {
        return too_big(
            "the instruction count",
            program.instructions.len() as i64,
            MAX_PROGRAM,
        );
    }
    if i64::from(program.local_count) > MAX_LOCALS {
        return too_big(
            "the number of locals",
            i64::from(program.local_count),
            MAX_LOCALS,
        );
    }
    if program.memory_bytes as i64 > MAX_MEMORY {
        return too_big("the memory size", program.memory_bytes as i64, MAX_MEMORY);
    }
    for instruction in &program.instructions {
        if let Some(branch) = instruction.op.branch()
            && i64::from(branch.drop) > MAX_DROP
        {
            return too_big("a branch's drop count", i64::from(branch.drop), MAX_DROP);
        }
    }
    Ok(())
}

/// BOS, one token per instruction, and the trace's first token.
pub fn prompt(program: &Program) -> Vec<Token> {
    let mut tokens = vec![Token::Bos];
    tokens.extend(
        program
            .instructions
            .iter()
            .enumerate()
            .map(|(i, instruction)| {
                Token::Instr(InstrToken::new(i, instruction, program.memory_bytes))
            }),
    );
    tokens.push(Token::Trace(TraceToken::start()));
    tokens
}

/// The initial entries of one file's memory: the end marker, then each byte.
pub fn file_entries(contents: &[u8]) -> Vec<Token> {
    let mut entries = vec![Token::FileEntry {
        offset: 0,
        byte: 0,
        end: true,
    }];
    entries.extend(
        contents
            .iter()
            .enumerate()
            .map(|(offset, &byte)| Token::FileEntry {
                offset: offset as i64,
                byte,
                end: false,
            }),
    );
    entries
}

/// The output field values that stand for `token`: what the argmax of each
/// output field must be for the model to emit it ([`decode`]'s inverse).
pub fn output_fields(token: &TraceToken) -> Vec<i64> {
    let bytes = token.value.to_le_bytes();
    let mut fields = vec![0; out_field::WROTE + 1];
    fields[out_field::STATUS] = token.status.index();
    fields[out_field::IP] = token.ip;
    fields[out_field::DELTA] = token.delta;
    fields[out_field::PUSH] = i64::from(token.push);
    for (k, byte) in bytes.iter().enumerate() {
        fields[out_field::VALUE + k] = i64::from(*byte);
    }
    fields[out_field::OUT] = i64::from(token.out);
    fields[out_field::FILE] = token.file.map_or(0, |f| i64::from(f) + 1);
    fields[out_field::OPEN] = i64::from(token.open);
    fields[out_field::CURSOR] = token.cursor;
    fields[out_field::WROTE] = i64::from(token.wrote);
    fields
}

/// The trace token an emitted field vector stands for.
pub fn decode(fields: &[i64]) -> TraceToken {
    let byte = |k: usize| fields[out_field::VALUE + k] as u8;
    TraceToken {
        status: RunStatus::from_index(fields[out_field::STATUS]),
        ip: fields[out_field::IP],
        delta: fields[out_field::DELTA],
        push: fields[out_field::PUSH] == 1,
        value: i32::from_le_bytes([byte(0), byte(1), byte(2), byte(3)]),
        out: fields[out_field::OUT] == 1,
        file: match fields[out_field::FILE] {
            f @ 1..=4 => Some((f - 1) as u8),
            _ => None,
        },
        open: fields[out_field::OPEN] == 1,
        cursor: fields[out_field::CURSOR],
        wrote: fields[out_field::WROTE] == 1,
    }
}
