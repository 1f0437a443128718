//! End to end: the real binary in a real terminal (tmux), driven by keys.
//! Skipped, saying so, when tmux is not installed.

use std::process::Command;
use std::thread::sleep;
use std::time::{Duration, Instant};

fn tmux(args: &[&str]) -> String {
    let output = Command::new("tmux").args(args).output().expect("tmux runs");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Waits until the screen contains `needle` (or fails after 20 s).
fn wait_for(session: &str, needle: &str) -> String {
    let start = Instant::now();
    loop {
        let screen = tmux(&["capture-pane", "-t", session, "-p"]);
        if screen.contains(needle) {
            return screen;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "never saw {needle:?}:\n{screen}"
        );
        sleep(Duration::from_millis(100));
    }
}

/// Kills the tmux session however the test ends.
struct Session(String);

impl Drop for Session {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.0])
            .status();
    }
}

#[test]
fn the_debugger_steps_in_a_real_terminal_and_restores_it() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("tmux is not installed: skipping the end-to-end test");
        return;
    }
    let session = Session(format!("wasmtf-e2e-{}", std::process::id()));
    let name = session.0.as_str();
    let status = Command::new("tmux")
        .args([
            "new-session",
            "-d",
            "-s",
            name,
            "-x",
            "160",
            "-y",
            "48",
            "sh",
        ])
        .status()
        .unwrap();
    assert!(status.success());
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
    let start = Instant::now();
    while tmux(&["capture-pane", "-t", name, "-p"]).contains("pass 3 ") {
        assert!(start.elapsed() < Duration::from_secs(10), "q did not quit");
        sleep(Duration::from_millis(50));
    }
    tmux(&["send-keys", "-t", name, "echo restored-$((40+2))", "Enter"]);
    let after = wait_for(name, "restored-42");
    assert!(
        !after.contains("Logits"),
        "the debugger's screen is still up:\n{after}"
    );
}

#[test]
fn a_replayed_trace_reaches_its_last_pass_with_g() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("tmux is not installed: skipping the end-to-end test");
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
    let session = Session(format!("wasmtf-replay-{}", std::process::id()));
    let name = session.0.as_str();
    let command = format!(
        "{} replay {}",
        env!("CARGO_BIN_EXE_wasmtf"),
        trace.display()
    );
    let status = Command::new("tmux")
        .args([
            "new-session",
            "-d",
            "-s",
            name,
            "-x",
            "160",
            "-y",
            "48",
            &command,
        ])
        .status()
        .unwrap();
    assert!(status.success());
    wait_for(name, "replaying");
    tmux(&["send-keys", "-t", name, "G"]);
    let screen = wait_for(name, &format!("pass {last} "));
    assert!(screen.contains("halted"), "{screen}");
    tmux(&["send-keys", "-t", name, "q"]);
    let _ = std::fs::remove_dir_all(&dir);
}
