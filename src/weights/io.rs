//! Weights on disk: a plain safetensors file whose metadata carries the
//! [`Architecture`]. Vectors are stored as they are; every matrix `P` is
//! stored as its compressed sparse rows — `P.indptr` and `P.indices` (i32),
//! `P.values` and `P.shape` (i64, `[rows, cols]`) — which is what
//! `scipy.sparse.csr_matrix((values, indices, indptr), shape)` takes and what
//! the engine's rows are made of. A compiled model is 99.5% zeros: stored
//! dense, the file was 35 MB; sparse, it is under 1 MB. Loading also accepts
//! a matrix stored dense under `P` itself, for weights edited as arrays.
//! Values are f32 where every value of a tensor is exactly an f32, else f64.
//!
//! Every tensor's path and shape come from [`super::tensors`], the one list
//! saving and loading share.

use std::collections::{BTreeSet, HashMap};

use safetensors::tensor::{Dtype, SafeTensors, TensorView};

use super::Weights;
pub use super::architecture::{Architecture, FieldInfo, HeadInfo, LayerInfo};
use super::matrix::Matrix;
use super::tensors::{Shape, TensorMut, TensorRef, TensorSpec, tensors};

/// The metadata key holding the architecture.
const METADATA_KEY: &str = "wasmtf.architecture";

/// The parts a matrix `P` is stored as, by suffix.
const CSR_PARTS: [&str; 4] = ["indptr", "indices", "values", "shape"];

/// A tensor to write.
struct Stored {
    name: String,
    dtype: Dtype,
    shape: Vec<usize>,
    bytes: Vec<u8>,
}

/// Little-endian bytes: f32 when every value is exactly an f32, else f64.
fn floats(name: String, shape: Vec<usize>, values: &[f64]) -> Stored {
    let (dtype, bytes) = if values.iter().all(|&v| f64::from(v as f32) == v) {
        let bytes = values.iter().flat_map(|&v| (v as f32).to_le_bytes());
        (Dtype::F32, bytes.collect())
    } else {
        (
            Dtype::F64,
            values.iter().flat_map(|v| v.to_le_bytes()).collect(),
        )
    };
    Stored {
        name,
        dtype,
        shape,
        bytes,
    }
}

fn ints(name: String, dtype: Dtype, values: impl ExactSizeIterator<Item = usize>) -> Stored {
    let shape = vec![values.len()];
    let bytes = match dtype {
        Dtype::I32 => values.flat_map(|v| (v as i32).to_le_bytes()).collect(),
        _ => values.flat_map(|v| (v as i64).to_le_bytes()).collect(),
    };
    Stored {
        name,
        dtype,
        shape,
        bytes,
    }
}

/// The stored tensors of one spec.
fn store(spec: &TensorSpec, tensor: TensorRef<'_>, out: &mut Vec<Stored>) {
    let path = &spec.path;
    match tensor {
        TensorRef::Matrix(m) => {
            let (indptr, indices, values) = m.csr();
            out.push(ints(
                format!("{path}.indptr"),
                Dtype::I32,
                indptr.iter().copied(),
            ));
            let indices = indices.iter().map(|&c| c as usize);
            out.push(ints(format!("{path}.indices"), Dtype::I32, indices));
            out.push(floats(format!("{path}.values"), vec![values.len()], values));
            let shape = [m.nrows(), m.ncols()].into_iter();
            out.push(ints(format!("{path}.shape"), Dtype::I64, shape));
        }
        TensorRef::Vector(v) => out.push(floats(path.clone(), vec![v.len()], &v.to_vec())),
        TensorRef::Scalar(s) => out.push(floats(path.clone(), vec![1], &[s])),
    }
}

