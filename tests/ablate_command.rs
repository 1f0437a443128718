//! `wasmtf ablate` on the library side ([`wasmtf::ablate`]): which heads and
//! neurons a NAME selects, what "zeroed" does to the weights, the file it
//! writes, and — judged by the reference VM — that the ablated weights break
//! exactly the programs that need the ablated mechanism.

mod support;

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use support::ENV_IMPORTS;
use support::corpus::load_corpus;
use support::transformer::{files_of, run_transformer, run_vm, same_run};
use wasmtf::ablate::{ablate, ablate_command, name_matches};
use wasmtf::compiled as weights;
use wasmtf::engine::{Mode, Model};
use wasmtf::files::FileContents;
use wasmtf::program::{BinaryOp, Op, Program};
use wasmtf::weights::{Matrix, Weights};

/// The built-in weights, read once per test binary.
fn original() -> &'static Weights {
    static WEIGHTS: OnceLock<Weights> = OnceLock::new();
    WEIGHTS.get_or_init(|| weights::load_default().expect("the built-in weights load"))
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// A fresh directory under the system temp dir, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(test: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("wasmtf-ablate-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn entries(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Every head name and every neuron name `(layer, index, name)` of the weights.
fn head_names(w: &Weights) -> Vec<String> {
    w.layers
        .iter()
        .flat_map(|l| l.heads.iter().map(|h| h.name.clone()))
        .collect()
}

fn neuron_names(w: &Weights) -> Vec<(usize, usize, String)> {
    w.layers
        .iter()
        .enumerate()
        .flat_map(|(l, layer)| {
            layer
                .neuron_names
                .iter()
                .enumerate()
                .map(move |(n, name)| (l, n, name.clone()))
        })
        .collect()
}

/// The weights with the given heads' `w_o` and neurons' `w_out` columns zeroed,
/// built independently of the library's matching.
fn expected_ablation(
    w: &Weights,
    heads: &dyn Fn(&str) -> bool,
    neurons: &dyn Fn(&str) -> bool,
) -> Weights {
    let mut expected = w.clone();
    for layer in &mut expected.layers {
        for head in &mut layer.heads {
            if heads(&head.name) {
                head.w_o = Matrix::zeros(head.w_o.nrows(), head.w_o.ncols());
            }
        }
        // Zeroed dense, as a plain array, to check the sparse clearing.
        let mut w_out = layer.w_out.to_dense();
        for n in 0..layer.neuron_names.len() {
            if neurons(&layer.neuron_names[n]) {
                w_out.column_mut(n).fill(0.0);
            }
        }
        layer.w_out = Matrix::from_dense(&w_out);
    }
    expected
}

#[test]
fn prefixes_match_on_dot_boundaries_only() {
    for (pattern, name, expected) in [
        ("alu.add", "alu.add.b0.ge1.up", true),
        ("alu.add", "alu.add", true),
        ("alu.add", "alu.addx.b0", false),
        ("alu.ad", "alu.add.b0.ge1.up", false),
        ("mem.1.3", "mem.1.3", true),
        ("mem.1.3", "mem.1.30", false),
        ("mem", "mem.0.0", true),
        ("mem", "memory.addr.i32.load", false),
        ("file", "files.ok", false),
        ("stack.", "stack.top", true),
        ("stack.", "stack", true),
        ("alu.add.b0.ge1.up", "alu.add", false),
        ("", "alu.add", false),
        (".", "alu.add", false),
    ] {
        assert_eq!(
            name_matches(pattern, name),
            expected,
            "{pattern:?} against {name:?}"
        );
    }
}

