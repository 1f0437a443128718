//! The command line of SPEC §3: argument parsing with clap, and the commands,
//! kept thin over the library. Every failure becomes a message and an exit
//! status, never a panic.

use std::ffi::OsString;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Parser, Subcommand, ValueEnum};

use crate::files::FileContents;
use crate::program::Program;
use crate::report::{Ending, RunReport, exit};
use crate::vm::Vm;

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

fn run(args: &RunArgs) -> Result<i32, String> {
    let program = Arc::new(load_program_file(&args.program)?);
    let files = FileContents::from_args(&args.files)?;
    let report = match args.engine {
        Engine::Vm => {
            let mut vm = Vm::new(program, files);
            vm.run(args.max_steps);
            vm.report()
        }
        Engine::Transformer => {
            return Err(
                "the transformer engine is not built yet; run with --engine vm".to_string(),
            );
        }
    };
    print_report(&report, args);
    Ok(report.exit_status())
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
    match &report.ending {
        Ending::Halted => {}
        Ending::Trapped(message) => eprintln!("wasmtf: trap: {message}"),
        Ending::StepLimit => eprintln!(
            "wasmtf: step limit reached: {} instructions executed without halting (raise it with --max-steps)",
            report.steps
        ),
    }
}
