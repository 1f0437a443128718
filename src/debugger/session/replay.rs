//! A replay's model, apart from the pass on screen: the recorded tokens
//! give the listing, stack, memory, files and outputs at any pass at once,
//! and the model's run follows behind, teacher forced, to show the layers
//! of the pass on screen and to find where it disagrees with the recording.

use super::{CATCH_UP_AT_ONCE, DebugSession, INTERRUPT_CHECK};
use crate::engine::capture::PassCapture;
use crate::trace::compare::differing_fields;

impl DebugSession {
    /// In a replay: one teacher-forced pass of the model's run, which reads
    /// the recorded token before it. Notes on its record whether its argmax
    /// disagrees with the recording, and returns where (and the activations
    /// when `capture`).
    #[allow(clippy::type_complexity)]
    pub(super) fn model_step(
        &mut self,
        capture: bool,
    ) -> Result<(Vec<(usize, i64, i64)>, Option<PassCapture>), String> {
        let Some(recorded) = &self.recorded else {
            return Ok((Vec::new(), None));
        };
        let at = self.run.steps() as usize;
        let token = recorded[at].token;
        let mut captured = capture.then(PassCapture::default);
        let argmax = match self.run.step_forced(token, captured.as_mut()) {
            Ok(argmax) => argmax,
            Err(error) => {
                self.broken = Some(error.clone());
                return Err(error);
            }
        };
        let disagreement = differing_fields(&token, &argmax);
        let pass = self.run.steps();
        if let Some(record) = self.records.get_mut(at) {
            record.disagrees = !disagreement.is_empty();
        }
        self.checked_through = self.checked_through.max(pass);
        if self.model_checkpoints.wants(pass) {
            self.model_checkpoints.save(pass, self.run.clone());
        }
        Ok((disagreement, captured))
    }

    /// In a replay, brings the model's run to the current pass and captures
    /// it, a few passes at a time: returns whether it is there, or stops
    /// early when `interrupted` says so (asked every [`INTERRUPT_CHECK`]
    /// passes). While debugging, the run is always there.
    pub fn catch_up(&mut self, interrupted: &mut dyn FnMut() -> bool) -> Result<bool, String> {
        let target = self.pass();
        if self.recorded.is_none() || target == 0 || self.capture.is_some() {
            return Ok(true);
        }
        if let Some(error) = &self.broken {
            return Err(error.clone());
        }
        if self.model_start() != self.run.steps() {
            let (_, run) = self.model_checkpoints.at_or_before(target - 1);
            self.run = run.clone();
        }
        let mut n = 0u64;
        while self.run.steps() + 1 < target {
            n += 1;
            if n.is_multiple_of(INTERRUPT_CHECK) && interrupted() {
                return Ok(false);
            }
            self.model_step(false)?;
        }
        let (disagreement, captured) = self.model_step(true)?;
        self.disagreement = disagreement;
        self.capture = captured;
        Ok(true)
    }

    /// In a replay, brings the model's run to the current pass without
    /// capturing it, so that it can run along; as [`Self::catch_up`].
    pub fn bring_model_along(
        &mut self,
        interrupted: &mut dyn FnMut() -> bool,
    ) -> Result<bool, String> {
        let target = self.pass();
        if self.recorded.is_none() || self.model_in_step() {
            return Ok(true);
        }
        if let Some(error) = &self.broken {
            return Err(error.clone());
        }
        if self.run.steps() > target {
            let (_, run) = self.model_checkpoints.at_or_before(target);
            self.run = run.clone();
        }
        let mut n = 0u64;
        while self.run.steps() < target {
            n += 1;
            if n.is_multiple_of(INTERRUPT_CHECK) && interrupted() {
                return Ok(false);
            }
            let (disagreement, _) = self.model_step(false)?;
            if self.run.steps() == target {
                self.disagreement = disagreement;
            }
        }
        Ok(true)
    }

    /// [`Self::catch_up`] when the model's run is at most
    /// [`CATCH_UP_AT_ONCE`] passes away; further, nothing.
    pub(super) fn catch_up_briefly(&mut self) -> Result<(), String> {
        if self.pass().saturating_sub(self.model_start()) <= CATCH_UP_AT_ONCE {
            self.catch_up(&mut || false)?;
        }
        Ok(())
    }

    /// Where the model's run would start from to reach the current pass:
    /// where it is, or a later checkpoint before the current pass.
    fn model_start(&self) -> u64 {
        let target = self.pass();
        let (checkpoint, _) = self
            .model_checkpoints
            .at_or_before(target.saturating_sub(1));
        if self.run.steps() < target {
            self.run.steps().max(checkpoint)
        } else {
            checkpoint
        }
    }

    /// In a replay: whether the model runs along as the current pass moves
    /// forward, checking every pass, or stays behind so that moves are
    /// immediate. Only a model at the current pass can run along.
    pub fn set_model_along(&mut self, along: bool) {
        self.model_along = along;
    }

    /// The pass the model's run is at (in a replay, at or before the
    /// current pass).
    pub fn model_pass(&self) -> u64 {
        self.run.steps()
    }

    /// Whether the model's run is at the current pass.
    pub fn model_in_step(&self) -> bool {
        self.run.steps() == self.pass()
    }

    /// In a replay, the last pass up to which every pass has been compared
    /// with the model's argmax.
    pub fn checked_through(&self) -> u64 {
        self.checked_through
    }

    /// Why the current pass has no activations to show.
    pub fn no_capture_note(&self) -> String {
        if self.is_replay() && self.pass() > 0 {
            format!(
                "the model is catching up: pass {} of {} (the recorded tokens fed in)",
                self.run.steps(),
                self.pass()
            )
        } else {
            "no pass captured yet: press n".into()
        }
    }
}
