//! The REPL's program and its run, apart from any terminal: the lines typed,
//! each checked by loading the whole module with [`Program::from_wat`] (SPEC
//! §2's checks) before it is accepted, undo, `:save`, and a debugger [`App`]
//! on the program typed so far (see [`super::execution`] for how it runs).
//!
//! A submitted line is either accepted or refused with a [`Refusal`], and a
//! refusal changes nothing. While a `block`, `loop` or `if` is open, lines are
//! checked and buffered; when the last construct closes the program runs
//! again from the start, by forward passes, and the line is kept only if that
//! run halts (a trap, or no halt within the pass limit, refuses it).

use std::path::Path;
use std::sync::Arc;

use super::execution::{LinePasses, PendingRun};
use super::scan::{OpenConstruct, scan};
use super::source::{
    LineKind, ModuleText, Tail, TypedLine, count_lines, module_text, syntax_error_position,
};
use crate::debugger::app::{App, Panel};
use crate::engine::Model;
use crate::files::FileContents;
use crate::program::{LoadError, Program};

/// The name generated modules load under (errors strip it).
const PROGRAM_NAME: &str = "repl";

/// Longest line accepted, in characters.
pub const MAX_LINE_CHARS: usize = 2000;

/// Why a line or command was not accepted, to show under the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub message: String,
    /// The column of the submitted text (from 0) the message is about.
    pub column: Option<usize>,
}

impl Refusal {
    pub fn new(message: impl Into<String>) -> Refusal {
        Refusal {
            message: message.into(),
            column: None,
        }
    }
}

/// What an accepted submission started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Submitted {
    /// Checked and kept; a construct is still open, so nothing runs yet.
    Buffered,
    /// The program is whole: it runs, and the line is kept if it halts.
    Running,
}

/// A module that loaded, with what the REPL needs to know about it.
pub(super) struct Built {
    pub program: Program,
    pub text: ModuleText,
    /// Flat instructions that come from the typed lines (the rest are the
    /// generated tail and the final `end`).
    pub typed_flat_len: usize,
}

/// A module that did not load, and its text (to place the error in a line).
pub(super) struct Failed {
    pub error: LoadError,
    pub text: ModuleText,
}

/// The REPL's program and the debugger state on its latest run.
pub struct ReplSession {
    pub(super) model: Arc<Model>,
    pub(super) files: FileContents,
    pub(super) pass_limit: u64,
    /// The accepted lines: those of the program that ran, then the ones
    /// buffered while a construct is open.
    pub(super) lines: Vec<TypedLine>,
    /// The debugger on the run shown.
    pub(super) app: App,
    /// The program `app` shows, as lines (it includes a refused line when the
    /// run shown is the one that refused it) and its typed instruction count.
    pub(super) shown_lines: Vec<TypedLine>,
    pub(super) shown_typed_len: usize,
    /// Whether `app` shows a run that refused its last line.
    pub(super) shows_refused: bool,
    /// The passes that executed each line of `shown_lines`.
    pub(super) line_passes: Vec<LinePasses>,
    pub(super) running: Option<PendingRun>,
    /// The line texts at the last `:save`.
    saved: Option<Vec<String>>,
}

impl ReplSession {
    /// A session on the empty program, run (one pass: `main` returns).
    pub fn new(
        model: Arc<Model>,
        files: FileContents,
        pass_limit: u64,
    ) -> Result<ReplSession, String> {
        let built = build(&[]).map_err(|failed| failed.error.to_string())?;
        let mut app = App::new(super::execution::new_debug_session(
            &model,
            built.program.clone(),
            &files,
        )?);
        // Where a REPL's results land (the listing repeats the lines typed).
        app.focus = Panel::Stack;
        let mut session = ReplSession {
            model,
            files,
            pass_limit: pass_limit.max(1),
            lines: Vec::new(),
            app,
            shown_lines: Vec::new(),
            shown_typed_len: 0,
            shows_refused: false,
            line_passes: Vec::new(),
            running: None,
            saved: None,
        };
        session
            .start_run(Vec::new(), built, false)
            .map_err(|r| r.message)?;
        session.finish_running();
        Ok(session)
    }

    /// The debugger state on the run shown.
    pub fn app(&self) -> &App {
        &self.app
    }

    pub fn app_mut(&mut self) -> &mut App {
        &mut self.app
    }

    /// The accepted lines (buffered ones included).
    pub fn lines(&self) -> &[TypedLine] {
        &self.lines
    }

    /// How many of [`Self::lines`] are in the program that runs: those up to
    /// the last one after which no construct is open.
    pub fn committed_len(&self) -> usize {
        committed_len(&self.lines)
    }

    /// The constructs open after the last line (the continuation prompt).
    pub fn open_constructs(&self) -> &[OpenConstruct] {
        self.lines.last().map_or(&[], |l| l.open_after.as_slice())
    }

