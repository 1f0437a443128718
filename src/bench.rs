//! `wasmtf bench`: how fast the engine runs and how its cost grows — with the
//! length of the trace, with the size of the program — how much key/value
//! memory a pass adds, and how long `run` takes to start. Every figure is a
//! measurement of `wasmtf run`'s own path (the fast engine, one forward pass
//! per instruction), taken in one process so that the figures compare.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use crate::engine::{Mode, Model};
use crate::files::FileContents;
use crate::interpreter::TransformerRun;
use crate::program::Program;
use crate::weights::Weights;

/// Trace lengths at which the time per pass is reported.
pub const LENGTHS: [u64; 4] = [1_000, 10_000, 100_000, 1_000_000];
/// Loop bodies, in instructions, whose time per pass is compared.
pub const PROGRAM_SIZES: [usize; 4] = [40, 400, 4_000, 40_000];
/// Passes run for each program size (fewer when the whole bench is asked
/// for fewer).
const PASSES_PER_SIZE: u64 = 20_000;
/// `run`s timed for the start-up figure.
const STARTS: usize = 9;

/// The built-in workload: a loop of memory, `mul` and locals (20
/// instructions an iteration), `iterations` times.
pub fn workload(iterations: u32) -> String {
    format!(
        r#"(module
  (import "env" "output" (func $output (param i32)))
  (memory 1)
  (func (export "main") (local $i i32) (local $s i32)
    (block $done
      (loop $next
        (br_if $done (i32.eq (local.get $i) (i32.const {iterations})))
        (local.set $s (i32.add (local.get $s) (i32.mul (local.get $i) (i32.const 3))))
        (i32.store (i32.and (local.get $i) (i32.const 252)) (local.get $s))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (call $output (local.get $s))))"#
    )
}

/// The instructions of [`sized_program`] besides its terms: the counter's
/// increment (4), the test and branch (4) and the function's end (1).
const LOOP_OVERHEAD: usize = 9;

/// A loop whose body is `size` instructions (a running sum in a local,
/// four instructions a term, and the loop's own counting).
pub fn sized_program(size: usize) -> String {
    let work = size.saturating_sub(LOOP_OVERHEAD);
    let mut body = "(local.set $s (i32.add (local.get $s) (i32.const 3)))\n".repeat(work / 4);
    body.push_str(&"nop\n".repeat(work % 4));
    format!(
        r#"(module
  (func (export "main") (local $i i32) (local $s i32)
    (loop $next
      {body}
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_s (local.get $i) (i32.const 1000000))))))"#
    )
}

/// Elapsed time when each of [`LENGTHS`] was reached.
struct Timeline {
    marks: Vec<(u64, Duration)>,
}

/// The measurements of one workload run.
struct Measured {
    passes: u64,
    instructions: u64,
    elapsed: Duration,
    timeline: Timeline,
    kv_bytes: usize,
}

fn progress_bar(label: &str) -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    let style =
        ProgressStyle::with_template("{spinner} {prefix}: {msg}").expect("a valid template");
    bar.set_style(style);
    bar.set_prefix(label.to_string());
    bar
}

/// Runs `program` for at most `max_passes` passes, timing the marks.
fn measure(
    weights: &Arc<Weights>,
    program: Arc<Program>,
    files: FileContents,
    max_passes: u64,
    label: &str,
) -> Result<Measured, String> {
    let model = Arc::new(Model::new(Arc::clone(weights)));
    let mut run = TransformerRun::new(model, program, files, Mode::Fast)?;
    let bar = progress_bar(label);
    let started = Instant::now();
    let mut marks = Vec::new();
    let mut next_mark = LENGTHS.iter().copied().peekable();
    while !run.finished() && run.steps() < max_passes {
        run.step(None)?;
        let passes = run.steps();
        if next_mark.peek() == Some(&passes) {
            marks.push((passes, started.elapsed()));
            next_mark.next();
        }
        if passes.is_multiple_of(8192) {
            let rate = passes as f64 / started.elapsed().as_secs_f64();
            bar.set_message(format!("pass {passes} · {rate:.0} passes/s"));
        }
    }
    let elapsed = started.elapsed();
    bar.finish_and_clear();
    Ok(Measured {
        passes: run.steps(),
        instructions: run.report().steps,
        elapsed,
        timeline: Timeline { marks },
        kv_bytes: run.kv_bytes(),
    })
}

fn micros_per_pass(time: Duration, passes: u64) -> f64 {
    time.as_secs_f64() * 1e6 / passes.max(1) as f64
}

/// The start-up of `run` on a one-instruction program, `engine` given, as
/// the median of [`STARTS`] runs of this executable.
fn start_up(engine: &str) -> Result<Duration, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find wasmtf itself: {e}"))?;
    let path = std::env::temp_dir().join(format!("wasmtf-bench-{}.wat", std::process::id()));
    std::fs::write(&path, r#"(module (func (export "main") nop))"#)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let mut times = Vec::new();
    for _ in 0..STARTS {
        let started = Instant::now();
        let status = std::process::Command::new(&exe)
            .args(["run", "--engine", engine])
            .arg(&path)
            .status();
        times.push(started.elapsed());
        if !status.as_ref().is_ok_and(|s| s.success()) {
            let _ = std::fs::remove_file(&path);
            return Err(format!("`wasmtf run --engine {engine}` failed: {status:?}"));
        }
    }
    let _ = std::fs::remove_file(&path);
    times.sort();
    Ok(times[STARTS / 2])
}

