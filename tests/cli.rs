//! `wasmtf run` as a user or a script sees it: the real binary, its stdout, its
//! stderr and its exit status (SPEC §3).

use std::path::PathBuf;
use std::process::{Command, Output};

struct Scratch(PathBuf);

impl Scratch {
    fn new(test: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("wasmtf-cli-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn file(&self, name: &str, contents: impl AsRef<[u8]>) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, contents).unwrap();
        path.display().to_string()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn wasmtf(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wasmtf"))
        .args(args)
        .output()
        .expect("the wasmtf binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

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
    let scratch = Scratch::new("json");
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
    let scratch = Scratch::new("plain");
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
    let scratch = Scratch::new("binary");
    let program = scratch.file("echo.wasm", wat::parse_str(ECHO).unwrap());
    let output = wasmtf(&["run", "--engine", "vm", &program]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "-7\n");
}

#[test]
fn a_trap_exits_2_with_the_message_on_stderr_and_in_the_json() {
    let scratch = Scratch::new("trap");
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
    let scratch = Scratch::new("limit");
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
    let scratch = Scratch::new("unusable");
    let missing = scratch.0.join("missing.wat").display().to_string();
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
    let scratch = Scratch::new("arguments");
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
    let scratch = Scratch::new("transformer");
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
    let scratch = Scratch::new("weights");
    let program = scratch.file("echo.wat", ECHO);
    let junk = scratch.file("junk.safetensors", "not weights at all");
    refused(
        &["run", &program, "--weights", &junk],
        "not a safetensors file",
    );
    let missing = scratch.0.join("none.safetensors").display().to_string();
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
