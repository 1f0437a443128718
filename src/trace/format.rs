//! The trace file's lines, as serde types: a header, one line per forward
//! pass, a footer. `docs/TRACE.md` documents every field; a change here is
//! a change of the format and of [`VERSION`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The `format` of every trace header.
pub const FORMAT: &str = "wasmtf-trace";

/// The version this build writes and reads.
pub const VERSION: u32 = 1;

/// The first line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    pub format: String,
    pub version: u32,
    pub program: ProgramInfo,
    /// Initial contents of the non-empty files, by number, in hex.
    pub files: BTreeMap<String, String>,
    /// `transformer` or `vm`.
    pub engine: String,
    /// The weights the transformer ran (none for the VM).
    pub weights: Option<WeightsInfo>,
    pub architecture: ArchitectureInfo,
    /// The step limit of the recording.
    pub max_steps: u64,
    /// The prompt: one token per entry, as `[input field, value]` pairs.
    pub prompt: Vec<Vec<(usize, i64)>>,
    /// The entries of the four file memories the cross-attention heads read
    /// at the start, as `[input field, value]` pairs.
    pub file_memory: Vec<Vec<Vec<(usize, i64)>>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgramInfo {
    /// The name it was recorded under (its file name).
    pub name: String,
    pub sha256: String,
    /// The module's bytes (a `.wasm` binary), base64.
    pub wasm: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeightsInfo {
    /// Of the safetensors file.
    pub sha256: String,
    /// `built-in`, or the path given.
    pub source: String,
}

/// Enough of the architecture to refuse weights of another shape and to
/// read the tokens: the field names, in index order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArchitectureInfo {
    /// Of the JSON sidecar that describes it completely.
    pub sha256: String,
    pub d_model: usize,
    pub layers: usize,
    pub heads: usize,
    pub neurons: usize,
    pub input_fields: Vec<String>,
    pub output_fields: Vec<String>,
}

/// One forward pass.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PassLine {
    pub pass: u64,
    /// The instruction it executed (the `ip` of the token it read).
    pub ip: i64,
    /// The emitted token: one value per output field.
    pub token: Vec<i64>,
    /// What the token says, in words.
    pub means: String,
}

/// The last line of a complete trace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Footer {
    /// `halted`, `trapped`, `step limit` or `failed`.
    pub ending: String,
    /// The trap's message, or why the run failed.
    pub message: Option<String>,
    pub outputs: Vec<i32>,
    /// Final contents of the non-empty files, by number, in hex.
    pub files: BTreeMap<String, String>,
    pub steps: u64,
    pub passes: u64,
}

/// Bytes as lowercase hex, as SPEC §3's JSON writes files.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Hex back to bytes.
pub fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}
