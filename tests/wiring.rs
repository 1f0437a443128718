//! The wiring of the built-in weights: who writes and reads each residual
//! dimension, checked against the matrices and against what the construction
//! says some heads do; the exact contribution of each head and neuron, checked
//! against the residual stream of real captured passes.

mod support;

use std::collections::HashSet;
use std::sync::{Arc, OnceLock};

use support::ENV_IMPORTS;
use wasmtf::compiled::load_default;
use wasmtf::engine::capture::PassCapture;
use wasmtf::engine::{Mode, Model};
use wasmtf::files::FileContents;
use wasmtf::interpreter::TransformerRun;
use wasmtf::program::Program;
use wasmtf::report::Ending;
use wasmtf::weights::wiring::{
    Component, Entry, Link, Via, Wiring, head_contribution, neuron_contribution,
};
use wasmtf::weights::{InputKind, OutputKind, Weights};

/// The embedded default weights, loaded once per test binary.
fn weights() -> &'static Weights {
    static WEIGHTS: OnceLock<Weights> = OnceLock::new();
    WEIGHTS.get_or_init(|| load_default().expect("the built-in weights load"))
}

fn wiring() -> &'static Wiring {
    static WIRING: OnceLock<Wiring> = OnceLock::new();
    WIRING.get_or_init(|| Wiring::new(weights()))
}

fn dim(w: &Weights, name: &str) -> usize {
    w.dims
        .iter()
        .position(|d| d == name)
        .unwrap_or_else(|| panic!("no dimension {name}"))
}

fn head(w: &Weights, layer: usize, name: &str) -> Component {
    let head = w.layers[layer]
        .heads
        .iter()
        .position(|h| h.name == name)
        .unwrap_or_else(|| panic!("no head {name} in layer {layer}"));
    Component::Head { layer, head }
}

fn neuron(w: &Weights, layer: usize, name: &str) -> Component {
    let neuron = w.layers[layer]
        .neuron_names
        .iter()
        .position(|n| n == name)
        .unwrap_or_else(|| panic!("no neuron {name} in layer {layer}"));
    Component::Neuron { layer, neuron }
}

fn components(links: &[Link]) -> Vec<Component> {
    links.iter().map(|l| l.component).collect()
}

/// The matrix entry an [`Entry`] claims to be, read straight off the weights.
fn matrix_entry(w: &Weights, d: usize, component: Component, via: Via) -> f64 {
    match (component, via) {
        (Component::Position, Via::Position) => {
            assert_eq!(d, w.position_dim);
            1.0
        }
        (Component::Embedding { field }, via) => match (&w.inputs[field].kind, via) {
            (InputKind::Table { min, table }, Via::Table { value }) => {
                table[[(value - min) as usize, d]]
            }
            (InputKind::Numeric { linear, .. }, Via::Linear) => linear[d],
            (InputKind::Numeric { quadratic, .. }, Via::Quadratic) => quadratic[d],
            other => panic!("embedding entry {other:?}"),
        },
        (Component::Head { layer, head }, via) => {
            let h = &w.layers[layer].heads[head];
            match via {
                Via::Query { row } => h.w_q[[row, d]],
                Via::Key { row } => h.w_k[[row, d]],
                Via::Value { row } => h.w_v[[row, d]],
                Via::HeadOutput { component } => h.w_o[[d, component]],
                other => panic!("head entry {other:?}"),
            }
        }
        (Component::Neuron { layer, neuron }, via) => {
            let l = &w.layers[layer];
            match via {
                Via::Gate => l.w_gate[[neuron, d]],
                Via::NeuronValue => l.w_val[[neuron, d]],
                Via::NeuronOutput => l.w_out[[d, neuron]],
                other => panic!("neuron entry {other:?}"),
            }
        }
        (Component::Unembedding { field }, via) => match (&w.outputs[field].kind, via) {
            (OutputKind::Categorical { w: m, .. }, Via::Logit { value }) => m[[value as usize, d]],
            (OutputKind::Quadratic { readout, .. }, Via::Readout) => readout[d],
            other => panic!("unembedding entry {other:?}"),
        },
        other => panic!("entry {other:?}"),
    }
}

