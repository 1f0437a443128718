//! Traces: a run written down pass by pass (JSON Lines, `docs/TRACE.md`),
//! to replay in the debugger, verify against weights and compare.
//!
//! [`record`] runs a program on either engine and writes its trace with
//! [`writer`]; [`reader`] reads one back and checks everything it claims;
//! [`verify`] feeds the recorded tokens to a model (teacher forcing) and
//! finds every pass where it disagrees; [`diff`] compares two traces. Two
//! tokens agree as [`compare`] says. [`activations`] writes a recorded
//! run's activations at chosen hooks as safetensors.

pub mod activations;
pub mod commands;
pub mod compare;
pub mod diff;
pub mod format;
pub mod reader;
pub mod record;
pub mod verify;
pub mod vm_tokens;
pub mod writer;
