//! The timeline: every pass run so far, drawn across the panel's width, with
//! the passes worth a look marked. Here is how passes map to columns and
//! what counts as a mark; the Timeline view draws them and keys and clicks
//! jump along them.

use super::{App, Panel};
use crate::debugger::session::PassRecord;

/// How the passes `1..=passes` spread over `columns` columns: column `c`
/// stands for the passes from `c·P/C + 1` to `(c+1)·P/C`, so that many
/// passes share a column, and a few passes are stretched over several.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimelineScale {
    pub passes: u64,
    pub columns: usize,
}

impl TimelineScale {
    pub fn new(passes: u64, columns: usize) -> TimelineScale {
        TimelineScale {
            passes,
            columns: columns.max(1),
        }
    }

    /// Columns that hold passes: all of them once there is a pass.
    pub fn used_columns(&self) -> usize {
        if self.passes == 0 { 0 } else { self.columns }
    }

    /// The column of pass `pass` (1-based; pass 0 shares column 0): the
    /// last one showing it when a pass is stretched over several.
    pub fn column_of(&self, pass: u64) -> usize {
        if self.passes == 0 {
            return 0;
        }
        let pass = pass.clamp(1, self.passes);
        // The first column c with (c+1)·P/C ≥ pass.
        let c = (u128::from(pass) * self.columns as u128).div_ceil(u128::from(self.passes));
        (c as usize).saturating_sub(1).min(self.columns - 1)
    }

    /// The passes column `column` stands for.
    pub fn passes_in(&self, column: usize) -> std::ops::RangeInclusive<u64> {
        let bound = |c: usize| (u128::from(self.passes) * c as u128 / self.columns as u128) as u64;
        let first = bound(column) + 1;
        first..=bound(column + 1).max(first).min(self.passes)
    }

    /// A description of the scale for the title.
    pub fn describe(&self) -> String {
        if self.passes >= self.columns as u64 {
            format!(
                "about {} per column",
                self.passes.div_ceil(self.columns as u64)
            )
        } else {
            format!(
                "{:.1} columns per pass",
                self.columns as f64 / self.passes as f64
            )
        }
    }
}

/// Why a pass is marked on the timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Divergence,
    Breakpoint,
    FileWrite,
}

impl App {
    /// The marks of one pass, most important first.
    pub fn marks_of(&self, record: &PassRecord) -> Option<Mark> {
        if record.diverged() {
            Some(Mark::Divergence)
        } else if usize::try_from(record.ip).is_ok_and(|ip| self.breakpoints.contains(&ip)) {
            Some(Mark::Breakpoint)
        } else if record.token.wrote {
            Some(Mark::FileWrite)
        } else {
            None
        }
    }

    /// The scale of the timeline as last drawn.
    pub fn timeline_scale(&self) -> TimelineScale {
        let columns = self
            .panel_inner(Panel::Timeline)
            .map_or(80, |r| r.width as usize);
        TimelineScale::new(self.session.records().len() as u64, columns)
    }

    /// Moves `delta` timeline columns (to the last pass of the column).
    pub(super) fn timeline_step(&mut self, delta: isize) {
        let scale = self.timeline_scale();
        if scale.passes == 0 {
            self.message = "no passes yet: the timeline fills as the run goes".into();
            return;
        }
        let current = self.session.pass();
        // Pass 0 sits just before the first column.
        let at = if current == 0 {
            -1
        } else {
            scale.column_of(current) as isize
        };
        let column = at + delta;
        let mut target = if column < 0 {
            0
        } else {
            let column = (column as usize).min(scale.used_columns() - 1);
            *scale.passes_in(column).end()
        };
        if target == current && delta != 0 {
            // Stretched: several columns show this pass; move one pass.
            target = if delta > 0 {
                (current + 1).min(scale.passes)
            } else {
                current.saturating_sub(1)
            };
        }
        self.go_to(target);
    }

    /// `}`/`{`: the next or previous marked pass among those run.
    pub(super) fn jump_to_mark(&mut self, forward: bool, times: u64) {
        let records = self.session.records();
        let marked = |p: &u64| {
            records
                .get(*p as usize - 1)
                .is_some_and(|r| self.marks_of(r).is_some())
        };
        let mut pass = self.session.pass();
        for _ in 0..times {
            let next = if forward {
                (pass + 1..=records.len() as u64).find(marked)
            } else {
                (1..pass).rev().find(marked)
            };
            match next {
                Some(p) => pass = p,
                None => break,
            }
        }
        if pass == self.session.pass() {
            self.message = format!(
                "no marked pass {} (marks: divergences, breakpoints, file writes)",
                if forward {
                    "further on"
                } else {
                    "before this one"
                }
            );
            return;
        }
        self.go_to(pass);
    }
}
