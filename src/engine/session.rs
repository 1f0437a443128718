//! A sequence being run, one forward pass per token: the heads' caches, and
//! the pass itself — every layer's heads reading the layer input in
//! parallel, then its gated feed-forward block — over buffers kept between
//! passes, so that a fast pass allocates nothing but the tokens it returns.

use std::sync::Arc;

use ndarray::{Array1, Array2};

use super::attention::{Hit, KeyValueStore};
use super::capture::{HeadCapture, LayerCapture, NeuronCapture, PassCapture};
use super::columns::{Columns, GateBuffers, is_open};
use super::ranges::Ranges;
use super::residual::{Delta, Residual};
use super::sparse::SparseRows;
use super::{Mode, Model, TokenFields, readout};
use crate::weights::HeadKind;

#[derive(Clone)]
enum Cache {
    Lookup(KeyValueStore),
    Sum(Vec<f64>),
    /// The head's external memory (entries the host stores), and its number.
    Cross {
        memory: usize,
        store: KeyValueStore,
    },
}

/// The caches of one sequence being run.
#[derive(Clone)]
pub struct Session {
    model: Arc<Model>,
    mode: Mode,
    position: usize,
    caches: Vec<Vec<Cache>>,
    /// Per layer, the fast path's gate buffers.
    gates: Vec<GateScratch>,
    buffers: Buffers,
}

/// What a pass computes, kept between passes: the residual (all zeros
/// between passes), the change a block makes to it, and the projections.
#[derive(Clone)]
struct Buffers {
    x: Residual,
    delta: Delta,
    q: Vec<f64>,
    k: Vec<f64>,
    v: Vec<f64>,
    nonzero: Vec<u32>,
    /// The layer's head projections, on the fast path.
    projected: Vec<f64>,
    open: Vec<(usize, f64)>,
    values: Vec<f64>,
}

/// The fast feed-forward's buffers for one layer: the gates' between
/// passes, and the ranges its input has taken — shared by the session's
/// clones (the debugger's snapshots) until one of them widens them, which
/// few passes do.
#[derive(Clone)]
struct GateScratch {
    buffers: GateBuffers,
    ranges: Arc<Ranges>,
}

impl GateScratch {
    fn new(columns: &Columns, d: usize) -> GateScratch {
        GateScratch {
            buffers: GateBuffers::new(columns),
            ranges: Arc::new(Ranges::new(columns, d)),
        }
    }

    /// The neurons whose gate is open, in order, with their gates, into
    /// `open`; `nonzero` lists the non-zero entries of `x`, ascending.
    fn open(
        &mut self,
        columns: &Columns,
        x: &[f64],
        nonzero: &[u32],
        open: &mut Vec<(usize, f64)>,
    ) {
        if !self.ranges.hold(x, nonzero) {
            Arc::make_mut(&mut self.ranges).admit(columns, x, nonzero);
        }
        columns.open_gates(x, nonzero, &self.ranges, &mut self.buffers, open);
    }
}

/// The hard-max read of `store` for query `q`: the value (`None` when the
/// store is empty) and, when `captured`, where it came from with its margin.
/// Uncaptured fast reads go through the store's envelope, which knows no
/// margin.
fn read_head<'s>(
    store: &'s mut KeyValueStore,
    q: &[f64],
    mode: Mode,
    captured: bool,
) -> (Option<&'s [f64]>, Option<Hit>) {
    let found = match (mode, captured) {
        (Mode::Fast, false) => return (store.winner(q).map(|(_, value)| value), None),
        (Mode::Fast, true) => store.argmax(q),
        (Mode::Reference, _) => store.argmax_dense(q),
    };
    match found {
        Some((hit, value)) => (Some(value), Some(hit)),
        None => (None, None),
    }
}

/// A head's query, key or value for the layer input `x`: its `slot` of the
/// layer's projections on the fast path, or in the reference mode the dense
/// product with its bias, into `buffer`.
fn projection<'a>(
    projected: &'a [f64],
    slot: &std::ops::Range<usize>,
    dense: Option<&Array2<f64>>,
    bias: &Array1<f64>,
    x: &[f64],
    buffer: &'a mut Vec<f64>,
) -> &'a [f64] {
    match dense {
        None => &projected[slot.clone()],
        Some(dense) => {
            buffer.clear();
            let bias = bias.as_slice().expect("contiguous");
            buffer.extend(dense_product(dense, bias, x));
            buffer
        }
    }
}

