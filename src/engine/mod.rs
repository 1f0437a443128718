//! The forward pass over assembled weights, one token per pass, in f64.
//!
//! A [`Session`] holds the key/value caches of one sequence. Each
//! [`Session::step`] embeds a token (the sum of its fields' embeddings plus the
//! position), runs every layer — attention heads reading the layer input in
//! parallel, then the gated feed-forward block — and reads each output field's
//! argmax off the final residual. [`Mode::Fast`] multiplies sparse rows and reads
//! hard-max heads through an index of distinct keys; [`Mode::Reference`]
//! multiplies the dense matrices and scans every position. Tests prove both emit
//! the same tokens. Activations are captured only when a [`capture::PassCapture`]
//! is passed in.

mod attention;
pub mod capture;
mod columns;
mod envelope;
pub mod prefill;
mod sparse;

use std::sync::Arc;

pub use attention::{Hit, KeyValueStore};
use capture::{FieldLogits, HeadCapture, LayerCapture, NeuronCapture, PassCapture};
use columns::Columns;
use ndarray::{Array1, Array2};
use sparse::{SparseRow, sparse_columns, sparse_rows};

use crate::weights::HeadKind;
use crate::weights::{InputKind, OutputKind, Weights};

/// How the forward pass is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Sparse rows, indexed hard-max heads.
    Fast,
    /// Dense matrices, every position scanned.
    Reference,
}

/// A token as the engine sees it: `(input field index, value)` pairs.
pub type TokenFields = [(usize, i64)];

struct HeadRows {
    q: Vec<SparseRow>,
    k: Vec<SparseRow>,
    v: Vec<SparseRow>,
    /// For each value component, where it is added in the residual.
    out: Vec<Vec<(u32, f64)>>,
}

struct LayerRows {
    heads: Vec<HeadRows>,
    gate: Vec<SparseRow>,
    val: Vec<SparseRow>,
    out: Vec<Vec<(u32, f64)>>,
}

/// Weights prepared for running.
pub struct Model {
    weights: Arc<Weights>,
    layers: Vec<LayerRows>,
    /// The input fields' embeddings, non-zero entries only.
    embeddings: Vec<FieldRows>,
    /// Every output field's logit rows (categorical) or readout (quadratic),
    /// in field order, sparse.
    readout: Vec<SparseRow>,
    /// Each layer's gate rows by column, in guard groups: the fast path's
    /// feed-forward multiplies only the residual's non-zero entries and
    /// skips the groups a bound proves closed.
    gate_columns: Vec<Columns>,
    /// The projections as dense matrices, made the first time a
    /// [`Mode::Reference`] session needs them.
    dense: std::sync::OnceLock<Dense>,
}

/// The matrices the reference mode multiplies dense (an 8.7M-parameter model
/// takes 70 MB this way, so only the reference pays for it).
struct Dense {
    /// Per layer, per head: query, key and value projections.
    heads: Vec<Vec<[Array2<f64>; 3]>>,
    /// Per layer: gate and value rows.
    mlp: Vec<[Array2<f64>; 2]>,
    /// Per output field: the logit rows of a categorical field.
    logits: Vec<Option<Array2<f64>>>,
}

impl Dense {
    fn of(w: &Weights) -> Dense {
        Dense {
            heads: w
                .layers
                .iter()
                .map(|l| {
                    let heads = l.heads.iter();
                    heads
                        .map(|h| [h.w_q.to_dense(), h.w_k.to_dense(), h.w_v.to_dense()])
                        .collect()
                })
                .collect(),
            mlp: w
                .layers
                .iter()
                .map(|l| [l.w_gate.to_dense(), l.w_val.to_dense()])
                .collect(),
            logits: w
                .outputs
                .iter()
                .map(|f| match &f.kind {
                    OutputKind::Categorical { w, .. } => Some(w.to_dense()),
                    OutputKind::Quadratic { .. } => None,
                })
                .collect(),
        }
    }
}

/// One input field's embedding, sparse.
enum FieldRows {
    /// Per value from `min`: `(dim, weight)`.
    Table {
        min: i64,
        rows: Vec<Vec<(u32, f64)>>,
    },
    /// `(dim, linear, quadratic)` for `min..=max`.
    Numeric {
        min: i64,
        max: i64,
        terms: Vec<(u32, f64, f64)>,
    },
}

