//! `wasmtf repl`: type WebAssembly instructions one line at a time and watch
//! each one execute by forward passes, with the debugger's panels (stack with
//! the sum head's depth, outputs, the layers of the pass) above the lines.
//!
//! It exists because stepping a whole program is not the only way to learn
//! what the model does: here every line is an experiment. Each line is
//! checked by loading the whole module (SPEC §2's checks, so an error names
//! the problem and nothing is lost); a valid line is appended to `main`, the
//! program runs again from the start on the transformer (runs are short, and
//! every value shown comes out of forward passes, SPEC §4), and the debugger
//! shows the pass that executed the last line typed.
//!
//! Design: [`scan`] reads a line's shape (balanced parentheses; `block`,
//! `loop` and `if` open until `end`, so lines wait while a construct is
//! open); [`source`] makes the module text (the `env` imports, one page of
//! memory, `:local` declarations, and `return` when values are left on the
//! stack); [`session`] checks, keeps, undoes and saves lines; [`execution`]
//! runs the program in slices up to a pass limit and keeps a line only when
//! its run halts (a trap or a loop that never exits refuses it); [`app`]
//! holds the input and the keys, [`view`] draws (the debugger's
//! [`crate::debugger::view::draw_in`] above the REPL's rows) and only
//! [`terminal`] touches the terminal.

pub mod app;
pub mod editor;
pub mod execution;
pub mod scan;
pub mod session;
pub mod source;
pub mod terminal;
pub mod view;

use std::sync::Arc;

pub use app::{Mode, Repl, ReplKey};
pub use session::{Refusal, ReplSession, Submitted};

use crate::engine::Model;
use crate::files::FileContents;
use crate::weights::Weights;

/// Forward passes a line's run may take before it is stopped (a loop that
/// never exits): a second or two of passes; Esc stops a run sooner and
/// `wasmtf repl --max-steps N` changes it.
pub const DEFAULT_PASS_LIMIT: u64 = 20_000;

/// A REPL on the empty program.
pub fn new_repl(weights: Weights, files: FileContents, pass_limit: u64) -> Result<Repl, String> {
    let model = Arc::new(Model::new(Arc::new(weights)));
    Ok(Repl::new(ReplSession::new(model, files, pass_limit)?))
}
