//! Teacher-forced passes in blocks: when every token of a sequence is known in
//! advance (a recorded trace), the model can process it the way a transformer
//! processes a prompt, layer by layer over many positions at once, instead
//! of one whole forward pass at a time.
//!
//! For each block of positions and each layer:
//! - every head's query, key and value are projected in parallel over
//!   positions (pure functions of the layer input);
//! - the heads then run in parallel, each over the block's positions in
//!   order (a head's cache at position p must hold positions ≤ p only), with
//!   hard-max reads remembered per query (see `FlatStore`);
//! - the heads' outputs and the feed-forward block, and after the last layer
//!   the unembedding, run in parallel over positions;
//! - the gates and the unembedding are sparse × sparse products: only the
//!   residual's non-zero entries are multiplied, by the matrices' columns.
//!
//! Every value is computed with the floating-point operations of
//! [`super::Session::step`] in [`Mode::Fast`], in the same order, so the
//! argmaxes are the same (tests/prefill.rs compares them pass by pass on the
//! corpus and on ablated and perturbed weights). What is left out is adding
//! an exact zero (a zero residual entry times a finite weight, a residual
//! dimension nothing wrote to), which can change only the sign of a zero:
//! no comparison, and so no argmax, sees that. A column holding a
//! non-finite weight is always multiplied, so `0 · ∞` is still NaN.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use super::attention::dot;
use super::sparse::SparseRow;
use super::{Mode, Model, TokenFields, choose};
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
    gates: Vec<Columns>,
    /// Every output field's logit and readout rows, by column.
    readout: Columns,
    threads: usize,
}

