//! Ablations: zero one mechanism's heads or neurons and show that the programs
//! needing it now go wrong while the programs that do not need it still run
//! exactly like the VM — proof that the weights, not the host, do the work.

mod support;

use std::sync::Arc;

use support::ENV_IMPORTS;
use support::corpus::load_corpus;
use support::transformer::{compiled, files_of, run_transformer, run_vm, same_run};
use wasmtf::engine::{Mode, Model};
use wasmtf::files::FileContents;
use wasmtf::program::{BinaryOp, HostCall, Op, Program};
use wasmtf::weights::Weights;

/// Corpus cases longer than this are skipped here (they are covered unablated
/// by `transformer_corpus.rs`), to keep eight ablated runs quick.
const STEP_CAP: u64 = 800;

struct Mechanism {
    name: &'static str,
    ablate: fn(&mut Weights) -> usize,
    /// Whether a program (statically) needs the mechanism.
    uses: fn(&Program) -> bool,
    /// Bodies of `main` (with locals $a $b, memory, file 0 = "hi") that need it.
    needs: &'static [&'static str],
}

fn any_op(program: &Program, test: impl Fn(Op) -> bool) -> bool {
    program.instructions.iter().any(|i| test(i.op))
}

fn reads_stack(op: Op) -> bool {
    op.pops() > 0
}

/// Programs that never read the stack: the only ones the sum head and the
/// stack heads do not matter to.
const STACK_FREE: &[&str] = &[
    "nop",
    "(block (br 0)) nop",
    "(loop (block (br 1 (; leave ;) )))",
    "nop unreachable",
];

fn mechanisms() -> Vec<Mechanism> {
    vec![
        Mechanism {
            name: "sum head (stack depth)",
            ablate: |w| w.ablate_heads("depth"),
            uses: |p| any_op(p, reads_stack),
            needs: &["(call $output (i32.sub (i32.const 10) (i32.const 3)))"],
        },
        Mechanism {
            name: "stack lookups",
            ablate: |w| w.ablate_heads("stack."),
            uses: |p| any_op(p, reads_stack),
            needs: &[
                "(call $output (i32.const 5))",
                "(call $output (i32.sub (i32.const 10) (i32.const 3)))",
            ],
        },
        Mechanism {
            name: "locals",
            ablate: |w| w.ablate_heads("local.read"),
            uses: |p| any_op(p, |op| matches!(op, Op::LocalGet(_))),
            needs: &["(local.set $a (i32.const 7)) (call $output (local.get $a))"],
        },
        Mechanism {
            name: "memory",
            ablate: |w| w.ablate_heads("mem."),
            uses: |p| any_op(p, |op| matches!(op, Op::Load { .. })),
            needs: &[
                "(i32.store (i32.const 8) (i32.const 99)) (call $output (i32.load (i32.const 8)))",
            ],
        },
        Mechanism {
            name: "file cross-attention",
            ablate: |w| w.ablate_heads("file.byte"),
            uses: |p| any_op(p, |op| op == Op::Call(HostCall::FdRead)),
            needs: &[
                "(drop (call $fd_open (i32.const 0))) (call $output (call $fd_read (i32.const 0)))",
            ],
        },
        Mechanism {
            name: "arithmetic neurons",
            ablate: |w| {
                ["alu.add", "alu.sub", "alu.mul", "alu.and", "alu.or"]
                    .iter()
                    .map(|p| w.ablate_neurons(p))
                    .sum()
            },
            uses: |p| {
                any_op(p, |op| {
                    matches!(
                        op,
                        Op::Binary(
                            BinaryOp::Add
                                | BinaryOp::Sub
                                | BinaryOp::Mul
                                | BinaryOp::And
                                | BinaryOp::Or
                        )
                    )
                })
            },
            needs: &[
                "(call $output (i32.add (i32.const 2) (i32.const 3)))",
                "(call $output (i32.mul (i32.const 6) (i32.const 7)))",
                "(call $output (i32.or (i32.const 12) (i32.const 3)))",
            ],
        },
        Mechanism {
            name: "comparison neurons",
            ablate: |w| w.ablate_neurons("alu.cmp"),
            uses: |p| {
                any_op(p, |op| {
                    matches!(
                        op,
                        Op::Binary(
                            BinaryOp::Eq
                                | BinaryOp::Ne
                                | BinaryOp::LtS
                                | BinaryOp::GtS
                                | BinaryOp::LeS
                                | BinaryOp::GeS
                        )
                    )
                })
            },
            needs: &["(call $output (i32.lt_s (i32.const -1) (i32.const 0)))"],
        },
        Mechanism {
            name: "control flow (branch decisions)",
            ablate: |w| w.ablate_neurons("control.taken"),
            uses: |p| any_op(p, |op| op.branch().is_some()),
            needs: &[
                "(local.set $a (i32.const 3))
                 (loop $l (call $output (local.get $a))
                    (local.set $a (i32.sub (local.get $a) (i32.const 1)))
                    (br_if $l (local.get $a)))",
                "(call $output (if (result i32) (i32.const 0) (then (i32.const 1)) (else (i32.const 2))))",
            ],
        },
    ]
}

