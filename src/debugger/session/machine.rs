//! The machine state as the model's own tokens tell it, with where each value
//! came from: the stack, the locals, memory and the files' written bytes,
//! each value tagged with the pass that produced it.
//!
//! Nothing here is computed for the model: the state is decoded from the
//! emitted trace tokens (SPEC §4, item 4) and the program's static facts. A
//! token says how the depth changed and what was pushed; a `local.set` stores
//! the decoded top, an `i32.store` the decoded top at the decoded second plus
//! the offset. The debugger shows these values, follows a value back to the
//! pass that produced it, and watches addresses with them; the tests check
//! them against the reference VM at every pass of the corpus.

use crate::chunked::ChunkedVec;
use crate::files::{FILE_COUNT, FileContents, MAX_FILE_BYTES};
use crate::interpreter::prompt::file_entries;
use crate::interpreter::tokens::{RunStatus, TraceToken};
use crate::program::{Op, Program};

/// A value and the pass that produced it (0: the initial state).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sourced {
    pub value: i32,
    pub from: u64,
}

/// The memory a pass read or wrote: `len` bytes from `address`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub address: usize,
    pub len: usize,
}

impl Span {
    pub fn contains(self, address: usize) -> bool {
        (self.address..self.address + self.len).contains(&address)
    }
}

/// What the last pass did to memory and locals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Access {
    pub read: Option<Span>,
    pub wrote: Option<Span>,
    /// The local it set.
    pub local: Option<u32>,
}

/// The decoded state after some pass.
#[derive(Debug, Clone)]
pub struct Machine {
    stack: Vec<Sourced>,
    locals: Vec<Sourced>,
    memory: ChunkedVec<u8>,
    /// The pass that last stored each byte (0: never stored).
    memory_from: ChunkedVec<u64>,
    /// The pass that wrote each byte of each file (0: initial contents).
    file_from: [ChunkedVec<u64, 256>; FILE_COUNT],
    /// Entries of each file memory the cross-attention heads read: how many
    /// the initial contents made, then the pass behind each write entry.
    initial_entries: [usize; FILE_COUNT],
    write_entries: [ChunkedVec<u64, 256>; FILE_COUNT],
    /// Each file's state (open, cursor) as the latest token about it said.
    file_states: [Option<(bool, i64)>; FILE_COUNT],
    access: Access,
}

impl Machine {
    /// The state before the first pass: empty stack, zero locals and memory.
    pub fn new(program: &Program, files: &FileContents) -> Machine {
        Machine {
            initial_entries: std::array::from_fn(|f| file_entries(&files.0[f]).len()),
            write_entries: Default::default(),
            file_states: [None; FILE_COUNT],
            stack: Vec::new(),
            locals: vec![Sourced::default(); program.local_count as usize],
            memory: ChunkedVec::from_elem(0, program.memory_bytes),
            memory_from: ChunkedVec::from_elem(0, program.memory_bytes),
            file_from: Default::default(),
            access: Access::default(),
        }
    }

    /// The stack, bottom first.
    pub fn stack(&self) -> &[Sourced] {
        &self.stack
    }

    pub fn locals(&self) -> &[Sourced] {
        &self.locals
    }

    pub fn memory(&self) -> &ChunkedVec<u8> {
        &self.memory
    }

    /// The pass that last stored the byte at `address` (0: never).
    pub fn memory_from(&self, address: usize) -> u64 {
        self.memory_from.get(address).copied().unwrap_or(0)
    }

    /// The little-endian `i32` at `address`, if all four bytes exist.
    pub fn word(&self, address: usize) -> Option<i32> {
        if address.checked_add(4)? > self.memory.len() {
            return None;
        }
        let mut bytes = [0u8; 4];
        self.memory.read(address, &mut bytes);
        Some(i32::from_le_bytes(bytes))
    }

    /// The pass that wrote byte `offset` of `file` (0: its initial contents).
    pub fn file_from(&self, file: usize, offset: usize) -> u64 {
        self.file_from
            .get(file)
            .and_then(|f| f.get(offset))
            .copied()
            .unwrap_or(0)
    }

    /// The pass whose write token made entry `entry` of file memory `file`;
    /// `Some(0)` for the entries of the initial contents.
    pub fn file_entry_from(&self, file: usize, entry: usize) -> Option<u64> {
        let initial = *self.initial_entries.get(file)?;
        match entry.checked_sub(initial) {
            None => Some(0),
            Some(i) => self.write_entries[file].get(i).copied(),
        }
    }

    /// Whether `file` is open and its cursor, as the latest token about it
    /// said (closed at 0 before any).
    pub fn file_state(&self, file: usize) -> (bool, i64) {
        self.file_states
            .get(file)
            .copied()
            .flatten()
            .unwrap_or((false, 0))
    }

    /// What the last pass read and wrote.
    pub fn access(&self) -> Access {
        self.access
    }

    /// Applies pass `pass`, which executed instruction `ip` and emitted `token`.
    pub fn apply(&mut self, pass: u64, ip: i64, token: &TraceToken, program: &Program) {
        self.access = Access::default();
        let op = usize::try_from(ip)
            .ok()
            .and_then(|i| program.instructions.get(i))
            .map(|i| i.op);
        let completed = !matches!(
            token.status,
            RunStatus::TrapUnreachable
                | RunStatus::TrapMemory
                | RunStatus::TrapFileNotOpen
                | RunStatus::TrapFileFull
        );
        let top = self.stack.last().copied();
        let second = self.stack.len().checked_sub(2).map(|i| self.stack[i]);
        match op {
            Some(Op::LocalSet(k) | Op::LocalTee(k)) if completed => {
                if let (Some(top), Some(local)) = (top, self.locals.get_mut(k as usize)) {
                    *local = Sourced {
                        value: top.value,
                        from: pass,
                    };
                    self.access.local = Some(k);
                }
            }
            Some(Op::Load { offset }) => {
                if let Some(base) = top {
                    self.access.read = self.span(base.value, offset);
                }
            }
            Some(Op::Store { offset }) if completed => {
                if let (Some(value), Some(base)) = (top, second)
                    && let Some(span) = self.span(base.value, offset)
                {
                    self.memory.write(span.address, &value.value.to_le_bytes());
                    self.memory_from.write(span.address, &[pass; 4]);
                    self.access.wrote = Some(span);
                }
            }
            _ => {}
        }
        let depth = (self.stack.len() as i64 + token.delta).max(0) as usize;
        self.stack.resize(
            depth,
            Sourced {
                value: 0,
                from: pass,
            },
        );
        if token.push
            && let Some(slot) = self.stack.last_mut()
        {
            *slot = Sourced {
                value: token.value,
                from: pass,
            };
        }
        if let Some(state) = token
            .file
            .and_then(|f| self.file_states.get_mut(usize::from(f)))
        {
            *state = Some((token.open, token.cursor));
        }
        if token.wrote
            && let Some(file) = token.file.map(usize::from).filter(|&f| f < FILE_COUNT)
            && let Some(offset) = usize::try_from(token.cursor - 1)
                .ok()
                .filter(|&o| o < MAX_FILE_BYTES)
        {
            self.write_entries[file].push(pass);
            let from = &mut self.file_from[file];
            if from.len() <= offset {
                from.resize(offset + 1, 0);
            }
            from.set(offset, pass);
        }
    }

    /// The four bytes at `base + offset`, when they are inside memory.
    fn span(&self, base: i32, offset: u32) -> Option<Span> {
        let address = u64::from(base as u32) + u64::from(offset);
        (address + 4 <= self.memory.len() as u64).then_some(Span {
            address: address as usize,
            len: 4,
        })
    }
}
