//! The debugger's navigation and panels, key by key: each test pins a defect
//! of issue 7 that a user met (going past the end, search, the notion of "the
//! pass that executes instruction k", the start, traps, `c` that reports its
//! progress and can be interrupted, panels that were cut off or stale).

mod support;

use std::sync::Arc;
use std::time::Duration;

use support::ENV_IMPORTS;
use support::debugger::screen;
use support::transformer::{compiled, model};
use wasmtf::debugger::app::{App, LayerItem, Panel, SearchHit};
use wasmtf::debugger::keymap::Key;
use wasmtf::debugger::new_app;
use wasmtf::debugger::session::DebugSession;
use wasmtf::files::FileContents;
use wasmtf::program::Program;

fn demo() -> App {
    new_app(None, FileContents::default(), compiled().clone()).unwrap()
}

fn app_for(source: &str) -> App {
    let program = Arc::new(Program::from_wat("test.wat", source).unwrap());
    App::new(DebugSession::new(model(), program, FileContents::default()).unwrap())
}

fn press(app: &mut App, keys: &str) {
    for c in keys.chars() {
        let key = match c {
            '\n' => Key::Enter,
            c => Key::Char(c),
        };
        app.key(key);
        app.finish_running();
    }
}

/// The demo halts after this many passes (counted by running the VM: one
/// pass per instruction).
fn demo_length() -> u64 {
    let app = demo();
    let mut vm = app.session.vm().clone();
    vm.run(1_000_000);
    vm.steps()
}

#[test]
fn going_past_the_end_shows_the_last_pass() {
    let mut app = demo();
    press(&mut app, "g999999\n");
    let last = demo_length();
    assert_eq!(app.session.pass(), last);
    assert!(app.session.capture().is_some(), "the last pass is captured");
    assert!(
        app.message
            .contains(&format!("the run ends at pass {last}")),
        "{}",
        app.message
    );
    let text = screen(&app, 160, 48);
    assert!(
        text.contains("▶"),
        "the listing marks the last instruction:\n{text}"
    );
    assert!(text.contains("halted"), "{text}");
}

#[test]
fn search_selects_the_match_and_walks_the_matches() {
    let mut app = demo();
    press(&mut app, "n/alu.mul\n");
    let hits = app.search.clone().unwrap().hits;
    assert!(hits.len() > 2);
    let SearchHit::Neuron { layer, neuron } = hits[0] else {
        panic!("alu.mul names neurons first: {:?}", hits[0]);
    };
    assert_eq!(
        (app.layer, app.item),
        (layer, Some(LayerItem::Neuron(neuron)))
    );
    let name = &compiled().layers[layer].neuron_names[neuron];
    assert!(name.contains("alu.mul"));
    assert!(
        screen(&app, 160, 48).contains(&format!("▸ {name}")),
        "the detail shows it"
    );
    press(&mut app, ";");
    assert_eq!(app.search.as_ref().unwrap().current, 1);
    press(&mut app, ",,");
    assert_eq!(
        app.search.as_ref().unwrap().current,
        hits.len() - 1,
        ", wraps back"
    );
    // A head, and a residual dimension.
    press(&mut app, "/stack.second\n");
    assert_eq!(app.item, Some(LayerItem::Head(1)));
    assert_eq!(app.layer, 1);
    press(&mut app, "/cur.mem_size\n");
    let d = compiled()
        .dims
        .iter()
        .position(|n| n == "cur.mem_size")
        .unwrap();
    assert_eq!(app.dim, Some(d));
    assert_eq!(app.focus, Panel::Layers);
}

#[test]
fn a_breakpoint_stops_at_the_pass_that_executes_its_instruction() {
    let mut app = demo();
    app.selected = 24;
    press(&mut app, "bc");
    let pass = app.session.pass();
    assert_eq!(app.session.executed(), Some(24));
    assert_eq!(app.session.record(pass).unwrap().ip, 24);
    assert_eq!(app.current_ip(), 24);
    let text = screen(&app, 160, 48);
    // The listing, the status line and the fetch head all say instruction 24.
    assert!(text.contains("  24 ●▶"), "{text}");
    assert!(
        text.contains(&format!("pass {pass} executed instruction 24 (i32.mul)")),
        "{text}"
    );
    assert!(
        text.contains("instr 24: i32.mul"),
        "the fetch head read instruction 24:\n{text}"
    );
}

