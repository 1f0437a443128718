//! The fast path (sparse rows, hard-max heads through an index of distinct
//! keys, analytic argmax of quadratic fields) emits exactly the tokens of the
//! reference path (dense matrices, every position scanned, every logit
//! computed), pass by pass.

mod support;

use std::sync::Arc;

use support::corpus::load_corpus;
use support::traces::recorded;
use support::transformer::{files_of, model, run_vm};
use support::weights::{ablated, perturbed};
use wasmtf::engine::{Mode, Model};
use wasmtf::interpreter::TransformerRun;
use wasmtf::program::Program;
use wasmtf::trace::record::Engine;

/// Cases up to this many instructions (the reference path is slow by design).
const STEP_CAP: u64 = 80;
/// Cases compared (the first ones short enough, in corpus order).
const CASES: usize = 40;
/// Cases compared on each set of edited weights.
const EDITED_CASES: usize = 8;

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

/// On weights other than the compiled ones — ablated, and perturbed so that
/// most argmaxes go wrong — the fast path (gate columns with guard groups
/// skipped by a bound, indexed heads, analytic argmax) still emits exactly
/// the reference's argmaxes with the same tokens fed in, or fails at the
/// same pass.
#[test]
fn on_edited_weights_the_fast_path_emits_the_reference_argmaxes() {
    let mut disagreeing = 0;
    for (name, weights) in [
        ("ablated", ablated()),
        ("perturbed by 1e-3", perturbed(1e-3, 7)),
        ("perturbed by 0.3", perturbed(0.3, 11)),
    ] {
        let model = Arc::new(Model::new(Arc::new(weights)));
        let mut compared = 0;
        for entry in load_corpus() {
            let case = &entry.cases[0];
            let files = files_of(&case.files);
            let program = Arc::new(Program::from_wat(&entry.id(), &entry.source).unwrap());
            if compared == EDITED_CASES || run_vm(&program, &files, STEP_CAP + 1).steps > STEP_CAP {
                continue;
            }
            let trace = recorded(&entry.source, files.clone(), Engine::Vm);
            let run = |mode| {
                TransformerRun::new(
                    Arc::clone(&model),
                    Arc::clone(&program),
                    files.clone(),
                    mode,
                )
            };
            let (mut fast, mut reference) = (run(Mode::Fast), run(Mode::Reference));
            for (i, pass) in trace.passes.iter().enumerate() {
                let (fast_run, reference_run) = match (&mut fast, &mut reference) {
                    (Ok(f), Ok(r)) => (f, r),
                    (f, r) => {
                        assert_eq!(f.is_ok(), r.is_ok(), "{name}, {}: the prompt", entry.id());
                        break;
                    }
                };
                let a = fast_run.step_forced(pass.token, None);
                let b = reference_run.step_forced(pass.token, None);
                match (a, b) {
                    (Ok(a), Ok(b)) => {
                        assert_eq!(a, b, "{name}, {} at pass {}", entry.id(), i + 1);
                        disagreeing += usize::from(a != pass.token);
                    }
                    (a, b) => {
                        assert_eq!(
                            a.is_ok(),
                            b.is_ok(),
                            "{name}, {} at pass {}",
                            entry.id(),
                            i + 1
                        );
                        break;
                    }
                }
            }
            compared += 1;
        }
        assert_eq!(compared, EDITED_CASES, "{name}: not enough short cases");
    }
    // The edited weights really do go wrong, so argmaxes other than the
    // recorded tokens were compared.
    eprintln!("{disagreeing} passes disagree with the recording");
    assert!(disagreeing > 50, "only {disagreeing} passes disagree");
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

#[test]
fn a_nan_gate_fails_the_pass_on_both_paths() {
    // A layer-1 neuron edited in memory to an infinite gate weight on
    // res.b0, which only layer 1's own neurons write: at every pass its
    // gate is 0 + ∞·0, NaN. A NaN gate passes its neuron on both paths, so
    // the NaN reaches the residual and the first pass of the prompt fails
    // (the reference once closed it, `g > 0`, while the fast path opened
    // it, `!(g ≤ 0)`, and only the fast path failed).
    let mut weights = support::transformer::compiled().clone();
    let res_b0 = weights.dims.iter().position(|d| d == "res.b0").unwrap();
    let layer = &mut weights.layers[1];
    let neuron = (0..layer.w_gate.nrows())
        .find(|&n| layer.w_out.rows().any(|row| row.cols.contains(&(n as u32))))
        .expect("a layer-1 neuron that writes the residual");
    layer.w_gate.clear_row(neuron);
    layer.w_gate.set(neuron, res_b0, f64::INFINITY);
    layer.b_gate[neuron] = 0.0;
    let model = Arc::new(Model::new(Arc::new(weights)));
    let program =
        Arc::new(Program::from_wat("t.wat", "(module (func (export \"main\") nop))").unwrap());
    let prompt = |mode| {
        let files = wasmtf::files::FileContents::default();
        TransformerRun::new(Arc::clone(&model), Arc::clone(&program), files, mode)
            .map(|_| ())
            .map_err(|e| e.to_string())
    };
    let reference = prompt(Mode::Reference);
    let message = reference.clone().expect_err("the NaN reaches the residual");
    assert!(message.contains("layer 1"), "{message}");
    assert_eq!(prompt(Mode::Fast), reference);
}