impl Model {
    pub fn new(weights: Arc<Weights>) -> Model {
        let layers: Vec<LayerRows> = weights
            .layers
            .iter()
            .map(|layer| LayerRows {
                heads: layer
                    .heads
                    .iter()
                    .map(|h| HeadRows {
                        q: sparse_rows(&h.w_q, Some(&h.b_q)),
                        k: sparse_rows(&h.w_k, Some(&h.b_k)),
                        v: sparse_rows(&h.w_v, Some(&h.b_v)),
                        out: sparse_columns(&h.w_o),
                    })
                    .collect(),
                gate: sparse_rows(&layer.w_gate, Some(&layer.b_gate)),
                val: sparse_rows(&layer.w_val, Some(&layer.b_val)),
                out: sparse_columns(&layer.w_out),
            })
            .collect();
        let embeddings = weights
            .inputs
            .iter()
            .map(|input| match &input.kind {
                InputKind::Table { min, table } => FieldRows::Table {
                    min: *min,
                    rows: table
                        .rows()
                        .map(|row| row.iter().map(|(d, v)| (d as u32, v)).collect())
                        .collect(),
                },
                InputKind::Numeric {
                    min,
                    max,
                    linear,
                    quadratic,
                } => FieldRows::Numeric {
                    min: *min,
                    max: *max,
                    terms: linear
                        .iter()
                        .zip(quadratic)
                        .enumerate()
                        .filter(|(_, (l, q))| **l != 0.0 || **q != 0.0)
                        .map(|(d, (&l, &q))| (d as u32, l, q))
                        .collect(),
                },
            })
            .collect();
        let readout = weights
            .outputs
            .iter()
            .flat_map(|field| match &field.kind {
                OutputKind::Categorical { w, b } => sparse_rows(w, Some(b)),
                OutputKind::Quadratic { readout, bias, .. } => {
                    let (cols, vals) = readout
                        .iter()
                        .enumerate()
                        .filter(|(_, v)| **v != 0.0)
                        .map(|(d, &v)| (d as u32, v))
                        .unzip();
                    vec![SparseRow {
                        cols,
                        vals,
                        bias: *bias,
                    }]
                }
            })
            .collect();
        let gate_columns = layers
            .iter()
            .map(|layer| Columns::of(&layer.gate, weights.d_model(), true))
            .collect();
        Model {
            weights,
            layers,
            embeddings,
            readout,
            gate_columns,
            dense: std::sync::OnceLock::new(),
        }
    }

    pub fn weights(&self) -> &Arc<Weights> {
        &self.weights
    }

    /// The dense matrices, when `mode` multiplies by them.
    fn dense(&self, mode: Mode) -> Option<&Dense> {
        match mode {
            Mode::Fast => None,
            Mode::Reference => Some(self.dense.get_or_init(|| Dense::of(&self.weights))),
        }
    }

    /// The residual vector of a token at `position`: the position, plus the
    /// sum of its fields' embeddings.
    pub fn embed(&self, fields: &TokenFields, position: usize) -> Result<Vec<f64>, String> {
        let mut x = vec![0.0; self.weights.d_model()];
        self.embed_into(fields, position, &mut x)?;
        Ok(x)
    }

    /// [`Self::embed`] into `x`, which must be zeros of length `d_model`.
    pub(crate) fn embed_into(
        &self,
        fields: &TokenFields,
        position: usize,
        x: &mut [f64],
    ) -> Result<(), String> {
        let w = &self.weights;
        x[w.position_dim] = position as f64;
        for &(field, value) in fields {
            let rows = self
                .embeddings
                .get(field)
                .ok_or_else(|| format!("token field {field} does not exist"))?;
            let name = &w.inputs[field].name;
            match rows {
                FieldRows::Table { min, rows } => {
                    let row = value
                        .checked_sub(*min)
                        .and_then(|r| usize::try_from(r).ok())
                        .and_then(|r| rows.get(r))
                        .ok_or_else(|| format!("value {value} is outside field {name}"))?;
                    for &(d, t) in row {
                        x[d as usize] += t;
                    }
                }
                FieldRows::Numeric { min, max, terms } => {
                    if value < *min || value > *max {
                        return Err(format!(
                            "value {value} is outside field {name} ({min}..={max})"
                        ));
                    }
                    let v = value as f64;
                    for &(d, l, q) in terms {
                        x[d as usize] += v * l + v * v * q;
                    }
                }
            }
        }
        Ok(())
    }
}

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
    /// Per layer, the fast path's gate buffers, kept between passes.
    gates: Vec<GateScratch>,
}

