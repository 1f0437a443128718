//! The fast path (sparse rows, hard-max heads through an index of distinct
//! keys, analytic argmax of quadratic fields) emits exactly the tokens of the
//! reference path (dense matrices, every position scanned, every logit
//! computed), pass by pass.

mod support;

use std::sync::Arc;

use support::corpus::load_corpus;
use support::transformer::{files_of, model, run_vm};
use wasmtf::engine::Mode;
use wasmtf::interpreter::TransformerRun;
use wasmtf::program::Program;

/// Cases up to this many instructions (the reference path is slow by design).
const STEP_CAP: u64 = 80;
/// Cases compared (the first ones short enough, in corpus order).
const CASES: usize = 40;

#[test]
fn fast_and_reference_paths_emit_the_same_tokens() {
    let model = model();
    let mut compared = 0;
    for entry in load_corpus() {
        let program = Arc::new(Program::from_wat(&entry.id(), &entry.source).unwrap());
        for case in &entry.cases {
            let files = files_of(&case.files);
            if compared == CASES || run_vm(&program, &files, STEP_CAP + 1).steps > STEP_CAP {
                continue;
            }
            let mut fast = TransformerRun::new(
                Arc::clone(&model),
                Arc::clone(&program),
                files.clone(),
                Mode::Fast,
            )
            .unwrap();
            let mut reference = TransformerRun::new(
                Arc::clone(&model),
                Arc::clone(&program),
                files,
                Mode::Reference,
            )
            .unwrap();
            while !fast.finished() {
                let a = fast.step(None).unwrap();
                let b = reference.step(None).unwrap();
                assert_eq!(
                    a,
                    b,
                    "{} [{}] at step {}",
                    entry.id(),
                    case.name,
                    fast.steps()
                );
            }
            assert!(reference.finished());
            compared += 1;
        }
    }
    assert_eq!(compared, CASES, "not enough short cases");
    eprintln!("{compared} cases compared pass by pass");
}

#[test]
fn an_ip_readout_edited_to_1e308_reads_the_same_on_both_paths() {
    // 2·t·R overflows for every ip t ≥ 1: the dense scan keeps the first
    // infinite logit, ip 1; the closed form must not trust itself there.
    let mut weights = support::transformer::compiled().clone();
    let ip = weights
        .outputs
        .iter_mut()
        .find(|f| f.name == "ip")
        .expect("an ip field");
    match &mut ip.kind {
        wasmtf::weights::OutputKind::Quadratic { bias, .. } => *bias = 1e308,
        _ => panic!("ip is a quadratic field"),
    }
    let model = Arc::new(wasmtf::engine::Model::new(Arc::new(weights)));
    let program = Arc::new(
        Program::from_wat(
            "t.wat",
            "(module (func (export \"main\") (drop (i32.const 1)) (drop (i32.const 2))))",
        )
        .unwrap(),
    );
    let run = |mode| {
        let mut run = TransformerRun::new(
            Arc::clone(&model),
            Arc::clone(&program),
            wasmtf::files::FileContents::default(),
            mode,
        )
        .unwrap();
        (0..3)
            .map(|_| run.step(None).unwrap().ip)
            .collect::<Vec<_>>()
    };
    let reference = run(Mode::Reference);
    assert_eq!(
        reference,
        vec![1, 1, 1],
        "by hand: the first infinite logit"
    );
    assert_eq!(run(Mode::Fast), reference);
}
