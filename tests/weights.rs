//! The weights on disk: `compile` reproduces the committed files byte for byte,
//! they round-trip, and files that do not fit are refused saying what is wrong.

use std::collections::HashMap;

use safetensors::tensor::{SafeTensors, TensorView};
use wasmtf::compiled::{DEFAULT_WEIGHTS, architecture, compile, load_default};
use wasmtf::weights::io::{Architecture, from_safetensors, to_safetensors};

#[test]
fn compile_reproduces_the_committed_weights_byte_for_byte() {
    let compiled = compile();
    assert!(
        to_safetensors(&compiled) == DEFAULT_WEIGHTS,
        "weights/wasmtf.safetensors is stale: run `cargo run --release -- compile` and commit it"
    );
    let sidecar =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/weights/wasmtf.json"))
            .unwrap();
    assert_eq!(
        Architecture::of(&compiled).to_json(),
        sidecar,
        "weights/wasmtf.json is stale"
    );
    // What every start reads instead of compiling.
    assert_eq!(
        wasmtf::compiled::architecture(),
        &Architecture::of(&compiled)
    );
}

#[test]
fn the_embedded_weights_load_into_exactly_the_compiled_model() {
    assert_eq!(load_default().unwrap(), compile());
}

/// A tensor as stored: name, dtype, shape, bytes.
type Stored = (String, safetensors::Dtype, Vec<usize>, Vec<u8>);

/// The committed file's tensors and metadata, to rebuild altered copies.
fn parts() -> (Vec<Stored>, HashMap<String, String>) {
    let st = SafeTensors::deserialize(DEFAULT_WEIGHTS).unwrap();
    let (_, metadata) = SafeTensors::read_metadata(DEFAULT_WEIGHTS).unwrap();
    let tensors = st
        .tensors()
        .into_iter()
        .map(|(name, view)| {
            (
                name,
                view.dtype(),
                view.shape().to_vec(),
                view.data().to_vec(),
            )
        })
        .collect();
    (tensors, metadata.metadata().clone().unwrap())
}

fn rebuild(tensors: &[Stored], metadata: HashMap<String, String>) -> Vec<u8> {
    let views: Vec<(String, TensorView<'_>)> = tensors
        .iter()
        .map(|(n, d, s, b)| (n.clone(), TensorView::new(*d, s.clone(), b).unwrap()))
        .collect();
    safetensors::serialize(views, Some(metadata)).unwrap()
}

#[test]
fn a_missing_or_misshapen_tensor_is_named() {
    let (mut tensors, metadata) = parts();
    tensors.retain(|(name, ..)| !name.starts_with("layers.1.attn.stack.top.w_v."));
    let error = from_safetensors(&rebuild(&tensors, metadata.clone()), architecture()).unwrap_err();
    assert_eq!(
        error,
        "the weights do not fit the interpreter: tensor layers.1.attn.stack.top.w_v is missing \
         (neither layers.1.attn.stack.top.w_v nor layers.1.attn.stack.top.w_v.values is stored)"
    );
    // One part of a sparse matrix missing.
    let (mut tensors, _) = parts();
    tensors.retain(|(name, ..)| name != "layers.1.attn.stack.top.w_v.indptr");
    let error = from_safetensors(&rebuild(&tensors, metadata.clone()), architecture()).unwrap_err();
    assert_eq!(
        error,
        "tensor layers.1.attn.stack.top.w_v.indptr is missing"
    );

    let (mut tensors, _) = parts();
    let (_, dtype, shape, bytes) = tensors
        .iter_mut()
        .find(|(n, ..)| n == "layers.2.mlp.b_gate")
        .unwrap();
    let width = if *dtype == safetensors::Dtype::F32 {
        4
    } else {
        8
    };
    shape[0] -= 1;
    bytes.truncate(bytes.len() - width);
    let error = from_safetensors(&rebuild(&tensors, metadata), architecture()).unwrap_err();
    assert!(
        error.ends_with("tensor layers.2.mlp.b_gate has shape [2284], expected [2285]"),
        "{error}"
    );
}

#[test]
fn a_different_architecture_is_refused_with_what_differs() {
    let (tensors, mut metadata) = parts();
    let key = "wasmtf.architecture".to_string();
    let altered = metadata[&key].replace("\"stack.second\"", "\"stack.third\"");
    metadata.insert(key.clone(), altered);
    let error = from_safetensors(&rebuild(&tensors, metadata.clone()), architecture()).unwrap_err();
    assert!(error.contains("layer 1 head \"stack.second\""), "{error}");

    // The metadata alone claims another d_model; the tensors are the built-in ones.
    let mut altered: serde_json::Value = serde_json::from_str(&parts().1[&key]).unwrap();
    altered["d_model"] = 5.into();
    metadata.insert(key.clone(), altered.to_string());
    let error = from_safetensors(&rebuild(&tensors, metadata.clone()), architecture()).unwrap_err();
    assert_eq!(
        error,
        "the weights do not fit the interpreter: d_model is 5, expected 637"
    );

    metadata.remove(&key);
    let error = from_safetensors(&rebuild(&tensors, metadata), architecture()).unwrap_err();
    assert!(error.contains("not wasmtf weights"), "{error}");
    assert!(
        from_safetensors(&DEFAULT_WEIGHTS[..1000], architecture())
            .unwrap_err()
            .contains("not a safetensors file")
    );
}

/// A stored tensor's bytes as little-endian integers of `width` bytes.
fn integers(stored: &Stored) -> Vec<i64> {
    let width = match stored.1 {
        safetensors::Dtype::I32 => 4,
        safetensors::Dtype::I64 => 8,
        other => panic!("{} is {other:?}", stored.0),
    };
    stored
        .3
        .chunks_exact(width)
        .map(|c| {
            let mut bytes = [if c[width - 1] & 0x80 != 0 { 0xff } else { 0 }; 8];
            bytes[..width].copy_from_slice(c);
            i64::from_le_bytes(bytes)
        })
        .collect()
}

fn find<'a>(tensors: &'a [Stored], name: &str) -> &'a Stored {
    tensors.iter().find(|t| t.0 == name).unwrap()
}

