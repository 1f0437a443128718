//! The built-in demo: a program with a loop, memory and a file, so that every
//! panel of the debugger has something to show. It reads file 0, keeps each
//! byte in memory upper-cased, writes the result to file 1, and outputs the
//! byte count and a checksum.

use crate::files::FileContents;

pub const DEMO_NAME: &str = "demo.wat";

pub const DEMO_SOURCE: &str = r#";; wasmtf demo: upper-case file 0 into file 1 through memory.
(module
  (import "env" "output" (func $output (param i32)))
  (import "env" "fd_open" (func $fd_open (param i32) (result i32)))
  (import "env" "fd_read" (func $fd_read (param i32) (result i32)))
  (import "env" "fd_write" (func $fd_write (param i32 i32)))
  (import "env" "fd_close" (func $fd_close (param i32)))
  (memory 1)
  (func (export "main") (local $c i32) (local $n i32) (local $sum i32) (local $i i32)
    (drop (call $fd_open (i32.const 0)))
    ;; read every byte, upper-case letters, store them one word apart
    (block $eof
      (loop $read
        (local.set $c (call $fd_read (i32.const 0)))
        (br_if $eof (i32.eq (local.get $c) (i32.const -1)))
        (if (i32.and (i32.ge_s (local.get $c) (i32.const 97))
                     (i32.le_s (local.get $c) (i32.const 122)))
          (then (local.set $c (i32.sub (local.get $c) (i32.const 32)))))
        (i32.store (i32.mul (local.get $n) (i32.const 4)) (local.get $c))
        (local.set $sum (i32.add (i32.mul (local.get $sum) (i32.const 31)) (local.get $c)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $read)))
    (call $fd_close (i32.const 0))
    ;; write them out from memory
    (drop (call $fd_open (i32.const 1)))
    (block $done
      (loop $write
        (br_if $done (i32.ge_s (local.get $i) (local.get $n)))
        (call $fd_write (i32.const 1) (i32.load (i32.mul (local.get $i) (i32.const 4))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $write)))
    (call $output (local.get $n))
    (call $output (local.get $sum))))
"#;

/// The demo's input file.
pub fn demo_files() -> FileContents {
    let mut files = FileContents::default();
    files
        .set(0, b"hello, transformer!".to_vec())
        .expect("the demo input fits");
    files
}