/// A sparse matrix by column, for products with a sparse residual.
struct Columns {
    /// For each residual dimension: `(neuron, weight)`.
    columns: Vec<Vec<(u32, f64)>>,
    /// Columns with a non-finite weight: multiplied even by a zero entry.
    never_skip: Vec<u32>,
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

/// Exact bit patterns of keys or queries to what is known of them.
type BitsMap<V> = HashMap<Box<[u64]>, V, BuildHasherDefault<BitsHasher>>;

/// A multiply-rotate hash of the bit patterns (as rustc's Fx hash) with
/// MurmurHash3's finaliser: the keys are the model's own projections, so
/// nothing adversarial, and SipHash cost more than the rest of a read.
#[derive(Default)]
struct BitsHasher(u64);

impl Hasher for BitsHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u64(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_usize(&mut self, word: usize) {
        self.write_u64(word as u64);
    }

    /// Mixed so that the low bits depend on every bit: float keys often end
    /// in zeros, and the table indexes by the low bits.
    fn finish(&self) -> u64 {
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
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
    fn read(&mut self, query: &[f64], out: &mut [f64]) {
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
        let gates = model
            .layers
            .iter()
            .map(|layer| Columns::of(&layer.gate, weights.d_model()))
            .collect();
        let readout = Columns::of(&model.readout, weights.d_model());
        Prefill {
            model,
            position: 0,
            caches,
            gates,
            readout,
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
        let chunk = n.div_ceil(self.threads).max(1);
        let mut x = vec![0.0; n * d];
        let mut failures: Vec<Option<String>> = vec![None; n];
        let first = self.position;
        std::thread::scope(|scope| {
            for (c, ((rows, tokens), fails)) in x
                .chunks_mut(chunk * d)
                .zip(block.chunks(chunk))
                .zip(failures.chunks_mut(chunk))
                .enumerate()
            {
                let model = &model;
                scope.spawn(move || {
                    for (i, ((row, token), fail)) in
                        rows.chunks_exact_mut(d).zip(tokens).zip(fails).enumerate()
                    {
                        let position = first + c * chunk + i;
                        if let Err(message) = model.embed_into(&token.fields, position, row) {
                            *fail = Some(message);
                        }
                    }
                });
            }
        });
        for l in 0..model.layers.len() {
            let projections = self.project(l, &x);
            let reads = self.read_heads(l, block, &projections);
            self.add_and_feed_forward(l, &reads, &mut x, &mut failures);
        }
        let mut emitted: Vec<Vec<i64>> = vec![Vec::new(); n];
        let weights = &model.weights;
        let readout = &self.readout;
        std::thread::scope(|scope| {
            for ((rows, out), fails) in x
                .chunks(chunk * d)
                .zip(emitted.chunks_mut(chunk))
                .zip(failures.chunks_mut(chunk))
            {
                scope.spawn(move || {
                    let mut values = readout.bias.clone();
                    let mut nonzero = Vec::new();
                    for ((row, out), fail) in rows.chunks_exact(d).zip(out).zip(fails) {
                        if fail.is_none() {
                            values.copy_from_slice(&readout.bias);
                            readout.multiply(row, &mut values, &mut nonzero, |_| {});
                            match choose(weights, Mode::Fast, &values, None) {
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

    /// Every head's query, key and value at every position of the block:
    /// pure functions of the layer input, so computed in parallel over
    /// positions.
    fn project(&self, l: usize, x: &[f64]) -> Projections {
        let d = self.model.weights.d_model();
        let heads = &self.model.layers[l].heads;
        let mut layout = Vec::with_capacity(heads.len());
        let mut width = 0;
        for h in heads {
            layout.push(width);
            width += h.q.len() + h.k.len() + h.v.len();
        }
        let n = x.len() / d;
        let mut values = vec![0.0; n * width];
        let chunk = n.div_ceil(self.threads).max(1);
        let layout_ref = &layout;
        std::thread::scope(|scope| {
            for (rows, out) in x
                .chunks(chunk * d)
                .zip(values.chunks_mut(chunk * width.max(1)))
            {
                scope.spawn(move || {
                    for (row, out) in rows.chunks_exact(d).zip(out.chunks_exact_mut(width.max(1))) {
                        for (h, &start) in heads.iter().zip(layout_ref) {
                            let rows = h.q.iter().chain(&h.k).chain(&h.v);
                            for (o, r) in out[start..].iter_mut().zip(rows) {
                                *o = r.dot(row);
                            }
                        }
                    }
                });
            }
        });
        Projections {
            width,
            layout,
            values,
        }
    }

    /// Every head of layer `l` over the block, each on one thread, in
    /// position order: what each read at each position.
    fn read_heads(
        &mut self,
        l: usize,
        block: &[BlockToken],
        projections: &Projections,
    ) -> Vec<Vec<f64>> {
        let model = Arc::clone(&self.model);
        let layer = &model.layers[l];
        let threads = self.threads;
        let mut dealt: Vec<Vec<(usize, &mut HeadCache)>> =
            (0..threads).map(|_| Vec::new()).collect();
        for (h, cache) in self.caches[l].iter_mut().enumerate() {
            dealt[h % threads].push((h, cache));
        }
        let mut reads: Vec<(usize, Vec<f64>)> = std::thread::scope(|scope| {
            let workers: Vec<_> = dealt
                .into_iter()
                .map(|heads| {
                    scope.spawn(move || {
                        heads
                            .into_iter()
                            .map(|(h, cache)| {
                                let read = read_head(&layer.heads[h], cache, block, projections, h);
                                (h, read)
                            })
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
        reads.into_iter().map(|(_, read)| read).collect()
    }

    /// Adds the heads' outputs, then runs layer `l`'s gated feed-forward
    /// block, at every position, in place and in parallel over positions;
    /// records a position's first non-finite value as its failure.
    fn add_and_feed_forward(
        &self,
        l: usize,
        reads: &[Vec<f64>],
        x: &mut [f64],
        failures: &mut [Option<String>],
    ) {
        let model = &self.model;
        let weights = &model.weights;
        let d = weights.d_model();
        let layer = &model.layers[l];
        let gates = &self.gates[l];
        let chunk = failures.len().div_ceil(self.threads).max(1);
        std::thread::scope(|scope| {
            for (c, (xs, fails)) in x
                .chunks_mut(chunk * d)
                .zip(failures.chunks_mut(chunk))
                .enumerate()
            {
                scope.spawn(move || {
                    let mut scratch = FfnScratch::new(gates, d);
                    for (r, (row, fail)) in xs.chunks_exact_mut(d).zip(fails).enumerate() {
                        add_head_outputs(layer, reads, c * chunk + r, row, &mut scratch.delta);
                        let finite = feed_forward_position(layer, gates, row, &mut scratch);
                        if !finite
                            && fail.is_none()
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

/// The projections of every head at every position: `width` values per
/// position, head `h`'s query, key and value from `layout[h]`.
struct Projections {
    width: usize,
    layout: Vec<usize>,
    values: Vec<f64>,
}

impl Projections {
    /// Head `h`'s query, key and value at position `i`.
    fn of(&self, rows: &super::HeadRows, h: usize, i: usize) -> (&[f64], &[f64], &[f64]) {
        let start = i * self.width + self.layout[h];
        let (q, rest) = self.values[start..].split_at(rows.q.len());
        let (k, rest) = rest.split_at(rows.k.len());
        (q, k, &rest[..rows.v.len()])
    }
}

/// Adds what the heads read at position `i` of the block, through their
/// output matrices, to `row`, with the arithmetic of [`super::Session::step`].
#[inline(never)]
fn add_head_outputs(
    layer: &super::LayerRows,
    reads: &[Vec<f64>],
    i: usize,
    row: &mut [f64],
    delta: &mut Delta,
) {
    for (h, read) in reads.iter().enumerate() {
        let out = &layer.heads[h].out;
        let value = &read[i * out.len()..(i + 1) * out.len()];
        for (component, targets) in out.iter().enumerate() {
            for &(dim, w) in targets {
                delta.add(dim, w * value[component]);
            }
        }
    }
    delta.apply(row);
}

/// A change to the residual, summed term by term in the order the session
/// sums it, then added to the dimensions it touched only (elsewhere the
/// session adds 0, which changes nothing but the sign of a zero).
struct Delta {
    sums: Vec<f64>,
    touched: Vec<u32>,
    marked: Vec<bool>,
}

impl Delta {
    fn new(d: usize) -> Delta {
        Delta {
            sums: vec![0.0; d],
            touched: Vec::new(),
            marked: vec![false; d],
        }
    }

    #[inline]
    fn add(&mut self, dim: u32, term: f64) {
        let d = dim as usize;
        if !self.marked[d] {
            self.marked[d] = true;
            self.touched.push(dim);
        }
        self.sums[d] += term;
    }

    /// Adds the sums to `row` and starts again from zero.
    fn apply(&mut self, row: &mut [f64]) {
        for &dim in &self.touched {
            let d = dim as usize;
            row[d] += self.sums[d];
            self.sums[d] = 0.0;
            self.marked[d] = false;
        }
        self.touched.clear();
    }
}

/// Buffers reused across positions.
struct FfnScratch {
    /// The gate pre-activations; equal to the bias outside `candidates`.
    gates: Vec<f64>,
    /// A bit per neuron that may be on: those a multiplied column reached,
    /// and those whose bias alone is not ≤ 0.
    candidates: Vec<u64>,
    delta: Delta,
    nonzero: Vec<u32>,
}

impl Columns {
    /// `rows` (with their biases) by column, for a residual of `d` dimensions.
    fn of(rows: &[SparseRow], d: usize) -> Columns {
        let mut columns: Vec<Vec<(u32, f64)>> = vec![Vec::new(); d];
        for (r, row) in rows.iter().enumerate() {
            for (&c, &w) in row.cols.iter().zip(&row.vals) {
                columns[c as usize].push((r as u32, w));
            }
        }
        let never_skip = (0..d as u32)
            .filter(|&j| columns[j as usize].iter().any(|(_, w)| !w.is_finite()))
            .collect();
        let mut on_by_bias = vec![0u64; rows.len().div_ceil(64)];
        for (r, row) in rows.iter().enumerate() {
            if row.bias > 0.0 || row.bias.is_nan() {
                on_by_bias[r / 64] |= 1 << (r % 64);
            }
        }
        Columns {
            columns,
            never_skip,
            bias: rows.iter().map(|row| row.bias).collect(),
            on_by_bias,
        }
    }

    /// `into += self · x` (`into` starting at the bias), multiplying only
    /// the entries of `x` that are not zero, in ascending order, as the
    /// session's row products add them; calls `reached(row)` for each row a
    /// product reaches. A zero entry is still multiplied by a column holding
    /// a non-finite weight (0 · ∞ is NaN, whatever the order), after the rest.
    #[inline]
    fn multiply(
        &self,
        x: &[f64],
        into: &mut [f64],
        nonzero: &mut Vec<u32>,
        mut reached: impl FnMut(usize),
    ) {
        nonzero.clear();
        nonzero.resize(x.len(), 0);
        let mut count = 0;
        for (j, &xj) in x.iter().enumerate() {
            nonzero[count] = j as u32;
            count += usize::from(xj != 0.0);
        }
        nonzero.truncate(count);
        for &j in nonzero.iter() {
            let xj = x[j as usize];
            for &(r, w) in &self.columns[j as usize] {
                into[r as usize] += w * xj;
                reached(r as usize);
            }
        }
        for &j in &self.never_skip {
            if x[j as usize] == 0.0 {
                for &(r, w) in &self.columns[j as usize] {
                    into[r as usize] += w * 0.0;
                    reached(r as usize);
                }
            }
        }
    }
}

impl FfnScratch {
    fn new(gates: &Columns, d: usize) -> FfnScratch {
        FfnScratch {
            gates: gates.bias.clone(),
            candidates: gates.on_by_bias.clone(),
            delta: Delta::new(d),
            nonzero: Vec::with_capacity(d),
        }
    }
}

/// The gated feed-forward block at one position, in place, with the
/// arithmetic of [`super::Session::step`]: a neuron no multiplied column
/// reaches has its bias as its gate, and is off when that is ≤ 0. Returns
/// whether the residual is still finite.
#[inline(never)]
fn feed_forward_position(
    rows: &super::LayerRows,
    gates: &Columns,
    row: &mut [f64],
    scratch: &mut FfnScratch,
) -> bool {
    let g = &mut scratch.gates;
    let candidates = &mut scratch.candidates;
    let delta = &mut scratch.delta;
    gates.multiply(row, g, &mut scratch.nonzero, |n| {
        candidates[n / 64] |= 1 << (n % 64)
    });
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
                    delta.add(dim, w * activation);
                }
            }
        }
        *word = gates.on_by_bias[word_index];
    }
    delta.apply(row);
    row.iter().fold(true, |finite, x| finite & x.is_finite())
}

/// One head over every position of the block, in order: what it read at
/// each, `value_dims` per position.
fn read_head(
    rows: &super::HeadRows,
    cache: &mut HeadCache,
    block: &[BlockToken],
    projections: &Projections,
    h: usize,
) -> Vec<f64> {
    let value_dims = rows.v.len();
    let mut reads = vec![0.0; block.len() * value_dims];
    for (i, read) in reads.chunks_exact_mut(value_dims.max(1)).enumerate() {
        let (q, k, v) = projections.of(rows, h, i);
        match cache {
            HeadCache::Sum(total) => {
                for (t, vi) in total.iter_mut().zip(v) {
                    *t += vi;
                }
                read.copy_from_slice(total);
            }
            HeadCache::Lookup(store) => {
                store.push(k, v);
                store.read(q, read);
            }
            HeadCache::Cross { memory, store } => {
                if block[i].writes_memory == Some(*memory) {
                    store.push(k, v);
                }
                store.read(q, read);
            }
        }
    }
    reads
}
