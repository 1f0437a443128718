//! The wiring of the weights: for every residual dimension, the parts of the
//! model that write it and those that read it, read off the matrices; the parts
//! that can never write anything; and the exact vector a head or a neuron adds
//! to the residual stream in a given pass.
//!
//! A dimension is *written* by the position (the position dimension), by an
//! input field's embedding, by a head through its output matrix `w_o` and by a
//! neuron through its column of `w_out`. It is *read* by a head's query, key or
//! value projection, a neuron's gate or value row, and an output field's
//! unembedding. Every non-zero weight of those matrices appears exactly once,
//! as one [`Entry`] of one [`Link`]; biases read and write no dimension and
//! appear nowhere. (A cross-attention head's key and value are applied to an
//! entry's vector when it is stored: the embedding of an initial file entry,
//! or the residual of the pass that reads a write token.)
//!
//! [`Wiring::new`] scans each matrix once, in row order.

use ndarray::Array1;

use super::{InputKind, Matrix, OutputKind, Weights};

/// A part of the model that writes or reads residual dimensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Component {
    /// The engine sets the position dimension to the token's position.
    Position,
    /// Input field `field`'s embedding.
    Embedding {
        field: usize,
    },
    Head {
        layer: usize,
        head: usize,
    },
    Neuron {
        layer: usize,
        neuron: usize,
    },
    /// Output field `field`'s unembedding.
    Unembedding {
        field: usize,
    },
}

impl Component {
    /// A readable name: `position`, `embedding instr.op`,
    /// `layer 1 head stack.top`, `layer 1 neuron alu.add.b3`, `unembedding push`.
    /// Indices the weights do not have are shown as `#n`.
    pub fn name(&self, w: &Weights) -> String {
        fn or_index(name: Option<&String>, index: usize) -> String {
            name.cloned().unwrap_or_else(|| format!("#{index}"))
        }
        match *self {
            Component::Position => "position".to_string(),
            Component::Embedding { field } => format!(
                "embedding {}",
                or_index(w.inputs.get(field).map(|f| &f.name), field)
            ),
            Component::Head { layer, head } => format!(
                "layer {layer} head {}",
                or_index(
                    w.layers
                        .get(layer)
                        .and_then(|l| l.heads.get(head))
                        .map(|h| &h.name),
                    head
                )
            ),
            Component::Neuron { layer, neuron } => format!(
                "layer {layer} neuron {}",
                or_index(
                    w.layers.get(layer).and_then(|l| l.neuron_names.get(neuron)),
                    neuron
                )
            ),
            Component::Unembedding { field } => format!(
                "unembedding {}",
                or_index(w.outputs.get(field).map(|f| &f.name), field)
            ),
        }
    }
}

/// Which weight connects a dimension `d` and a component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Via {
    // Writes.
    /// The position itself, weight 1.
    Position,
    /// The row of a table embedding for `value`: `table[value - min, d]`.
    Table { value: i64 },
    /// A numeric embedding's `linear[d]` (times the value).
    Linear,
    /// A numeric embedding's `quadratic[d]` (times the value squared).
    Quadratic,
    /// A head's `w_o[d, component]`: value component `component` written to d.
    HeadOutput { component: usize },
    /// A neuron's `w_out[d, neuron]`.
    NeuronOutput,
    // Reads.
    /// A head's `w_q[row, d]`.
    Query { row: usize },
    /// A head's `w_k[row, d]`.
    Key { row: usize },
    /// A head's `w_v[row, d]`.
    Value { row: usize },
    /// A neuron's `w_gate[neuron, d]`.
    Gate,
    /// A neuron's `w_val[neuron, d]`.
    NeuronValue,
    /// A categorical field's `w[value, d]`: the logit of `value` (values of a
    /// categorical field start at 0).
    Logit { value: i64 },
    /// A quadratic field's `readout[d]`.
    Readout,
}

