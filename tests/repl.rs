//! `wasmtf repl` without a terminal: keys in, state and screens out. Expected
//! values are worked out by hand or come from the reference VM running the
//! module that `:save` wrote; screens are insta snapshots on ratatui's
//! TestBackend.

mod support;

use std::process::Command;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use support::debugger::render;
use support::scratch::Scratch;
use support::tmux::{self, Session, tmux};
use wasmtf::engine::Model;
use wasmtf::files::FileContents;
use wasmtf::program::Program;
use wasmtf::repl::scan::{ConstructKind, scan};
use wasmtf::repl::view::draw;
use wasmtf::repl::{Mode, Repl, ReplKey, ReplSession};
use wasmtf::report::Ending;
use wasmtf::vm::Vm;

/// The model of the compiled weights, built once per test binary.
fn model() -> Arc<Model> {
    static MODEL: OnceLock<Arc<Model>> = OnceLock::new();
    Arc::clone(MODEL.get_or_init(|| Arc::new(Model::new(Arc::new(wasmtf::compiled::compile())))))
}

fn repl_with_limit(pass_limit: u64) -> Repl {
    Repl::new(ReplSession::new(model(), FileContents::default(), pass_limit).unwrap())
}

fn repl() -> Repl {
    repl_with_limit(10_000)
}

/// Types `text` and Enter, and lets the run it starts finish.
fn enter(repl: &mut Repl, text: &str) {
    for c in text.chars() {
        repl.key(ReplKey::Char(c));
    }
    repl.key(ReplKey::Enter);
    repl.finish_running();
}

fn enter_all(repl: &mut Repl, lines: &[&str]) {
    for line in lines {
        enter(repl, line);
        assert_eq!(repl.refusal, None, "{line:?} was refused");
    }
}

fn line_texts(repl: &Repl) -> Vec<String> {
    repl.session
        .lines()
        .iter()
        .map(|l| l.text.clone())
        .collect()
}

/// The outputs the transformer's tokens decoded, up to the pass shown.
fn outputs(repl: &Repl) -> Vec<i32> {
    let run = repl.session.app().session.host();
    (0..run.outputs().len())
        .map(|i| *run.outputs().get(i).unwrap())
        .collect()
}

/// The instruction the pass on screen executed, as the listing writes it.
fn executed_text(repl: &Repl) -> String {
    let session = &repl.session.app().session;
    let record = session.record(session.pass()).expect("a pass is shown");
    session.program().instruction_text(record.ip as usize)
}

/// The screen at `width`×`height`, one line per row, trailing spaces cut.
fn screen(repl: &Repl, width: u16, height: u16) -> String {
    render(width, height, |frame| draw(repl, frame))
}

#[test]
fn three_plus_five_is_output_as_eight_by_forward_passes() {
    let mut repl = repl();
    enter_all(&mut repl, &["i32.const 3", "i32.const 5", "i32.add"]);
    // The pass shown executed i32.add and its token pushed 3 + 5.
    assert_eq!(executed_text(&repl), "i32.add");
    let session = &repl.session.app().session;
    let token = session.record(session.pass()).unwrap().token;
    assert!(token.push);
    assert_eq!(token.value, 8);
    enter(&mut repl, "call $output");
    assert_eq!(outputs(&repl), vec![8]);
    assert_eq!(executed_text(&repl), "call $output");
    assert_eq!(repl.session.app().session.pass(), 4);
    assert!(
        repl.message.contains("line 4 ran in pass 4 → output 8"),
        "{}",
        repl.message
    );
    assert_eq!(
        line_texts(&repl),
        ["i32.const 3", "i32.const 5", "i32.add", "call $output"]
    );
}

