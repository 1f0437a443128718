//! The REPL's screen state and its keys, apart from any drawing: the input
//! line, the error shown under it, what happened last, the help, and whether
//! keys go to the input (typing) or to the embedded debugger. [`Repl::key`]
//! takes one key; the commands (`:undo`, `:save`, ...) are read here and
//! carried out by the [`ReplSession`].

use std::path::Path;
use std::time::Duration;

use super::editor::Editor;
use super::execution::Finished;
use super::session::{Refusal, ReplSession, Submitted};
use super::source::count_lines;
use crate::debugger::keymap::{Action, Key};

/// A key press, independent of the terminal library.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplKey {
    Char(char),
    /// A letter with Ctrl held, lower case.
    Ctrl(char),
    Enter,
    Esc,
    Backspace,
    Delete,
    Left,
    Right,
    Up,
    Down,
    Home,
    End,
    Tab,
    BackTab,
    PageUp,
    PageDown,
}

/// Where keys go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// To the input line.
    Typing,
    /// To the debugger's keymap (n/N passes, </> layers, ...), until Esc.
    Debugger,
}

/// The commands and keys, for `:help`.
pub const HELP: &[(&str, &str)] = &[
    (
        "i32.const 3  i32.add ...",
        "an instruction: checked, then run by passes",
    ),
    ("call $output", "also $fd_open $fd_read $fd_write $fd_close"),
    (
        "block  loop  if ... end",
        "lines wait (prompt ...) until the last end",
    ),
    (":local $x $y", "declare i32 locals of main"),
    ("memory", "one page: i32.load and i32.store"),
    (":undo  Ctrl-Z", "take back the last line"),
    (":save FILE.wat", "write the program (FILE.wasm: binary)"),
    (":debug  Ctrl-G", "debugger keys (n/N, </>, ?); Esc back"),
    (":help", "this help"),
    (
        ":quit  Esc  Ctrl-D  Ctrl-C",
        "quit (Esc, Ctrl-D ask first if unsaved)",
    ),
    ("Esc while running", "stop the run (the line is not kept)"),
    ("← → Home End Bksp Del Ctrl-U", "edit the line"),
    ("↑ ↓", "lines typed before"),
    (
        "Tab  S-Tab  PgUp  PgDn",
        "next or previous panel; scroll it",
    ),
];

/// Everything the REPL's screen shows, and how keys change it.
pub struct Repl {
    pub session: ReplSession,
    pub editor: Editor,
    pub mode: Mode,
    pub help: bool,
    /// Why the last line or command was refused, shown under the input.
    pub refusal: Option<Refusal>,
    /// What happened last.
    pub message: String,
    /// Esc or Ctrl-D was pressed once with unsaved lines.
    quit_asked: bool,
    pub quit: bool,
}

impl Repl {
    pub fn new(session: ReplSession) -> Repl {
        Repl {
            session,
            editor: Editor::default(),
            mode: Mode::Typing,
            help: false,
            refusal: None,
            message: "the empty program: main returns in pass 1".into(),
            quit_asked: false,
            quit: false,
        }
    }

    /// Whether a run is in progress (the REPL's, or the debugger's `c`).
    pub fn busy(&self) -> bool {
        self.session.running() || self.session.app().running.is_some()
    }

    /// Advances a run in progress for about `budget`.
    pub fn run_slice(&mut self, budget: Duration) {
        if self.session.running() {
            if let Some(finished) = self.session.run_slice(budget) {
                self.finished(finished);
            }
        } else if self.session.app().running.is_some() {
            self.session.app_mut().run_slice(budget);
        }
    }

    /// Runs whatever is in progress to its end (tests).
    pub fn finish_running(&mut self) {
        while self.busy() {
            self.run_slice(Duration::from_secs(3600));
        }
    }

    /// Handles one key.
    pub fn key(&mut self, key: ReplKey) {
        if key == ReplKey::Ctrl('c') {
            self.quit = true;
            return;
        }
        if !matches!(key, ReplKey::Esc | ReplKey::Ctrl('d')) {
            self.quit_asked = false;
        }
        if self.help {
            self.help = false;
            return;
        }
        match self.mode {
            Mode::Typing => self.typing_key(key),
            Mode::Debugger => self.debugger_key(key),
        }
    }

    fn typing_key(&mut self, key: ReplKey) {
        let editor = &mut self.editor;
        match key {
            ReplKey::Char(c) => editor.insert(c),
            ReplKey::Backspace => editor.backspace(),
            ReplKey::Delete => editor.delete(),
            ReplKey::Left => editor.left(),
            ReplKey::Right => editor.right(),
            ReplKey::Home | ReplKey::Ctrl('a') => editor.home(),
            ReplKey::End | ReplKey::Ctrl('e') => editor.end(),
            ReplKey::Ctrl('u') => editor.clear(),
            ReplKey::Up => editor.older(),
            ReplKey::Down => editor.newer(),
            ReplKey::Enter => self.submit(),
            ReplKey::Ctrl('z') => self.undo(),
            ReplKey::Ctrl('g') => self.enter_debugger(),
            ReplKey::Esc if self.session.running() => {
                if let Some(finished) = self.session.stop() {
                    self.finished(finished);
                }
            }
            ReplKey::Esc | ReplKey::Ctrl('d') => self.ask_to_quit(),
            ReplKey::Tab => self.session.app_mut().update(Action::FocusNext),
            ReplKey::BackTab => self.session.app_mut().update(Action::FocusPrevious),
            ReplKey::PageUp => self.session.app_mut().update(Action::PageUp),
            ReplKey::PageDown => self.session.app_mut().update(Action::PageDown),
            ReplKey::Ctrl(_) => {}
        }
    }

