//! The debugger's model of a run: the transformer stepped one forward pass at a
//! time, the reference VM in lockstep (one pass executes one instruction), a
//! compact record of every pass, and [`checkpoints`] so that going back
//! re-executes a few dozen passes.
//!
//! **The current pass.** The session is always just after some pass `p` (0
//! before the first). Pass `p` *executes* instruction `record(p).ip`, the
//! instruction pointer of the token it read, and emits the token that says
//! what that instruction did. Everything the debugger shows follows pass `p`:
//! its activations, its token, the state after it, and the instruction it
//! executed. At pass 0 only the prompt has run, and instruction 0 is next.
//!
//! **Replays** ([`replay`]). The tokens are recorded, so the host's side, the
//! VM and the decoded state move on them alone, at once; the model's run
//! follows behind and catches up to show the layers of the pass on screen.

pub mod checkpoints;
pub mod machine;
pub mod record;
mod replay;

use std::sync::Arc;

use checkpoints::Checkpoints;
pub use checkpoints::{CHECKPOINT_EVERY, DENSE_WINDOW};
pub use machine::{Access, Machine, Sourced};
pub use record::{Field, FieldSet, FieldValue, Mismatch, PassRecord};

use crate::engine::capture::PassCapture;
use crate::engine::{Mode, Model};
use crate::files::FileContents;
use crate::interpreter::tokens::TraceToken;
use crate::interpreter::{Host, TransformerRun};
use crate::program::Program;
use crate::trace::reader::{RecordedPass, Trace};
use crate::vm::Vm;

/// How often a long run asks whether to stop (a few milliseconds of passes).
pub const INTERRUPT_CHECK: u64 = 64;

/// Passes a replay's model catches up at once after a move (a step back
/// re-runs at most a checkpoint's spacing); further takes slices.
pub const CATCH_UP_AT_ONCE: u64 = 4096;

/// The state a checkpoint restores: what the tokens say at a pass, and the
/// model's run there when it ran in step (`None` in a replay, whose model
/// keeps its own checkpoints).
#[derive(Clone)]
struct State {
    run: Option<TransformerRun>,
    host: Host,
    vm: Vm,
    machine: Machine,
}

/// The run under the debugger.
pub struct DebugSession {
    model: Arc<Model>,
    /// The model's run. While debugging it is at the current pass; in a
    /// replay it may be at any pass before it, and catches up (teacher
    /// forced) when the current pass's activations are wanted.
    run: TransformerRun,
    /// The host's side at the current pass: the tokens appended and what
    /// they decode to.
    host: Host,
    vm: Vm,
    /// The state the emitted tokens describe, with where each value came from.
    machine: Machine,
    /// One per pass run on this timeline, and beyond it after stepping back
    /// (the run is deterministic, so passes undone stay valid).
    records: Vec<PassRecord>,
    checkpoints: Checkpoints<State>,
    capture: Option<PassCapture>,
    /// Where the current pass disagrees with the VM.
    mismatches: Vec<Mismatch>,
    /// Why the run cannot go on from here: the model emitted a token the
    /// host cannot use (edited weights). Going back clears it.
    broken: Option<String>,
    /// A replay's recorded passes: each pass is fed the recorded token
    /// (teacher forcing) instead of the model's argmax.
    recorded: Option<Arc<[RecordedPass]>>,
    /// In a replay, where the current pass's argmax differs from the
    /// recording: `(output field, recorded, model)`.
    disagreement: Vec<(usize, i64, i64)>,
    /// In a replay, the model's run at earlier passes.
    model_checkpoints: Checkpoints<TransformerRun>,
    /// In a replay, every pass up to this one has been compared with the
    /// model's argmax.
    checked_through: u64,
    /// In a replay, whether the model runs along as the current pass moves
    /// forward (to find disagreements) or stays behind (to move at once).
    model_along: bool,
}