/// `W·x + b` into `out`: by the sparse rows, or in the reference mode by the
/// dense matrix.
fn project(
    rows: &SparseRows,
    dense: Option<&Array2<f64>>,
    bias: &Array1<f64>,
    x: &[f64],
    out: &mut Vec<f64>,
) {
    match dense {
        None => rows.products_into(x, out),
        Some(dense) => {
            out.clear();
            out.extend(dense_product(
                dense,
                bias.as_slice().expect("contiguous"),
                x,
            ));
        }
    }
}

/// `W·x + b` with every entry of `W` multiplied: each row's sum starts at its
/// bias and adds the columns in order. That order is the model's arithmetic,
/// the one the fast path keeps while leaving out the zero terms (which can
/// change only the sign of a zero); a BLAS product adds in another order and
/// rounds differently on weights that are not integers.
pub(super) fn dense_product<'a>(
    w: &'a Array2<f64>,
    bias: &'a [f64],
    x: &'a [f64],
) -> impl Iterator<Item = f64> + 'a {
    w.rows()
        .into_iter()
        .zip(bias)
        .map(move |(row, &b)| row.iter().zip(x).fold(b, |sum, (w, x)| sum + w * x))
}

impl Session {
    pub fn new(model: Arc<Model>, mode: Mode) -> Session {
        Session::starting_at(model, mode, 0)
    }

    /// A session whose first token takes position `first`, as if `first` tokens
    /// had come before: for testing exactness at long trace lengths.
    pub fn starting_at(model: Arc<Model>, mode: Mode, first: usize) -> Session {
        let keep_all = mode == Mode::Reference;
        let caches = model
            .weights
            .layers
            .iter()
            .map(|layer| {
                layer
                    .heads
                    .iter()
                    .map(|h| match h.kind {
                        HeadKind::Lookup => Cache::Lookup(KeyValueStore::new(keep_all)),
                        HeadKind::Sum => Cache::Sum(vec![0.0; h.w_v.nrows()]),
                        HeadKind::Cross { memory } => Cache::Cross {
                            memory,
                            store: KeyValueStore::new(keep_all),
                        },
                    })
                    .collect()
            })
            .collect();
        let d = model.weights.d_model();
        let gates = model
            .gate_columns
            .iter()
            .map(|columns| GateScratch::new(columns, d))
            .collect();
        Session {
            model,
            mode,
            position: first,
            caches,
            gates,
            buffers: Buffers {
                x: Residual::new(d),
                delta: Delta::new(d),
                q: Vec::new(),
                k: Vec::new(),
                v: Vec::new(),
                nonzero: Vec::with_capacity(d),
                projected: Vec::new(),
                open: Vec::new(),
                values: Vec::new(),
            },
        }
    }

    pub fn model(&self) -> &Arc<Model> {
        &self.model
    }

    /// The bytes the key/value caches hold, estimated from their sizes (see
    /// [`KeyValueStore::heap_bytes`]).
    pub fn kv_bytes(&self) -> usize {
        self.caches
            .iter()
            .flatten()
            .map(|cache| match cache {
                Cache::Lookup(store) | Cache::Cross { store, .. } => store.heap_bytes(),
                Cache::Sum(total) => total.len() * std::mem::size_of::<f64>(),
            })
            .sum()
    }

    /// Positions processed so far (the position the next token will take).
    pub fn position(&self) -> usize {
        self.position
    }

    /// Stores an entry in external memory `memory`: its key and value are the
    /// projections, by every cross-attention head reading that memory, of the
    /// entry token's embedding.
    pub fn store_memory_entry(
        &mut self,
        memory: usize,
        fields: &TokenFields,
    ) -> Result<(), String> {
        let x = self.model.embed(fields, 0)?;
        let model = Arc::clone(&self.model);
        let (mut key, mut value) = (Vec::new(), Vec::new());
        for (l, layer) in model.weights.layers.iter().enumerate() {
            for (h, head) in layer.heads.iter().enumerate() {
                if let Cache::Cross { memory: m, store } = &mut self.caches[l][h]
                    && *m == memory
                {
                    let rows = &model.layers[l].heads[h];
                    let dense = model.dense(self.mode).map(|d| &d.heads[l][h]);
                    project(&rows.k, dense.map(|d| &d[1]), &head.b_k, &x, &mut key);
                    project(&rows.v, dense.map(|d| &d[2]), &head.b_v, &x, &mut value);
                    let entry = store.len();
                    store.push(entry, &key, &value);
                }
            }
        }
        Ok(())
    }

