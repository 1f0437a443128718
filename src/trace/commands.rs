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

use super::activations::{self, TracePrefix};
use super::format::WeightsInfo;
use super::reader::{Trace, read_trace};
use super::record::{Engine, Recording, sha256};
use super::verify::verify;
use crate::engine::Model;
use crate::files::FileContents;
use crate::program::Program;
use crate::report::RunReport;
use crate::weights::Weights;

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
    /// `--activations HOOK,... --passes A..B [--activations-out PATH]`.
    pub activations: Option<ActivationArgs<'a>>,
}

/// The activations `record` was asked to write besides the trace.
pub struct ActivationArgs<'a> {
    pub hooks: &'a [String],
    pub passes: &'a str,
    /// `None`: the trace's path with `.activations.safetensors`.
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
    if args.engine == Engine::Vm && args.weights.is_some() && args.activations.is_none() {
        return Err(
            "--weights applies to the transformer engine, not --engine vm (except for --activations)"
                .into(),
        );
    }
    // For the VM, the weights only name the token fields, and compute the
    // activations when they are asked for.
    let (weights, loaded_info) = load_weights_with_info(args.weights)?;
    let weights = Arc::new(weights);
    let to_stdout = args.out == Some(Path::new("-"));
    let path = args
        .out
        .map_or_else(|| default_trace_path(args.program), Path::to_path_buf);
    let activations = args
        .activations
        .as_ref()
        .map(|a| plan_activations(a, &weights, args.max_steps, &path, to_stdout))
        .transpose()?;
    let recording = Recording {
        name,
        wasm,
        program: Arc::new(program),
        files,
        engine: args.engine,
        weights: Arc::clone(&weights),
        weights_info: (args.engine == Engine::Transformer).then(|| loaded_info.clone()),
        max_steps: args.max_steps,
    };
    // The header and the pass lines the activations need are kept as written.
    let lines = activations
        .as_ref()
        .map_or(0, |(request, _)| 1 + request.passes_needed(&weights));
    let started = Instant::now();
    let show = io::stderr().is_terminal();
    let (report, kept) = write_recording(&recording, &path, to_stdout, lines, show)?;
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
    if let Some((request, out)) = activations {
        let trace_name = if to_stdout {
            "the trace".to_string()
        } else {
            path.display().to_string()
        };
        write_recorded_activations(
            &kept,
            &trace_name,
            weights,
            &loaded_info,
            &request,
            &out,
            show,
        )
        .map_err(|e| format!("{e} (the trace was written; the activations were not)"))?;
    }
    Ok(report.exit_status())
}

/// Checks an activations request before anything runs, and where it goes.
fn plan_activations(
    args: &ActivationArgs,
    weights: &Weights,
    max_steps: u64,
    trace: &Path,
    to_stdout: bool,
) -> Result<(activations::Request, PathBuf), String> {
    let request = activations::Request::new(args.hooks, args.passes, weights, max_steps)?;
    let out = match (args.out, to_stdout) {
        (Some(out), _) => out.to_path_buf(),
        (None, false) => activations::default_path(trace),
        (None, true) => {
            return Err("with -o - (the trace to stdout), give --activations-out PATH".into());
        }
    };
    if out == Path::new("-") {
        return Err("--activations-out - : the activations go to a file, not to stdout".into());
    }
    if !to_stdout && out == trace {
        return Err(format!(
            "--activations-out {} is the trace's own path",
            out.display()
        ));
    }
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !parent.is_dir() {
        return Err(format!(
            "cannot write {}: no directory {}",
            out.display(),
            parent.display()
        ));
    }
    Ok((request, out))
}

/// Runs the recording into the trace file (gzip for `.gz`) or stdout, with
/// progress on a terminal; returns the report and the first `lines` lines.
fn write_recording(
    recording: &Recording,
    path: &Path,
    to_stdout: bool,
    lines: u64,
    show: bool,
) -> Result<(RunReport, Vec<u8>), String> {
    let started = Instant::now();
    let mut progress = |passes: u64| {
        if show {
            let rate = passes as f64 / started.elapsed().as_secs_f64().max(1e-9);
            eprint!("\rrecording: pass {passes} · {rate:.0} passes/s   ");
        }
    };
    if to_stdout {
        let mut out = TracePrefix::new(io::stdout().lock(), lines);
        let report = recording.record(&mut out, &mut progress)?;
        return Ok((report, out.into_parts().1));
    }
    let file = File::create(path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    if is_gzip(path) {
        // Each flush of the writer is a gzip sync flush: a recording
        // killed half-way still decompresses to a prefix.
        let mut out = TracePrefix::new(GzEncoder::new(file, Compression::default()), lines);
        let report = recording.record(&mut out, &mut progress)?;
        let (gz, kept) = out.into_parts();
        gz.finish()
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        Ok((report, kept))
    } else {
        let mut out = TracePrefix::new(file, lines);
        let report = recording.record(&mut out, &mut progress)?;
        Ok((report, out.into_parts().1))
    }
}

/// Reads back the trace lines kept while recording and writes their
/// activations.
fn write_recorded_activations(
    kept: &[u8],
    trace_name: &str,
    weights: Arc<Weights>,
    weights_info: &WeightsInfo,
    request: &activations::Request,
    out: &Path,
    show: bool,
) -> Result<(), String> {
    let trace = read_trace(trace_name, kept)?;
    if let Some(damage) = &trace.damage {
        return Err(format!("{trace_name}:{}: {}", damage.line, damage.message));
    }
    let started = Instant::now();
    let mut progress = |pass: u64| {
        if show {
            let rate = pass as f64 / started.elapsed().as_secs_f64().max(1e-9);
            eprint!("\ractivations: pass {pass} · {rate:.0} passes/s   ");
        }
    };
    let written = activations::tensors::write_activations(
        &trace,
        weights,
        weights_info,
        request,
        out,
        &mut progress,
    );
    if show {
        eprint!("\r\x1b[K");
    }
    let written = written?;
    for note in &written.notes {
        eprintln!("wasmtf: note: {note}");
    }
    if show {
        eprintln!(
            "wrote {}: activations of passes {} at {} hooks ({:.1} MB) in {:.1} s",
            out.display(),
            written.range,
            request.hooks.len(),
            written.bytes as f64 / 1e6,
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// The built-in weights or those of `path`, and which they are: the sha256
/// of the bytes loaded (the file is read once).
pub fn load_weights_with_info(path: Option<&Path>) -> Result<(Weights, WeightsInfo), String> {
    match path {
        None => Ok((
            crate::compiled::load_default()?,
            WeightsInfo {
                sha256: sha256(crate::compiled::DEFAULT_WEIGHTS),
                source: "built-in".into(),
            },
        )),
        Some(path) => {
            let bytes =
                std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            Ok((
                crate::compiled::load_file_bytes(path, &bytes)?,
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
