//! Every tensor of the model named once. [`tensors`] walks an architecture
//! and lists each tensor with its path (`layers.1.attn.stack.top.w_q`), its
//! shape, and the [`Slot`] of [`Weights`] that holds it; saving, loading and
//! counting all go through that one list, so they cannot disagree about a
//! name or a shape.
//!
//! Paths are built the way candle's `VarBuilder` builds them: a [`Prefix`]
//! is pushed a component at a time, and a leaf is a name under it.

use ndarray::Array1;

use super::io::Architecture;
use super::matrix::Matrix;
use super::{HeadWeights, InputKind, OutputKind, Weights};

/// The shape a tensor must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Matrix { rows: usize, cols: usize },
    Vector { len: usize },
}

impl Shape {
    pub fn dims(&self) -> Vec<usize> {
        match *self {
            Shape::Matrix { rows, cols } => vec![rows, cols],
            Shape::Vector { len } => vec![len],
        }
    }
}

/// Which parameter of a head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeadParam {
    Wq,
    Bq,
    Wk,
    Bk,
    Wv,
    Bv,
    Wo,
}

/// Which parameter of a feed-forward block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MlpParam {
    WGate,
    BGate,
    WVal,
    BVal,
    WOut,
}

/// Where in [`Weights`] a tensor lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    EmbedTable {
        field: usize,
    },
    EmbedLinear {
        field: usize,
    },
    EmbedQuadratic {
        field: usize,
    },
    Head {
        layer: usize,
        head: usize,
        param: HeadParam,
    },
    Mlp {
        layer: usize,
        param: MlpParam,
    },
    UnembedLogits {
        field: usize,
    },
    UnembedBias {
        field: usize,
    },
    Readout {
        field: usize,
    },
    /// A quadratic field's readout bias, stored as a vector of one.
    ReadoutBias {
        field: usize,
    },
}

/// One tensor: its path, its shape and where it lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TensorSpec {
    pub path: String,
    pub shape: Shape,
    pub slot: Slot,
}

/// A path under construction: `Prefix::root().push("layers").push(1)`.
#[derive(Debug, Clone)]
pub struct Prefix(String);

impl Prefix {
    pub fn root() -> Prefix {
        Prefix(String::new())
    }

    pub fn push(&self, part: impl std::fmt::Display) -> Prefix {
        Prefix(self.leaf(part))
    }

    /// The full path of `name` under this prefix.
    pub fn leaf(&self, name: impl std::fmt::Display) -> String {
        if self.0.is_empty() {
            name.to_string()
        } else {
            format!("{}.{name}", self.0)
        }
    }
}

/// Collects specs under one prefix.
struct Specs<'a> {
    out: &'a mut Vec<TensorSpec>,
    prefix: Prefix,
}

impl Specs<'_> {
    fn matrix(&mut self, name: &str, rows: usize, cols: usize, slot: Slot) {
        self.add(name, Shape::Matrix { rows, cols }, slot);
    }

    fn vector(&mut self, name: &str, len: usize, slot: Slot) {
        self.add(name, Shape::Vector { len }, slot);
    }

    fn add(&mut self, name: &str, shape: Shape, slot: Slot) {
        self.out.push(TensorSpec {
            path: self.prefix.leaf(name),
            shape,
            slot,
        });
    }
}