impl DebugSession {
    pub fn new(
        model: Arc<Model>,
        program: Arc<Program>,
        files: FileContents,
    ) -> Result<DebugSession, String> {
        let vm = Vm::new(Arc::clone(&program), files.clone());
        let machine = Machine::new(&program, &files);
        let run = TransformerRun::new(Arc::clone(&model), program, files, Mode::Fast)?;
        let host = run.host().clone();
        let checkpoints = Checkpoints::new(State {
            run: Some(run.clone()),
            host: host.clone(),
            vm: vm.clone(),
            machine: machine.clone(),
        });
        let model_checkpoints = Checkpoints::new(run.clone());
        Ok(DebugSession {
            model,
            run,
            host,
            vm,
            machine,
            records: Vec::new(),
            checkpoints,
            capture: None,
            mismatches: Vec::new(),
            broken: None,
            recorded: None,
            disagreement: Vec::new(),
            model_checkpoints,
            checked_through: 0,
            model_along: false,
        })
    }

    /// A session that replays `trace`: every pass reads the recorded token
    /// before it, whatever the model said, and is compared with the next.
    pub fn replaying(model: Arc<Model>, trace: &Trace) -> Result<DebugSession, String> {
        let mut session =
            DebugSession::new(model, Arc::clone(&trace.program), trace.files.clone())?;
        session.recorded = Some(trace.passes.clone().into());
        let start = session.checkpoints.at_or_before(0).1.clone();
        session.checkpoints = Checkpoints::new(State { run: None, ..start });
        Ok(session)
    }

    /// Whether this session replays a trace.
    pub fn is_replay(&self) -> bool {
        self.recorded.is_some()
    }

    /// In a replay, where the current pass's argmax differs from the
    /// recording: `(output field, recorded, model)`.
    pub fn disagreement(&self) -> &[(usize, i64, i64)] {
        &self.disagreement
    }

    pub fn model(&self) -> &Arc<Model> {
        &self.model
    }

    pub fn program(&self) -> &Arc<Program> {
        self.host.program()
    }

    /// The host's side at the current pass: outputs, files, the ending.
    pub fn host(&self) -> &Host {
        &self.host
    }

    pub fn vm(&self) -> &Vm {
        &self.vm
    }

    /// The state after the current pass, decoded from the emitted tokens.
    pub fn machine(&self) -> &Machine {
        &self.machine
    }

    /// The current pass: trace passes executed so far (0 before the first).
    pub fn pass(&self) -> u64 {
        self.host.steps()
    }

    /// The record of pass `pass` (1-based), if it has been run.
    pub fn record(&self, pass: u64) -> Option<&PassRecord> {
        pass.checked_sub(1)
            .and_then(|i| self.records.get(i as usize))
    }

    /// The records of every pass run so far, on this timeline and beyond.
    pub fn records(&self) -> &[PassRecord] {
        &self.records
    }

    /// The records up to and including the current pass.
    pub fn records_so_far(&self) -> &[PassRecord] {
        let known = (self.pass() as usize).min(self.records.len());
        &self.records[..known]
    }

    /// The instruction the current pass executed; `None` at pass 0.
    pub fn executed(&self) -> Option<usize> {
        self.record(self.pass())
            .and_then(|r| usize::try_from(r.ip).ok())
    }

    /// The instruction the next pass will execute, while the run goes on.
    pub fn next_instruction(&self) -> Option<usize> {
        if self.finished() {
            None
        } else {
            usize::try_from(self.host.token().ip).ok()
        }
    }

    /// The activations of the current pass, if it was captured.
    pub fn capture(&self) -> Option<&PassCapture> {
        self.capture.as_ref()
    }

    /// Where the current pass disagrees with the VM (empty when it agrees).
    pub fn mismatches(&self) -> &[Mismatch] {
        &self.mismatches
    }

    /// Whether the run has ended (in a replay: or the recording has).
    pub fn finished(&self) -> bool {
        self.host.finished()
            || self
                .recorded
                .as_ref()
                .is_some_and(|r| self.host.steps() as usize >= r.len())
    }

    /// The first pass whose token differs from the VM, among those run.
    pub fn first_divergence(&self) -> Option<u64> {
        self.records
            .iter()
            .position(PassRecord::diverged)
            .map(|i| i as u64 + 1)
    }

    /// How many checkpoints are held (for the benchmark and tests).
    pub fn checkpoint_count(&self) -> usize {
        self.checkpoints.len()
    }

