//! Teacher-forced passes in blocks: when every token of a sequence is known in
//! advance (a recorded trace), the model can process it the way a transformer
//! processes a prompt, layer by layer over many positions at once, instead
//! of one whole forward pass at a time.
//!
//! For each block of positions and each layer:
//! - the heads run in parallel, each over every position of the block in
//!   order (a head's cache at position p must hold positions ≤ p only);
//! - the feed-forward block and, after the last layer, the unembedding run in
//!   parallel over positions, which no longer depend on one another;
//! - the gate pre-activations are a sparse × sparse product: only the
//!   residual's non-zero entries are multiplied, by the gate matrix's columns.
//!
//! Every value is computed with the same floating-point operations in the
//! same order as [`super::Session::step`] in [`Mode::Fast`], so the argmaxes
//! are the same (a test compares them on the corpus and on edited weights).
//! The one reordering, skipping a zero residual entry, can change only the
//! sign of a zero gate, and a gate ≤ 0 is off either way; columns holding a
//! non-finite weight are never skipped, so `0 · ∞` still gives NaN as the
//! dense product does.

use std::collections::HashMap;
use std::sync::Arc;

use super::attention::dot;
use super::sparse::sparse_columns;
use super::{Mode, Model, TokenFields, unembed};
use crate::circuit::HeadKind;

/// One position of a block: its token and, for a write token, the memory it
/// writes (as `writes_memory` of [`super::Session::step`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockToken {
    pub fields: Vec<(usize, i64)>,
    pub writes_memory: Option<usize>,
}

/// A position of a block whose pass failed, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockError {
    /// Index into the block.
    pub index: usize,
    pub message: String,
}

/// How a prefill divides its work. Any plan gives the same argmaxes; tests
/// vary it to reach every boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrefillPlan {
    /// Threads per layer (at least one).
    pub threads: usize,
    /// Positions per block, for the callers that cut a sequence into blocks.
    pub block: usize,
    /// Pushes per head after which remembered reads are forgotten.
    pub remembered_pushes: usize,
}

impl Default for PrefillPlan {
    /// Every core; blocks of 2,048 positions, large enough to amortise
    /// starting the threads of each layer, small enough that a block's
    /// residuals stay a few megabytes.
    fn default() -> PrefillPlan {
        PrefillPlan {
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            block: 2048,
            remembered_pushes: 1 << 14,
        }
    }
}

/// The caches of one sequence processed in blocks.
pub struct Prefill {
    model: Arc<Model>,
    position: usize,
    caches: Vec<Vec<HeadCache>>,
    /// Per layer, the gate matrix by column.
    gates: Vec<GateColumns>,
    threads: usize,
}

struct GateColumns {
    /// For each residual dimension: `(neuron, weight)`.
    columns: Vec<Vec<(u32, f64)>>,
    /// Columns with a non-finite weight: multiplied even by a zero entry.
    never_skip: Vec<bool>,
    bias: Vec<f64>,
    /// A bit per neuron whose bias is not ≤ 0 (so it may fire with no input).
    on_by_bias: Vec<u64>,
}

enum HeadCache {
    Lookup(FlatStore),
    Sum(Vec<f64>),
    Cross { memory: usize, store: FlatStore },
}

/// A hard-max head's entries, reduced as in [`super::KeyValueStore`] to the
/// latest entry of each distinct key, with the keys in one flat array.
///
/// Reads are remembered by query. The winner is the maximum over slots of
/// `(score, latest entry)`, and a push only ever raises one slot's pair (a
/// new slot, or a newer entry for a known key), so a remembered winner
/// stays right once compared with the slots pushed since: a repeated query
/// costs the pushes since it was last read, not a scan of every key.
#[derive(Default)]
struct FlatStore {
    key_dims: usize,
    value_dims: usize,
    len: usize,
    index: HashMap<Box<[u64]>, usize>,
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
    remembered: HashMap<Box<[u64]>, Remembered>,
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
    fn new(key_dims: usize, value_dims: usize, plan: &PrefillPlan) -> FlatStore {
        FlatStore {
            key_dims,
            value_dims,
            remembered_pushes: plan.remembered_pushes.max(1),
            ..FlatStore::default()
        }
    }

    fn key(&self, slot: usize) -> &[f64] {
        &self.keys[slot * self.key_dims..(slot + 1) * self.key_dims]
    }