/// Every tensor that weights of architecture `arch` consist of, in the order
/// of the model: embeddings, layers, unembeddings.
pub fn tensors(arch: &Architecture) -> Vec<TensorSpec> {
    let d = arch.d_model;
    let mut out = Vec::new();
    let root = Prefix::root();
    for (field, f) in arch.inputs.iter().enumerate() {
        let mut s = Specs {
            out: &mut out,
            prefix: root.push("embed").push(&f.name),
        };
        if f.kind == "table" {
            let rows = (f.max - f.min + 1) as usize;
            s.matrix("table", rows, d, Slot::EmbedTable { field });
        } else {
            s.vector("linear", d, Slot::EmbedLinear { field });
            s.vector("quadratic", d, Slot::EmbedQuadratic { field });
        }
    }
    for (l, layer) in arch.layers.iter().enumerate() {
        let prefix = root.push("layers").push(l);
        for (head, h) in layer.heads.iter().enumerate() {
            let mut s = Specs {
                out: &mut out,
                prefix: prefix.push("attn").push(&h.name),
            };
            let slot = |param| Slot::Head {
                layer: l,
                head,
                param,
            };
            let (q, v) = (h.d_head, h.d_value);
            s.matrix("w_q", q, d, slot(HeadParam::Wq));
            s.vector("b_q", q, slot(HeadParam::Bq));
            s.matrix("w_k", q, d, slot(HeadParam::Wk));
            s.vector("b_k", q, slot(HeadParam::Bk));
            s.matrix("w_v", v, d, slot(HeadParam::Wv));
            s.vector("b_v", v, slot(HeadParam::Bv));
            s.matrix("w_o", d, v, slot(HeadParam::Wo));
        }
        let mut s = Specs {
            out: &mut out,
            prefix: prefix.push("mlp"),
        };
        let slot = |param| Slot::Mlp { layer: l, param };
        let n = layer.neurons.len();
        s.matrix("w_gate", n, d, slot(MlpParam::WGate));
        s.vector("b_gate", n, slot(MlpParam::BGate));
        s.matrix("w_val", n, d, slot(MlpParam::WVal));
        s.vector("b_val", n, slot(MlpParam::BVal));
        s.matrix("w_out", d, n, slot(MlpParam::WOut));
    }
    for (field, f) in arch.outputs.iter().enumerate() {
        let mut s = Specs {
            out: &mut out,
            prefix: root.push("unembed").push(&f.name),
        };
        if f.kind == "categorical" {
            let n = (f.max + 1) as usize;
            s.matrix("w", n, d, Slot::UnembedLogits { field });
            s.vector("b", n, Slot::UnembedBias { field });
        } else {
            s.vector("readout", d, Slot::Readout { field });
            s.vector("bias", 1, Slot::ReadoutBias { field });
        }
    }
    out
}

