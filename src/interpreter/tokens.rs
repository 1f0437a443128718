//! The token vocabulary: what the prompt and the trace are made of.
//!
//! A token is a tuple of fields; the vocabulary is the product of the fields'
//! ranges, its embedding the sum of the fields' embeddings, and its unembedding
//! one set of logits per field, so the argmax token is the tuple of the fields'
//! argmaxes. Four kinds of token exist:
//! - `Bos`, the first position;
//! - `Instr`, one per instruction of the program, carrying its static facts;
//! - `Trace`, one per executed instruction: what the instruction did (the next
//!   instruction pointer, the change of stack depth, a pushed or output value,
//!   the state of a file it touched, a byte written) and whether the run goes on;
//! - `FileEntry`, the entries of the file memories the cross-attention heads read
//!   (never in the sequence).

use crate::files::FILE_COUNT;
use crate::program::{Instruction, Op};

pub use super::opclass::OpClass;

/// How a run goes on after a trace token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RunStatus {
    Running,
    Halted,
    TrapUnreachable,
    TrapMemory,
    TrapFileNotOpen,
    TrapFileFull,
}

impl RunStatus {
    pub const ALL: [RunStatus; 6] = [
        RunStatus::Running,
        RunStatus::Halted,
        RunStatus::TrapUnreachable,
        RunStatus::TrapMemory,
        RunStatus::TrapFileNotOpen,
        RunStatus::TrapFileFull,
    ];

    pub fn index(self) -> i64 {
        RunStatus::ALL
            .iter()
            .position(|&s| s == self)
            .expect("listed") as i64
    }

    pub fn from_index(index: i64) -> RunStatus {
        usize::try_from(index)
            .ok()
            .and_then(|i| RunStatus::ALL.get(i).copied())
            .unwrap_or(RunStatus::Running)
    }

    pub fn name(self) -> &'static str {
        match self {
            RunStatus::Running => "run",
            RunStatus::Halted => "halt",
            RunStatus::TrapUnreachable => "trap:unreachable",
            RunStatus::TrapMemory => "trap:memory",
            RunStatus::TrapFileNotOpen => "trap:file-not-open",
            RunStatus::TrapFileFull => "trap:file-full",
        }
    }
}

/// What one executed instruction did, as the model emitted it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TraceToken {
    pub status: RunStatus,
    /// The instruction to execute next.
    pub ip: i64,
    /// The change of stack depth.
    pub delta: i64,
    /// A value was pushed (it is the new top of the stack).
    pub push: bool,
    /// The pushed, output or written value (little-endian bytes).
    pub value: i32,
    /// The value is an output.
    pub out: bool,
    /// The file the instruction used and its state afterwards.
    pub file: Option<u8>,
    pub open: bool,
    pub cursor: i64,
    /// The low byte of `value` was written at offset `cursor - 1` of `file`.
    pub wrote: bool,
}

impl TraceToken {
    /// Where a write token writes: its file and the offset `cursor − 1`;
    /// `Ok(None)` for a token that writes nothing, `Err` (saying why) for a
    /// write without a file or at cursor 0, which no run can append.
    pub fn write_target(&self) -> Result<Option<(u8, usize)>, &'static str> {
        match (self.wrote, self.file, usize::try_from(self.cursor - 1)) {
            (false, _, _) => Ok(None),
            (true, Some(file), Ok(offset)) if usize::from(file) < FILE_COUNT => {
                Ok(Some((file, offset)))
            }
            (true, _, _) => Err("a write without a file or at cursor 0"),
        }
    }

    /// The file memory the pass reading this token writes to (its
    /// cross-attention heads store this position's key and value).
    pub fn memory_written(&self) -> Option<usize> {
        if self.wrote {
            self.file.map(usize::from)
        } else {
            None
        }
    }

    /// The token the prompt ends with: run from instruction 0, stack empty.
    pub fn start() -> TraceToken {
        TraceToken {
            status: RunStatus::Running,
            ip: 0,
            delta: 0,
            push: false,
            value: 0,
            out: false,
            file: None,
            open: false,
            cursor: 0,
            wrote: false,
        }
    }

    /// A short text of what the token says, for traces and the debugger.
    pub fn describe(&self) -> String {
        let mut parts = vec![format!("{} ip={}", self.status.name(), self.ip)];
        if self.delta != 0 {
            parts.push(format!("depth{:+}", self.delta));
        }
        if self.push {
            parts.push(format!("push {}", self.value));
        }
        if self.out {
            parts.push(format!("output {}", self.value));
        }
        if let Some(f) = self.file {
            let state = if self.open { "open" } else { "closed" };
            parts.push(format!("file {f} {state} cursor={}", self.cursor));
        }
        if self.wrote {
            parts.push(format!("wrote {:#04x}", self.value as u8));
        }
        parts.join(" ")
    }
}

/// The static facts of one instruction, as its prompt token carries them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstrToken {
    pub index: i64,
    pub opcode: OpClass,
    pub immediate: i32,
    pub offset: i64,
    pub local: i64,
    pub target: i64,
    pub drop: i64,
    /// A taken branch re-pushes the kept value at the new top (keep 1, drop > 0).
    pub moves: bool,
    pub memory_bytes: i64,
}

impl InstrToken {
    pub fn new(index: usize, instruction: &Instruction, memory_bytes: usize) -> InstrToken {
        let op = instruction.op;
        let branch = op.branch();
        InstrToken {
            index: index as i64,
            opcode: OpClass::of(op),
            immediate: match op {
                Op::Const(v) => v,
                _ => 0,
            },
            offset: match op {
                Op::Load { offset } | Op::Store { offset } => i64::from(offset),
                _ => 0,
            },
            local: match op {
                Op::LocalGet(n) | Op::LocalSet(n) | Op::LocalTee(n) => i64::from(n),
                _ => 0,
            },
            target: branch.map_or(0, |b| b.target as i64),
            drop: branch.map_or(0, |b| i64::from(b.drop)),
            moves: branch.is_some_and(|b| b.keep == 1 && b.drop > 0),
            memory_bytes: memory_bytes as i64,
        }
    }
}

/// A token of any kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token {
    Bos,
    Instr(InstrToken),
    Trace(TraceToken),
    /// An entry of file memory: `byte` at `offset`, or the end marker every
    /// file memory starts with (read when no byte is at the cursor).
    FileEntry {
        offset: i64,
        byte: u8,
        end: bool,
    },
}
