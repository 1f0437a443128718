//! Traces: recorded on either engine, read back, verified against the model
//! by teacher forcing, compared, and refused with the line named when they
//! are damaged. Expected outputs come from the reference VM.

mod support;

use std::process::Output;
use std::sync::Arc;

use support::cli::{stderr, stdout, wasmtf};
use support::corpus::load_corpus;
use support::scratch::Scratch;
use support::traces::{read, record_bytes, recording};
use support::transformer::{compiled, files_of, model};
use wasmtf::engine::Model;
use wasmtf::files::FileContents;
use wasmtf::program::Program;
use wasmtf::trace::record::Engine;
use wasmtf::trace::verify::verify;
use wasmtf::vm::Vm;

#[test]
fn every_corpus_case_records_and_verifies_on_both_engines() {
    let mut failures = Vec::new();
    for entry in load_corpus() {
        for case in &entry.cases {
            let files = files_of(&case.files);
            let program = Arc::new(Program::from_wat("p", &entry.source).unwrap());
            let mut vm = Vm::new(Arc::clone(&program), files.clone());
            vm.run(50_000);
            let expected = vm.report();
            for engine in [Engine::Transformer, Engine::Vm] {
                let rec = recording("p.wat", &entry.source, files.clone(), engine);
                let trace = read(&record_bytes(&rec));
                let footer = trace.footer.clone().expect("a complete trace");
                let verification = verify(&trace, model()).unwrap();
                if trace.damage.is_some()
                    || footer.outputs != expected.outputs
                    || footer.steps != expected.steps
                    || !verification.disagreements.is_empty()
                {
                    failures.push(format!(
                        "{} [{}] {engine:?}: damage {:?}, outputs {:?} (vm {:?}), {} disagreements",
                        entry.id(),
                        case.name,
                        trace.damage,
                        footer.outputs,
                        expected.outputs,
                        verification.disagreements.len()
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

const COUNTER: &str = r#"(module
  (import "env" "output" (func $output (param i32)))
  (func (export "main") (local $i i32)
    (loop $l
      (call $output (i32.add (local.get $i) (i32.const 100)))
      (local.set $i (i32.sub (local.get $i) (i32.const -1)))
      (br_if $l (i32.lt_s (local.get $i) (i32.const 5))))))"#;

#[test]
fn ablated_weights_disagree_exactly_where_the_group_is_used() {
    let trace = read(&record_bytes(&recording(
        "counter.wat",
        COUNTER,
        FileContents::default(),
        Engine::Vm,
    )));
    // The VM's outputs, by hand: 100 to 104.
    assert_eq!(
        trace.footer.as_ref().unwrap().outputs,
        vec![100, 101, 102, 103, 104]
    );
    let mut weights = compiled().clone();
    weights.ablate_neurons("alu.add");
    let verification = verify(&trace, Arc::new(Model::new(Arc::new(weights)))).unwrap();
    let adds: Vec<u64> = trace
        .passes
        .iter()
        .enumerate()
        .filter(|(_, p)| trace.program.instructions[p.ip as usize].to_string() == "i32.add")
        .map(|(i, _)| i as u64 + 1)
        .collect();
    let flagged: Vec<u64> = verification.disagreements.iter().map(|d| d.pass).collect();
    assert_eq!(adds.len(), 5);
    assert_eq!(
        flagged, adds,
        "every add (100 + i) and nothing else disagrees"
    );
}

/// Records the counter with the CLI and returns the trace's lines.
fn recorded_lines(scratch: &Scratch) -> Vec<String> {
    let program = scratch.path("counter.wat");
    std::fs::write(&program, COUNTER).unwrap();
    let trace = scratch.path("counter.trace.jsonl");
    let out = wasmtf(&["record", &program, "-o", &trace]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let verified = wasmtf(&["replay", &trace, "--verify"]);
    assert_eq!(verified.status.code(), Some(0), "{}", stderr(&verified));
    assert!(
        stdout(&verified).starts_with("verified "),
        "{}",
        stdout(&verified)
    );
    std::fs::read_to_string(&trace)
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

fn verify_lines(scratch: &Scratch, name: &str, lines: &[String]) -> Output {
    let path = scratch.path(name);
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    wasmtf(&["replay", &path, "--verify"])
}

#[test]
fn damaged_traces_exit_1_naming_the_line() {
    let scratch = Scratch::new("trace", "damage");
    let lines = recorded_lines(&scratch);
    let cases: Vec<(&str, Vec<String>, &str)> = vec![
        (
            "cut short",
            {
                let mut l = lines.clone();
                let half = l[5].len() / 2;
                l[5].truncate(half);
                l.truncate(6);
                l
            },
            ":6: the line is cut short",
        ),
        (
            "garbage",
            {
                let mut l = lines.clone();
                l[4] = "%%% not json".into();
                l
            },
            ":5: not a trace line",
        ),
        (
            "wrong version",
            {
                let mut l = lines.clone();
                l[0] = l[0].replace("\"version\":1", "\"version\":99");
                l
            },
            ":1: trace format version 99",
        ),
        (
            "altered program",
            {
                let mut l = lines.clone();
                let at = l[0].find("\"sha256\":\"").unwrap() + 10;
                let flipped = if &l[0][at..at + 1] == "0" { "1" } else { "0" };
                l[0].replace_range(at..at + 1, flipped);
                l
            },
            ":1: the program's sha256 is",
        ),
        (
            "another architecture",
            {
                let mut l = lines.clone();
                let key = "\"architecture\":{\"sha256\":\"";
                let at = l[0].find(key).unwrap() + key.len();
                let flipped = if &l[0][at..at + 1] == "0" { "1" } else { "0" };
                l[0].replace_range(at..at + 1, flipped);
                l
            },
            ":line 1: the trace was written for weights of another architecture",
        ),
        (
            "out of order",
            {
                let mut l = lines.clone();
                l.swap(3, 4);
                l
            },
            ":4: pass 4 where pass 3 was due",
        ),
    ];
    for (what, lines, expected) in cases {
        let out = verify_lines(
            &scratch,
            &format!("{}.jsonl", what.replace(' ', "_")),
            &lines,
        );
        assert_eq!(out.status.code(), Some(1), "{what}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(expected),
            "{what}: expected {expected:?} in {}",
            stderr(&out)
        );
    }
}

#[test]
fn an_interrupted_recording_is_a_prefix_that_verifies_with_a_note() {
    let scratch = Scratch::new("trace", "prefix");
    let lines = recorded_lines(&scratch);
    let prefix = &lines[..lines.len() / 2];
    let out = verify_lines(&scratch, "prefix.jsonl", prefix);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        format!("verified {} passes\n", prefix.len() - 1)
    );
    assert!(
        stderr(&out).contains("the trace ends early"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn diff_finds_where_two_traces_part() {
    let scratch = Scratch::new("trace", "diff");
    let program = scratch.path("counter.wat");
    std::fs::write(&program, COUNTER).unwrap();
    let (t, v) = (scratch.path("t.jsonl"), scratch.path("v.jsonl"));
    assert_eq!(
        wasmtf(&["record", &program, "-o", &t]).status.code(),
        Some(0)
    );
    assert_eq!(
        wasmtf(&["record", &program, "--engine", "vm", "-o", &v])
            .status
            .code(),
        Some(0)
    );
    let same = wasmtf(&["diff", &t, &v]);
    assert_eq!(same.status.code(), Some(0), "{}", stdout(&same));
    assert!(stdout(&same).contains("the traces agree"));
    // A loop to 6 instead of 5 parts at the comparison in the fifth iteration.
    let longer = scratch.path("longer.wat");
    std::fs::write(&longer, COUNTER.replace("(i32.const 5)", "(i32.const 6)")).unwrap();
    let l = scratch.path("l.jsonl");
    assert_eq!(
        wasmtf(&["record", &longer, "--engine", "vm", "-o", &l])
            .status
            .code(),
        Some(0)
    );
    let parted = wasmtf(&["diff", &t, &l]);
    assert_eq!(parted.status.code(), Some(4), "{}", stdout(&parted));
    let text = stdout(&parted);
    assert!(text.contains("different programs"), "{text}");
    assert!(text.contains("first difference at pass"), "{text}");
}

#[test]
fn record_writes_to_stdout_and_keeps_runs_exit_status() {
    let scratch = Scratch::new("trace", "stdout");
    let program = scratch.path("trap.wat");
    std::fs::write(&program, r#"(module (func (export "main") (unreachable)))"#).unwrap();
    let out = wasmtf(&["record", &program, "-o", "-"]);
    assert_eq!(out.status.code(), Some(2), "a trap exits 2, as run");
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "header, one pass, footer:\n{text}");
    assert!(lines[2].contains("\"ending\":\"trapped\""), "{text}");
}

#[test]
fn the_debugger_saves_the_trace_so_far() {
    use wasmtf::debugger::app::{Prompt, TraceSource};
    use wasmtf::debugger::demo::{DEMO_NAME, DEMO_SOURCE};
    use wasmtf::debugger::keymap::Key;

    let scratch = Scratch::new("trace", "save");
    let mut app =
        wasmtf::debugger::new_app(None, FileContents::default(), compiled().clone()).unwrap();
    app.trace_source = Some(TraceSource {
        name: DEMO_NAME.into(),
        wasm: Program::wasm_binary(DEMO_NAME, DEMO_SOURCE.as_bytes()).unwrap(),
        files: app.session.vm().files().clone(),
        weights: None,
    });
    let save = |app: &mut wasmtf::debugger::app::App, path: &str| {
        app.key(Key::Char('W'));
        assert!(matches!(app.prompt, Some(Prompt::SaveTrace(_))));
        app.prompt = Some(Prompt::SaveTrace(path.into()));
        app.key(Key::Enter);
    };
    for c in "40g".chars() {
        app.key(Key::Char(c));
    }
    app.finish_running();
    let prefix = scratch.path("prefix.jsonl");
    save(&mut app, &prefix);
    assert!(
        app.message.contains("40 passes (a prefix"),
        "{}",
        app.message
    );
    let trace = read(&std::fs::read(&prefix).unwrap());
    assert_eq!(trace.passes.len(), 40);
    assert!(trace.footer.is_none() && trace.damage.is_none());
    assert!(verify(&trace, model()).unwrap().disagreements.is_empty());

    app.key(Key::End);
    app.finish_running();
    let whole = scratch.path("whole.jsonl");
    save(&mut app, &whole);
    let trace = read(&std::fs::read(&whole).unwrap());
    let mut vm = Vm::new(Arc::clone(&trace.program), trace.files.clone());
    vm.run(1_000_000);
    assert_eq!(trace.footer.unwrap().outputs, vm.report().outputs);
    assert_eq!(trace.passes.len() as u64, vm.steps());
}

fn replay_app(weights: wasmtf::weights::Weights) -> wasmtf::debugger::app::App {
    let trace = read(&record_bytes(&recording(
        "counter.wat",
        COUNTER,
        FileContents::default(),
        Engine::Transformer,
    )));
    let model = Arc::new(Model::new(Arc::new(weights)));
    wasmtf::debugger::app::App::new(
        wasmtf::debugger::session::DebugSession::replaying(model, &trace).unwrap(),
    )
}

fn keys(app: &mut wasmtf::debugger::app::App, text: &str) {
    for c in text.chars() {
        app.key(wasmtf::debugger::keymap::Key::Char(c));
        app.finish_running();
    }
}

#[test]
fn replay_in_the_debugger_marks_every_disagreeing_pass() {
    // The built-in weights agree with their own recording: ] finds nothing
    // and stops at the end of the recording.
    let mut app = replay_app(compiled().clone());
    keys(&mut app, "]");
    assert!(
        app.session.finished(),
        "{} at pass {}",
        app.message,
        app.session.pass()
    );
    assert!(app.session.records().iter().all(|r| !r.diverged()));
    let end = app.session.pass();

    // Without the adder, each i32.add disagrees, and only those: ] and [
    // walk them, and G reaches the last recorded pass, as in the recording.
    let mut weights = compiled().clone();
    weights.ablate_neurons("alu.add");
    let mut app = replay_app(weights);
    let is_add = |app: &wasmtf::debugger::app::App| {
        let ip = app.session.executed().unwrap();
        app.session.program().instructions[ip].to_string() == "i32.add"
    };
    keys(&mut app, "]");
    assert!(is_add(&app), "{}", app.message);
    assert!(
        app.message.starts_with("DISAGREES at pass"),
        "{}",
        app.message
    );
    let first = app.session.pass();
    keys(&mut app, "]");
    assert!(is_add(&app) && app.session.pass() > first);
    keys(&mut app, "[");
    assert_eq!(app.session.pass(), first);
    let screen = support::debugger::screen(&app, 160, 48);
    assert!(
        screen.contains("DISAGREES with the recording: v0 recorded"),
        "{screen}"
    );
    keys(&mut app, "G");
    assert_eq!(app.session.pass(), end, "the recording has the same passes");
    let disagreeing = app
        .session
        .records()
        .iter()
        .filter(|r| r.diverged())
        .count();
    assert_eq!(disagreeing, 5, "the five adds");
}

#[test]
fn replay_screens_with_a_disagreement() {
    let mut weights = compiled().clone();
    weights.ablate_neurons("alu.add");
    let mut app = replay_app(weights);
    keys(&mut app, "]");
    insta::assert_snapshot!("replay_160x48", support::debugger::screen(&app, 160, 48));
    insta::assert_snapshot!("replay_80x24", support::debugger::screen(&app, 80, 24));
}

#[test]
fn a_gz_trace_is_the_same_trace_compressed() {
    use std::io::Read;
    let scratch = Scratch::new("trace", "gz");
    let program = scratch.path("counter.wat");
    std::fs::write(&program, COUNTER).unwrap();
    let (plain, gz) = (scratch.path("c.jsonl"), scratch.path("c.jsonl.gz"));
    assert_eq!(
        wasmtf(&["record", &program, "-o", &plain]).status.code(),
        Some(0)
    );
    assert_eq!(
        wasmtf(&["record", &program, "-o", &gz]).status.code(),
        Some(0)
    );
    let mut unpacked = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&gz).unwrap())
        .read_to_end(&mut unpacked)
        .unwrap();
    assert_eq!(unpacked, std::fs::read(&plain).unwrap());
    let verified = wasmtf(&["replay", &gz, "--verify"]);
    assert_eq!(verified.status.code(), Some(0), "{}", stderr(&verified));
}