#[test]
fn values_left_on_the_stack_end_in_return_and_the_shown_pass_is_the_last_typed() {
    let mut repl = repl();
    enter_all(&mut repl, &["i32.const 7", "i32.const -2", "i32.mul"]);
    let session = &repl.session.app().session;
    let program = session.program();
    let last = program.instructions.len() - 1;
    assert_eq!(program.instruction_text(last - 1), "return");
    assert_eq!(executed_text(&repl), "i32.mul");
    assert_eq!(session.record(session.pass()).unwrap().token.value, -14);
    // The run went on to halt: the pass shown is not its last.
    assert!(session.records().len() as u64 > session.pass());
    assert!(repl.session.module_source().contains("return"));
}

#[test]
fn invalid_lines_are_refused_in_place_and_change_nothing() {
    let mut repl = repl();
    enter(&mut repl, "i32.const 1");
    let pass = repl.session.app().session.pass();
    let cases = [
        ("i32.foo", "unknown operator"),
        ("i32.add", "type mismatch"),
        ("i32.div_s", "i32.div_s is not supported"),
        ("local.get $nope", "unknown local"),
        ("end", "`end` closes nothing"),
        ("else", "`else` without an open `if`"),
        ("(i32.const 1", "not closed"),
        (") (func", "closes nothing"),
        ("i32.const 1 (; open", "unterminated block comment"),
        ("br 1", "unknown label"),
        (":frobnicate", "unknown command"),
        (":local $a)", "not a WAT name"),
    ];
    for (line, expected) in cases {
        enter(&mut repl, line);
        let refusal = repl
            .refusal
            .clone()
            .unwrap_or_else(|| panic!("{line:?} accepted"));
        assert!(
            refusal.message.contains(expected),
            "{line:?}: {}",
            refusal.message
        );
        assert_eq!(repl.editor.text(), line, "the input stays to be fixed");
        assert_eq!(line_texts(&repl), ["i32.const 1"]);
        assert_eq!(repl.session.app().session.pass(), pass);
        repl.key(ReplKey::Ctrl('u'));
    }
    // A syntax error points into the line, under the input.
    enter(&mut repl, "  i32.const 1 i32.bogus");
    assert_eq!(repl.refusal.as_ref().unwrap().column, Some(14));
    assert!(screen(&repl, 80, 24).contains("              ^ unknown operator"));
}

#[test]
fn a_trap_refuses_its_line_and_shows_the_trapping_pass() {
    let mut repl = repl();
    enter_all(&mut repl, &["i32.const 5", "call $output"]);
    enter(&mut repl, "unreachable");
    let refusal = repl.refusal.clone().expect("a trap refuses the line");
    assert!(
        refusal.message.contains("not kept: trap at pass 3"),
        "{}",
        refusal.message
    );
    assert!(refusal.message.contains("unreachable"));
    assert_eq!(repl.editor.text(), "unreachable");
    assert_eq!(line_texts(&repl), ["i32.const 5", "call $output"]);
    assert!(repl.session.shows_refused_run());
    assert_eq!(executed_text(&repl), "unreachable");
    // Reading a file that is not open traps too.
    repl.key(ReplKey::Ctrl('u'));
    enter(&mut repl, "(drop (call $fd_read (i32.const 0)))");
    assert!(repl.refusal.as_ref().unwrap().message.contains("trap"));
    // Taking back a line shows the kept program again.
    repl.key(ReplKey::Ctrl('z'));
    repl.finish_running();
    assert!(!repl.session.shows_refused_run());
    assert_eq!(line_texts(&repl), ["i32.const 5"]);
    assert_eq!(outputs(&repl), Vec::<i32>::new());
}

