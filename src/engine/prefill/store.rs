//! The hard-max heads' caches of a prefill.

use crate::engine::attention::{self, dot};
use crate::engine::bits_map::BitsMap;

/// A hard-max head's entries, reduced as in [`super::KeyValueStore`] to the
/// latest entry of each distinct key, with the keys in one flat array.
///
/// Reads are remembered by query. The winner is the maximum over slots of
/// `(score, latest entry)`, and a push only ever raises one slot's pair (a
/// new slot, or a newer entry for a known key), so a remembered winner
/// stays right once compared with the slots pushed since: a repeated query
/// costs the pushes since it was last read, not a scan of every key.
#[derive(Default)]
pub(super) struct FlatStore {
    key_dims: usize,
    value_dims: usize,
    len: usize,
    index: BitsMap<usize>,
    /// Slot-major: `key_dims` per distinct key.
    keys: Vec<f64>,
    /// Per slot: the entry number of its latest entry.
    entries: Vec<usize>,
    /// Slot-major: `value_dims` per distinct key, the latest value.
    values: Vec<f64>,
    /// The slot of each push since the remembered reads were started.
    pushed: Vec<usize>,
    /// Per query: its winner's score and slot, and how much of `pushed` it
    /// has seen.
    remembered: BitsMap<usize>,
    /// What is remembered of each query, by the index `remembered` gives.
    known: Vec<Remembered>,
    /// The last query read (empty when none) and its index in `known`: many
    /// reads repeat it.
    last_query: Vec<u64>,
    last_known: usize,
    /// The slot of the last push.
    last_slot: Option<usize>,
    /// Pushes after which remembered reads are forgotten, bounding the
    /// memory of both.
    remembered_pushes: usize,
    bits: Vec<u64>,
}

#[derive(Clone, Copy)]
struct Remembered {
    score: f64,
    slot: usize,
    seen: usize,
}

impl FlatStore {
    pub(super) fn new(key_dims: usize, value_dims: usize, remembered_pushes: usize) -> FlatStore {
        FlatStore {
            key_dims,
            value_dims,
            remembered_pushes: remembered_pushes.max(1),
            ..FlatStore::default()
        }
    }

    fn key(&self, slot: usize) -> &[f64] {
        &self.keys[slot * self.key_dims..(slot + 1) * self.key_dims]
    }

    pub(super) fn push(&mut self, key: &[f64], value: &[f64]) {
        self.bits.clear();
        self.bits.extend(key.iter().map(|k| k.to_bits()));
        let entry = self.len;
        self.len += 1;
        let vd = self.value_dims;
        // Most pushes repeat the key before (a head's "nothing here" key).
        let repeated = self
            .last_slot
            .filter(|&slot| same_bits(self.key(slot), &self.bits));
        let slot = match repeated.or_else(|| self.index.get(self.bits.as_slice()).copied()) {
            Some(slot) => {
                self.entries[slot] = entry;
                self.values[slot * vd..(slot + 1) * vd].copy_from_slice(value);
                slot
            }
            None => {
                let slot = self.entries.len();
                self.index
                    .insert(self.bits.clone().into_boxed_slice(), slot);
                self.keys.extend_from_slice(key);
                self.entries.push(entry);
                self.values.extend_from_slice(value);
                slot
            }
        };
        self.last_slot = Some(slot);
        if self.pushed.len() >= self.remembered_pushes {
            self.pushed.clear();
            self.remembered.clear();
            self.known.clear();
            self.last_query.clear();
        }
        self.pushed.push(slot);
    }

    /// Every slot scanned: the winner's score and slot.
    fn scan(&self, query: &[f64]) -> Option<(f64, usize)> {
        let mut best: Option<(f64, usize)> = None;
        for slot in 0..self.entries.len() {
            let score = dot(query, self.key(slot));
            if best.is_none_or(|(s, b)| beats(&self.entries, (score, slot), (s, b))) {
                best = Some((score, slot));
            }
        }
        best
    }

    /// Writes the value of the winning key for `query` into `out` (zeros when
    /// the store is empty).
    pub(super) fn read(&mut self, query: &[f64], out: &mut [f64]) {
        let mut bits: Vec<u64> = std::mem::take(&mut self.bits);
        bits.clear();
        bits.extend(query.iter().map(|q| q.to_bits()));
        let index = if !self.last_query.is_empty() && self.last_query == bits {
            Some(self.last_known)
        } else {
            self.remembered.get(bits.as_slice()).copied()
        };
        let kd = self.key_dims;
        let winner = match index {
            Some(index) => {
                let known = &mut self.known[index];
                for &slot in &self.pushed[known.seen..] {
                    let score = dot(query, &self.keys[slot * kd..(slot + 1) * kd]);
                    if beats(&self.entries, (score, slot), (known.score, known.slot)) {
                        known.score = score;
                        known.slot = slot;
                    }
                }
                known.seen = self.pushed.len();
                Some((index, known.slot))
            }
            None => self.scan(query).map(|(score, slot)| {
                let seen = self.pushed.len();
                let index = self.known.len();
                self.known.push(Remembered { score, slot, seen });
                self.remembered
                    .insert(bits.clone().into_boxed_slice(), index);
                (index, slot)
            }),
        };
        if let Some((index, _)) = winner {
            self.last_query.clone_from(&bits);
            self.last_known = index;
        }
        let winner = winner.map(|(_, slot)| slot);
        self.bits = bits;
        match winner {
            Some(slot) => out.copy_from_slice(
                &self.values[slot * self.value_dims..(slot + 1) * self.value_dims],
            ),
            None => out.fill(0.0),
        }
    }
}

fn same_bits(key: &[f64], bits: &[u64]) -> bool {
    key.iter().map(|k| k.to_bits()).eq(bits.iter().copied())
}

/// Whether `(score, slot)` beats the winner so far, by the hard-max order
/// every read path shares.
#[inline]
fn beats(entries: &[usize], (score, slot): (f64, usize), (best, best_slot): (f64, usize)) -> bool {
    attention::beats((score, entries[slot]), (best, entries[best_slot]))
}
