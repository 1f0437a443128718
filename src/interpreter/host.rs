//! The host loop of SPEC §4, and nothing more: build the prompt, put the initial
//! file contents into the file memories, run one forward pass at a time,
//! append the argmax token, store the projected key/value vectors at write
//! tokens, and decode outputs, writes, traps and the end from the tokens.
//! No runtime value is computed here.

use std::sync::Arc;

use super::embedding::{encode, encode_trace};
use super::prompt::{check_bounds, decode, file_entries, prompt};
use super::tokens::{RunStatus, Token, TraceToken};
use crate::chunked::ChunkedVec;
use crate::engine::capture::PassCapture;
use crate::engine::{Mode, Model, Session};
use crate::files::{FILE_COUNT, FileContents};
use crate::program::Program;
use crate::report::{Ending, RunReport};
use crate::vm::{Trap, TrapKind};

/// A program being run by forward passes.
#[derive(Clone)]
pub struct TransformerRun {
    session: Session,
    /// The position of the prompt's first token.
    first_position: usize,
    host: Host,
    /// The fields each pass emits (a buffer).
    emitted: Vec<i64>,
}

/// What the host knows of a run: the tokens appended so far, and what it
/// decodes from them (outputs, file writes, the end). A pure function of the
/// tokens, so a replay can keep it at any pass without the model.
#[derive(Clone)]
pub struct Host {
    program: Arc<Program>,
    /// The token the next pass reads (the last one appended).
    token: TraceToken,
    prompt_len: usize,
    steps: u64,
    /// In shared chunks: the debugger keeps many clones of a run.
    outputs: ChunkedVec<i32>,
    files: FileContents,
    ending: Option<Ending>,
}

/// How often [`TransformerRun::run_reporting`] reports, in instructions.
pub const PROGRESS_EVERY: u64 = 4096;

/// Which trap each trapping status stands for: the one table both ways read.
const TRAP_STATUSES: [(TrapKind, RunStatus); 4] = [
    (TrapKind::Unreachable, RunStatus::TrapUnreachable),
    (TrapKind::MemoryOutOfBounds, RunStatus::TrapMemory),
    (TrapKind::FileNotOpen, RunStatus::TrapFileNotOpen),
    (TrapKind::FileFull, RunStatus::TrapFileFull),
];

impl RunStatus {
    /// The status a token carries when its instruction trapped with `kind`.
    pub fn of_trap(kind: TrapKind) -> RunStatus {
        let (_, status) = TRAP_STATUSES
            .into_iter()
            .find(|&(k, _)| k == kind)
            .expect("every trap has a status");
        status
    }

    /// The trap this status stands for, if it is one.
    pub fn trap(self) -> Option<TrapKind> {
        let found = TRAP_STATUSES.into_iter().find(|&(_, s)| s == self);
        found.map(|(kind, _)| kind)
    }
}

impl TransformerRun {
    /// Feeds the prompt; the run is then ready for its first pass.
    pub fn new(
        model: Arc<Model>,
        program: Arc<Program>,
        files: FileContents,
        mode: Mode,
    ) -> Result<TransformerRun, String> {
        TransformerRun::starting_at(model, program, files, mode, 0)
    }

    /// A run whose prompt starts at position `first` (see
    /// [`Session::starting_at`]): exactness tests at long trace lengths.
    pub fn starting_at(
        model: Arc<Model>,
        program: Arc<Program>,
        files: FileContents,
        mode: Mode,
        first: usize,
    ) -> Result<TransformerRun, String> {
        check_bounds(&program)?;
        let mut session = Session::starting_at(model, mode, first);
        for (memory, contents) in files.0.iter().enumerate().take(FILE_COUNT) {
            for entry in file_entries(contents) {
                session.store_memory_entry(memory, &encode(&entry))?;
            }
        }
        let tokens = prompt(&program);
        let (last, before) = tokens.split_last().expect("the prompt is never empty");
        for token in before {
            session.step(&encode(token), None, None)?;
        }
        let Token::Trace(token) = *last else {
            unreachable!("the prompt ends with the first trace token")
        };
        Ok(TransformerRun {
            session,
            first_position: first,
            emitted: Vec::new(),
            host: Host {
                program,
                token,
                prompt_len: tokens.len(),
                steps: 0,
                outputs: ChunkedVec::new(),
                files,
                ending: None,
            },
        })
    }

    /// The host's side of the run.
    pub fn host(&self) -> &Host {
        &self.host
    }

    pub fn program(&self) -> &Arc<Program> {
        self.host.program()
    }

    /// The last token appended (the one the next pass reads).
    pub fn token(&self) -> &TraceToken {
        self.host.token()
    }

    pub fn steps(&self) -> u64 {
        self.host.steps()
    }

    /// The outputs decoded so far.
    pub fn outputs(&self) -> &ChunkedVec<i32> {
        self.host.outputs()
    }

    /// The files as decoded from the write tokens so far.
    pub fn files(&self) -> &FileContents {
        self.host.files()
    }

    /// Forward passes run so far, prompt included.
    pub fn passes(&self) -> u64 {
        (self.session.position() - self.first_position) as u64
    }

    pub fn prompt_len(&self) -> usize {
        self.host.prompt_len()
    }

    pub fn finished(&self) -> bool {
        self.host.finished()
    }

    /// How the run ended, once it has.
    pub fn ending(&self) -> Option<&Ending> {
        self.host.ending()
    }

