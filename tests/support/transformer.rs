//! Running programs on the transformer next to the VM, for the tests that
//! compare them.

use std::sync::{Arc, OnceLock};

use wasmtf::compiled::compile;
use wasmtf::engine::{Mode, Model};
use wasmtf::files::FileContents;
use wasmtf::interpreter::TransformerRun;
use wasmtf::program::Program;
use wasmtf::report::RunReport;
use wasmtf::vm::Vm;
use wasmtf::weights::Weights;

/// The compiled weights, built once per test binary.
pub fn compiled() -> &'static Weights {
    static WEIGHTS: OnceLock<Weights> = OnceLock::new();
    WEIGHTS.get_or_init(compile)
}

/// The model of the compiled weights.
pub fn model() -> Arc<Model> {
    static MODEL: OnceLock<Arc<Model>> = OnceLock::new();
    Arc::clone(MODEL.get_or_init(|| Arc::new(Model::new(Arc::new(compiled().clone())))))
}

pub fn files_of(contents: &[Vec<u8>; 4]) -> FileContents {
    let mut files = FileContents::default();
    for (n, bytes) in contents.iter().enumerate() {
        files.set(n, bytes.clone()).expect("test files fit");
    }
    files
}

pub fn run_vm(program: &Arc<Program>, files: &FileContents, max_steps: u64) -> RunReport {
    let mut vm = Vm::new(Arc::clone(program), files.clone());
    vm.run(max_steps);
    vm.report()
}

pub fn run_transformer(
    model: &Arc<Model>,
    program: &Arc<Program>,
    files: &FileContents,
    max_steps: u64,
    mode: Mode,
) -> RunReport {
    let mut run = TransformerRun::new(Arc::clone(model), Arc::clone(program), files.clone(), mode)
        .expect("within bounds");
    run.run(max_steps).expect("the engine runs");
    run.report()
}

/// Outputs, ending, final files and instruction count: everything but the
/// number of forward passes.
pub fn same_run(a: &RunReport, b: &RunReport) -> bool {
    (&a.outputs, &a.ending, &a.files, a.steps) == (&b.outputs, &b.ending, &b.files, b.steps)
}
