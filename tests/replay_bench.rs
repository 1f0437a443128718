//! How fast `replay --verify` checks a trace against the passes/s of `run` on
//! the same program, measured in one process, one after the other. A
//! benchmark, not a timed test:
//! `cargo test --release --test replay_bench -- --ignored --nocapture`.
//!
//! Goal (issue 8): the batched prefill at least 5× `run`'s passes/s.

mod support;

use std::sync::Arc;
use std::time::Instant;

use support::traces::{read, record_bytes, recording};
use support::transformer::model;
use wasmtf::engine::Mode;
use wasmtf::engine::prefill::PrefillPlan;
use wasmtf::files::FileContents;
use wasmtf::interpreter::TransformerRun;
use wasmtf::program::Program;
use wasmtf::trace::record::Engine;
use wasmtf::trace::verify::{verify_batched, verify_one_at_a_time};

#[test]
#[ignore = "benchmark: cargo test --release --test replay_bench -- --ignored --nocapture"]
fn replay_verify_against_run() {
    // 256 addresses: 115,005 passes.
    let source = support::long_loop(5000, 1020);
    let mut rec = recording("long.wat", &source, FileContents::default(), Engine::Vm);
    rec.max_steps = u64::MAX;
    let trace = read(&record_bytes(&rec));
    let passes = trace.passes.len() as f64;
    eprintln!("trace: {passes} passes (recorded on the VM)");

    let program = Arc::new(Program::from_wat("long.wat", &source).unwrap());
    let time_run = || {
        let start = Instant::now();
        let mut run = TransformerRun::new(
            model(),
            Arc::clone(&program),
            FileContents::default(),
            Mode::Fast,
        )
        .unwrap();
        run.run(u64::MAX).unwrap();
        assert_eq!(
            run.steps() as f64,
            passes,
            "run executes the trace's passes"
        );
        passes / start.elapsed().as_secs_f64()
    };
    let time_prefill = |threads: usize| {
        let plan = PrefillPlan {
            threads,
            ..PrefillPlan::default()
        };
        let start = Instant::now();
        let verification = verify_batched(&trace, model(), plan).unwrap();
        assert!(verification.disagreements.is_empty());
        passes / start.elapsed().as_secs_f64()
    };

    let start = Instant::now();
    let sequential = verify_one_at_a_time(&trace, model()).unwrap();
    assert!(sequential.disagreements.is_empty());
    eprintln!(
        "verify, one pass at a time: {:>9.0} passes/s",
        passes / start.elapsed().as_secs_f64()
    );
    eprintln!(
        "verify, prefill, 1 thread:  {:>9.0} passes/s",
        time_prefill(1)
    );

    // This machine's speed drifts over a minute, so run and prefill
    // alternate, and each round gives its own ratio.
    let threads = PrefillPlan::default().threads;
    let mut ratios = Vec::new();
    for round in 1..=3 {
        let run_rate = time_run();
        let prefill_rate = time_prefill(threads);
        eprintln!(
            "round {round}: run {run_rate:>7.0} passes/s, replay --verify (prefill, {threads} threads) {prefill_rate:>7.0} passes/s: {:.1}x",
            prefill_rate / run_rate
        );
        ratios.push(prefill_rate / run_rate);
    }
    ratios.sort_by(f64::total_cmp);
    eprintln!(
        "SUMMARY: replay --verify / run, passes/s: median {:.1}x, range {:.1}x to {:.1}x (goal >= 5x)",
        ratios[1], ratios[0], ratios[2]
    );
}
