//! WAT-like text for flat instructions: what listings, traces and messages show.
//!
//! Jumps show their target as `@N` (a flat index) and, when they move values,
//! `drop D keep K`; lowered constructs keep their source name (`if`, `else`).
//!
//! `Display` never uses names, so traces and messages read the same for every
//! module; [`Program::instruction_text`] is the listing's text, with the WAT
//! names of the module's `name` section where it has them.

use std::fmt;

use super::{Branch, Construct, Instruction, Op, Program};

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

impl Program {
    /// The text of instruction `pc` for a listing: its `Display` text, with WAT
    /// names where the module's `name` section gives them — `local.get $n`,
    /// `call $output`, `br_if $eof @12 (drop 0 keep 1)` (the flat target `@N`
    /// stays), `if $big (else @7)`, `else $big (end @9)`. Without names it is
    /// exactly `self.instructions[pc].to_string()`.
    ///
    /// Panics when `pc` is out of range, like indexing `instructions`.
    pub fn instruction_text(&self, pc: usize) -> String {
        let instruction = self.instructions[pc];
        let label = self
            .target_block(pc)
            .and_then(|block| block.label.as_deref());
        let local = |index: u32| match self.local_name(index) {
            Some(name) => format!("${name}"),
            None => index.to_string(),
        };
        match (instruction.origin.construct, instruction.op, label) {
            (Construct::If, Op::BrUnless(branch), Some(label)) => {
                format!("if ${label} (else @{})", branch.target)
            }
            (Construct::Else, Op::Br(branch), Some(label)) => {
                format!("else ${label} (end {branch})")
            }
            (Construct::Plain, Op::Br(branch), Some(label)) => format!("br ${label} {branch}"),
            (Construct::Plain, Op::BrIf(branch), Some(label)) => {
                format!("br_if ${label} {branch}")
            }
            (Construct::Plain, Op::BrUnless(branch), Some(label)) => {
                format!("br_unless ${label} {branch}")
            }
            (Construct::Plain, Op::LocalGet(index), _) => format!("local.get {}", local(index)),
            (Construct::Plain, Op::LocalSet(index), _) => format!("local.set {}", local(index)),
            (Construct::Plain, Op::LocalTee(index), _) => format!("local.tee {}", local(index)),
            (Construct::Plain, Op::Call(call), _) => match self.import_name(call) {
                Some(name) => format!("call ${name}"),
                None => instruction.to_string(),
            },
            _ => instruction.to_string(),
        }
    }
}
