//! The one step from named parts to matrices: each affine form becomes a row
//! (coefficients) and a bias, each head a set of projection matrices, each layer's
//! neurons the gate, value and output matrices of a gated feed-forward block.

use ndarray::Array1;

use super::{Circuit, FieldEmbedding, FieldUnembedding, Head, InputField, Layer, Lin, OutputField};
use crate::weights::{
    HeadWeights, InputFieldWeights, InputKind, LayerWeights, Matrix, OutputFieldWeights,
    OutputKind, Weights,
};

/// Rows and biases of a list of affine forms: `[forms × d]`, `[forms]`.
fn rows(forms: &[Lin], d: usize) -> (Matrix, Array1<f64>) {
    let entries = forms
        .iter()
        .enumerate()
        .flat_map(|(i, form)| form.terms.iter().map(move |&(dim, w)| (i, dim.0, w)));
    let matrix = Matrix::from_triplets(forms.len(), d, entries);
    let bias = forms.iter().map(|form| form.bias).collect();
    (matrix, bias)
}

fn vector(terms: &[(super::Dim, f64)], d: usize) -> Array1<f64> {
    let mut v = Array1::zeros(d);
    for &(dim, w) in terms {
        v[dim.0] += w;
    }
    v
}

/// Turns a circuit into the matrices the engine runs.
pub fn assemble(circuit: &Circuit) -> Weights {
    let d = circuit.layout.len();
    Weights {
        dims: circuit.layout.names().to_vec(),
        position_dim: circuit.position.0,
        inputs: circuit.inputs.iter().map(|f| input_field(f, d)).collect(),
        layers: circuit.layers.iter().map(|l| layer(l, d)).collect(),
        outputs: circuit.outputs.iter().map(|f| output_field(f, d)).collect(),
    }
}

fn input_field(field: &InputField, d: usize) -> InputFieldWeights {
    let kind = match &field.embedding {
        FieldEmbedding::Table { min, rows } => {
            let entries = rows
                .iter()
                .enumerate()
                .flat_map(|(r, row)| row.iter().map(move |&(dim, w)| (r, dim.0, w)));
            let table = Matrix::from_triplets(rows.len(), d, entries);
            InputKind::Table { min: *min, table }
        }
        FieldEmbedding::Numeric {
            min,
            max,
            linear,
            quadratic,
        } => InputKind::Numeric {
            min: *min,
            max: *max,
            linear: vector(linear, d),
            quadratic: vector(quadratic, d),
        },
    };
    InputFieldWeights {
        name: field.name.clone(),
        kind,
    }
}

fn head(head: &Head, d: usize) -> HeadWeights {
    assert_eq!(
        head.value.len(),
        head.output.len(),
        "head {}: values and outputs",
        head.name
    );
    assert_eq!(
        head.query.len(),
        head.key.len(),
        "head {}: query and key sizes",
        head.name
    );
    let (w_q, b_q) = rows(&head.query, d);
    let (w_k, b_k) = rows(&head.key, d);
    let (w_v, b_v) = rows(&head.value, d);
    let outputs = head.output.iter().enumerate();
    let w_o = Matrix::from_triplets(
        d,
        head.output.len(),
        outputs.map(|(i, dim)| (dim.0, i, 1.0)),
    );
    HeadWeights {
        name: head.name.clone(),
        doc: head.doc.clone(),
        kind: head.kind,
        w_q,
        b_q,
        w_k,
        b_k,
        w_v,
        b_v,
        w_o,
    }
}

fn layer(layer: &Layer, d: usize) -> LayerWeights {
    let gates: Vec<Lin> = layer.neurons.iter().map(|n| n.gate.clone()).collect();
    let values: Vec<Lin> = layer.neurons.iter().map(|n| n.value.clone()).collect();
    let (w_gate, b_gate) = rows(&gates, d);
    let (w_val, b_val) = rows(&values, d);
    let outputs = layer
        .neurons
        .iter()
        .enumerate()
        .flat_map(|(i, neuron)| neuron.output.iter().map(move |&(dim, w)| (dim.0, i, w)));
    let w_out = Matrix::from_triplets(d, layer.neurons.len(), outputs);
    LayerWeights {
        doc: layer.doc.clone(),
        heads: layer.heads.iter().map(|h| head(h, d)).collect(),
        neuron_names: layer.neurons.iter().map(|n| n.name.clone()).collect(),
        w_gate,
        b_gate,
        w_val,
        b_val,
        w_out,
    }
}