#[test]
fn undo_takes_back_exactly_the_last_line() {
    let mut repl = repl();
    enter_all(
        &mut repl,
        &["i32.const 2", "call $output", "i32.const 9", "call $output"],
    );
    assert_eq!(outputs(&repl), vec![2, 9]);
    repl.key(ReplKey::Ctrl('z'));
    repl.finish_running();
    assert_eq!(
        line_texts(&repl),
        ["i32.const 2", "call $output", "i32.const 9"]
    );
    assert!(
        repl.message.contains("took back line 4: call $output"),
        "{}",
        repl.message
    );
    assert_eq!(outputs(&repl), vec![2]);
    enter(&mut repl, ":undo");
    assert_eq!(line_texts(&repl), ["i32.const 2", "call $output"]);
    assert_eq!(repl.session.app().session.program().instructions.len(), 3);
    // Inside a block, undo takes back buffered lines one at a time; taking
    // back an `end` opens its block again.
    enter_all(&mut repl, &["block", "i32.const 4", "call $output", "end"]);
    assert_eq!(outputs(&repl), vec![2, 4]);
    repl.key(ReplKey::Ctrl('z'));
    repl.finish_running();
    assert_eq!(repl.session.open_constructs().len(), 1);
    assert_eq!(outputs(&repl), vec![2], "the block no longer runs");
    repl.key(ReplKey::Ctrl('z'));
    assert_eq!(
        line_texts(&repl),
        ["i32.const 2", "call $output", "block", "i32.const 4"]
    );
    for _ in 0..10 {
        repl.key(ReplKey::Ctrl('z'));
        repl.finish_running();
    }
    assert!(line_texts(&repl).is_empty());
    assert_eq!(repl.message, "nothing to take back");
}

#[test]
fn blocks_loops_and_ifs_wait_for_their_end_then_run() {
    let mut repl = repl();
    enter(&mut repl, "block (result i32)");
    assert_eq!(repl.session.open_constructs().len(), 1);
    assert!(screen(&repl, 80, 24).contains("\n  ..."));
    enter(&mut repl, "i32.const 4");
    assert!(repl.message.contains("waits"), "{}", repl.message);
    assert_eq!(repl.session.committed_len(), 0);
    // A buffered line is still checked: a block (result i32) holds one value.
    enter(&mut repl, "i32.add");
    assert!(
        repl.refusal
            .as_ref()
            .unwrap()
            .message
            .contains("type mismatch")
    );
    repl.key(ReplKey::Ctrl('u'));
    enter_all(&mut repl, &["end", "call $output"]);
    assert_eq!(outputs(&repl), vec![4]);
    // if/else picks by the condition: 0 takes the else arm.
    enter_all(
        &mut repl,
        &[
            "i32.const 0",
            "if (result i32)",
            "i32.const 10",
            "else",
            "i32.const 20",
            "end",
            "call $output",
        ],
    );
    assert_eq!(outputs(&repl), vec![4, 20]);
    // A loop counting 0, 1, 2 with a local.
    enter_all(
        &mut repl,
        &[
            ":local $i",
            "block $done",
            "loop $again",
            "local.get $i",
            "call $output",
            "local.get $i",
            "i32.const 1",
            "i32.add",
            "local.tee $i",
            "i32.const 3",
            "i32.ge_s",
            "br_if $done",
            "br $again",
            "end",
            "end",
        ],
    );
    assert_eq!(outputs(&repl), vec![4, 20, 0, 1, 2]);
    assert!(
        repl.message.contains("lines 13–26 ran in"),
        "{}",
        repl.message
    );
    // Folded forms open nothing past their line.
    enter(&mut repl, "(block (call $output (i32.const 6)))");
    assert_eq!(outputs(&repl), vec![4, 20, 0, 1, 2, 6]);
    // The loop body's passes are listed by line.
    let passes = repl.session.line_passes();
    assert_eq!(passes[15].count, 3, "call $output ran once per iteration");
}

#[test]
fn a_loop_that_never_exits_is_stopped_by_the_pass_limit() {
    let mut repl = repl_with_limit(300);
    enter_all(&mut repl, &["loop", "br 0"]);
    enter(&mut repl, "end");
    let refusal = repl.refusal.clone().expect("no halt refuses the line");
    assert!(
        refusal.message.contains("no halt within 300 passes"),
        "{}",
        refusal.message
    );
    assert_eq!(repl.editor.text(), "end");
    assert_eq!(line_texts(&repl), ["loop", "br 0"]);
    assert_eq!(repl.session.app().session.pass(), 300);
    assert!(!repl.busy());
    // Taking back the `br 0` and closing the loop halts.
    repl.key(ReplKey::Ctrl('z'));
    repl.key(ReplKey::Ctrl('u'));
    enter(&mut repl, "end");
    assert_eq!(repl.refusal, None);
    assert_eq!(line_texts(&repl), ["loop", "end"]);
}

