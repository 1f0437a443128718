//! The trace commands of SPEC §3 — `record`, `replay --verify`, `diff` —
//! kept apart from argument parsing: each takes what clap parsed and
//! returns an exit status or a message for exit status 1.

use std::fs::File;
use std::io::{self, BufReader, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use flate2::Compression;
use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;

use super::format::WeightsInfo;
use super::reader::{Trace, read_trace};
use super::record::{Engine, Recording, sha256};
use super::verify::verify;
use crate::engine::Model;
use crate::files::FileContents;
use crate::program::Program;
use crate::weights::{self, Weights};

/// Exit status of `replay --verify` when some passes disagree.
pub const DISAGREE: i32 = 4;

/// Passes listed one by one before the summary.
const SHOWN: usize = 10;

/// What `record` was asked to do.
pub struct RecordArgs<'a> {
    pub program: &'a Path,
    pub files: &'a [String],
    pub engine: Engine,
    pub weights: Option<&'a Path>,
    pub max_steps: u64,
    /// `None`: the program's stem + `.trace.jsonl`; `-`: stdout.
    pub out: Option<&'a Path>,
}

/// The default trace name of a program: its stem and `.trace.jsonl`.
pub fn default_trace_path(program: &Path) -> PathBuf {
    let stem = program
        .file_stem()
        .map_or_else(|| "trace".into(), |s| s.to_string_lossy().into_owned());
    PathBuf::from(format!("{stem}.trace.jsonl"))
}

pub fn record(args: &RecordArgs) -> Result<i32, String> {
    let bytes = std::fs::read(args.program)
        .map_err(|e| format!("cannot read {}: {e}", args.program.display()))?;
    let name = args.program.display().to_string();
    // Assembled once; the program is read from the binary the trace stores.
    let wasm = Program::wasm_binary(&name, &bytes).map_err(|e| e.to_string())?;
    let program = Program::from_bytes(&name, &wasm).map_err(|e| e.to_string())?;
    let files = FileContents::from_args(args.files)?;
    if args.engine == Engine::Vm && args.weights.is_some() {
        return Err("--weights applies to the transformer engine, not --engine vm".into());
    }
    let (weights, weights_info) = match args.engine {
        Engine::Vm => (weights::load_default()?, None),
        Engine::Transformer => {
            let (weights, info) = load_weights_with_info(args.weights)?;
            (weights, Some(info))
        }
    };
    let recording = Recording {
        name,
        wasm,
        program: Arc::new(program),
        files,
        engine: args.engine,
        weights: Arc::new(weights),
        weights_info,
        max_steps: args.max_steps,
    };
    let to_stdout = args.out == Some(Path::new("-"));
    let path = args
        .out
        .map_or_else(|| default_trace_path(args.program), Path::to_path_buf);
    let started = Instant::now();
    let show = io::stderr().is_terminal();
    let mut progress = |passes: u64| {
        if show {
            let rate = passes as f64 / started.elapsed().as_secs_f64().max(1e-9);
            eprint!("\rrecording: pass {passes} · {rate:.0} passes/s   ");
        }
    };
    let report = if to_stdout {
        recording.record(io::stdout().lock(), &mut progress)?
    } else {
        let file =
            File::create(&path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
        if is_gzip(&path) {
            // Each flush of the writer is a gzip sync flush: a recording
            // killed half-way still decompresses to a prefix.
            let mut gz = GzEncoder::new(file, Compression::default());
            let report = recording.record(&mut gz, &mut progress)?;
            gz.finish()
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            report
        } else {
            recording.record(file, &mut progress)?
        }
    };
    if show {
        eprint!("\r\x1b[K");
        if !to_stdout {
            eprintln!(
                "wrote {}: {} passes in {:.1} s",
                path.display(),
                report.steps,
                started.elapsed().as_secs_f64()
            );
        }
    }
    if let Some(note) = report.ending_note() {
        eprintln!("wasmtf: {note}");
    }
    Ok(report.exit_status())
}

/// The built-in weights or those of `path`, and which they are: the sha256
/// of the bytes loaded (the file is read once).
pub fn load_weights_with_info(path: Option<&Path>) -> Result<(Weights, WeightsInfo), String> {
    match path {
        None => Ok((
            weights::load_default()?,
            WeightsInfo {
                sha256: sha256(weights::DEFAULT_WEIGHTS),
                source: "built-in".into(),
            },
        )),
        Some(path) => {
            let bytes =
                std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            Ok((
                weights::load_file_bytes(path, &bytes)?,
                WeightsInfo {
                    sha256: sha256(&bytes),
                    source: path.display().to_string(),
                },
            ))
        }
    }
}

/// Whether a trace path asks for gzip (`.gz`): standard tools read it.
pub fn is_gzip(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "gz")
}

