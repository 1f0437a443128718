//! Programs: a WebAssembly module read, checked against SPEC §2 and flattened into
//! the instruction list every engine executes.
//!
//! Structured control flow (`block`, `loop`, `if`/`else`, `br`, `br_if`,
//! `return`, `end`) is resolved here, once, into jumps with static targets and
//! drop/keep counts, in the manner of wasmi's classic `Target { dst_pc, drop, keep }`.
//! `block`, `loop` and a non-final `end` leave no instruction behind; `if` becomes a
//! jump taken when the condition is zero, `else` an unconditional jump over the
//! else arm, and the function's final `end` a `return`. What remains is a flat list
//! in which every instruction's stack effect is a static fact, except that a
//! conditional branch additionally drops values when it is taken.
//!
//! The module's `name` section, when it has one, is kept as [`Names`] for
//! listings ([`Program::instruction_text`]); nothing that runs depends on it.

mod display;
mod error;
mod flatten;
mod load;
mod names;

pub use error::LoadError;
pub use load::{MAX_MEMORY_PAGES, load_program};
pub use names::{MAX_NAME_CHARS, Names};

/// Bytes in one WebAssembly memory page.
pub const PAGE_BYTES: usize = 65_536;

/// A validated program, ready to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Program {
    /// Where the program came from (a path, or a name for built-in programs);
    /// used in messages.
    pub name: String,
    /// The flat instruction list of `main`; execution starts at index 0.
    pub instructions: Vec<Instruction>,
    /// Number of `i32` locals of `main` (all start at zero).
    pub local_count: u32,
    /// Size of the memory in bytes (zero when the module declares none).
    pub memory_bytes: usize,
    /// The `env` functions the module imports, by function index.
    pub imports: Vec<HostCall>,
    /// The blocks, loops and ifs of the source, in the order they close, so that
    /// a listing can delimit their bodies.
    pub blocks: Vec<BlockSpan>,
    /// The WAT names of the module's `name` section (empty when it has none);
    /// decoration for listings, never used to run the program.
    pub names: Names,
}

/// One instruction of the flat list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Instruction {
    pub op: Op,
    /// Which source operator this came from.
    pub origin: Origin,
}

/// The source operator an instruction was made from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origin {
    /// Position of the operator in `main`'s body, counting from 0 (as in error
    /// messages).
    pub body_index: u32,
    /// The structured operator a jump came from, when it came from one.
    pub construct: Construct,
    /// For a jump to a block, loop or if (`br`, `br_if`, and the lowered `if` and
    /// `else`, which jump within their own `if`): the index in [`Program::blocks`]
    /// of that construct. `None` for everything else, including branches to the
    /// function's own label. Listings only; engines read [`Branch`].
    pub target_block: Option<u32>,
}

/// The structured-control operator behind a flat instruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Construct {
    /// The instruction is the operator itself (`i32.add`, `br`, ...).
    Plain,
    /// An `if`, lowered to a jump to the else arm (or the end) on zero.
    If,
    /// An `else`, lowered to a jump from the end of the then arm to the end.
    Else,
    /// The final `end` of `main`, lowered to `return`.
    FunctionEnd,
}

/// The operations of the flat instruction set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// Push the constant.
    Const(i32),
    /// Pop b, pop a, push `a op b`.
    Binary(BinaryOp),
    /// Pop an address, push the little-endian `i32` at address + offset.
    Load { offset: u32 },
    /// Pop a value, pop an address, store the value little-endian at address + offset.
    Store { offset: u32 },
    /// Push local n.
    LocalGet(u32),
    /// Pop into local n.
    LocalSet(u32),
    /// Copy the top of the stack into local n, leaving it there.
    LocalTee(u32),
    /// Pop and discard.
    Drop,
    /// Do nothing.
    Nop,
    /// Call a host function of the `env` module.
    Call(HostCall),
    /// Jump unconditionally.
    Br(Branch),
    /// Pop a condition; jump when it is non-zero.
    BrIf(Branch),
    /// Pop a condition; jump when it is zero (the lowering of `if`).
    BrUnless(Branch),
    /// Trap.
    Unreachable,
    /// Halt: `main` returns.
    Return,
}

