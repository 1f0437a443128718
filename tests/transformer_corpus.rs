//! Every corpus case on the transformer gives exactly what the VM gives:
//! outputs, trap (kind and place), final files and instruction count.

mod support;

use std::sync::Arc;

use support::corpus::load_corpus;
use support::transformer::model;
use wasmtf::engine::Mode;
use wasmtf::files::FileContents;
use wasmtf::interpreter::TransformerRun;
use wasmtf::program::Program;
use wasmtf::vm::Vm;

const BUDGET: u64 = 50_000;

#[test]
fn the_transformer_matches_the_vm_on_every_corpus_case() {
    let model = model();
    let mut failures = Vec::new();
    let mut cases = 0;
    let mut passes = 0;
    for entry in load_corpus() {
        let program =
            Arc::new(Program::from_wat(&entry.path.display().to_string(), &entry.source).unwrap());
        for case in &entry.cases {
            cases += 1;
            let mut files = FileContents::default();
            for (n, bytes) in case.files.iter().enumerate() {
                files.set(n, bytes.clone()).unwrap();
            }
            let mut vm = Vm::new(Arc::clone(&program), files.clone());
            vm.run(BUDGET);
            let mut run =
                TransformerRun::new(Arc::clone(&model), Arc::clone(&program), files, Mode::Fast)
                    .unwrap();
            run.run(BUDGET).unwrap();
            let (expected, got) = (vm.report(), run.report());
            passes += got.tokens;
            if (
                &expected.outputs,
                &expected.ending,
                &expected.files,
                expected.steps,
            ) != (&got.outputs, &got.ending, &got.files, got.steps)
            {
                failures.push(format!(
                    "{} [{}]:\n  vm:          {:?} {:?} {:?} steps {}\n  transformer: {:?} {:?} {:?} steps {}",
                    entry.id(),
                    case.name,
                    expected.outputs,
                    expected.ending,
                    expected.files.non_empty_hex(),
                    expected.steps,
                    got.outputs,
                    got.ending,
                    got.files.non_empty_hex(),
                    got.steps
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {cases} cases differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!("{cases} cases, {passes} forward passes");
}
