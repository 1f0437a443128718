//! Checks the compliance corpus against wasmi: the hand-written expectations in
//! every `programs/*/*.expect.json` must be what a real WebAssembly engine
//! produces, so our VM and the transformer are later measured against a trusted
//! record. Also checks that the corpus is as large and as complete as promised.

mod support;

use std::collections::BTreeSet;

use support::corpus::{CorpusProgram, encode_hex, load_corpus};
use support::oracle::{Outcome, run_wasmi};

/// Far above the 50,000 executed instructions any corpus case may take.
const GENEROUS_FUEL: u64 = 10_000_000;

const CATEGORIES: [&str; 13] = [
    "01-core-arith-logic",
    "02-comparisons",
    "03-memory-variables",
    "04-filesystem",
    "05-filesystem-integration",
    "06-limits-bounds",
    "07-basic-loops",
    "08-loop-arith",
    "09-loop-locals-memory",
    "10-loop-filesystem",
    "11-loop-edge-cases",
    "12-combined-output",
    "13-traps",
];

fn compile(program: &CorpusProgram) -> Vec<u8> {
    wat::parse_str(&program.source)
        .unwrap_or_else(|e| panic!("{}: not valid WAT: {e}", program.path.display()))
}

fn hex_files(files: &std::collections::BTreeMap<u8, Vec<u8>>) -> String {
    let parts: Vec<String> = files
        .iter()
        .map(|(n, bytes)| format!("{n}={}", encode_hex(bytes)))
        .collect();
    format!("{{{}}}", parts.join(", "))
}

/// Every program and case, run on wasmi.
fn run_all() -> Vec<(CorpusProgram, Vec<Outcome>)> {
    load_corpus()
        .into_iter()
        .map(|program| {
            let wasm = compile(&program);
            let outcomes = program
                .cases
                .iter()
                .map(|case| run_wasmi(&wasm, &case.files, GENEROUS_FUEL))
                .collect();
            (program, outcomes)
        })
        .collect()
}