/// A jump with everything about it that is known before running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Branch {
    /// Index of the instruction that runs next when the jump is taken.
    pub target: usize,
    /// Values removed from under the kept ones when the jump is taken.
    pub drop: u32,
    /// Values on top of the stack that survive the jump (0 or 1).
    pub keep: u32,
}

/// The two-operand `i32` operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    And,
    Or,
    Eq,
    Ne,
    LtS,
    GtS,
    LeS,
    GeS,
}

impl BinaryOp {
    pub const ALL: [BinaryOp; 11] = [
        BinaryOp::Add,
        BinaryOp::Sub,
        BinaryOp::Mul,
        BinaryOp::And,
        BinaryOp::Or,
        BinaryOp::Eq,
        BinaryOp::Ne,
        BinaryOp::LtS,
        BinaryOp::GtS,
        BinaryOp::LeS,
        BinaryOp::GeS,
    ];

    /// The WebAssembly name, e.g. `i32.lt_s`.
    pub fn mnemonic(self) -> &'static str {
        match self {
            BinaryOp::Add => "i32.add",
            BinaryOp::Sub => "i32.sub",
            BinaryOp::Mul => "i32.mul",
            BinaryOp::And => "i32.and",
            BinaryOp::Or => "i32.or",
            BinaryOp::Eq => "i32.eq",
            BinaryOp::Ne => "i32.ne",
            BinaryOp::LtS => "i32.lt_s",
            BinaryOp::GtS => "i32.gt_s",
            BinaryOp::LeS => "i32.le_s",
            BinaryOp::GeS => "i32.ge_s",
        }
    }

    /// The result by WebAssembly's rules: wrapping arithmetic, signed comparisons.
    pub fn apply(self, a: i32, b: i32) -> i32 {
        match self {
            BinaryOp::Add => a.wrapping_add(b),
            BinaryOp::Sub => a.wrapping_sub(b),
            BinaryOp::Mul => a.wrapping_mul(b),
            BinaryOp::And => a & b,
            BinaryOp::Or => a | b,
            BinaryOp::Eq => i32::from(a == b),
            BinaryOp::Ne => i32::from(a != b),
            BinaryOp::LtS => i32::from(a < b),
            BinaryOp::GtS => i32::from(a > b),
            BinaryOp::LeS => i32::from(a <= b),
            BinaryOp::GeS => i32::from(a >= b),
        }
    }
}

/// The host functions a program may import from module `env` (SPEC §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HostCall {
    Output,
    FdOpen,
    FdRead,
    FdWrite,
    FdClose,
}

impl HostCall {
    pub const ALL: [HostCall; 5] = [
        HostCall::Output,
        HostCall::FdOpen,
        HostCall::FdRead,
        HostCall::FdWrite,
        HostCall::FdClose,
    ];

    /// The import's field name in module `env`.
    pub fn name(self) -> &'static str {
        match self {
            HostCall::Output => "output",
            HostCall::FdOpen => "fd_open",
            HostCall::FdRead => "fd_read",
            HostCall::FdWrite => "fd_write",
            HostCall::FdClose => "fd_close",
        }
    }

    pub fn from_name(name: &str) -> Option<HostCall> {
        HostCall::ALL.into_iter().find(|call| call.name() == name)
    }

    /// Number of `i32` parameters.
    pub fn params(self) -> u32 {
        match self {
            HostCall::FdWrite => 2,
            _ => 1,
        }
    }

    /// Number of `i32` results.
    pub fn results(self) -> u32 {
        match self {
            HostCall::FdOpen | HostCall::FdRead => 1,
            _ => 0,
        }
    }

    /// The signature in WAT notation, for messages.
    pub fn signature(self) -> &'static str {
        match self {
            HostCall::Output | HostCall::FdClose => "(param i32)",
            HostCall::FdOpen | HostCall::FdRead => "(param i32) (result i32)",
            HostCall::FdWrite => "(param i32 i32)",
        }
    }
}

