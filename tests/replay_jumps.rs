//! A replay moves at once: `g`, `G`, Home and End reach any pass on the
//! recorded tokens alone, and every panel's state there is what the
//! recording says; the model's run catches up afterwards (teacher forced),
//! and its activations at the pass on screen are those of a plain
//! one-at-a-time run. Expected states come from a fresh reference VM, and
//! expected disagreements from one-at-a-time verification.

mod support;

use std::sync::Arc;
use std::time::Duration;

use support::ENV_IMPORTS;
use support::traces::recorded;
use support::transformer::{compiled, model};
use wasmtf::debugger::app::App;
use wasmtf::debugger::keymap::Key;
use wasmtf::debugger::session::{CATCH_UP_AT_ONCE, DebugSession};
use wasmtf::engine::capture::PassCapture;
use wasmtf::engine::{Mode, Model};
use wasmtf::files::FileContents;
use wasmtf::interpreter::TransformerRun;
use wasmtf::trace::reader::Trace;
use wasmtf::trace::record::Engine;
use wasmtf::trace::verify::verify_one_at_a_time;
use wasmtf::vm::Vm;

/// A loop of memory, `mul`, locals and an output per iteration: 9,505 passes.
fn long_trace() -> Trace {
    let source = format!(
        "(module {ENV_IMPORTS} (memory 1) (func (export \"main\") (local $i i32) (local $s i32)
           (block $done (loop $l
             (br_if $done (i32.ge_s (local.get $i) (i32.const 500)))
             (i32.store (i32.and (i32.mul (local.get $i) (i32.const 4)) (i32.const 252)) (local.get $i))
             (local.set $s (i32.add (local.get $s) (i32.mul (local.get $i) (i32.load (i32.const 8)))))
             (call $output (local.get $s))
             (local.set $i (i32.add (local.get $i) (i32.const 1)))
             (br $l)))))"
    );
    let trace = recorded(&source, FileContents::default(), Engine::Vm);
    assert!(trace.passes.len() as u64 > 2 * CATCH_UP_AT_ONCE);
    trace
}

/// Runs the app's long run in slices, as the event loop does, but never
/// the model's catching up.
fn run_slices(app: &mut App) {
    while app.running.is_some() {
        app.run_slice(Duration::from_secs(60));
    }
}

/// The VM's locals and the first 256 bytes of memory after `steps` steps.
fn vm_state(trace: &Trace, steps: u64) -> (Vec<i32>, Vec<u8>) {
    let mut vm = Vm::new(Arc::clone(&trace.program), trace.files.clone());
    vm.run(steps);
    (vm.locals().to_vec(), vm.memory().to_vec()[..256].to_vec())
}

fn session_state(session: &DebugSession) -> (Vec<i32>, Vec<u8>) {
    let machine = session.machine();
    let locals = machine.locals().iter().map(|l| l.value).collect();
    let memory = machine.memory().to_vec()[..256].to_vec();
    (locals, memory)
}

#[test]
fn end_and_go_to_reach_any_pass_without_waiting_for_the_model() {
    let trace = long_trace();
    let last = trace.passes.len() as u64;
    let mut app = App::new(DebugSession::replaying(model(), &trace).unwrap());
    app.key(Key::Char('G'));
    run_slices(&mut app);
    assert_eq!(app.session.pass(), last);
    assert_eq!(app.session.model_pass(), 0, "the model has not run a pass");
    assert!(app.session.needs_catch_up());
    let footer = trace.footer.as_ref().unwrap();
    assert_eq!(app.session.host().outputs().to_vec(), footer.outputs);
    assert_eq!(session_state(&app.session), vm_state(&trace, last));
    let screen = support::debugger::screen(&app, 160, 48);
    assert!(
        screen.contains("the model is catching up: pass 0 of"),
        "{screen}"
    );

    // Back and forth, far from the model: it is left behind.
    for target in [7001, 5000, last - 1] {
        app.go_to(target);
        run_slices(&mut app);
        assert_eq!(app.session.pass(), target);
        assert_eq!(session_state(&app.session), vm_state(&trace, target));
    }
    assert_eq!(app.session.model_pass(), 0);
    // Near it, the model catches up at once.
    app.go_to(33);
    assert_eq!(session_state(&app.session), vm_state(&trace, 33));
    assert_eq!(app.session.model_pass(), 33);
    assert!(app.session.capture().is_some());
}

