//! Running the program typed so far: a fresh [`DebugSession`] on it, run from
//! the start by forward passes (re-running the prefix is cheap: programs typed
//! by hand are short) until it ends or reaches the pass limit, in slices so
//! that keys still work during a long run. The debugger is then shown at the
//! pass that executed the last typed instruction, not at the generated tail.
//!
//! Nothing here computes a runtime value: outputs, traps and the end come from
//! the session's tokens, and which line a pass executed from the `ip` of the
//! token that pass read.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::session::{Built, Refusal, ReplSession, committed_len};
use super::source::{LineKind, TypedLine};
use crate::debugger::app::App;
use crate::debugger::session::{DebugSession, PassRecord, Stopped};
use crate::engine::Model;
use crate::files::FileContents;
use crate::program::Program;
use crate::report::Ending;

/// A run in progress, shown once it ends.
pub struct PendingRun {
    pub(super) app: App,
    /// The program's lines (the last one on trial when `on_trial`).
    pub(super) lines: Vec<TypedLine>,
    pub(super) on_trial: bool,
    pub(super) typed_flat_len: usize,
    started: Instant,
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunEnd {
    Halted,
    /// The message the run decoded (it names the instruction).
    Trapped(String),
    /// The pass limit came first.
    PassLimit,
    /// Stopped by a key.
    Stopped,
    /// The engine failed.
    Failed(String),
}

/// A finished run, as the REPL reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    pub end: RunEnd,
    /// The line that was on trial, if one was.
    pub line: Option<TypedLine>,
    /// Whether that line was kept.
    pub kept: bool,
    /// What happened, in words.
    pub message: String,
}

/// The passes that executed one line's instructions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LinePasses {
    pub count: u64,
    pub first: u64,
    pub last: u64,
}

impl LinePasses {
    fn add(&mut self, pass: u64) {
        if self.count == 0 {
            self.first = pass;
        }
        self.count += 1;
        self.last = pass;
    }

    fn merge(&mut self, other: LinePasses) {
        if other.count > 0 {
            if self.count == 0 {
                self.first = other.first;
            }
            self.first = self.first.min(other.first);
            self.last = self.last.max(other.last);
            self.count += other.count;
        }
    }

    /// `pass 4`, `8× passes 5–40`.
    pub fn describe(&self) -> String {
        if self.count == 1 {
            format!("pass {}", self.first)
        } else {
            format!("{}× passes {}–{}", self.count, self.first, self.last)
        }
    }
}

/// A debugger session on `program`, sharing the model.
pub(super) fn new_debug_session(
    model: &Arc<Model>,
    program: Program,
    files: &FileContents,
) -> Result<DebugSession, String> {
    DebugSession::new(Arc::clone(model), Arc::new(program), files.clone())
}

/// What the user chose to look at carries over from one run to the next.
fn carry_view(from: &App, to: &mut App) {
    to.focus = from.focus;
    to.layer = from.layer;
    to.residual = from.residual;
    to.item = from.item;
    to.layer_scroll = from.layer_scroll;
    to.dim = from.dim;
    to.cursors = from.cursors;
    to.breakpoints = from.breakpoints.clone();
    to.watches = from.watches.clone();
    to.search = from.search.clone();
}

/// The line each flat instruction `ip` of the typed code belongs to.
fn line_of(lines: &[TypedLine], typed_flat_len: usize, ip: i64) -> Option<usize> {
    let ip = usize::try_from(ip).ok().filter(|&ip| ip < typed_flat_len)?;
    Some(lines.partition_point(|l| l.flat_end <= ip)).filter(|&i| i < lines.len())
}

/// For each line, the passes among `records` that executed it.
fn passes_per_line(
    lines: &[TypedLine],
    typed_flat_len: usize,
    records: &[PassRecord],
) -> Vec<LinePasses> {
    let mut passes = vec![LinePasses::default(); lines.len()];
    for (i, record) in records.iter().enumerate() {
        if let Some(line) = line_of(lines, typed_flat_len, record.ip) {
            passes[line].add(i as u64 + 1);
        }
    }
    passes
}

impl ReplSession {
    /// Starts running `built` (the program of `lines`) from the start.
    pub(super) fn start_run(
        &mut self,
        lines: Vec<TypedLine>,
        built: Built,
        on_trial: bool,
    ) -> Result<(), Refusal> {
        let session =
            new_debug_session(&self.model, built.program, &self.files).map_err(Refusal::new)?;
        let mut app = App::new(session);
        carry_view(&self.app, &mut app);
        self.running = Some(PendingRun {
            app,
            lines,
            on_trial,
            typed_flat_len: built.typed_flat_len,
            started: Instant::now(),
        });
        Ok(())
    }

    /// Whether a run is in progress.
    pub fn running(&self) -> bool {
        self.running.is_some()
    }

    /// The pass a run in progress has reached, and its passes per second.
    pub fn progress(&self) -> Option<(u64, f64)> {
        let pending = self.running.as_ref()?;
        let pass = pending.app.session.pass();
        let seconds = pending.started.elapsed().as_secs_f64();
        let speed = if seconds > 0.0 {
            pass as f64 / seconds
        } else {
            0.0
        };
        Some((pass, speed))
    }