#[test]
fn a_group_prefix_selects_its_neurons_and_no_heads() {
    let w = original();
    let mut ablated = w.clone();
    let result = ablate(&mut ablated, &names(&["alu.add"])).unwrap();
    let wanted: Vec<(usize, usize)> = neuron_names(w)
        .into_iter()
        .filter(|(_, _, n)| n.starts_with("alu.add."))
        .map(|(l, n, _)| (l, n))
        .collect();
    assert!(!wanted.is_empty());
    assert!(result.heads.is_empty(), "{:?}", result.heads);
    assert_eq!(result.neurons, wanted.len());
    assert_eq!(result.neuron_indices, wanted);
    assert_eq!(
        result.summary(),
        format!("zeroed 0 heads and {} neurons (alu.add)", wanted.len())
    );
    assert_eq!(
        ablated,
        expected_ablation(w, &|_| false, &|n| n.starts_with("alu.add."))
    );
}

#[test]
fn a_single_neuron_by_its_exact_name() {
    let w = original();
    let name = "alu.mul.b2.j1.up";
    let (layer, index, _) = neuron_names(w)
        .into_iter()
        .find(|(_, _, n)| n == name)
        .expect("the sidecar names this neuron");
    assert!(
        w.layers[layer]
            .w_out
            .to_dense()
            .column(index)
            .iter()
            .any(|&v| v != 0.0),
        "the neuron writes something before the ablation"
    );
    let mut ablated = w.clone();
    let result = ablate(&mut ablated, &names(&[name])).unwrap();
    assert_eq!(result.neuron_indices, vec![(layer, index)]);
    assert!(result.heads.is_empty());
    assert_eq!(
        result.summary(),
        format!("zeroed 0 heads and 1 neuron ({name})")
    );
    assert_eq!(ablated, expected_ablation(w, &|_| false, &|n| n == name));
}

#[test]
fn heads_by_exact_name_and_by_prefix() {
    let w = original();
    let mut ablated = w.clone();
    let result = ablate(&mut ablated, &names(&["mem.1.3"])).unwrap();
    assert_eq!(result.heads, vec!["mem.1.3".to_string()]);
    assert_eq!(result.neurons, 0);
    assert_eq!(result.summary(), "zeroed 1 head and 0 neurons (mem.1.3)");
    assert_eq!(
        ablated,
        expected_ablation(w, &|h| h == "mem.1.3", &|_| false)
    );

    // `mem` is the sixteen memory heads, not the `memory.*` neurons; `file` the
    // file heads, not the `files.*` neurons.
    let mut ablated = w.clone();
    let result = ablate(&mut ablated, &names(&["mem", "file"])).unwrap();
    let wanted: Vec<String> = head_names(w)
        .into_iter()
        .filter(|h| h.starts_with("mem.") || h.starts_with("file."))
        .collect();
    assert_eq!(wanted.len(), 16 + 5, "{wanted:?}");
    assert_eq!(result.heads, wanted);
    assert_eq!(result.neurons, 0);
    assert_eq!(result.matches[0].heads, 16);
    assert_eq!(result.matches[1].heads, 5);
}

#[test]
fn overlapping_names_zero_each_component_once() {
    let w = original();
    let mut ablated = w.clone();
    let result = ablate(
        &mut ablated,
        &names(&["alu.mul", "alu.mul.b2", "alu.mul.b2.j1.up", "depth"]),
    )
    .unwrap();
    let mul = neuron_names(w)
        .iter()
        .filter(|(_, _, n)| n.starts_with("alu.mul."))
        .count();
    assert_eq!(result.neurons, mul);
    assert_eq!(result.heads, vec!["depth".to_string()]);
    assert_eq!(result.matches[2].neurons, 1);
    assert_eq!(
        ablated,
        expected_ablation(w, &|h| h == "depth", &|n| n.starts_with("alu.mul."))
    );
}

