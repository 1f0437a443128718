//! The batched prefill emits, at every pass, the argmax of the one-pass-at-a-
//! time forward pass with the same recorded tokens fed in. Checked on the
//! corpus and on a loop long enough to cross every boundary of the prefill
//! (blocks, threads, forgotten reads), with the compiled weights, ablated
//! weights and weights perturbed so that most passes disagree with the
//! recording; and a pass that fails, fails at the same pass in both.

mod support;

use std::sync::Arc;

use support::ENV_IMPORTS;
use support::corpus::load_corpus;
use support::traces::recorded;
use support::transformer::{compiled, files_of};
use support::weights::{ablated, perturbed};
use wasmtf::engine::Model;
use wasmtf::engine::prefill::PrefillPlan;
use wasmtf::files::FileContents;
use wasmtf::interpreter::TransformerRun;
use wasmtf::interpreter::prefill::forced_argmaxes;
use wasmtf::interpreter::tokens::TraceToken;
use wasmtf::trace::reader::Trace;
use wasmtf::trace::record::Engine;

/// Argmaxes until the first failing pass, and that pass (1-based) if any.
#[derive(Debug)]
struct Outcome {
    argmaxes: Vec<TraceToken>,
    failed_at: Option<usize>,
}

fn recorded_tokens(trace: &Trace) -> Vec<TraceToken> {
    trace.passes.iter().map(|p| p.token).collect()
}

fn one_at_a_time(trace: &Trace, model: &Arc<Model>) -> Outcome {
    let mut outcome = Outcome {
        argmaxes: Vec::new(),
        failed_at: None,
    };
    let mut run = match TransformerRun::new(
        Arc::clone(model),
        Arc::clone(&trace.program),
        trace.files.clone(),
        wasmtf::engine::Mode::Fast,
    ) {
        Ok(run) => run,
        Err(_) => {
            outcome.failed_at = Some(0);
            return outcome;
        }
    };
    for (i, pass) in trace.passes.iter().enumerate() {
        match run.step_forced(pass.token, None) {
            Ok(argmax) => outcome.argmaxes.push(argmax),
            Err(_) => {
                outcome.failed_at = Some(i + 1);
                break;
            }
        }
    }
    outcome
}

/// The prefill's outcome; a failure is reported as "pass N: …" (or
/// "prompt position N: …", taken as pass 0).
fn prefilled(trace: &Trace, model: &Arc<Model>, plan: PrefillPlan) -> Outcome {
    let mut argmaxes = Vec::new();
    let result = forced_argmaxes(
        Arc::clone(model),
        &trace.program,
        &trace.files,
        &recorded_tokens(trace),
        plan,
        |first, block| {
            assert_eq!(first, argmaxes.len(), "blocks come in order");
            argmaxes.extend_from_slice(block);
        },
    );
    let failed_at = result.err().map(|message| {
        if message.starts_with("prompt position") {
            return 0;
        }
        let number = message
            .strip_prefix("pass ")
            .and_then(|rest| rest.split(':').next())
            .and_then(|n| n.parse::<usize>().ok());
        number.unwrap_or_else(|| panic!("a failure names its pass: {message}"))
    });
    Outcome {
        argmaxes,
        failed_at,
    }
}

impl Outcome {
    /// The same failing pass, and the same argmaxes wherever both have one:
    /// a failing prefill delivers only the blocks before the failing one.
    fn agrees_with(&self, reference: &Outcome) -> bool {
        let shared = self.argmaxes.len().min(reference.argmaxes.len());
        self.failed_at == reference.failed_at
            && self.argmaxes[..shared] == reference.argmaxes[..shared]
            && (self.failed_at.is_some() || self.argmaxes.len() == reference.argmaxes.len())
    }
}

/// Plans that put boundaries everywhere: tiny odd blocks on two threads,
/// reads forgotten every few pushes; and one thread, one big block.
fn plans() -> [PrefillPlan; 2] {
    [
        PrefillPlan {
            threads: 2,
            block: 13,
            remembered_pushes: 7,
        },
        PrefillPlan {
            threads: 1,
            block: 4096,
            remembered_pushes: 1 << 14,
        },
    ]
}

fn models() -> Vec<(&'static str, Arc<Model>)> {
    [
        ("ablated", ablated()),
        ("perturbed by 1e-3", perturbed(1e-3, 7)),
        ("perturbed by 0.3", perturbed(0.3, 11)),
    ]
    .into_iter()
    .map(|(name, w)| (name, Arc::new(Model::new(Arc::new(w)))))
    .collect()
}

