//! The wasmtf binary run as a user runs it, for the tests of its commands.

use std::process::{Command, Output};

/// Runs `wasmtf ARGS...` to the end.
pub fn wasmtf(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wasmtf"))
        .args(args)
        .output()
        .expect("the wasmtf binary runs")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}
