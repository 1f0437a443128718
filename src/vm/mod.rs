//! The reference interpreter: executes a [`Program`] with SPEC §2 semantics, one
//! instruction per [`Vm::step`], with every piece of state readable in between.
//!
//! It is the yardstick for the transformer (tests, the debugger's divergence
//! view) and is itself checked against `wasmi` on the corpus and on random
//! programs. It is written to be obviously right rather than fast.

mod trap;

use std::sync::Arc;

pub use trap::{Trap, TrapKind};

use crate::chunked::ChunkedVec;
use crate::files::{FILE_COUNT, FileContents, MAX_FILE_BYTES};
use crate::program::{Branch, HostCall, Op, Program};
use crate::report::{Ending, RunReport};

/// Whether the machine can go on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Running,
    Halted,
    Trapped(Trap),
}

/// An open file's cursor; `None` when the file is closed.
pub type Cursor = Option<usize>;

/// What the last instruction did, in the terms of a trace token: the debugger
/// compares it with what the transformer emitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Effect {
    /// The value left as the new top (a push, or a value a branch moved down).
    pub pushed: Option<i32>,
    pub output: Option<i32>,
    /// `(file, offset, byte)`.
    pub write: Option<(u8, usize, u8)>,
    /// A file operation's file and its state afterwards: `(file, open, cursor)`.
    pub file_state: Option<(u8, bool, usize)>,
    /// Whether a conditional or unconditional jump was taken.
    pub taken: Option<bool>,
}

/// The machine state.
#[derive(Debug, Clone)]
pub struct Vm {
    program: Arc<Program>,
    pc: usize,
    stack: Vec<i32>,
    locals: Vec<i32>,
    /// Memory and outputs in shared chunks: the debugger keeps many clones.
    memory: ChunkedVec<u8>,
    files: FileContents,
    cursors: [Cursor; FILE_COUNT],
    outputs: ChunkedVec<i32>,
    steps: u64,
    status: Status,
    effect: Effect,
}

impl Vm {
    /// A machine about to run `main`, with the files' initial contents (all closed).
    pub fn new(program: Arc<Program>, files: FileContents) -> Vm {
        Vm {
            pc: 0,
            stack: Vec::new(),
            locals: vec![0; program.local_count as usize],
            memory: ChunkedVec::from_elem(0, program.memory_bytes),
            files,
            cursors: [None; FILE_COUNT],
            outputs: ChunkedVec::new(),
            steps: 0,
            status: Status::Running,
            effect: Effect::default(),
            program,
        }
    }

    pub fn program(&self) -> &Arc<Program> {
        &self.program
    }

    /// Index of the next instruction (or of the one that trapped or returned).
    pub fn pc(&self) -> usize {
        self.pc
    }

    /// The operand stack, bottom first.
    pub fn stack(&self) -> &[i32] {
        &self.stack
    }

    pub fn locals(&self) -> &[i32] {
        &self.locals
    }

    pub fn memory(&self) -> &ChunkedVec<u8> {
        &self.memory
    }

    pub fn files(&self) -> &FileContents {
        &self.files
    }

    pub fn outputs(&self) -> &ChunkedVec<i32> {
        &self.outputs
    }

    /// Instructions executed so far (a trapping instruction counts).
    pub fn steps(&self) -> u64 {
        self.steps
    }

    pub fn status(&self) -> Status {
        self.status
    }

    /// What the last executed instruction did.
    pub fn effect(&self) -> Effect {
        self.effect
    }

    /// Executes one instruction, unless the machine has already stopped.
    pub fn step(&mut self) -> Status {
        if self.status != Status::Running {
            return self.status;
        }
        self.steps += 1;
        self.effect = Effect::default();
        let instruction = self.program.instructions[self.pc];
        let result = self.execute(instruction.op);
        // `local.tee` pops and pushes back the same value: in a trace token's
        // terms it leaves the stack as it was and pushes nothing.
        let new_top = instruction.op.pushes() == 1 && !matches!(instruction.op, Op::LocalTee(_));
        if result.is_ok() && new_top {
            self.effect.pushed = self.stack.last().copied();
        }
        match result {
            Ok(Next::Advance) => self.pc += 1,
            Ok(Next::Jump(target)) => self.pc = target,
            Ok(Next::Halt) => self.status = Status::Halted,
            Err(kind) => self.status = Status::Trapped(Trap { kind, pc: self.pc }),
        }
        self.status
    }

    /// Steps until the program stops or `max_steps` instructions have run in all.
    pub fn run(&mut self, max_steps: u64) -> Status {
        while self.status == Status::Running && self.steps < max_steps {
            self.step();
        }
        self.status
    }

    /// What the run has produced so far.
    pub fn report(&self) -> RunReport {
        let ending = match self.status {
            Status::Halted => Ending::Halted,
            Status::Trapped(trap) => Ending::Trapped(trap.message(&self.program)),
            Status::Running => Ending::StepLimit,
        };
        RunReport {
            outputs: self.outputs.to_vec(),
            ending,
            files: self.files.clone(),
            steps: self.steps,
            tokens: 0,
        }
    }

