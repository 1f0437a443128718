//! Activation capture, checked against what the construction says each part
//! must do on a known program: which position each head reads, the running
//! total of the sum head, the neurons that fire, the logits and their margins.

mod support;

use std::sync::Arc;

use support::ENV_IMPORTS;
use support::transformer::model;
use wasmtf::engine::Mode;
use wasmtf::engine::capture::PassCapture;
use wasmtf::files::FileContents;
use wasmtf::interpreter::TransformerRun;
use wasmtf::program::Program;

fn head_index(layer: usize, name: &str) -> usize {
    model().weights().layers[layer]
        .heads
        .iter()
        .position(|h| h.name == name)
        .unwrap()
}

#[test]
fn a_captured_pass_shows_what_each_part_read_and_computed() {
    // Instructions: 0 const 2, 1 const 3, 2 add, 3 call output, 4 return.
    // Positions: BOS 0, instruction k at k + 1, the first trace token at 6.
    let source = format!(
        "(module {ENV_IMPORTS} (func (export \"main\") (call $output (i32.add (i32.const 2) (i32.const 3)))))"
    );
    let program = Arc::new(Program::from_wat("add.wat", &source).unwrap());
    let mut run =
        TransformerRun::new(model(), program, FileContents::default(), Mode::Fast).unwrap();
    run.step(None).unwrap();
    run.step(None).unwrap();
    let mut capture = PassCapture::default();
    let token = run.step(Some(&mut capture)).unwrap();
    // The third pass, at position 8, executes the add.
    assert_eq!(capture.position, 8);
    assert_eq!(token.value, 5);
    assert!(token.push);
    let weights = Arc::clone(model().weights());
    let dim = |name: &str| weights.dims.iter().position(|d| d == name).unwrap();

    let fetch = &capture.layers[0].heads[head_index(0, "fetch")];
    assert_eq!(fetch.hit.unwrap().position, 3, "instruction 2's token");
    assert_eq!(fetch.hit.unwrap().score, 4.0, "ip² at an exact match");
    assert_eq!(
        fetch.hit.unwrap().margin,
        1.0,
        "the neighbouring index scores one less"
    );
    let depth = &capture.layers[0].heads[head_index(0, "depth")];
    assert!(depth.hit.is_none());
    assert_eq!(depth.value, vec![2.0], "two values on the stack");
    assert_eq!(capture.layers[0].resid_post[dim("depth")], 2.0);

    let top = &capture.layers[1].heads[head_index(1, "stack.top")];
    let second = &capture.layers[1].heads[head_index(1, "stack.second")];
    assert_eq!(top.hit.unwrap().position, 8, "the token of `const 3`");
    assert_eq!(second.hit.unwrap().position, 7, "the token of `const 2`");
    assert_eq!(&top.value[..3], &[1.0, 1.0, 0.0], "3 in bits");
    assert_eq!(capture.layers[1].resid_mid[dim("top.b0")], 1.0);
    assert_eq!(capture.layers[1].resid_pre[dim("top.b0")], 0.0);

    let names = &weights.layers[1].neuron_names;
    let fired: Vec<&str> = capture.layers[1]
        .neurons
        .iter()
        .map(|n| names[n.index].as_str())
        .collect();
    assert!(fired.iter().any(|n| n.starts_with("alu.add.")), "{fired:?}");
    assert!(
        !fired
            .iter()
            .any(|n| n.starts_with("alu.sub.") || n.starts_with("alu.mul.")),
        "{fired:?}"
    );
    assert_eq!(capture.layers[1].resid_post[dim("res.b0")], 1.0);
    assert_eq!(capture.layers[1].resid_post[dim("res.b2")], 1.0);

    let v0 = capture.logits.iter().find(|f| f.field == "v0").unwrap();
    assert_eq!(v0.top[0].0, 5);
    assert_eq!(v0.margin(), 1.0, "2·t·5 − t² at 5 beats 4 and 6 by one");
    let push = capture.logits.iter().find(|f| f.field == "push").unwrap();
    assert_eq!((push.top[0].0, push.margin()), (1, 0.5));

    // Without a capture the pass computes the same token.
    let mut again = TransformerRun::new(
        model(),
        Arc::clone(run.program()),
        FileContents::default(),
        Mode::Fast,
    )
    .unwrap();
    for _ in 0..2 {
        again.step(None).unwrap();
    }
    assert_eq!(again.step(None).unwrap(), token);
}
