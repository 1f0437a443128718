//! wasmtf: a WebAssembly interpreter compiled into the weights of a transformer,
//! and the tools around it.
//!
//! Data flows one way: a module is loaded into a [`program::Program`] (a flat
//! instruction list with its static facts), which an engine executes — today the
//! reference [`vm`], soon the transformer — producing a [`report::RunReport`].

pub mod circuit;
pub mod cli;
pub mod engine;
pub mod files;
pub mod interpreter;
pub mod program;
pub mod report;
pub mod vm;
pub mod weights;