    fn push(&mut self, key: &[f64], value: &[f64]) {
        self.bits.clear();
        self.bits.extend(key.iter().map(|k| k.to_bits()));
        let entry = self.len;
        self.len += 1;
        let vd = self.value_dims;
        let slot = match self.index.get(self.bits.as_slice()) {
            Some(&slot) => {
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
        if self.pushed.len() >= self.remembered_pushes {
            self.pushed.clear();
            self.remembered.clear();
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
    fn read(&mut self, query: &[f64], out: &mut [f64]) {
        let mut bits: Vec<u64> = std::mem::take(&mut self.bits);
        bits.clear();
        bits.extend(query.iter().map(|q| q.to_bits()));
        let kd = self.key_dims;
        let winner = match self.remembered.get_mut(bits.as_slice()) {
            Some(known) => {
                for &slot in &self.pushed[known.seen..] {
                    let score = dot(query, &self.keys[slot * kd..(slot + 1) * kd]);
                    if beats(&self.entries, (score, slot), (known.score, known.slot)) {
                        known.score = score;
                        known.slot = slot;
                    }
                }
                known.seen = self.pushed.len();
                Some(known.slot)
            }
            None => self.scan(query).map(|(score, slot)| {
                let seen = self.pushed.len();
                self.remembered.insert(
                    bits.clone().into_boxed_slice(),
                    Remembered { score, slot, seen },
                );
                slot
            }),
        };
        self.bits = bits;
        match winner {
            Some(slot) => out.copy_from_slice(
                &self.values[slot * self.value_dims..(slot + 1) * self.value_dims],
            ),
            None => out.fill(0.0),
        }
    }
}

/// Whether `(score, slot)` beats the winner so far, as
/// [`super::KeyValueStore::argmax`] decides: the better score, exact ties to
/// the later entry.
#[inline]
fn beats(entries: &[usize], (score, slot): (f64, usize), (best, best_slot): (f64, usize)) -> bool {
    score > best || (score == best && entries[slot] > entries[best_slot])
}

impl Prefill {
    pub fn new(model: Arc<Model>, plan: PrefillPlan) -> Prefill {
        let weights = &model.weights;
        let caches = weights
            .layers
            .iter()
            .map(|layer| {
                layer
                    .heads
                    .iter()
                    .map(|h| match h.kind {
                        HeadKind::Lookup => {
                            HeadCache::Lookup(FlatStore::new(h.w_k.nrows(), h.w_v.nrows(), &plan))
                        }
                        HeadKind::Sum => HeadCache::Sum(vec![0.0; h.w_v.nrows()]),
                        HeadKind::Cross { memory } => HeadCache::Cross {
                            memory,
                            store: FlatStore::new(h.w_k.nrows(), h.w_v.nrows(), &plan),
                        },
                    })
                    .collect()
            })
            .collect();
        let gates = weights
            .layers
            .iter()
            .map(|layer| {
                let columns = sparse_columns(&layer.w_gate);
                let never_skip = columns
                    .iter()
                    .map(|column| column.iter().any(|(_, w)| !w.is_finite()))
                    .collect();
                let mut on_by_bias = vec![0u64; layer.b_gate.len().div_ceil(64)];
                for (n, b) in layer.b_gate.iter().enumerate() {
                    if *b > 0.0 || b.is_nan() {
                        on_by_bias[n / 64] |= 1 << (n % 64);
                    }
                }
                GateColumns {
                    columns,
                    never_skip,
                    bias: layer.b_gate.to_vec(),
                    on_by_bias,
                }
            })
            .collect();
        Prefill {
            model,
            position: 0,
            caches,
            gates,
            threads: plan.threads.max(1),
        }
    }

    /// Positions processed so far.
    pub fn position(&self) -> usize {
        self.position
    }

    /// As [`super::Session::store_memory_entry`].
    pub fn store_memory_entry(
        &mut self,
        memory: usize,
        fields: &TokenFields,
    ) -> Result<(), String> {
        let model = Arc::clone(&self.model);
        let x = model.embed(fields, 0)?;
        for (l, layer) in model.layers.iter().enumerate() {
            for (h, rows) in layer.heads.iter().enumerate() {
                if let HeadCache::Cross { memory: m, store } = &mut self.caches[l][h]
                    && *m == memory
                {
                    let key: Vec<f64> = rows.k.iter().map(|r| r.dot(&x)).collect();
                    let value: Vec<f64> = rows.v.iter().map(|r| r.dot(&x)).collect();
                    store.push(&key, &value);
                }
            }
        }
        Ok(())
    }

    /// Runs the passes of `block` at the next positions and returns each
    /// one's output-field argmaxes, or the first position whose pass failed.
    pub fn run(&mut self, block: &[BlockToken]) -> Result<Vec<Vec<i64>>, BlockError> {
        let model = Arc::clone(&self.model);
        let d = model.weights.d_model();
        let n = block.len();
        let mut x = vec![0.0; n * d];
        let mut failures: Vec<Option<String>> = vec![None; n];
        for (i, (token, row)) in block.iter().zip(x.chunks_exact_mut(d)).enumerate() {
            if let Err(message) = model.embed_into(&token.fields, self.position + i, row) {
                failures[i] = Some(message);
            }
        }
        for l in 0..model.layers.len() {
            self.attend(l, block, &mut x);
            self.feed_forward(l, &mut x, &mut failures);
        }
        let threads = self.threads;
        let mut emitted: Vec<Vec<i64>> = vec![Vec::new(); n];
        let chunk = n.div_ceil(threads).max(1);
        let weights = &model.weights;
        std::thread::scope(|scope| {
            for ((rows, out), fails) in x
                .chunks(chunk * d)
                .zip(emitted.chunks_mut(chunk))
                .zip(failures.chunks_mut(chunk))
            {
                scope.spawn(move || {
                    for ((row, out), fail) in rows.chunks_exact(d).zip(out).zip(fails) {
                        if fail.is_none() {
                            match unembed(weights, Mode::Fast, row, None) {
                                Ok(fields) => *out = fields,
                                Err(message) => *fail = Some(message),
                            }
                        }
                    }
                });
            }
        });
        if let Some(index) = failures.iter().position(Option::is_some) {
            return Err(BlockError {
                index,
                message: failures.swap_remove(index).unwrap_or_default(),
            });
        }
        self.position += n;
        Ok(emitted)
    }

    /// Layer `l`'s heads over the block, then their outputs added to `x`.
    fn attend(&mut self, l: usize, block: &[BlockToken], x: &mut [f64]) {
        let model = Arc::clone(&self.model);
        let d = model.weights.d_model();
        let layer = &model.layers[l];
        let threads = self.threads;
        // Heads dealt round-robin to the threads; each returns its reads.
        let mut dealt: Vec<Vec<(usize, &mut HeadCache)>> =
            (0..threads).map(|_| Vec::new()).collect();
        for (h, cache) in self.caches[l].iter_mut().enumerate() {
            dealt[h % threads].push((h, cache));
        }
        let xs: &[f64] = x;
        let mut reads: Vec<(usize, Vec<f64>)> = std::thread::scope(|scope| {
            let workers: Vec<_> = dealt
                .into_iter()
                .map(|heads| {
                    scope.spawn(move || {
                        heads
                            .into_iter()
                            .map(|(h, cache)| (h, read_head(&layer.heads[h], cache, block, xs, d)))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            workers
                .into_iter()
                .flat_map(|w| w.join().expect("a head worker panicked"))
                .collect()
        });
        reads.sort_by_key(|(h, _)| *h);
        let chunk = block.len().div_ceil(threads).max(1);
        let reads = &reads;
        std::thread::scope(|scope| {
            for (c, rows) in x.chunks_mut(chunk * d).enumerate() {
                scope.spawn(move || {
                    let mut delta = vec![0.0; d];
                    for (r, row) in rows.chunks_exact_mut(d).enumerate() {
                        add_head_outputs(layer, reads, c * chunk + r, row, &mut delta);
                    }
                });
            }
        });
    }

    /// Layer `l`'s gated feed-forward block over the block, in place; records
    /// a position's first non-finite value as its failure.
    fn feed_forward(&self, l: usize, x: &mut [f64], failures: &mut [Option<String>]) {
        let model = &self.model;
        let weights = &model.weights;
        let d = weights.d_model();
        let rows = &model.layers[l];
        let gates = &self.gates[l];
        let chunk = failures.len().div_ceil(self.threads).max(1);
        std::thread::scope(|scope| {
            for (xs, fails) in x.chunks_mut(chunk * d).zip(failures.chunks_mut(chunk)) {
                scope.spawn(move || {
                    let mut scratch = FfnScratch::new(gates, d);
                    for (row, fail) in xs.chunks_exact_mut(d).zip(fails) {
                        feed_forward_position(rows, gates, row, &mut scratch);
                        if fail.is_none()
                            && let Some(bad) = row.iter().position(|v| !v.is_finite())
                        {
                            *fail = Some(format!(
                                "layer {l} produced a non-finite value in {}",
                                weights.dims[bad]
                            ));
                        }
                    }
                });
            }
        });
    }
}

/// Adds what the heads read at position `i` of the block, through their
/// output matrices, to `row`, with the arithmetic of [`super::Session::step`].
#[inline(never)]
fn add_head_outputs(
    layer: &super::LayerRows,
    reads: &[(usize, Vec<f64>)],
    i: usize,
    row: &mut [f64],
    delta: &mut [f64],
) {
    delta.fill(0.0);
    for (h, read) in reads {
        let out = &layer.heads[*h].out;
        let value = &read[i * out.len()..(i + 1) * out.len()];
        for (component, targets) in out.iter().enumerate() {
            for &(dim, w) in targets {
                delta[dim as usize] += w * value[component];
            }
        }
    }
    for (xi, di) in row.iter_mut().zip(delta.iter()) {
        *xi += di;
    }
}

/// Buffers reused across positions.
struct FfnScratch {
    /// The gate pre-activations; equal to the bias outside `candidates`.
    gates: Vec<f64>,
    /// A bit per neuron that may be on: those a multiplied column reached,
    /// and those whose bias alone is not ≤ 0.
    candidates: Vec<u64>,
    delta: Vec<f64>,
}

impl FfnScratch {
    fn new(gates: &GateColumns, d: usize) -> FfnScratch {
        FfnScratch {
            gates: gates.bias.clone(),
            candidates: gates.on_by_bias.clone(),
            delta: vec![0.0; d],
        }
    }
}

/// The gated feed-forward block at one position, in place, with the
/// arithmetic of [`super::Session::step`]: a neuron no multiplied column
/// reaches has its bias as its gate, and is off when that is ≤ 0.
#[inline(never)]
fn feed_forward_position(
    rows: &super::LayerRows,
    gates: &GateColumns,
    row: &mut [f64],
    scratch: &mut FfnScratch,
) {
    let g = &mut scratch.gates;
    let candidates = &mut scratch.candidates;
    let delta = &mut scratch.delta;
    for (j, &xj) in row.iter().enumerate() {
        if xj != 0.0 || gates.never_skip[j] {
            for &(neuron, w) in &gates.columns[j] {
                let n = neuron as usize;
                g[n] += w * xj;
                candidates[n / 64] |= 1 << (n % 64);
            }
        }
    }
    delta.fill(0.0);
    for (word_index, word) in candidates.iter_mut().enumerate() {
        let mut bits = *word;
        while bits != 0 {
            let n = word_index * 64 + bits.trailing_zeros() as usize;
            bits &= bits - 1;
            let gate = g[n];
            g[n] = gates.bias[n];
            if gate <= 0.0 {
                continue;
            }
            let activation = gate * rows.val[n].dot(row);
            if activation != 0.0 {
                for &(dim, w) in &rows.out[n] {
                    delta[dim as usize] += w * activation;
                }
            }
        }
        *word = gates.on_by_bias[word_index];
    }
    for (xi, di) in row.iter_mut().zip(delta.iter()) {
        *xi += di;
    }
}

/// One head over every position of the block, in order: what it read at
/// each, `value_dims` per position.
fn read_head(
    rows: &super::HeadRows,
    cache: &mut HeadCache,
    block: &[BlockToken],
    x: &[f64],
    d: usize,
) -> Vec<f64> {
    let value_dims = rows.v.len();
    let mut reads = vec![0.0; block.len() * value_dims];
    let mut k = vec![0.0; rows.k.len()];
    let mut q = vec![0.0; rows.q.len()];
    let mut v = vec![0.0; value_dims];
    let project = |sparse: &[super::sparse::SparseRow], row: &[f64], out: &mut [f64]| {
        for (o, r) in out.iter_mut().zip(sparse) {
            *o = r.dot(row);
        }
    };
    for (i, (row, read)) in x
        .chunks_exact(d)
        .zip(reads.chunks_exact_mut(value_dims.max(1)))
        .enumerate()
    {
        project(&rows.v, row, &mut v);
        match cache {
            HeadCache::Sum(total) => {
                for (t, vi) in total.iter_mut().zip(&v) {
                    *t += vi;
                }
                read.copy_from_slice(total);
            }
            HeadCache::Lookup(store) => {
                project(&rows.k, row, &mut k);
                store.push(&k, &v);
                project(&rows.q, row, &mut q);
                store.read(&q, read);
            }
            HeadCache::Cross { memory, store } => {
                if block[i].writes_memory == Some(*memory) {
                    project(&rows.k, row, &mut k);
                    store.push(&k, &v);
                }
                project(&rows.q, row, &mut q);
                store.read(&q, read);
            }
        }
    }
    reads
}
