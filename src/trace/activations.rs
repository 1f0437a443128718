//! `wasmtf record --activations HOOK,... --passes A..B`: besides the trace,
//! a safetensors file of the model's activations at chosen hooks for chosen
//! passes, so that a researcher can study the circuits in numpy without
//! wasmtf. The hooks are named as in the debugger and TransformerLens
//! (`blocks.L.hook_resid_pre`, …); the file's metadata names every residual
//! dimension, head and neuron (`docs/TRACE.md`, "Activations").
//!
//! This file is the request — which hooks, which passes, where, and whether
//! it fits — checked before anything runs. [`tensors`] computes the
//! activations afterwards, the same way for both engines: the recorded
//! tokens are fed back to the model (teacher forcing), as `replay --verify`
//! does.

pub mod tensors;

use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::weights::Weights;

/// The `format` in the file's metadata.
pub const FORMAT: &str = "wasmtf-activations";

/// The version this build writes.
pub const VERSION: u32 = 1;

/// The largest file `record` writes: numpy's `load_file` reads it whole.
pub const MAX_BYTES: u64 = 2 << 30;

/// What a hook captures, in the order of a forward pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum HookKind {
    ResidPre,
    Pattern,
    ResidMid,
    MlpPost,
    ResidPost,
}

impl HookKind {
    pub const ALL: [HookKind; 5] = [
        HookKind::ResidPre,
        HookKind::ResidMid,
        HookKind::ResidPost,
        HookKind::Pattern,
        HookKind::MlpPost,
    ];

    /// The name after `blocks.L.`.
    pub fn suffix(self) -> &'static str {
        match self {
            HookKind::ResidPre => "hook_resid_pre",
            HookKind::ResidMid => "hook_resid_mid",
            HookKind::ResidPost => "hook_resid_post",
            HookKind::Pattern => "attn.hook_pattern",
            HookKind::MlpPost => "mlp.hook_post",
        }
    }
}

/// One hook of one layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hook {
    pub layer: usize,
    pub kind: HookKind,
}

impl fmt::Display for Hook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "blocks.{}.{}", self.layer, self.kind.suffix())
    }
}

/// Parses `--activations`: `blocks.L.SUFFIX`, or a bare `SUFFIX` for every
/// layer. The result is sorted by layer and position in the pass, without
/// repeats.
pub fn parse_hooks(specs: &[String], layers: usize) -> Result<Vec<Hook>, String> {
    let valid = || {
        let names: Vec<String> = HookKind::ALL
            .iter()
            .map(|k| format!("blocks.L.{}", k.suffix()))
            .collect();
        format!(
            "the hooks are {}, for L from 0 to {}; without `blocks.L.`, every layer",
            names.join(", "),
            layers.saturating_sub(1)
        )
    };
    let kind_of = |suffix: &str| HookKind::ALL.into_iter().find(|k| k.suffix() == suffix);
    let mut hooks = Vec::new();
    for spec in specs {
        let spec = spec.trim();
        if let Some(kind) = kind_of(spec) {
            hooks.extend((0..layers).map(|layer| Hook { layer, kind }));
            continue;
        }
        let parsed = spec.strip_prefix("blocks.").and_then(|rest| {
            let (layer, suffix) = rest.split_once('.')?;
            Some((layer.parse::<usize>().ok()?, kind_of(suffix)?))
        });
        match parsed {
            Some((layer, kind)) if layer < layers => hooks.push(Hook { layer, kind }),
            Some((layer, _)) => {
                return Err(format!(
                    "--activations {spec}: there is no layer {layer}; the model has {layers} layers, 0 to {}",
                    layers.saturating_sub(1)
                ));
            }
            None => return Err(format!("--activations: unknown hook {spec:?}; {}", valid())),
        }
    }
    if hooks.is_empty() {
        return Err(format!("--activations: no hook given; {}", valid()));
    }
    hooks.sort();
    hooks.dedup();
    Ok(hooks)
}

/// Which passes, numbered from 1 as in the trace's pass lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PassRange {
    pub first: u64,
    /// Inclusive; `None`: to the end of the trace.
    pub last: Option<u64>,
}

