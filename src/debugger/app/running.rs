//! Long runs (`c`, End, run to cursor) go in slices of a fraction of a second,
//! so that the screen shows the pass and the speed as they go and a key can
//! stop them. The event loop calls [`App::run_slice`] while [`App::running`]
//! is set; tests call [`App::finish_running`].

use std::time::{Duration, Instant};

use super::{App, Watch};
use crate::debugger::session::{DebugSession, Machine, Stopped};

/// Most passes one `c` runs before handing control back.
pub const CONTINUE_LIMIT: u64 = 100_000_000;

/// Where a long run stops, besides the end of the program and a divergence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunGoal {
    /// At a pass that executes an instruction with a breakpoint.
    Breakpoint,
    /// At a pass that executes this instruction.
    Instruction(usize),
    /// Only at the end.
    End,
    /// At this pass (`g`, a count before `n`).
    Pass(u64),
    /// At the next pass that diverges from the VM or, in a replay,
    /// disagrees with the recording (`]`).
    WrongPass,
}

/// A long run in progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Running {
    pub goal: RunGoal,
    /// Stops still to make (a count prefix: `3c` stops at the third).
    pub stops_left: u64,
    pub started: Instant,
    pub start_pass: u64,
}

impl Running {
    /// Passes per second so far.
    pub fn speed(&self, pass: u64) -> f64 {
        let seconds = self.started.elapsed().as_secs_f64();
        if seconds > 0.0 {
            pass.saturating_sub(self.start_pass) as f64 / seconds
        } else {
            0.0
        }
    }
}

impl App {
    pub(super) fn start_run(&mut self, goal: RunGoal, count: u64) {
        if self.session.finished() && !matches!(goal, RunGoal::Pass(_)) {
            self.message = "the run has ended (N steps back)".into();
            return;
        }
        // Passes already run need not run again to reach a pass or the end.
        match goal {
            RunGoal::End => self.session.skip_ahead(self.session.records().len() as u64),
            RunGoal::Pass(target) => self.session.skip_ahead(target),
            _ => {}
        }
        self.running = Some(Running {
            goal,
            stops_left: count.max(1),
            started: Instant::now(),
            start_pass: self.session.pass(),
        });
    }

    /// Runs passes for about `budget`, then returns (still running, or done).
    pub fn run_slice(&mut self, budget: Duration) {
        let Some(mut running) = self.running else {
            return;
        };
        let deadline = Instant::now() + budget;
        let breakpoints = self.breakpoints.clone();
        let goal = running.goal;
        let watched: Vec<(Watch, Option<i32>)> = self
            .watches
            .iter()
            .map(|&w| (w, watch_value(self.session.machine(), w)))
            .collect();
        let mut changed = None;
        let stop = |s: &DebugSession| {
            let Some(r) = s.current_record() else {
                return false;
            };
            let ip = usize::try_from(r.ip).ok();
            let reached = match goal {
                RunGoal::Breakpoint => ip.is_some_and(|ip| breakpoints.contains(&ip)),
                RunGoal::Instruction(k) => ip == Some(k),
                // The end is the end: divergences are marked on the way.
                RunGoal::End => return false,
                RunGoal::Pass(target) => return s.pass() >= target,
                RunGoal::WrongPass => return r.diverged(),
            };
            if goal != RunGoal::End {
                for &(watch, before) in &watched {
                    let now = watch_value(s.machine(), watch);
                    if now != before {
                        changed = Some((watch, before, now));
                        return true;
                    }
                }
            }
            reached || r.diverged()
        };
        let limit = match goal {
            RunGoal::Pass(target) => target.saturating_sub(self.session.pass()),
            _ => CONTINUE_LIMIT.saturating_sub(self.session.pass() - running.start_pass),
        };
        // A replay moves on the recorded tokens alone, except when looking
        // for the next disagreement: the model must then run along.
        let along = goal == RunGoal::WrongPass && self.session.is_replay();
        if along {
            match self
                .session
                .bring_model_along(&mut || Instant::now() >= deadline)
            {
                Ok(true) => {}
                Ok(false) => {
                    self.running = Some(running);
                    return;
                }
                Err(error) => return self.finish_run(Err(error)),
            }
        }
        self.session.set_model_along(along);
        let result = self
            .session
            .run_until(limit, stop, &mut |_| Instant::now() >= deadline);
        self.session.set_model_along(false);
        match result {
            Ok(Stopped::Interrupted) => {
                // The status line shows the pass and the speed from `running`.
                self.running = Some(running);
                self.message.clear();
            }
            Ok(Stopped::Condition) => {
                let diverged = !self.session.mismatches().is_empty();
                running.stops_left -= 1;
                if running.stops_left > 0 && !diverged {
                    self.running = Some(running);
                } else {
                    self.finish_run(Ok(()));
                    if let (Some((watch, before, now)), false) = (changed, diverged) {
                        let show = |v: Option<i32>| v.map_or("—".into(), |v| v.to_string());
                        self.message = format!(
                            "watch: {} changed {} → {} at pass {}",
                            self.watch_name(watch),
                            show(before),
                            show(now),
                            self.session.pass()
                        );
                    }
                }
            }
            Ok(Stopped::Ended) => {
                self.finish_run(Ok(()));
                if let RunGoal::Pass(target) = goal {
                    self.say_if_ended_before(target);
                }
            }
            Ok(Stopped::Limit) => {
                self.finish_run(Ok(()));
                self.message = format!("stopped after {CONTINUE_LIMIT} passes: c goes on");
            }
            Err(error) => self.finish_run(Err(error)),
        }
    }

    fn finish_run(&mut self, result: Result<(), String>) {
        self.running = None;
        let result = result.and_then(|()| self.session.capture_current());
        self.after_move(result);
    }

    /// Stops a long run where it is (a key was pressed).
    pub fn interrupt(&mut self) {
        if self.running.take().is_some() {
            let result = self.session.capture_current();
            self.after_move(result);
            self.message = format!("interrupted at pass {}", self.session.pass());
        }
    }

    /// Runs a long run to its end, and a replay's model to the current
    /// pass, without slices (tests, screenshots).
    pub fn finish_running(&mut self) {
        while self.running.is_some() {
            self.run_slice(Duration::from_secs(3600));
        }
        while self.session.needs_catch_up() {
            self.catch_up_slice(Duration::from_secs(3600));
        }
    }

    /// In a replay, brings the model towards the current pass for about
    /// `budget`; once there, the pass's activations are on screen.
    pub fn catch_up_slice(&mut self, budget: Duration) {
        let deadline = Instant::now() + budget;
        match self.session.catch_up(&mut || Instant::now() >= deadline) {
            Ok(true) => {
                if self.message.is_empty() {
                    self.message = self.describe_last_pass();
                }
            }
            Ok(false) => {}
            Err(error) => self.message = error,
        }
    }
}

/// The current value of a watch in the decoded state.
pub fn watch_value(machine: &Machine, watch: Watch) -> Option<i32> {
    match watch {
        Watch::Memory(address) => machine.word(address),
        Watch::Local(k) => machine.locals().get(k as usize).map(|s| s.value),
    }
}