fn nonzero_biases(w: &Weights) -> usize {
    let count = |b: &ndarray::Array1<f64>| b.iter().filter(|v| **v != 0.0).count();
    let mut n = 0;
    for layer in &w.layers {
        for h in &layer.heads {
            n += count(&h.b_q) + count(&h.b_k) + count(&h.b_v);
        }
        n += count(&layer.b_gate) + count(&layer.b_val);
    }
    for field in &w.outputs {
        n += match &field.kind {
            OutputKind::Categorical { b, .. } => count(b),
            OutputKind::Quadratic { bias, .. } => usize::from(*bias != 0.0),
        };
    }
    n
}

#[test]
fn every_nonzero_weight_is_wired_exactly_once_and_as_it_is_in_the_matrices() {
    let w = weights();
    let wiring = wiring();
    assert_eq!(wiring.d_model(), w.d_model());
    let mut seen = HashSet::new();
    let mut entries = 0;
    for d in 0..w.d_model() {
        for (links, writes) in [(wiring.writers(d), true), (wiring.readers(d), false)] {
            for link in links {
                assert!(!link.entries.is_empty());
                for &Entry { via, weight } in &link.entries {
                    assert_eq!(via.writes(), writes, "{via:?}");
                    assert!(
                        seen.insert((d, link.component, via)),
                        "{d} {:?} {via:?} twice",
                        link.component
                    );
                    assert_ne!(weight, 0.0);
                    assert_eq!(
                        weight.to_bits(),
                        matrix_entry(w, d, link.component, via).to_bits(),
                        "{} {} {}",
                        w.dims[d],
                        link.component.name(w),
                        via.label()
                    );
                    if link.component != Component::Position {
                        entries += 1;
                    }
                }
            }
        }
    }
    // With the biases, that is every non-zero parameter the weights count.
    let (_, nonzero) = w.parameter_counts();
    assert_eq!(entries + nonzero_biases(w), nonzero);
}

#[test]
fn the_position_dimension_is_written_by_the_position_only() {
    let w = weights();
    let pos = dim(w, "pos");
    assert_eq!(w.position_dim, pos);
    assert_eq!(
        wiring().writers(pos),
        &[Link {
            component: Component::Position,
            entries: vec![Entry {
                via: Via::Position,
                weight: 1.0
            }],
        }]
    );
    assert!(!wiring().unwritten_dims().contains(&pos));
    // Nothing else writes it anywhere, and the position is not written
    // anywhere else.
    for d in (0..w.d_model()).filter(|&d| d != pos) {
        assert!(
            !components(wiring().writers(d)).contains(&Component::Position),
            "{}",
            w.dims[d]
        );
    }
}

