//! Guards the random-program generator that the differential tests rely on:
//! every generated program must parse, validate and halt on wasmi within the
//! step budget, and the generated population must actually exercise outputs,
//! traps, loops, memory and files rather than degenerate into trivia.

mod support;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

use support::oracle::{Outcome, run_wasmi};
use support::random_program::{MAX_STEPS, RandomProgram, random_program};

/// wasmi's fuel is about one unit per executed instruction, and a generated
/// program executes at most `MAX_STEPS` instructions; allow a wide margin for
/// the difference between the two counts.
const FUEL: u64 = 4 * MAX_STEPS;

fn run(program: &RandomProgram) -> Outcome {
    let wasm = wat::parse_str(&program.wat)
        .unwrap_or_else(|e| panic!("generated WAT does not parse: {e}\n{program:?}"));
    wasmparser::validate(&wasm)
        .unwrap_or_else(|e| panic!("generated module does not validate: {e}\n{program:?}"));
    run_wasmi(&wasm, &program.files, FUEL)
}

/// `PROPTEST_CASES` if set, else `default`.
fn cases_from_env(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

proptest! {
    // 64 cases unless PROPTEST_CASES says otherwise. Failures print the whole
    // program; no regression files are written.
    #![proptest_config(ProptestConfig {
        cases: cases_from_env(64),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn generated_programs_validate_and_halt(program in random_program()) {
        let outcome = run(&program);
        prop_assert!(
            !outcome.out_of_fuel,
            "ran out of {} fuel:\n{:?}",
            FUEL,
            program
        );
    }
}

#[test]
fn generated_programs_are_varied() {
    const PROGRAMS: usize = 300;
    let config = Config::default();
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let strategy = random_program();

    let (mut outputs, mut traps, mut loops, mut memory, mut writes, mut finished) =
        (0, 0, 0, 0, 0, 0);
    let mut trap_kinds = std::collections::BTreeMap::<String, usize>::new();
    for _ in 0..PROGRAMS {
        let program = strategy
            .new_tree(&mut runner)
            .expect("the strategy never rejects")
            .current();
        let outcome = run(&program);
        assert!(!outcome.out_of_fuel, "ran out of {FUEL} fuel:\n{program:?}");
        if !outcome.outputs.is_empty() {
            outputs += 1;
        }
        match &outcome.trap {
            Some(kind) => {
                traps += 1;
                *trap_kinds.entry(kind.clone()).or_default() += 1;
            }
            None => finished += 1,
        }
        if program.wat.contains("loop") {
            loops += 1;
        }
        if program.wat.contains("i32.store") || program.wat.contains("i32.load") {
            memory += 1;
        }
        if outcome.files != program.files {
            writes += 1;
        }
    }
    let summary = format!(
        "of {PROGRAMS}: {outputs} output, {traps} trap {trap_kinds:?}, {finished} return, \
         {loops} loop, {memory} use memory, {writes} change files"
    );
    println!("{summary}");
    let share = |n: usize, percent: usize| n * 100 >= PROGRAMS * percent;
    assert!(share(outputs, 50), "too few programs output: {summary}");
    assert!(share(traps, 5), "too few programs trap: {summary}");
    assert!(share(finished, 40), "too many programs trap: {summary}");
    assert!(share(loops, 30), "too few programs loop: {summary}");
    assert!(share(memory, 50), "too few programs use memory: {summary}");
    assert!(share(writes, 15), "too few programs write files: {summary}");
    for kind in ["unreachable", "memory out of bounds", "file not open"] {
        assert!(
            trap_kinds.contains_key(kind),
            "no program traps with {kind:?}: {summary}"
        );
    }
}
