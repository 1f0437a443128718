//! Small programs through the compiled transformer, compared with the VM with
//! the trace printed on failure: the first place to look when a mechanism breaks.

mod support;

use std::sync::Arc;

use support::ENV_IMPORTS;
use support::transformer::model;
use wasmtf::engine::Mode;
use wasmtf::files::FileContents;
use wasmtf::interpreter::TransformerRun;
use wasmtf::program::Program;
use wasmtf::vm::Vm;

fn compare(body: &str, files: FileContents) {
    let source = format!(
        "(module {ENV_IMPORTS} (memory 1) (func (export \"main\") (local $a i32) (local $b i32) (local $i i32) {body}))"
    );
    let program = Arc::new(Program::from_wat("t.wat", &source).unwrap());
    let mut vm = Vm::new(Arc::clone(&program), files.clone());
    vm.run(100_000);
    let mut run = TransformerRun::new(model(), program, files, Mode::Fast).unwrap();
    let mut trace = Vec::new();
    while !run.finished() && run.steps() < 100_000 {
        let t = run.step(None).unwrap();
        trace.push(t.describe());
    }
    let (a, b) = (vm.report(), run.report());
    assert_eq!(
        (a.outputs, a.ending, a.files, a.steps),
        (b.outputs, b.ending, b.files, b.steps),
        "trace:\n{}",
        trace.join("\n")
    );
}

#[test]
fn constants_and_outputs() {
    compare(
        "(call $output (i32.const 5)) (call $output (i32.const -7))",
        FileContents::default(),
    );
}

#[test]
fn arithmetic() {
    compare(
        "(call $output (i32.add (i32.const 2147483647) (i32.const 1)))
         (call $output (i32.sub (i32.const 3) (i32.const 10)))
         (call $output (i32.mul (i32.const 123456789) (i32.const 987654321)))
         (call $output (i32.and (i32.const -1) (i32.const 0x12345678)))
         (call $output (i32.or (i32.const 0x0f0f0f0f) (i32.const 0x70000000)))
         (call $output (i32.lt_s (i32.const -1) (i32.const 0)))
         (call $output (i32.ge_s (i32.const -1) (i32.const 0)))
         (call $output (i32.eq (i32.const 7) (i32.const 7)))
         (call $output (i32.ne (i32.const 7) (i32.const 7)))",
        FileContents::default(),
    );
}

#[test]
fn locals_loops_and_memory() {
    compare(
        "(local.set $i (i32.const 0))
         (block $done (loop $l
            (br_if $done (i32.ge_s (local.get $i) (i32.const 10)))
            (i32.store (i32.mul (local.get $i) (i32.const 3)) (i32.mul (local.get $i) (i32.const 0x01010101)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $l)))
         (call $output (i32.load (i32.const 1)))
         (call $output (i32.load (i32.const 27)))
         (call $output (i32.load (i32.const 100)))
         (call $output (block (result i32) (i32.const 1) (i32.const 2) (i32.const 3) (br 0)))
         (call $output (if (result i32) (i32.const 0) (then (i32.const 10)) (else (i32.const 20))))
         (drop (i32.load (i32.const 65533)))",
        FileContents::default(),
    );
}

#[test]
fn files() {
    let mut files = FileContents::default();
    files.set(0, b"hi".to_vec()).unwrap();
    compare(
        "(call $output (call $fd_open (i32.const 0)))
         (call $output (call $fd_read (i32.const 0)))
         (call $output (call $fd_read (i32.const 0)))
         (call $output (call $fd_read (i32.const 0)))
         (call $output (call $fd_open (i32.const 9)))
         (drop (call $fd_open (i32.const 2)))
         (call $fd_write (i32.const 2) (i32.const 0x41))
         (call $fd_write (i32.const 2) (i32.const 0x142))
         (drop (call $fd_open (i32.const 2)))
         (call $output (call $fd_read (i32.const 2)))
         (call $fd_close (i32.const 2))
         (drop (call $fd_read (i32.const 2)))",
        files,
    );
}