#[test]
fn the_stack_heads_and_the_fetch_are_wired_as_built() {
    let w = weights();
    let wiring = wiring();
    let top = head(w, 1, "stack.top");
    let second = head(w, 1, "stack.second");
    // Value component b of `stack.top` is bit b of the top, written to top.bb
    // and nowhere else.
    for b in 0..32 {
        for (component, prefix) in [(top, "top"), (second, "second")] {
            assert_eq!(
                wiring.writers(dim(w, &format!("{prefix}.b{b}"))),
                &[Link {
                    component,
                    entries: vec![Entry {
                        via: Via::HeadOutput { component: b },
                        weight: 1.0
                    }],
                }]
            );
        }
    }
    let cmp = wiring.writers(dim(w, "res.b0"));
    let mid = cmp
        .iter()
        .find(|l| l.component == neuron(w, 1, "alu.cmp.eq.mid"))
        .unwrap();
    assert_eq!(mid.strongest(), -2.0);
    // The sum head writes the depth, which both stack heads' queries and keys
    // read to find their slot.
    let depth = dim(w, "depth");
    assert_eq!(components(wiring.writers(depth)), vec![head(w, 0, "depth")]);
    for component in [top, second] {
        let link = wiring
            .readers(depth)
            .iter()
            .find(|l| l.component == component)
            .expect("the stack heads read the depth");
        assert!(
            link.entries
                .iter()
                .any(|e| matches!(e.via, Via::Query { .. }))
        );
        assert!(
            link.entries
                .iter()
                .any(|e| matches!(e.via, Via::Key { .. }))
        );
    }
    // The fetch finds the instruction whose index equals ip: its query reads
    // the trace token's ip, its key the instruction's index.
    let fetch = head(w, 0, "fetch");
    let reads_via = |name: &str, test: fn(&Via) -> bool| {
        wiring
            .readers(dim(w, name))
            .iter()
            .any(|l| l.component == fetch && l.entries.iter().any(|e| test(&e.via)))
    };
    assert!(reads_via("tok.ip", |v| matches!(v, Via::Query { .. })));
    assert!(reads_via("ins.index", |v| matches!(v, Via::Key { .. })));
    // Byte 0 of the emitted value is read off the result bits.
    let v0 = w.outputs.iter().position(|f| f.name == "v0").unwrap();
    assert!(
        components(wiring.readers(dim(w, "res.b0")))
            .contains(&Component::Unembedding { field: v0 })
    );
}

#[test]
fn components_have_readable_names() {
    let w = weights();
    assert_eq!(head(w, 1, "stack.top").name(w), "layer 1 head stack.top");
    assert_eq!(
        neuron(w, 1, "alu.add.b0.ge1.up").name(w),
        "layer 1 neuron alu.add.b0.ge1.up"
    );
    let op = w.inputs.iter().position(|f| f.name == "instr.op").unwrap();
    assert_eq!(
        Component::Embedding { field: op }.name(w),
        "embedding instr.op"
    );
    let push = w.outputs.iter().position(|f| f.name == "push").unwrap();
    assert_eq!(
        Component::Unembedding { field: push }.name(w),
        "unembedding push"
    );
    assert_eq!(Component::Position.name(w), "position");
    assert_eq!(
        Component::Head { layer: 9, head: 0 }.name(w),
        "layer 9 head #0"
    );
}

#[test]
fn the_built_in_weights_have_no_empty_outputs_and_no_unwritten_dimension() {
    let w = weights();
    let names = |cs: &[Component]| cs.iter().map(|c| c.name(w)).collect::<Vec<_>>();
    assert_eq!(names(wiring().empty_outputs()), Vec::<String>::new());
    assert_eq!(wiring().unwritten_dims(), &[] as &[usize]);
    // Unread dimensions may be legitimate (a one-hot of an opcode nothing
    // needs to recognise), but each is still written by something.
    for &d in wiring().unread_dims() {
        assert!(!wiring().writers(d).is_empty(), "{}", w.dims[d]);
        assert!(wiring().readers(d).is_empty());
    }
}

#[test]
fn a_neuron_whose_output_column_is_zeroed_is_an_empty_output_and_no_writer() {
    let w = weights();
    let target = neuron(w, 1, "alu.add.b0.ge1.up");
    let Component::Neuron { layer, neuron: n } = target else {
        unreachable!()
    };
    let res = dim(w, "res.b0");
    assert!(components(wiring().writers(res)).contains(&target));
    assert!(!wiring().is_empty_output(target));

    let mut zeroed = w.clone();
    zeroed.layers[layer].w_out.clear_column(n);
    let after = Wiring::new(&zeroed);
    assert_eq!(after.empty_outputs(), &[target]);
    assert!(after.is_empty_output(target));
    for d in 0..w.d_model() {
        assert!(!components(after.writers(d)).contains(&target));
        // What it reads is unchanged.
        assert_eq!(after.readers(d), wiring().readers(d));
    }
    assert!(
        !after.writers(res).is_empty(),
        "other neurons still write it"
    );
    assert!(neuron_contribution(&zeroed, layer, n, 1.0, 1.0).is_empty());

    // Ablating it the other way (zero gate: it never fires) keeps its output
    // wiring but removes its gate reads.
    let mut dead = w.clone();
    assert_eq!(dead.ablate_neurons("alu.add.b0.ge1.up"), 1);
    let after = Wiring::new(&dead);
    assert!(after.empty_outputs().is_empty());
    assert!(components(after.writers(res)).contains(&target));
    for d in 0..w.d_model() {
        for link in after.readers(d).iter().filter(|l| l.component == target) {
            assert!(link.entries.iter().all(|e| e.via != Via::Gate));
        }
    }
}