fn check(
    label: &str,
    trace: &Trace,
    models: &[(&str, Arc<Model>)],
    plans: &[PrefillPlan],
    failures: &mut Vec<String>,
) {
    for (name, model) in models {
        let reference = one_at_a_time(trace, model);
        for &plan in plans {
            let batched = prefilled(trace, model, plan);
            if !batched.agrees_with(&reference) {
                let first = batched
                    .argmaxes
                    .iter()
                    .zip(&reference.argmaxes)
                    .position(|(a, b)| a != b);
                failures.push(format!(
                    "{label}, {name} weights, {plan:?}: first different pass {first:?}, \
                     failed at {:?} (one at a time: {:?}), {} vs {} passes",
                    batched.failed_at,
                    reference.failed_at,
                    batched.argmaxes.len(),
                    reference.argmaxes.len()
                ));
            }
        }
    }
}

#[test]
fn on_the_corpus_the_prefill_emits_the_argmaxes_of_one_pass_at_a_time() {
    let models = models();
    let mut failures = Vec::new();
    let mut disagreeing = 0;
    for entry in load_corpus() {
        // The first case of each program: the others differ in inputs only.
        let case = &entry.cases[0];
        let trace = recorded(&entry.source, files_of(&case.files), Engine::Vm);
        check(&entry.id(), &trace, &models, &plans()[..1], &mut failures);
        let perturbed = &models[2].1;
        let outcome = one_at_a_time(&trace, perturbed);
        disagreeing += outcome
            .argmaxes
            .iter()
            .zip(&trace.passes)
            .filter(|(a, p)| **a != p.token)
            .count();
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The perturbed weights really do go wrong, so the comparison above
    // covered argmaxes other than the recorded tokens.
    assert!(disagreeing > 1000, "only {disagreeing} passes disagree");
}

#[test]
fn across_blocks_threads_and_forgotten_reads_the_argmaxes_are_the_same() {
    // Memory, mul, locals and an output per iteration; 38 distinct
    // addresses (i & 252 for i < 150), so the memory heads hold many keys.
    let source = support::long_loop(150, 252);
    let trace = recorded(&source, FileContents::default(), Engine::Transformer);
    assert!(trace.passes.len() > 2500, "{} passes", trace.passes.len());
    let mut failures = Vec::new();
    check("long loop", &trace, &models(), &plans(), &mut failures);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_pass_that_overflows_fails_at_the_same_pass_in_both() {
    let trace = recorded(
        &format!(
            "(module {ENV_IMPORTS} (func (export \"main\") (local $i i32)
               (loop $l
                 (call $output (i32.mul (local.get $i) (i32.const 1000)))
                 (local.set $i (i32.add (local.get $i) (i32.const 1)))
                 (br_if $l (i32.lt_s (local.get $i) (i32.const 40))))))"
        ),
        FileContents::default(),
        Engine::Vm,
    );
    let mut failures = Vec::new();
    // The adder's neuron `alu.add.b2.ge1.up` fires with activations of 1 to
    // 5 on adds: an output weight of 1e308 overflows at the first add where
    // it exceeds 1. An infinite gate weight on a dimension that is 0 makes
    // 0 · ∞ = NaN in the prompt already.
    let (layer, neuron) = compiled()
        .layers
        .iter()
        .enumerate()
        .find_map(|(l, layer)| {
            let n = layer
                .neuron_names
                .iter()
                .position(|n| n == "alu.add.b2.ge1.up")?;
            Some((l, n))
        })
        .expect("the adder has this neuron");
    for label in ["huge output weight", "infinite gate weight"] {
        let mut weights = compiled().clone();
        let layer = &mut weights.layers[layer];
        match label {
            "huge output weight" => layer.w_out.set(0, neuron, 1e308),
            _ => layer.w_gate.set(neuron, 0, f64::INFINITY),
        }
        let model = Arc::new(Model::new(Arc::new(weights)));
        let reference = one_at_a_time(&trace, &model);
        assert!(
            reference.failed_at.is_some(),
            "{label}: the edited weights fail somewhere"
        );
        for plan in plans() {
            let batched = prefilled(&trace, &model, plan);
            if !batched.agrees_with(&reference) {
                failures.push(format!(
                    "{label}: failed at {:?}, one at a time at {:?}",
                    batched.failed_at, reference.failed_at
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
