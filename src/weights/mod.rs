//! The assembled model as matrices: what `wasmtf compile` writes, what the engine
//! runs, and what the debugger names. Every tensor has a path-like name
//! (`layers.3.attn.stack.top.w_q`); [`io`] stores them as safetensors plus a
//! JSON sidecar of names.

pub mod io;
pub mod wiring;

use ndarray::{Array1, Array2};

use crate::circuit::HeadKind;

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
    Table { min: i64, table: Array2<f64> },
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
    pub w_q: Array2<f64>,
    pub b_q: Array1<f64>,
    pub w_k: Array2<f64>,
    pub b_k: Array1<f64>,
    /// `[d_value × d_model]`, bias `[d_value]`.
    pub w_v: Array2<f64>,
    pub b_v: Array1<f64>,
    /// `[d_model × d_value]`.
    pub w_o: Array2<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LayerWeights {
    pub doc: String,
    pub heads: Vec<HeadWeights>,
    pub neuron_names: Vec<String>,
    /// `[d_ffn × d_model]` and `[d_ffn]`: the gate `ReLU(w_gate·x + b_gate)`.
    pub w_gate: Array2<f64>,
    pub b_gate: Array1<f64>,
    /// `[d_ffn × d_model]` and `[d_ffn]`: the value multiplied by the gate.
    pub w_val: Array2<f64>,
    pub b_val: Array1<f64>,
    /// `[d_model × d_ffn]`.
    pub w_out: Array2<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OutputFieldWeights {
    pub name: String,
    pub kind: OutputKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum OutputKind {
    /// `logits = w·x + b`, `[n × d_model]` and `[n]`.
    Categorical { w: Array2<f64>, b: Array1<f64> },
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
        let mut total = 0;
        let mut nonzero = 0;
        let mut count = |values: &mut dyn Iterator<Item = &f64>| {
            for v in values {
                total += 1;
                if *v != 0.0 {
                    nonzero += 1;
                }
            }
        };
        for field in &self.inputs {
            match &field.kind {
                InputKind::Table { table, .. } => count(&mut table.iter()),
                InputKind::Numeric {
                    linear, quadratic, ..
                } => {
                    count(&mut linear.iter());
                    count(&mut quadratic.iter());
                }
            }
        }
        for layer in &self.layers {
            for head in &layer.heads {
                for m in [&head.w_q, &head.w_k, &head.w_v, &head.w_o] {
                    count(&mut m.iter());
                }
                for b in [&head.b_q, &head.b_k, &head.b_v] {
                    count(&mut b.iter());
                }
            }
            for m in [&layer.w_gate, &layer.w_val, &layer.w_out] {
                count(&mut m.iter());
            }
            for b in [&layer.b_gate, &layer.b_val] {
                count(&mut b.iter());
            }
        }
        for field in &self.outputs {
            match &field.kind {
                OutputKind::Categorical { w, b } => {
                    count(&mut w.iter());
                    count(&mut b.iter());
                }
                OutputKind::Quadratic { readout, bias, .. } => {
                    count(&mut readout.iter());
                    count(&mut std::iter::once(bias));
                }
            }
        }
        (total, nonzero)
    }
}

/// The committed weights, embedded in the binary as its default.
pub const DEFAULT_WEIGHTS: &[u8] = include_bytes!("../../weights/wasmtf.safetensors");

/// Where `wasmtf compile` writes, relative to the working directory.
pub const WEIGHTS_FILE: &str = "weights/wasmtf.safetensors";
pub const SIDECAR_FILE: &str = "weights/wasmtf.json";

/// The interpreter compiled afresh.
pub fn compile() -> Weights {
    crate::circuit::assemble(&crate::interpreter::build())
}

/// The committed sidecar, embedded beside the weights: tests/weights.rs
/// checks that it is exactly what [`compile`] describes.
pub const DEFAULT_SIDECAR: &str = include_str!("../../weights/wasmtf.json");

/// The architecture every weights file must have (that of [`compile`]), read
/// from the embedded sidecar rather than by compiling the 8.7M-parameter
/// model at every start.
pub fn architecture() -> &'static io::Architecture {
    static ARCHITECTURE: std::sync::OnceLock<io::Architecture> = std::sync::OnceLock::new();
    ARCHITECTURE.get_or_init(|| {
        serde_json::from_str(DEFAULT_SIDECAR).expect("the embedded sidecar is valid JSON")
    })
}

/// The embedded default weights.
pub fn load_default() -> Result<Weights, String> {
    io::from_safetensors(DEFAULT_WEIGHTS, architecture())
        .map_err(|e| format!("the built-in weights: {e}"))
}

/// Weights from a file, refused with a reason when they do not fit.
pub fn load_file(path: &std::path::Path) -> Result<Weights, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    load_file_bytes(path, &bytes)
}

/// Weights from the bytes of the file at `path` (named in messages), for a
/// caller that needs the bytes too.
pub fn load_file_bytes(path: &std::path::Path, bytes: &[u8]) -> Result<Weights, String> {
    io::from_safetensors(bytes, architecture()).map_err(|e| format!("{}: {e}", path.display()))
}

impl Weights {
    /// Zeroes the output of every head whose name starts with `prefix`, so it
    /// adds nothing to the residual; returns how many heads.
    pub fn ablate_heads(&mut self, prefix: &str) -> usize {
        let mut count = 0;
        for head in self.layers.iter_mut().flat_map(|l| l.heads.iter_mut()) {
            if head.name.starts_with(prefix) {
                head.w_o.fill(0.0);
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
                    layer.w_gate.row_mut(n).fill(0.0);
                    layer.b_gate[n] = 0.0;
                    count += 1;
                }
            }
        }
        count
    }
}
