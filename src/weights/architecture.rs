//! The architecture of a set of weights: everything about them except their
//! values — the names of every residual dimension, field, head and neuron, and
//! the sizes that fix every tensor's shape. A weights file carries it in its
//! metadata, `weights/wasmtf.json` is it written out for people and tools, and
//! loading checks a file's against the interpreter's before reading a value.

use serde::{Deserialize, Serialize};

use super::{HeadKind, InputKind, OutputKind, Weights};

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

pub(super) const FORMAT: &str = "wasmtf-weights-1";

impl HeadInfo {
    /// The kind the listing names (a cross head without a memory, which
    /// [`Architecture::check_fits`] refuses, reads as a lookup).
    pub fn head_kind(&self) -> HeadKind {
        match (self.kind.as_str(), self.memory) {
            ("sum", _) => HeadKind::Sum,
            ("cross", Some(memory)) => HeadKind::Cross { memory },
            _ => HeadKind::Lookup,
        }
    }
}

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