impl Via {
    /// Short: `position`, `value 5`, `v`, `v²`, `o[3]`, `out`, `q[0]`, `k[1]`,
    /// `v[2]`, `gate`, `value`, `logit 1`, `readout`.
    pub fn label(&self) -> String {
        match *self {
            Via::Position => "position".to_string(),
            Via::Table { value } => format!("value {value}"),
            Via::Linear => "v".to_string(),
            Via::Quadratic => "v²".to_string(),
            Via::HeadOutput { component } => format!("o[{component}]"),
            Via::NeuronOutput => "out".to_string(),
            Via::Query { row } => format!("q[{row}]"),
            Via::Key { row } => format!("k[{row}]"),
            Via::Value { row } => format!("v[{row}]"),
            Via::Gate => "gate".to_string(),
            Via::NeuronValue => "value".to_string(),
            Via::Logit { value } => format!("logit {value}"),
            Via::Readout => "readout".to_string(),
        }
    }

    /// Whether this weight writes the dimension (else it reads it).
    pub fn writes(&self) -> bool {
        matches!(
            self,
            Via::Position
                | Via::Table { .. }
                | Via::Linear
                | Via::Quadratic
                | Via::HeadOutput { .. }
                | Via::NeuronOutput
        )
    }
}

/// One non-zero weight between a dimension and a component.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Entry {
    pub via: Via,
    pub weight: f64,
}

/// A component and every weight by which it writes (or reads) one dimension,
/// in matrix order.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub component: Component,
    pub entries: Vec<Entry>,
}

impl Link {
    /// The weight of largest magnitude (NaN counts as largest).
    pub fn strongest(&self) -> f64 {
        self.entries
            .iter()
            .map(|e| e.weight)
            .fold(0.0, |best: f64, w| {
                if w.is_nan() || best.is_nan() {
                    f64::NAN
                } else if w.abs() > best.abs() {
                    w
                } else {
                    best
                }
            })
    }
}

/// The wiring of one set of weights, computed once by [`Wiring::new`].
#[derive(Debug, Clone, PartialEq)]
pub struct Wiring {
    writers: Vec<Vec<Link>>,
    readers: Vec<Vec<Link>>,
    empty_outputs: Vec<Component>,
    unwritten: Vec<usize>,
    unread: Vec<usize>,
}

/// Adds `entry` to `component`'s link in `lists[dim]`, starting a new link
/// unless the last one is already the component's.
fn add(lists: &mut [Vec<Link>], dim: usize, component: Component, via: Via, weight: f64) {
    let links = &mut lists[dim];
    let entry = Entry { via, weight };
    match links.last_mut() {
        Some(link) if link.component == component => link.entries.push(entry),
        _ => links.push(Link {
            component,
            entries: vec![entry],
        }),
    }
}

/// Calls `f(index, weight)` for each of `entries` (a matrix row's stored
/// entries, or [`nonzero`] of a vector).
fn for_nonzero(entries: impl IntoIterator<Item = (usize, f64)>, mut f: impl FnMut(usize, f64)) {
    for (i, w) in entries {
        f(i, w);
    }
}

/// The non-zero entries (NaN included) of a vector.
fn nonzero(v: &Array1<f64>) -> impl Iterator<Item = (usize, f64)> + '_ {
    v.iter()
        .enumerate()
        .filter(|(_, w)| **w != 0.0)
        .map(|(i, &w)| (i, w))
}

/// Records every non-zero `matrix[row, d]` as a read of d by `component`.
fn add_reads(
    readers: &mut [Vec<Link>],
    matrix: &Matrix,
    component: Component,
    via: impl Fn(usize) -> Via,
) {
    for (r, row) in matrix.rows().enumerate() {
        for_nonzero(row.iter(), |d, w| add(readers, d, component, via(r), w));
    }
}

