//! The command line of SPEC §3: argument parsing with clap, and the commands,
//! kept thin over the library. Every failure becomes a message and an exit
//! status, never a panic.

use std::ffi::OsString;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Parser, Subcommand, ValueEnum};

use crate::compiled;
use crate::engine::{Mode, Model};
use crate::files::FileContents;
use crate::interpreter::TransformerRun;
use crate::program::Program;
use crate::report::{RunReport, exit};
use crate::trace;
use crate::vm::Vm;
use crate::weights::{Weights, io::Architecture};

/// The step limit when `--max-steps` is not given.
pub const DEFAULT_MAX_STEPS: u64 = 100_000_000;

#[derive(Debug, Parser)]
#[command(
    name = "wasmtf",
    version,
    about = "A WebAssembly interpreter compiled into the weights of a transformer"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a program and print its outputs.
    Run(RunArgs),
    /// Step a program one forward pass per keystroke (no PROGRAM: a built-in demo).
    Debug {
        /// The program: a .wat or .wasm module exporting `main`.
        program: Option<PathBuf>,
        /// Initial contents of file N (0 to 3) from PATH; may be repeated.
        #[arg(long = "file", value_name = "N=PATH")]
        files: Vec<String>,
        /// Weights to run instead of the built-in ones.
        #[arg(long, value_name = "PATH")]
        weights: Option<PathBuf>,
    },
    /// Type WebAssembly instructions one line at a time and watch each execute by forward passes.
    Repl {
        /// Initial contents of file N (0 to 3) from PATH; may be repeated.
        #[arg(long = "file", value_name = "N=PATH")]
        files: Vec<String>,
        /// Weights to run instead of the built-in ones.
        #[arg(long, value_name = "PATH")]
        weights: Option<PathBuf>,
        /// Stop a line's run after this many forward passes (a loop that never exits).
        #[arg(long, value_name = "N", default_value_t = crate::repl::DEFAULT_PASS_LIMIT)]
        max_steps: u64,
    },
    /// Run a program and write its trace, one line per forward pass.
    Record {
        /// The program: a .wat or .wasm module exporting `main`.
        program: PathBuf,
        /// Initial contents of file N (0 to 3) from PATH; may be repeated.
        #[arg(long = "file", value_name = "N=PATH")]
        files: Vec<String>,
        /// Which engine executes the program.
        #[arg(long, value_enum, default_value_t = Engine::Transformer)]
        engine: Engine,
        /// Weights to run instead of the built-in ones (transformer engine only).
        #[arg(long, value_name = "PATH")]
        weights: Option<PathBuf>,
        /// Stop with exit status 3 after this many instructions.
        #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_STEPS)]
        max_steps: u64,
        /// Where to write the trace (default: the program's stem + .trace.jsonl; - for stdout).
        #[arg(short = 'o', long = "out", value_name = "TRACE")]
        out: Option<PathBuf>,
        /// Also write the activations at these hooks as safetensors: blocks.L.hook_resid_pre,
        /// blocks.L.hook_resid_mid, blocks.L.hook_resid_post, blocks.L.attn.hook_pattern,
        /// blocks.L.mlp.hook_post (without blocks.L.: every layer).
        #[arg(
            long,
            value_name = "HOOK[,HOOK...]",
            value_delimiter = ',',
            requires = "passes"
        )]
        activations: Vec<String>,
        /// The passes whose activations are written, numbered from 1 as in the trace:
        /// A..B (B excluded), A..=B, A.. (to the end) or N.
        #[arg(long, value_name = "A..B", requires = "activations")]
        passes: Option<String>,
        /// Where to write the activations (default: the trace's path with
        /// .activations.safetensors for .trace.jsonl).
        #[arg(long, value_name = "PATH", requires = "activations")]
        activations_out: Option<PathBuf>,
    },
    /// Step through a recorded trace in the debugger, or check it against the model (--verify).
    Replay {
        /// A trace written by `wasmtf record`.
        trace: PathBuf,
        /// Feed the recorded tokens to the model and check every pass: exit 0 when all agree, 4 when some do not.
        #[arg(long)]
        verify: bool,
        /// Weights to check against instead of the built-in ones.
        #[arg(long, value_name = "PATH")]
        weights: Option<PathBuf>,
    },
    /// Write weights with the named heads and neurons (sidecar names or dotted prefixes) zeroed.
    Ablate {
        /// Heads, neuron groups or single neurons: `alu.add`, `mem.1.3`, `alu.mul.b2.j1.up`.
        #[arg(required = true, value_name = "NAME")]
        names: Vec<String>,
        /// Weights to start from instead of the built-in ones.
        #[arg(long, value_name = "PATH")]
        weights: Option<PathBuf>,
        /// Where to write the ablated weights (safetensors).
        #[arg(short = 'o', long = "out", value_name = "OUT")]
        out: PathBuf,
    },
    /// Compare two traces: the first pass where they part, and a summary (exit 4 when they differ).
    Diff { a: PathBuf, b: PathBuf },
    /// Render scripted debugger screens as SVG into screenshots/.
    Screenshot {
        /// Directory to write into (default: screenshots/).
        #[arg(long, value_name = "DIR")]
        out_dir: Option<PathBuf>,
    },
    /// Compile the interpreter into weights/wasmtf.safetensors and its JSON sidecar.
    Compile {
        /// Directory to write into (default: weights/ in the current directory).
        #[arg(long, value_name = "DIR")]
        out_dir: Option<PathBuf>,
    },
    /// Measure the engine: passes/s, time per pass as the trace and the
    /// program grow, key/value memory per pass, and the start-up of run.
    Bench {
        /// A program to measure instead of the built-in workload.
        program: Option<PathBuf>,
        /// Initial contents of file N (0 to 3) from PATH; may be repeated.
        #[arg(long = "file", value_name = "N=PATH")]
        files: Vec<String>,
        /// Most passes to run the program or the workload for.
        #[arg(long, value_name = "N", default_value_t = 1_000_000)]
        passes: u64,
        /// Largest program size to time (40, 400, 4000, 40000 instructions).
        #[arg(long, value_name = "N", default_value_t = 40_000)]
        max_size: usize,
        /// Weights to measure instead of the built-in ones.
        #[arg(long, value_name = "PATH")]
        weights: Option<PathBuf>,
    },
    /// Print the architecture of the weights.
    Inspect {
        /// Weights to describe instead of the built-in ones; a file that does
        /// not fit the interpreter is refused, as by run and debug.
        #[arg(long, value_name = "PATH")]
        weights: Option<PathBuf>,
    },
}