/// The safetensors bytes of the weights.
pub fn to_safetensors(w: &Weights) -> Vec<u8> {
    let arch = Architecture::of(w);
    let mut stored = Vec::new();
    for spec in tensors(&arch) {
        store(&spec, w.tensor(spec.slot), &mut stored);
    }
    let views: Vec<(String, TensorView<'_>)> = stored
        .iter()
        .map(|t| {
            let view = TensorView::new(t.dtype, t.shape.clone(), &t.bytes);
            (t.name.clone(), view.expect("shape matches the data"))
        })
        .collect();
    let metadata = HashMap::from([(
        METADATA_KEY.to_string(),
        serde_json::to_string(&arch).expect("serializes"),
    )]);
    safetensors::serialize(views, Some(metadata)).expect("the weights serialize")
}

/// The tensor `name`, or why not.
fn view<'a>(st: &'a SafeTensors<'_>, name: &str) -> Result<TensorView<'a>, String> {
    st.tensor(name)
        .map_err(|_| format!("tensor {name} is missing"))
}

fn check_shape(name: &str, view: &TensorView<'_>, shape: &[usize]) -> Result<(), String> {
    if view.shape() != shape {
        return Err(format!(
            "tensor {name} has shape {:?}, expected {shape:?}",
            view.shape()
        ));
    }
    Ok(())
}

/// A float tensor's values, refused if any is not finite.
fn read_floats(name: &str, view: &TensorView<'_>) -> Result<Vec<f64>, String> {
    let data = view.data();
    let values: Vec<f64> = match view.dtype() {
        Dtype::F32 => data
            .chunks_exact(4)
            .map(|c| f64::from(f32::from_le_bytes([c[0], c[1], c[2], c[3]])))
            .collect(),
        Dtype::F64 => data
            .chunks_exact(8)
            .map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes")))
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

/// A one-dimensional integer tensor's values, refused if any is negative.
fn read_indices(st: &SafeTensors<'_>, name: &str) -> Result<Vec<u64>, String> {
    let view = view(st, name)?;
    if view.shape().len() != 1 {
        return Err(format!(
            "tensor {name} has shape {:?}, expected one dimension",
            view.shape()
        ));
    }
    let data = view.data();
    let values: Vec<i64> = match view.dtype() {
        Dtype::I32 => data
            .chunks_exact(4)
            .map(|c| i64::from(i32::from_le_bytes(c.try_into().expect("4 bytes"))))
            .collect(),
        Dtype::I64 => data
            .chunks_exact(8)
            .map(|c| i64::from_le_bytes(c.try_into().expect("8 bytes")))
            .collect(),
        other => {
            return Err(format!(
                "tensor {name} has dtype {other:?}; I32 or I64 expected"
            ));
        }
    };
    values
        .into_iter()
        .map(|v| u64::try_from(v).map_err(|_| format!("tensor {name} holds {v}, below zero")))
        .collect()
}

/// Says what is wrong if `spec`'s tensor is missing or of another shape:
/// a matrix stored dense, or sparse with a `.shape` of its own.
fn check_stored(st: &SafeTensors<'_>, spec: &TensorSpec) -> Result<(), String> {
    let path = &spec.path;
    let expected = spec.shape.dims();
    if let (Shape::Matrix { .. }, Err(_)) = (spec.shape, st.tensor(path)) {
        if st.tensor(&format!("{path}.values")).is_err() {
            return Err(format!(
                "tensor {path} is missing (neither {path} nor {path}.values is stored)"
            ));
        }
        let shape = read_indices(st, &format!("{path}.shape"))?;
        if !shape
            .iter()
            .map(|&n| n as usize)
            .eq(expected.iter().copied())
        {
            return Err(format!(
                "tensor {path} has shape {shape:?}, expected {expected:?}"
            ));
        }
        return Ok(());
    }
    check_shape(path, &view(st, path)?, &expected)
}

/// Matrix `path` of `rows × cols`, stored sparse or dense (its shape checked).
fn read_matrix(
    st: &SafeTensors<'_>,
    path: &str,
    rows: usize,
    cols: usize,
) -> Result<Matrix, String> {
    if let Ok(dense) = st.tensor(path) {
        let values = read_floats(path, &dense)?;
        let array = ndarray::Array2::from_shape_vec((rows, cols), values)
            .map_err(|e| format!("tensor {path}: {e}"))?;
        return Ok(Matrix::from_dense(&array));
    }
    let part = |suffix: &str| format!("{path}.{suffix}");
    let values = read_floats(&part("values"), &view(st, &part("values"))?)?;
    let indptr = read_indices(st, &part("indptr"))?;
    let indices = read_indices(st, &part("indices"))?;
    Matrix::from_csr(rows, cols, &indptr, &indices, &values)
        .map_err(|e| format!("tensor {path}: {e}"))
}

fn read_vector(st: &SafeTensors<'_>, path: &str) -> Result<Vec<f64>, String> {
    read_floats(path, &view(st, path)?)
}

/// Says which stored tensor is not part of the interpreter, or which matrix is
/// stored both dense and sparse.
fn check_no_extra(st: &SafeTensors<'_>, specs: &[TensorSpec]) -> Result<(), String> {
    let mut wanted = BTreeSet::new();
    for spec in specs {
        wanted.insert(spec.path.clone());
        if let Shape::Matrix { .. } = spec.shape {
            if st.tensor(&spec.path).is_ok() && st.tensor(&format!("{}.values", spec.path)).is_ok()
            {
                return Err(format!(
                    "tensor {} is stored both dense and sparse",
                    spec.path
                ));
            }
            wanted.extend(CSR_PARTS.map(|part| format!("{}.{part}", spec.path)));
        }
    }
    let mut names = st.names();
    names.sort_unstable();
    match names.iter().find(|n| !wanted.contains(**n)) {
        Some(extra) => Err(format!("tensor {extra} is not part of the interpreter")),
        None => Ok(()),
    }
}

/// Reads weights written by [`to_safetensors`] (possibly edited), checking that
/// they have the architecture `expected`: every tensor's name and shape first,
/// then the architecture in the metadata, before any value is read.
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
    let specs = tensors(expected);
    for spec in &specs {
        check_stored(&st, spec).map_err(misfit)?;
    }
    check_no_extra(&st, &specs).map_err(misfit)?;
    expected.check_fits(&arch).map_err(misfit)?;
    let mut weights = Weights::zeros(expected);
    for spec in &specs {
        match (spec.shape, weights.tensor_mut(spec.slot)) {
            (Shape::Matrix { rows, cols }, TensorMut::Matrix(m)) => {
                *m = read_matrix(&st, &spec.path, rows, cols)?;
            }
            (Shape::Vector { .. }, TensorMut::Vector(v)) => {
                *v = read_vector(&st, &spec.path)?.into();
            }
            (Shape::Vector { .. }, TensorMut::Scalar(s)) => {
                *s = read_vector(&st, &spec.path)?[0];
            }
            _ => unreachable!("the specs and the weights come from one architecture"),
        }
    }
    Ok(weights)
}
