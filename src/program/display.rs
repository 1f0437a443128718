//! WAT-like text for flat instructions: what listings, traces and messages show.
//!
//! Jumps show their target as `@N` (a flat index) and, when they move values,
//! `drop D keep K`; lowered constructs keep their source name (`if`, `else`).

use std::fmt;

use super::{Branch, Construct, Instruction, Op};

impl fmt::Display for Branch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "@{}", self.target)?;
        if self.drop > 0 || self.keep > 0 {
            write!(f, " (drop {} keep {})", self.drop, self.keep)?;
        }
        Ok(())
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Op::Const(value) => write!(f, "i32.const {value}"),
            Op::Binary(op) => f.write_str(op.mnemonic()),
            Op::Load { offset: 0 } => f.write_str("i32.load"),
            Op::Load { offset } => write!(f, "i32.load offset={offset}"),
            Op::Store { offset: 0 } => f.write_str("i32.store"),
            Op::Store { offset } => write!(f, "i32.store offset={offset}"),
            Op::LocalGet(index) => write!(f, "local.get {index}"),
            Op::LocalSet(index) => write!(f, "local.set {index}"),
            Op::LocalTee(index) => write!(f, "local.tee {index}"),
            Op::Drop => f.write_str("drop"),
            Op::Nop => f.write_str("nop"),
            Op::Call(call) => write!(f, "call $env.{}", call.name()),
            Op::Br(branch) => write!(f, "br {branch}"),
            Op::BrIf(branch) => write!(f, "br_if {branch}"),
            Op::BrUnless(branch) => write!(f, "br_unless {branch}"),
            Op::Unreachable => f.write_str("unreachable"),
            Op::Return => f.write_str("return"),
        }
    }
}

impl fmt::Display for Instruction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.origin.construct, self.op) {
            (Construct::If, Op::BrUnless(branch)) => write!(f, "if (else @{})", branch.target),
            (Construct::Else, Op::Br(branch)) => write!(f, "else (end {branch})"),
            (Construct::FunctionEnd, _) => f.write_str("end (return)"),
            (_, op) => op.fmt(f),
        }
    }
}
