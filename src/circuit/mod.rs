//! The generic weight compiler: a labelled residual basis, heads and gated
//! neurons written as affine forms over named dimensions, token fields with their
//! embeddings and unembeddings, and one [`assemble`] step that turns it all into
//! the matrices of [`crate::weights::Weights`].
//!
//! Nothing here knows about WebAssembly; `crate::interpreter` writes the
//! interpreter with these parts, most of them through the proved constructions
//! of [`gadgets`].

mod assemble;
pub mod gadgets;
mod layout;
mod lin;

pub use assemble::assemble;
pub use layout::{Dim, Layout};
pub use lin::Lin;

pub use crate::weights::HeadKind;

/// One attention head, written as affine forms of the layer's input residual.
#[derive(Debug, Clone)]
pub struct Head {
    pub name: String,
    /// What the head computes, for the architecture listing.
    pub doc: String,
    pub kind: HeadKind,
    pub query: Vec<Lin>,
    pub key: Vec<Lin>,
    /// `value[i]` is added into `output[i]`.
    pub value: Vec<Lin>,
    pub output: Vec<Dim>,
}

/// One gated feed-forward neuron: `ReLU(gate(x)) · value(x)`, added into
/// `output` with the given coefficients.
#[derive(Debug, Clone)]
pub struct Neuron {
    pub name: String,
    pub gate: Lin,
    pub value: Lin,
    pub output: Vec<(Dim, f64)>,
}

/// Attention heads (reading the layer input in parallel) followed by a gated
/// feed-forward block (reading the residual after attention).
#[derive(Debug, Clone, Default)]
pub struct Layer {
    /// What the layer computes, one line, for `wasmtf inspect`.
    pub doc: String,
    pub heads: Vec<Head>,
    pub neurons: Vec<Neuron>,
}

/// How a token field's value becomes residual coordinates.
#[derive(Debug, Clone)]
pub enum FieldEmbedding {
    /// One row per value `min..=max` (small ranges: flags, bytes, kinds).
    Table {
        min: i64,
        rows: Vec<Vec<(Dim, f64)>>,
    },
    /// `value · linear + value² · quadratic` (large numeric ranges).
    Numeric {
        min: i64,
        max: i64,
        linear: Vec<(Dim, f64)>,
        quadratic: Vec<(Dim, f64)>,
    },
}

/// A field of the input tokens.
#[derive(Debug, Clone)]
pub struct InputField {
    pub name: String,
    pub embedding: FieldEmbedding,
}

/// How a field of the emitted token is read off the final residual.
#[derive(Debug, Clone)]
pub enum FieldUnembedding {
    /// One logit per value `0..n`: `logits[v] = rows[v](x)`.
    Categorical { logits: Vec<Lin> },
    /// The seed model's quadratic unembedding over `min..=max`:
    /// `logit(t) = 2·t·R − t²` with `R = readout(x)`; its argmax is the integer
    /// nearest to R.
    Quadratic { min: i64, max: i64, readout: Lin },
}

/// A field of the emitted tokens.
#[derive(Debug, Clone)]
pub struct OutputField {
    pub name: String,
    pub unembedding: FieldUnembedding,
}

/// A whole model before assembly.
#[derive(Debug, Clone)]
pub struct Circuit {
    pub layout: Layout,
    /// The dimension the engine sets to the position index.
    pub position: Dim,
    pub inputs: Vec<InputField>,
    pub layers: Vec<Layer>,
    pub outputs: Vec<OutputField>,
}
