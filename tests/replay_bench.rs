//! How fast `replay --verify` checks a trace against the passes/s of `run` on
//! the same program, measured in one process, one after the other. A
//! benchmark, not a timed test:
//! `cargo test --release --test replay_bench -- --ignored --nocapture`.
//!
//! Goal (issue 8): the batched prefill at least 5× `run`'s passes/s.

mod support;

use std::sync::Arc;
use std::time::Instant;

use support::ENV_IMPORTS;
use support::traces::{read, record_bytes, recording};
use support::transformer::model;
use wasmtf::engine::Mode;
use wasmtf::engine::prefill::PrefillPlan;
use wasmtf::files::FileContents;
use wasmtf::interpreter::TransformerRun;
use wasmtf::program::Program;
use wasmtf::trace::record::Engine;
use wasmtf::trace::verify::{verify_batched, verify_one_at_a_time};

/// Memory, `mul`, locals and an output per iteration (19 instructions), over
/// 256 addresses: 230,005 passes.
fn long_loop() -> String {
    format!(
        "(module {ENV_IMPORTS} (memory 1) (func (export \"main\") (local $i i32) (local $s i32)
           (block $done (loop $l
             (br_if $done (i32.ge_s (local.get $i) (i32.const 10000)))
             (i32.store (i32.and (local.get $i) (i32.const 1020)) (local.get $s))
             (local.set $s (i32.add (local.get $s) (i32.mul (local.get $i) (i32.load (i32.const 4)))))
             (call $output (local.get $s))
             (local.set $i (i32.add (local.get $i) (i32.const 1)))
             (br $l)))))"
    )
}

#[test]
#[ignore = "benchmark: cargo test --release --test replay_bench -- --ignored --nocapture"]
fn replay_verify_against_run() {
    let source = long_loop();
    let mut rec = recording("long.wat", &source, FileContents::default(), Engine::Vm);
    rec.max_steps = u64::MAX;
    let trace = read(&record_bytes(&rec));
    let passes = trace.passes.len() as f64;
    eprintln!("trace: {passes} passes (recorded on the VM)");

    let program = Arc::new(Program::from_wat("long.wat", &source).unwrap());
    let start = Instant::now();
    let mut run =
        TransformerRun::new(model(), program, FileContents::default(), Mode::Fast).unwrap();
    run.run(u64::MAX).unwrap();
    let run_seconds = start.elapsed().as_secs_f64();
    assert_eq!(
        run.steps() as f64,
        passes,
        "run executes the trace's passes"
    );
    let run_rate = passes / run_seconds;
    eprintln!("run:                        {run_seconds:>6.2} s, {run_rate:>9.0} passes/s");

    let start = Instant::now();
    let sequential = verify_one_at_a_time(&trace, model()).unwrap();
    let sequential_seconds = start.elapsed().as_secs_f64();
    assert!(sequential.disagreements.is_empty());
    eprintln!(
        "verify, one pass at a time: {sequential_seconds:>6.2} s, {:>9.0} passes/s",
        passes / sequential_seconds
    );

    let mut batched_rates = Vec::new();
    for threads in [1, 2] {
        let plan = PrefillPlan {
            threads,
            ..PrefillPlan::default()
        };
        let start = Instant::now();
        let verification = verify_batched(&trace, model(), plan).unwrap();
        let seconds = start.elapsed().as_secs_f64();
        assert!(verification.disagreements.is_empty());
        eprintln!(
            "verify, prefill, {threads} thread(s):  {seconds:>6.2} s, {:>9.0} passes/s",
            passes / seconds
        );
        batched_rates.push(passes / seconds);
    }
    let best = batched_rates.iter().copied().fold(0.0, f64::max);
    eprintln!(
        "SUMMARY: run {run_rate:.0} passes/s; replay --verify (prefill, every core) {best:.0} passes/s: {:.1}x (goal >= 5x)",
        best / run_rate
    );
}
