//! The opcode classes the fetch head distinguishes: one variant per one-hot
//! flag of the `instr.op` field, in that order. The opcode table, the static
//! stack facts and the mnemonics (the dimension names `ins.op=…`/`cur.op=…`) all
//! derive from this enum, through exhaustive matches: a new operator is one new
//! variant, and the compiler lists every place that must say what it does.

use crate::program::{BinaryOp, HostCall, Op};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OpClass {
    I32Const,
    I32Add,
    I32Sub,
    I32Mul,
    I32And,
    I32Or,
    I32Eq,
    I32Ne,
    I32LtS,
    I32GtS,
    I32LeS,
    I32GeS,
    I32Load,
    I32Store,
    LocalGet,
    LocalSet,
    LocalTee,
    Drop,
    Nop,
    Output,
    FdOpen,
    FdRead,
    FdWrite,
    FdClose,
    Br,
    BrIf,
    BrUnless,
    Unreachable,
    Return,
}

impl OpClass {
    pub const COUNT: usize = 29;

    /// Every class, in one-hot order (`ALL[c as usize] == c`).
    pub const ALL: [OpClass; OpClass::COUNT] = [
        OpClass::I32Const,
        OpClass::I32Add,
        OpClass::I32Sub,
        OpClass::I32Mul,
        OpClass::I32And,
        OpClass::I32Or,
        OpClass::I32Eq,
        OpClass::I32Ne,
        OpClass::I32LtS,
        OpClass::I32GtS,
        OpClass::I32LeS,
        OpClass::I32GeS,
        OpClass::I32Load,
        OpClass::I32Store,
        OpClass::LocalGet,
        OpClass::LocalSet,
        OpClass::LocalTee,
        OpClass::Drop,
        OpClass::Nop,
        OpClass::Output,
        OpClass::FdOpen,
        OpClass::FdRead,
        OpClass::FdWrite,
        OpClass::FdClose,
        OpClass::Br,
        OpClass::BrIf,
        OpClass::BrUnless,
        OpClass::Unreachable,
        OpClass::Return,
    ];

    /// The class's index in the one-hot order (the `instr.op` field's value).
    pub fn index(self) -> usize {
        self as usize
    }

    /// The class of an instruction.
    pub fn of(op: Op) -> OpClass {
        match op {
            Op::Const(_) => OpClass::I32Const,
            Op::Binary(b) => match b {
                BinaryOp::Add => OpClass::I32Add,
                BinaryOp::Sub => OpClass::I32Sub,
                BinaryOp::Mul => OpClass::I32Mul,
                BinaryOp::And => OpClass::I32And,
                BinaryOp::Or => OpClass::I32Or,
                BinaryOp::Eq => OpClass::I32Eq,
                BinaryOp::Ne => OpClass::I32Ne,
                BinaryOp::LtS => OpClass::I32LtS,
                BinaryOp::GtS => OpClass::I32GtS,
                BinaryOp::LeS => OpClass::I32LeS,
                BinaryOp::GeS => OpClass::I32GeS,
            },
            Op::Load { .. } => OpClass::I32Load,
            Op::Store { .. } => OpClass::I32Store,
            Op::LocalGet(_) => OpClass::LocalGet,
            Op::LocalSet(_) => OpClass::LocalSet,
            Op::LocalTee(_) => OpClass::LocalTee,
            Op::Drop => OpClass::Drop,
            Op::Nop => OpClass::Nop,
            Op::Call(HostCall::Output) => OpClass::Output,
            Op::Call(HostCall::FdOpen) => OpClass::FdOpen,
            Op::Call(HostCall::FdRead) => OpClass::FdRead,
            Op::Call(HostCall::FdWrite) => OpClass::FdWrite,
            Op::Call(HostCall::FdClose) => OpClass::FdClose,
            Op::Br(_) => OpClass::Br,
            Op::BrIf(_) => OpClass::BrIf,
            Op::BrUnless(_) => OpClass::BrUnless,
            Op::Unreachable => OpClass::Unreachable,
            Op::Return => OpClass::Return,
        }
    }

    /// The WebAssembly name (the text format's, or the host call's).
    pub fn mnemonic(self) -> &'static str {
        match self {
            OpClass::I32Const => "i32.const",
            OpClass::I32Add => "i32.add",
            OpClass::I32Sub => "i32.sub",
            OpClass::I32Mul => "i32.mul",
            OpClass::I32And => "i32.and",
            OpClass::I32Or => "i32.or",
            OpClass::I32Eq => "i32.eq",
            OpClass::I32Ne => "i32.ne",
            OpClass::I32LtS => "i32.lt_s",
            OpClass::I32GtS => "i32.gt_s",
            OpClass::I32LeS => "i32.le_s",
            OpClass::I32GeS => "i32.ge_s",
            OpClass::I32Load => "i32.load",
            OpClass::I32Store => "i32.store",
            OpClass::LocalGet => "local.get",
            OpClass::LocalSet => "local.set",
            OpClass::LocalTee => "local.tee",
            OpClass::Drop => "drop",
            OpClass::Nop => "nop",
            OpClass::Output => "output",
            OpClass::FdOpen => "fd_open",
            OpClass::FdRead => "fd_read",
            OpClass::FdWrite => "fd_write",
            OpClass::FdClose => "fd_close",
            OpClass::Br => "br",
            OpClass::BrIf => "br_if",
            OpClass::BrUnless => "br_unless",
            OpClass::Unreachable => "unreachable",
            OpClass::Return => "return",
        }
    }

    /// `(pushes, static stack effect)` when the instruction does not branch.
    pub fn stack_facts(self) -> (bool, i64) {
        match self {
            OpClass::I32Const | OpClass::LocalGet => (true, 1),
            OpClass::I32Add
            | OpClass::I32Sub
            | OpClass::I32Mul
            | OpClass::I32And
            | OpClass::I32Or
            | OpClass::I32Eq
            | OpClass::I32Ne
            | OpClass::I32LtS
            | OpClass::I32GtS
            | OpClass::I32LeS
            | OpClass::I32GeS => (true, -1),
            OpClass::I32Load | OpClass::FdOpen | OpClass::FdRead => (true, 0),
            OpClass::I32Store | OpClass::FdWrite => (false, -2),
            OpClass::LocalSet
            | OpClass::Drop
            | OpClass::Output
            | OpClass::FdClose
            | OpClass::BrIf
            | OpClass::BrUnless => (false, -1),
            OpClass::LocalTee
            | OpClass::Nop
            | OpClass::Br
            | OpClass::Unreachable
            | OpClass::Return => (false, 0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::OpClass;
    use crate::program::{BinaryOp, Op};

    #[test]
    fn all_lists_every_class_at_its_index_once() {
        for (i, class) in OpClass::ALL.into_iter().enumerate() {
            assert_eq!(class.index(), i);
        }
        let mut names: Vec<&str> = OpClass::ALL.iter().map(|c| c.mnemonic()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), OpClass::COUNT);
    }

    #[test]
    fn binary_operations_keep_their_names_and_pop_two_push_one() {
        for op in BinaryOp::ALL {
            let class = OpClass::of(Op::Binary(op));
            assert_eq!(class.mnemonic(), op.mnemonic());
            assert_eq!(class.stack_facts(), (true, -1));
        }
    }
}
