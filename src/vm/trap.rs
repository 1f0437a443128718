//! Traps: the ways a program can stop abnormally, shared by both engines.
//!
//! A trap is its kind and the instruction that raised it; its message is built
//! from those two static facts only, so the VM and the transformer (which learns
//! both from its emitted tokens) report the same text.

use std::fmt;

use crate::program::Program;

/// Why a program trapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrapKind {
    /// `unreachable` ran.
    Unreachable,
    /// A load or store reached past the end of memory.
    MemoryOutOfBounds,
    /// `fd_read`, `fd_write` or `fd_close` of a file that is not open.
    FileNotOpen,
    /// `fd_write` at the size limit of a file.
    FileFull,
}

impl TrapKind {
    pub const ALL: [TrapKind; 4] = [
        TrapKind::Unreachable,
        TrapKind::MemoryOutOfBounds,
        TrapKind::FileNotOpen,
        TrapKind::FileFull,
    ];

    /// The kind's name, as the corpus sidecars record it.
    pub fn name(self) -> &'static str {
        match self {
            TrapKind::Unreachable => "unreachable",
            TrapKind::MemoryOutOfBounds => "memory out of bounds",
            TrapKind::FileNotOpen => "file not open",
            TrapKind::FileFull => "file full",
        }
    }
}

impl fmt::Display for TrapKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A trap and where it happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Trap {
    pub kind: TrapKind,
    /// Flat index of the instruction that trapped.
    pub pc: usize,
}

impl Trap {
    /// `memory out of bounds at instruction 12 (i32.load offset=4)`.
    pub fn message(&self, program: &Program) -> String {
        match program.instructions.get(self.pc) {
            Some(instruction) => {
                format!("{} at instruction {} ({instruction})", self.kind, self.pc)
            }
            None => format!("{} at instruction {}", self.kind, self.pc),
        }
    }
}
