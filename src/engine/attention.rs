//! Key/value stores of the hard-max heads and their argmax.
//!
//! Two ways to find the winner, which tests prove equal:
//! - the reference scans every stored position (dense attention);
//! - the index keeps, for each distinct key vector, only its latest position
//!   and value, and scans the distinct keys. Identical keys score identically
//!   for every query, and exact ties go to the most recent position, so among
//!   positions sharing a key only the latest can ever win: the index returns the
//!   same position and value as the dense scan, for any query. It is a general
//!   structure over the keys the model's own projections produced, nothing
//!   specific to what they mean.

use std::collections::HashMap;

use crate::chunked::ChunkedVec;

/// The result of one hard-max read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    /// The position (or memory entry) whose value was read.
    pub position: usize,
    pub score: f64,
    /// Best score minus the best score of any different key (infinite when
    /// there is no other key).
    pub margin: f64,
}

/// The score of a key; NaN (from overflowing edited weights) counts as −∞ in
/// both paths, so they still agree.
#[inline]
pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    let score: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    if score.is_nan() {
        f64::NEG_INFINITY
    } else {
        score
    }
}

fn same_key(a: &[f64], b: &[f64]) -> bool {
    a.iter()
        .map(|v| v.to_bits())
        .eq(b.iter().map(|v| v.to_bits()))
}

/// One stored entry: position, key, value.
type Entry = (usize, Vec<f64>, Vec<f64>);

/// For one distinct key: its latest entry.
#[derive(Debug, Clone)]
struct Latest {
    entry: usize,
    position: usize,
    value: Box<[f64]>,
}

/// Distinct keys per shared chunk. Keys never change once stored, so a
/// snapshot shares all their chunks but the last; large chunks keep the scan
/// over them tight.
const KEYS_PER_CHUNK: usize = 256;
/// Latest entries per shared chunk: small, because the latest entry of a few
/// keys changes at every pass, and a snapshot copies the chunks that changed.
const SLOTS_PER_CHUNK: usize = 16;

/// Every entry of a head, in order, with an index of distinct keys.
///
/// Clones are cheap and share what they do not change (see
/// [`ChunkedVec`]): the debugger keeps hundreds of snapshots of a run. The
/// hash index is not cloned; a clone rebuilds it when it is first pushed to.
#[derive(Debug, Default)]
pub struct KeyValueStore {
    len: usize,
    /// Distinct key (as exact bit patterns) to its slot; empty until needed
    /// after a clone.
    index: HashMap<Box<[u64]>, usize>,
    /// The distinct keys, by slot, in the order they first came.
    keys: ChunkedVec<Box<[f64]>, KEYS_PER_CHUNK>,
    /// Each slot's latest entry.
    latest: ChunkedVec<Latest, SLOTS_PER_CHUNK>,
    /// Every entry, kept only for the dense reference.
    all: Option<Vec<Entry>>,
}

impl Clone for KeyValueStore {
    fn clone(&self) -> KeyValueStore {
        KeyValueStore {
            len: self.len,
            index: HashMap::new(),
            keys: self.keys.clone(),
            latest: self.latest.clone(),
            all: self.all.clone(),
        }
    }
}

fn bits_of(key: &[f64]) -> Box<[u64]> {
    key.iter().map(|k| k.to_bits()).collect()
}