/// The fast feed-forward's buffers for one layer. Between passes `gates`
/// holds the biases and `candidates` the neurons whose bias alone is not
/// ≤ 0: a pass sets what it touches and puts it back.
#[derive(Clone)]
struct GateScratch {
    gates: Vec<f64>,
    /// A bit per neuron that may be open.
    candidates: Vec<u64>,
    nonzero: Vec<u32>,
}

impl GateScratch {
    fn new(columns: &Columns) -> GateScratch {
        GateScratch {
            gates: columns.bias.clone(),
            candidates: columns.on_by_bias.clone(),
            nonzero: Vec::new(),
        }
    }

    /// The neurons whose gate is above zero, in order, with their gates:
    /// only those a multiplied column reached, or whose bias is not ≤ 0, can
    /// be (any other gate is its bias, ≤ 0).
    fn open(&mut self, columns: &Columns, x: &[f64]) -> Vec<(usize, f64)> {
        let GateScratch {
            gates,
            candidates,
            nonzero,
        } = self;
        // The rows' sums in the same order, zero terms left out: only the
        // sign of a zero can differ, and `gate <= 0.0` does not see it.
        columns.multiply(x, gates, nonzero, |n| candidates[n / 64] |= 1 << (n % 64));
        let mut open = Vec::new();
        for (word_index, word) in candidates.iter_mut().enumerate() {
            let mut bits = *word;
            while bits != 0 {
                let n = word_index * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                if is_open(gates[n]) {
                    open.push((n, gates[n]));
                }
                gates[n] = columns.bias[n];
            }
            *word = columns.on_by_bias[word_index];
        }
        open
    }
}

/// The hard-max read of `store` for query `q`: the value and, when
/// `captured`, where it came from with its margin; zeros when the store is
/// empty. Uncaptured fast reads go through the store's envelope, which
/// knows no margin.
fn read_head(
    store: &KeyValueStore,
    q: &[f64],
    mode: Mode,
    value_dims: usize,
    captured: bool,
) -> (Vec<f64>, Option<Hit>) {
    let found = match (mode, captured) {
        (Mode::Fast, false) => {
            let value = store.winner(q).map(|(_, value)| value);
            return (
                value.map_or_else(|| vec![0.0; value_dims], <[f64]>::to_vec),
                None,
            );
        }
        (Mode::Fast, true) => store.argmax(q),
        (Mode::Reference, _) => store.argmax_dense(q),
    };
    match found {
        Some((hit, value)) => (value.to_vec(), Some(hit)),
        None => (vec![0.0; value_dims], None),
    }
}

/// Projects `x` through sparse rows (fast) or the dense matrix (reference).
/// `W·x + b`: by the sparse rows, or in the reference mode by the dense
/// matrix.
fn project(
    rows: &[SparseRow],
    dense: Option<&Array2<f64>>,
    bias: &Array1<f64>,
    x: &[f64],
) -> Vec<f64> {
    match dense {
        None => rows.iter().map(|r| r.dot(x)).collect(),
        Some(dense) => dense_product(dense, bias.as_slice().expect("contiguous"), x),
    }
}