/// What kind of structured construct a [`BlockSpan`] was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    Block,
    Loop,
    If,
}

/// The extent of a block, loop or if in the flat list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockSpan {
    pub kind: BlockKind,
    /// First flat index inside the construct (for an `if`, its conditional jump).
    pub start: usize,
    /// Flat index just past the construct.
    pub end: usize,
    /// Nesting depth: 0 for a construct directly in `main`'s body.
    pub depth: u32,
    /// Whether the construct leaves an `i32` result.
    pub has_result: bool,
    /// The construct's label in the WAT source (`eof` for `block $eof`), from
    /// the module's `name` section, without the `$`.
    pub label: Option<String>,
}

impl Op {
    /// Values the instruction pops when it does not branch.
    pub fn pops(self) -> u32 {
        match self {
            Op::Const(_) | Op::LocalGet(_) | Op::Nop | Op::Br(_) | Op::Unreachable | Op::Return => {
                0
            }
            Op::Binary(_) | Op::Store { .. } => 2,
            Op::Load { .. } | Op::LocalSet(_) | Op::LocalTee(_) | Op::Drop => 1,
            Op::BrIf(_) | Op::BrUnless(_) => 1,
            Op::Call(call) => call.params(),
        }
    }

    /// Values the instruction pushes.
    pub fn pushes(self) -> u32 {
        match self {
            Op::Const(_) | Op::LocalGet(_) | Op::Binary(_) | Op::Load { .. } | Op::LocalTee(_) => 1,
            Op::Call(call) => call.results(),
            _ => 0,
        }
    }

    /// The change in stack depth when the instruction does not branch.
    pub fn stack_effect(self) -> i32 {
        self.pushes() as i32 - self.pops() as i32
    }

    /// The jump this instruction may take, if any.
    pub fn branch(self) -> Option<Branch> {
        match self {
            Op::Br(b) | Op::BrIf(b) | Op::BrUnless(b) => Some(b),
            _ => None,
        }
    }
}

impl Program {
    /// Loads a program from the bytes of a `.wat` or `.wasm` file; `name` is used in
    /// messages (usually the path).
    pub fn from_bytes(name: &str, bytes: &[u8]) -> Result<Program, LoadError> {
        load_program(name, bytes)
    }

    /// The binary module of a `.wat` or `.wasm` file's bytes (text is
    /// assembled; a binary passes through): what a trace stores.
    pub fn wasm_binary(name: &str, bytes: &[u8]) -> Result<Vec<u8>, LoadError> {
        load::to_binary(name, bytes).map(|wasm| wasm.into_owned())
    }

    /// Loads a program from WebAssembly text.
    pub fn from_wat(name: &str, text: &str) -> Result<Program, LoadError> {
        load_program(name, text.as_bytes())
    }

    /// The blocks, loops and ifs that contain flat index `pc`, outermost first.
    pub fn enclosing_blocks(&self, pc: usize) -> Vec<BlockSpan> {
        let mut spans: Vec<BlockSpan> = self
            .blocks
            .iter()
            .filter(|span| span.start <= pc && pc < span.end)
            .cloned()
            .collect();
        spans.sort_by_key(|span| span.depth);
        spans
    }

    /// The block, loop or if that the jump at flat index `pc` targets (see
    /// [`Origin::target_block`]); `None` when `pc` is not such a jump or is out
    /// of range.
    pub fn target_block(&self, pc: usize) -> Option<&BlockSpan> {
        let block = self.instructions.get(pc)?.origin.target_block?;
        self.blocks.get(block as usize)
    }

    /// The WAT name of `main`'s local `index` (`n` for `$n`, without the `$`).
    pub fn local_name(&self, index: u32) -> Option<&str> {
        self.names.local(index)
    }

    /// The WAT name the module gives its import of `call` (`output` for
    /// `(import "env" "output" (func $output ...))`, without the `$`).
    pub fn import_name(&self, call: HostCall) -> Option<&str> {
        self.names.import(call)
    }
}
