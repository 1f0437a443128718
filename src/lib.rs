//! wasmtf: a WebAssembly interpreter compiled into the weights of a transformer,
//! and the tools around it.
//!
//! Data flows one way: a module is loaded into a [`program::Program`] (a flat
//! instruction list with its static facts); [`interpreter`] (written with the
//! generic [`circuit`] compiler into [`weights`]) turns it into prompt tokens and
//! the [`engine`] runs forward passes, one per executed instruction, producing a
//! [`report::RunReport`]. The reference [`vm`] runs the same programs directly,
//! for the tests and the debugger's divergence view.

pub mod ablate;
pub mod bench;
pub mod chunked;
pub mod circuit;
pub mod cli;
pub mod compiled;
pub mod debugger;
pub mod engine;
pub mod files;
pub mod inspect;
pub mod interpreter;
pub mod program;
pub mod repl;
pub mod report;
pub mod trace;
pub mod vm;
pub mod weights;