#[derive(Debug, clap::Args)]
struct RunArgs {
    /// The program: a .wat or .wasm module exporting `main`.
    program: PathBuf,
    /// Initial contents of file N (0 to 3) from PATH; may be repeated.
    #[arg(long = "file", value_name = "N=PATH")]
    files: Vec<String>,
    /// Which engine executes the program.
    #[arg(long, value_enum, default_value_t = Engine::Transformer)]
    engine: Engine,
    /// Stop with exit status 3 after this many instructions.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_STEPS)]
    max_steps: u64,
    /// Print one JSON object instead of one output per line.
    #[arg(long)]
    json: bool,
    /// Weights to run instead of the built-in ones (transformer engine only).
    #[arg(long, value_name = "PATH")]
    weights: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Engine {
    /// Forward passes of the compiled transformer.
    Transformer,
    /// The plain reference interpreter.
    Vm,
}

/// Runs the command line and returns the process exit status.
pub fn main(args: impl IntoIterator<Item = OsString>) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            let status = if error.use_stderr() {
                exit::UNUSABLE
            } else {
                exit::HALTED
            };
            let _ = error.print();
            return status;
        }
    };
    let result = match cli.command {
        Command::Run(args) => run(&args),
        Command::Debug {
            program,
            files,
            weights,
        } => debug(program, &files, weights),
        Command::Repl {
            files,
            weights,
            max_steps,
        } => repl(&files, weights, max_steps),
        Command::Record {
            program,
            files,
            engine,
            weights,
            max_steps,
            out,
            activations,
            passes,
            activations_out,
        } => trace::commands::record(&trace::commands::RecordArgs {
            program: &program,
            files: &files,
            engine: match engine {
                Engine::Transformer => trace::record::Engine::Transformer,
                Engine::Vm => trace::record::Engine::Vm,
            },
            weights: weights.as_deref(),
            max_steps,
            out: out.as_deref(),
            activations: passes
                .as_deref()
                .map(|passes| trace::commands::ActivationArgs {
                    hooks: &activations,
                    passes,
                    out: activations_out.as_deref(),
                }),
        }),
        Command::Replay {
            trace: path,
            verify,
            weights,
        } => {
            if verify {
                trace::commands::verify_trace(&path, weights.as_deref())
            } else {
                trace::commands::replay_in_debugger(&path, weights.as_deref())
            }
        }
        Command::Diff { a, b } => trace::commands::diff_traces(&a, &b),
        Command::Ablate {
            names,
            weights,
            out,
        } => crate::ablate::ablate_command(&names, weights.as_deref(), &out),
        Command::Screenshot { out_dir } => screenshot(out_dir),
        Command::Compile { out_dir } => compile(out_dir),
        Command::Inspect { weights } => inspect(weights),
        Command::Bench {
            program,
            files,
            passes,
            max_size,
            weights,
        } => bench(
            program.as_deref(),
            &files,
            (passes, max_size),
            weights.as_deref(),
        ),
    };
    match result {
        Ok(status) => status,
        Err(message) => {
            eprintln!("wasmtf: {message}");
            exit::UNUSABLE
        }
    }
}