#[test]
fn unknown_names_are_refused_by_name_and_nothing_is_zeroed() {
    let w = original();
    for (bad, hint) in [
        ("alu.addx", "alu.add"),
        ("alu.ad", "alu.add"),
        ("mem.1.30", "mem.1.3"),
        ("stak.top", "stack.top"),
    ] {
        let mut ablated = w.clone();
        let error = ablate(&mut ablated, &names(&["alu.sub", bad, "mem.0.0"])).unwrap_err();
        assert!(error.contains(&format!("{bad:?}")), "{error}");
        assert!(error.contains(hint), "{bad}: no hint {hint}: {error}");
        assert!(!error.contains("\"alu.sub\""), "{error}");
        assert_eq!(&ablated, w, "{bad}: the weights were changed");
    }
    let mut ablated = w.clone();
    let error = ablate(&mut ablated, &names(&["nonsense", "also.nonsense"])).unwrap_err();
    assert!(
        error.contains("\"nonsense\"") && error.contains("\"also.nonsense\""),
        "{error}"
    );
    assert!(
        error.contains("alu, control"),
        "the groups are listed: {error}"
    );
    let error = ablate(&mut ablated, &names(&["is_bos"])).unwrap_err();
    assert!(error.contains("residual dimension"), "{error}");
    assert!(ablate(&mut ablated, &[]).is_err());
    assert!(ablate(&mut ablated, &names(&[""])).is_err());
    assert_eq!(&ablated, w);
}

#[test]
fn the_written_file_loads_back_with_exactly_the_named_outputs_zeroed() {
    let dir = TempDir::new("roundtrip");
    let out = dir.0.join("ablated.safetensors");
    let list = names(&["alu.add", "mem.1.3", "alu.mul.b2.j1.up", "control.taken"]);
    assert_eq!(ablate_command(&list, None, &out), Ok(0));
    assert_eq!(
        dir.entries(),
        vec!["ablated.safetensors"],
        "no temporary file is left"
    );
    let loaded = weights::load_file(&out).unwrap();
    let w = original();
    let head = |h: &str| h == "mem.1.3";
    let neuron = |n: &str| {
        n.starts_with("alu.add.") || n == "alu.mul.b2.j1.up" || n.starts_with("control.taken.")
    };
    // The named components wrote something before and write nothing now.
    for (l, layer) in loaded.layers.iter().enumerate() {
        for (h, loaded_head) in layer.heads.iter().enumerate() {
            if head(&loaded_head.name) {
                assert!(
                    w.layers[l].heads[h]
                        .w_o
                        .to_dense()
                        .iter()
                        .any(|&v| v != 0.0)
                );
                assert!(loaded_head.w_o.to_dense().iter().all(|&v| v == 0.0));
            }
        }
        for (n, name) in layer.neuron_names.iter().enumerate() {
            if neuron(name) {
                assert!(
                    w.layers[l]
                        .w_out
                        .to_dense()
                        .column(n)
                        .iter()
                        .any(|&v| v != 0.0),
                    "{name}"
                );
                let loaded_out = layer.w_out.to_dense();
                assert!(loaded_out.column(n).iter().all(|&v| v == 0.0), "{name}");
            }
        }
    }
    // Everything else is bit for bit the original.
    assert_eq!(loaded, expected_ablation(w, &head, &neuron));

    // Ablating the ablated file further, in place, through --weights.
    assert_eq!(ablate_command(&names(&["depth"]), Some(&out), &out), Ok(0));
    assert_eq!(dir.entries(), vec!["ablated.safetensors"]);
    let again = weights::load_file(&out).unwrap();
    assert_eq!(
        again,
        expected_ablation(w, &|h| head(h) || h == "depth", &neuron)
    );
}

