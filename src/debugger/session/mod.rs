//! The debugger's model of a run: the transformer stepped one forward pass at a
//! time, the reference VM in lockstep (one pass executes one instruction), the
//! record of every pass, the first divergence between them, and checkpoints so
//! that going back re-executes at most [`CHECKPOINT_EVERY`] passes.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::engine::capture::PassCapture;
use crate::engine::{Mode, Model};
use crate::files::FileContents;
use crate::interpreter::TransformerRun;
use crate::interpreter::tokens::{RunStatus, TraceToken};
use crate::program::Program;
use crate::vm::{Effect, Status, TrapKind, Vm};

/// Passes between checkpoints near the current pass: the most a step back
/// re-executes (a few milliseconds).
pub const CHECKPOINT_EVERY: u64 = 32;
/// Checkpoints further back than this are thinned to one every
/// [`SPARSE_CHECKPOINTS`] passes, to bound memory on long runs.
pub const DENSE_WINDOW: u64 = 4096;
pub const SPARSE_CHECKPOINTS: u64 = 1024;

/// One forward pass of the trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassRecord {
    /// 1 for the first pass after the prompt.
    pub pass: u64,
    /// The instruction this pass executed.
    pub ip: i64,
    /// The token it emitted.
    pub token: TraceToken,
    /// Where the token disagrees with the VM: `(field, model, vm)`.
    pub divergence: Vec<(String, String, String)>,
}

/// The run under the debugger.
pub struct DebugSession {
    model: Arc<Model>,
    run: TransformerRun,
    vm: Vm,
    records: Vec<PassRecord>,
    checkpoints: BTreeMap<u64, (TransformerRun, Vm)>,
    capture: Option<PassCapture>,
}

fn status_of(vm: &Vm) -> RunStatus {
    match vm.status() {
        Status::Running => RunStatus::Running,
        Status::Halted => RunStatus::Halted,
        Status::Trapped(trap) => match trap.kind {
            TrapKind::Unreachable => RunStatus::TrapUnreachable,
            TrapKind::MemoryOutOfBounds => RunStatus::TrapMemory,
            TrapKind::FileNotOpen => RunStatus::TrapFileNotOpen,
            TrapKind::FileFull => RunStatus::TrapFileFull,
        },
    }
}

/// Compares what the model emitted with what the VM did.
fn compare(token: &TraceToken, vm: &Vm, depth_change: i64) -> Vec<(String, String, String)> {
    let mut differences = Vec::new();
    let mut check = |field: &str, model: String, reference: String| {
        if model != reference {
            differences.push((field.to_string(), model, reference));
        }
    };
    let status = status_of(vm);
    check("status", token.status.name().into(), status.name().into());
    if status != RunStatus::Running || token.status != RunStatus::Running {
        return differences;
    }
    let effect: Effect = vm.effect();
    check("ip", token.ip.to_string(), vm.pc().to_string());
    check("delta", token.delta.to_string(), depth_change.to_string());
    let show = |v: Option<String>| v.unwrap_or_else(|| "—".into());
    check(
        "push",
        show(token.push.then(|| token.value.to_string())),
        show(effect.pushed.map(|v| v.to_string())),
    );
    check(
        "output",
        show(token.out.then(|| token.value.to_string())),
        show(effect.output.map(|v| v.to_string())),
    );
    check(
        "write",
        show(token.wrote.then(|| {
            format!(
                "file {} @{} = {}",
                token.file.unwrap_or(9),
                token.cursor - 1,
                token.value as u8
            )
        })),
        show(effect.write.map(|(f, o, b)| format!("file {f} @{o} = {b}"))),
    );
    check(
        "file",
        show(
            token
                .file
                .map(|f| format!("{f} open={} cursor={}", token.open, token.cursor)),
        ),
        show(
            effect
                .file_state
                .map(|(f, open, c)| format!("{f} open={open} cursor={c}")),
        ),
    );
    differences
}

impl DebugSession {
    pub fn new(
        model: Arc<Model>,
        program: Arc<Program>,
        files: FileContents,
    ) -> Result<DebugSession, String> {
        let vm = Vm::new(Arc::clone(&program), files.clone());
        let run = TransformerRun::new(Arc::clone(&model), program, files, Mode::Fast)?;
        let mut checkpoints = BTreeMap::new();
        checkpoints.insert(0, (run.clone(), vm.clone()));
        Ok(DebugSession {
            model,
            run,
            vm,
            records: Vec::new(),
            checkpoints,
            capture: None,
        })
    }