/// Reads a trace file (gzip-compressed when it ends in `.gz`), with
/// messages naming it.
pub fn load_trace(path: &Path) -> Result<Trace, String> {
    let file = File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let name = path.display().to_string();
    if is_gzip(path) {
        read_trace(&name, BufReader::new(MultiGzDecoder::new(file)))
    } else {
        read_trace(&name, BufReader::new(file))
    }
}

/// `replay TRACE --verify [--weights W]`.
pub fn verify_trace(path: &Path, weights: Option<&Path>) -> Result<i32, String> {
    let trace = load_trace(path)?;
    if let Some(damage) = &trace.damage {
        return Err(format!(
            "{}:{}: {} ({} passes before it are usable in the debugger)",
            path.display(),
            damage.line,
            damage.message,
            trace.passes.len()
        ));
    }
    let weights = crate::cli::load_weights(weights)?;
    let model = Arc::new(Model::new(Arc::new(weights)));
    let verification = verify(&trace, model).map_err(|e| format!("{}:{e}", path.display()))?;
    let mut stdout = io::stdout().lock();
    if let Some(why) = trace.incomplete() {
        eprintln!("wasmtf: note: {why}");
    }
    if verification.disagreements.is_empty() {
        let _ = writeln!(stdout, "verified {} passes", verification.passes);
        return Ok(0);
    }
    let _ = write!(stdout, "{}", verification.report(&trace, SHOWN));
    Ok(DISAGREE)
}

/// `replay TRACE [--weights W]`: the debugger on a recorded run, every
/// pass fed the recorded token; passes whose argmax differs are marked.
pub fn replay_in_debugger(path: &Path, weights: Option<&Path>) -> Result<i32, String> {
    let trace = load_trace(path)?;
    let weights = crate::cli::load_weights(weights)?;
    let model = Arc::new(Model::new(Arc::new(weights)));
    super::verify::check_architecture(&trace, &model)
        .map_err(|e| format!("{}:{e}", path.display()))?;
    let session = crate::debugger::session::DebugSession::replaying(model, &trace)?;
    let mut app = crate::debugger::app::App::new(session);
    app.message = match trace.incomplete() {
        Some(why) => format!("replaying {} passes; warning: {why}", trace.passes.len()),
        None => format!(
            "replaying {} passes recorded by the {} · ] next disagreement",
            trace.passes.len(),
            trace.header.engine
        ),
    };
    crate::debugger::terminal::run(app).map_err(|e| format!("terminal: {e}"))?;
    Ok(0)
}

/// `diff A B`: exit 0 when the traces record the same run, [`DISAGREE`]
/// when they differ (as `--verify`), 1 when one cannot be read.
pub fn diff_traces(a: &Path, b: &Path) -> Result<i32, String> {
    let (ta, tb) = (load_trace(a)?, load_trace(b)?);
    let mut stdout = io::stdout().lock();
    for (path, trace) in [(a, &ta), (b, &tb)] {
        if let Some(why) = trace.incomplete() {
            let _ = writeln!(stdout, "note: {}: {why}", path.display());
        }
    }
    match super::diff::diff(&ta, &tb) {
        None => {
            let _ = writeln!(
                stdout,
                "the traces agree: {} passes, the same tokens",
                ta.passes.len()
            );
        }
        Some(text) => {
            let _ = write!(stdout, "{text}");
            return Ok(DISAGREE);
        }
    }
    Ok(0)
}