/// The layout scipy's `csr_matrix((values, indices, indptr), shape)` reads,
/// on a matrix known by hand: the `kind` embedding sets `is_bos` (dimension 1)
/// for BOS, `is_instr` (2) for an instruction, `is_trace` (3) for a trace
/// token, and nothing for a file entry.
#[test]
fn a_matrix_is_stored_as_compressed_sparse_rows() {
    let (tensors, _) = parts();
    let part = |suffix: &str| find(&tensors, &format!("embed.kind.table.{suffix}"));
    assert_eq!(integers(part("indptr")), [0, 1, 2, 3, 3]);
    assert_eq!(integers(part("indices")), [1, 2, 3]);
    assert_eq!(integers(part("shape")), [4, 637]);
    let values = part("values");
    assert_eq!(values.1, safetensors::Dtype::F32);
    assert_eq!(values.3, [1.0f32; 3].map(f32::to_le_bytes).concat());
    assert!(tensors.iter().all(|t| t.0 != "embed.kind.table"));
    // The file is the 47,808 non-zero entries, not the 8.7M parameters.
    assert!(
        DEFAULT_WEIGHTS.len() < 1 << 20,
        "{} bytes",
        DEFAULT_WEIGHTS.len()
    );
}

/// Weights edited as arrays may store a matrix dense under its own name.
#[test]
fn a_matrix_stored_dense_loads_as_the_same_matrix() {
    let (mut tensors, metadata) = parts();
    let path = "layers.2.mlp.w_val";
    tensors.retain(|t| !t.0.starts_with(&format!("{path}.")));
    let dense = compile().layers[2].w_val.to_dense();
    let bytes: Vec<u8> = dense.iter().flat_map(|v| v.to_le_bytes()).collect();
    let shape = dense.shape().to_vec();
    tensors.push((path.into(), safetensors::Dtype::F64, shape, bytes));
    let loaded = from_safetensors(&rebuild(&tensors, metadata.clone()), architecture()).unwrap();
    assert_eq!(loaded, compile());

    // Both forms at once is one too many.
    let (sparse, _) = parts();
    tensors.push(find(&sparse, &format!("{path}.values")).clone());
    let error = from_safetensors(&rebuild(&tensors, metadata), architecture()).unwrap_err();
    assert!(
        error.ends_with("tensor layers.2.mlp.w_val is stored both dense and sparse"),
        "{error}"
    );
}

#[test]
fn damaged_compressed_rows_are_refused_naming_the_matrix() {
    let damaged = |edit: &dyn Fn(&mut Vec<i64>), part: &str| {
        let (mut tensors, metadata) = parts();
        let name = format!("layers.1.mlp.w_gate.{part}");
        let stored = tensors.iter_mut().find(|t| t.0 == name).unwrap();
        let mut values = integers(stored);
        edit(&mut values);
        stored.3 = values
            .iter()
            .flat_map(|&v| (v as i32).to_le_bytes())
            .collect();
        from_safetensors(&rebuild(&tensors, metadata), architecture()).unwrap_err()
    };
    let error = damaged(&|v| v[0] = 637, "indices");
    assert!(
        error.starts_with("tensor layers.1.mlp.w_gate: row 0 has column 637"),
        "{error}"
    );
    let error = damaged(&|v| v[0] = -1, "indices");
    assert_eq!(
        error,
        "tensor layers.1.mlp.w_gate.indices holds -1, below zero"
    );
    let error = damaged(&|v| v.swap(1, 2), "indptr");
    assert!(
        error.contains("tensor layers.1.mlp.w_gate: indptr decreases at row 1"),
        "{error}"
    );
}

#[test]
fn edited_values_load_as_edited() {
    let (mut tensors, metadata) = parts();
    let (_, dtype, _, bytes) = tensors
        .iter_mut()
        .find(|(n, ..)| n == "layers.1.mlp.b_gate")
        .unwrap();
    assert_eq!(*dtype, safetensors::Dtype::F64);
    bytes[..8].copy_from_slice(&12.5f64.to_le_bytes());
    let edited = from_safetensors(&rebuild(&tensors, metadata), architecture()).unwrap();
    assert_eq!(edited.layers[1].b_gate[0], 12.5);
    assert_ne!(edited, compile());
}