#[test]
fn keys_work_during_a_long_run_and_esc_stops_it() {
    let mut repl = repl_with_limit(1_000_000);
    enter_all(&mut repl, &["loop", "br 0"]);
    for c in "end".chars() {
        repl.key(ReplKey::Char(c));
    }
    repl.key(ReplKey::Enter);
    repl.run_slice(Duration::from_millis(30));
    assert!(repl.busy(), "a million passes take longer than a slice");
    assert!(screen(&repl, 80, 24).contains("running line 3: pass"));
    repl.key(ReplKey::Char('n'));
    repl.key(ReplKey::Char('o'));
    assert_eq!(repl.editor.text(), "no");
    repl.key(ReplKey::Enter);
    assert!(
        repl.refusal
            .as_ref()
            .unwrap()
            .message
            .contains("still running")
    );
    repl.key(ReplKey::Esc);
    assert!(!repl.busy());
    assert!(!repl.quit, "Esc stops the run before it quits");
    let refusal = repl.refusal.clone().unwrap();
    assert!(
        refusal.message.contains("stopped at pass"),
        "{}",
        refusal.message
    );
    assert_eq!(line_texts(&repl), ["loop", "br 0"]);
    assert_eq!(repl.editor.text(), "no", "what was typed meanwhile stays");
}

