//! `wasmtf record --activations HOOK,... --passes A..B`: the safetensors file
//! of activations, read back as a researcher would. Expected values come from
//! elsewhere: names from the weights' JSON sidecar, positions from the
//! prompt in the trace header, instructions from the program listing and
//! pushed values from the trace's tokens.

mod support;

use std::collections::HashMap;
use std::process::Output;

use safetensors::SafeTensors;
use safetensors::tensor::Dtype;
use serde_json::Value;
use support::cli::{stderr, wasmtf};
use support::scratch::Scratch;
use wasmtf::program::Program;

const SIEVE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/programs/09-loop-locals-memory/sieve.wat"
);

/// Sums 0..6 in a loop: an `i32.add` whose result is 0 (the first one) and
/// others whose results are not.
const ADDS: &str = r#"(module
  (import "env" "output" (func $output (param i32)))
  (func (export "main") (local $i i32) (local $s i32)
    (loop $l
      local.get $s
      local.get $i
      i32.add
      local.set $s
      local.get $i
      i32.const 1
      i32.add
      local.tee $i
      i32.const 6
      i32.lt_s
      br_if $l)
    local.get $s
    call $output))
"#;

/// Records sieve (n = 20) with the given extra arguments.
fn record_sieve(dir: &Scratch, trace: &str, extra: &[&str]) -> Output {
    let input = dir.file("n.bin", [20u8]);
    let file = format!("0={input}");
    let mut args = vec!["record", SIEVE, "--file", &file, "-o", trace];
    args.extend_from_slice(extra);
    wasmtf(&args)
}

/// The weights' JSON sidecar, which names every dimension, head and neuron.
fn sidecar() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/weights/wasmtf.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

/// A trace file's header and pass lines.
fn trace_lines(path: &str) -> (Value, Vec<Value>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap());
    let header = lines.next().unwrap();
    let passes = lines.filter(|l| l.get("pass").is_some()).collect();
    (header, passes)
}

/// A token field of a pass line, by the header's field name.
fn field(header: &Value, pass: &Value, name: &str) -> i64 {
    let fields = strings(&header["architecture"]["output_fields"]);
    let index = fields.iter().position(|f| f == name).unwrap();
    pass["token"][index].as_i64().unwrap()
}

struct File {
    bytes: Vec<u8>,
}

impl File {
    fn read(path: &str) -> File {
        File {
            bytes: std::fs::read(path).unwrap(),
        }
    }

    fn tensors(&self) -> SafeTensors<'_> {
        SafeTensors::deserialize(&self.bytes).unwrap()
    }

    fn metadata(&self) -> HashMap<String, String> {
        let (_, metadata) = SafeTensors::read_metadata(&self.bytes).unwrap();
        metadata.metadata().clone().unwrap()
    }

    fn names(&self, key: &str) -> Vec<String> {
        strings(&serde_json::from_str(&self.metadata()[key]).unwrap())
    }

    /// Shape and values, row-major.
    fn f64s(&self, name: &str) -> (Vec<usize>, Vec<f64>) {
        let st = self.tensors();
        let view = st.tensor(name).unwrap();
        assert_eq!(view.dtype(), Dtype::F64, "{name}");
        let values = view
            .data()
            .chunks_exact(8)
            .map(|b| f64::from_le_bytes(b.try_into().unwrap()))
            .collect();
        (view.shape().to_vec(), values)
    }

    fn i64s(&self, name: &str) -> (Vec<usize>, Vec<i64>) {
        let st = self.tensors();
        let view = st.tensor(name).unwrap();
        assert_eq!(view.dtype(), Dtype::I64, "{name}");
        let values = view
            .data()
            .chunks_exact(8)
            .map(|b| i64::from_le_bytes(b.try_into().unwrap()))
            .collect();
        (view.shape().to_vec(), values)
    }
}