/// Reads and validates a program file.
pub fn load_program_file(path: &Path) -> Result<Program, String> {
    let bytes =
        std::fs::read(path).map_err(|error| format!("cannot read {}: {error}", path.display()))?;
    Program::from_bytes(&path.display().to_string(), &bytes).map_err(|error| error.to_string())
}

/// The built-in weights, or those of `path`.
pub fn load_weights(path: Option<&Path>) -> Result<Weights, String> {
    match path {
        Some(path) => compiled::load_file(path),
        None => compiled::load_default(),
    }
}

fn run(args: &RunArgs) -> Result<i32, String> {
    let program = Arc::new(load_program_file(&args.program)?);
    let files = FileContents::from_args(&args.files)?;
    if args.engine == Engine::Vm && args.weights.is_some() {
        return Err("--weights applies to the transformer engine, not --engine vm".into());
    }
    let report = match args.engine {
        Engine::Vm => {
            let mut vm = Vm::new(program, files);
            vm.run(args.max_steps);
            vm.report()
        }
        Engine::Transformer => {
            let weights = load_weights(args.weights.as_deref())?;
            let model = Arc::new(Model::new(Arc::new(weights)));
            let mut run = TransformerRun::new(model, program, files, Mode::Fast)?;
            let mut progress = RunProgress::new();
            run.run_reporting(args.max_steps, &mut |passes| progress.update(passes))?;
            progress.finish();
            run.report()
        }
    };
    print_report(&report, args);
    Ok(report.exit_status())
}

/// A long run's progress on stderr (passes, passes/s), drawn only when
/// stderr is a terminal and only once the run has taken a second.
struct RunProgress {
    started: std::time::Instant,
    bar: Option<indicatif::ProgressBar>,
}

impl RunProgress {
    fn new() -> RunProgress {
        RunProgress {
            started: std::time::Instant::now(),
            bar: None,
        }
    }

    fn update(&mut self, passes: u64) {
        let elapsed = self.started.elapsed();
        if self.bar.is_none() && elapsed.as_secs() >= 1 {
            let bar = indicatif::ProgressBar::new_spinner();
            bar.set_style(
                indicatif::ProgressStyle::with_template("{spinner} running: {msg}")
                    .expect("a valid template"),
            );
            self.bar = Some(bar);
        }
        if let Some(bar) = &self.bar {
            let rate = passes as f64 / elapsed.as_secs_f64();
            bar.set_message(format!("pass {passes} · {rate:.0} passes/s"));
        }
    }

    fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}