#[test]
fn a_refused_command_writes_nothing() {
    let dir = TempDir::new("refused");
    let out = dir.0.join("out.safetensors");
    let error = ablate_command(&names(&["alu.addx"]), None, &out).unwrap_err();
    assert!(error.contains("\"alu.addx\""), "{error}");
    assert!(dir.entries().is_empty());

    let missing = dir.0.join("missing.safetensors");
    let error = ablate_command(&names(&["alu.add"]), Some(&missing), &out).unwrap_err();
    assert!(error.contains("missing.safetensors"), "{error}");
    assert!(dir.entries().is_empty());

    let error = ablate_command(&names(&["alu.add"]), None, &dir.0).unwrap_err();
    assert!(error.contains("directory"), "{error}");

    let nowhere = dir.0.join("no-such-dir").join("out.safetensors");
    let error = ablate_command(&names(&["alu.add"]), None, &nowhere).unwrap_err();
    assert!(error.contains("cannot write"), "{error}");
    assert!(dir.entries().is_empty());
}

// End to end: the reference VM is the oracle.

/// Corpus cases longer than this are left to `transformer_corpus.rs`.
const STEP_CAP: u64 = 800;

fn uses_add(program: &Program) -> bool {
    program
        .instructions
        .iter()
        .any(|i| i.op == Op::Binary(BinaryOp::Add))
}

fn snippet(body: &str) -> Arc<Program> {
    let source = format!(
        "(module {ENV_IMPORTS} (memory 1) (func (export \"main\") (local $a i32) (local $b i32) {body}))"
    );
    Arc::new(Program::from_wat("snippet.wat", &source).unwrap_or_else(|e| panic!("{e}")))
}

fn model_of(path: &Path) -> Arc<Model> {
    Arc::new(Model::new(Arc::new(weights::load_file(path).unwrap())))
}

#[test]
fn weights_without_the_adder_break_the_programs_that_add_and_only_them() {
    let dir = TempDir::new("end-to-end");
    let out = dir.0.join("no-add.safetensors");
    assert_eq!(ablate_command(&names(&["alu.add"]), None, &out), Ok(0));
    let model = model_of(&out);

    let none = FileContents::default();
    let add = snippet("(call $output (i32.add (i32.const 2) (i32.const 3)))");
    let sub = snippet(
        "(local.set $a (i32.const 10))
         (call $output (i32.sub (local.get $a) (i32.const 3)))
         (call $output (i32.mul (local.get $a) (i32.const 7)))",
    );
    assert!(uses_add(&add) && !uses_add(&sub));
    let vm = run_vm(&add, &none, STEP_CAP);
    assert_eq!(vm.outputs, vec![5]);
    let got = run_transformer(&model, &add, &none, STEP_CAP, Mode::Fast);
    assert!(!same_run(&vm, &got), "2 + 3 still right without the adder");
    let vm = run_vm(&sub, &none, STEP_CAP);
    let got = run_transformer(&model, &sub, &none, STEP_CAP, Mode::Fast);
    assert!(
        same_run(&vm, &got),
        "sub and mul: vm {vm:?}, transformer {got:?}"
    );

    let (mut adders, mut broken, mut others) = (0, 0, 0);
    let mut problems = Vec::new();
    for entry in load_corpus() {
        let program = Arc::new(Program::from_wat(&entry.id(), &entry.source).unwrap());
        for case in &entry.cases {
            let files = files_of(&case.files);
            let vm = run_vm(&program, &files, STEP_CAP + 1);
            if vm.steps > STEP_CAP {
                continue;
            }
            let got = run_transformer(&model, &program, &files, STEP_CAP + 1, Mode::Fast);
            if uses_add(&program) {
                adders += 1;
                broken += usize::from(!same_run(&vm, &got));
            } else {
                others += 1;
                if !same_run(&vm, &got) {
                    problems.push(format!(
                        "{} [{}] uses no i32.add but went wrong: vm {:?}, transformer {:?}",
                        entry.id(),
                        case.name,
                        vm.outputs,
                        got.outputs
                    ));
                }
            }
        }
    }
    eprintln!(
        "without alu.add: {broken} of {adders} corpus cases using i32.add go wrong; all {others} others still right"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(others > 0, "the corpus has cases without i32.add");
    assert!(broken > 0, "no corpus case using i32.add went wrong");
}
