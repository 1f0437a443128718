//! `wasmtf debug`: a terminal debugger that steps the transformer one forward
//! pass per keystroke and shows what happens inside it.

pub mod session;