    /// Runs one forward pass on `fields` at the next position and returns the
    /// argmax of every output field. When `writes_memory` is set, the token is a
    /// write to that memory: the cross-attention heads reading it store the
    /// key/value vectors they project at this position before they read.
    pub fn step(
        &mut self,
        fields: &TokenFields,
        writes_memory: Option<usize>,
        capture: Option<&mut PassCapture>,
    ) -> Result<Vec<i64>, String> {
        let mut emitted = Vec::new();
        self.step_into(fields, writes_memory, capture, &mut emitted)?;
        Ok(emitted)
    }

    /// [`Self::step`] into `emitted`, which a caller keeps between passes.
    pub fn step_into(
        &mut self,
        fields: &TokenFields,
        writes_memory: Option<usize>,
        capture: Option<&mut PassCapture>,
        emitted: &mut Vec<i64>,
    ) -> Result<(), String> {
        let done = self.pass(fields, writes_memory, capture, emitted);
        // All zeros for the next pass, whether this one finished or not.
        self.buffers.x.clear();
        if done.is_ok() {
            self.position += 1;
        }
        done
    }

    fn pass(
        &mut self,
        fields: &TokenFields,
        writes_memory: Option<usize>,
        mut capture: Option<&mut PassCapture>,
        emitted: &mut Vec<i64>,
    ) -> Result<(), String> {
        let model = Arc::clone(&self.model);
        let dense = self.mode == Mode::Reference;
        model.embed_with(fields, self.position, |d, v| self.buffers.x.add(d, v))?;
        if dense {
            self.buffers.x.mark_all();
        }
        // The embedding's own infinities, if any (edited weights); after it,
        // each addition reports those it makes.
        let mut non_finite = self.buffers.x.first_non_finite();
        if let Some(c) = capture.as_deref_mut() {
            c.position = self.position;
            c.layers.clear();
        }
        for l in 0..model.weights.layers.len() {
            let mut layer_capture = capture.as_ref().map(|_| LayerCapture {
                resid_pre: self.buffers.x.values().to_vec(),
                ..LayerCapture::default()
            });
            self.attention(l, writes_memory, layer_capture.as_mut());
            let buffers = &mut self.buffers;
            let made = buffers.delta.apply_to(&mut buffers.x, dense);
            non_finite = lowest(non_finite, made);
            if let Some(lc) = layer_capture.as_mut() {
                lc.resid_mid = buffers.x.values().to_vec();
            }
            feed_forward(
                &model,
                self.mode,
                l,
                &mut self.gates[l],
                buffers,
                layer_capture.as_mut(),
            );
            let made = buffers.delta.apply_to(&mut buffers.x, dense);
            if let Some(d) = lowest(non_finite, made) {
                return Err(format!(
                    "layer {l} produced a non-finite value in {}",
                    model.weights.dims[d]
                ));
            }
            if let (Some(c), Some(mut lc)) = (capture.as_deref_mut(), layer_capture) {
                lc.resid_post = buffers.x.values().to_vec();
                c.layers.push(lc);
            }
        }
        let buffers = &mut self.buffers;
        readout::unembed(
            &model,
            self.mode,
            buffers.x.values(),
            &mut buffers.values,
            capture,
            emitted,
        )
    }

