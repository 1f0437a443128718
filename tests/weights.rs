//! The weights on disk: `compile` reproduces the committed files byte for byte,
//! they round-trip, and files that do not fit are refused saying what is wrong.

use std::collections::HashMap;

use safetensors::tensor::{SafeTensors, TensorView};
use wasmtf::weights::io::{Architecture, from_safetensors, to_safetensors};
use wasmtf::weights::{DEFAULT_WEIGHTS, architecture, compile, load_default};

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
        wasmtf::weights::architecture(),
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
    tensors.retain(|(name, ..)| name != "layers.1.attn.stack.top.w_v");
    let error = from_safetensors(&rebuild(&tensors, metadata.clone()), architecture()).unwrap_err();
    assert_eq!(
        error,
        "the weights do not fit the interpreter: tensor layers.1.attn.stack.top.w_v is missing"
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
