//! Weights on disk: a plain safetensors file (one named tensor per matrix or
//! vector, f32 where every entry is exactly an f32, else f64) whose metadata
//! carries the architecture — the names of every residual dimension, field,
//! head and neuron — also written out as a JSON sidecar for people and tools.

use std::collections::{BTreeMap, HashMap};

use ndarray::{Array1, Array2};
use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use serde::{Deserialize, Serialize};

use super::{
    HeadWeights, InputFieldWeights, InputKind, LayerWeights, OutputFieldWeights, OutputKind,
    Weights,
};
use crate::circuit::HeadKind;

/// The metadata key holding the architecture.
const METADATA_KEY: &str = "wasmtf.architecture";

/// The architecture: everything about the weights except their values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Architecture {
    pub format: String,
    pub d_model: usize,
    pub position_dim: usize,
    pub dims: Vec<String>,
    pub inputs: Vec<FieldInfo>,
    pub layers: Vec<LayerInfo>,
    pub outputs: Vec<FieldInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldInfo {
    pub name: String,
    /// `table`, `numeric`, `categorical` or `quadratic`.
    pub kind: String,
    pub min: i64,
    pub max: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerInfo {
    pub doc: String,
    pub heads: Vec<HeadInfo>,
    pub neurons: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeadInfo {
    pub name: String,
    pub doc: String,
    /// `lookup`, `sum` or `cross`.
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub memory: Option<usize>,
    pub d_head: usize,
    pub d_value: usize,
}

const FORMAT: &str = "wasmtf-weights-1";

impl Architecture {
    pub fn of(w: &Weights) -> Architecture {
        Architecture {
            format: FORMAT.to_string(),
            d_model: w.d_model(),
            position_dim: w.position_dim,
            dims: w.dims.clone(),
            inputs: w
                .inputs
                .iter()
                .map(|f| match &f.kind {
                    InputKind::Table { min, table } => FieldInfo {
                        name: f.name.clone(),
                        kind: "table".into(),
                        min: *min,
                        max: *min + table.nrows() as i64 - 1,
                    },
                    InputKind::Numeric { min, max, .. } => FieldInfo {
                        name: f.name.clone(),
                        kind: "numeric".into(),
                        min: *min,
                        max: *max,
                    },
                })
                .collect(),
            layers: w
                .layers
                .iter()
                .map(|l| LayerInfo {
                    doc: l.doc.clone(),
                    heads: l
                        .heads
                        .iter()
                        .map(|h| HeadInfo {
                            name: h.name.clone(),
                            doc: h.doc.clone(),
                            kind: match h.kind {
                                HeadKind::Lookup => "lookup",
                                HeadKind::Sum => "sum",
                                HeadKind::Cross { .. } => "cross",
                            }
                            .into(),
                            memory: match h.kind {
                                HeadKind::Cross { memory } => Some(memory),
                                _ => None,
                            },
                            d_head: h.w_q.nrows(),
                            d_value: h.w_v.nrows(),
                        })
                        .collect(),
                    neurons: l.neuron_names.clone(),
                })
                .collect(),
            outputs: w
                .outputs
                .iter()
                .map(|f| match &f.kind {
                    OutputKind::Categorical { w, .. } => FieldInfo {
                        name: f.name.clone(),
                        kind: "categorical".into(),
                        min: 0,
                        max: w.nrows() as i64 - 1,
                    },
                    OutputKind::Quadratic { min, max, .. } => FieldInfo {
                        name: f.name.clone(),
                        kind: "quadratic".into(),
                        min: *min,
                        max: *max,
                    },
                })
                .collect(),
        }
    }

    /// The JSON sidecar.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("the architecture serializes") + "\n"
    }

    /// Says what differs, if `other` does not have this architecture.
    pub fn check_fits(&self, other: &Architecture) -> Result<(), String> {
        if self.format != other.format {
            return Err(format!(
                "format is {:?}, expected {:?}",
                other.format, self.format
            ));
        }
        if self.d_model != other.d_model {
            return Err(format!(
                "d_model is {}, expected {}",
                other.d_model, self.d_model
            ));
        }
        if self.dims != other.dims {
            let first = self.dims.iter().zip(&other.dims).position(|(a, b)| a != b);
            return Err(match first {
                Some(i) => format!(
                    "residual dimension {i} is {:?}, expected {:?}",
                    other.dims[i], self.dims[i]
                ),
                None => format!(
                    "d_model is {}, expected {}",
                    other.dims.len(),
                    self.dims.len()
                ),
            });
        }
        if self.position_dim != other.position_dim {
            return Err("the position dimension differs".into());
        }
        for (what, ours, theirs) in [
            ("input", &self.inputs, &other.inputs),
            ("output", &self.outputs, &other.outputs),
        ] {
            if ours.len() != theirs.len() {
                return Err(format!(
                    "{} {what} fields, expected {}",
                    theirs.len(),
                    ours.len()
                ));
            }
            if let Some((a, b)) = ours.iter().zip(theirs).find(|(a, b)| a != b) {
                return Err(format!(
                    "{what} field {:?} is {b:?}, expected {a:?}",
                    a.name
                ));
            }
        }
        if self.layers.len() != other.layers.len() {
            return Err(format!(
                "{} layers, expected {}",
                other.layers.len(),
                self.layers.len()
            ));
        }
        for (l, (a, b)) in self.layers.iter().zip(&other.layers).enumerate() {
            if a.heads.len() != b.heads.len() {
                return Err(format!(
                    "layer {l} has {} heads, expected {}",
                    b.heads.len(),
                    a.heads.len()
                ));
            }
            for (ha, hb) in a.heads.iter().zip(&b.heads) {
                if (&ha.name, &ha.kind, ha.memory, ha.d_head, ha.d_value)
                    != (&hb.name, &hb.kind, hb.memory, hb.d_head, hb.d_value)
                {
                    return Err(format!(
                        "layer {l} head {:?} is {hb:?}, expected {ha:?}",
                        ha.name
                    ));
                }
            }
            if a.neurons.len() != b.neurons.len() {
                return Err(format!(
                    "layer {l} has {} neurons, expected {}",
                    b.neurons.len(),
                    a.neurons.len()
                ));
            }
        }
        Ok(())
    }
}

/// Every tensor that weights of architecture `arch` consist of, with its shape,
/// in the order of the model: embeddings, layers, unembeddings.
fn tensor_shapes(arch: &Architecture) -> Vec<(String, Vec<usize>)> {
    let d = arch.d_model;
    let mut out = Vec::new();
    for f in &arch.inputs {
        let p = format!("embed.{}", f.name);
        if f.kind == "table" {
            let rows = (f.max - f.min + 1) as usize;
            out.push((format!("{p}.table"), vec![rows, d]));
        } else {
            out.push((format!("{p}.linear"), vec![d]));
            out.push((format!("{p}.quadratic"), vec![d]));
        }
    }
    for (l, layer) in arch.layers.iter().enumerate() {
        for h in &layer.heads {
            let (p, q, v) = (format!("layers.{l}.attn.{}", h.name), h.d_head, h.d_value);
            for (name, shape) in [
                ("w_q", vec![q, d]),
                ("b_q", vec![q]),
                ("w_k", vec![q, d]),
                ("b_k", vec![q]),
                ("w_v", vec![v, d]),
                ("b_v", vec![v]),
                ("w_o", vec![d, v]),
            ] {
                out.push((format!("{p}.{name}"), shape));
            }
        }
        let n = layer.neurons.len();
        for (name, shape) in [
            ("w_gate", vec![n, d]),
            ("b_gate", vec![n]),
            ("w_val", vec![n, d]),
            ("b_val", vec![n]),
            ("w_out", vec![d, n]),
        ] {
            out.push((format!("layers.{l}.mlp.{name}"), shape));
        }
    }
    for f in &arch.outputs {
        let p = format!("unembed.{}", f.name);
        if f.kind == "categorical" {
            let n = (f.max + 1) as usize;
            out.push((format!("{p}.w"), vec![n, d]));
            out.push((format!("{p}.b"), vec![n]));
        } else {
            out.push((format!("{p}.readout"), vec![d]));
            out.push((format!("{p}.bias"), vec![1]));
        }
    }
    out
}

/// Says which tensor is first missing or of another shape than `expected`
/// wants, or which tensor is one too many.
fn check_tensors(st: &SafeTensors<'_>, expected: &Architecture) -> Result<(), String> {
    let wanted = tensor_shapes(expected);
    for (name, shape) in &wanted {
        let view = st
            .tensor(name)
            .map_err(|_| format!("tensor {name} is missing"))?;
        if view.shape() != shape.as_slice() {
            return Err(format!(
                "tensor {name} has shape {:?}, expected {shape:?}",
                view.shape()
            ));
        }
    }
    let mut names = st.names();
    names.sort_unstable();
    match names.iter().find(|n| !wanted.iter().any(|(w, _)| w == *n)) {
        Some(extra) => Err(format!("tensor {extra} is not part of the interpreter")),
        None => Ok(()),
    }
}

/// A tensor to write: its values and shape.
struct Tensor {
    shape: Vec<usize>,
    values: Vec<f64>,
}

fn matrix(m: &Array2<f64>) -> Tensor {
    Tensor {
        shape: m.shape().to_vec(),
        values: m.iter().copied().collect(),
    }
}

fn vector(v: &Array1<f64>) -> Tensor {
    Tensor {
        shape: vec![v.len()],
        values: v.to_vec(),
    }
}

fn tensors(w: &Weights) -> BTreeMap<String, Tensor> {
    let mut out = BTreeMap::new();
    for f in &w.inputs {
        match &f.kind {
            InputKind::Table { table, .. } => {
                out.insert(format!("embed.{}.table", f.name), matrix(table));
            }
            InputKind::Numeric {
                linear, quadratic, ..
            } => {
                out.insert(format!("embed.{}.linear", f.name), vector(linear));
                out.insert(format!("embed.{}.quadratic", f.name), vector(quadratic));
            }
        }
    }
    for (l, layer) in w.layers.iter().enumerate() {
        for h in &layer.heads {
            let p = format!("layers.{l}.attn.{}", h.name);
            for (name, m) in [
                ("w_q", &h.w_q),
                ("w_k", &h.w_k),
                ("w_v", &h.w_v),
                ("w_o", &h.w_o),
            ] {
                out.insert(format!("{p}.{name}"), matrix(m));
            }
            for (name, v) in [("b_q", &h.b_q), ("b_k", &h.b_k), ("b_v", &h.b_v)] {
                out.insert(format!("{p}.{name}"), vector(v));
            }
        }
        let p = format!("layers.{l}.mlp");
        for (name, m) in [
            ("w_gate", &layer.w_gate),
            ("w_val", &layer.w_val),
            ("w_out", &layer.w_out),
        ] {
            out.insert(format!("{p}.{name}"), matrix(m));
        }
        for (name, v) in [("b_gate", &layer.b_gate), ("b_val", &layer.b_val)] {
            out.insert(format!("{p}.{name}"), vector(v));
        }
    }
    for f in &w.outputs {
        match &f.kind {
            OutputKind::Categorical { w, b } => {
                out.insert(format!("unembed.{}.w", f.name), matrix(w));
                out.insert(format!("unembed.{}.b", f.name), vector(b));
            }
            OutputKind::Quadratic { readout, bias, .. } => {
                out.insert(format!("unembed.{}.readout", f.name), vector(readout));
                out.insert(
                    format!("unembed.{}.bias", f.name),
                    Tensor {
                        shape: vec![1],
                        values: vec![*bias],
                    },
                );
            }
        }
    }
    out
}

/// Little-endian bytes: f32 when every value is exactly an f32, else f64.
fn encode(values: &[f64]) -> (Dtype, Vec<u8>) {
    if values.iter().all(|&v| f64::from(v as f32) == v) {
        (
            Dtype::F32,
            values
                .iter()
                .flat_map(|&v| (v as f32).to_le_bytes())
                .collect(),
        )
    } else {
        (
            Dtype::F64,
            values.iter().flat_map(|v| v.to_le_bytes()).collect(),
        )
    }
}

/// The safetensors bytes of the weights.
pub fn to_safetensors(w: &Weights) -> Vec<u8> {
    let encoded: Vec<(String, Dtype, Vec<usize>, Vec<u8>)> = tensors(w)
        .into_iter()
        .map(|(name, t)| {
            let (dtype, bytes) = encode(&t.values);
            (name, dtype, t.shape, bytes)
        })
        .collect();
    let views: Vec<(String, TensorView<'_>)> = encoded
        .iter()
        .map(|(name, dtype, shape, bytes)| {
            (
                name.clone(),
                TensorView::new(*dtype, shape.clone(), bytes).expect("shape matches the data"),
            )
        })
        .collect();
    let metadata = HashMap::from([(
        METADATA_KEY.to_string(),
        serde_json::to_string(&Architecture::of(w)).expect("serializes"),
    )]);
    safetensors::serialize(views, Some(metadata)).expect("the weights serialize")
}

fn read_values(st: &SafeTensors<'_>, name: &str, shape: &[usize]) -> Result<Vec<f64>, String> {
    let view = st
        .tensor(name)
        .map_err(|_| format!("tensor {name} is missing"))?;
    if view.shape() != shape {
        return Err(format!(
            "tensor {name} has shape {:?}, expected {:?}",
            view.shape(),
            shape
        ));
    }
    let data = view.data();
    let values: Vec<f64> = match view.dtype() {
        Dtype::F32 => data
            .chunks_exact(4)
            .map(|c| f64::from(f32::from_le_bytes([c[0], c[1], c[2], c[3]])))
            .collect(),
        Dtype::F64 => data
            .chunks_exact(8)
            .map(|c| f64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
            .collect(),
        other => {
            return Err(format!(
                "tensor {name} has dtype {other:?}; F32 or F64 expected"
            ));
        }
    };
    if let Some(bad) = values.iter().position(|v| !v.is_finite()) {
        return Err(format!("tensor {name} holds a non-finite value at {bad}"));
    }
    Ok(values)
}

fn read_matrix(
    st: &SafeTensors<'_>,
    name: &str,
    rows: usize,
    cols: usize,
) -> Result<Array2<f64>, String> {
    let values = read_values(st, name, &[rows, cols])?;
    Array2::from_shape_vec((rows, cols), values).map_err(|e| format!("tensor {name}: {e}"))
}

fn read_vector(st: &SafeTensors<'_>, name: &str, len: usize) -> Result<Array1<f64>, String> {
    Ok(Array1::from(read_values(st, name, &[len])?))
}

/// Reads weights written by [`to_safetensors`] (possibly edited), checking that
/// they have the architecture `expected`: every tensor's shape first, then the
/// architecture in the metadata, before any value is read.
pub fn from_safetensors(bytes: &[u8], expected: &Architecture) -> Result<Weights, String> {
    let st = SafeTensors::deserialize(bytes).map_err(|e| format!("not a safetensors file: {e}"))?;
    let (_, metadata) =
        SafeTensors::read_metadata(bytes).map_err(|e| format!("not a safetensors file: {e}"))?;
    let json = metadata
        .metadata()
        .as_ref()
        .and_then(|m| m.get(METADATA_KEY))
        .ok_or_else(|| format!("the metadata has no {METADATA_KEY:?} entry: not wasmtf weights"))?;
    let arch: Architecture = serde_json::from_str(json)
        .map_err(|e| format!("the architecture metadata is unreadable: {e}"))?;
    let misfit = |e: String| format!("the weights do not fit the interpreter: {e}");
    check_tensors(&st, expected).map_err(misfit)?;
    expected.check_fits(&arch).map_err(misfit)?;
    let d = arch.d_model;
    let inputs = arch
        .inputs
        .iter()
        .map(|f| {
            Ok(InputFieldWeights {
                name: f.name.clone(),
                kind: match f.kind.as_str() {
                    "table" => InputKind::Table {
                        min: f.min,
                        table: read_matrix(
                            &st,
                            &format!("embed.{}.table", f.name),
                            (f.max - f.min + 1) as usize,
                            d,
                        )?,
                    },
                    _ => InputKind::Numeric {
                        min: f.min,
                        max: f.max,
                        linear: read_vector(&st, &format!("embed.{}.linear", f.name), d)?,
                        quadratic: read_vector(&st, &format!("embed.{}.quadratic", f.name), d)?,
                    },
                },
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let mut layers = Vec::new();
    for (l, info) in arch.layers.iter().enumerate() {
        let mut heads = Vec::new();
        for h in &info.heads {
            let p = format!("layers.{l}.attn.{}", h.name);
            heads.push(HeadWeights {
                name: h.name.clone(),
                doc: h.doc.clone(),
                kind: match (h.kind.as_str(), h.memory) {
                    ("sum", _) => HeadKind::Sum,
                    ("cross", Some(memory)) => HeadKind::Cross { memory },
                    _ => HeadKind::Lookup,
                },
                w_q: read_matrix(&st, &format!("{p}.w_q"), h.d_head, d)?,
                b_q: read_vector(&st, &format!("{p}.b_q"), h.d_head)?,
                w_k: read_matrix(&st, &format!("{p}.w_k"), h.d_head, d)?,
                b_k: read_vector(&st, &format!("{p}.b_k"), h.d_head)?,
                w_v: read_matrix(&st, &format!("{p}.w_v"), h.d_value, d)?,
                b_v: read_vector(&st, &format!("{p}.b_v"), h.d_value)?,
                w_o: read_matrix(&st, &format!("{p}.w_o"), d, h.d_value)?,
            });
        }
        let n = info.neurons.len();
        let p = format!("layers.{l}.mlp");
        layers.push(LayerWeights {
            doc: info.doc.clone(),
            heads,
            neuron_names: info.neurons.clone(),
            w_gate: read_matrix(&st, &format!("{p}.w_gate"), n, d)?,
            b_gate: read_vector(&st, &format!("{p}.b_gate"), n)?,
            w_val: read_matrix(&st, &format!("{p}.w_val"), n, d)?,
            b_val: read_vector(&st, &format!("{p}.b_val"), n)?,
            w_out: read_matrix(&st, &format!("{p}.w_out"), d, n)?,
        });
    }
    let outputs = arch
        .outputs
        .iter()
        .map(|f| {
            Ok(OutputFieldWeights {
                name: f.name.clone(),
                kind: match f.kind.as_str() {
                    "categorical" => {
                        let n = (f.max + 1) as usize;
                        OutputKind::Categorical {
                            w: read_matrix(&st, &format!("unembed.{}.w", f.name), n, d)?,
                            b: read_vector(&st, &format!("unembed.{}.b", f.name), n)?,
                        }
                    }
                    _ => OutputKind::Quadratic {
                        min: f.min,
                        max: f.max,
                        readout: read_vector(&st, &format!("unembed.{}.readout", f.name), d)?,
                        bias: read_vector(&st, &format!("unembed.{}.bias", f.name), 1)?[0],
                    },
                },
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Weights {
        dims: arch.dims.clone(),
        position_dim: arch.position_dim,
        inputs,
        layers,
        outputs,
    })
}