fn output_field(field: &OutputField, d: usize) -> OutputFieldWeights {
    let kind = match &field.unembedding {
        FieldUnembedding::Categorical { logits } => {
            let (w, b) = rows(logits, d);
            OutputKind::Categorical { w, b }
        }
        FieldUnembedding::Quadratic { min, max, readout } => OutputKind::Quadratic {
            min: *min,
            max: *max,
            readout: vector(&readout.terms, d),
            bias: readout.bias,
        },
    };
    OutputFieldWeights {
        name: field.name.clone(),
        kind,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::circuit::{HeadKind, Layout, Neuron};

    /// A two-dimensional circuit assembled by hand: every matrix entry is known.
    #[test]
    fn assembly_puts_each_named_coefficient_in_its_row_and_column() {
        let mut layout = Layout::new();
        let pos = layout.add("pos");
        let a = layout.add("a");
        let b = layout.add("b");
        let circuit = Circuit {
            layout,
            position: pos,
            inputs: vec![InputField {
                name: "bit".into(),
                embedding: FieldEmbedding::Table {
                    min: 0,
                    rows: vec![vec![], vec![(a, 1.0)]],
                },
            }],
            layers: vec![Layer {
                doc: "test".into(),
                heads: vec![Head {
                    name: "h".into(),
                    doc: String::new(),
                    kind: HeadKind::Sum,
                    query: vec![],
                    key: vec![],
                    value: vec![Lin::dim(a) * 2.0 + 1.0],
                    output: vec![b],
                }],
                neurons: vec![Neuron {
                    name: "n".into(),
                    gate: Lin::dim(a) - 0.5,
                    value: Lin::dim(b) * 3.0,
                    output: vec![(a, -1.0), (b, 4.0)],
                }],
            }],
            outputs: vec![OutputField {
                name: "out".into(),
                unembedding: FieldUnembedding::Quadratic {
                    min: 0,
                    max: 3,
                    readout: Lin::dim(b) + 0.25,
                },
            }],
        };
        let w = assemble(&circuit);
        assert_eq!(w.dims, vec!["pos", "a", "b"]);
        let head = &w.layers[0].heads[0];
        assert_eq!(head.w_v.to_dense(), ndarray::arr2(&[[0.0, 2.0, 0.0]]));
        assert_eq!(head.b_v, ndarray::arr1(&[1.0]));
        assert_eq!(head.w_o.to_dense(), ndarray::arr2(&[[0.0], [0.0], [1.0]]));
        let layer = &w.layers[0];
        assert_eq!(layer.w_gate.to_dense(), ndarray::arr2(&[[0.0, 1.0, 0.0]]));
        assert_eq!(layer.b_gate, ndarray::arr1(&[-0.5]));
        assert_eq!(layer.w_val.to_dense(), ndarray::arr2(&[[0.0, 0.0, 3.0]]));
        assert_eq!(
            layer.w_out.to_dense(),
            ndarray::arr2(&[[0.0], [-1.0], [4.0]])
        );
        match &w.inputs[0].kind {
            InputKind::Table { table, .. } => {
                assert_eq!(
                    table.to_dense(),
                    ndarray::arr2(&[[0.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
                )
            }
            other => panic!("{other:?}"),
        }
        match &w.outputs[0].kind {
            OutputKind::Quadratic { readout, bias, .. } => {
                assert_eq!(readout, &ndarray::arr1(&[0.0, 0.0, 1.0]));
                assert_eq!(*bias, 0.25);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(w.parameter_counts().1, 11);
    }
}