impl Wiring {
    /// Scans every matrix once.
    pub fn new(w: &Weights) -> Wiring {
        let d_model = w.d_model();
        let mut writers: Vec<Vec<Link>> = vec![Vec::new(); d_model];
        let mut readers: Vec<Vec<Link>> = vec![Vec::new(); d_model];
        let mut empty_outputs = Vec::new();

        if w.position_dim < d_model {
            add(
                &mut writers,
                w.position_dim,
                Component::Position,
                Via::Position,
                1.0,
            );
        }
        embeddings(w, &mut writers);
        for l in 0..w.layers.len() {
            heads(w, l, &mut writers, &mut readers, &mut empty_outputs);
            neurons(w, l, &mut writers, &mut readers, &mut empty_outputs);
        }
        unembeddings(w, &mut readers);
        let unwritten = (0..d_model).filter(|&d| writers[d].is_empty()).collect();
        let unread = (0..d_model).filter(|&d| readers[d].is_empty()).collect();
        Wiring {
            writers,
            readers,
            empty_outputs,
            unwritten,
            unread,
        }
    }

    /// Residual dimensions.
    pub fn d_model(&self) -> usize {
        self.writers.len()
    }

    /// What writes dimension `dim`, in the order of the forward pass (position,
    /// embeddings, then layer by layer heads and neurons); empty for a
    /// dimension that does not exist.
    pub fn writers(&self, dim: usize) -> &[Link] {
        self.writers.get(dim).map_or(&[], Vec::as_slice)
    }

    /// What reads dimension `dim`, in the order of the forward pass (layer by
    /// layer heads and neurons, then the unembeddings).
    pub fn readers(&self, dim: usize) -> &[Link] {
        self.readers.get(dim).map_or(&[], Vec::as_slice)
    }

    /// Heads whose `w_o` is all zero and neurons whose `w_out` column is all
    /// zero, in the order of the forward pass: they can never write anything.
    pub fn empty_outputs(&self) -> &[Component] {
        &self.empty_outputs
    }

    pub fn is_empty_output(&self, component: Component) -> bool {
        self.empty_outputs.contains(&component)
    }

    /// Dimensions nothing writes (always zero).
    pub fn unwritten_dims(&self) -> &[usize] {
        &self.unwritten
    }

    /// Dimensions nothing reads.
    pub fn unread_dims(&self) -> &[usize] {
        &self.unread
    }
}

/// What the input fields' embeddings write.
fn embeddings(w: &Weights, writers: &mut [Vec<Link>]) {
    for (field, input) in w.inputs.iter().enumerate() {
        let component = Component::Embedding { field };
        match &input.kind {
            InputKind::Table { min, table } => {
                for (r, row) in table.rows().enumerate() {
                    let via = Via::Table {
                        value: min + r as i64,
                    };
                    for_nonzero(row.iter(), |d, t| add(writers, d, component, via, t));
                }
            }
            InputKind::Numeric {
                linear, quadratic, ..
            } => {
                // Linear and quadratic terms of one dimension together.
                for (d, (&l, &q)) in linear.iter().zip(quadratic).enumerate() {
                    if l != 0.0 {
                        add(writers, d, component, Via::Linear, l);
                    }
                    if q != 0.0 {
                        add(writers, d, component, Via::Quadratic, q);
                    }
                }
            }
        }
    }
}

/// What layer `l`'s heads read and write; heads that write nothing go to
/// `empty_outputs`.
fn heads(
    w: &Weights,
    l: usize,
    writers: &mut [Vec<Link>],
    readers: &mut [Vec<Link>],
    empty_outputs: &mut Vec<Component>,
) {
    let layer = &w.layers[l];
    for (h, head) in layer.heads.iter().enumerate() {
        let component = Component::Head { layer: l, head: h };
        add_reads(readers, &head.w_q, component, |row| Via::Query { row });
        add_reads(readers, &head.w_k, component, |row| Via::Key { row });
        add_reads(readers, &head.w_v, component, |row| Via::Value { row });
        let mut writes = false;
        for (d, row) in head.w_o.rows().enumerate() {
            for_nonzero(row.iter(), |c, o| {
                writes = true;
                add(writers, d, component, Via::HeadOutput { component: c }, o);
            });
        }
        if !writes {
            empty_outputs.push(component);
        }
    }
}

