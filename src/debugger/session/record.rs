//! What the session keeps of each forward pass, and how a pass is compared with
//! the reference VM.
//!
//! A [`PassRecord`] is small and has no heap data, because a long session keeps
//! one per pass (a million passes fit in tens of megabytes). Where a token
//! disagrees with the VM the record keeps only which fields differ; the values
//! on both sides, as [`Mismatch`]es, are worked out for the pass on screen,
//! whose VM state the session has at hand.

use std::fmt;

use crate::interpreter::tokens::{RunStatus, TraceToken};
use crate::vm::{Effect, Status, Vm};

/// One forward pass of the trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PassRecord {
    /// The instruction this pass executed (the `ip` of the token it read).
    pub ip: i64,
    /// The token it emitted.
    pub token: TraceToken,
    /// The fields whose value differs from the VM's, as a set of [`Field`] bits.
    pub diverged: FieldSet,
    /// In a replay: the model's argmax was not the recorded token.
    pub disagrees: bool,
}

impl PassRecord {
    /// Whether this pass went wrong: its token differs from the VM's, or in
    /// a replay the model disagrees with the recording.
    pub fn diverged(&self) -> bool {
        !self.diverged.is_empty() || self.disagrees
    }
}

/// The parts of a trace token the VM can vouch for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Status,
    Ip,
    Delta,
    Push,
    Output,
    Write,
    File,
}

impl Field {
    pub const ALL: [Field; 7] = [
        Field::Status,
        Field::Ip,
        Field::Delta,
        Field::Push,
        Field::Output,
        Field::Write,
        Field::File,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Field::Status => "status",
            Field::Ip => "ip",
            Field::Delta => "delta",
            Field::Push => "push",
            Field::Output => "output",
            Field::Write => "write",
            Field::File => "file",
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A set of [`Field`]s in one byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FieldSet(u8);

impl FieldSet {
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn contains(self, field: Field) -> bool {
        self.0 & field.bit() != 0
    }

    pub fn insert(&mut self, field: Field) {
        self.0 |= field.bit();
    }

    pub fn iter(self) -> impl Iterator<Item = Field> {
        Field::ALL.into_iter().filter(move |f| self.contains(*f))
    }
}

/// The value of a [`Field`], on the model's side or the VM's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldValue {
    Status(RunStatus),
    Number(i64),
    /// A pushed or output value, or none.
    Value(Option<i32>),
    /// `(file, offset, byte)` of a write, or none.
    Write(Option<(u8, i64, u8)>),
    /// `(file, open, cursor)` after a file operation, or none.
    File(Option<(u8, bool, i64)>),
}

impl fmt::Display for FieldValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            FieldValue::Status(status) => f.write_str(status.name()),
            FieldValue::Number(n) => write!(f, "{n}"),
            FieldValue::Value(Some(v)) => write!(f, "{v}"),
            FieldValue::Write(Some((file, offset, byte))) => {
                write!(f, "file {file} @{offset} = {byte}")
            }
            FieldValue::File(Some((file, open, cursor))) => {
                write!(f, "{file} open={open} cursor={cursor}")
            }
            FieldValue::Value(None) | FieldValue::Write(None) | FieldValue::File(None) => {
                f.write_str("—")
            }
        }
    }
}

/// One field where the model and the VM disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mismatch {
    pub field: Field,
    pub model: FieldValue,
    pub vm: FieldValue,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} model {} ≠ vm {}",
            self.field.name(),
            self.model,
            self.vm
        )
    }
}

/// The run status the VM is in, in the token's terms.
pub fn status_of(vm: &Vm) -> RunStatus {
    match vm.status() {
        Status::Running => RunStatus::Running,
        Status::Halted => RunStatus::Halted,
        Status::Trapped(trap) => RunStatus::of_trap(trap.kind),
    }
}

/// Compares the token a pass emitted with what the VM did in the same step
/// (`vm` is the VM after the step, `depth_change` its change of stack depth).
pub fn compare(token: &TraceToken, vm: &Vm, depth_change: i64) -> Vec<Mismatch> {
    let mut mismatches = Vec::new();
    let mut check = |field, model: FieldValue, vm: FieldValue| {
        if model != vm {
            mismatches.push(Mismatch { field, model, vm });
        }
    };
    let status = status_of(vm);
    check(
        Field::Status,
        FieldValue::Status(token.status),
        FieldValue::Status(status),
    );
    if status != RunStatus::Running || token.status != RunStatus::Running {
        return mismatches;
    }
    let effect: Effect = vm.effect();
    check(
        Field::Ip,
        FieldValue::Number(token.ip),
        FieldValue::Number(vm.pc() as i64),
    );
    check(
        Field::Delta,
        FieldValue::Number(token.delta),
        FieldValue::Number(depth_change),
    );
    check(
        Field::Push,
        FieldValue::Value(token.push.then_some(token.value)),
        FieldValue::Value(effect.pushed),
    );
    check(
        Field::Output,
        FieldValue::Value(token.out.then_some(token.value)),
        FieldValue::Value(effect.output),
    );
    let model_write = token.wrote.then(|| {
        (
            token.file.unwrap_or(u8::MAX),
            token.cursor - 1,
            token.value as u8,
        )
    });
    check(
        Field::Write,
        FieldValue::Write(model_write),
        FieldValue::Write(effect.write.map(|(f, o, b)| (f, o as i64, b))),
    );
    check(
        Field::File,
        FieldValue::File(token.file.map(|f| (f, token.open, token.cursor))),
        FieldValue::File(effect.file_state.map(|(f, open, c)| (f, open, c as i64))),
    );
    mismatches
}

/// The set of fields in `mismatches`.
pub fn fields_of(mismatches: &[Mismatch]) -> FieldSet {
    let mut set = FieldSet::default();
    for m in mismatches {
        set.insert(m.field);
    }
    set
}