impl PassRange {
    /// `A..B` (B excluded, as in Rust), `A..=B`, `A..` (to the end) or `N`
    /// (that pass alone).
    pub fn parse(text: &str) -> Result<PassRange, String> {
        let bad = |why: &str| {
            format!(
                "--passes {text}: {why} (A..B excludes B; A..=B, A.. and N also work; passes are numbered from 1)"
            )
        };
        let number = |s: &str| {
            s.trim()
                .parse::<u64>()
                .map_err(|_| bad(&format!("{:?} is not a pass number", s.trim())))
        };
        let (first, last) = match text.split_once("..") {
            None => {
                let n = number(text)?;
                (n, Some(n))
            }
            Some((a, b)) => {
                let first = number(a)?;
                let last = if let Some(b) = b.strip_prefix('=') {
                    Some(number(b)?)
                } else if b.trim().is_empty() {
                    None
                } else {
                    Some(number(b)?.checked_sub(1).ok_or_else(|| bad("empty"))?)
                };
                (first, last)
            }
        };
        if first == 0 {
            return Err(bad("there is no pass 0"));
        }
        if last.is_some_and(|last| last < first) {
            return Err(bad("the range is empty"));
        }
        Ok(PassRange { first, last })
    }
}

impl fmt::Display for PassRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.last {
            Some(last) => write!(f, "{}..={last}", self.first),
            None => write!(f, "{}..", self.first),
        }
    }
}

/// What `record` was asked to capture.
#[derive(Debug, Clone)]
pub struct Request {
    pub hooks: Vec<Hook>,
    pub range: PassRange,
    /// `--passes` as given, for messages.
    pub passes: String,
}

impl Request {
    /// Checks the hooks against `weights` and the range against the step
    /// limit (a run never has more passes than steps). The size is checked
    /// once the run has shown how many passes there are.
    pub fn new(
        hooks: &[String],
        passes: &str,
        weights: &Weights,
        max_steps: u64,
    ) -> Result<Request, String> {
        let request = Request {
            hooks: parse_hooks(hooks, weights.layers.len())?,
            range: PassRange::parse(passes)?,
            passes: passes.to_string(),
        };
        if request.range.first > max_steps {
            return Err(format!(
                "--passes {}: the run stops after at most --max-steps {max_steps} passes",
                request.passes
            ));
        }
        Ok(request)
    }

    /// Bytes of the tensors for one pass.
    pub fn bytes_per_pass(&self, weights: &Weights) -> u64 {
        let pass_number = 8;
        let hooks: usize = self
            .hooks
            .iter()
            .map(|hook| match hook.kind {
                HookKind::ResidPre | HookKind::ResidMid | HookKind::ResidPost => {
                    8 * weights.d_model()
                }
                HookKind::Pattern => 16 * weights.layers[hook.layer].heads.len(),
                HookKind::MlpPost => 8 * weights.layers[hook.layer].neuron_names.len(),
            })
            .sum();
        (pass_number + hooks) as u64
    }

    /// The most passes whose tensors fit in [`MAX_BYTES`].
    pub fn max_passes(&self, weights: &Weights) -> u64 {
        MAX_BYTES / self.bytes_per_pass(weights)
    }

    /// Refuses `passes` passes when their tensors would not fit.
    pub fn check_size(&self, passes: u64, weights: &Weights) -> Result<(), String> {
        let per_pass = self.bytes_per_pass(weights);
        if passes > self.max_passes(weights) {
            return Err(format!(
                "--passes {}: {passes} passes of these hooks take {:.1} GB ({per_pass} bytes a pass), \
                 more than the limit of {:.0} GB: at most {} passes at a time",
                self.passes,
                (passes * per_pass) as f64 / 1e9,
                MAX_BYTES as f64 / 1e9,
                self.max_passes(weights)
            ));
        }
        Ok(())
    }

    /// How many pass lines of the trace are needed: up to the last pass
    /// asked for, or one beyond the size limit for `A..` (which is then
    /// refused without keeping the rest).
    pub fn passes_needed(&self, weights: &Weights) -> u64 {
        let limit = (self.range.first - 1)
            .saturating_add(self.max_passes(weights))
            .saturating_add(1);
        self.range.last.map_or(limit, |last| last.min(limit))
    }
}

