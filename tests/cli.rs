//! `wasmtf run` as a user or a script sees it: the real binary, its stdout, its
//! stderr and its exit status (SPEC §3).

mod support;

use std::process::Output;

use support::cli::{stderr, stdout, wasmtf};
use support::scratch::Scratch;

use ndarray::{Array1, s};
use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use serde_json::Value;
use wasmtf::compiled::{DEFAULT_WEIGHTS, architecture, load_default};
use wasmtf::weights::io::to_safetensors;
use wasmtf::weights::{InputKind, Matrix, OutputKind, Weights};

const ECHO: &str = r#"(module
  (import "env" "output" (func $output (param i32)))
  (import "env" "fd_open" (func $fd_open (param i32) (result i32)))
  (import "env" "fd_read" (func $fd_read (param i32) (result i32)))
  (import "env" "fd_write" (func $fd_write (param i32 i32)))
  (func (export "main") (local $c i32)
    (drop (call $fd_open (i32.const 0)))
    (drop (call $fd_open (i32.const 2)))
    (block $eof (loop $next
      (local.set $c (call $fd_read (i32.const 0)))
      (br_if $eof (i32.eq (local.get $c) (i32.const -1)))
      (call $output (local.get $c))
      (call $fd_write (i32.const 2) (i32.add (local.get $c) (i32.const 1)))
      (br $next)))
    (call $output (i32.const -7))))"#;

