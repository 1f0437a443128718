//! The trace token the model would emit for one step of the reference VM,
//! field for field, so that `wasmtf record --engine vm` writes the same
//! trace as the transformer and either can be checked against the other.
//!
//! Fields an instruction does not use hold what the compiled model leaves
//! in them; a test checks the mapping against the transformer's tokens on
//! every corpus case.

use crate::debugger::session::record::status_of;
use crate::interpreter::tokens::{RunStatus, TraceToken};
use crate::vm::Vm;

/// The stack facts of the VM before a step that [`vm_token`] needs.
#[derive(Debug, Clone, Copy)]
pub struct Before {
    /// The instruction about to execute.
    pub executed: usize,
    pub depth: usize,
    pub top: Option<i32>,
}

impl Before {
    pub fn of(vm: &Vm) -> Before {
        Before {
            executed: vm.pc(),
            depth: vm.stack().len(),
            top: vm.stack().last().copied(),
        }
    }
}

/// The token for the step the VM just took, given what it was before.
pub fn vm_token(vm: &Vm, before: Before) -> TraceToken {
    let status = status_of(vm);
    let effect = vm.effect();
    let running = status == RunStatus::Running;
    // A write carries the whole value it was given (the file keeps its low
    // byte), which was the top of the stack.
    let value = effect
        .pushed
        .or(effect.output)
        .or(effect.write.and(before.top))
        .unwrap_or(0);
    let (file, open, cursor) = match effect.file_state {
        Some((f, open, cursor)) => (Some(f), open, cursor as i64),
        None => (None, false, 0),
    };
    TraceToken {
        status,
        ip: if running {
            vm.pc() as i64
        } else {
            before.executed as i64 + 1
        },
        delta: vm.stack().len() as i64 - before.depth as i64,
        push: effect.pushed.is_some(),
        value,
        out: effect.output.is_some(),
        file,
        open,
        cursor,
        wrote: effect.write.is_some(),
    }
}