/// The default path of the activations: the trace's with `.trace.jsonl`
/// (and `.gz`) replaced by `.activations.safetensors`.
pub fn default_path(trace: &Path) -> PathBuf {
    let mut name = trace
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    for ending in [".gz", ".jsonl", ".trace"] {
        if let Some(stripped) = name.strip_suffix(ending) {
            name = stripped.to_string();
        }
    }
    if name.is_empty() {
        name = "trace".into();
    }
    trace.with_file_name(format!("{name}.activations.safetensors"))
}

/// A writer that passes everything on and keeps a copy of the first
/// `lines` lines: the header and the pass lines the activations need, so
/// they are computed from the trace as written, even to stdout or gzip.
pub struct TracePrefix<W: Write> {
    inner: W,
    kept: Vec<u8>,
    lines_left: u64,
}

impl<W: Write> TracePrefix<W> {
    pub fn new(inner: W, lines: u64) -> TracePrefix<W> {
        TracePrefix {
            inner,
            kept: Vec::new(),
            lines_left: lines,
        }
    }

    /// The writer, and the lines kept.
    pub fn into_parts(self) -> (W, Vec<u8>) {
        (self.inner, self.kept)
    }
}

impl<W: Write> Write for TracePrefix<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let written = self.inner.write(buf)?;
        let mut rest = &buf[..written];
        while self.lines_left > 0 && !rest.is_empty() {
            match rest.iter().position(|&b| b == b'\n') {
                Some(end) => {
                    self.kept.extend_from_slice(&rest[..=end]);
                    self.lines_left -= 1;
                    rest = &rest[end + 1..];
                }
                None => {
                    self.kept.extend_from_slice(rest);
                    rest = &[];
                }
            }
        }
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pass_ranges() {
        let range = |first, last| Ok(PassRange { first, last });
        assert_eq!(PassRange::parse("3..10"), range(3, Some(9)));
        assert_eq!(PassRange::parse("3..=10"), range(3, Some(10)));
        assert_eq!(PassRange::parse("3.."), range(3, None));
        assert_eq!(PassRange::parse("7"), range(7, Some(7)));
        for bad in [
            "0..3", "3..3", "4..=3", "..3", "a..b", "1..2..3", "", "-1..2",
        ] {
            assert!(PassRange::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(PassRange::parse("3..10").unwrap().to_string(), "3..=9");
    }

    #[test]
    fn hooks() {
        let specs = |s: &[&str]| s.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let hooks = parse_hooks(
            &specs(&[
                "blocks.1.mlp.hook_post",
                "hook_resid_pre",
                "blocks.1.mlp.hook_post",
            ]),
            2,
        )
        .unwrap();
        let names: Vec<String> = hooks.iter().map(Hook::to_string).collect();
        assert_eq!(
            names,
            [
                "blocks.0.hook_resid_pre",
                "blocks.1.hook_resid_pre",
                "blocks.1.mlp.hook_post"
            ]
        );
        for bad in [
            "blocks.2.hook_resid_pre",
            "blocks.1.hook_pattern",
            "resid_pre",
            "",
        ] {
            assert!(parse_hooks(&specs(&[bad]), 2).is_err(), "{bad}");
        }
    }

    #[test]
    fn default_paths() {
        for (trace, expected) in [
            ("a/sieve.trace.jsonl", "a/sieve.activations.safetensors"),
            ("sieve.trace.jsonl.gz", "sieve.activations.safetensors"),
            ("run.jsonl", "run.activations.safetensors"),
            ("run", "run.activations.safetensors"),
        ] {
            assert_eq!(default_path(Path::new(trace)), Path::new(expected));
        }
    }

    #[test]
    fn the_prefix_keeps_whole_lines() {
        let mut prefix = TracePrefix::new(Vec::new(), 2);
        for chunk in ["head", "er\npass 1", "\npass 2\n", "footer\n"] {
            prefix.write_all(chunk.as_bytes()).unwrap();
        }
        let (all, kept) = prefix.into_parts();
        assert_eq!(all, b"header\npass 1\npass 2\nfooter\n");
        assert_eq!(kept, b"header\npass 1\n");
    }
}
