//! End to end: the real binary in a real terminal (tmux), driven by keys.
//! Skipped, saying so, when tmux is not installed.

mod support;

use std::process::Command;

use support::tmux::{self, Session, tmux, wait_for};

#[test]
fn the_debugger_steps_in_a_real_terminal_and_restores_it() {
    if !tmux::available() {
        return;
    }
    let session = Session::start(&format!("wasmtf-e2e-{}", std::process::id()), 160, 48, "sh");
    let name = session.name();
    let command = format!("{} debug", env!("CARGO_BIN_EXE_wasmtf"));
    tmux(&["send-keys", "-t", name, &command, "Enter"]);
    wait_for(name, "pass 0 ");
    tmux(&["send-keys", "-t", name, "n"]);
    let screen = wait_for(name, "pass 1 ");
    assert!(screen.contains("Program") && screen.contains("Layers") && screen.contains("Logits"));
    tmux(&["send-keys", "-t", name, "n", "n", "N"]);
    wait_for(name, "pass 2 ");
    // Resized live to the smallest supported size, it keeps working.
    tmux(&["resize-window", "-t", name, "-x", "80", "-y", "24"]);
    tmux(&["send-keys", "-t", name, "n"]);
    let small = wait_for(name, "pass 3 ");
    assert!(small.contains("Prog | Stack"), "{small}");
    // q quits and gives the shell its screen back.
    tmux(&["send-keys", "-t", name, "q"]);
    tmux::wait_gone(name, "pass 3 ", "q did not quit");
    tmux(&["send-keys", "-t", name, "echo restored-$((40+2))", "Enter"]);
    let after = wait_for(name, "restored-42");
    assert!(
        !after.contains("Logits"),
        "the debugger's screen is still up:\n{after}"
    );
}

#[test]
fn a_replayed_trace_reaches_its_last_pass_with_g() {
    if !tmux::available() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("wasmtf-replay-e2e-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let program = dir.join("count.wat");
    std::fs::write(
        &program,
        r#"(module (import "env" "output" (func $output (param i32)))
             (func (export "main") (local $i i32)
               (loop $l (call $output (local.get $i))
                 (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 30))))))"#,
    )
    .unwrap();
    let trace = dir.join("count.trace.jsonl");
    let recorded = Command::new(env!("CARGO_BIN_EXE_wasmtf"))
        .args([
            "record",
            &program.display().to_string(),
            "-o",
            &trace.display().to_string(),
        ])
        .output()
        .unwrap();
    assert_eq!(recorded.status.code(), Some(0));
    // 30 iterations of 9 instructions, then the end: by hand.
    let last = 30 * 9 + 1;
    let command = format!(
        "{} replay {}",
        env!("CARGO_BIN_EXE_wasmtf"),
        trace.display()
    );
    let session = Session::start(
        &format!("wasmtf-replay-{}", std::process::id()),
        160,
        48,
        &command,
    );
    let name = session.name();
    wait_for(name, "replaying");
    tmux(&["send-keys", "-t", name, "G"]);
    let screen = wait_for(name, &format!("pass {last} "));
    assert!(screen.contains("halted"), "{screen}");
    tmux(&["send-keys", "-t", name, "q"]);
    let _ = std::fs::remove_dir_all(&dir);
}