fn snippet(body: &str) -> Arc<Program> {
    let source = format!(
        "(module {ENV_IMPORTS} (memory 1) (func (export \"main\") (local $a i32) (local $b i32) {body}))"
    );
    Arc::new(Program::from_wat("snippet.wat", &source).unwrap_or_else(|e| panic!("{e}")))
}

fn snippet_files() -> FileContents {
    let mut files = FileContents::default();
    files.set(0, b"hi".to_vec()).unwrap();
    files
}

#[test]
fn each_mechanism_is_needed_by_the_programs_that_use_it_and_only_by_them() {
    let corpus: Vec<(String, Arc<Program>, FileContents)> = load_corpus()
        .into_iter()
        .flat_map(|entry| {
            let program = Arc::new(Program::from_wat(&entry.id(), &entry.source).unwrap());
            entry
                .cases
                .iter()
                .map(|case| {
                    (
                        format!("{} [{}]", entry.id(), case.name),
                        Arc::clone(&program),
                        files_of(&case.files),
                    )
                })
                .collect::<Vec<_>>()
        })
        .filter(|(_, program, files)| run_vm(program, files, STEP_CAP + 1).steps <= STEP_CAP)
        .collect();
    let mut problems = Vec::new();
    for mechanism in mechanisms() {
        let mut weights = compiled().clone();
        let ablated = (mechanism.ablate)(&mut weights);
        assert!(ablated > 0, "{}: nothing to ablate", mechanism.name);
        let model = Arc::new(Model::new(Arc::new(weights)));
        for body in mechanism.needs {
            let program = snippet(body);
            assert!(
                (mechanism.uses)(&program),
                "{}: the snippet must use it: {body}",
                mechanism.name
            );
            let vm = run_vm(&program, &snippet_files(), STEP_CAP);
            let got = run_transformer(&model, &program, &snippet_files(), STEP_CAP, Mode::Fast);
            if same_run(&vm, &got) {
                problems.push(format!(
                    "{}: still right without it: {body}",
                    mechanism.name
                ));
            }
        }
        let all_snippets = mechanisms()
            .iter()
            .flat_map(|m| m.needs.iter())
            .chain(STACK_FREE)
            .copied()
            .collect::<Vec<_>>();
        for body in all_snippets {
            let program = snippet(body);
            if (mechanism.uses)(&program) {
                continue;
            }
            let vm = run_vm(&program, &snippet_files(), STEP_CAP);
            let got = run_transformer(&model, &program, &snippet_files(), STEP_CAP, Mode::Fast);
            if !same_run(&vm, &got) {
                problems.push(format!(
                    "{}: broke a program that reads no stack: {body}",
                    mechanism.name
                ));
            }
        }
        let (mut users, mut users_broken, mut others) = (0, 0, 0);
        for (name, program, files) in &corpus {
            let vm = run_vm(program, files, STEP_CAP);
            let got = run_transformer(&model, program, files, STEP_CAP, Mode::Fast);
            if (mechanism.uses)(program) {
                users += 1;
                users_broken += usize::from(!same_run(&vm, &got));
            } else {
                others += 1;
                if !same_run(&vm, &got) {
                    problems.push(format!(
                        "{}: broke {name}, which does not use it",
                        mechanism.name
                    ));
                }
            }
        }
        eprintln!(
            "{}: {ablated} parts zeroed; {users_broken} of {users} corpus cases using it go wrong; all {others} others still right",
            mechanism.name
        );
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
