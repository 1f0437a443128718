//! The debugger's keystroke latency at 100,000 passes: one forward pass, one
//! pass back, each followed by a full redraw at 160×48. A benchmark, not a
//! timed test: `cargo test --release --test debugger_bench -- --ignored --nocapture`.

mod support;

use std::sync::Arc;
use std::time::Instant;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use support::ENV_IMPORTS;
use support::transformer::model;
use wasmtf::debugger::app::App;
use wasmtf::debugger::keymap::Key;
use wasmtf::debugger::session::DebugSession;
use wasmtf::debugger::view::draw;
use wasmtf::files::FileContents;
use wasmtf::program::Program;

#[test]
#[ignore = "benchmark: cargo test --release --test debugger_bench -- --ignored --nocapture"]
fn keystroke_redraw_latency_at_100000_passes() {
    let source = format!(
        "(module {ENV_IMPORTS} (memory 1) (func (export \"main\") (local $i i32) (local $s i32)
           (block $done (loop $l
             (br_if $done (i32.ge_s (local.get $i) (i32.const 100000)))
             (i32.store (i32.and (local.get $i) (i32.const 1020)) (local.get $s))
             (local.set $s (i32.add (local.get $s) (i32.mul (local.get $i) (i32.load (i32.const 4)))))
             (call $output (local.get $s))
             (local.set $i (i32.add (local.get $i) (i32.const 1)))
             (br $l)))))"
    );
    let program = Arc::new(Program::from_wat("long.wat", &source).unwrap());
    let session = DebugSession::new(model(), program, FileContents::default()).unwrap();
    let mut app = App::new(session);
    let start = Instant::now();
    app.session.go_to(100_000).unwrap();
    eprintln!(
        "reached pass 100000 in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).unwrap();
    terminal.draw(|f| draw(&app, f)).unwrap();
    for (label, key) in [
        ("n (one pass forward)", Key::Char('n')),
        ("N (one pass back)", Key::Char('N')),
    ] {
        let rounds = 200;
        let mut worst = 0.0f64;
        let start = Instant::now();
        for _ in 0..rounds {
            let t = Instant::now();
            app.key(key, &mut || false);
            terminal.draw(|f| draw(&app, f)).unwrap();
            worst = worst.max(t.elapsed().as_secs_f64());
        }
        let mean = start.elapsed().as_secs_f64() / rounds as f64;
        eprintln!(
            "{label}: mean {:.2} ms, worst {:.2} ms per keystroke + redraw",
            mean * 1e3,
            worst * 1e3
        );
    }
    assert!(app.session.pass() >= 100_000);
}