fn bench(
    program: Option<&Path>,
    files: &[String],
    (passes, max_size): (u64, usize),
    weights: Option<&Path>,
) -> Result<i32, String> {
    if passes == 0 {
        return Err("--passes 0: the bench needs at least one pass".into());
    }
    if program.is_none() && !files.is_empty() {
        return Err("--file applies to a PROGRAM; the built-in workload reads no file".into());
    }
    let files = FileContents::from_args(files)?;
    let weights = load_weights(weights)?;
    let report = crate::bench::bench_command(program, files, weights, passes, max_size)?;
    print!("{report}");
    Ok(exit::HALTED)
}

fn print_report(report: &RunReport, args: &RunArgs) {
    let mut stdout = io::BufWriter::new(io::stdout().lock());
    // A closed pipe (`wasmtf run ... | head`) is not an error of the program's.
    let _ = if args.json {
        writeln!(stdout, "{}", report.to_json())
    } else {
        report
            .outputs
            .iter()
            .try_for_each(|value| writeln!(stdout, "{value}"))
    };
    let _ = stdout.flush();
    if let Some(note) = report.ending_note() {
        eprintln!("wasmtf: {note}");
    }
}

fn compile(out_dir: Option<PathBuf>) -> Result<i32, String> {
    let dir = out_dir.unwrap_or_else(|| PathBuf::from("weights"));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let compiled = compiled::compile();
    let tensors = dir.join("wasmtf.safetensors");
    let sidecar = dir.join("wasmtf.json");
    std::fs::write(&tensors, crate::weights::io::to_safetensors(&compiled))
        .map_err(|e| format!("cannot write {}: {e}", tensors.display()))?;
    std::fs::write(&sidecar, Architecture::of(&compiled).to_json())
        .map_err(|e| format!("cannot write {}: {e}", sidecar.display()))?;
    let (total, nonzero) = compiled.parameter_counts();
    println!(
        "wrote {} and {} ({total} parameters, {nonzero} nonzero)",
        tensors.display(),
        sidecar.display()
    );
    Ok(exit::HALTED)
}

fn inspect(path: Option<PathBuf>) -> Result<i32, String> {
    let weights = load_weights(path.as_deref())?;
    let source = path.map_or_else(
        || "built-in weights".to_string(),
        |p| p.display().to_string(),
    );
    print!("{}", crate::inspect::describe(&weights, &source));
    Ok(exit::HALTED)
}

fn debug(
    program: Option<PathBuf>,
    files: &[String],
    weights: Option<PathBuf>,
) -> Result<i32, String> {
    let (name, bytes) = match &program {
        Some(path) => (
            path.display().to_string(),
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?,
        ),
        None => (
            crate::debugger::demo::DEMO_NAME.to_string(),
            crate::debugger::demo::DEMO_SOURCE.as_bytes().to_vec(),
        ),
    };
    // Assembled once: the program and a saved trace use the same binary.
    let wasm = Program::wasm_binary(&name, &bytes).map_err(|e| e.to_string())?;
    let loaded = program
        .is_some()
        .then(|| Program::from_bytes(&name, &wasm).map_err(|e| e.to_string()))
        .transpose()?;
    let files = FileContents::from_args(files)?;
    let (weights, weights_info) = trace::commands::load_weights_with_info(weights.as_deref())?;
    let mut app = crate::debugger::new_app(loaded, files, weights)?;
    app.trace_source = Some(crate::debugger::app::TraceSource {
        name,
        wasm,
        files: app.session.vm().files().clone(),
        weights: Some(weights_info),
    });
    crate::debugger::terminal::run(app).map_err(|e| format!("terminal: {e}"))?;
    Ok(exit::HALTED)
}

fn repl(files: &[String], weights: Option<PathBuf>, max_steps: u64) -> Result<i32, String> {
    let files = FileContents::from_args(files)?;
    let weights = load_weights(weights.as_deref())?;
    let repl = crate::repl::new_repl(weights, files, max_steps)?;
    crate::repl::terminal::run(repl).map_err(|e| format!("terminal: {e}"))?;
    Ok(exit::HALTED)
}

fn screenshot(out_dir: Option<PathBuf>) -> Result<i32, String> {
    let dir = out_dir.unwrap_or_else(|| PathBuf::from("screenshots"));
    let written = crate::debugger::screenshot::write_screenshots(&dir, &compiled::load_default()?)?;
    for path in written {
        println!("wrote {path}");
    }
    Ok(exit::HALTED)
}
