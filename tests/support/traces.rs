//! Traces recorded in memory, for the tests that replay, verify or compare
//! them.

use std::io::Cursor;
use std::sync::Arc;

use super::transformer::compiled;
use wasmtf::files::FileContents;
use wasmtf::program::Program;
use wasmtf::trace::reader::{Trace, read_trace};
use wasmtf::trace::record::{Engine, Recording};

/// A recording of the WAT `source` on `engine` with the compiled weights,
/// up to 50,000 steps.
pub fn recording(name: &str, source: &str, files: FileContents, engine: Engine) -> Recording {
    Recording {
        name: name.into(),
        wasm: Program::wasm_binary(name, source.as_bytes()).unwrap(),
        program: Arc::new(Program::from_wat(name, source).unwrap()),
        files,
        engine,
        weights: Arc::new(compiled().clone()),
        weights_info: None,
        max_steps: 50_000,
    }
}

/// The trace file `recording` writes (whatever its exit status).
pub fn record_bytes(recording: &Recording) -> Vec<u8> {
    let mut bytes = Vec::new();
    let _ = recording.record(&mut bytes, &mut |_| {});
    bytes
}

/// A trace file read back; it must be readable.
pub fn read(bytes: &[u8]) -> Trace {
    read_trace("t.jsonl", Cursor::new(bytes)).unwrap()
}

/// `source` recorded on `engine` and read back.
pub fn recorded(source: &str, files: FileContents, engine: Engine) -> Trace {
    read(&record_bytes(&recording("p.wat", source, files, engine)))
}
