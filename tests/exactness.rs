//! The transformer at the edges of its exactness bounds (docs/ARCHITECTURE.md):
//! the largest memory, a deep stack, a long program, positions past ten million
//! and near the bound; and refusals beyond them.

mod support;

use std::sync::Arc;

use support::ENV_IMPORTS;
use support::transformer::{model, run_vm, same_run};
use wasmtf::engine::Mode;
use wasmtf::files::FileContents;
use wasmtf::interpreter::{MAX_DROP, MAX_LOCALS, MAX_POSITIONS, TransformerRun};
use wasmtf::program::{Op, Program};

fn program(memory_pages: u32, locals: u32, body: &str) -> Arc<Program> {
    let source = format!(
        "(module {ENV_IMPORTS} (memory {memory_pages}) (func (export \"main\") (local $a i32) (local {}) {body}))",
        vec!["i32"; locals as usize].join(" ")
    );
    Arc::new(Program::from_wat("bounds.wat", &source).unwrap_or_else(|e| panic!("{e}")))
}

fn agree_at(program: &Arc<Program>, first_position: usize) {
    let files = FileContents::default();
    let vm = run_vm(program, &files, 200_000);
    let mut run = TransformerRun::starting_at(
        model(),
        Arc::clone(program),
        files,
        Mode::Fast,
        first_position,
    )
    .unwrap();
    run.run(200_000).unwrap();
    let got = run.report();
    assert!(
        same_run(&vm, &got),
        "at position {first_position}:\nvm {vm:?}\ntransformer {got:?}"
    );
}

/// Stores and loads whose recency order decides the result (overlapping,
/// unaligned), so the memory heads' position steps matter.
const OVERLAPS: &str = "
    (i32.store (i32.const 100) (i32.const 0x11223344))
    (i32.store (i32.const 102) (i32.const 0x55667788))
    (i32.store (i32.const 99) (i32.const -1))
    (call $output (i32.load (i32.const 100)))
    (call $output (i32.load (i32.const 101)))
    (call $output (i32.load (i32.const 103)))";

#[test]
fn memory_recency_is_exact_past_ten_million_positions_and_near_the_bound() {
    let p = program(1, 1, OVERLAPS);
    agree_at(&p, 0);
    agree_at(&p, 10_000_000);
    agree_at(&p, 100_000_000_000);
    agree_at(&p, (MAX_POSITIONS - 1_000) as usize);
}

#[test]
fn the_last_word_of_the_largest_memory_works_and_one_byte_further_traps() {
    let last = (1 << 20) - 4;
    agree_at(
        &program(
            16,
            1,
            &format!(
                "(i32.store (i32.const {last}) (i32.const -2)) (call $output (i32.load (i32.const {last})))"
            ),
        ),
        0,
    );
    agree_at(
        &program(
            16,
            1,
            &format!("(drop (i32.load (i32.const {})))", last + 1),
        ),
        0,
    );
    agree_at(
        &program(16, 1, "(drop (i32.load offset=4294967295 (i32.const -1)))"),
        0,
    );
}

#[test]
fn a_deep_stack_and_a_long_program_stay_exact() {
    // 3000 values on the stack, then summed back down: slots up to 3000.
    let pushes = (1..=3000)
        .map(|i| format!("(i32.const {i})"))
        .collect::<Vec<_>>()
        .join(" ");
    let adds = "i32.add ".repeat(2999);
    agree_at(&program(1, 1, &format!("{pushes} {adds} call $output")), 0);
}

#[test]
fn the_highest_local_index_works() {
    let top = MAX_LOCALS as u32 - 1;
    let body = format!(
        "(local.set {top} (i32.const 77)) (call $output (local.get {top})) (call $output (local.get 5))"
    );
    agree_at(&program(1, top, &body), 0);
}

#[test]
fn programs_beyond_the_bounds_are_refused_before_running() {
    // A branch dropping more values than the depth field can say (a program
    // that big is slow to build as text, so the flat program is edited).
    let mut p = (*program(1, 1, "(block (br 0))")).clone();
    let Op::Br(branch) = &mut p.instructions[0].op else {
        panic!("{:?}", p.instructions)
    };
    branch.drop = MAX_DROP as u32 + 1;
    let error = TransformerRun::new(model(), Arc::new(p), FileContents::default(), Mode::Fast)
        .err()
        .expect("refused");
    assert!(
        error.contains("a branch's drop count is 65537, beyond the transformer's bound of 65536"),
        "{error}"
    );
}

#[test]
fn a_trace_reaching_the_position_bound_stops_with_a_message() {
    let spin = program(1, 1, "(loop (br 0))");
    let first = (MAX_POSITIONS - 10) as usize;
    let mut run =
        TransformerRun::starting_at(model(), spin, FileContents::default(), Mode::Fast, first)
            .unwrap();
    let error = run.run(1_000).unwrap_err();
    assert!(
        error.contains("the bound within which the weights are exact"),
        "{error}"
    );
}