    fn pop(&mut self) -> i32 {
        self.stack
            .pop()
            .expect("validation guarantees the operand stack never underflows")
    }

    fn execute(&mut self, op: Op) -> Result<Next, TrapKind> {
        match op {
            Op::Const(value) => self.stack.push(value),
            Op::Binary(binary) => {
                let b = self.pop();
                let a = self.pop();
                self.stack.push(binary.apply(a, b));
            }
            Op::Load { offset } => {
                let base = self.pop();
                let address = self.effective_address(base, offset)?;
                let mut bytes = [0u8; 4];
                self.memory.read(address, &mut bytes);
                self.stack.push(i32::from_le_bytes(bytes));
            }
            Op::Store { offset } => {
                let value = self.pop();
                let base = self.pop();
                let address = self.effective_address(base, offset)?;
                self.memory.write(address, &value.to_le_bytes());
            }
            Op::LocalGet(index) => self.stack.push(self.locals[index as usize]),
            Op::LocalSet(index) => self.locals[index as usize] = self.pop(),
            Op::LocalTee(index) => {
                self.locals[index as usize] =
                    *self.stack.last().expect("validated: tee has an operand")
            }
            Op::Drop => {
                self.pop();
            }
            Op::Nop => {}
            Op::Call(call) => self.call(call)?,
            Op::Br(branch) => return Ok(self.take(branch)),
            Op::BrIf(branch) => {
                if self.pop() != 0 {
                    return Ok(self.take(branch));
                }
                self.effect.taken = Some(false);
            }
            Op::BrUnless(branch) => {
                if self.pop() == 0 {
                    return Ok(self.take(branch));
                }
                self.effect.taken = Some(false);
            }
            Op::Unreachable => return Err(TrapKind::Unreachable),
            Op::Return => return Ok(Next::Halt),
        }
        Ok(Next::Advance)
    }

    /// The base as unsigned plus the static offset, if four bytes fit there.
    fn effective_address(&self, base: i32, offset: u32) -> Result<usize, TrapKind> {
        let address = u64::from(base as u32) + u64::from(offset);
        if address + 4 > self.memory.len() as u64 {
            return Err(TrapKind::MemoryOutOfBounds);
        }
        Ok(address as usize)
    }

    fn take(&mut self, branch: Branch) -> Next {
        let keep = branch.keep as usize;
        let drop = branch.drop as usize;
        let top = self.stack.len();
        self.stack.copy_within(top - keep..top, top - keep - drop);
        self.stack.truncate(top - drop);
        self.effect.taken = Some(true);
        if keep == 1 && drop > 0 {
            self.effect.pushed = self.stack.last().copied();
        }
        Next::Jump(branch.target)
    }

    /// The open file numbered `number`, as an index and its cursor.
    fn open_file(&self, number: i32) -> Result<(usize, usize), TrapKind> {
        let index = usize::try_from(number).ok().filter(|&n| n < FILE_COUNT);
        match index.and_then(|n| self.cursors[n].map(|cursor| (n, cursor))) {
            Some(open) => Ok(open),
            None => Err(TrapKind::FileNotOpen),
        }
    }

    fn call(&mut self, call: HostCall) -> Result<(), TrapKind> {
        match call {
            HostCall::Output => {
                let value = self.pop();
                self.outputs.push(value);
                self.effect.output = Some(value);
            }
            HostCall::FdOpen => {
                let number = self.pop();
                match usize::try_from(number).ok().filter(|&n| n < FILE_COUNT) {
                    Some(n) => {
                        self.cursors[n] = Some(0);
                        self.stack.push(number);
                        self.effect.file_state = Some((n as u8, true, 0));
                    }
                    None => self.stack.push(-1),
                }
            }
            HostCall::FdRead => {
                let number = self.pop();
                let (n, cursor) = self.open_file(number)?;
                let after = match self.files.0[n].get(cursor) {
                    Some(&byte) => {
                        self.stack.push(i32::from(byte));
                        cursor + 1
                    }
                    None => {
                        self.stack.push(-1);
                        cursor
                    }
                };
                self.cursors[n] = Some(after);
                self.effect.file_state = Some((n as u8, true, after));
            }
            HostCall::FdWrite => {
                let value = self.pop();
                let number = self.pop();
                let (n, cursor) = self.open_file(number)?;
                if cursor >= MAX_FILE_BYTES {
                    return Err(TrapKind::FileFull);
                }
                let byte = value as u8;
                let file = &mut self.files.0[n];
                if cursor < file.len() {
                    file[cursor] = byte;
                } else {
                    file.push(byte);
                }
                self.cursors[n] = Some(cursor + 1);
                self.effect.write = Some((n as u8, cursor, byte));
                self.effect.file_state = Some((n as u8, true, cursor + 1));
            }
            HostCall::FdClose => {
                let number = self.pop();
                let (n, _) = self.open_file(number)?;
                self.cursors[n] = None;
                self.effect.file_state = Some((n as u8, false, 0));
            }
        }
        Ok(())
    }
}

/// Where control goes after an instruction.
enum Next {
    Advance,
    Jump(usize),
    Halt,
}
