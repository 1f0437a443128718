//! Driving the real binary in a real terminal: tmux sessions, keys and
//! screens, for the end-to-end tests (which skip themselves without tmux).

use std::process::Command;
use std::thread::sleep;
use std::time::{Duration, Instant};

/// Whether tmux is installed; says so when it is not.
pub fn available() -> bool {
    let found = Command::new("tmux").arg("-V").output().is_ok();
    if !found {
        eprintln!("tmux is not installed: skipping the end-to-end test");
    }
    found
}

/// Runs tmux with `args` and returns its stdout.
pub fn tmux(args: &[&str]) -> String {
    let output = Command::new("tmux").args(args).output().expect("tmux runs");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Waits until the screen of `session` contains `needle` (or fails after 20 s).
pub fn wait_for(session: &str, needle: &str) -> String {
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
        sleep(Duration::from_millis(50));
    }
}

/// Waits until the screen of `session` no longer contains `needle`.
pub fn wait_gone(session: &str, needle: &str, what: &str) {
    let start = Instant::now();
    while tmux(&["capture-pane", "-t", session, "-p"]).contains(needle) {
        assert!(start.elapsed() < Duration::from_secs(10), "{what}");
        sleep(Duration::from_millis(50));
    }
}

/// A detached session `width`×`height` running `command`, killed however
/// the test ends.
pub struct Session(pub String);

impl Session {
    pub fn start(name: &str, width: u16, height: u16, command: &str) -> Session {
        let status = Command::new("tmux")
            .args([
                "new-session",
                "-d",
                "-s",
                name,
                "-x",
                &width.to_string(),
                "-y",
                &height.to_string(),
                command,
            ])
            .status()
            .unwrap();
        assert!(status.success());
        Session(name.to_string())
    }

    pub fn name(&self) -> &str {
        &self.0
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.0])
            .status();
    }
}
