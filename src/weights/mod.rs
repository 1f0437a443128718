//! The assembled model as matrices: what `wasmtf compile` writes, what the engine
//! runs, and what the debugger names. Every tensor has a path-like name
//! (`layers.3.attn.stack.top.w_q`), listed once in [`tensors`]; [`io`] stores
//! them as safetensors, with the [`architecture`] in the metadata and as a JSON
//! sidecar of names.
//!
//! This is storage: it knows nothing of the circuit that compiles the weights
//! or of the interpreter they implement (`crate::compiled` joins those).

pub mod architecture;
pub mod io;
pub mod matrix;
pub mod tensors;
pub mod wiring;

use ndarray::Array1;

pub use matrix::Matrix;

/// How an attention head turns scores into an output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeadKind {
    /// Hard-max over the positions so far: the value at the highest-scoring
    /// position, exact ties going to the most recent one.
    Lookup,
    /// The sum of the values at every position so far (uniform attention times
    /// the number of positions): a running total.
    Sum,
    /// Hard-max, like `Lookup`, over an external memory instead of the sequence:
    /// entries the host stores (initial contents, and the key/value vectors the
    /// head's own projections produce at write tokens). `memory` names which.
    Cross { memory: usize },
}

/// The whole model.
#[derive(Debug, Clone, PartialEq)]
pub struct Weights {
    /// Names of the residual dimensions.
    pub dims: Vec<String>,
    /// The dimension set to the position index.
    pub position_dim: usize,
    pub inputs: Vec<InputFieldWeights>,
    pub layers: Vec<LayerWeights>,
    pub outputs: Vec<OutputFieldWeights>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct InputFieldWeights {
    pub name: String,
    pub kind: InputKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum InputKind {
    /// Row `v - min` is the embedding of value v.
    Table { min: i64, table: Matrix },
    /// `v·linear + v²·quadratic` for v in `min..=max`.
    Numeric {
        min: i64,
        max: i64,
        linear: Array1<f64>,
        quadratic: Array1<f64>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct HeadWeights {
    pub name: String,
    pub doc: String,
    pub kind: HeadKind,
    /// `[d_head × d_model]`, and the bias `[d_head]`.
    pub w_q: Matrix,
    pub b_q: Array1<f64>,
    pub w_k: Matrix,
    pub b_k: Array1<f64>,
    /// `[d_value × d_model]`, bias `[d_value]`.
    pub w_v: Matrix,
    pub b_v: Array1<f64>,
    /// `[d_model × d_value]`.
    pub w_o: Matrix,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LayerWeights {
    pub doc: String,
    pub heads: Vec<HeadWeights>,
    pub neuron_names: Vec<String>,
    /// `[d_ffn × d_model]` and `[d_ffn]`: the gate `ReLU(w_gate·x + b_gate)`.
    pub w_gate: Matrix,
    pub b_gate: Array1<f64>,
    /// `[d_ffn × d_model]` and `[d_ffn]`: the value multiplied by the gate.
    pub w_val: Matrix,
    pub b_val: Array1<f64>,
    /// `[d_model × d_ffn]`.
    pub w_out: Matrix,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OutputFieldWeights {
    pub name: String,
    pub kind: OutputKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum OutputKind {
    /// `logits = w·x + b`, `[n × d_model]` and `[n]`.
    Categorical { w: Matrix, b: Array1<f64> },
    /// `R = readout·x + bias`; `logit(t) = 2tR − t²` for t in `min..=max`.
    Quadratic {
        min: i64,
        max: i64,
        readout: Array1<f64>,
        bias: f64,
    },
}

impl Weights {
    pub fn d_model(&self) -> usize {
        self.dims.len()
    }

    /// Every parameter, and how many of them are not zero.
    pub fn parameter_counts(&self) -> (usize, usize) {
        let (mut total, mut nonzero) = (0, 0);
        for spec in tensors::tensors(&architecture::Architecture::of(self)) {
            total += spec.shape.dims().iter().product::<usize>();
            nonzero += match self.tensor(spec.slot) {
                tensors::TensorRef::Matrix(m) => m.nnz(),
                tensors::TensorRef::Vector(v) => v.iter().filter(|&&x| x != 0.0).count(),
                tensors::TensorRef::Scalar(x) => usize::from(x != 0.0),
            };
        }
        (total, nonzero)
    }

    /// All-zero weights of architecture `arch`, every tensor of its shape.
    pub fn zeros(arch: &architecture::Architecture) -> Weights {
        let d = arch.d_model;
        Weights {
            dims: arch.dims.clone(),
            position_dim: arch.position_dim,
            inputs: arch.inputs.iter().map(|f| zero_input(f, d)).collect(),
            layers: arch.layers.iter().map(|l| zero_layer(l, d)).collect(),
            outputs: arch.outputs.iter().map(|f| zero_output(f, d)).collect(),
        }
    }
}

fn zero_input(f: &architecture::FieldInfo, d: usize) -> InputFieldWeights {
    let kind = if f.kind == "table" {
        let rows = (f.max - f.min + 1) as usize;
        InputKind::Table {
            min: f.min,
            table: Matrix::zeros(rows, d),
        }
    } else {
        InputKind::Numeric {
            min: f.min,
            max: f.max,
            linear: Array1::zeros(d),
            quadratic: Array1::zeros(d),
        }
    };
    InputFieldWeights {
        name: f.name.clone(),
        kind,
    }
}

fn zero_head(h: &architecture::HeadInfo, d: usize) -> HeadWeights {
    HeadWeights {
        name: h.name.clone(),
        doc: h.doc.clone(),
        kind: h.head_kind(),
        w_q: Matrix::zeros(h.d_head, d),
        b_q: Array1::zeros(h.d_head),
        w_k: Matrix::zeros(h.d_head, d),
        b_k: Array1::zeros(h.d_head),
        w_v: Matrix::zeros(h.d_value, d),
        b_v: Array1::zeros(h.d_value),
        w_o: Matrix::zeros(d, h.d_value),
    }
}

fn zero_layer(l: &architecture::LayerInfo, d: usize) -> LayerWeights {
    let n = l.neurons.len();
    LayerWeights {
        doc: l.doc.clone(),
        heads: l.heads.iter().map(|h| zero_head(h, d)).collect(),
        neuron_names: l.neurons.clone(),
        w_gate: Matrix::zeros(n, d),
        b_gate: Array1::zeros(n),
        w_val: Matrix::zeros(n, d),
        b_val: Array1::zeros(n),
        w_out: Matrix::zeros(d, n),
    }
}

fn zero_output(f: &architecture::FieldInfo, d: usize) -> OutputFieldWeights {
    let kind = if f.kind == "categorical" {
        let n = (f.max + 1) as usize;
        OutputKind::Categorical {
            w: Matrix::zeros(n, d),
            b: Array1::zeros(n),
        }
    } else {
        OutputKind::Quadratic {
            min: f.min,
            max: f.max,
            readout: Array1::zeros(d),
            bias: 0.0,
        }
    };
    OutputFieldWeights {
        name: f.name.clone(),
        kind,
    }
}

impl Weights {
    /// Zeroes the output of every head whose name starts with `prefix`, so it
    /// adds nothing to the residual; returns how many heads.
    pub fn ablate_heads(&mut self, prefix: &str) -> usize {
        let mut count = 0;
        for head in self.layers.iter_mut().flat_map(|l| l.heads.iter_mut()) {
            if head.name.starts_with(prefix) {
                head.w_o.clear();
                count += 1;
            }
        }
        count
    }

    /// Zeroes every neuron whose name starts with `prefix` (its gate row, so it
    /// never fires); returns how many neurons.
    pub fn ablate_neurons(&mut self, prefix: &str) -> usize {
        let mut count = 0;
        for layer in &mut self.layers {
            for (n, name) in layer.neuron_names.iter().enumerate() {
                if name.starts_with(prefix) {
                    layer.w_gate.clear_row(n);
                    layer.b_gate[n] = 0.0;
                    count += 1;
                }
            }
        }
        count
    }
}
