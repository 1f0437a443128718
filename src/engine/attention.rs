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
//!
//! Past [`MIN_KEYS`] distinct keys, the index also keeps an [`Envelope`] of
//! them, which finds the winner in a few scores instead of one per key, and
//! answers only where it can prove its winner is the scan's (see
//! `envelope.rs`); elsewhere the store scans its distinct keys.

use super::bits_map::{BitsMap, SHORT_WORDS, ShortBits, ShortBitsMap};
use super::envelope::{Envelope, KeyGrid, MIN_KEYS};
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

/// The hard-max order: a key scoring `score` at entry `entry` beats the
/// best so far when it scores higher, or the same at a later entry (exact
/// ties go to the most recent). Every read path decides by this.
#[inline]
pub(crate) fn beats((score, entry): (f64, usize), (best, best_entry): (f64, usize)) -> bool {
    score > best || (score == best && entry > best_entry)
}

/// A key component's identity: its bit pattern, with −0 taken as +0. The
/// two score the same for every query (as numbers; only a zero score's
/// sign can differ), so a key is one key whatever the signs of its zeros.
fn component_bits(k: f64) -> u64 {
    if k == 0.0 { 0 } else { k.to_bits() }
}

fn same_key(a: &[f64], b: &[f64]) -> bool {
    a.iter()
        .map(|&v| component_bits(v))
        .eq(b.iter().map(|&v| component_bits(v)))
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
    index: KeyIndex,
    /// The distinct keys, by slot, in the order they first came.
    keys: ChunkedVec<Box<[f64]>, KEYS_PER_CHUNK>,
    /// Each slot's latest entry.
    latest: ChunkedVec<Latest, SLOTS_PER_CHUNK>,
    /// Every entry, kept only for the dense reference.
    all: Option<Vec<Entry>>,
    /// The grids and magnitudes of the distinct keys.
    grid: KeyGrid,
    /// The hull index of the distinct keys, when built; rebuilt (choosing
    /// its axes afresh) each time their number doubles.
    envelope: Option<Envelope>,
    /// The number of distinct keys at which to build the envelope next.
    next_build: usize,
    /// The slot of the last push: most pushes repeat its key.
    last_slot: Option<usize>,
    /// Reads remembered: the last query's (compared as numbers, so that a
    /// query repeated from pass to pass costs no hash), and every other
    /// recent query's by its bit pattern. A push only adds a candidate or
    /// makes one slot's entry newer, so the winner of a query read before is
    /// the old one or one of the slots pushed since: a query that comes
    /// back costs a score per slot pushed since (see [`Self::log`]), not a
    /// search. Neither is cloned.
    last_read: Option<LastRead>,
    reads: ShortBitsMap<Read>,
    /// The slots pushed, oldest first, with the entry of each one's last
    /// push; a slot pushed several times in a row is one run. Cleared when
    /// it reaches [`MOST_RUNS`], after which the reads remembered from
    /// before `log_start` are searched afresh.
    log: Vec<(usize, usize)>,
    log_start: usize,
}

/// A read remembered: its winner and score, and the entries stored when it
/// was read.
#[derive(Debug, Clone, Copy)]
struct Read {
    slot: usize,
    score: f64,
    entries: usize,
}

/// The last read, with its query (−0 stored as +0).
#[derive(Debug, Clone)]
struct LastRead {
    query: Vec<f64>,
    read: Read,
}

/// A key or query's [`ShortBits`] (−0 as +0), when it has at most
/// [`SHORT_WORDS`] components. Longer queries are not remembered but
/// searched; longer keys are indexed boxed.
fn short_bits(vector: &[f64]) -> Option<ShortBits> {
    if vector.len() > SHORT_WORDS {
        return None;
    }
    let mut words = [0; SHORT_WORDS];
    for (word, &v) in words.iter_mut().zip(vector) {
        *word = component_bits(v);
    }
    Some((vector.len() as u8, words))
}

/// Distinct keys to their slots by exact bit patterns: inline for keys of
/// up to [`SHORT_WORDS`] components (the compiled model's), boxed beyond.
#[derive(Debug, Default)]
struct KeyIndex {
    short: ShortBitsMap<usize>,
    long: BitsMap<usize>,
    /// The bit patterns of a long key being looked up (a buffer).
    bits: Vec<u64>,
}

impl KeyIndex {
    fn len(&self) -> usize {
        self.short.len() + self.long.len()
    }

