//! `wasmtf ablate NAME... [--weights W] -o OUT`: weights with named heads and
//! neurons zeroed, for ablation studies (record a program under the ablated
//! weights, then replay or diff the trace against an unablated one).
//!
//! # Names
//!
//! A NAME is a head or neuron name of the sidecar (`mem.1.3`,
//! `alu.mul.b2.j1.up`) or a prefix of such names that ends on a `.` boundary
//! (`alu.add` matches `alu.add.b0.ge1.up` but not a name `alu.addx…`; `mem`
//! matches the heads `mem.0.0`…`mem.3.3` but not the `memory.*` neurons; `mem.1.3`
//! matches the head `mem.1.3` and not a `mem.1.30`). A trailing dot (`stack.`) is
//! accepted and means the same as without it. One NAME may match heads and
//! neurons alike. A NAME that matches nothing is refused, with the closest
//! known names, and then nothing at all is zeroed.
//!
//! # What "zeroed" means
//!
//! A zeroed component still computes but writes nothing to the residual stream:
//!
//! - a head: its output projection `w_o` (`[d_model × d_value]`) is zeroed. Heads
//!   have no output bias (the value bias `b_v` only reaches the residual through
//!   `w_o`), so that is its whole contribution. Its queries, keys and values are
//!   left alone, so a file cross-attention head still stores its key/value
//!   entries — the host's part of the engine contract is unchanged.
//! - a neuron: its column of the layer's output matrix `w_out` is zeroed. There
//!   is no output bias in the feed-forward layer either, so the neuron's
//!   contribution `w_out[:, n] · ReLU(gate)·value` is exactly zero.
//!
//! [`Weights::ablate_neurons`] zeroes the gate row and bias instead, so that the
//! neuron never fires. For the residual stream both are the same, but zeroing the
//! output is the better meaning of "zeroed" here: it is the same operation for
//! heads and neurons (cut the write, keep the read); it does not depend on the
//! gate being a ReLU (a zero pre-activation only silences a neuron because
//! `ReLU(0) = 0`); and in the debugger an ablated neuron still shows what it
//! *would* have contributed (its gate and value), which is the point of looking
//! at an ablated run. The tests check exactly this: the output weights of every
//! named component are zero and every other parameter is bit-for-bit unchanged.
//!
//! # The file written
//!
//! OUT is a complete safetensors file from [`crate::weights::io::to_safetensors`].
//! Its metadata carries the architecture, which is all [`crate::compiled::load_file`]
//! needs, so no sidecar is written (an ablation changes values, never names: the
//! sidecar of the source weights describes OUT as well). OUT is written to a
//! temporary file in its own directory and renamed into place, so a failure never
//! leaves a partial file behind, and OUT may be the weights file it was read from.

use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::weights::{Weights, io::to_safetensors};

/// What one NAME matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameMatch {
    /// The NAME as given.
    pub name: String,
    /// How many heads and neurons it matched (a component matched by two NAMEs
    /// counts for both here, once in [`Ablated`]).
    pub heads: usize,
    pub neurons: usize,
}

/// What [`ablate`] zeroed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ablated {
    /// The names of the zeroed heads, in model order (layer by layer).
    pub heads: Vec<String>,
    /// How many neurons were zeroed.
    pub neurons: usize,
    /// The zeroed neurons as `(layer, index)`, in model order.
    pub neuron_indices: Vec<(usize, usize)>,
    /// Per NAME, in the order given.
    pub matches: Vec<NameMatch>,
}