impl KeyValueStore {
    /// A store; `keep_all` also keeps every entry for [`Self::argmax_dense`].
    pub fn new(keep_all: bool) -> KeyValueStore {
        KeyValueStore {
            all: keep_all.then(Vec::new),
            ..KeyValueStore::default()
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The bytes the store holds on the heap, estimated from its sizes: each
    /// distinct key (stored, and hashed in the index), its latest value, and
    /// every entry when all are kept.
    pub fn heap_bytes(&self) -> usize {
        let f64s = |n: usize| n * std::mem::size_of::<f64>();
        let key_len = self.keys.get(0).map_or(0, |k| k.len());
        let value_len = self.latest.get(0).map_or(0, |l| l.value.len());
        let per_key = 2 * f64s(key_len)
            + f64s(value_len)
            + std::mem::size_of::<Latest>()
            + 2 * std::mem::size_of::<Box<[f64]>>()
            + std::mem::size_of::<usize>();
        let all = self.all.as_ref().map_or(0, |all| {
            all.len() * (std::mem::size_of::<Entry>() + f64s(key_len + value_len))
        });
        self.keys.len() * per_key + all
    }

    /// Appends the key and value produced at `position`.
    pub fn push(&mut self, position: usize, key: &[f64], value: &[f64]) {
        if self.index.len() < self.keys.len() {
            self.index = self
                .keys
                .iter()
                .enumerate()
                .map(|(slot, key)| (bits_of(key), slot))
                .collect();
        }
        let entry = self.len;
        self.len += 1;
        let bits = bits_of(key);
        match self.index.get(&bits) {
            Some(&slot) => {
                let latest = self.latest.get_mut(slot);
                latest.entry = entry;
                latest.position = position;
                if latest.value.len() == value.len() {
                    latest.value.copy_from_slice(value);
                } else {
                    latest.value = value.into();
                }
            }
            None => {
                self.index.insert(bits, self.keys.len());
                self.keys.push(key.into());
                self.latest.push(Latest {
                    entry,
                    position,
                    value: value.into(),
                });
            }
        }
        if let Some(all) = &mut self.all {
            all.push((position, key.to_vec(), value.to_vec()));
        }
    }

    /// The entry of `slot`; every slot has one.
    fn latest(&self, slot: usize) -> &Latest {
        self.latest.get(slot).expect("every key has a latest entry")
    }

    /// The winner for `query` through the index of distinct keys.
    pub fn argmax(&self, query: &[f64]) -> Option<(Hit, &[f64])> {
        let mut best: Option<(f64, usize)> = None;
        let mut runner_up = f64::NEG_INFINITY;
        for (slot, key) in self.keys.slices().flatten().enumerate() {
            let score = dot(query, key);
            match best {
                None => best = Some((score, slot)),
                Some((best_score, best_slot)) => {
                    if score > best_score
                        || (score == best_score
                            && self.latest(slot).entry > self.latest(best_slot).entry)
                    {
                        runner_up = runner_up.max(best_score);
                        best = Some((score, slot));
                    } else {
                        runner_up = runner_up.max(score);
                    }
                }
            }
        }
        best.map(|(score, slot)| {
            let latest = self.latest(slot);
            (
                Hit {
                    position: latest.position,
                    score,
                    margin: score - runner_up,
                },
                &*latest.value,
            )
        })
    }

    /// The winner for `query` by scanning every entry (dense attention). Needs a
    /// store made with `keep_all`.
    pub fn argmax_dense(&self, query: &[f64]) -> Option<(Hit, &[f64])> {
        let all = self
            .all
            .as_ref()
            .expect("the dense reference needs every entry");
        let mut best: Option<(f64, usize)> = None;
        for (entry, (_, key, _)) in all.iter().enumerate() {
            let score = dot(query, key);
            if best.is_none_or(|(b, _)| score >= b) {
                best = Some((score, entry));
            }
        }
        let (score, entry) = best?;
        let (position, winner_key, value) = &all[entry];
        let runner_up = all
            .iter()
            .filter(|(_, k, _)| !same_key(k, winner_key))
            .map(|(_, k, _)| dot(query, k))
            .fold(f64::NEG_INFINITY, f64::max);
        Some((
            Hit {
                position: *position,
                score,
                margin: score - runner_up,
            },
            value.as_slice(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_ties_go_to_the_most_recent_entry_in_both_paths() {
        let mut store = KeyValueStore::new(true);
        store.push(3, &[2.0, -1.0], &[10.0]);
        store.push(5, &[4.0, -4.0], &[20.0]);
        store.push(8, &[2.0, -1.0], &[30.0]);
        // Query 1: key 1 scores 2·1 − 1 = 1, key 2 scores 4 − 4 = 0.
        for (hit, value) in [
            store.argmax(&[1.0, 1.0]).unwrap(),
            store.argmax_dense(&[1.0, 1.0]).unwrap(),
        ] {
            assert_eq!(hit.position, 8);
            assert_eq!(value, &[30.0]);
            assert_eq!(hit.score, 1.0);
            assert_eq!(hit.margin, 1.0);
        }
        // Different keys with equal scores: the later one wins.
        let mut store = KeyValueStore::new(true);
        store.push(1, &[1.0, 0.0], &[1.0]);
        store.push(2, &[0.0, 1.0], &[2.0]);
        assert_eq!(store.argmax(&[1.0, 1.0]).unwrap().0.position, 2);
        assert_eq!(store.argmax_dense(&[1.0, 1.0]).unwrap().0.position, 2);
    }

    #[test]
    fn a_clone_is_independent_and_rebuilds_its_index() {
        let mut store = KeyValueStore::new(false);
        for position in 0..100 {
            store.push(position, &[position as f64 % 7.0, 1.0], &[position as f64]);
        }
        let mut copy = store.clone();
        // Key 3 again in the copy only: the copy's rebuilt index finds its slot.
        copy.push(100, &[3.0, 1.0], &[-1.0]);
        assert_eq!(copy.len(), 101);
        let (hit, value) = copy.argmax(&[0.0, 0.0]).unwrap();
        assert_eq!((hit.position, value), (100, &[-1.0][..]));
        // Every key scores 0 for this query: ties go to the latest entry, which
        // in the original is still position 99.
        let (hit, value) = store.argmax(&[0.0, 0.0]).unwrap();
        assert_eq!((hit.position, value), (99, &[99.0][..]));
        assert_eq!(store.len(), 100);
    }
}
