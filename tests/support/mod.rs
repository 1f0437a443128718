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
pub mod weights;

/// The five `env` imports of SPEC §2 in WAT, named `$output`, `$fd_open`,
/// `$fd_read`, `$fd_write` and `$fd_close`, for tests that write bodies.
pub const ENV_IMPORTS: &str = r#"
  (import "env" "output" (func $output (param i32)))
  (import "env" "fd_open" (func $fd_open (param i32) (result i32)))
  (import "env" "fd_read" (func $fd_read (param i32) (result i32)))
  (import "env" "fd_write" (func $fd_write (param i32 i32)))
  (import "env" "fd_close" (func $fd_close (param i32)))
"#;

/// A loop of memory, `mul`, locals and an output per iteration (19
/// instructions): `$s += $i · mem[4]`, after storing `$s` at `$i & address_mask`,
/// for `iterations` iterations; the workload of the benchmarks.
pub fn long_loop(iterations: u32, address_mask: u32) -> String {
    format!(
        "(module {ENV_IMPORTS} (memory 1) (func (export \"main\") (local $i i32) (local $s i32)
           (block $done (loop $l
             (br_if $done (i32.ge_s (local.get $i) (i32.const {iterations})))
             (i32.store (i32.and (local.get $i) (i32.const {address_mask})) (local.get $s))
             (local.set $s (i32.add (local.get $s) (i32.mul (local.get $i) (i32.load (i32.const 4)))))
             (call $output (local.get $s))
             (local.set $i (i32.add (local.get $i) (i32.const 1)))
             (br $l)))))"
    )
}