    pub fn pass_limit(&self) -> u64 {
        self.pass_limit
    }

    /// Whether the run shown refused its last line.
    pub fn shows_refused_run(&self) -> bool {
        self.shows_refused
    }

    /// Whether lines were accepted or taken back since the last `:save`.
    pub fn unsaved(&self) -> bool {
        let texts: Vec<String> = self.lines.iter().map(|l| l.text.clone()).collect();
        match &self.saved {
            Some(saved) => *saved != texts,
            None => !texts.is_empty(),
        }
    }

    /// Checks one line of instructions and, when it is valid, keeps it
    /// (buffered) or starts the run that decides whether it is kept.
    pub fn submit(&mut self, text: &str) -> Result<Submitted, Refusal> {
        self.superseding_rerun(|session| session.submit_line(text))
    }

    fn submit_line(&mut self, text: &str) -> Result<Submitted, Refusal> {
        let leading = text.chars().take_while(|c| c.is_whitespace()).count();
        let trimmed = text.trim();
        if trimmed.chars().count() > MAX_LINE_CHARS {
            return Err(Refusal::new(format!(
                "a line holds at most {MAX_LINE_CHARS} characters"
            )));
        }
        let shape = scan(trimmed, self.open_constructs()).map_err(Refusal::new)?;
        let line = TypedLine {
            text: trimmed.to_string(),
            kind: LineKind::Code,
            indent: shape.indent,
            open_after: shape.open_after,
            flat_end: 0,
        };
        self.try_line(line, leading)
    }

    /// `:local $a $b`: declares i32 locals of `main`.
    pub fn declare_locals(&mut self, names: &[String]) -> Result<Submitted, Refusal> {
        self.superseding_rerun(|session| session.declare(names))
    }

    fn declare(&mut self, names: &[String]) -> Result<Submitted, Refusal> {
        if names.is_empty() {
            return Err(Refusal::new("name the local: :local $x"));
        }
        let mut declared = Vec::new();
        for name in names {
            let name = if name.starts_with('$') {
                name.clone()
            } else {
                format!("${name}")
            };
            if name.len() < 2 || !name[1..].chars().all(is_id_char) {
                return Err(Refusal::new(format!(
                    "{name} is not a WAT name: use letters, digits and _.-"
                )));
            }
            declared.push(name);
        }
        let open = self.open_constructs().to_vec();
        let line = TypedLine {
            text: format!(":local {}", declared.join(" ")),
            kind: LineKind::Locals(declared),
            indent: open.len(),
            open_after: open,
            flat_end: 0,
        };
        self.try_line(line, 0)
    }

    /// Loads the module with `line` added; keeps it buffered, or starts its run.
    fn try_line(&mut self, mut line: TypedLine, leading: usize) -> Result<Submitted, Refusal> {
        let mut candidate = self.lines.clone();
        line.flat_end = candidate.last().map_or(0, |l| l.flat_end);
        candidate.push(line);
        let index = candidate.len() - 1;
        let built = build(&candidate).map_err(|failed| {
            let mut refusal = refusal_of(&failed.error, &failed.text, index);
            refusal.column = refusal.column.map(|c| c + leading);
            refusal
        })?;
        candidate[index].flat_end = built.typed_flat_len;
        if candidate[index].open_after.is_empty() {
            self.start_run(candidate, built, true)?;
            Ok(Submitted::Running)
        } else {
            self.lines = candidate;
            Ok(Submitted::Buffered)
        }
    }

    /// Submits with `submit`, unless a line is still on trial. A run again
    /// after an undo gives way to the new line's run, which includes it (and
    /// starts again when the new line does not run).
    fn superseding_rerun(
        &mut self,
        submit: impl FnOnce(&mut ReplSession) -> Result<Submitted, Refusal>,
    ) -> Result<Submitted, Refusal> {
        if self
            .running
            .as_ref()
            .is_some_and(|pending| pending.on_trial)
        {
            return Err(Refusal::new(
                "the last line is still running: Esc stops it, Ctrl-Z takes it back",
            ));
        }
        let superseded = self.running.take().is_some();
        let result = submit(self);
        if superseded && result != Ok(Submitted::Running) {
            self.rerun();
        }
        result
    }

    /// Takes back the last line (a line still on trial first), and runs the
    /// program again when what runs changed. Returns the line taken back.
    pub fn undo(&mut self) -> Option<TypedLine> {
        let cancelled_rerun = match self.running.take() {
            Some(pending) if pending.on_trial => return pending.lines.last().cloned(),
            Some(_) => true,
            None => false,
        };
        let before = self.committed_len();
        let line = self.lines.pop();
        if cancelled_rerun || self.committed_len() != before || self.shows_refused {
            self.rerun();
        }
        line
    }

