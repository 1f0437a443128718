//! The debugger's costs on a long session: the memory a 1,000,000-pass session
//! holds, the time of a step back from anywhere in it, and the keystroke +
//! redraw latency. A benchmark, not a timed test:
//! `cargo test --release --test debugger_bench -- --ignored --nocapture`.
//!
//! Goals (issue 7): the session under 512 MB at a million passes, and a step
//! back from anywhere under 50 ms.

mod support;

use std::sync::Arc;
use std::time::Instant;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use support::transformer::model;
use wasmtf::debugger::app::App;
use wasmtf::debugger::keymap::Key;
use wasmtf::debugger::session::DebugSession;
use wasmtf::debugger::view::draw;
use wasmtf::files::FileContents;
use wasmtf::program::Program;

const PASSES: u64 = 1_000_000;

/// The benchmarks' loop, long enough for any number of passes asked for here.
fn long_loop() -> Arc<Program> {
    let source = support::long_loop(1_000_000, 1020);
    Arc::new(Program::from_wat("long.wat", &source).unwrap())
}

/// `(resident, peak resident)` of this process in MB, from /proc.
fn memory_mb() -> Option<(f64, f64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| -> Option<f64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kb / 1024.0)
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

fn report_memory(label: &str) -> f64 {
    match memory_mb() {
        Some((rss, peak)) => {
            eprintln!("{label}: resident {rss:.0} MB, peak {peak:.0} MB");
            peak
        }
        None => {
            eprintln!("{label}: /proc/self/status is not readable here");
            0.0
        }
    }
}

/// Milliseconds of `f`.
fn time_ms(f: impl FnOnce()) -> f64 {
    let start = Instant::now();
    f();
    start.elapsed().as_secs_f64() * 1e3
}

#[test]
#[ignore = "benchmark: cargo test --release --test debugger_bench -- --ignored --nocapture"]
fn a_million_pass_session_memory_and_step_back_time() {
    let model = model();
    let before = report_memory("before the session (weights loaded)");
    let mut session = DebugSession::new(model, long_loop(), FileContents::default()).unwrap();
    let start = Instant::now();
    session.go_to(PASSES).unwrap();
    let seconds = start.elapsed().as_secs_f64();
    assert_eq!(session.pass(), PASSES);
    eprintln!(
        "reached pass {PASSES} in {seconds:.1} s ({:.0} passes/s, model and VM in lockstep)",
        PASSES as f64 / seconds
    );
    eprintln!("checkpoints held: {}", session.checkpoint_count());
    let peak = report_memory(&format!("at pass {PASSES}"));
    eprintln!("the session's share of the peak: {:.0} MB", peak - before);

    // A step back from the end, then from places reached by going there.
    let mut worst_back = 0.0f64;
    let mut worst_go = 0.0f64;
    for target in [
        PASSES,
        PASSES - 1,
        999_000,
        750_001,
        500_000,
        123_457,
        40_000,
        4_097,
        33,
        1,
    ] {
        let go = time_ms(|| session.go_to(target).unwrap());
        let back = time_ms(|| session.back().unwrap());
        assert_eq!(session.pass(), target - 1);
        eprintln!("go to {target:>7}: {go:>8.1} ms, then one pass back: {back:>5.1} ms");
        worst_back = worst_back.max(back);
        worst_go = worst_go.max(go);
    }
    let peak = report_memory("after the jumps");
    eprintln!(
        "SUMMARY: {PASSES} passes: process peak {peak:.0} MB, of which the session {:.0} MB (goal < 512); worst step back {worst_back:.1} ms (goal < 50); worst go to {worst_go:.0} ms",
        peak - before
    );
}

#[test]
#[ignore = "benchmark: cargo test --release --test debugger_bench -- --ignored --nocapture"]
fn keystroke_redraw_latency_at_100000_passes() {
    let session = DebugSession::new(model(), long_loop(), FileContents::default()).unwrap();
    let mut app = App::new(session);
    app.session.go_to(100_000).unwrap();
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
            app.key(key);
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
