//! The interpreter compiled: [`compile`] builds the circuit of
//! `crate::interpreter` and assembles it into [`Weights`]; the weights and
//! sidecar `wasmtf compile` wrote are embedded as the binary's default, and
//! [`architecture`] — what every weights file must fit — is read from that
//! sidecar at start rather than by compiling the model.
//!
//! This joins the layers: `weights` stores, `circuit` assembles, `interpreter`
//! describes; only this module knows all three.

use crate::weights::Weights;
use crate::weights::io::{self, Architecture};

/// The committed weights, embedded in the binary as its default.
pub const DEFAULT_WEIGHTS: &[u8] = include_bytes!("../weights/wasmtf.safetensors");

/// Where `wasmtf compile` writes, relative to the working directory.
pub const WEIGHTS_FILE: &str = "weights/wasmtf.safetensors";
pub const SIDECAR_FILE: &str = "weights/wasmtf.json";

/// The committed sidecar, embedded beside the weights: tests/weights.rs
/// checks that it is exactly what [`compile`] describes.
pub const DEFAULT_SIDECAR: &str = include_str!("../weights/wasmtf.json");

/// The interpreter compiled afresh.
pub fn compile() -> Weights {
    crate::circuit::assemble(&crate::interpreter::build())
}

/// The architecture every weights file must have (that of [`compile`]), read
/// from the embedded sidecar rather than by compiling the 8.7M-parameter
/// model at every start.
pub fn architecture() -> &'static Architecture {
    static ARCHITECTURE: std::sync::OnceLock<Architecture> = std::sync::OnceLock::new();
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