/// What layer `l`'s neurons read and write; neurons that write nothing go to
/// `empty_outputs`.
fn neurons(
    w: &Weights,
    l: usize,
    writers: &mut [Vec<Link>],
    readers: &mut [Vec<Link>],
    empty_outputs: &mut Vec<Component>,
) {
    let layer = &w.layers[l];
    let neurons = layer.w_gate.nrows();
    for n in 0..neurons {
        let component = Component::Neuron {
            layer: l,
            neuron: n,
        };
        for_nonzero(layer.w_gate.row(n).iter(), |d, g| {
            add(readers, d, component, Via::Gate, g);
        });
        if n < layer.w_val.nrows() {
            for_nonzero(layer.w_val.row(n).iter(), |d, v| {
                add(readers, d, component, Via::NeuronValue, v);
            });
        }
    }
    let mut writes = vec![false; layer.w_out.ncols()];
    for (d, row) in layer.w_out.rows().enumerate() {
        for_nonzero(row.iter(), |n, o| {
            writes[n] = true;
            let component = Component::Neuron {
                layer: l,
                neuron: n,
            };
            add(writers, d, component, Via::NeuronOutput, o);
        });
    }
    empty_outputs.extend(
        (0..neurons.max(writes.len()))
            .filter(|&n| !writes.get(n).copied().unwrap_or(false))
            .map(|neuron| Component::Neuron { layer: l, neuron }),
    );
}

/// What the output fields' unembeddings read.
fn unembeddings(w: &Weights, readers: &mut [Vec<Link>]) {
    for (field, output) in w.outputs.iter().enumerate() {
        let component = Component::Unembedding { field };
        match &output.kind {
            OutputKind::Categorical { w: matrix, .. } => {
                for (r, row) in matrix.rows().enumerate() {
                    let value = r as i64;
                    for_nonzero(row.iter(), |d, x| {
                        add(readers, d, component, Via::Logit { value }, x);
                    });
                }
            }
            OutputKind::Quadratic { readout, .. } => {
                for_nonzero(nonzero(readout), |d, r| {
                    add(readers, d, component, Via::Readout, r);
                });
            }
        }
    }
}

/// What neuron `neuron` of layer `layer` adds to the residual in a pass where
/// its gate (after the ReLU, or before: a gate ≤ 0 adds nothing) is `gate` and
/// its value `value`, as the engine computes it: `w_out[d, neuron] · (gate ·
/// value)` for each dimension d, non-zero entries only, by increasing d. The
/// feed-forward block has no output bias, so the neurons' contributions, added
/// in neuron order to zero, are exactly what the block adds. Empty when the
/// layer or neuron does not exist.
pub fn neuron_contribution(
    w: &Weights,
    layer: usize,
    neuron: usize,
    gate: f64,
    value: f64,
) -> Vec<(usize, f64)> {
    let Some(layer) = w.layers.get(layer) else {
        return Vec::new();
    };
    if gate <= 0.0 || neuron >= layer.w_out.ncols() {
        return Vec::new();
    }
    let activation = gate * value;
    if activation == 0.0 {
        return Vec::new();
    }
    let mut out = Vec::new();
    for_nonzero(layer.w_out.column(neuron), |d, o| {
        let x = o * activation;
        if x != 0.0 {
            out.push((d, x));
        }
    });
    out
}

/// What head `head` of layer `layer` adds to the residual in a pass where it
/// read `value` (the captured value): `Σ_c w_o[d, c] · value[c]` for each
/// dimension d, summed over c in order as the engine does, non-zero entries
/// only, by increasing d. The heads' contributions added together equal what
/// the attention block adds, up to the rounding of the order of the sum (the
/// engine adds every head's terms into one vector). Empty when the layer or
/// head does not exist; value components beyond `value` count as zero.
pub fn head_contribution(
    w: &Weights,
    layer: usize,
    head: usize,
    value: &[f64],
) -> Vec<(usize, f64)> {
    let Some(head) = w.layers.get(layer).and_then(|l| l.heads.get(head)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (d, row) in head.w_o.rows().enumerate() {
        let mut sum = 0.0;
        let mut any = false;
        for_nonzero(row.iter(), |c, o| {
            if let Some(&v) = value.get(c) {
                sum += o * v;
                any = true;
            }
        });
        if any && sum != 0.0 {
            out.push((d, sum));
        }
    }
    out
}
