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

use std::sync::Arc;

mod store;

use super::columns::{Columns, GateBuffers, nonzero_entries};
use super::ranges::Ranges;
use super::residual::Delta;
use super::{Mode, Model, TokenFields, choose};
use crate::weights::HeadKind;
use store::FlatStore;

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
    /// Every output field's logit and readout rows, by column.
    readout: Columns,
    threads: usize,
    /// Per thread, per layer: the ranges the feed-forward input has taken
    /// at the positions that thread computed (see [`Ranges`]).
    ranges: Vec<Vec<Ranges>>,
}

enum HeadCache {
    Lookup(FlatStore),
    Sum(Vec<f64>),
    Cross { memory: usize, store: FlatStore },
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
                        HeadKind::Lookup => HeadCache::Lookup(FlatStore::new(
                            h.w_k.nrows(),
                            h.w_v.nrows(),
                            plan.remembered_pushes,
                        )),
                        HeadKind::Sum => HeadCache::Sum(vec![0.0; h.w_v.nrows()]),
                        HeadKind::Cross { memory } => HeadCache::Cross {
                            memory,
                            store: FlatStore::new(
                                h.w_k.nrows(),
                                h.w_v.nrows(),
                                plan.remembered_pushes,
                            ),
                        },
                    })
                    .collect()
            })
            .collect();
        let readout = Columns::of(&model.readout, weights.d_model(), false);
        let threads = plan.threads.max(1);
        let d = weights.d_model();
        let ranges = (0..threads)
            .map(|_| {
                let layers = model.gate_columns.iter();
                layers.map(|columns| Ranges::new(columns, d)).collect()
            })
            .collect();
        Prefill {
            model,
            position: 0,
            caches,
            readout,
            threads,
            ranges,
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
                    let (mut key, mut value) = (Vec::new(), Vec::new());
                    rows.k.products_into(&x, &mut key);
                    rows.v.products_into(&x, &mut value);
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
                            readout.multiply(row, &mut values, &mut nonzero);
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
        let layer = &self.model.layers[l];
        // Each head's query, key and value, in head order: the layer's
        // projections, which the session multiplies too.
        let layout = layer.heads.iter().map(|h| h.slots[0].start).collect();
        let projections = &layer.projections;
        let width = projections.bias.len();
        let n = x.len() / d;
        let mut values = vec![0.0; n * width];
        let chunk = n.div_ceil(self.threads).max(1);
        std::thread::scope(|scope| {
            for (rows, out) in x
                .chunks(chunk * d)
                .zip(values.chunks_mut(chunk * width.max(1)))
            {
                scope.spawn(move || {
                    let mut nonzero = Vec::with_capacity(d);
                    for (row, out) in rows.chunks_exact(d).zip(out.chunks_exact_mut(width.max(1))) {
                        out[..width].copy_from_slice(&projections.bias);
                        projections.multiply(row, &mut out[..width], &mut nonzero);
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
        &mut self,
        l: usize,
        reads: &[Vec<f64>],
        x: &mut [f64],
        failures: &mut [Option<String>],
    ) {
        let model = &self.model;
        let weights = &model.weights;
        let d = weights.d_model();
        let layer = &model.layers[l];
        // The model's gate columns, which the session multiplies too.
        let gates = &model.gate_columns[l];
        let chunk = failures.len().div_ceil(self.threads).max(1);
        std::thread::scope(|scope| {
            for (c, ((xs, fails), ranges)) in x
                .chunks_mut(chunk * d)
                .zip(failures.chunks_mut(chunk))
                .zip(self.ranges.iter_mut())
                .enumerate()
            {
                let ranges = &mut ranges[l];
                scope.spawn(move || {
                    let mut scratch = FfnScratch::new(gates, d);
                    for (r, (row, fail)) in xs.chunks_exact_mut(d).zip(fails).enumerate() {
                        add_head_outputs(layer, reads, c * chunk + r, row, &mut scratch.delta);
                        let finite = feed_forward_position(layer, gates, ranges, row, &mut scratch);
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
    for (head, read) in layer.heads.iter().zip(reads) {
        let width = head.out.len();
        head.add_output(&read[i * width..(i + 1) * width], delta);
    }
    delta.apply(row);
}

/// Buffers reused across positions.
struct FfnScratch {
    gates: GateBuffers,
    open: Vec<(usize, f64)>,
    delta: Delta,
    nonzero: Vec<u32>,
}

impl FfnScratch {
    fn new(gates: &Columns, d: usize) -> FfnScratch {
        FfnScratch {
            gates: GateBuffers::new(gates),
            open: Vec::new(),
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
    ranges: &mut Ranges,
    row: &mut [f64],
    scratch: &mut FfnScratch,
) -> bool {
    let FfnScratch {
        gates: buffers,
        open,
        delta,
        nonzero,
    } = scratch;
    nonzero_entries(row, nonzero);
    ranges.admit(gates, row, nonzero);
    gates.open_gates(row, nonzero, ranges, buffers, open);
    for &(n, gate) in open.iter() {
        let activation = gate * rows.val.dot(n, row);
        if activation != 0.0 {
            for &(dim, w) in &rows.out[n] {
                delta.add(dim, w * activation);
            }
        }
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