    /// Runs the committed lines again (after an undo).
    fn rerun(&mut self) {
        let lines = self.lines[..self.committed_len()].to_vec();
        match build(&lines) {
            Ok(built) => {
                if let Err(refusal) = self.start_run(lines, built, false) {
                    self.app.message = format!("error: {}", refusal.message);
                }
            }
            // A prefix of lines that loaded loads too; say so if it ever does not.
            Err(failed) => self.app.message = format!("error: {}", failed.error),
        }
    }

    /// Writes the program that runs (the committed lines) to `path`: WAT, or
    /// a binary module when the path ends in `.wasm`. Returns what was done.
    pub fn save(&mut self, path: &Path) -> Result<String, String> {
        let committed = &self.lines[..self.committed_len()];
        let built = build(committed).map_err(|failed| failed.error.to_string())?;
        let wasm = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("wasm"));
        let bytes = if wasm {
            wat::parse_str(&built.text.text).map_err(|e| e.to_string())?
        } else {
            built.text.text.clone().into_bytes()
        };
        std::fs::write(path, bytes)
            .map_err(|error| format!("cannot write {}: {error}", path.display()))?;
        let code = committed
            .iter()
            .filter(|l| l.kind == LineKind::Code)
            .count();
        let mut message = format!("saved {} ({}", path.display(), count_lines(code));
        if committed.len() > code {
            message.push_str(" and the locals");
        }
        message.push(')');
        let buffered = self.lines.len() - committed.len();
        if buffered > 0 {
            message.push_str(&format!(
                "; not the {} of the open block",
                count_lines(buffered)
            ));
        }
        self.saved = Some(committed.iter().map(|l| l.text.clone()).collect());
        Ok(message)
    }

    /// The module text of the program that runs, as `:save` writes it.
    pub fn module_source(&self) -> String {
        let committed = &self.lines[..self.committed_len()];
        build(committed).map_or_else(|failed| failed.text.text, |built| built.text.text)
    }
}

/// Lines up to the last one after which no construct is open.
pub(super) fn committed_len(lines: &[TypedLine]) -> usize {
    lines
        .iter()
        .rposition(|l| l.open_after.is_empty())
        .map_or(0, |i| i + 1)
}

/// Characters of a WAT identifier after its `$` (the common ones).
fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_.-+*/\\^~=<>!?@#$%&|:'`".contains(c)
}

/// Loads the module of `lines`: with closers while a construct is open;
/// otherwise as is, or with a final `return` when values are left.
pub(super) fn build(lines: &[TypedLine]) -> Result<Built, Box<Failed>> {
    let open = lines.last().map_or(&[][..], |l| l.open_after.as_slice());
    if !open.is_empty() {
        return load(lines, Tail::Closers(open));
    }
    load(lines, Tail::Nothing).or_else(|_| load(lines, Tail::Return))
}

fn load(lines: &[TypedLine], tail: Tail<'_>) -> Result<Built, Box<Failed>> {
    let text = module_text(lines, tail);
    match Program::from_wat(PROGRAM_NAME, &text.text) {
        Ok(program) => Ok(Built {
            typed_flat_len: typed_flat_len(&program, text.tail_operators),
            program,
            text,
        }),
        Err(error) => Err(Box::new(Failed { error, text })),
    }
}

/// Flat instructions from the typed code: those whose source operator comes
/// before the tail. The final `end` (the last instruction) is operator
/// `typed + tail_operators` of the body.
fn typed_flat_len(program: &Program, tail_operators: usize) -> usize {
    let Some(last) = program.instructions.last() else {
        return 0;
    };
    let typed = (last.origin.body_index as usize).saturating_sub(tail_operators);
    program
        .instructions
        .partition_point(|i| (i.origin.body_index as usize) < typed)
}

/// The message for a module that did not load because of line `index`,
/// without the program name, pointing into the line when it can.
fn refusal_of(error: &LoadError, text: &ModuleText, index: usize) -> Refusal {
    let first_line = error.message.lines().next().unwrap_or_default().to_string();
    // Syntax errors (wat's) point at a line and column of the module text.
    if let Some((line, column)) = syntax_error_position(&error.message) {
        let start = text
            .placed
            .iter()
            .find(|(i, l, _)| *i == index && *l == line)
            .map(|(_, _, start)| *start);
        let message = first_line.trim_start_matches("invalid WebAssembly text: ");
        return Refusal {
            message: message.to_string(),
            column: start.and_then(|start| column.checked_sub(1 + start)),
        };
    }
    let message = match &error.location {
        Some(location) if !location.starts_with("function main") => {
            format!("{location}: {first_line}")
        }
        _ => first_line,
    };
    Refusal::new(message)
}