#[test]
fn tensors_have_the_hooks_shapes_and_the_sidecar_names() {
    let dir = Scratch::new("activations", "shapes");
    let trace = dir.path("sieve.trace.jsonl");
    let output = record_sieve(
        &dir,
        &trace,
        &[
            "--activations",
            "blocks.0.hook_resid_pre,blocks.2.hook_resid_mid",
            "--activations",
            "hook_resid_post,blocks.1.attn.hook_pattern,blocks.1.mlp.hook_post",
            "--passes",
            "3..41",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // The default path: the trace's, with .activations.safetensors.
    let file = File::read(&dir.path("sieve.activations.safetensors"));
    let sidecar = sidecar();
    let d_model = sidecar["d_model"].as_u64().unwrap() as usize;
    let layers = sidecar["layers"].as_array().unwrap();

    let mut names: Vec<String> = file
        .tensors()
        .names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    names.sort();
    let mut expected = vec![
        "passes".to_string(),
        "blocks.0.hook_resid_pre".into(),
        "blocks.2.hook_resid_mid".into(),
        "blocks.1.attn.hook_pattern.position".into(),
        "blocks.1.attn.hook_pattern.margin".into(),
        "blocks.1.mlp.hook_post".into(),
    ];
    expected.extend((0..layers.len()).map(|l| format!("blocks.{l}.hook_resid_post")));
    expected.sort();
    assert_eq!(names, expected);

    assert_eq!(file.i64s("passes"), (vec![38], (3..=40).collect()));
    assert_eq!(file.f64s("blocks.2.hook_resid_mid").0, vec![38, d_model]);
    let heads = layers[1]["heads"].as_array().unwrap().len();
    assert_eq!(
        file.i64s("blocks.1.attn.hook_pattern.position").0,
        vec![38, heads]
    );
    assert_eq!(
        file.f64s("blocks.1.attn.hook_pattern.margin").0,
        vec![38, heads]
    );
    let neurons = strings(&layers[1]["neurons"]);
    assert_eq!(
        file.f64s("blocks.1.mlp.hook_post").0,
        vec![38, neurons.len()]
    );

    let metadata = file.metadata();
    assert_eq!(metadata["format"], "wasmtf-activations");
    assert_eq!(metadata["version"], "1");
    assert_eq!(metadata["passes"], "3..=40");
    assert_eq!(metadata["engine"], "transformer");
    let (header, _) = trace_lines(&trace);
    assert_eq!(metadata["program_sha256"], header["program"]["sha256"]);
    assert_eq!(file.names("residual_names"), strings(&sidecar["dims"]));
    for (l, layer) in layers.iter().enumerate() {
        let heads: Vec<String> = layer["heads"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["name"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(file.names(&format!("blocks.{l}.head_names")), heads);
        let kinds: Vec<String> = layer["heads"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| match h["kind"].as_str().unwrap() {
                "cross" => format!("cross:{}", h["memory"]),
                kind => kind.to_string(),
            })
            .collect();
        assert_eq!(file.names(&format!("blocks.{l}.head_kinds")), kinds);
        assert_eq!(
            file.names(&format!("blocks.{l}.neuron_names")),
            strings(&layer["neurons"])
        );
    }
}

#[test]
fn the_position_dimension_and_the_fetch_head_follow_the_trace() {
    let dir = Scratch::new("activations", "fetch");
    let trace = dir.path("sieve.trace.jsonl");
    let out = dir.path("act.safetensors");
    let output = record_sieve(
        &dir,
        &trace,
        &[
            "--activations",
            "blocks.0.hook_resid_pre,blocks.0.attn.hook_pattern",
            "--passes",
            "1..",
            "--activations-out",
            &out,
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let file = File::read(&out);
    let (header, passes) = trace_lines(&trace);
    let prompt = header["prompt"].as_array().unwrap();
    let inputs = strings(&header["architecture"]["input_fields"]);
    let index_field = inputs.iter().position(|f| f == "instr.index").unwrap() as i64;
    // The prompt position of instruction i: the prompt token whose
    // `instr.index` is i (BOS has none; it sets field 0 only).
    let position_of = |ip: i64| {
        prompt
            .iter()
            .position(|token| {
                let pairs = token.as_array().unwrap();
                pairs.len() > 1
                    && pairs
                        .iter()
                        .any(|p| p[0].as_i64() == Some(index_field) && p[1].as_i64() == Some(ip))
            })
            .unwrap() as i64
    };

    let d_model = header["architecture"]["d_model"].as_u64().unwrap() as usize;
    let pos_dim = file
        .names("residual_names")
        .iter()
        .position(|n| n == "pos")
        .unwrap();
    let fetch = file
        .names("blocks.0.head_names")
        .iter()
        .position(|n| n == "fetch")
        .unwrap();
    let depth = file
        .names("blocks.0.head_names")
        .iter()
        .position(|n| n == "depth")
        .unwrap();
    let heads = file.names("blocks.0.head_names").len();
    let (shape, resid) = file.f64s("blocks.0.hook_resid_pre");
    assert_eq!(shape, vec![passes.len(), d_model]);
    let (_, attended) = file.i64s("blocks.0.attn.hook_pattern.position");
    let (_, margin) = file.f64s("blocks.0.attn.hook_pattern.margin");
    for (row, pass) in passes.iter().enumerate() {
        let number = pass["pass"].as_i64().unwrap();
        // Pass 1 reads the prompt's last token; each pass one position on.
        let position = prompt.len() as i64 - 1 + (number - 1);
        assert_eq!(
            resid[row * d_model + pos_dim],
            position as f64,
            "pass {number}"
        );
        let ip = pass["ip"].as_i64().unwrap();
        assert_eq!(
            attended[row * heads + fetch],
            position_of(ip),
            "pass {number}"
        );
        assert!(margin[row * heads + fetch] > 0.0, "pass {number}");
        // The depth head sums; it attends to no one position.
        assert_eq!(attended[row * heads + depth], -1);
        assert!(margin[row * heads + depth].is_nan());
    }
}

#[test]
fn adder_neurons_fire_on_the_adds_and_nowhere_else() {
    let dir = Scratch::new("activations", "adder");
    let source = dir.file("adds.wat", ADDS);
    let trace = dir.path("adds.trace.jsonl");
    let output = wasmtf(&[
        "record",
        &source,
        "-o",
        &trace,
        "--activations",
        "mlp.hook_post",
        "--passes",
        "1..",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let file = File::read(&dir.path("adds.activations.safetensors"));
    let program = Program::from_wat("adds.wat", ADDS).unwrap();
    let (header, passes) = trace_lines(&trace);
    let layers = sidecar()["layers"].as_array().unwrap().len();
    // Per pass: whether any `alu.add` neuron, in any layer, was active.
    let mut fired = vec![false; passes.len()];
    for l in 0..layers {
        let names = file.names(&format!("blocks.{l}.neuron_names"));
        let (shape, values) = file.f64s(&format!("blocks.{l}.mlp.hook_post"));
        assert_eq!(shape, vec![passes.len(), names.len()]);
        for (row, fired) in fired.iter_mut().enumerate() {
            *fired |= (0..names.len())
                .any(|n| names[n].starts_with("alu.add.") && values[row * names.len() + n] != 0.0);
        }
    }
    let mut adds_seen = 0;
    for (pass, fired) in passes.iter().zip(fired) {
        let ip = pass["ip"].as_u64().unwrap() as usize;
        let is_add = program.instruction_text(ip).starts_with("i32.add");
        let pushed = (0..4)
            .map(|k| field(&header, pass, &format!("v{k}")))
            .any(|byte| byte != 0);
        assert!(!fired || is_add, "pass {}: an adder fired", pass["pass"]);
        if is_add && pushed {
            assert!(fired, "pass {}: no adder fired", pass["pass"]);
            adds_seen += 1;
        }
    }
    // Every iteration adds twice; only the first sum is 0.
    assert_eq!(adds_seen, 2 * 6 - 1);
}

#[test]
fn a_vm_trace_gives_the_same_activations_as_the_transformer() {
    let dir = Scratch::new("activations", "vm");
    let hooks = "blocks.1.hook_resid_post,blocks.2.mlp.hook_post";
    for (engine, name) in [("transformer", "t"), ("vm", "v")] {
        let trace = dir.path(&format!("{name}.trace.jsonl.gz"));
        let output = record_sieve(
            &dir,
            &trace,
            &[
                "--engine",
                engine,
                "--activations",
                hooks,
                "--passes",
                "100..=150",
            ],
        );
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    }
    let (t, v) = (
        File::read(&dir.path("t.activations.safetensors")),
        File::read(&dir.path("v.activations.safetensors")),
    );
    assert_eq!(v.metadata()["engine"], "vm");
    assert_eq!(t.i64s("passes"), v.i64s("passes"));
    for name in ["blocks.1.hook_resid_post", "blocks.2.mlp.hook_post"] {
        assert_eq!(t.f64s(name), v.f64s(name), "{name}");
    }
}

#[test]
fn to_stdout_with_activations_out() {
    let dir = Scratch::new("activations", "stdout");
    let out = dir.path("a.safetensors");
    let refused = record_sieve(
        &dir,
        "-",
        &["--activations", "hook_resid_pre", "--passes", "1..3"],
    );
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("--activations-out"),
        "{}",
        stderr(&refused)
    );
    let output = record_sieve(
        &dir,
        "-",
        &[
            "--activations",
            "hook_resid_pre",
            "--passes",
            "1..3",
            "--activations-out",
            &out,
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("\"ending\":\"halted\""));
    assert_eq!(File::read(&out).i64s("passes").1, vec![1, 2]);
}

#[test]
fn a_trap_keeps_its_exit_status_and_a_range_past_the_end_is_cut() {
    let dir = Scratch::new("activations", "trap");
    let source = dir.file(
        "trap.wat",
        "(module (func (export \"main\") i32.const 1 drop unreachable))",
    );
    let trace = dir.path("trap.trace.jsonl");
    let output = wasmtf(&[
        "record",
        &source,
        "-o",
        &trace,
        "--activations",
        "blocks.0.hook_resid_pre",
        "--passes",
        "2..=100",
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("the run has 3 passes"),
        "{}",
        stderr(&output)
    );
    let file = File::read(&dir.path("trap.activations.safetensors"));
    assert_eq!(file.i64s("passes").1, vec![2, 3]);
    assert_eq!(file.metadata()["passes"], "2..=3");
}

#[test]
fn bad_requests_are_refused_with_exit_status_1() {
    let dir = Scratch::new("activations", "refused");
    let trace = dir.path("sieve.trace.jsonl");
    for (args, says) in [
        (
            &["--activations", "hook_resid_pree", "--passes", "1..3"][..],
            "blocks.L.mlp.hook_post",
        ),
        (
            &[
                "--activations",
                "blocks.9.hook_resid_pre",
                "--passes",
                "1..3",
            ],
            "no layer 9",
        ),
        (
            &[
                "--activations",
                "blocks.x.hook_resid_pre",
                "--passes",
                "1..3",
            ],
            "unknown hook",
        ),
        (
            &["--activations", "hook_resid_pre", "--passes", "5..5"],
            "empty",
        ),
        (
            &["--activations", "hook_resid_pre", "--passes", "0..5"],
            "no pass 0",
        ),
        (
            &["--activations", "hook_resid_pre", "--passes", "a..b"],
            "not a pass number",
        ),
        (
            &[
                "--activations",
                "hook_resid_pre",
                "--passes",
                "9..",
                "--max-steps",
                "8",
            ],
            "--max-steps 8",
        ),
        (&["--passes", "1..3"], "--activations"),
        (&["--activations", "hook_resid_pre"], "--passes"),
    ] {
        let output = record_sieve(&dir, &trace, args);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains(says),
            "{args:?}: {}",
            stderr(&output)
        );
        // Refused before anything ran.
        assert!(!std::path::Path::new(&trace).exists(), "{args:?}");
    }
    // A first pass beyond the run's end is known only once it has run.
    let output = record_sieve(
        &dir,
        &trace,
        &["--activations", "hook_resid_pre", "--passes", "5000.."],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("the trace has 610 passes"),
        "{}",
        stderr(&output)
    );
    assert!(std::path::Path::new(&trace).exists());
    assert!(!std::path::Path::new(&dir.path("sieve.activations.safetensors")).exists());
}

#[test]
fn a_request_too_large_is_refused() {
    let dir = Scratch::new("activations", "large");
    let trace = dir.path("sieve.trace.jsonl");
    // Every hook takes about 90 kB a pass: 2 GB is about 24,000 passes,
    // which a loop of --max-steps 30000 exceeds.
    let source = dir.file(
        "spin.wat",
        "(module (func (export \"main\") (loop $l br $l)))",
    );
    let output = wasmtf(&[
        "record",
        &source,
        "-o",
        &trace,
        "--max-steps",
        "30000",
        "--activations",
        "hook_resid_pre,hook_resid_mid,hook_resid_post,mlp.hook_post",
        "--passes",
        "1..",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("more than the limit"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn edited_weights_on_a_vm_trace() {
    let dir = Scratch::new("activations", "edited");
    let source = dir.file("adds.wat", ADDS);
    let weights = dir.path("no-add.safetensors");
    let output = wasmtf(&["ablate", "alu.add", "-o", &weights]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let trace = dir.path("adds.trace.jsonl");
    let refused = wasmtf(&[
        "record",
        &source,
        "-o",
        &trace,
        "--engine",
        "vm",
        "--weights",
        &weights,
    ]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr(&refused).contains("--weights applies to the transformer"));
    let output = wasmtf(&[
        "record",
        &source,
        "-o",
        &trace,
        "--engine",
        "vm",
        "--weights",
        &weights,
        "--activations",
        "blocks.1.mlp.hook_post",
        "--passes",
        "1..",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // The VM adds; the ablated model does not, at the 11 adds whose sum is not 0.
    assert!(
        stderr(&output).contains("differs from the recorded token at 11 of passes"),
        "{}",
        stderr(&output)
    );
    let file = File::read(&dir.path("adds.activations.safetensors"));
    assert_eq!(file.metadata()["weights_source"], weights);
    let (header, _) = trace_lines(&trace);
    assert!(header["weights"].is_null());
    // `ablate` cuts a neuron's output, not its input: the adders still fire.
    let names = file.names("blocks.1.neuron_names");
    let (_, values) = file.f64s("blocks.1.mlp.hook_post");
    let adders_fired = values
        .iter()
        .enumerate()
        .filter(|(i, v)| names[i % names.len()].starts_with("alu.add.") && **v != 0.0)
        .count();
    assert!(adders_fired > 0);
}