    pub fn model(&self) -> &Arc<Model> {
        &self.model
    }

    pub fn program(&self) -> &Arc<Program> {
        self.run.program()
    }

    pub fn run(&self) -> &TransformerRun {
        &self.run
    }

    pub fn vm(&self) -> &Vm {
        &self.vm
    }

    /// Trace passes executed so far (0 before the first).
    pub fn pass(&self) -> u64 {
        self.run.steps()
    }

    /// The record of pass `pass` (1-based), if it has been run.
    pub fn record(&self, pass: u64) -> Option<&PassRecord> {
        pass.checked_sub(1)
            .and_then(|i| self.records.get(i as usize))
    }

    /// The records of every pass run so far on this timeline and beyond (the
    /// run is deterministic, so passes undone by stepping back stay valid).
    pub fn records(&self) -> &[PassRecord] {
        &self.records
    }

    /// The activations of the last pass run, if it was captured.
    pub fn capture(&self) -> Option<&PassCapture> {
        self.capture.as_ref()
    }

    pub fn finished(&self) -> bool {
        self.run.finished()
    }

    /// The first pass whose token differs from the VM, among those run.
    pub fn first_divergence(&self) -> Option<&PassRecord> {
        self.records.iter().find(|r| !r.divergence.is_empty())
    }

    /// Runs one forward pass (captured when `capture`), with the VM alongside.
    pub fn forward(&mut self, capture: bool) -> Result<Option<&PassRecord>, String> {
        if self.run.finished() {
            return Ok(None);
        }
        let ip = self.run.token().ip;
        let depth_before = self.vm.stack().len() as i64;
        let mut captured = capture.then(PassCapture::default);
        let token = self.run.step(captured.as_mut())?;
        self.vm.step();
        self.capture = captured;
        let pass = self.run.steps();
        let divergence = compare(
            &token,
            &self.vm,
            self.vm.stack().len() as i64 - depth_before,
        );
        let record = PassRecord {
            pass,
            ip,
            token,
            divergence,
        };
        let index = (pass - 1) as usize;
        if index < self.records.len() {
            self.records[index] = record;
        } else {
            self.records.push(record);
        }
        if pass.is_multiple_of(CHECKPOINT_EVERY) {
            self.checkpoints
                .entry(pass)
                .or_insert_with(|| (self.run.clone(), self.vm.clone()));
        }
        Ok(self.records.get(index))
    }

    /// Moves to just after pass `target` (0 = before the first), re-executing
    /// from the nearest checkpoint when going back; the last pass is captured.
    pub fn go_to(&mut self, target: u64) -> Result<(), String> {
        if target < self.pass() || (target == self.pass() && self.capture.is_none() && target > 0) {
            let start = target.saturating_sub(1);
            let (_, (run, vm)) = self
                .checkpoints
                .range(..=start)
                .next_back()
                .expect("checkpoint 0 exists");
            self.run = run.clone();
            self.vm = vm.clone();
            self.capture = None;
        }
        while self.pass() < target && !self.finished() {
            let last = self.pass() + 1 == target;
            self.forward(last)?;
        }
        Ok(())
    }

    /// One pass back (exact: the same state as when first reached).
    pub fn back(&mut self) -> Result<(), String> {
        self.go_to(self.pass().saturating_sub(1))
    }

    /// Runs forward until `stop` says so after a pass, the run ends, `limit`
    /// passes have run, or `interrupted` returns true (checked every 1024
    /// passes). The last pass is captured.
    pub fn run_forward(
        &mut self,
        limit: u64,
        mut stop: impl FnMut(&PassRecord) -> bool,
        interrupted: &mut dyn FnMut() -> bool,
    ) -> Result<(), String> {
        for n in 0..limit {
            if self.finished() {
                break;
            }
            if n % 1024 == 1023 && interrupted() {
                break;
            }
            let record = self.forward(false)?.cloned();
            if record.is_some_and(|r| stop(&r)) {
                break;
            }
        }
        self.go_to(self.pass())
    }

    /// Goes back to the latest earlier pass for which `stop` holds (or to 0).
    pub fn run_backward(
        &mut self,
        mut stop: impl FnMut(&PassRecord) -> bool,
    ) -> Result<(), String> {
        let current = self.pass();
        let target = (1..current)
            .rev()
            .find(|&p| self.record(p).is_some_and(&mut stop))
            .unwrap_or(0);
        self.go_to(target)
    }
}