#[test]
fn the_model_catches_up_to_the_pass_on_screen_with_the_recorded_tokens() {
    let trace = long_trace();
    let target = 6000;
    let mut app = App::new(DebugSession::replaying(model(), &trace).unwrap());
    app.go_to(target);
    run_slices(&mut app);
    assert!(app.session.capture().is_none());
    // Slices as short as can be still get there.
    let mut slices = 0;
    while app.session.needs_catch_up() {
        app.catch_up_slice(Duration::ZERO);
        slices += 1;
    }
    assert!(slices > 1, "the catching up went in slices");
    assert_eq!(app.session.model_pass(), target);

    // The same pass, one teacher-forced pass at a time from the start.
    let mut run = TransformerRun::new(
        model(),
        Arc::clone(&trace.program),
        trace.files.clone(),
        Mode::Fast,
    )
    .unwrap();
    let mut expected = PassCapture::default();
    for (i, pass) in trace.passes.iter().take(target as usize).enumerate() {
        let capture = (i as u64 + 1 == target).then_some(&mut expected);
        run.step_forced(pass.token, capture).unwrap();
    }
    let shown = app
        .session
        .capture()
        .expect("the pass on screen is captured");
    assert_eq!(shown.position, expected.position);
    for (a, b) in shown.layers.iter().zip(&expected.layers) {
        assert_eq!(a.resid_post, b.resid_post);
    }
    // A step back now re-runs a few passes at once, not the whole way.
    app.key(Key::Char('N'));
    assert_eq!(app.session.pass(), target - 1);
    assert!(app.session.capture().is_some());
}

#[test]
fn after_a_jump_the_next_disagreement_is_found_by_running_the_model_along() {
    let trace = long_trace();
    let mut weights = compiled().clone();
    weights.ablate_neurons("alu.add");
    let ablated = Arc::new(Model::new(Arc::new(weights)));
    let expected: Vec<u64> = verify_one_at_a_time(&trace, Arc::clone(&ablated))
        .unwrap()
        .disagreements
        .iter()
        .map(|d| d.pass)
        .collect();
    let from = 5000;
    let next = *expected.iter().find(|&&p| p > from).unwrap();

    let mut app = App::new(DebugSession::replaying(ablated, &trace).unwrap());
    app.go_to(from);
    run_slices(&mut app);
    app.key(Key::Char(']'));
    app.finish_running();
    assert_eq!(app.session.pass(), next, "{}", app.message);
    assert!(
        app.message.starts_with("DISAGREES at pass"),
        "{}",
        app.message
    );
    // Every pass the model ran is marked as the one-at-a-time check says.
    let marked: Vec<u64> = app
        .session
        .records()
        .iter()
        .enumerate()
        .take(next as usize)
        .filter(|(_, r)| r.disagrees)
        .map(|(i, _)| i as u64 + 1)
        .collect();
    let upto: Vec<u64> = expected.iter().copied().filter(|&p| p <= next).collect();
    assert_eq!(marked, upto);

    // From the end, reached at once: [ waits for the model to check the
    // passes before, then finds the last disagreement.
    let last = trace.passes.len() as u64;
    app.key(Key::Char('G'));
    run_slices(&mut app);
    assert_eq!(app.session.pass(), last);
    app.key(Key::Char('['));
    assert_eq!(app.session.pass(), last, "nothing known to go back to yet");
    assert!(app.message.contains("checked passes"), "{}", app.message);
    while app.session.needs_catch_up() {
        app.catch_up_slice(Duration::from_secs(60));
    }
    app.key(Key::Char('['));
    let previous = *expected.iter().rfind(|&&p| p < last).unwrap();
    assert_eq!(app.session.pass(), previous, "{}", app.message);
}
