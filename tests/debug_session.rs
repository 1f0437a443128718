//! The debugger's session, without a terminal: stepping forward and back is
//! exact, and edited weights are caught at the first pass that goes wrong.

mod support;

use std::sync::Arc;

use support::ENV_IMPORTS;
use support::corpus::load_corpus;
use support::transformer::{compiled, files_of, model, same_run};
use wasmtf::debugger::session::{CHECKPOINT_EVERY, DebugSession, Field, FieldValue};
use wasmtf::engine::Model;
use wasmtf::files::FileContents;
use wasmtf::program::Program;
use wasmtf::report::Ending;

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
    let forward_token = *session.host().token();
    let forward_stack = session.vm().stack().to_vec();
    session.back().unwrap();
    session.back().unwrap();
    assert_eq!(session.pass(), CHECKPOINT_EVERY + 38);
    session.forward(true).unwrap();
    session.forward(true).unwrap();
    assert_eq!(*session.host().token(), forward_token);
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
    assert_eq!(session.host().token(), fresh.host().token());
    assert!(session.first_divergence().is_none());
}

#[test]
fn edited_weights_are_caught_at_the_first_pass_that_differs() {
    let mut weights = compiled().clone();
    weights.ablate_neurons("alu.mul");
    let model = Arc::new(Model::new(Arc::new(weights)));
    let mut session = DebugSession::new(model, counting_loop(), FileContents::default()).unwrap();
    session
        .run_forward(
            10_000,
            |s| s.current_record().is_some_and(|r| r.diverged()),
            &mut |_| false,
        )
        .unwrap();
    // 0·0 = 0 comes out right even without the mul neurons; the first wrong
    // product is 1·1 = 1, for which the ablated model says 0.
    let first = session
        .first_divergence()
        .expect("the ablated model goes wrong");
    assert_eq!(
        session.pass(),
        first,
        "running forward stops at the divergence"
    );
    let program = session.program();
    let record = session.record(first).unwrap();
    assert_eq!(
        program.instructions[record.ip as usize].to_string(),
        "i32.mul"
    );
    let mismatch = session.mismatches()[0];
    assert_eq!(mismatch.field, Field::Push);
    assert_eq!(mismatch.model, FieldValue::Value(Some(0)));
    assert_eq!(mismatch.vm, FieldValue::Value(Some(1)));
    assert_eq!(mismatch.to_string(), "push model 0 ≠ vm 1");
}

/// Under the built-in weights the model never disagrees with the VM, so the
/// debugger must never say it does: every corpus case, run through the debug
/// session to its end, shows no divergence and ends as the VM does.
#[test]
fn no_corpus_case_diverges_in_the_debugger() {
    let model = model();
    let mut failures = Vec::new();
    for entry in load_corpus() {
        let program =
            Arc::new(Program::from_wat(&entry.path.display().to_string(), &entry.source).unwrap());
        for case in &entry.cases {
            let mut session = DebugSession::new(
                Arc::clone(&model),
                Arc::clone(&program),
                files_of(&case.files),
            )
            .unwrap();
            session
                .run_forward(
                    50_000,
                    |s| s.current_record().is_some_and(|r| r.diverged()),
                    &mut |_| false,
                )
                .unwrap();
            if let Some(pass) = session.first_divergence() {
                let record = session.record(pass).unwrap();
                failures.push(format!(
                    "{} [{}]: pass {pass} (instruction {} {}): {}",
                    entry.id(),
                    case.name,
                    record.ip,
                    program.instructions[record.ip as usize],
                    session
                        .mismatches()
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            } else if !session.finished()
                || !same_run(&session.host().report(), &session.vm().report())
            {
                failures.push(format!(
                    "{} [{}]: did not end as the VM",
                    entry.id(),
                    case.name
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The state the debugger decodes from the model's tokens (stack, locals,
/// memory) is the reference VM's at every pass of every corpus case, and each
/// value's source is a pass that ran before it.
#[test]
fn the_decoded_machine_is_the_vm_at_every_pass() {
    let model = model();
    let mut failures = Vec::new();
    for entry in load_corpus() {
        let program =
            Arc::new(Program::from_wat(&entry.path.display().to_string(), &entry.source).unwrap());
        for case in &entry.cases {
            let mut session = DebugSession::new(
                Arc::clone(&model),
                Arc::clone(&program),
                files_of(&case.files),
            )
            .unwrap();
            while !session.finished() && session.pass() < 50_000 {
                session.forward(false).unwrap();
                let machine = session.machine();
                let pass = session.pass();
                let stack: Vec<i32> = machine.stack().iter().map(|s| s.value).collect();
                let locals: Vec<i32> = machine.locals().iter().map(|s| s.value).collect();
                let sources_before = machine
                    .stack()
                    .iter()
                    .chain(machine.locals())
                    .all(|s| s.from <= pass);
                let wrote = machine.access().wrote;
                let memory_agrees = wrote.is_none_or(|span| {
                    (span.address..span.address + span.len).all(|a| {
                        machine.memory().get(a) == session.vm().memory().get(a)
                            && machine.memory_from(a) == pass
                    })
                });
                // After a trap WebAssembly has no stack; the VM's is whatever it
                // popped before it found the fault.
                let trapped = matches!(session.host().ending(), Some(Ending::Trapped(_)));
                if (stack != session.vm().stack() && !trapped)
                    || locals != session.vm().locals()
                    || !sources_before
                    || !memory_agrees
                {
                    failures.push(format!(
                        "{} [{}] pass {pass}: stack {stack:?} vm {:?}, locals {locals:?} vm {:?}",
                        entry.id(),
                        case.name,
                        session.vm().stack(),
                        session.vm().locals()
                    ));
                    break;
                }
            }
            if session.machine().memory().to_vec() != session.vm().memory().to_vec() {
                failures.push(format!("{} [{}]: memory differs", entry.id(), case.name));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
