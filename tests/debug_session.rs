//! The debugger's session, without a terminal: stepping forward and back is
//! exact, and edited weights are caught at the first pass that goes wrong.

mod support;

use std::sync::Arc;

use support::ENV_IMPORTS;
use support::transformer::{compiled, model};
use wasmtf::debugger::session::{CHECKPOINT_EVERY, DebugSession};
use wasmtf::engine::Model;
use wasmtf::files::FileContents;
use wasmtf::program::Program;

fn counting_loop() -> Arc<Program> {
    let source = format!(
        "(module {ENV_IMPORTS} (memory 1) (func (export \"main\") (local $i i32)
           (block $done (loop $l
             (br_if $done (i32.ge_s (local.get $i) (i32.const 200)))
             (i32.store (local.get $i) (i32.mul (local.get $i) (local.get $i)))
             (call $output (i32.load (local.get $i)))
             (local.set $i (i32.add (local.get $i) (i32.const 1)))
             (br $l)))))"
    );
    Arc::new(Program::from_wat("loop.wat", &source).unwrap())
}

#[test]
fn going_back_and_forth_reaches_the_same_state_as_running_straight() {
    let program = counting_loop();
    let mut session =
        DebugSession::new(model(), Arc::clone(&program), FileContents::default()).unwrap();
    for _ in 0..(CHECKPOINT_EVERY + 40) {
        session.forward(false).unwrap();
    }
    let forward_token = *session.run().token();
    let forward_stack = session.vm().stack().to_vec();
    session.back().unwrap();
    session.back().unwrap();
    assert_eq!(session.pass(), CHECKPOINT_EVERY + 38);
    session.forward(true).unwrap();
    session.forward(true).unwrap();
    assert_eq!(*session.run().token(), forward_token);
    assert_eq!(session.vm().stack(), forward_stack);
    session.go_to(3).unwrap();
    assert_eq!(session.pass(), 3);
    assert!(
        session.capture().is_some(),
        "the pass arrived at is captured"
    );
    let mut fresh = DebugSession::new(model(), program, FileContents::default()).unwrap();
    for _ in 0..3 {
        fresh.forward(false).unwrap();
    }
    assert_eq!(session.run().token(), fresh.run().token());
    assert!(session.first_divergence().is_none());
}

#[test]
fn edited_weights_are_caught_at_the_first_pass_that_differs() {
    let mut weights = compiled().clone();
    weights.ablate_neurons("alu.mul");
    let model = Arc::new(Model::new(Arc::new(weights)));
    let mut session = DebugSession::new(model, counting_loop(), FileContents::default()).unwrap();
    session
        .run_forward(10_000, |r| !r.divergence.is_empty(), &mut || false)
        .unwrap();
    // 0·0 = 0 comes out right even without the mul neurons; the first wrong
    // product is 1·1 = 1, for which the ablated model says 0.
    let first = session
        .first_divergence()
        .expect("the ablated model goes wrong");
    let program = session.program();
    assert_eq!(
        program.instructions[first.ip as usize].to_string(),
        "i32.mul"
    );
    assert_eq!(first.divergence[0].0, "push");
    assert_eq!(first.divergence[0].2, "1");
    assert_eq!(
        session.pass(),
        first.pass,
        "running forward stops at the divergence"
    );
}
