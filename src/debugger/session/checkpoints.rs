//! Checkpoints of a run, kept the way rr keeps them: every
//! [`CHECKPOINT_EVERY`] passes within [`DENSE_WINDOW`] of the current pass, and
//! log-spaced further away, so that a step back re-executes a few dozen passes
//! while a session of a million passes holds a few hundred checkpoints.

use std::collections::BTreeMap;

/// Passes between checkpoints near the current pass: the most a step back
/// re-executes.
pub const CHECKPOINT_EVERY: u64 = 32;
/// How far from the current pass, either way, checkpoints stay dense.
pub const DENSE_WINDOW: u64 = 4096;
/// Checkpoints kept per doubling of the distance beyond [`DENSE_WINDOW`].
pub const SPARSE_PER_OCTAVE: u64 = 16;

/// The spacing of the checkpoints kept at `distance` passes from the current
/// pass: [`CHECKPOINT_EVERY`] within the dense window, then a power of two
/// that doubles with each doubling of the distance.
pub fn spacing_at(distance: u64) -> u64 {
    if distance <= DENSE_WINDOW {
        return CHECKPOINT_EVERY;
    }
    let octave = (distance / DENSE_WINDOW).ilog2();
    (DENSE_WINDOW << octave) / SPARSE_PER_OCTAVE
}

/// Whether a checkpoint at `pass` is kept while the session is at `current`.
/// Pass 0, the start, is always kept.
pub fn keeps(pass: u64, current: u64) -> bool {
    pass == 0 || pass.is_multiple_of(spacing_at(pass.abs_diff(current)))
}

/// States by pass, thinned as the current pass moves.
#[derive(Debug, Clone)]
pub struct Checkpoints<T> {
    states: BTreeMap<u64, T>,
}

impl<T> Checkpoints<T> {
    /// Starts with the state before the first pass.
    pub fn new(start: T) -> Checkpoints<T> {
        Checkpoints {
            states: BTreeMap::from([(0, start)]),
        }
    }

    /// Whether a state reached at `pass` should be saved.
    pub fn wants(&self, pass: u64) -> bool {
        pass.is_multiple_of(CHECKPOINT_EVERY) && !self.states.contains_key(&pass)
    }

    /// Saves the state at `pass` (the current pass), then drops the
    /// checkpoints the spacing no longer keeps.
    pub fn save(&mut self, pass: u64, state: T) {
        self.states.insert(pass, state);
        self.states.retain(|&p, _| keeps(p, pass));
    }

    /// The latest checkpoint at or before `pass`.
    pub fn at_or_before(&self, pass: u64) -> (u64, &T) {
        let (&p, state) = self
            .states
            .range(..=pass)
            .next_back()
            .expect("the checkpoint of pass 0 is never dropped");
        (p, state)
    }

    /// The passes checkpointed, in order.
    pub fn passes(&self) -> impl Iterator<Item = u64> + '_ {
        self.states.keys().copied()
    }

    pub fn len(&self) -> usize {
        self.states.len()
    }

    pub fn is_empty(&self) -> bool {
        self.states.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spacing_is_dense_near_and_doubles_with_distance() {
        assert_eq!(spacing_at(0), 32);
        assert_eq!(spacing_at(4096), 32);
        // 4097..8191 is the first octave: 4096 / 16.
        assert_eq!(spacing_at(4097), 256);
        assert_eq!(spacing_at(8191), 256);
        assert_eq!(spacing_at(8192), 512);
        assert_eq!(spacing_at(1 << 20), (1 << 20) / 16);
    }

    #[test]
    fn a_million_passes_forward_keep_few_checkpoints_and_dense_ones_behind() {
        let mut checkpoints = Checkpoints::new(());
        for pass in 1..=1_000_000u64 {
            if checkpoints.wants(pass) {
                checkpoints.save(pass, ());
            }
        }
        let passes: Vec<u64> = checkpoints.passes().collect();
        // 128 in the dense window, at most 2 × 16 per octave beyond it (8
        // octaves up to a million), and pass 0.
        assert!(passes.len() <= 129 + 8 * 32, "{} kept", passes.len());
        // Every pass of the last 4096 has a checkpoint at most 32 passes before it.
        for target in 1_000_000 - 4096..=1_000_000 {
            let (p, _) = checkpoints.at_or_before(target);
            assert!(target - p < 32, "pass {target}: nearest checkpoint {p}");
        }
        // Further back, the gap before any pass is at most 1/16 of its distance (and
        // at least the dense spacing).
        for target in (0..1_000_000 - 4096).step_by(997) {
            let (p, _) = checkpoints.at_or_before(target);
            let distance = 1_000_000 - target;
            assert!(
                target - p <= (distance / 8).max(32),
                "pass {target}: nearest checkpoint {p}"
            );
        }
        assert_eq!(passes[0], 0);
    }

    #[test]
    fn going_back_keeps_what_is_near_the_new_position() {
        let mut checkpoints = Checkpoints::new(());
        for pass in (32..=200_000u64).step_by(32) {
            checkpoints.save(pass, ());
        }
        // Re-executing from a sparse checkpoint near pass 50,000 saves dense ones there.
        let (from, _) = checkpoints.at_or_before(50_000);
        for pass in (from + 1)..=50_000 {
            if checkpoints.wants(pass) {
                checkpoints.save(pass, ());
            }
        }
        // 150,000 passes back, checkpoints were 8,192 apart.
        assert_eq!(from, 49_152);
        for target in from..=50_000 {
            let (p, _) = checkpoints.at_or_before(target);
            assert!(target - p < 32, "pass {target}: nearest checkpoint {p}");
        }
        // The far end, where the session was, is now thinned in its turn.
        let (p, _) = checkpoints.at_or_before(200_000);
        assert_eq!(p, 196_608, "150,000 passes away: 8,192 apart");
    }
}