    fn get(&mut self, key: &[f64]) -> Option<usize> {
        match short_bits(key) {
            Some(bits) => self.short.get(&bits).copied(),
            None => {
                self.bits.clear();
                self.bits.extend(key.iter().map(|&k| component_bits(k)));
                self.long.get(self.bits.as_slice()).copied()
            }
        }
    }

    fn insert(&mut self, key: &[f64], slot: usize) {
        match short_bits(key) {
            Some(bits) => self.short.insert(bits, slot),
            None => self.long.insert(bits_of(key), slot),
        };
    }
}

/// Runs of pushes the log keeps before starting again.
const MOST_RUNS: usize = 64;
/// Slots pushed since a remembered read past which a search is cheaper
/// than catching up.
const MOST_CAUGHT_UP: usize = 16;
/// Distinct queries remembered before forgetting them all.
const MOST_READS: usize = 4096;

impl Clone for KeyValueStore {
    /// Neither the hash index nor the envelope is cloned: the clone rebuilds
    /// them at its first push.
    fn clone(&self) -> KeyValueStore {
        KeyValueStore {
            len: self.len,
            index: KeyIndex::default(),
            keys: self.keys.clone(),
            latest: self.latest.clone(),
            all: self.all.clone(),
            grid: self.grid.clone(),
            envelope: None,
            next_build: 0,
            last_slot: None,
            last_read: None,
            reads: ShortBitsMap::default(),
            log: Vec::new(),
            log_start: self.len,
        }
    }
}