/// The whole report. `program` is the user's, or `None` for the built-in
/// workload of about `max_passes` passes.
pub fn bench(
    weights: Weights,
    program: Option<(Arc<Program>, FileContents)>,
    max_passes: u64,
    max_size: usize,
) -> Result<String, String> {
    let weights = Arc::new(weights);
    let mut out = String::new();
    let (program, files, what) = match program {
        Some((program, files)) => {
            let what = program.name.clone();
            (program, files, what)
        }
        None => {
            let iterations = (max_passes / 20 + 1).min(i32::MAX as u64) as u32;
            let source = workload(iterations);
            let program = Program::from_wat("workload.wat", &source).map_err(|e| e.to_string())?;
            let what = "the built-in workload (memory, mul and locals in a loop)".to_string();
            (Arc::new(program), FileContents::default(), what)
        }
    };
    let m = measure(&weights, program, files, max_passes, "workload")?;
    let seconds = m.elapsed.as_secs_f64();
    let _ = writeln!(out, "wasmtf bench — {what}");
    let _ = writeln!(
        out,
        "  {} passes, {} instructions in {seconds:.2} s: {:.0} passes/s, {:.0} instructions/s",
        m.passes,
        m.instructions,
        m.passes as f64 / seconds,
        m.instructions as f64 / seconds
    );
    let _ = writeln!(
        out,
        "\n  trace length   µs per pass (over the last 90% of it)"
    );
    let mut previous = (0, Duration::ZERO);
    for &(passes, time) in &m.timeline.marks {
        let from = passes / 10;
        // The time at a tenth of the length, by linear interpolation from the
        // previous mark (the first mark starts at zero).
        let at_from = previous.1.as_secs_f64()
            + (time - previous.1).as_secs_f64() * (from - previous.0) as f64
                / (passes - previous.0) as f64;
        let window = Duration::from_secs_f64(time.as_secs_f64() - at_from);
        let _ = writeln!(
            out,
            "  {passes:>12}   {:.2}",
            micros_per_pass(window, passes - from)
        );
        previous = (passes, time);
    }
    if m.timeline.marks.len() < LENGTHS.len() {
        let next = LENGTHS[m.timeline.marks.len()];
        let _ = writeln!(
            out,
            "  (the run stopped after {} passes, before {next})",
            m.passes
        );
    }
    let _ = writeln!(
        out,
        "\n  KV memory      {} bytes after {} passes: {:.2} bytes per pass",
        m.kv_bytes,
        m.passes,
        m.kv_bytes as f64 / m.passes.max(1) as f64
    );
    let per_size = PASSES_PER_SIZE.min(max_passes);
    let _ = writeln!(out, "\n  program size   µs per pass ({per_size} passes)");
    for size in PROGRAM_SIZES.into_iter().filter(|&size| size <= max_size) {
        let source = sized_program(size);
        let program = Program::from_wat("sized.wat", &source).map_err(|e| e.to_string())?;
        let instructions = program.instructions.len();
        let label = format!("{instructions} instructions");
        let m = measure(
            &weights,
            Arc::new(program),
            FileContents::default(),
            per_size,
            &label,
        )?;
        let _ = writeln!(
            out,
            "  {instructions:>12}   {:.2}",
            micros_per_pass(m.elapsed, m.passes)
        );
    }
    let transformer = start_up("transformer")?;
    let vm = start_up("vm")?;
    let _ = writeln!(
        out,
        "\n  start-up       `run` of a one-instruction program: {:.1} ms (--engine vm: {:.1} ms)",
        transformer.as_secs_f64() * 1e3,
        vm.as_secs_f64() * 1e3
    );
    Ok(out)
}

/// The bench of a program file, or of the built-in workload.
pub fn bench_command(
    program: Option<&Path>,
    files: FileContents,
    weights: Weights,
    max_passes: u64,
    max_size: usize,
) -> Result<String, String> {
    let program = match program {
        Some(path) => Some((Arc::new(crate::cli::load_program_file(path)?), files)),
        None => None,
    };
    bench(weights, program, max_passes, max_size)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_sized_program_has_exactly_its_size() {
        for size in PROGRAM_SIZES {
            let program = Program::from_wat("sized.wat", &sized_program(size)).unwrap();
            assert_eq!(program.instructions.len(), size);
        }
    }

    #[test]
    fn the_workload_runs_20_instructions_an_iteration() {
        // By hand from the source: the exit test (get, const, eq, br_if: 4),
        // the sum (get, get, const, mul, add, set: 6), the store (get,
        // const, and, get, store: 5), the increment (4) and `br` (1).
        let program = |n| Arc::new(Program::from_wat("w.wat", &workload(n)).unwrap());
        let steps = |n| {
            let mut vm = crate::vm::Vm::new(program(n), FileContents::default());
            vm.run(u64::MAX);
            vm.steps()
        };
        assert_eq!(steps(101) - steps(100), 20);
        // s = 3·Σ i for i < 100 = 3·4950, by hand.
        let mut vm = crate::vm::Vm::new(program(100), FileContents::default());
        vm.run(u64::MAX);
        assert_eq!(vm.report().outputs, vec![14_850]);
    }
}
