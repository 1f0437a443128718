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
mod bits_map;
pub mod capture;
mod columns;
mod envelope;
pub mod prefill;
mod ranges;
mod readout;
mod residual;
mod session;
mod sparse;

use std::sync::Arc;

pub use attention::{Hit, KeyValueStore};
use columns::Columns;
use ndarray::Array2;
pub(crate) use readout::choose;
pub use readout::{quadratic_argmax, quadratic_argmax_scan, quadratic_logit};
pub use session::Session;
use sparse::{SparseRows, sparse_columns};

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
    q: SparseRows,
    k: SparseRows,
    v: SparseRows,
    /// Where the query, key and value are in the layer's projections.
    slots: [std::ops::Range<usize>; 3],
    /// For each value component, where it is added in the residual.
    out: Vec<Vec<(u32, f64)>>,
    /// Whether every weight in `out` is finite: a zero component then adds
    /// nothing at all (its terms are zeros), and need not be visited.
    out_finite: bool,
}

impl HeadRows {
    /// Adds what the head read, through its output columns, to `delta`,
    /// component by component in order. A zero component is passed over
    /// when every output weight is finite: its terms are zeros, which
    /// [`residual::Delta::add`] leaves out anyway.
    fn add_output(&self, read: &[f64], delta: &mut residual::Delta) {
        let read = &read[..self.out.len().min(read.len())];
        let mut add = |component: usize, r: f64| {
            for &(dim, w) in &self.out[component] {
                delta.add(dim, w * r);
            }
        };
        if !self.out_finite {
            read.iter().enumerate().for_each(|(c, &r)| add(c, r));
            return;
        }
        // Four components at a time: their bit patterns, sign bits shifted
        // out, are all zero only when the four are ±0, the common case.
        let chunks = read.chunks_exact(4);
        let rest = chunks.remainder();
        for (i, chunk) in chunks.enumerate() {
            let bits = chunk.iter().fold(0u64, |bits, r| bits | r.to_bits());
            if bits << 1 != 0 {
                for (c, &r) in chunk.iter().enumerate() {
                    if r != 0.0 {
                        add(4 * i + c, r);
                    }
                }
            }
        }
        let start = read.len() - rest.len();
        for (c, &r) in rest.iter().enumerate() {
            if r != 0.0 {
                add(start + c, r);
            }
        }
    }
}

struct LayerRows {
    heads: Vec<HeadRows>,
    /// Every head's query, key and value rows, by column: the fast path
    /// projects the layer input once, at its non-zero entries.
    projections: Columns,
    gate: SparseRows,
    val: SparseRows,
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
    readout: SparseRows,
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
            .map(|layer| {
                let mut projections = SparseRows::default();
                let heads = layer
                    .heads
                    .iter()
                    .map(|h| {
                        let [q, k, v] = [(&h.w_q, &h.b_q), (&h.w_k, &h.b_k), (&h.w_v, &h.b_v)]
                            .map(|(w, b)| SparseRows::of(w, Some(b)));
                        let slots = [&q, &k, &v].map(|rows| {
                            let start = projections.len();
                            projections.append(rows);
                            start..projections.len()
                        });
                        HeadRows {
                            q,
                            k,
                            v,
                            slots,
                            out_finite: h
                                .w_o
                                .rows()
                                .all(|row| row.values.iter().all(|w| w.is_finite())),
                            out: sparse_columns(&h.w_o),
                        }
                    })
                    .collect();
                LayerRows {
                    heads,
                    projections: Columns::of(&projections, weights.d_model(), false),
                    gate: SparseRows::of(&layer.w_gate, Some(&layer.b_gate)),
                    val: SparseRows::of(&layer.w_val, Some(&layer.b_val)),
                    out: sparse_columns(&layer.w_out),
                }
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
        let mut readout = SparseRows::default();
        for field in &weights.outputs {
            match &field.kind {
                OutputKind::Categorical { w, b } => readout.append(&SparseRows::of(w, Some(b))),
                OutputKind::Quadratic {
                    readout: r, bias, ..
                } => {
                    let entries = r.iter().enumerate().filter(|(_, v)| **v != 0.0);
                    readout.push(entries.map(|(d, &v)| (d as u32, v)), *bias);
                }
            }
        }
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
        self.embed_with(fields, position, |d, v| x[d] += v)
    }

    /// The embedding's terms, each as `add(dimension, term)` onto zeros: the
    /// position, then each field's in order.
    pub(crate) fn embed_with(
        &self,
        fields: &TokenFields,
        position: usize,
        mut add: impl FnMut(usize, f64),
    ) -> Result<(), String> {
        let w = &self.weights;
        add(w.position_dim, position as f64);
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
                        add(d as usize, t);
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
                        add(d as usize, v * l + v * v * q);
                    }
                }
            }
        }
        Ok(())
    }
}