#[test]
fn json_reports_outputs_files_steps_and_tokens() {
    let scratch = Scratch::new("cli", "json");
    let program = scratch.file("echo.wat", ECHO);
    let input = scratch.file("in.txt", "AB");
    let output = wasmtf(&[
        "run",
        &program,
        "--engine",
        "vm",
        "--file",
        &format!("0={input}"),
        "--json",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // Steps by hand: 2 opens of 3 each; 2 bytes of 15-instruction iterations
    // (read 3, test 4, output 2, write 5, back edge 1); the end-of-file read and
    // test 7; the final output 2; return 1: 6 + 30 + 7 + 2 + 1.
    assert_eq!(
        stdout(&output),
        "{\"outputs\":[65,66,-7],\"trap\":null,\"files\":{\"0\":\"4142\",\"2\":\"4243\"},\"steps\":46,\"tokens\":0}\n"
    );
    assert_eq!(stderr(&output), "");
}

#[test]
fn plain_output_is_one_signed_decimal_per_line() {
    let scratch = Scratch::new("cli", "plain");
    let program = scratch.file("echo.wat", ECHO);
    let input = scratch.file("in.bin", [0xffu8]);
    let output = wasmtf(&[
        "run",
        "--engine=vm",
        &program,
        "--file",
        &format!("0={input}"),
    ]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output), "255\n-7\n");
}

#[test]
fn binary_modules_run_too() {
    let scratch = Scratch::new("cli", "binary");
    let program = scratch.file("echo.wasm", wat::parse_str(ECHO).unwrap());
    let output = wasmtf(&["run", "--engine", "vm", &program]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "-7\n");
}

#[test]
fn a_trap_exits_2_with_the_message_on_stderr_and_in_the_json() {
    let scratch = Scratch::new("cli", "trap");
    let program = scratch.file(
        "trap.wat",
        r#"(module (import "env" "output" (func $o (param i32))) (memory 1)
             (func (export "main") (call $o (i32.const 1)) (drop (i32.load (i32.const 65533)))))"#,
    );
    let output = wasmtf(&["run", &program, "--engine", "vm"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stdout(&output), "1\n");
    assert_eq!(
        stderr(&output),
        "wasmtf: trap: memory out of bounds at instruction 3 (i32.load)\n"
    );
    let output = wasmtf(&["run", &program, "--engine", "vm", "--json"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stdout(&output),
        "{\"outputs\":[1],\"trap\":\"memory out of bounds at instruction 3 (i32.load)\",\"files\":{},\"steps\":4,\"tokens\":0}\n"
    );
}

#[test]
fn reaching_the_step_limit_exits_3() {
    let scratch = Scratch::new("cli", "limit");
    let program = scratch.file(
        "spin.wat",
        r#"(module (import "env" "output" (func $o (param i32)))
             (func (export "main") (call $o (i32.const 5)) (loop (br 0))))"#,
    );
    let output = wasmtf(&[
        "run",
        &program,
        "--engine",
        "vm",
        "--max-steps",
        "1000",
        "--json",
    ]);
    assert_eq!(output.status.code(), Some(3));
    assert_eq!(
        stdout(&output),
        "{\"outputs\":[5],\"trap\":null,\"files\":{},\"steps\":1000,\"tokens\":0}\n"
    );
    assert!(
        stderr(&output).contains("step limit reached: 1000 instructions"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn the_default_step_limit_is_at_least_100_million() {
    let output = wasmtf(&["run", "--help"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        stdout(&output).contains("[default: 100000000]"),
        "{}",
        stdout(&output)
    );
}

/// Runs and expects exit 1, nothing on stdout, and `needle` in the message.
fn refused(args: &[&str], needle: &str) {
    let output = wasmtf(args);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{args:?}: {}",
        stderr(&output)
    );
    assert_eq!(stdout(&output), "", "{args:?}");
    let message = stderr(&output);
    assert!(
        message.contains(needle),
        "{args:?}\n got: {message}\nwant: {needle}"
    );
    assert!(!message.contains("panicked"), "{message}");
}

#[test]
fn unusable_programs_exit_1_with_a_clear_message() {
    let scratch = Scratch::new("cli", "unusable");
    let missing = scratch.path("missing.wat");
    refused(&["run", "--engine", "vm", &missing], "cannot read");
    let syntax = scratch.file(
        "syntax.wat",
        "(module\n  (func (export \"main\") i32.const))",
    );
    refused(&["run", "--engine", "vm", &syntax], "syntax.wat:2:");
    let malformed = scratch.file("bad.wasm", b"\0asm\x01\0\0\0\x05\x03");
    refused(&["run", "--engine", "vm", &malformed], "malformed module");
    let unsupported = scratch.file(
        "div.wat",
        r#"(module (func (export "main") (drop (i32.div_s (i32.const 1) (i32.const 1)))))"#,
    );
    refused(
        &["run", "--engine", "vm", &unsupported],
        &format!("{unsupported}: function main, instruction 2: i32.div_s is not supported"),
    );
}

#[test]
fn bad_arguments_exit_1_with_a_clear_message() {
    let scratch = Scratch::new("cli", "arguments");
    let program = scratch.file("echo.wat", ECHO);
    let input = scratch.file("in.txt", "x");
    let big = scratch.file("big.bin", vec![0u8; 4097]);
    refused(
        &["run", &program, "--engine", "vm", "--file", "4=x"],
        "not a file number",
    );
    refused(
        &["run", &program, "--engine", "vm", "--file", &input],
        "expected N=PATH",
    );
    refused(
        &[
            "run",
            &program,
            "--engine",
            "vm",
            "--file",
            "0=/nonexistent/file",
        ],
        "cannot read /nonexistent/file",
    );
    refused(
        &[
            "run",
            &program,
            "--engine",
            "vm",
            "--file",
            &format!("1={input}"),
            "--file",
            &format!("1={input}"),
        ],
        "file 1 is given more than once",
    );
    refused(
        &[
            "run",
            &program,
            "--engine",
            "vm",
            "--file",
            &format!("0={big}"),
        ],
        "files hold at most 4096",
    );
    refused(
        &["run", &program, "--engine", "quantum"],
        "invalid value 'quantum'",
    );
    refused(
        &["run", &program, "--engine", "vm", "--max-steps", "many"],
        "invalid value 'many' for '--max-steps <N>'",
    );
    refused(&["run"], "PROGRAM");
    refused(&["frobnicate"], "unrecognized subcommand");
    refused(&[], "Usage");
}

#[test]
fn the_transformer_is_the_default_engine_and_agrees_with_the_vm() {
    let scratch = Scratch::new("cli", "transformer");
    let program = scratch.file("echo.wat", ECHO);
    let input = scratch.file("in.txt", "AB");
    let file = format!("0={input}");
    let by_default = wasmtf(&["run", &program, "--file", &file, "--json"]);
    let transformer = wasmtf(&[
        "run",
        &program,
        "--file",
        &file,
        "--json",
        "--engine",
        "transformer",
    ]);
    let vm = wasmtf(&["run", &program, "--file", &file, "--json", "--engine", "vm"]);
    assert_eq!(by_default.status.code(), Some(0), "{}", stderr(&by_default));
    assert_eq!(stdout(&by_default), stdout(&transformer));
    let parse = |o: &Output| serde_json::from_str::<serde_json::Value>(&stdout(o)).unwrap();
    let (mut t, mut v) = (parse(&transformer), parse(&vm));
    // The prompt is BOS, 24 instruction tokens and the first trace token: 25
    // passes read all but the last; then one pass per executed instruction (46),
    // the first of which reads the prompt's last token.
    assert_eq!(t["tokens"], 25 + 46);
    assert_eq!(v["tokens"], 0);
    t.as_object_mut().unwrap().remove("tokens");
    v.as_object_mut().unwrap().remove("tokens");
    assert_eq!(t, v);
}

#[test]
fn weights_that_do_not_fit_are_refused() {
    let scratch = Scratch::new("cli", "weights");
    let program = scratch.file("echo.wat", ECHO);
    let junk = scratch.file("junk.safetensors", "not weights at all");
    refused(
        &["run", &program, "--weights", &junk],
        "not a safetensors file",
    );
    let missing = scratch.path("none.safetensors");
    refused(&["run", &program, "--weights", &missing], "cannot read");
    refused(&["inspect", "--weights", &junk], "not a safetensors file");
    refused(
        &["run", &program, "--engine", "vm", "--weights", &junk],
        "--weights applies to the transformer",
    );
}

#[test]
fn inspect_prints_the_architecture() {
    let output = wasmtf(&["inspect"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    for needle in [
        "d_model",
        "layers         4",
        "heads/layer",
        "d_head",
        "d_ffn",
        "vocabulary",
        "parameters",
        "nonzero",
        "layer 0:",
        "depth (sum)",
        "file.byte.0 (cross:file0)",
        "alu.mul",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
}

/// A tensor as stored: name, dtype, shape, little-endian data.
type Stored = (String, Dtype, Vec<usize>, Vec<u8>);

/// Safetensors `bytes` rebuilt after `edit` changed their tensors and the
/// architecture in their metadata.
fn rewritten(bytes: &[u8], edit: impl FnOnce(&mut Vec<Stored>, &mut Value)) -> Vec<u8> {
    let st = SafeTensors::deserialize(bytes).unwrap();
    let (_, metadata) = SafeTensors::read_metadata(bytes).unwrap();
    let mut metadata = metadata.metadata().clone().unwrap();
    let key = "wasmtf.architecture".to_string();
    let mut architecture: Value = serde_json::from_str(&metadata[&key]).unwrap();
    let mut tensors: Vec<Stored> = st
        .tensors()
        .into_iter()
        .map(|(name, v)| (name, v.dtype(), v.shape().to_vec(), v.data().to_vec()))
        .collect();
    edit(&mut tensors, &mut architecture);
    metadata.insert(key, architecture.to_string());
    let views = tensors
        .iter()
        .map(|(n, d, s, b)| (n.clone(), TensorView::new(*d, s.clone(), b).unwrap()));
    safetensors::serialize(views, Some(metadata)).unwrap()
}

/// The built-in weights cut to their first `d` residual dimensions, every
/// tensor narrowed to match: the same layers, heads and neurons, a smaller
/// residual stream.
fn narrowed(d: usize) -> Weights {
    let mut w = load_default().unwrap();
    let cols = |m: &Matrix| Matrix::from_dense(&m.to_dense().slice(s![.., ..d]).to_owned());
    let rows = |m: &Matrix| Matrix::from_dense(&m.to_dense().slice(s![..d, ..]).to_owned());
    let head = |v: &Array1<f64>| v.slice(s![..d]).to_owned();
    w.dims.truncate(d);
    for field in &mut w.inputs {
        match &mut field.kind {
            InputKind::Table { table, .. } => *table = cols(table),
            InputKind::Numeric {
                linear, quadratic, ..
            } => (*linear, *quadratic) = (head(linear), head(quadratic)),
        }
    }
    for layer in &mut w.layers {
        for h in &mut layer.heads {
            (h.w_q, h.w_k, h.w_v, h.w_o) = (cols(&h.w_q), cols(&h.w_k), cols(&h.w_v), rows(&h.w_o));
        }
        layer.w_gate = cols(&layer.w_gate);
        layer.w_val = cols(&layer.w_val);
        layer.w_out = rows(&layer.w_out);
    }
    for field in &mut w.outputs {
        match &mut field.kind {
            OutputKind::Categorical { w, .. } => *w = cols(w),
            OutputKind::Quadratic { readout, .. } => *readout = head(readout),
        }
    }
    w
}

#[test]
fn weights_of_another_d_model_are_refused_naming_a_tensor() {
    let scratch = Scratch::new("cli", "d-model-5");
    let program = scratch.file("echo.wat", ECHO);
    let small = to_safetensors(&narrowed(5));
    // The metadata says d_model 5 and keeps the interpreter's dimension names,
    // or names only the five dimensions it has: both fit their tensors.
    let keeps_names = rewritten(&small, |_, arch| {
        arch["dims"] = serde_json::to_value(&architecture().dims).unwrap();
    });
    for (name, bytes) in [
        ("names.safetensors", keeps_names),
        ("five.safetensors", small),
    ] {
        let file = scratch.file(name, bytes);
        let tensor = "tensor embed.kind.table has shape [4, 5], expected [4, 637]";
        let message = format!("{file}: the weights do not fit the interpreter: {tensor}");
        refused(&["run", &program, "--weights", &file], &message);
        let output = wasmtf(&["run", &program, "--weights", &file]);
        assert_eq!(stderr(&output), format!("wasmtf: {message}\n"));
        refused(&["debug", &program, "--weights", &file], &message);
        refused(&["inspect", "--weights", &file], &message);
    }
}

#[test]
fn one_tensor_that_does_not_fit_is_refused_by_name() {
    let scratch = Scratch::new("cli", "one-tensor");
    let program = scratch.file("echo.wat", ECHO);
    let refused_with = |name: &str, edit: &dyn Fn(&mut Vec<Stored>), needle: &str| {
        let file = scratch.file(name, rewritten(DEFAULT_WEIGHTS, |t, _| edit(t)));
        refused(&["run", &program, "--weights", &file], needle);
    };
    let find = |tensors: &[Stored], name: &str| tensors.iter().position(|t| t.0 == name).unwrap();
    refused_with(
        "transposed.safetensors",
        &|t| {
            // The stored shape [3, 637] as [637, 3].
            let i = find(t, "layers.0.attn.fetch.w_q.shape");
            let (rows, cols) = t[i].3.split_at(8);
            t[i].3 = [cols, rows].concat();
        },
        "tensor layers.0.attn.fetch.w_q has shape [637, 3], expected [3, 637]",
    );
    refused_with(
        "missing.safetensors",
        &|t| t.retain(|t| t.0 != "unembed.status.b"),
        "tensor unembed.status.b is missing",
    );
    refused_with(
        "integer.safetensors",
        &|t| {
            let i = find(t, "layers.1.mlp.b_gate");
            t[i].1 = Dtype::I64;
        },
        "tensor layers.1.mlp.b_gate has dtype I64; F32 or F64 expected",
    );
    refused_with(
        "extra.safetensors",
        &|t| {
            let copy = t[find(t, "layers.1.mlp.b_gate")].clone();
            t.push(("layers.1.mlp.b_extra".into(), copy.1, copy.2, copy.3));
        },
        "tensor layers.1.mlp.b_extra is not part of the interpreter",
    );
}

/// `bench` on a short workload: every section of the report, figures that
/// follow from the workload (20 instructions an iteration, one pass each),
/// and the program sizes asked for.
#[test]
fn bench_reports_speed_growth_memory_and_start_up() {
    let output = wasmtf(&["bench", "--passes", "2000", "--max-size", "400"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report = stdout(&output);
    assert!(
        report.contains("2000 passes, 2000 instructions in"),
        "{report}"
    );
    for section in ["trace length", "KV memory", "program size", "start-up"] {
        assert!(report.contains(section), "no {section}: {report}");
    }
    // The trace-length table reaches 1000 passes, not 10000.
    assert!(report.contains("\n          1000   "), "{report}");
    assert!(!report.contains("\n         10000   "), "{report}");
    // Sizes 40 and 400, not 4000.
    assert!(report.contains("\n            40   "), "{report}");
    assert!(report.contains("\n           400   "), "{report}");
    assert!(!report.contains("\n          4000   "), "{report}");
    refused(
        &["bench", "--file", "0=x"],
        "--file applies to a PROGRAM; the built-in workload reads no file",
    );
    refused(
        &["bench", "--passes", "0"],
        "--passes 0: the bench needs at least one pass",
    );
    // A program that ends early says where its trace-length table stops.
    let scratch = Scratch::new("cli", "bench-short");
    let program = scratch.file("echo.wat", ECHO);
    let output = wasmtf(&["bench", &program, "--max-size", "40"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report = stdout(&output);
    assert!(
        report.starts_with(&format!("wasmtf bench — {program}\n")),
        "{report}"
    );
    assert!(report.contains("(the run stopped after"), "{report}");
}