fn bits_of(key: &[f64]) -> Box<[u64]> {
    key.iter().map(|&k| component_bits(k)).collect()
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
        let envelope = self.envelope.as_ref().map_or(0, Envelope::heap_bytes);
        self.keys.len() * per_key + all + envelope
    }

    /// Appends the key and value produced at `position`.
    pub fn push(&mut self, position: usize, key: &[f64], value: &[f64]) {
        if self.index.len() < self.keys.len() {
            self.index = KeyIndex::default();
            for (slot, key) in self.keys.iter().enumerate() {
                self.index.insert(key, slot);
            }
        }
        let entry = self.len;
        self.len += 1;
        // Equal as numbers is the same key (stored keys have no −0); a NaN
        // is never equal, and goes to the index, which hashes bit patterns.
        let repeated = self.last_slot.filter(|&slot| {
            self.keys
                .get(slot)
                .is_some_and(|k| k.len() == key.len() && k.iter().zip(key).all(|(a, b)| a == b))
        });
        let found = repeated.or_else(|| self.index.get(key));
        let slot = match found {
            Some(slot) => {
                let latest = self.latest.get_mut(slot);
                latest.entry = entry;
                latest.position = position;
                if latest.value.len() == value.len() {
                    latest.value.copy_from_slice(value);
                } else {
                    latest.value = value.into();
                }
                slot
            }
            None => {
                let slot = self.keys.len();
                self.index.insert(key, slot);
                // Zeros stored as +0, so that a key is one point of the envelope.
                let key: Box<[f64]> = key
                    .iter()
                    .map(|&k| if k == 0.0 { 0.0 } else { k })
                    .collect();
                self.grid.add(&key);
                if let Some(envelope) = &mut self.envelope
                    && !envelope.insert(slot, &key)
                {
                    self.envelope = None;
                    self.next_build = 0;
                }
                self.keys.push(key);
                self.latest.push(Latest {
                    entry,
                    position,
                    value: value.into(),
                });
                slot
            }
        };
        self.last_slot = Some(slot);
        match self.log.last_mut() {
            Some((last, at)) if *last == slot => *at = entry,
            _ => {
                if self.log.len() == MOST_RUNS {
                    self.log.clear();
                    self.log_start = entry;
                }
                self.log.push((slot, entry));
            }
        }
        let distinct = self.keys.len();
        if distinct >= MIN_KEYS.max(self.next_build) {
            let keys: Vec<&[f64]> = self.keys.iter().map(|k| &**k).collect();
            self.envelope = Envelope::build(&keys, &self.grid);
            self.next_build = 2 * distinct;
        }
        if let Some(all) = &mut self.all {
            all.push((position, key.to_vec(), value.to_vec()));
        }
    }

    /// Whether the envelope indexes every distinct key (for tests).
    pub fn is_indexed(&self) -> bool {
        self.envelope
            .as_ref()
            .is_some_and(|e| e.len() == self.keys.len())
    }

    /// The position and value of the winner for `query`, as
    /// [`Self::argmax`] finds it: from the remembered read when the query
    /// repeats, else through the envelope where it can answer, else by a
    /// scan of the distinct keys.
    pub fn winner(&mut self, query: &[f64]) -> Option<(usize, &[f64])> {
        let slot = self.winning_slot(query)?;
        let latest = self.latest(slot);
        Some((latest.position, &*latest.value))
    }

    fn winning_slot(&mut self, query: &[f64]) -> Option<usize> {
        // Equal as numbers is the same query (a remembered one has no −0);
        // a NaN never is, and is looked up by its bits.
        let repeated = self.last_read.as_ref().filter(|last| {
            last.query.len() == query.len() && last.query.iter().zip(query).all(|(a, b)| a == b)
        });
        let repeated = repeated.map(|last| last.read);
        let remembered = repeated.or_else(|| {
            self.remember_last_read();
            short_bits(query).and_then(|bits| self.reads.get(&bits).copied())
        });
        let caught_up = remembered.and_then(|read| self.catch_up(query, read));
        let (score, slot) = match caught_up {
            Some(best) => best,
            None => match self.envelope_winner(query) {
                Some(slot) => (dot(query, self.key(slot)), slot),
                None => {
                    let (score, slot, _) = self.scan(query)?;
                    (score, slot)
                }
            },
        };
        let read = Read {
            slot,
            score,
            entries: self.len,
        };
        match &mut self.last_read {
            Some(last) if repeated.is_some() => last.read = read,
            _ => {
                let mut kept = self.last_read.take().map(|r| r.query).unwrap_or_default();
                kept.clear();
                kept.extend(query.iter().map(|&q| if q == 0.0 { 0.0 } else { q }));
                self.last_read = Some(LastRead { query: kept, read });
            }
        }
        Some(slot)
    }

    /// The last read, kept among the others before another query replaces
    /// it.
    fn remember_last_read(&mut self) {
        let Some(last) = &self.last_read else {
            return;
        };
        let Some(bits) = short_bits(&last.query) else {
            return;
        };
        if self.reads.len() >= MOST_READS {
            self.reads.clear();
        }
        self.reads.insert(bits, last.read);
    }

    /// The winner of `query`, read before as `read`, after the pushes
    /// since: `None` when the log no longer holds them all, or when there
    /// are so many that a search costs less.
    fn catch_up(&self, query: &[f64], read: Read) -> Option<(f64, usize)> {
        if read.entries < self.log_start {
            return None;
        }
        // The runs since, found from the newest: most reads come back after
        // a few.
        let mut since = self.log.len();
        while since > 0 && self.log[since - 1].1 >= read.entries {
            since -= 1;
            if self.log.len() - since > MOST_CAUGHT_UP {
                return None;
            }
        }
        let runs = &self.log[since..];
        // Taken in push order, each run's slot holds the newest entry when
        // its run is reached: it wins a tie, and the winner pushed again
        // stays the winner, with its score.
        let mut best = (read.score, read.slot);
        for &(slot, _) in runs {
            if slot != best.1 {
                let score = dot(query, self.key(slot));
                if score >= best.0 {
                    best = (score, slot);
                }
            }
        }
        Some(best)
    }

    fn key(&self, slot: usize) -> &[f64] {
        self.keys.get(slot).expect("every slot has a key")
    }

    /// Whether `(score, slot)` beats `(best, best_slot)` by [`beats`]; the
    /// slots' entries are looked up only on a tie, the one case they decide.
    fn beats(&self, (score, slot): (f64, usize), (best, best_slot): (f64, usize)) -> bool {
        let entries = if score == best {
            (self.latest(slot).entry, self.latest(best_slot).entry)
        } else {
            (0, 0)
        };
        beats((score, entries.0), (best, entries.1))
    }

    /// The winning slot as the envelope finds it, or `None` when it cannot
    /// answer (none built, or scores that might round).
    fn envelope_winner(&self, query: &[f64]) -> Option<usize> {
        let envelope = self.envelope.as_ref()?;
        if !self.grid.scores_are_exact(query) {
            return None;
        }
        envelope.argmax(query, |slot| self.latest(slot).entry)
    }

    /// The winner's position as the envelope alone finds it (`None` when it
    /// cannot answer): for tests that prove it equals the scan.
    pub fn envelope_position(&self, query: &[f64]) -> Option<usize> {
        self.envelope_winner(query)
            .map(|slot| self.latest(slot).position)
    }

    /// The entry of `slot`; every slot has one.
    fn latest(&self, slot: usize) -> &Latest {
        self.latest.get(slot).expect("every key has a latest entry")
    }

    /// The winner for `query` through the index of distinct keys.
    pub fn argmax(&self, query: &[f64]) -> Option<(Hit, &[f64])> {
        self.scan(query).map(|(score, slot, runner_up)| {
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

    /// Every distinct key scored: the winner's score and slot, and the best
    /// score of any other key.
    fn scan(&self, query: &[f64]) -> Option<(f64, usize, f64)> {
        let mut best: Option<(f64, usize)> = None;
        let mut runner_up = f64::NEG_INFINITY;
        for (slot, key) in self.keys.slices().flatten().enumerate() {
            let score = dot(query, key);
            match best {
                None => best = Some((score, slot)),
                Some(b) => {
                    if self.beats((score, slot), b) {
                        runner_up = runner_up.max(b.0);
                        best = Some((score, slot));
                    } else {
                        runner_up = runner_up.max(score);
                    }
                }
            }
        }
        best.map(|(score, slot)| (score, slot, runner_up))
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

    use proptest::prelude::*;

    /// X of the compiled lookups, 2⁵⁰.
    const X: f64 = (1u64 << 50) as f64;

    /// Pushes `keys` in order (value: the position) and checks, for each
    /// query, that the envelope answers when `must_answer` and that the
    /// winner equals the dense scan's, position and value.
    fn check(
        keys: &[Vec<f64>],
        queries: &[Vec<f64>],
        must_answer: bool,
    ) -> Result<(), TestCaseError> {
        let mut store = KeyValueStore::new(true);
        for (position, key) in keys.iter().enumerate() {
            store.push(position, key, &[position as f64]);
        }
        for q in queries {
            let (dense, dense_value) = store.argmax_dense(q).unwrap();
            let dense_value = dense_value.to_vec();
            let through_envelope = store.envelope_position(q);
            if must_answer {
                prop_assert!(
                    through_envelope.is_some(),
                    "the envelope did not answer {:?}",
                    q
                );
            }
            if let Some(position) = through_envelope {
                prop_assert_eq!(position, dense.position, "query {:?}", q);
            }
            let (position, value) = store.winner(q).unwrap();
            prop_assert_eq!(position, dense.position, "query {:?}", q);
            prop_assert_eq!(value, &dense_value[..]);
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// The fetch head's shape: `(2k, −k² − X + e·X, 2X·w)` for queries
        /// `(q, 1, a)`, many keys repeating, ties of distance included.
        #[test]
        fn the_envelope_finds_the_nearest_lookups_winner(
            entries in proptest::collection::vec((0i64..200, proptest::bool::weighted(0.8), proptest::bool::weighted(0.05)), 40..400),
            queries in proptest::collection::vec((-10i64..210, proptest::bool::weighted(0.1)), 1..40),
        ) {
            let keys: Vec<Vec<f64>> = entries
                .iter()
                .map(|&(k, e, w)| {
                    let (k, e, w) = (k as f64, f64::from(u8::from(e)), f64::from(u8::from(w)));
                    vec![2.0 * k, -k * k - X + e * X, 2.0 * X * w]
                })
                .collect();
            let queries: Vec<Vec<f64>> = queries
                .iter()
                .map(|&(q, a)| vec![q as f64, 1.0, f64::from(u8::from(a))])
                .collect();
            let distinct: std::collections::HashSet<_> = entries.iter().collect();
            check(&keys, &queries, distinct.len() >= MIN_KEYS)?;
        }

        /// The memory heads' shape, `(2k, −e, −k² − X + (e + d)·X − 0.5·d)`
        /// for queries `(q, q², 1)`: half-integers, two groups.
        #[test]
        fn the_envelope_finds_the_exact_or_default_winner(
            entries in proptest::collection::vec((0i64..1 << 20, proptest::bool::ANY, proptest::bool::weighted(0.05)), 40..300),
            picks in proptest::collection::vec(0usize..300, 1..30),
        ) {
            let keys: Vec<Vec<f64>> = entries
                .iter()
                .map(|&(k, e, d)| {
                    let (e, d) = (f64::from(u8::from(e)), f64::from(u8::from(d)));
                    let k = if d == 1.0 { 0.0 } else { k as f64 };
                    vec![2.0 * k, -e, -k * k - X + (e + d) * X - 0.5 * d]
                })
                .collect();
            // Queries at stored addresses (hits) and just beside them (misses).
            let queries: Vec<Vec<f64>> = picks
                .iter()
                .flat_map(|&p| {
                    let k = entries[p % entries.len()].0 as f64;
                    [k, k + 1.0].map(|q| vec![q, q * q, 1.0])
                })
                .collect();
            let distinct: std::collections::HashSet<_> = keys.iter().map(|k| bits_of(k)).collect();
            check(&keys, &queries, distinct.len() >= MIN_KEYS)?;
        }

        /// Small integer keys in three dimensions, with −0: many collinear
        /// points, equal scores between different keys, and queries of every
        /// sign (a zero axis component makes the store scan).
        #[test]
        fn the_envelope_breaks_ties_as_the_scan_does(
            entries in proptest::collection::vec(proptest::collection::vec(-4i32..5, 3), 1..300),
            queries in proptest::collection::vec(proptest::collection::vec(-3i32..4, 3), 1..40),
            negative_zero in proptest::bool::ANY,
        ) {
            let keys: Vec<Vec<f64>> = entries
                .iter()
                .map(|key| {
                    key.iter()
                        .map(|&k| if k == 0 && negative_zero { -0.0 } else { f64::from(k) / 2.0 })
                        .collect()
                })
                .collect();
            let queries: Vec<Vec<f64>> = queries
                .iter()
                .map(|q| q.iter().map(|&v| f64::from(v)).collect())
                .collect();
            check(&keys, &queries, false)?;
        }

        #[test]
        fn the_key_index_returns_the_dense_winner(
            entries in proptest::collection::vec((0usize..6, -3i32..4), 1..40),
            query in proptest::collection::vec(-3i32..4, 2),
        ) {
            // Keys from a small pool (so many repeat), including -0.0 and 0.0.
            let pool = [[0.0, 1.0], [-0.0, 1.0], [2.0, -1.0], [4.0, -4.0], [1.0, 0.0], [0.0, -0.5]];
            let mut store = KeyValueStore::new(true);
            for (position, (key, value)) in entries.iter().enumerate() {
                store.push(position, &pool[*key], &[f64::from(*value)]);
            }
            let q = [f64::from(query[0]), f64::from(query[1])];
            let (fast, fast_value) = store.argmax(&q).unwrap();
            let (dense, dense_value) = store.argmax_dense(&q).unwrap();
            prop_assert_eq!(fast.position, dense.position);
            prop_assert_eq!(fast.score, dense.score);
            prop_assert_eq!(fast_value, dense_value);
        }

        /// Keys perturbed by multiples of 1e-6, as edited weights make them:
        /// where the envelope answers (scores it can prove exact), and
        /// where the store scans, it agrees with the dense scan.
        #[test]
        fn perturbed_keys_agree_with_the_scan(
            entries in proptest::collection::vec((0i64..100, 1i32..1000), 40..200),
            queries in proptest::collection::vec(-5i64..105, 1..20),
        ) {
            let keys: Vec<Vec<f64>> = entries
                .iter()
                .map(|&(k, noise)| {
                    let k = k as f64;
                    vec![2.0 * k + 1e-6 * f64::from(noise), -k * k]
                })
                .collect();
            let queries: Vec<Vec<f64>> = queries.iter().map(|&q| vec![q as f64, 1.0]).collect();
            check(&keys, &queries, false)?;
        }
    }

    #[test]
    fn a_key_off_every_binary_grid_turns_the_envelope_off() {
        // 1e-20 is 0x3BC79CA10C924223, on a grid of 2⁻¹¹⁹, finer than the
        // 2⁻⁶⁰ the envelope accepts.
        let mut store = KeyValueStore::new(true);
        store.push(0, &[1e-20, 0.0], &[0.0]);
        assert!(!store.grid.is_gridded());
        for k in 1..100 {
            let k = f64::from(k);
            store.push(k as usize, &[2.0 * k, -k * k], &[k]);
        }
        assert_eq!(store.envelope_position(&[40.0, 1.0]), None);
        // By hand: 2·40·k − k² = 1600 − (40 − k)², highest at k = 40.
        assert_eq!(store.winner(&[40.0, 1.0]).unwrap().0, 40);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        /// Pushes and reads interleaved, queries repeating (as a head's
        /// query does from pass to pass) and coming back in turn (as the
        /// fetch head's does around a loop): a remembered read caught up
        /// with the pushes since equals the dense scan, also past the runs
        /// the log keeps and across the envelope's rebuilds.
        #[test]
        fn remembered_reads_equal_the_scan_as_pushes_come(
            ops in proptest::collection::vec((0usize..3, 0i64..60, 0i64..4), 1..400),
        ) {
            let mut store = KeyValueStore::new(true);
            for (position, &(op, a, b)) in ops.iter().enumerate() {
                let (a, b) = (a as f64, b as f64);
                match op {
                    // Mostly one repeated key, as at passes that store nothing.
                    0 => store.push(position, &[0.0, -X], &[-1.0]),
                    1 => store.push(position, &[2.0 * a, -a * a - b * X], &[position as f64]),
                    _ => {
                        // Few distinct queries, so that they repeat.
                        let q = [(a as i64 % 5) as f64 * 10.0, 1.0];
                        if let Some((dense, dense_value)) = store.argmax_dense(&q) {
                            let dense_value = dense_value.to_vec();
                            let (position, value) = store.winner(&q).unwrap();
                            prop_assert_eq!(position, dense.position);
                            prop_assert_eq!(value, &dense_value[..]);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn keys_and_queries_past_four_components_take_the_boxed_paths() {
        // Five components: the key index's boxed map, and reads searched
        // afresh each time (not remembered). Keys repeat, so that pushes
        // find their slot through the index, and a query comes back.
        let mut store = KeyValueStore::new(true);
        let key = |k: f64| [2.0 * k, -k * k, 0.0, 1.0, -1.0];
        for (position, k) in [3.0, 5.0, 3.0, 7.0, 5.0, 5.0, 3.0, 9.0]
            .into_iter()
            .enumerate()
        {
            store.push(position, &key(k), &[position as f64]);
            for q in [4.0, 5.0, 8.0, 4.0] {
                let query = [q, 1.0, 7.0, 0.0, 0.0];
                let (dense, value) = store.argmax_dense(&query).unwrap();
                let value = value.to_vec();
                assert_eq!(store.winner(&query).unwrap(), (dense.position, &value[..]));
            }
        }
        assert_eq!(store.keys.len(), 4, "3, 5, 7 and 9, each indexed once");
        // By hand: 2·4·k − k² = 16 − (4 − k)²: 3 and 5 tie at 15, and the
        // latest of their entries, 3 at position 6, wins.
        assert_eq!(store.winner(&[4.0, 1.0, 7.0, 0.0, 0.0]).unwrap().0, 6);
    }

    #[test]
    fn forty_thousand_instruction_keys_are_indexed() {
        // The fetch head of a 40,000-instruction program: every key kept.
        let mut store = KeyValueStore::new(true);
        for k in 0..40_000 {
            let k = f64::from(k);
            store.push(k as usize, &[2.0 * k, -k * k], &[k]);
        }
        assert!(store.is_indexed());
        for q in [0.0, 1.0, 17_777.0, 39_999.0, 50_000.0, -3.0] {
            let (dense, _) = store.argmax_dense(&[q, 1.0]).unwrap();
            assert_eq!(store.envelope_position(&[q, 1.0]), Some(dense.position));
        }
        // By hand: the nearest key to 17,777 is itself, at position 17,777;
        // beyond the last key, the last.
        assert_eq!(store.envelope_position(&[17_777.0, 1.0]), Some(17_777));
        assert_eq!(store.envelope_position(&[50_000.0, 1.0]), Some(39_999));
    }

    #[test]
    fn a_clone_rebuilds_its_envelope_at_its_first_push() {
        let mut store = KeyValueStore::new(false);
        for k in 0..100 {
            let k = f64::from(k);
            store.push(k as usize, &[2.0 * k, -k * k], &[k]);
        }
        assert!(store.is_indexed());
        let mut copy = store.clone();
        assert!(!copy.is_indexed());
        assert_eq!(copy.winner(&[42.0, 1.0]).unwrap().0, 42);
        copy.push(100, &[84.0, -42.0 * 42.0], &[-1.0]);
        assert!(copy.is_indexed());
        assert_eq!(copy.envelope_position(&[42.0, 1.0]), Some(100));
        assert_eq!(store.envelope_position(&[42.0, 1.0]), Some(42));
    }
}