    /// One forward pass: executes one instruction and appends its trace token.
    pub fn step(&mut self, capture: Option<&mut PassCapture>) -> Result<TraceToken, String> {
        if self.host.ending.is_some() {
            return Ok(self.host.token);
        }
        let next = self.forward(capture)?;
        self.host.append(next)?;
        Ok(next)
    }

    /// Teacher forcing: one forward pass on the current token, then
    /// `recorded` is appended in place of the model's argmax, which is
    /// returned. Replaying a recorded trace this way never derails, so every
    /// pass where the model disagrees with the recording is seen.
    pub fn step_forced(
        &mut self,
        recorded: TraceToken,
        capture: Option<&mut PassCapture>,
    ) -> Result<TraceToken, String> {
        if self.host.ending.is_some() {
            return Err("the run has already ended".into());
        }
        let argmax = self.forward(capture)?;
        self.host.append(recorded)?;
        Ok(argmax)
    }

    /// Runs the forward pass that reads the current token (storing a write
    /// token's key and value first) and returns the argmax token.
    fn forward(&mut self, capture: Option<&mut PassCapture>) -> Result<TraceToken, String> {
        super::check_position(self.session.position() as u64)?;
        let token = self.host.token;
        let writes = token.memory_written();
        let fields = encode_trace(&token);
        self.session
            .step_into(&fields, writes, capture, &mut self.emitted)?;
        Ok(decode(&self.emitted))
    }

    /// Runs until the program stops or `max_steps` instructions have run.
    pub fn run(&mut self, max_steps: u64) -> Result<(), String> {
        self.run_reporting(max_steps, &mut |_| {})
    }

    /// [`Self::run`], telling `progress` the instructions run so far every
    /// [`PROGRESS_EVERY`] of them.
    pub fn run_reporting(
        &mut self,
        max_steps: u64,
        progress: &mut dyn FnMut(u64),
    ) -> Result<(), String> {
        while self.host.ending.is_none() && self.host.steps < max_steps {
            self.step(None)?;
            if self.host.steps.is_multiple_of(PROGRESS_EVERY) {
                progress(self.host.steps);
            }
        }
        Ok(())
    }

    /// The bytes the model's key/value caches hold (estimated).
    pub fn kv_bytes(&self) -> usize {
        self.session.kv_bytes()
    }

    pub fn report(&self) -> RunReport {
        self.host.report()
    }
}

impl Host {
    /// Before the first pass of `program` with `files`: the prompt's last
    /// token is the one the first pass reads.
    pub fn new(program: Arc<Program>, files: FileContents) -> Host {
        let prompt_len = prompt(&program).len();
        Host {
            program,
            token: TraceToken::start(),
            prompt_len,
            steps: 0,
            outputs: ChunkedVec::new(),
            files,
            ending: None,
        }
    }

    pub fn program(&self) -> &Arc<Program> {
        &self.program
    }

    /// The last token appended (the one the next pass reads).
    pub fn token(&self) -> &TraceToken {
        &self.token
    }

    /// Tokens appended after the prompt: instructions executed.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// The outputs decoded so far.
    pub fn outputs(&self) -> &ChunkedVec<i32> {
        &self.outputs
    }

    /// The files as decoded from the write tokens so far.
    pub fn files(&self) -> &FileContents {
        &self.files
    }

    /// Forward passes these tokens take, prompt included.
    pub fn passes(&self) -> u64 {
        (self.prompt_len - 1) as u64 + self.steps
    }

    pub fn prompt_len(&self) -> usize {
        self.prompt_len
    }

    pub fn finished(&self) -> bool {
        self.ending.is_some()
    }

    /// How the run ended, once it has.
    pub fn ending(&self) -> Option<&Ending> {
        self.ending.as_ref()
    }

    pub fn report(&self) -> RunReport {
        RunReport {
            outputs: self.outputs.to_vec(),
            ending: self.ending.clone().unwrap_or(Ending::StepLimit),
            files: self.files.clone(),
            steps: self.steps,
            tokens: self.passes(),
        }
    }

    /// Appends `next` as the token the next pass reads, and decodes from it
    /// what the host reports: an output, a file write, the end of the run.
    pub fn append(&mut self, next: TraceToken) -> Result<(), String> {
        let executed = self.token.ip;
        let write = next
            .write_target()
            .map_err(|why| format!("pass {}: the model emitted {why}", self.steps + 1))?;
        self.steps += 1;
        if next.out {
            self.outputs.push(next.value);
        }
        if let Some((file, offset)) = write {
            let contents = &mut self.files.0[usize::from(file)];
            let byte = next.value as u8;
            if offset < contents.len() {
                contents[offset] = byte;
            } else {
                contents.resize(offset, 0);
                contents.push(byte);
            }
        }
        let trap = |kind| {
            Some(Ending::Trapped(
                Trap {
                    kind,
                    pc: executed as usize,
                }
                .message(&self.program),
            ))
        };
        self.ending = match (next.status, next.status.trap()) {
            (_, Some(kind)) => trap(kind),
            (RunStatus::Halted, None) => Some(Ending::Halted),
            (_, None) => None,
        };
        self.token = next;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_trap_has_one_status_and_back() {
        for kind in TrapKind::ALL {
            assert_eq!(RunStatus::of_trap(kind).trap(), Some(kind));
        }
        assert_eq!(RunStatus::Running.trap(), None);
        assert_eq!(RunStatus::Halted.trap(), None);
        let statuses: std::collections::HashSet<RunStatus> =
            TrapKind::ALL.into_iter().map(RunStatus::of_trap).collect();
        assert_eq!(statuses.len(), TrapKind::ALL.len());
    }
}