/// A tensor of [`Weights`], read.
pub enum TensorRef<'a> {
    Matrix(&'a Matrix),
    Vector(&'a Array1<f64>),
    Scalar(f64),
}

/// A tensor of [`Weights`], to fill.
pub enum TensorMut<'a> {
    Matrix(&'a mut Matrix),
    Vector(&'a mut Array1<f64>),
    Scalar(&'a mut f64),
}

fn head_ref(h: &HeadWeights, param: HeadParam) -> TensorRef<'_> {
    match param {
        HeadParam::Wq => TensorRef::Matrix(&h.w_q),
        HeadParam::Bq => TensorRef::Vector(&h.b_q),
        HeadParam::Wk => TensorRef::Matrix(&h.w_k),
        HeadParam::Bk => TensorRef::Vector(&h.b_k),
        HeadParam::Wv => TensorRef::Matrix(&h.w_v),
        HeadParam::Bv => TensorRef::Vector(&h.b_v),
        HeadParam::Wo => TensorRef::Matrix(&h.w_o),
    }
}

fn head_mut(h: &mut HeadWeights, param: HeadParam) -> TensorMut<'_> {
    match param {
        HeadParam::Wq => TensorMut::Matrix(&mut h.w_q),
        HeadParam::Bq => TensorMut::Vector(&mut h.b_q),
        HeadParam::Wk => TensorMut::Matrix(&mut h.w_k),
        HeadParam::Bk => TensorMut::Vector(&mut h.b_k),
        HeadParam::Wv => TensorMut::Matrix(&mut h.w_v),
        HeadParam::Bv => TensorMut::Vector(&mut h.b_v),
        HeadParam::Wo => TensorMut::Matrix(&mut h.w_o),
    }
}

impl Weights {
    /// The tensor in `slot`; panics if these weights have no such slot (a
    /// spec of another architecture).
    pub fn tensor(&self, slot: Slot) -> TensorRef<'_> {
        match slot {
            Slot::EmbedTable { field }
            | Slot::EmbedLinear { field }
            | Slot::EmbedQuadratic { field } => match (&self.inputs[field].kind, slot) {
                (InputKind::Table { table, .. }, Slot::EmbedTable { .. }) => {
                    TensorRef::Matrix(table)
                }
                (InputKind::Numeric { linear, .. }, Slot::EmbedLinear { .. }) => {
                    TensorRef::Vector(linear)
                }
                (InputKind::Numeric { quadratic, .. }, Slot::EmbedQuadratic { .. }) => {
                    TensorRef::Vector(quadratic)
                }
                _ => panic!("input field {field} has no {slot:?}"),
            },
            Slot::Head { layer, head, param } => head_ref(&self.layers[layer].heads[head], param),
            Slot::Mlp { layer, param } => {
                let l = &self.layers[layer];
                match param {
                    MlpParam::WGate => TensorRef::Matrix(&l.w_gate),
                    MlpParam::BGate => TensorRef::Vector(&l.b_gate),
                    MlpParam::WVal => TensorRef::Matrix(&l.w_val),
                    MlpParam::BVal => TensorRef::Vector(&l.b_val),
                    MlpParam::WOut => TensorRef::Matrix(&l.w_out),
                }
            }
            Slot::UnembedLogits { field }
            | Slot::UnembedBias { field }
            | Slot::Readout { field }
            | Slot::ReadoutBias { field } => match (&self.outputs[field].kind, slot) {
                (OutputKind::Categorical { w, .. }, Slot::UnembedLogits { .. }) => {
                    TensorRef::Matrix(w)
                }
                (OutputKind::Categorical { b, .. }, Slot::UnembedBias { .. }) => {
                    TensorRef::Vector(b)
                }
                (OutputKind::Quadratic { readout, .. }, Slot::Readout { .. }) => {
                    TensorRef::Vector(readout)
                }
                (OutputKind::Quadratic { bias, .. }, Slot::ReadoutBias { .. }) => {
                    TensorRef::Scalar(*bias)
                }
                _ => panic!("output field {field} has no {slot:?}"),
            },
        }
    }

    /// The tensor in `slot`, to fill; panics as [`Self::tensor`] does.
    pub fn tensor_mut(&mut self, slot: Slot) -> TensorMut<'_> {
        match slot {
            Slot::EmbedTable { field }
            | Slot::EmbedLinear { field }
            | Slot::EmbedQuadratic { field } => match (&mut self.inputs[field].kind, slot) {
                (InputKind::Table { table, .. }, Slot::EmbedTable { .. }) => {
                    TensorMut::Matrix(table)
                }
                (InputKind::Numeric { linear, .. }, Slot::EmbedLinear { .. }) => {
                    TensorMut::Vector(linear)
                }
                (InputKind::Numeric { quadratic, .. }, Slot::EmbedQuadratic { .. }) => {
                    TensorMut::Vector(quadratic)
                }
                _ => panic!("input field {field} has no {slot:?}"),
            },
            Slot::Head { layer, head, param } => {
                head_mut(&mut self.layers[layer].heads[head], param)
            }
            Slot::Mlp { layer, param } => {
                let l = &mut self.layers[layer];
                match param {
                    MlpParam::WGate => TensorMut::Matrix(&mut l.w_gate),
                    MlpParam::BGate => TensorMut::Vector(&mut l.b_gate),
                    MlpParam::WVal => TensorMut::Matrix(&mut l.w_val),
                    MlpParam::BVal => TensorMut::Vector(&mut l.b_val),
                    MlpParam::WOut => TensorMut::Matrix(&mut l.w_out),
                }
            }
            Slot::UnembedLogits { field }
            | Slot::UnembedBias { field }
            | Slot::Readout { field }
            | Slot::ReadoutBias { field } => match (&mut self.outputs[field].kind, slot) {
                (OutputKind::Categorical { w, .. }, Slot::UnembedLogits { .. }) => {
                    TensorMut::Matrix(w)
                }
                (OutputKind::Categorical { b, .. }, Slot::UnembedBias { .. }) => {
                    TensorMut::Vector(b)
                }
                (OutputKind::Quadratic { readout, .. }, Slot::Readout { .. }) => {
                    TensorMut::Vector(readout)
                }
                (OutputKind::Quadratic { bias, .. }, Slot::ReadoutBias { .. }) => {
                    TensorMut::Scalar(bias)
                }
                _ => panic!("output field {field} has no {slot:?}"),
            },
        }
    }
}
