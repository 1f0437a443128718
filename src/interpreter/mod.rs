//! The WebAssembly interpreter written with [`crate::circuit`]: the residual
//! layout, the token fields, and one file per mechanism, each adding its heads
//! and neurons to the layers. [`build`] returns the whole circuit; assembling it
//! gives the weights `wasmtf compile` writes.
//!
//! The layer plan (one forward pass executes one instruction; see
//! docs/ARCHITECTURE.md for the full story):
//!
//! | layer | attention | feed-forward |
//! |---|---|---|
//! | 0 | fetch the instruction at `ip`; sum head: stack depth | slot² for stack keys |
//! | 1 | stack top and second | add, sub, and, or, comparisons, mul partial products, addresses, branch decision, file number |
//! | 2 | locals, memory (16 heads), file state | mul bits, memory recency, file checks, next ip/depth/push, value select |
//! | 3 | file bytes (cross-attention, one head per file) | memory and file read results, file cursor and state |

mod alu;
mod control;
mod dims;
mod embedding;
mod fetch;
mod files;
mod host;
mod locals;
mod memory;
mod opclass;
mod output;
pub mod prefill;
pub mod prompt;
pub mod roles;
mod stack;
pub mod tokens;

use crate::circuit::gadgets::Layers;
use crate::circuit::{Circuit, Layout};
use dims::Dims;

pub use embedding::{encode, field};
pub use host::{Host, TransformerRun};
pub use output::out_field;

/// Largest program, in instructions.
pub const MAX_PROGRAM: i64 = 1 << 20;
/// Most locals (wasmparser's own limit for a function).
pub const MAX_LOCALS: i64 = 50_000;
/// Most values a branch may drop.
pub const MAX_DROP: i64 = 1 << 16;
/// Largest memory, in bytes (16 pages).
pub const MAX_MEMORY: i64 = 1 << 20;
/// Longest sequence (prompt and trace): positions enter the memory heads'
/// recency steps, which are exact while positions stay below the gates' big-M.
pub const MAX_POSITIONS: u64 = 1 << 39;

/// Refuses a trace that would reach position `position`, beyond the bound
/// within which the weights are exact.
pub(crate) fn check_position(position: u64) -> Result<(), String> {
    if position >= MAX_POSITIONS {
        return Err(format!(
            "the trace reached {MAX_POSITIONS} positions, the bound within which the weights are exact"
        ));
    }
    Ok(())
}

/// Layer indices.
pub(crate) const L_FETCH: usize = 0;
pub(crate) const L_STACK: usize = 1;
pub(crate) const L_MEMORY: usize = 2;
pub(crate) const L_FILES: usize = 3;
const LAYERS: usize = 4;

/// The whole interpreter.
pub fn build() -> Circuit {
    let mut layout = Layout::new();
    let d = Dims::declare(&mut layout);
    let mut net = Layers::new(LAYERS);
    net.describe(
        L_FETCH,
        "fetch the instruction at ip; sum the stack effects into the depth",
    );
    net.describe(
        L_STACK,
        "read the stack top and second; arithmetic, comparisons, addresses, branch decision",
    );
    net.describe(
        L_MEMORY,
        "read locals, memory and file state; multiply, pick the latest memory bytes, check files, plan the next ip",
    );
    net.describe(
        L_FILES,
        "read file bytes by cross-attention; assemble the loaded, read and written values",
    );
    fetch::build(&d, &mut net);
    stack::build(&d, &mut net);
    alu::build(&d, &mut net);
    control::build(&d, &mut net);
    locals::build(&d, &mut net);
    memory::build(&d, &mut net);
    files::build(&d, &mut net);
    output::build_value_select(&d, &mut net);
    Circuit {
        layout,
        position: d.pos,
        inputs: embedding::input_fields(&d),
        layers: net.into_layers(),
        outputs: output::output_fields(&d),
    }
}