/// `[` searches the passes already run; when none of them went wrong it
/// stays where it is and says so (it used to go to pass 0).
#[test]
fn previous_wrong_pass_stays_put_when_no_pass_went_wrong() {
    let mut app = demo();
    press(&mut app, "G");
    let last = demo_length();
    assert_eq!(app.session.pass(), last);
    press(&mut app, "[");
    assert_eq!(app.session.pass(), last);
    assert_eq!(app.message, "no pass before this one went wrong");
    press(&mut app, "3[");
    assert_eq!(app.session.pass(), last);
    assert_eq!(app.message, "fewer than 3 passes before this went wrong");
}

/// Back at the start, End and `g` reach passes already run from the
/// checkpoints ahead instead of running the model again from pass 0; what
/// they show must be exactly what running there showed.
#[test]
fn going_forward_over_passes_already_run_shows_what_running_showed() {
    let source = format!(
        r#"(module {ENV_IMPORTS} (memory 1)
          (func (export "main") (local $i i32)
            (loop $l
              (i32.store (i32.const 8) (i32.add (i32.load (i32.const 8)) (local.get $i)))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $l (i32.lt_s (local.get $i) (i32.const 400))))
            (call $output (i32.load (i32.const 8)))))"#
    );
    let mut app = app_for(&source);
    press(&mut app, "G");
    let last = app.session.pass();
    assert!(
        last > 4000,
        "{last} passes: long enough for checkpoints ahead"
    );
    let seen = |app: &App| {
        (
            app.session.pass(),
            format!("{:?}", app.session.capture()),
            app.session.host().outputs().to_vec(),
            format!("{:?}", app.session.host().ending()),
        )
    };
    let at_end = seen(&app);
    // Σ 0..400 = 79800, by hand.
    assert_eq!(at_end.2, vec![79_800]);
    press(&mut app, "g3001\n");
    let at_3001 = seen(&app);
    press(&mut app, "G");
    assert_eq!(seen(&app), at_end);

    // From the start, both ways again.
    app.key(Key::Home);
    press(&mut app, "G");
    assert_eq!(seen(&app), at_end);
    app.key(Key::Home);
    press(&mut app, "g3001\n");
    assert_eq!(seen(&app), at_3001);
    // The same pass reached by a fresh session that never went past it.
    let mut fresh = app_for(&source);
    press(&mut fresh, "g3001\n");
    assert_eq!(seen(&fresh), at_3001);
}

#[test]
fn the_start_says_only_the_prompt_has_run() {
    let app = demo();
    let text = screen(&app, 160, 48);
    let prompt = app.session.host().prompt_len();
    assert!(
        text.contains(&format!("pass 0 · the prompt: {prompt} tokens")),
        "{text}"
    );
    assert!(!text.contains("forward passes"), "{text}");
}

#[test]
fn a_trap_marks_the_instruction_that_trapped_as_run_reports_it() {
    let mut app = app_for(&format!(
        "(module {ENV_IMPORTS} (memory 1) (func (export \"main\")
           (call $output (i32.const 7))
           (drop (i32.load (i32.const 65535)))))"
    ));
    press(&mut app, "c");
    assert!(app.session.finished());
    let report = app.session.host().report();
    let wasmtf::report::Ending::Trapped(message) = report.ending else {
        panic!("the load traps");
    };
    assert!(message.contains("at instruction 3"), "{message}");
    let text = screen(&app, 160, 48);
    assert!(text.contains("   3  ✗ i32.load"), "{text}");
    assert!(text.contains(&format!("trapped: {message}")), "{text}");
    assert!(!text.contains("ip=4"), "no token ip past the trap:\n{text}");
}