    /// Runs one forward pass (captured when `capture`), with the VM alongside.
    /// In a replay the pass reads the recorded token, and the model runs only
    /// when it is at the current pass and runs along or is to capture; the
    /// listing, stack, memory, files and outputs follow the tokens anyway.
    pub fn forward(&mut self, capture: bool) -> Result<Option<&PassRecord>, String> {
        if self.finished() {
            return Ok(None);
        }
        let (token, checked) = match &self.recorded {
            None => {
                if let Some(error) = &self.broken {
                    return Err(error.clone());
                }
                let mut captured = capture.then(PassCapture::default);
                match self.run.step(captured.as_mut()) {
                    Ok(token) => {
                        self.capture = captured;
                        (token, true)
                    }
                    Err(error) => {
                        self.broken = Some(error.clone());
                        return Err(error);
                    }
                }
            }
            Some(recorded) => {
                let token = recorded[self.pass() as usize].token;
                let checked =
                    self.model_in_step() && (self.model_along || capture) && self.broken.is_none();
                if checked {
                    let (disagreement, captured) = self.model_step(capture)?;
                    self.disagreement = disagreement;
                    self.capture = captured;
                } else {
                    self.capture = None;
                    self.disagreement.clear();
                }
                (token, checked)
            }
        };
        self.advance(token, checked)?;
        let pass = self.pass();
        let index = (pass - 1) as usize;
        if self.checkpoints.wants(pass) {
            let state = State {
                run: self.recorded.is_none().then(|| self.run.clone()),
                host: self.host.clone(),
                vm: self.vm.clone(),
                machine: self.machine.clone(),
            };
            self.checkpoints.save(pass, state);
        }
        Ok(self.records.get(index))
    }

    /// Appends `token` on the host's side: the VM executes the instruction,
    /// the decoded state and the record follow. `checked`: the model ran
    /// this pass along (in a replay, `disagreement` is then its verdict).
    fn advance(&mut self, token: TraceToken, checked: bool) -> Result<(), String> {
        let ip = self.host.token().ip;
        let depth_before = self.vm.stack().len() as i64;
        self.host.append(token)?;
        self.vm.step();
        let pass = self.pass();
        self.machine.apply(pass, ip, &token, self.host.program());
        self.mismatches = record::compare(
            &token,
            &self.vm,
            self.vm.stack().len() as i64 - depth_before,
        );
        let index = (pass - 1) as usize;
        let disagrees = if checked {
            !self.disagreement.is_empty()
        } else {
            // Known from an earlier run of the model, if it got this far.
            self.records.get(index).is_some_and(|r| r.disagrees)
        };
        let record = PassRecord {
            ip,
            token,
            diverged: record::fields_of(&self.mismatches),
            disagrees,
        };
        if index < self.records.len() {
            self.records[index] = record;
        } else {
            self.records.push(record);
        }
        Ok(())
    }

    /// Moves to just after pass `target` (0 = before the first), re-executing
    /// from the nearest checkpoint when going back; the pass arrived at is
    /// captured. A target past the end stops at the last pass.
    /// In a replay the model's run catches up at once when it is at most
    /// [`CATCH_UP_AT_ONCE`] passes behind; further, the pass is shown and
    /// [`Self::catch_up`] is left to the caller (the debugger runs it in
    /// slices, between keys).
    pub fn go_to(&mut self, target: u64) -> Result<(), String> {
        self.move_to(target)?;
        self.catch_up_briefly()
    }

    /// Whether a replay's model has yet to reach the current pass (see
    /// [`Self::catch_up`]).
    pub fn needs_catch_up(&self) -> bool {
        self.recorded.is_some()
            && self.pass() > 0
            && self.capture.is_none()
            && self.broken.is_none()
    }

    /// [`Self::go_to`], except that in a replay the model's run is left
    /// where it is: the pass is reached at once, and [`Self::catch_up`]
    /// brings the model to it.
    pub fn move_to(&mut self, target: u64) -> Result<(), String> {
        let replay = self.recorded.is_some();
        let recapture = !replay && target == self.pass() && self.capture.is_none() && target > 0;
        if target < self.pass() || recapture {
            self.restore_before(target);
        } else {
            self.skip_ahead(target);
        }
        while self.pass() < target && !self.finished() {
            let last = self.pass() + 1 == target;
            self.forward(last && !replay)?;
        }
        if !replay && self.pass() < target && self.pass() > 0 && self.capture.is_none() {
            // The run ended before the target: show its last pass.
            return self.go_to(self.pass());
        }
        Ok(())
    }