/// `W·x + b` with every entry of `W` multiplied: each row's sum starts at its
/// bias and adds the columns in order. That order is the model's arithmetic,
/// the one the fast path keeps while leaving out the zero terms (which can
/// change only the sign of a zero); a BLAS product adds in another order and
/// rounds differently on weights that are not integers.
fn dense_product(w: &Array2<f64>, bias: &[f64], x: &[f64]) -> Vec<f64> {
    w.rows()
        .into_iter()
        .zip(bias)
        .map(|(row, &b)| row.iter().zip(x).fold(b, |sum, (w, x)| sum + w * x))
        .collect()
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
        let gates = model.gate_columns.iter().map(GateScratch::new).collect();
        Session {
            model,
            mode,
            position: first,
            caches,
            gates,
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
        let weights = Arc::clone(&self.model.weights);
        for (l, layer) in weights.layers.iter().enumerate() {
            for (h, head) in layer.heads.iter().enumerate() {
                if let Cache::Cross { memory: m, store } = &mut self.caches[l][h]
                    && *m == memory
                {
                    let rows = &self.model.layers[l].heads[h];
                    let dense = self.model.dense(self.mode).map(|d| &d.heads[l][h]);
                    let key = project(&rows.k, dense.map(|d| &d[1]), &head.b_k, &x);
                    let value = project(&rows.v, dense.map(|d| &d[2]), &head.b_v, &x);
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
        mut capture: Option<&mut PassCapture>,
    ) -> Result<Vec<i64>, String> {
        let model = Arc::clone(&self.model);
        let weights = &model.weights;
        let position = self.position;
        let mut x = model.embed(fields, position)?;
        if let Some(c) = capture.as_deref_mut() {
            c.position = position;
            c.layers.clear();
        }
        for l in 0..weights.layers.len() {
            let mut layer_capture = capture.as_ref().map(|_| LayerCapture {
                resid_pre: x.clone(),
                ..LayerCapture::default()
            });
            let delta = self.attention(l, &x, writes_memory, layer_capture.as_mut());
            add_into(&mut x, &delta);
            if let Some(lc) = layer_capture.as_mut() {
                lc.resid_mid = x.clone();
            }
            let delta = feed_forward(
                &model,
                self.mode,
                l,
                &x,
                &mut self.gates[l],
                layer_capture.as_mut(),
            );
            add_into(&mut x, &delta);
            if let Some(d) = x.iter().position(|v| !v.is_finite()) {
                return Err(format!(
                    "layer {l} produced a non-finite value in {}",
                    weights.dims[d]
                ));
            }
            if let (Some(c), Some(mut lc)) = (capture.as_deref_mut(), layer_capture) {
                lc.resid_post = x.clone();
                c.layers.push(lc);
            }
        }
        let emitted = unembed(&model, self.mode, &x, capture)?;
        self.position += 1;
        Ok(emitted)
    }

    /// What layer `l`'s heads add to the residual `x` at this position, each
    /// head storing its key and value first (a cross head only at a write
    /// to its memory) and then reading its cache.
    fn attention(
        &mut self,
        l: usize,
        x: &[f64],
        writes_memory: Option<usize>,
        mut capture: Option<&mut LayerCapture>,
    ) -> Vec<f64> {
        let model = Arc::clone(&self.model);
        let dense = model.dense(self.mode);
        let rows = &model.layers[l];
        let mut delta = vec![0.0; x.len()];
        for (h, head) in model.weights.layers[l].heads.iter().enumerate() {
            let head_rows = &rows.heads[h];
            let value_dims = head.w_v.nrows();
            let [dense_q, dense_k, dense_v] = match dense {
                Some(d) => d.heads[l][h].each_ref().map(Some),
                None => [None; 3],
            };
            let v = project(&head_rows.v, dense_v, &head.b_v, x);
            let (read, hit): (Vec<f64>, Option<Hit>) = match &mut self.caches[l][h] {
                Cache::Sum(total) => {
                    for (t, vi) in total.iter_mut().zip(&v) {
                        *t += vi;
                    }
                    (total.clone(), None)
                }
                Cache::Lookup(store) => {
                    let k = project(&head_rows.k, dense_k, &head.b_k, x);
                    store.push(self.position, &k, &v);
                    let q = project(&head_rows.q, dense_q, &head.b_q, x);
                    read_head(store, &q, self.mode, value_dims, capture.is_some())
                }
                Cache::Cross { memory, store } => {
                    if writes_memory == Some(*memory) {
                        let k = project(&head_rows.k, dense_k, &head.b_k, x);
                        let entry = store.len();
                        store.push(entry, &k, &v);
                    }
                    let q = project(&head_rows.q, dense_q, &head.b_q, x);
                    read_head(store, &q, self.mode, value_dims, capture.is_some())
                }
            };
            for (component, targets) in head_rows.out.iter().enumerate() {
                for &(dim, w) in targets {
                    delta[dim as usize] += w * read[component];
                }
            }
            if let Some(lc) = capture.as_deref_mut() {
                lc.heads.push(HeadCapture { hit, value: read });
            }
        }
        delta
    }
}

/// `x += delta`, in dimension order.
fn add_into(x: &mut [f64], delta: &[f64]) {
    for (xi, d) in x.iter_mut().zip(delta) {
        *xi += d;
    }
}

/// What layer `l`'s gated neurons add to the residual `x`: each neuron whose
/// gate is open adds `gate · value` times its output column, in neuron order.
/// Whether a gate passes its neuron's value: a ReLU is silent at or below
/// zero, and a NaN gate (from overflowing edited weights) passes, so that
/// the NaN reaches the residual and the pass fails as it should.
#[allow(clippy::neg_cmp_op_on_partial_ord)]
fn is_open(gate: f64) -> bool {
    !(gate <= 0.0)
}

fn feed_forward(
    model: &Model,
    mode: Mode,
    l: usize,
    x: &[f64],
    scratch: &mut GateScratch,
    mut capture: Option<&mut LayerCapture>,
) -> Vec<f64> {
    let (layer, rows) = (&model.weights.layers[l], &model.layers[l]);
    let mut delta = vec![0.0; x.len()];
    let dense = model.dense(mode).map(|d| &d.mlp[l]);
    let open: Vec<(usize, f64)> = match dense {
        Some(d) => {
            let gates = project(&rows.gate, Some(&d[0]), &layer.b_gate, x);
            gates
                .into_iter()
                .enumerate()
                .filter(|&(_, g)| g > 0.0)
                .collect()
        }
        None => scratch.open(&model.gate_columns[l], x),
    };
    let values = dense.map(|d| project(&rows.val, Some(&d[1]), &layer.b_val, x));
    for (n, g) in open {
        let value = match &values {
            Some(values) => values[n],
            None => rows.val[n].dot(x),
        };
        let activation = g * value;
        if activation != 0.0 {
            for &(dim, w) in &rows.out[n] {
                delta[dim as usize] += w * activation;
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
    delta
}

/// Reads every output field's argmax off the final residual `x`, capturing
/// the top logits when asked.
pub(crate) fn unembed(
    model: &Model,
    mode: Mode,
    x: &[f64],
    capture: Option<&mut PassCapture>,
) -> Result<Vec<i64>, String> {
    let values: Vec<f64> = match mode {
        Mode::Fast => model.readout.iter().map(|row| row.dot(x)).collect(),
        Mode::Reference => {
            let dense = model
                .dense(mode)
                .expect("the reference mode has dense matrices");
            let mut values = Vec::with_capacity(model.readout.len());
            for (field, dense_logits) in model.weights.outputs.iter().zip(&dense.logits) {
                match (&field.kind, dense_logits) {
                    (OutputKind::Categorical { b, .. }, Some(w)) => {
                        values.extend(dense_product(w, b.as_slice().expect("contiguous"), x))
                    }
                    (OutputKind::Quadratic { readout, bias, .. }, _) => {
                        let sum = readout.iter().zip(x).fold(*bias, |sum, (w, x)| sum + w * x);
                        values.push(sum)
                    }
                    (OutputKind::Categorical { .. }, None) => {
                        unreachable!("a categorical field has dense logits")
                    }
                }
            }
            values
        }
    };
    choose(&model.weights, mode, &values, capture)
}

/// Each output field's argmax given `values`, every field's logits
/// (categorical) or readout (quadratic) in order: the one decision shared
/// by the session and the prefill.
pub(crate) fn choose(
    weights: &Weights,
    mode: Mode,
    values: &[f64],
    mut capture: Option<&mut PassCapture>,
) -> Result<Vec<i64>, String> {
    if let Some(c) = capture.as_deref_mut() {
        c.logits.clear();
    }
    let mut next = 0;
    weights
        .outputs
        .iter()
        .map(|field| match &field.kind {
            OutputKind::Categorical { b, .. } => {
                let logits = &values[next..next + b.len()];
                next += b.len();
                let mut best = 0;
                for (i, &l) in logits.iter().enumerate() {
                    if l > logits[best] {
                        best = i;
                    }
                }
                if let Some(c) = capture.as_deref_mut() {
                    c.logits
                        .push(FieldLogits::from_logits(&field.name, 0, logits));
                }
                Ok(best as i64)
            }
            OutputKind::Quadratic { min, max, .. } => {
                let r = values[next];
                next += 1;
                if !r.is_finite() {
                    return Err(format!(
                        "output field {} read a non-finite value",
                        field.name
                    ));
                }
                let chosen = match mode {
                    Mode::Fast => quadratic_argmax(r, *min, *max),
                    Mode::Reference => quadratic_argmax_scan(r, *min, *max),
                };
                if let Some(c) = capture.as_deref_mut() {
                    c.logits.push(FieldLogits::around_quadratic(
                        &field.name,
                        chosen,
                        *min,
                        *max,
                        r,
                    ));
                }
                Ok(chosen)
            }
        })
        .collect()
}

/// The seed model's quadratic unembedding: `2·t·R − t²`.
pub fn quadratic_logit(t: i64, r: f64) -> f64 {
    let t = t as f64;
    2.0 * t * r - t * t
}

/// The argmax of [`quadratic_logit`] over `min..=max` by scanning every value
/// (ties to the smaller): the reference.
pub fn quadratic_argmax_scan(r: f64, min: i64, max: i64) -> i64 {
    let mut best = min;
    for t in min..=max {
        if quadratic_logit(t, r) > quadratic_logit(best, r) {
            best = t;
        }
    }
    best
}

/// The same argmax in constant time: the logit is a concave parabola peaking at
/// R, so the winner is the integer nearest R or a neighbour; comparing those
/// three with the scan's own f64 arithmetic gives the scan's answer.
///
/// That holds while rounding cannot reorder the logits: any value two or
/// more from the peak trails it by at least 3, and each logit `2tR − t²` is
/// off by at most `(|2tR| + t²)·2⁻⁵²`, under 1/4 when `|R| ≤ 2²⁸` and
/// `|t| ≤ 2²⁴`. Outside that (edited weights: the compiled ones keep `R`
/// within a field's range), the scan decides.
pub fn quadratic_argmax(r: f64, min: i64, max: i64) -> i64 {
    const MAX_R: f64 = (1u64 << 28) as f64;
    const MAX_T: i64 = 1 << 24;
    let trusted = r.is_finite() && r.abs() <= MAX_R && min.abs().max(max.abs()) <= MAX_T;
    if !trusted {
        return quadratic_argmax_scan(r, min, max);
    }
    let centre = ((r - 0.5).ceil()).clamp(min as f64, max as f64) as i64;
    let mut best = (centre - 1).max(min);
    for t in best + 1..=(centre + 1).min(max) {
        if quadratic_logit(t, r) > quadratic_logit(best, r) {
            best = t;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn an_edited_readout_of_1e308_reads_as_the_scan_does() {
        // By hand: 2·t·1e308 overflows to +∞ for every t ≥ 1, so the scan
        // (strictly greater wins, from the smallest) keeps t = 1.
        assert_eq!(quadratic_argmax_scan(1e308, 0, 1 << 20), 1);
        assert_eq!(quadratic_argmax(1e308, 0, 1 << 20), 1);
    }

    proptest! {
        // Each case may scan a million values.
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn the_quadratic_argmax_equals_the_scan_at_any_magnitude(
            r in prop_oneof![
                // From 1e-4 to beyond f64::MAX (infinite), either sign,
                // where a product 2tR overflows or rounds away integers.
                (-4.0f64..330.0, proptest::bool::ANY).prop_map(|(e, negative)| {
                    let magnitude = 10f64.powf(e);
                    if negative { -magnitude } else { magnitude }
                }),
                // Where 2tR overflows for some t in the range.
                (301.0f64..309.0).prop_map(|e| 10f64.powf(e)),
                // Up to the bound of the closed form, halves included.
                (-(1i64 << 29)..(1i64 << 29)).prop_map(|v| v as f64 / 2.0),
            ],
        ) {
            let (min, max) = (0, 1 << 20);
            prop_assert_eq!(quadratic_argmax(r, min, max), quadratic_argmax_scan(r, min, max));
        }
    }

    proptest! {
        #[test]
        fn the_constant_time_quadratic_argmax_equals_the_scan(
            r in prop_oneof![-300.0f64..300.0, (-300i64..300).prop_map(|v| v as f64 + 0.5), (-300i64..300).prop_map(|v| v as f64)],
            min in -100i64..0,
            span in 0i64..200,
        ) {
            prop_assert_eq!(quadratic_argmax(r, min, min + span), quadratic_argmax_scan(r, min, min + span));
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
    }
}