#[test]
fn a_head_whose_output_is_zeroed_is_an_empty_output_and_its_dimensions_unwritten() {
    let w = weights();
    let top = head(w, 1, "stack.top");
    let mut zeroed = w.clone();
    assert_eq!(zeroed.ablate_heads("stack.top"), 1);
    let after = Wiring::new(&zeroed);
    assert_eq!(after.empty_outputs(), &[top]);
    let top_bits: Vec<usize> = (0..32).map(|b| dim(w, &format!("top.b{b}"))).collect();
    assert_eq!(after.unwritten_dims(), top_bits.as_slice());
    for d in 0..w.d_model() {
        assert!(!components(after.writers(d)).contains(&top));
    }
    // It still reads the depth.
    assert!(components(after.readers(dim(w, "depth"))).contains(&top));
    let Component::Head { layer, head } = top else {
        unreachable!()
    };
    assert!(!head_contribution(w, layer, head, &[1.0; 32]).is_empty());
    assert!(head_contribution(&zeroed, layer, head, &[1.0; 32]).is_empty());
}

#[test]
fn a_neuron_contribution_is_its_output_column_times_gate_times_value() {
    let w = weights();
    let Component::Neuron { layer, neuron: n } = neuron(w, 1, "alu.add.b0.ge1.up") else {
        unreachable!()
    };
    let w_out = &w.layers[layer].w_out;
    let column: Vec<(usize, f64)> = (0..w.d_model())
        .map(|d| (d, w_out[[d, n]]))
        .filter(|&(_, v)| v != 0.0)
        .collect();
    assert!(!column.is_empty());
    let scaled: Vec<(usize, f64)> = column.iter().map(|&(d, v)| (d, v * 6.0)).collect();
    assert_eq!(neuron_contribution(w, layer, n, 2.0, 3.0), scaled);
    // The gate is a ReLU: a gate at or below zero adds nothing; so does a zero
    // value.
    assert!(neuron_contribution(w, layer, n, 0.0, 3.0).is_empty());
    assert!(neuron_contribution(w, layer, n, -2.0, 3.0).is_empty());
    assert!(neuron_contribution(w, layer, n, 2.0, 0.0).is_empty());
    // Out of range.
    assert!(neuron_contribution(w, 99, 0, 1.0, 1.0).is_empty());
    assert!(neuron_contribution(w, layer, usize::MAX, 1.0, 1.0).is_empty());
}

/// Locals, memory, a multiplication, a branch loop, a file read and write:
/// every kind of head reads something.
const PROGRAM: &str = r#"
  (local.set $a (i32.const 3))
  (i32.store (i32.const 8) (i32.mul (local.get $a) (i32.const 7)))
  (drop (call $fd_open (i32.const 0)))
  (call $output (i32.add (i32.load (i32.const 8)) (call $fd_read (i32.const 0))))
  (drop (call $fd_open (i32.const 1)))
  (call $fd_write (i32.const 1) (i32.const 65))
  (loop $l
    (call $output (local.get $a))
    (local.set $a (i32.sub (local.get $a) (i32.const 1)))
    (br_if $l (local.get $a)))
