//! Loads the compliance corpus (`programs/*/*.wat` plus their `NAME.expect.json`
//! sidecars, format in `docs/CORPUS.md`) so that every engine's tests check the
//! same recorded expectations. Malformed or missing sidecars fail loudly, naming
//! the file, because a silently skipped program is a hole in the test suite.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// The trap kinds a sidecar may record (`docs/CORPUS.md`).
pub const TRAP_KINDS: [&str; 4] = [
    "unreachable",
    "memory out of bounds",
    "file not open",
    "file full",
];

/// One `.wat` program of the corpus with its expectations.
#[derive(Debug, Clone)]
pub struct CorpusProgram {
    /// Path of the `.wat` file.
    pub path: PathBuf,
    /// The category folder, e.g. `01-core-arith-logic`.
    pub category: String,
    /// The file stem, e.g. `add_sub`.
    pub name: String,
    /// The WAT source text.
    pub source: String,
    /// The sidecar's one-line description.
    pub description: String,
    pub cases: Vec<Case>,
}

/// One recorded run of a corpus program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    pub name: String,
    /// Initial contents of files 0..3 (empty when not given).
    pub files: [Vec<u8>; 4],
    pub outputs: Vec<i32>,
    /// `None` when `main` returns, else the trap kind (one of [`TRAP_KINDS`]).
    pub trap: Option<String>,
    /// Every file that is non-empty at the end.
    pub final_files: BTreeMap<u8, Vec<u8>>,
}

impl CorpusProgram {
    /// `category/name`, handy in failure messages.
    pub fn id(&self) -> String {
        format!("{}/{}", self.category, self.name)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSidecar {
    description: String,
    cases: Vec<RawCase>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCase {
    name: String,
    #[serde(default)]
    files: BTreeMap<String, String>,
    outputs: Vec<i32>,
    #[serde(default)]
    trap: Option<String>,
    final_files: BTreeMap<String, String>,
}

/// The corpus root: `$CARGO_MANIFEST_DIR/programs`.
pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("programs")
}

/// Loads every `programs/*/*.wat` with its sidecar, sorted by path.
///
/// Panics (naming the file) on an unreadable file, a `.wat` without a sidecar,
/// a sidecar without a `.wat`, or a malformed sidecar.
pub fn load_corpus() -> Vec<CorpusProgram> {
    load_corpus_from(&corpus_dir())
}

/// [`load_corpus`] for an arbitrary root directory.
pub fn load_corpus_from(root: &Path) -> Vec<CorpusProgram> {
    let mut categories: Vec<PathBuf> = read_dir_sorted(root)
        .into_iter()
        .filter(|p| p.is_dir())
        .collect();
    categories.sort();
    let mut programs = Vec::new();
    for dir in categories {
        let category = file_name(&dir);
        for path in read_dir_sorted(&dir) {
            let fname = file_name(&path);
            if let Some(stem) = fname.strip_suffix(".expect.json") {
                let wat = dir.join(format!("{stem}.wat"));
                assert!(
                    wat.is_file(),
                    "{}: sidecar without a program ({} is missing)",
                    path.display(),
                    wat.display()
                );
                continue;
            }
            let Some(name) = fname.strip_suffix(".wat") else {
                continue;
            };
            let sidecar = dir.join(format!("{name}.expect.json"));
            assert!(
                sidecar.is_file(),
                "{}: program without a sidecar ({} is missing)",
                path.display(),
                sidecar.display()
            );
            let source = fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: cannot read: {e}", path.display()));
            let json = fs::read_to_string(&sidecar)
                .unwrap_or_else(|e| panic!("{}: cannot read: {e}", sidecar.display()));
            let (description, cases) = parse_sidecar(&json)
                .unwrap_or_else(|e| panic!("{}: malformed sidecar: {e}", sidecar.display()));
            programs.push(CorpusProgram {
                path,
                category: category.clone(),
                name: name.to_string(),
                source,
                description,
                cases,
            });
        }
    }
    programs
}

/// Parses the text of a `NAME.expect.json` sidecar into its description and cases.
pub fn parse_sidecar(json: &str) -> Result<(String, Vec<Case>), String> {
    let raw: RawSidecar = serde_json::from_str(json).map_err(|e| e.to_string())?;
    if raw.cases.is_empty() {
        return Err("no cases".to_string());
    }
    let mut names = std::collections::BTreeSet::new();
    let mut cases = Vec::with_capacity(raw.cases.len());
    for rc in raw.cases {
        let ctx = |msg: String| format!("case {:?}: {msg}", rc.name);
        if !names.insert(rc.name.clone()) {
            return Err(ctx("duplicate case name".to_string()));
        }
        let mut files: [Vec<u8>; 4] = Default::default();
        for (key, hex) in &rc.files {
            let n = file_number(key).map_err(|e| ctx(format!("files: {e}")))?;
            files[usize::from(n)] =
                decode_hex(hex).map_err(|e| ctx(format!("files.{key}: {e}")))?;
        }
        let mut final_files = BTreeMap::new();
        for (key, hex) in &rc.final_files {
            let n = file_number(key).map_err(|e| ctx(format!("final_files: {e}")))?;
            let bytes = decode_hex(hex).map_err(|e| ctx(format!("final_files.{key}: {e}")))?;
            if bytes.is_empty() {
                return Err(ctx(format!(
                    "final_files.{key} is empty (only non-empty files are listed)"
                )));
            }
            final_files.insert(n, bytes);
        }
        if let Some(kind) = &rc.trap
            && !TRAP_KINDS.contains(&kind.as_str())
        {
            return Err(ctx(format!(
                "unknown trap kind {kind:?} (expected one of {TRAP_KINDS:?})"
            )));
        }
        cases.push(Case {
            name: rc.name,
            files,
            outputs: rc.outputs,
            trap: rc.trap,
            final_files,
        });
    }
    Ok((raw.description, cases))
}

/// Decodes lowercase hex (`"0aff"`) into bytes.
pub fn decode_hex(hex: &str) -> Result<Vec<u8>, String> {
    if !hex.len().is_multiple_of(2) {
        return Err(format!("odd number of hex digits in {hex:?}"));
    }
    let digit = |c: u8| match c {
        b'0'..=b'9' => Ok(c - b'0'),
        b'a'..=b'f' => Ok(c - b'a' + 10),
        _ => Err(format!(
            "invalid character {:?} in hex {hex:?} (lowercase hex expected)",
            char::from(c)
        )),
    };
    hex.as_bytes()
        .chunks(2)
        .map(|pair| Ok(digit(pair[0])? << 4 | digit(pair[1])?))
        .collect()
}

/// Encodes bytes as lowercase hex, the sidecar's format.
pub fn encode_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn file_number(key: &str) -> Result<u8, String> {
    match key {
        "0" => Ok(0),
        "1" => Ok(1),
        "2" => Ok(2),
        "3" => Ok(3),
        _ => Err(format!("file key {key:?} is not one of \"0\"..\"3\"")),
    }
}

fn read_dir_sorted(dir: &Path) -> Vec<PathBuf> {
    let entries =
        fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: cannot list: {e}", dir.display()));
    let mut paths: Vec<PathBuf> = entries
        .map(|entry| {
            entry
                .unwrap_or_else(|e| panic!("{}: cannot list: {e}", dir.display()))
                .path()
        })
        .collect();
    paths.sort();
    paths
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_else(|| panic!("{}: file name is not UTF-8", path.display()))
        .to_string()
}