    fn debugger_key(&mut self, key: ReplKey) {
        let app = self.session.app_mut();
        let idle = app.prompt.is_none() && !app.help && app.running.is_none();
        if key == ReplKey::Ctrl('g') || (key == ReplKey::Esc && idle) {
            // A `c` still running stops where it is: typing owns the runs.
            app.interrupt();
            self.mode = Mode::Typing;
            return;
        }
        if let Some(key) = debugger_key(key) {
            app.key(key);
            if app.quit {
                app.quit = false;
                self.mode = Mode::Typing;
            }
        }
    }

    fn enter_debugger(&mut self) {
        self.mode = Mode::Debugger;
        self.session.app_mut().message =
            "debugger keys: n/N pass · ? keys · Esc back to typing".into();
    }

    fn ask_to_quit(&mut self) {
        if self.session.unsaved() && !self.quit_asked {
            self.quit_asked = true;
            self.message = format!(
                "{} not saved: once more quits; :save FILE.wat keeps them",
                count_lines(self.session.lines().len())
            );
        } else {
            self.quit = true;
        }
    }

    /// Enter: the input is an instruction line or a `:` command.
    fn submit(&mut self) {
        let text = self.editor.take();
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return;
        }
        self.refusal = None;
        let result = match trimmed.strip_prefix(':') {
            Some(command) => self.command(command),
            None => self.session.submit(&text).map(|s| self.submitted(s)),
        };
        if let Err(refusal) = result {
            self.refuse(&text, refusal);
        }
    }

    /// Says what an accepted submission started.
    fn submitted(&mut self, submitted: Submitted) {
        let n = self.session.lines().len();
        self.message = match submitted {
            Submitted::Buffered => {
                let open = self.session.open_constructs().len();
                format!("line {n} waits: {open} open, it runs at the last `end`")
            }
            Submitted::Running => format!("running line {}…", n + 1),
        };
    }

    fn command(&mut self, command: &str) -> Result<(), Refusal> {
        let mut words = command.split_whitespace();
        let name = words.next().unwrap_or_default();
        let rest: Vec<String> = words.map(str::to_string).collect();
        // The file named after `:save`, spaces and all.
        let argument = command.trim_start()[name.len()..].trim();
        match name {
            "undo" | "u" if rest.is_empty() => self.undo(),
            "save" | "w" if !argument.is_empty() => {
                self.message = self
                    .session
                    .save(Path::new(argument))
                    .map_err(Refusal::new)?;
            }
            "save" | "w" => return Err(Refusal::new("give a file: :save FILE.wat")),
            "local" | "locals" => {
                let submitted = self.session.declare_locals(&rest)?;
                self.submitted(submitted);
            }
            "debug" | "d" if rest.is_empty() => self.enter_debugger(),
            "help" | "h" | "?" => self.help = true,
            "quit" | "q" | "exit" if rest.is_empty() => self.quit = true,
            _ => {
                return Err(Refusal::new(format!(
                    "unknown command :{command} (:help lists them)"
                )));
            }
        }
        Ok(())
    }

    fn undo(&mut self) {
        self.refusal = None;
        let before = self.session.lines().len();
        self.message = match self.session.undo() {
            Some(line) if self.session.lines().len() == before => {
                format!("took back the line still running: {}", line.text)
            }
            Some(line) => format!("took back line {before}: {}", line.text),
            None => "nothing to take back".into(),
        };
    }

    /// Shows a refusal under the input, which keeps the text (nothing is lost).
    fn refuse(&mut self, text: &str, refusal: Refusal) {
        self.editor.set(text);
        self.refusal = Some(refusal);
    }

    fn finished(&mut self, finished: Finished) {
        if finished.kept {
            // A run again after an undo keeps the undo's message.
            if finished.line.is_some() {
                self.message = finished.message;
            }
            return;
        }
        let n = self.session.lines().len() + 1;
        self.message = format!("the panels show the run that refused line {n}");
        let refusal = Refusal::new(format!("not kept: {}", finished.message));
        match finished.line {
            Some(line) if self.editor.is_empty() => self.refuse(&line.text, refusal),
            _ => self.refusal = Some(refusal),
        }
    }
}

/// The debugger's key for a REPL key.
fn debugger_key(key: ReplKey) -> Option<Key> {
    Some(match key {
        ReplKey::Char(c) => Key::Char(c),
        ReplKey::Ctrl('c') => Key::CtrlC,
        ReplKey::Ctrl(_) | ReplKey::Delete => return None,
        ReplKey::Enter => Key::Enter,
        ReplKey::Esc => Key::Esc,
        ReplKey::Backspace => Key::Backspace,
        ReplKey::Left => Key::Left,
        ReplKey::Right => Key::Right,
        ReplKey::Up => Key::Up,
        ReplKey::Down => Key::Down,
        ReplKey::Home => Key::Home,
        ReplKey::End => Key::End,
        ReplKey::Tab => Key::Tab,
        ReplKey::BackTab => Key::BackTab,
        ReplKey::PageUp => Key::PageUp,
        ReplKey::PageDown => Key::PageDown,
    })
}
