//! Shared helpers for the integration tests: the corpus loader, the wasmi
//! oracle, the random-program generator, the debugger's screen as text,
//! scratch directories, tmux sessions and traces recorded in memory.
//! Each test binary declares `mod support;` and uses only part of it, hence
//! the `dead_code` allowance.
#![allow(dead_code)]

pub mod cli;
pub mod corpus;
pub mod debugger;
pub mod oracle;
pub mod random_program;
pub mod scratch;
pub mod tmux;
pub mod traces;
pub mod transformer;

/// The five `env` imports of SPEC §2 in WAT, named `$output`, `$fd_open`,
/// `$fd_read`, `$fd_write` and `$fd_close`, for tests that write bodies.
pub const ENV_IMPORTS: &str = r#"
  (import "env" "output" (func $output (param i32)))
  (import "env" "fd_open" (func $fd_open (param i32) (result i32)))
  (import "env" "fd_read" (func $fd_read (param i32) (result i32)))
  (import "env" "fd_write" (func $fd_write (param i32 i32)))
  (import "env" "fd_close" (func $fd_close (param i32)))
"#;