    /// Runs passes for about `budget`; returns the run once it has ended.
    pub fn run_slice(&mut self, budget: Duration) -> Option<Finished> {
        let limit = self.pass_limit;
        let pending = self.running.as_mut()?;
        let deadline = Instant::now() + budget;
        let left = limit.saturating_sub(pending.app.session.pass());
        let result = pending
            .app
            .session
            .run_until(left, |_: &DebugSession| false, &mut |_| {
                Instant::now() >= deadline
            });
        let end = match result {
            Ok(Stopped::Interrupted) => return None,
            Ok(_) => match pending.app.session.host().ending() {
                Some(Ending::Halted) => RunEnd::Halted,
                Some(Ending::Trapped(message)) => RunEnd::Trapped(message.clone()),
                Some(Ending::StepLimit) | None => RunEnd::PassLimit,
            },
            Err(error) => RunEnd::Failed(error),
        };
        let pending = self.running.take()?;
        Some(self.finish(pending, end))
    }

    /// Stops a run in progress where it is (the line on trial is refused).
    pub fn stop(&mut self) -> Option<Finished> {
        let pending = self.running.take()?;
        Some(self.finish(pending, RunEnd::Stopped))
    }

    /// Runs a run in progress to its end, without slices (tests, start-up).
    pub fn finish_running(&mut self) -> Option<Finished> {
        loop {
            self.running.as_ref()?;
            if let Some(finished) = self.run_slice(Duration::from_secs(3600)) {
                return Some(finished);
            }
        }
    }

    /// Shows the ended run at the pass that executed the last typed
    /// instruction (the last pass when none did), and keeps or refuses the
    /// line on trial.
    fn finish(&mut self, pending: PendingRun, end: RunEnd) -> Finished {
        let mut app = pending.app;
        let typed = pending.typed_flat_len;
        let records = app.session.records();
        let passes = passes_per_line(&pending.lines, typed, records);
        let total = app.session.pass();
        let target = records
            .iter()
            .rposition(|r| line_of(&pending.lines, typed, r.ip).is_some())
            .map_or(total, |i| i as u64 + 1);
        let message = match &end {
            RunEnd::Halted => describe_halted(&pending.lines, &passes, records, total),
            RunEnd::Trapped(trap) => format!("trap at pass {total}: {trap}"),
            RunEnd::PassLimit => format!(
                "no halt within {} passes (a loop that never exits? --max-steps)",
                self.pass_limit
            ),
            RunEnd::Stopped => format!("stopped at pass {total}"),
            RunEnd::Failed(error) => format!("the engine failed at pass {total}: {error}"),
        };
        app.go_to(target);
        let kept = end == RunEnd::Halted || !pending.on_trial;
        let line = pending
            .on_trial
            .then(|| pending.lines.last().cloned())
            .flatten();
        if kept && pending.on_trial {
            self.lines = pending.lines.clone();
        }
        self.shows_refused = !kept;
        self.shown_lines = pending.lines;
        self.shown_typed_len = typed;
        self.line_passes = passes;
        self.app = app;
        Finished {
            end,
            line,
            kept,
            message,
        }
    }

    /// The passes that executed each line of the program shown.
    pub fn line_passes(&self) -> &[LinePasses] {
        &self.line_passes
    }

    /// The line whose instruction the pass on screen executed.
    pub fn current_line(&self) -> Option<usize> {
        let session = &self.app.session;
        let record = session.record(session.pass())?;
        line_of(&self.shown_lines, self.shown_typed_len, record.ip)
    }
}

/// `line 4 ran in pass 4 · halted at pass 5`, for the line (or the lines of
/// the construct) just completed.
fn describe_halted(
    lines: &[TypedLine],
    passes: &[LinePasses],
    records: &[PassRecord],
    total: u64,
) -> String {
    let Some(last) = lines.last() else {
        return format!("halted at pass {total}");
    };
    if let LineKind::Locals(names) = &last.kind {
        let before: usize = lines[..lines.len() - 1]
            .iter()
            .map(|l| match &l.kind {
                LineKind::Locals(n) => n.len(),
                LineKind::Code => 0,
            })
            .sum();
        let declared: Vec<String> = names
            .iter()
            .enumerate()
            .map(|(i, name)| format!("{name} (local {})", before + i))
            .collect();
        return format!("declared {}", declared.join(", "));
    }
    let start = committed_len(&lines[..lines.len() - 1]);
    let label = if start + 1 == lines.len() {
        format!("line {}", lines.len())
    } else {
        format!("lines {}–{}", start + 1, lines.len())
    };
    let mut group = LinePasses::default();
    for p in &passes[start..] {
        group.merge(*p);
    }
    let before = start.checked_sub(1).map_or(0, |i| lines[i].flat_end);
    let has_code = last.flat_end > before;
    if !has_code {
        format!("{label}: no instructions to run · halted at pass {total}")
    } else if group.count == 0 {
        format!("{label} did not run: the program returns before it")
    } else {
        let outputs = group_outputs(records, lines, last.flat_end, start);
        format!(
            "{label} ran in {}{outputs} · halted at pass {total}",
            group.describe()
        )
    }
}

/// ` → output 8`: the first few values output by the tokens of the passes
/// that ran lines `start..`.
fn group_outputs(
    records: &[PassRecord],
    lines: &[TypedLine],
    typed_flat_len: usize,
    start: usize,
) -> String {
    const SHOWN: usize = 5;
    let values: Vec<i32> = records
        .iter()
        .filter(|r| r.token.out)
        .filter(|r| line_of(lines, typed_flat_len, r.ip).is_some_and(|line| line >= start))
        .map(|r| r.token.value)
        .collect();
    let mut shown: Vec<String> = values.iter().take(SHOWN).map(i32::to_string).collect();
    if values.len() > SHOWN {
        shown.push("…".into());
    }
    match values.len() {
        0 => String::new(),
        1 => format!(" → output {}", shown[0]),
        _ => format!(" → outputs {}", shown.join(", ")),
    }
}