#[test]
fn continue_reports_progress_and_a_key_interrupts_it() {
    let mut app = app_for(&format!(
        "(module {ENV_IMPORTS} (func (export \"main\") (local $i i32)
           (loop $l (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 100000))))))"
    ));
    app.key(Key::Char('c'));
    assert!(app.running.is_some());
    app.run_slice(Duration::ZERO);
    assert!(
        app.running.is_some(),
        "one slice does not finish 500,000 passes"
    );
    let text = screen(&app, 80, 24);
    assert!(text.contains("running: pass"), "{text}");
    assert!(text.contains("passes/s"), "{text}");
    let at = app.session.pass();
    assert!(at > 0);
    app.key(Key::Char('x'));
    assert!(app.running.is_none());
    assert_eq!(app.message, format!("interrupted at pass {at}"));
    assert!(app.session.capture().is_some());
}

#[test]
fn files_show_every_byte_scroll_and_mark_the_cursor_and_the_write() {
    let mut app = demo();
    // Run until the first write to file 1, the upper-cased 'H'.
    while !app
        .session
        .record(app.session.pass())
        .is_some_and(|r| r.token.wrote)
    {
        press(&mut app, "n");
    }
    app.focus = Panel::Files;
    let text = screen(&app, 160, 48);
    assert!(
        text.contains("hello, t") && text.contains("ransform"),
        "{text}"
    );
    assert!(
        text.contains("  16 65 72 21"),
        "the bytes past 16 are shown:\n{text}"
    );
    assert!(text.contains("file 1 open · cursor 1 · 1 bytes"), "{text}");
    // ↓ moves the selected byte a row as drawn (8 bytes at 160 columns),
    // then into the next file; → one byte.
    assert_eq!(app.bytes_per_row(Panel::Files), 8);
    assert_eq!(app.file_cursor(), Some((0, 0)));
    press(&mut app, "jj");
    assert_eq!(app.file_cursor(), Some((0, 16)));
    press(&mut app, "j");
    assert_eq!(app.file_cursor(), Some((1, 0)));
    press(&mut app, "kl");
    assert_eq!(app.file_cursor(), Some((0, 17)));
}

#[test]
fn the_stack_shows_only_slots_that_exist_and_whole_pass_numbers() {
    let mut app = demo();
    press(&mut app, "n");
    let text = screen(&app, 160, 48);
    assert!(text.contains("depth 0 (sum head)"), "{text}");
    assert!(text.contains("top — (depth 0)"), "{text}");
    assert!(text.contains("second — (depth 0)"), "{text}");
    assert!(text.contains("after: 1 slot"), "{text}");
    // One pass later the constant is on the stack: a top, still no second.
    press(&mut app, "n");
    let text = screen(&app, 160, 48);
    assert!(text.contains("top 0 ← pass 1"), "{text}");
    assert!(text.contains("second — (depth 1)"), "{text}");
}

#[test]
fn output_scrolls_through_every_value() {
    let mut app = app_for(&format!(
        "(module {ENV_IMPORTS} (func (export \"main\") (local $i i32)
           (loop $l (call $output (local.get $i))
             (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 40))))))"
    ));
    press(&mut app, "c");
    app.focus = Panel::Output;
    let text = screen(&app, 80, 24);
    assert!(text.contains("40 values"), "{text}");
    assert!(text.contains("39") && !text.contains("   1 0"), "{text}");
    press(&mut app, "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk");
    let top = screen(&app, 80, 24);
    assert!(
        top.contains("   1 0"),
        "scrolled to the first value:\n{top}"
    );
}

#[test]
fn at_80x24_the_hints_and_the_help_fit() {
    let mut app = demo();
    let text = screen(&app, 80, 24);
    let status = text.lines().nth(23).unwrap();
    assert!(
        status.contains("q quit") || status.ends_with("g go"),
        "{status}"
    );
    assert!(status.chars().count() <= 80);
    press(&mut app, "?");
    let help = screen(&app, 80, 24);
    for doc in [
        "one forward pass",
        "quit",
        "run to the selected line",
        "next match",
    ] {
        assert!(help.contains(doc), "{doc:?} missing from the help:\n{help}");
    }
}