    /// In a debug session, jumps forward to the latest checkpoint before pass
    /// `target` when one lies ahead: passes already run are not run again
    /// (their records stay). A replay moves on its recorded tokens instead.
    pub fn skip_ahead(&mut self, target: u64) {
        let (checkpoint, _) = self.checkpoints.at_or_before(target.saturating_sub(1));
        if self.recorded.is_none() && checkpoint > self.pass() {
            self.restore_before(target);
        }
    }

    /// Goes back to the latest checkpoint from which pass `target` can be
    /// re-executed (nothing is re-executed yet); a target ahead stays put.
    pub fn rewind(&mut self, target: u64) {
        if target < self.pass() {
            self.restore_before(target);
        }
    }

    fn restore_before(&mut self, target: u64) {
        let (_, state) = self.checkpoints.at_or_before(target.saturating_sub(1));
        if let Some(run) = &state.run {
            self.run = run.clone();
            self.broken = None;
        }
        self.host = state.host.clone();
        self.vm = state.vm.clone();
        self.machine = state.machine.clone();
        self.capture = None;
        self.mismatches.clear();
        self.disagreement.clear();
    }

    /// One pass back (exact: the same state as when first reached).
    pub fn back(&mut self) -> Result<(), String> {
        self.go_to(self.pass().saturating_sub(1))
    }

    /// The record of the current pass (none at pass 0).
    pub fn current_record(&self) -> Option<&PassRecord> {
        self.record(self.pass())
    }

    /// Runs forward, without capturing, until `stop` says so after a pass
    /// (it sees the session just after it), the run ends, `limit` passes have
    /// run, or `interrupted` returns true (asked every [`INTERRUPT_CHECK`]
    /// passes with the current pass).
    pub fn run_until(
        &mut self,
        limit: u64,
        mut stop: impl FnMut(&DebugSession) -> bool,
        interrupted: &mut dyn FnMut(u64) -> bool,
    ) -> Result<Stopped, String> {
        for n in 0..limit {
            if self.finished() {
                return Ok(Stopped::Ended);
            }
            if n % INTERRUPT_CHECK == INTERRUPT_CHECK - 1 && interrupted(self.pass()) {
                return Ok(Stopped::Interrupted);
            }
            if self.forward(false)?.is_some() && stop(self) {
                return Ok(Stopped::Condition);
            }
        }
        Ok(if self.finished() {
            Stopped::Ended
        } else {
            Stopped::Limit
        })
    }

    /// Makes sure the current pass's activations are captured (re-executing
    /// it from a checkpoint when they are not).
    pub fn capture_current(&mut self) -> Result<(), String> {
        if self.recorded.is_some() {
            self.catch_up_briefly()
        } else {
            self.go_to(self.pass())
        }
    }

    /// [`Self::run_until`], then captures the pass it stopped at.
    pub fn run_forward(
        &mut self,
        limit: u64,
        stop: impl FnMut(&DebugSession) -> bool,
        interrupted: &mut dyn FnMut(u64) -> bool,
    ) -> Result<Stopped, String> {
        let why = self.run_until(limit, stop, interrupted)?;
        self.capture_current()?;
        Ok(why)
    }

    /// Goes back to the latest earlier pass for which `stop` holds (or to 0).
    pub fn run_backward(
        &mut self,
        stop: impl FnMut(u64, &PassRecord) -> bool,
    ) -> Result<(), String> {
        let target = self.last_before(stop).unwrap_or(0);
        self.go_to(target)
    }

    /// The latest pass before this one for which `stop` holds, looking back
    /// from the current pass; `None` when no pass does.
    pub fn last_before(&self, mut stop: impl FnMut(u64, &PassRecord) -> bool) -> Option<u64> {
        (1..self.pass())
            .rev()
            .find(|&p| self.record(p).is_some_and(|r| stop(p, r)))
    }
}

/// Why [`DebugSession::run_forward`] stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    /// The stop condition held.
    Condition,
    /// The run halted or trapped.
    Ended,
    /// A key was pressed.
    Interrupted,
    /// The pass limit was reached.
    Limit,
}