#[test]
fn corpus_expectations_match_wasmi() {
    let mut mismatches = Vec::new();
    let mut cases = 0;
    for (program, outcomes) in run_all() {
        for (case, got) in program.cases.iter().zip(&outcomes) {
            cases += 1;
            let mut problems = Vec::new();
            if got.out_of_fuel {
                problems.push(format!("ran out of {GENEROUS_FUEL} fuel"));
            }
            if got.outputs != case.outputs {
                problems.push(format!(
                    "outputs: expected {:?}, wasmi {:?}",
                    case.outputs, got.outputs
                ));
            }
            if got.trap != case.trap {
                problems.push(format!(
                    "trap: expected {:?}, wasmi {:?}",
                    case.trap, got.trap
                ));
            }
            let got_files = got.non_empty_files();
            if got_files != case.final_files {
                problems.push(format!(
                    "final_files: expected {}, wasmi {}",
                    hex_files(&case.final_files),
                    hex_files(&got_files)
                ));
            }
            if !problems.is_empty() {
                mismatches.push(format!(
                    "{} case {:?}:\n    {}",
                    program.path.display(),
                    case.name,
                    problems.join("\n    ")
                ));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {cases} corpus cases disagree with wasmi:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

#[test]
fn corpus_is_large_and_covers_every_category() {
    let corpus = load_corpus();
    let cases: usize = corpus.iter().map(|p| p.cases.len()).sum();
    let present: BTreeSet<&str> = corpus.iter().map(|p| p.category.as_str()).collect();
    let missing: Vec<&str> = CATEGORIES
        .iter()
        .copied()
        .filter(|c| !present.contains(c))
        .collect();
    let unknown: Vec<&str> = present
        .iter()
        .copied()
        .filter(|c| !CATEGORIES.contains(c))
        .collect();
    assert!(
        missing.is_empty(),
        "categories without programs: {missing:?}"
    );
    assert!(
        unknown.is_empty(),
        "folders that are not CORPUS.md categories: {unknown:?}"
    );
    assert!(
        corpus.len() >= 40,
        "the corpus has {} programs, at least 40 expected",
        corpus.len()
    );
    assert!(
        cases >= 115,
        "the corpus has {cases} cases, at least 115 expected"
    );
}

#[test]
fn no_corpus_case_runs_out_of_fuel() {
    let starved: Vec<String> = run_all()
        .iter()
        .flat_map(|(program, outcomes)| {
            program
                .cases
                .iter()
                .zip(outcomes)
                .filter(|(_, got)| got.out_of_fuel)
                .map(|(case, _)| format!("{} case {:?}", program.path.display(), case.name))
        })
        .collect();
    assert!(
        starved.is_empty(),
        "cases that ran out of {GENEROUS_FUEL} fuel on wasmi:\n{}",
        starved.join("\n")
    );
}

/// The oracle itself follows `docs/CORPUS.md`, independently of the corpus.
#[test]
fn oracle_follows_the_documented_host_semantics() {
    let run = |body: &str, files: [&[u8]; 4]| {
        let wat = format!(
            r#"(module
                 (import "env" "output" (func $output (param i32)))
                 (import "env" "fd_open" (func $fd_open (param i32) (result i32)))
                 (import "env" "fd_read" (func $fd_read (param i32) (result i32)))
                 (import "env" "fd_write" (func $fd_write (param i32 i32)))
                 (import "env" "fd_close" (func $fd_close (param i32)))
                 (memory 1)
                 (func (export "main") (local $i i32) {body}))"#
        );
        let wasm = wat::parse_str(&wat).expect("test WAT parses");
        run_wasmi(&wasm, &files.map(<[u8]>::to_vec), 1_000_000)
    };
    let none: [&[u8]; 4] = [b"", b"", b"", b""];

    // fd_open returns f for 0..3 and -1 otherwise; reads return bytes then -1
    // and the cursor stays at the end; reopening resets the cursor.
    let got = run(
        "(call $output (call $fd_open (i32.const 2)))
         (call $output (call $fd_open (i32.const 4)))
         (call $output (call $fd_open (i32.const -1)))
         (call $output (call $fd_read (i32.const 2)))
         (call $output (call $fd_read (i32.const 2)))
         (call $output (call $fd_read (i32.const 2)))
         (call $output (call $fd_read (i32.const 2)))
         (drop (call $fd_open (i32.const 2)))
         (call $output (call $fd_read (i32.const 2)))",
        [b"", b"", &[7, 255], b""],
    );
    assert_eq!(got.outputs, [2, -1, -1, 7, 255, -1, -1, 7]);
    assert_eq!(got.trap, None);

    // Writes keep the low byte, overwrite then append; closing keeps contents.
    let got = run(
        "(drop (call $fd_open (i32.const 1)))
         (drop (call $fd_read (i32.const 1)))
         (call $fd_write (i32.const 1) (i32.const 0x1ff))
         (call $fd_write (i32.const 1) (i32.const -2))
         (call $fd_write (i32.const 1) (i32.const 65))
         (call $fd_close (i32.const 1))",
        [b"", b"abc", b"", b""],
    );
    assert_eq!(got.trap, None);
    assert_eq!(got.files[1], [b'a', 0xff, 0xfe, 65]);

    // Ops on closed, never-opened or invalid files trap; outputs are kept.
    for op in [
        "(drop (call $fd_read (i32.const 0)))",
        "(call $fd_write (i32.const 3) (i32.const 1))",
        "(call $fd_close (i32.const 5))",
        "(drop (call $fd_open (i32.const 0))) (call $fd_close (i32.const 0)) \
         (drop (call $fd_read (i32.const 0)))",
    ] {
        let got = run(&format!("(call $output (i32.const 9)) {op}"), none);
        assert_eq!(got.trap.as_deref(), Some("file not open"), "{op}");
        assert_eq!(got.outputs, [9], "{op}");
    }

    // A file holds 4096 bytes: the 4097th write traps, the first 4096 stay.
    let got = run(
        "(drop (call $fd_open (i32.const 0)))
         (loop $l
           (call $fd_write (i32.const 0) (local.get $i))
           (local.set $i (i32.add (local.get $i) (i32.const 1)))
           (br $l))",
        none,
    );
    assert_eq!(got.trap.as_deref(), Some("file full"));
    assert_eq!(got.files[0].len(), 4096);
    assert!(!got.out_of_fuel);

    // Memory: address + offset + 4 may reach 65536, not exceed it; the base
    // is unsigned; `unreachable` traps.
    let got = run(
        "(i32.store (i32.const 65532) (i32.const 0x01020304))
         (call $output (i32.load offset=65530 (i32.const 2)))
         (call $output (i32.load (i32.const 65533)))",
        none,
    );
    assert_eq!(got.outputs, [0x01020304]);
    assert_eq!(got.trap.as_deref(), Some("memory out of bounds"));
    let got = run("(drop (i32.load offset=4 (i32.const -4)))", none);
    assert_eq!(got.trap.as_deref(), Some("memory out of bounds"));
    let got = run("(call $output (i32.const 1)) unreachable", none);
    assert_eq!(
        (got.outputs, got.trap.as_deref()),
        (vec![1], Some("unreachable"))
    );

    // Running out of fuel is reported as such, not as a trap.
    let got = run("(loop $l (br $l))", none);
    assert!(got.out_of_fuel);
    assert_eq!(got.trap, None);
}