"#;

fn run(mode: Mode) -> (TransformerRun, Arc<Weights>) {
    let source = format!(
        "(module {ENV_IMPORTS} (memory 1) (func (export \"main\") (local $a i32) {PROGRAM}))"
    );
    let program = Arc::new(Program::from_wat("wiring.wat", &source).unwrap());
    let mut files = FileContents::default();
    files.set(0, b"hi".to_vec()).unwrap();
    let weights = Arc::new(weights().clone());
    let model = Arc::new(Model::new(Arc::clone(&weights)));
    (
        TransformerRun::new(model, program, files, mode).unwrap(),
        weights,
    )
}

#[test]
fn heads_and_neurons_contributions_add_up_to_the_residual_updates() {
    for mode in [Mode::Fast, Mode::Reference] {
        let (mut run, w) = run(mode);
        let layers = w.layers.len();
        let mut heads_wrote = vec![0usize; layers];
        let mut neurons_wrote = vec![0usize; layers];
        let mut passes = 0;
        while !run.finished() {
            let mut capture = PassCapture::default();
            run.step(Some(&mut capture)).unwrap();
            passes += 1;
            assert_eq!(capture.layers.len(), layers);
            for (l, lc) in capture.layers.iter().enumerate() {
                // Attention: the heads' contributions, summed.
                let mut heads = vec![0.0; w.d_model()];
                let mut writers = vec![0usize; w.d_model()];
                for (h, hc) in lc.heads.iter().enumerate() {
                    let contribution = head_contribution(&w, l, h, &hc.value);
                    heads_wrote[l] += usize::from(!contribution.is_empty());
                    for (d, x) in contribution {
                        heads[d] += x;
                        writers[d] += 1;
                    }
                }
                for d in 0..w.d_model() {
                    let (pre, mid) = (lc.resid_pre[d], lc.resid_mid[d]);
                    let error = (pre + heads[d] - mid).abs();
                    assert!(
                        error <= 1e-9 * mid.abs().max(1.0),
                        "{mode:?} layer {l} {}: {pre} + {} != {mid}",
                        w.dims[d],
                        heads[d]
                    );
                    // With a single head writing it, the sum is the engine's own.
                    if writers[d] <= 1 {
                        assert_eq!(pre + heads[d], mid, "{mode:?} layer {l} {}", w.dims[d]);
                    }
                }
                // Feed-forward: the fired neurons' contributions, added in
                // neuron order, give exactly the engine's update (no bias).
                let mut neurons = vec![0.0; w.d_model()];
                for nc in &lc.neurons {
                    let contribution = neuron_contribution(&w, l, nc.index, nc.gate, nc.value);
                    neurons_wrote[l] += usize::from(!contribution.is_empty());
                    for (d, x) in contribution {
                        neurons[d] += x;
                    }
                }
                for (d, (mid, post)) in lc.resid_mid.iter().zip(&lc.resid_post).enumerate() {
                    assert_eq!(mid + neurons[d], *post, "{mode:?} layer {l} {}", w.dims[d]);
                }
            }
        }
        // The program ran as written: 3·7 + 'h', then the loop's countdown,
        // and 'A' written to file 1.
        let outputs: Vec<i32> = (0..run.outputs().len())
            .map(|i| *run.outputs().get(i).unwrap())
            .collect();
        assert_eq!(outputs, vec![21 + i32::from(b'h'), 3, 2, 1], "{mode:?}");
        assert_eq!(run.ending(), Some(&Ending::Halted), "{mode:?}");
        assert_eq!(run.files().0[1], b"A", "{mode:?}");
        assert!(passes > 20, "{passes}");
        for l in 0..layers {
            assert!(heads_wrote[l] > 0, "{mode:?}: no head of layer {l} wrote");
            assert!(
                neurons_wrote[l] > 0,
                "{mode:?}: no neuron of layer {l} wrote"
            );
        }
    }
}