#[test]
fn the_saved_module_runs_on_the_reference_vm_with_the_same_outputs() {
    let mut repl = repl();
    enter_all(
        &mut repl,
        &[
            ":local $n $sum",
            "i32.const 5",
            "local.set $n",
            "block $done",
            "loop $next",
            "local.get $sum",
            "local.get $n",
            "i32.add",
            "local.set $sum",
            "local.get $n",
            "i32.const 1",
            "i32.sub",
            "local.tee $n",
        ],
    );
    // i32.eqz is not in the engine's set: refused; the buffered lines stay.
    enter(&mut repl, "i32.eqz");
    assert!(
        repl.refusal
            .as_ref()
            .unwrap()
            .message
            .contains("not supported")
    );
    assert_eq!(repl.session.lines().len(), 13);
    repl.key(ReplKey::Ctrl('u'));
    enter_all(
        &mut repl,
        &[
            "i32.const 0",
            "i32.le_s",
            "br_if $done",
            "br $next",
            "end",
            "end",
            "i32.const 100",
            "local.get $sum",
            "i32.store offset=4",
            "i32.const 100",
            "i32.load offset=4",
            "call $output",
            "i32.const 42",
        ],
    );
    // 5 + 4 + 3 + 2 + 1, through memory.
    assert_eq!(outputs(&repl), vec![15]);
    assert!(repl.session.unsaved());
    let dir = Scratch::new("repl", "save");
    let path = dir.path("sum.wat");
    enter(&mut repl, &format!(":save {path}"));
    assert_eq!(repl.refusal, None);
    assert!(repl.message.starts_with("saved"), "{}", repl.message);
    assert!(!repl.session.unsaved());
    let bytes = std::fs::read(&path).unwrap();
    let program = Arc::new(Program::from_bytes("sum.wat", &bytes).unwrap());
    let mut vm = Vm::new(program, FileContents::default());
    vm.run(10_000);
    let report = vm.report();
    assert_eq!(report.ending, Ending::Halted);
    assert_eq!(report.outputs, outputs(&repl));
    // `wasmtf run` accepts it, and a .wasm save is a binary module.
    let run = Command::new(env!("CARGO_BIN_EXE_wasmtf"))
        .args(["run", "--engine", "vm"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(run.status.success());
    assert_eq!(String::from_utf8_lossy(&run.stdout), "15\n");
    let binary = dir.path("sum.wasm");
    enter(&mut repl, &format!(":save {binary}"));
    let wasm = std::fs::read(&binary).unwrap();
    assert!(wasm.starts_with(b"\0asm"));
    assert_eq!(
        Program::from_bytes("sum.wasm", &wasm).unwrap().instructions,
        { Program::from_bytes("sum.wat", &bytes).unwrap().instructions }
    );
}

#[test]
fn saving_where_it_cannot_write_says_so_and_loses_nothing() {
    let mut repl = repl();
    enter(&mut repl, "i32.const 1");
    let target = "/nonexistent-dir-of-wasmtf/x.wat";
    enter(&mut repl, &format!(":save {target}"));
    let refusal = repl.refusal.clone().expect("the save is refused");
    assert!(
        refusal.message.contains("cannot write"),
        "{}",
        refusal.message
    );
    assert_eq!(repl.editor.text(), format!(":save {target}"));
    assert_eq!(line_texts(&repl), ["i32.const 1"]);
    assert!(repl.session.unsaved());
    repl.key(ReplKey::Ctrl('u'));
    enter(&mut repl, ":save");
    assert!(
        repl.refusal
            .as_ref()
            .unwrap()
            .message
            .contains(":save FILE.wat")
    );
}

#[test]
fn locals_are_declared_with_a_command() {
    let mut repl = repl();
    enter_all(
        &mut repl,
        &[
            ":local $x",
            "i32.const 5",
            "local.set $x",
            "local.get $x",
            "local.get $x",
            "i32.mul",
            "call $output",
        ],
    );
    assert_eq!(outputs(&repl), vec![25]);
    enter(&mut repl, ":local x");
    assert!(repl.refusal.as_ref().unwrap().message.contains("duplicate"));
    repl.key(ReplKey::Ctrl('u'));
    enter(&mut repl, ":local $y");
    assert_eq!(repl.message, "declared $y (local 1)");
    enter(&mut repl, ":local");
    assert!(
        repl.refusal
            .as_ref()
            .unwrap()
            .message
            .contains("name the local")
    );
}

#[test]
fn quitting_asks_once_when_lines_are_unsaved() {
    let mut repl = repl();
    repl.key(ReplKey::Esc);
    assert!(repl.quit, "nothing typed: Esc quits");
    let mut repl = repl_with_limit(100);
    enter(&mut repl, "nop");
    repl.key(ReplKey::Ctrl('d'));
    assert!(!repl.quit);
    assert!(repl.message.contains("not saved"));
    repl.key(ReplKey::Esc);
    assert!(repl.quit);
    let mut repl = repl_with_limit(100);
    enter(&mut repl, "nop");
    enter(&mut repl, ":quit");
    assert!(repl.quit);
    let mut repl = repl_with_limit(100);
    enter(&mut repl, "nop");
    repl.key(ReplKey::Ctrl('c'));
    assert!(repl.quit);
}

#[test]
fn editing_history_help_and_the_debugger_keys() {
    let mut repl = repl();
    enter_all(&mut repl, &["i32.const 1", "i32.const 2"]);
    for c in "i32.ad".chars() {
        repl.key(ReplKey::Char(c));
    }
    repl.key(ReplKey::Home);
    repl.key(ReplKey::Delete);
    repl.key(ReplKey::Char('I'));
    repl.key(ReplKey::End);
    repl.key(ReplKey::Char('d'));
    assert_eq!(repl.editor.text(), "I32.add");
    repl.key(ReplKey::Up);
    assert_eq!(repl.editor.text(), "i32.const 2");
    repl.key(ReplKey::Up);
    repl.key(ReplKey::Up);
    assert_eq!(repl.editor.text(), "i32.const 1");
    repl.key(ReplKey::Down);
    repl.key(ReplKey::Down);
    assert_eq!(
        repl.editor.text(),
        "I32.add",
        "the line being typed comes back"
    );
    repl.key(ReplKey::Ctrl('u'));
    enter(&mut repl, ":help");
    assert!(repl.help);
    assert!(screen(&repl, 100, 30).contains("REPL commands and keys"));
    repl.key(ReplKey::Char('x'));
    assert!(!repl.help);
    assert_eq!(
        repl.editor.text(),
        "",
        "the key that closes the help is not typed"
    );
    // Tab moves the debugger's focus; Ctrl-G hands keys to the debugger.
    let focus = repl.session.app().focus;
    repl.key(ReplKey::Tab);
    assert_ne!(repl.session.app().focus, focus);
    repl.key(ReplKey::BackTab);
    assert_eq!(repl.session.app().focus, focus);
    repl.key(ReplKey::Ctrl('g'));
    assert_eq!(repl.mode, Mode::Debugger);
    assert_eq!(repl.session.current_line(), Some(1));
    repl.key(ReplKey::Char('N'));
    assert_eq!(repl.session.app().session.pass(), 1);
    assert_eq!(repl.session.current_line(), Some(0));
    assert!(screen(&repl, 80, 24).contains("Esc back to typing"));
    repl.key(ReplKey::Esc);
    assert_eq!(repl.mode, Mode::Typing);
    assert!(!repl.quit);
    enter(&mut repl, ":debug");
    repl.key(ReplKey::Char('q'));
    assert_eq!(
        repl.mode,
        Mode::Typing,
        "q leaves the debugger keys, not the REPL"
    );
    assert!(!repl.quit);
}

#[test]
fn line_shapes() {
    let shape = scan("block $b (result i32) ;; end", &[]).unwrap();
    assert_eq!(shape.open_after.len(), 1);
    assert_eq!(shape.open_after[0].kind, ConstructKind::Block);
    let inner = scan("if", &shape.open_after).unwrap();
    assert_eq!((inner.open_after.len(), inner.indent), (2, 1));
    let else_line = scan("else", &inner.open_after).unwrap();
    assert!(else_line.open_after[1].has_else);
    assert_eq!(else_line.indent, 1);
    assert!(scan("else", &else_line.open_after).is_err());
    let end = scan("end $b", &else_line.open_after).unwrap();
    assert_eq!((end.open_after.len(), end.indent), (1, 1));
    for folded in [
        "(block (br 0))",
        "(if (i32.const 1) (then nop) (else nop))",
        "(loop $l) (; loop ;)",
        "block end",
    ] {
        assert!(scan(folded, &[]).unwrap().open_after.is_empty(), "{folded}");
    }
    assert!(
        scan("br_if 0 (; if ( ;)", &[])
            .unwrap()
            .open_after
            .is_empty()
    );
}

#[test]
fn screen_80x24() {
    let mut repl = repl();
    enter_all(
        &mut repl,
        &["i32.const 3", "i32.const 5", "i32.add", "call $output"],
    );
    enter(&mut repl, "i32.const 2 i32.mull");
    insta::assert_snapshot!(screen(&repl, 80, 24));
}

#[test]
fn screen_160x48() {
    let mut repl = repl();
    enter_all(
        &mut repl,
        &[
            ":local $i",
            "i32.const 3",
            "i32.const 5",
            "i32.add",
            "call $output",
            "block",
            "loop",
        ],
    );
    insta::assert_snapshot!(screen(&repl, 160, 48));
}

#[test]
fn tiny_terminals_do_not_panic() {
    let mut repl = repl();
    enter_all(&mut repl, &["block", "i32.const 1"]);
    enter(
        &mut repl,
        "i32.bogus and a long tail of text that does not fit anywhere at all",
    );
    for (help, mode) in [
        (false, Mode::Typing),
        (true, Mode::Typing),
        (false, Mode::Debugger),
    ] {
        repl.help = help;
        repl.mode = mode;
        for width in [1, 2, 5, 10, 19, 20, 33, 80] {
            for height in [1, 2, 3, 4, 5, 6, 8, 11, 12, 13, 20] {
                screen(&repl, width, height);
            }
        }
    }
}

#[test]
fn the_cli_lists_repl_and_refuses_unusable_weights() {
    let wasmtf = env!("CARGO_BIN_EXE_wasmtf");
    let help = Command::new(wasmtf).arg("--help").output().unwrap();
    assert!(String::from_utf8_lossy(&help.stdout).contains("repl"));
    let repl_help = Command::new(wasmtf)
        .args(["repl", "--help"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&repl_help.stdout).into_owned();
    assert!(
        text.contains("--weights") && text.contains("--max-steps"),
        "{text}"
    );
    let missing = std::env::temp_dir().join("wasmtf-repl-no-such-dir/x.safetensors");
    let refused = Command::new(wasmtf)
        .args(["repl", "--weights"])
        .arg(&missing)
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(1));
    assert!(!refused.stderr.is_empty());
}

#[test]
fn files_given_on_the_command_line_are_read_by_forward_passes() {
    let mut files = FileContents::default();
    files.set(0, b"hi".to_vec()).unwrap();
    let mut repl = Repl::new(ReplSession::new(model(), files, 1000).unwrap());
    enter_all(
        &mut repl,
        &[
            "(drop (call $fd_open (i32.const 0)))",
            "(call $output (call $fd_read (i32.const 0)))",
            "(call $output (call $fd_read (i32.const 0)))",
            "(call $output (call $fd_read (i32.const 0)))",
        ],
    );
    // 'h', 'i', then the end of the file.
    assert_eq!(outputs(&repl), vec![104, 105, -1]);
}

/// The real binary in tmux: typed lines run, Ctrl-Z undoes, `:save` writes,
/// Ctrl-C quits and gives the terminal back. Skipped when tmux is missing.
#[test]
fn the_repl_runs_in_a_real_terminal_and_restores_it() {
    if !tmux::available() {
        return;
    }
    let session = Session::start(
        &format!("wasmtf-repl-e2e-{}", std::process::id()),
        80,
        24,
        "sh",
    );
    let name = session.name().to_string();
    let wait_for = |needle: &str| tmux::wait_for(&name, needle);
    let command = format!("{} repl", env!("CARGO_BIN_EXE_wasmtf"));
    tmux(&["send-keys", "-t", &name, &command, "Enter"]);
    wait_for("wasm>");
    for line in ["i32.const 3", "i32.const 5", "i32.add", "call $output"] {
        tmux(&["send-keys", "-t", &name, "-l", line]);
        tmux(&["send-keys", "-t", &name, "Enter"]);
    }
    wait_for("line 4 ran in pass 4 → output 8");
    tmux(&["send-keys", "-t", &name, "C-z"]);
    wait_for("took back line 4: call $output");
    let dir = Scratch::new("repl", "e2e");
    let path = dir.path("e2e.wat");
    tmux(&["send-keys", "-t", &name, "-l", &format!(":save {path}")]);
    tmux(&["send-keys", "-t", &name, "Enter"]);
    wait_for("e2e.wat (3 lines)");
    assert!(std::fs::read_to_string(&path).unwrap().contains("i32.add"));
    tmux(&["send-keys", "-t", &name, "C-c"]);
    tmux::wait_gone(&name, "wasm>", "Ctrl-C did not quit");
}

#[test]
fn edited_weights_that_diverge_from_the_vm_are_flagged() {
    let mut weights = wasmtf::compiled::compile();
    weights.ablate_neurons("alu.sub");
    let model = Arc::new(Model::new(Arc::new(weights)));
    let mut repl = Repl::new(ReplSession::new(model, FileContents::default(), 1000).unwrap());
    enter_all(&mut repl, &["i32.const 5", "i32.const 3", "i32.sub"]);
    assert_eq!(repl.session.app().session.first_divergence(), Some(3));
    assert!(screen(&repl, 80, 24).contains("DIVERGED from the VM at pass 3"));
}