impl Ablated {
    /// `zeroed 1 head and 192 neurons (alu.add, mem.1.3)`.
    pub fn summary(&self) -> String {
        let names: Vec<&str> = self.matches.iter().map(|m| m.name.as_str()).collect();
        format!(
            "zeroed {} and {} ({})",
            plural(self.heads.len(), "head"),
            plural(self.neurons, "neuron"),
            names.join(", ")
        )
    }
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// Whether the component `name` is NAME `pattern` itself or lies under it on a
/// `.` boundary.
pub fn name_matches(pattern: &str, name: &str) -> bool {
    let prefix = pattern.strip_suffix('.').unwrap_or(pattern);
    if prefix.is_empty() {
        return false;
    }
    match name.strip_prefix(prefix) {
        Some(rest) => rest.is_empty() || rest.starts_with('.'),
        None => false,
    }
}

/// Zeroes the output weights of every head and neuron that one of `names`
/// matches (see the module documentation). Every NAME must match something:
/// otherwise nothing is changed and the message names each unknown NAME, with
/// the closest known names.
pub fn ablate(weights: &mut Weights, names: &[String]) -> Result<Ablated, String> {
    if names.is_empty() {
        return Err("no head or neuron name given".into());
    }
    let mut matches = Vec::new();
    let mut unknown = Vec::new();
    for name in names {
        let heads = weights
            .layers
            .iter()
            .flat_map(|l| &l.heads)
            .filter(|h| name_matches(name, &h.name))
            .count();
        let neurons = weights
            .layers
            .iter()
            .flat_map(|l| &l.neuron_names)
            .filter(|n| name_matches(name, n))
            .count();
        if heads + neurons == 0 {
            unknown.push(unknown_message(weights, name));
        }
        matches.push(NameMatch {
            name: name.clone(),
            heads,
            neurons,
        });
    }
    if !unknown.is_empty() {
        return Err(unknown.join("; "));
    }
    let any = |component: &str| names.iter().any(|n| name_matches(n, component));
    let mut heads = Vec::new();
    let mut neuron_indices = Vec::new();
    for (l, layer) in weights.layers.iter_mut().enumerate() {
        for head in &mut layer.heads {
            if any(&head.name) {
                head.w_o.clear();
                heads.push(head.name.clone());
            }
        }
        for (n, name) in layer.neuron_names.iter().enumerate() {
            if any(name) {
                layer.w_out.clear_column(n);
                neuron_indices.push((l, n));
            }
        }
    }
    Ok(Ablated {
        heads,
        neurons: neuron_indices.len(),
        neuron_indices,
        matches,
    })
}

/// `unknown head or neuron name "alu.ad" (closest: alu.add, alu.and)`.
fn unknown_message(weights: &Weights, name: &str) -> String {
    if name.strip_suffix('.').unwrap_or(name).is_empty() {
        return format!("{name:?} is not a head or neuron name");
    }
    let mut message = format!("unknown head or neuron name {name:?}");
    if weights.dims.iter().any(|d| d == name) {
        message.push_str(" (it names a residual dimension, which cannot be ablated)");
        return message;
    }
    match closest_names(weights, name, 3) {
        Suggestions::Close(names) => message.push_str(&format!(" (closest: {})", names.join(", "))),
        Suggestions::Groups(groups) => {
            message.push_str(&format!(" (the groups are {})", groups.join(", ")))
        }
    }
    message
}

enum Suggestions {
    /// Names near enough to be what was meant.
    Close(Vec<String>),
    /// Nothing is near: the first parts of all names.
    Groups(Vec<String>),
}

/// Up to `count` names (heads, neurons, or their dotted prefixes) nearest to
/// `name` in edit distance (ties: the longer common prefix, then the shorter
/// name), when near enough to be a likely typo; otherwise the top-level groups.
fn closest_names(weights: &Weights, name: &str, count: usize) -> Suggestions {
    let mut candidates = BTreeSet::new();
    for component in weights
        .layers
        .iter()
        .flat_map(|l| l.heads.iter().map(|h| &h.name).chain(&l.neuron_names))
    {
        let mut end = 0;
        for part in component.split('.') {
            end += part.len();
            candidates.insert(&component[..end]);
            end += 1;
        }
    }
    let limit = (name.chars().count() / 3).max(2);
    let common = |c: &str| {
        name.chars()
            .zip(c.chars())
            .take_while(|(a, b)| a == b)
            .count()
    };
    let mut scored: Vec<(usize, std::cmp::Reverse<usize>, usize, &str)> = candidates
        .iter()
        .map(|c| {
            (
                edit_distance(name, c),
                std::cmp::Reverse(common(c)),
                c.len(),
                *c,
            )
        })
        .filter(|(d, ..)| *d <= limit)
        .collect();
    scored.sort_unstable();
    if scored.is_empty() {
        let groups: BTreeSet<&str> = candidates
            .iter()
            .map(|c| c.split('.').next().unwrap_or(c))
            .collect();
        return Suggestions::Groups(groups.into_iter().map(str::to_string).collect());
    }
    Suggestions::Close(
        scored
            .into_iter()
            .take(count)
            .map(|(.., c)| c.to_string())
            .collect(),
    )
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != cb))
                .min(row[j] + 1)
                .min(above + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

/// The `ablate` command: loads the built-in weights or `weights`, zeroes the
/// components `names` match, writes them to `out` (atomically, by a temporary
/// file renamed into place) and prints one line. Returns the exit status 0; an
/// `Err` is the message for exit status 1.
pub fn ablate_command(names: &[String], weights: Option<&Path>, out: &Path) -> Result<i32, String> {
    if out.is_dir() {
        return Err(format!(
            "{} is a directory, not a weights file",
            out.display()
        ));
    }
    let mut loaded = crate::cli::load_weights(weights)?;
    let ablated = ablate(&mut loaded, names)?;
    write_atomically(out, &to_safetensors(&loaded))?;
    let mut stdout = std::io::stdout().lock();
    // A closed pipe is no failure: the file is written.
    let _ = writeln!(stdout, "{} → {}", ablated.summary(), out.display());
    Ok(crate::report::exit::HALTED)
}

/// Writes `bytes` to a new file next to `path`, then renames it to `path`.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let file_name = path
        .file_name()
        .ok_or_else(|| format!("{} is not a file name", path.display()))?;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut temp_name = std::ffi::OsString::from(".");
    temp_name.push(file_name);
    temp_name.push(format!(".{}.tmp", std::process::id()));
    let temp = dir.join(temp_name);
    let fail = |e: std::io::Error| format!("cannot write {}: {e}", path.display());
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temp)
        .map_err(fail)?;
    let written = file
        .write_all(bytes)
        .and_then(|()| file.sync_all())
        .and_then(|()| {
            drop(file);
            std::fs::rename(&temp, path)
        });
    written.map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        fail(e)
    })
}
