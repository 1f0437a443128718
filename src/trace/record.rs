//! `wasmtf record`: run a program on either engine and write its trace. The
//! header carries everything a replay needs (the module, the files, the
//! prompt and file memory as field values, which weights ran), so a trace
//! replays on another machine without the program or its inputs.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Arc;

use base64::Engine as _;
use sha2::{Digest, Sha256};

use super::format::{
    ArchitectureInfo, FORMAT, Footer, Header, ProgramInfo, VERSION, WeightsInfo, hex,
};
use super::vm_tokens::{Before, vm_token};
use super::writer::TraceWriter;
use crate::engine::{Mode, Model};
use crate::files::{FILE_COUNT, FileContents};
use crate::interpreter::TransformerRun;
use crate::interpreter::encode;
use crate::interpreter::prompt::{file_entries, prompt};
use crate::program::Program;
use crate::report::{Ending, RunReport};
use crate::vm::{Status, Vm};
use crate::weights::Weights;
use crate::weights::io::Architecture;

/// Which engine a trace was recorded with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Transformer,
    Vm,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Engine::Transformer => "transformer",
            Engine::Vm => "vm",
        }
    }
}

/// Lowercase hex SHA-256.
pub fn sha256(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// The architecture summary of `weights`.
pub fn architecture_info(weights: &Weights) -> ArchitectureInfo {
    ArchitectureInfo {
        sha256: sha256(Architecture::of(weights).to_json().as_bytes()),
        d_model: weights.d_model(),
        layers: weights.layers.len(),
        heads: weights.layers.iter().map(|l| l.heads.len()).sum(),
        neurons: weights.layers.iter().map(|l| l.neuron_names.len()).sum(),
        input_fields: weights.inputs.iter().map(|f| f.name.clone()).collect(),
        output_fields: weights.outputs.iter().map(|f| f.name.clone()).collect(),
    }
}

/// Non-empty files by number, in hex.
pub fn files_hex(files: &FileContents) -> BTreeMap<String, String> {
    (0..FILE_COUNT)
        .filter(|&f| !files.0[f].is_empty())
        .map(|f| (f.to_string(), hex(&files.0[f])))
        .collect()
}

/// The prompt and the initial file memories of `program`, as field values.
pub type Encoded = Vec<Vec<(usize, i64)>>;

pub fn encoded_prompt(program: &Program) -> Encoded {
    prompt(program).iter().map(encode).collect()
}

pub fn encoded_file_memory(files: &FileContents) -> Vec<Encoded> {
    (0..FILE_COUNT)
        .map(|f| file_entries(&files.0[f]).iter().map(encode).collect())
        .collect()
}

/// What a recording is of.
pub struct Recording {
    /// The name the program was given (its path).
    pub name: String,
    /// The module as a binary.
    pub wasm: Vec<u8>,
    pub program: Arc<Program>,
    pub files: FileContents,
    pub engine: Engine,
    /// The weights the transformer runs; for the VM, those whose token
    /// fields the trace uses.
    pub weights: Arc<Weights>,
    /// Where the weights came from (`None` for the VM).
    pub weights_info: Option<WeightsInfo>,
    pub max_steps: u64,
}

impl Recording {
    pub fn header(&self) -> Header {
        Header {
            format: FORMAT.into(),
            version: VERSION,
            program: ProgramInfo {
                name: self.name.clone(),
                sha256: sha256(&self.wasm),
                wasm: base64::engine::general_purpose::STANDARD.encode(&self.wasm),
            },
            files: files_hex(&self.files),
            engine: self.engine.name().into(),
            weights: self.weights_info.clone(),
            architecture: architecture_info(&self.weights),
            max_steps: self.max_steps,
            prompt: encoded_prompt(&self.program),
            file_memory: encoded_file_memory(&self.files),
        }
    }

    /// Runs the program and writes its trace to `out`, calling `progress`
    /// with the pass count now and then. The report is `run`'s.
    pub fn record<W: Write>(
        &self,
        out: W,
        progress: &mut dyn FnMut(u64),
    ) -> Result<RunReport, String> {
        let io = |e: std::io::Error| format!("cannot write the trace: {e}");
        let mut writer = TraceWriter::new(out, &self.header()).map_err(io)?;
        let result = match self.engine {
            Engine::Transformer => self.run_transformer(&mut writer, progress),
            Engine::Vm => Ok(self.run_vm(&mut writer, progress).map_err(io)?),
        };
        let report = match result {
            Ok(report) => report,
            Err(error) => {
                let footer = Footer {
                    ending: "failed".into(),
                    message: Some(error.clone()),
                    outputs: Vec::new(),
                    files: BTreeMap::new(),
                    steps: writer.passes(),
                    passes: writer.passes(),
                };
                writer.finish(&footer).map_err(io)?;
                return Err(error);
            }
        };
        let passes = writer.passes();
        writer.finish(&footer_of(&report, passes)).map_err(io)?;
        Ok(report)
    }

    fn run_transformer<W: Write>(
        &self,
        writer: &mut TraceWriter<W>,
        progress: &mut dyn FnMut(u64),
    ) -> Result<RunReport, String> {
        let model = Arc::new(Model::new(Arc::clone(&self.weights)));
        let mut run = TransformerRun::new(
            model,
            Arc::clone(&self.program),
            self.files.clone(),
            Mode::Fast,
        )?;
        while !run.finished() && run.steps() < self.max_steps {
            let ip = run.token().ip;
            let token = run.step(None)?;
            writer
                .pass(run.steps(), ip, &token)
                .map_err(|e| format!("cannot write the trace: {e}"))?;
            if run.steps().is_multiple_of(4096) {
                progress(run.steps());
            }
        }
        Ok(run.report())
    }

    fn run_vm<W: Write>(
        &self,
        writer: &mut TraceWriter<W>,
        progress: &mut dyn FnMut(u64),
    ) -> std::io::Result<RunReport> {
        let mut vm = Vm::new(Arc::clone(&self.program), self.files.clone());
        while vm.status() == Status::Running && vm.steps() < self.max_steps {
            let before = Before::of(&vm);
            vm.step();
            writer.pass(vm.steps(), before.executed as i64, &vm_token(&vm, before))?;
            if vm.steps().is_multiple_of(4096) {
                progress(vm.steps());
            }
        }
        Ok(vm.report())
    }
}

/// The footer of a finished run whose trace has `passes` pass lines.
pub fn footer_of(report: &RunReport, passes: u64) -> Footer {
    let (ending, message) = match &report.ending {
        Ending::Halted => ("halted", None),
        Ending::Trapped(message) => ("trapped", Some(message.clone())),
        Ending::StepLimit => ("step limit", None),
    };
    Footer {
        ending: ending.into(),
        message,
        outputs: report.outputs.clone(),
        files: files_hex(&report.files),
        steps: report.steps,
        passes,
    }
}

/// Writes a trace of passes already run, `(instruction executed, token)`
/// each, with the footer when the run has ended (the debugger's "save the
/// trace so far").
pub fn write_trace<W: Write>(
    header: &Header,
    passes: impl IntoIterator<Item = (i64, crate::interpreter::tokens::TraceToken)>,
    footer: Option<&Footer>,
    out: W,
) -> std::io::Result<W> {
    let mut writer = TraceWriter::new(out, header)?;
    for (i, (ip, token)) in passes.into_iter().enumerate() {
        writer.pass(i as u64 + 1, ip, &token)?;
    }
    match footer {
        Some(footer) => writer.finish(footer),
        None => writer.finish_prefix(),
    }
}