    /// Layer `l`'s heads, each storing its key and value first (a cross
    /// head only at a write to its memory) and then reading its cache; what
    /// they add to the residual is summed into the buffers' delta.
    fn attention(
        &mut self,
        l: usize,
        writes_memory: Option<usize>,
        mut capture: Option<&mut LayerCapture>,
    ) {
        let model = Arc::clone(&self.model);
        let dense = model.dense(self.mode);
        let rows = &model.layers[l];
        let Buffers {
            x,
            delta,
            q,
            k,
            v,
            nonzero,
            projected,
            ..
        } = &mut self.buffers;
        if dense.is_none() {
            // Every head's projections at once, by the input's non-zero
            // entries, as the rows add them (zero terms left out).
            x.nonzero_into(rows.projections.reads(), nonzero);
            projected.clear();
            projected.extend_from_slice(&rows.projections.bias);
            let x = x.values();
            rows.projections.multiply_nonzero(x, nonzero, projected);
        }
        let x = x.values();
        for (h, head) in model.weights.layers[l].heads.iter().enumerate() {
            let head_rows = &rows.heads[h];
            let [dense_q, dense_k, dense_v] = match dense {
                Some(d) => d.heads[l][h].each_ref().map(Some),
                None => [None; 3],
            };
            let [slot_q, slot_k, slot_v] = &head_rows.slots;
            let v = projection(projected, slot_v, dense_v, &head.b_v, x, v);
            let captured = capture.is_some();
            let (read, hit) = match &mut self.caches[l][h] {
                Cache::Sum(total) => {
                    for (t, vi) in total.iter_mut().zip(v) {
                        *t += vi;
                    }
                    (Some(&total[..]), None)
                }
                Cache::Lookup(store) => {
                    let k = projection(projected, slot_k, dense_k, &head.b_k, x, k);
                    store.push(self.position, k, v);
                    let q = projection(projected, slot_q, dense_q, &head.b_q, x, q);
                    read_head(store, q, self.mode, captured)
                }
                Cache::Cross { memory, store } => {
                    if writes_memory == Some(*memory) {
                        let k = projection(projected, slot_k, dense_k, &head.b_k, x, k);
                        let entry = store.len();
                        store.push(entry, k, v);
                    }
                    let q = projection(projected, slot_q, dense_q, &head.b_q, x, q);
                    read_head(store, q, self.mode, captured)
                }
            };
            // An empty store reads zeros, which add nothing.
            if let Some(read) = read {
                head_rows.add_output(read, delta);
            }
            if let Some(lc) = capture.as_deref_mut() {
                let value = read.map_or_else(|| vec![0.0; head.w_v.nrows()], <[f64]>::to_vec);
                lc.heads.push(HeadCapture { hit, value });
            }
        }
    }
}

/// The lower of two dimensions, either possibly absent.
fn lowest(a: Option<usize>, b: Option<usize>) -> Option<usize> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        _ => a.or(b),
    }
}

/// Layer `l`'s gated neurons, summed into the buffers' delta: each neuron
/// whose gate is open adds `gate · value` times its output column, in
/// neuron order.
fn feed_forward(
    model: &Model,
    mode: Mode,
    l: usize,
    scratch: &mut GateScratch,
    buffers: &mut Buffers,
    mut capture: Option<&mut LayerCapture>,
) {
    let (layer, rows) = (&model.weights.layers[l], &model.layers[l]);
    let Buffers {
        x,
        delta,
        nonzero,
        open,
        v: values,
        ..
    } = buffers;
    let dense = model.dense(mode).map(|d| &d.mlp[l]);
    match dense {
        Some(d) => {
            project(&rows.gate, Some(&d[0]), &layer.b_gate, x.values(), values);
            open.clear();
            open.extend(
                values
                    .iter()
                    .enumerate()
                    .filter(|&(_, &g)| is_open(g))
                    .map(|(n, &g)| (n, g)),
            );
            project(&rows.val, Some(&d[1]), &layer.b_val, x.values(), values);
        }
        None => {
            let columns = &model.gate_columns[l];
            x.nonzero_into(columns.reads(), nonzero);
            scratch.open(columns, x.values(), nonzero, open);
        }
    }
    let x = x.values();
    for &(n, g) in open.iter() {
        let value = match dense {
            Some(_) => values[n],
            None => rows.val.dot(n, x),
        };
        let activation = g * value;
        if activation != 0.0 {
            for &(dim, w) in &rows.out[n] {
                delta.add(dim, w * activation);
            }
        }
        if let Some(lc) = capture.as_deref_mut() {
            lc.neurons.push(NeuronCapture {
                index: n,
                gate: g,
                value,
            });
        }
    }
}
