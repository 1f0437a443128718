//! The reference VM on every case of the compliance corpus: outputs, trap kind
//! and final files must equal the recorded expectations (which are themselves
//! checked against wasmi in `oracle_corpus.rs`).

mod support;

use std::sync::Arc;

use support::corpus::{Case, CorpusProgram, load_corpus};
use wasmtf::files::FileContents;
use wasmtf::program::Program;
use wasmtf::vm::{Status, Vm};

/// The corpus promises every case halts within this many instructions, so that
/// the transformer can run all of it in the default suite.
const CORPUS_STEP_BUDGET: u64 = 50_000;

fn run_case(program: &Arc<Program>, case: &Case) -> Vm {
    let mut files = FileContents::default();
    for (number, bytes) in case.files.iter().enumerate() {
        files
            .set(number, bytes.clone())
            .expect("corpus input files fit");
    }
    let mut vm = Vm::new(Arc::clone(program), files);
    vm.run(CORPUS_STEP_BUDGET);
    vm
}

fn mismatch(entry: &CorpusProgram, case: &Case, vm: &Vm) -> Option<String> {
    let trap = match vm.status() {
        Status::Trapped(trap) => Some(trap.kind.name().to_string()),
        Status::Halted => None,
        Status::Running => {
            return Some(format!(
                "did not stop within {CORPUS_STEP_BUDGET} instructions"
            ));
        }
    };
    let final_files: std::collections::BTreeMap<u8, Vec<u8>> = vm
        .files()
        .0
        .iter()
        .enumerate()
        .filter(|(_, bytes)| !bytes.is_empty())
        .map(|(number, bytes)| (number as u8, bytes.clone()))
        .collect();
    let mut problems = Vec::new();
    if vm.outputs().to_vec() != case.outputs {
        problems.push(format!(
            "outputs {:?}, expected {:?}",
            vm.outputs(),
            case.outputs
        ));
    }
    if trap != case.trap {
        problems.push(format!("trap {trap:?}, expected {:?}", case.trap));
    }
    if final_files != case.final_files {
        problems.push(format!(
            "files {final_files:?}, expected {:?}",
            case.final_files
        ));
    }
    (!problems.is_empty()).then(|| {
        format!(
            "{} [{}]: {}",
            entry.path.display(),
            case.name,
            problems.join("; ")
        )
    })
}

#[test]
fn the_vm_gives_every_recorded_expectation() {
    let corpus = load_corpus();
    let mut failures = Vec::new();
    let mut cases = 0;
    for entry in &corpus {
        let program = match Program::from_wat(&entry.path.display().to_string(), &entry.source) {
            Ok(program) => Arc::new(program),
            Err(error) => {
                failures.push(format!("{error}"));
                continue;
            }
        };
        for case in &entry.cases {
            cases += 1;
            let vm = run_case(&program, case);
            failures.extend(mismatch(entry, case, &vm));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {cases} cases differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(cases >= 115, "only {cases} cases");
}
