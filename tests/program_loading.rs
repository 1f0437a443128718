//! Program loading: what the flattener makes of structured control flow (expected
//! lists written out by hand from the WebAssembly semantics), and every way a
//! module is refused, with the message a user sees.

mod support;

use proptest::prelude::*;
use support::ENV_IMPORTS;
use wasmtf::program::{BinaryOp, BlockKind, Branch, HostCall, Op, Program, load_program};

fn module(body: &str) -> String {
    format!(
        "(module {ENV_IMPORTS} (memory 1) (func (export \"main\") (local $a i32) (local $b i32) {body}))"
    )
}

fn ops(body: &str) -> Vec<Op> {
    let program = Program::from_wat("test.wat", &module(body)).unwrap_or_else(|e| panic!("{e}"));
    program.instructions.iter().map(|i| i.op).collect()
}

fn refusal(source: &str) -> String {
    match load_program("prog.wat", source.as_bytes()) {
        Ok(_) => panic!("expected the module to be refused:\n{source}"),
        Err(error) => error.to_string(),
    }
}

fn br(target: usize, drop: u32, keep: u32) -> Branch {
    Branch { target, drop, keep }
}

#[test]
fn straight_line_code_keeps_its_order_and_ends_in_return() {
    assert_eq!(
        ops("i32.const 2 i32.const 3 i32.add call $output"),
        vec![
            Op::Const(2),
            Op::Const(3),
            Op::Binary(BinaryOp::Add),
            Op::Call(HostCall::Output),
            Op::Return
        ]
    );
}

#[test]
fn a_counted_loop_jumps_back_to_its_first_instruction() {
    // block $done / loop $l: br_if $done (a == 0); a -= 1; br $l
    let body = "
      (local.set $a (i32.const 3))
      (block $done
        (loop $l
          (br_if $done (i32.eq (local.get $a) (i32.const 0)))
          (local.set $a (i32.sub (local.get $a) (i32.const 1)))
          (br $l)))";
    assert_eq!(
        ops(body),
        vec![
            Op::Const(3),              // 0
            Op::LocalSet(0),           // 1
            Op::LocalGet(0),           // 2  loop start
            Op::Const(0),              // 3
            Op::Binary(BinaryOp::Eq),  // 4
            Op::BrIf(br(11, 0, 0)),    // 5  out of the block
            Op::LocalGet(0),           // 6
            Op::Const(1),              // 7
            Op::Binary(BinaryOp::Sub), // 8
            Op::LocalSet(0),           // 9
            Op::Br(br(2, 0, 0)),       // 10 back edge
            Op::Return,                // 11
        ]
    );
}

#[test]
fn if_else_becomes_a_jump_on_zero_and_a_jump_over_the_else_arm() {
    let body = "(call $output (if (result i32) (local.get $a) (then (i32.const 10)) (else (i32.const 20))))";
    assert_eq!(
        ops(body),
        vec![
            Op::LocalGet(0),            // 0
            Op::BrUnless(br(4, 0, 0)),  // 1 if: to the else arm on zero
            Op::Const(10),              // 2
            Op::Br(br(5, 0, 1)),        // 3 else: over the else arm, keeping the result
            Op::Const(20),              // 4
            Op::Call(HostCall::Output), // 5
            Op::Return,                 // 6
        ]
    );
}

#[test]
fn an_if_without_else_jumps_to_its_end() {
    let body = "(if (local.get $a) (then (call $output (i32.const 1)))) nop";
    assert_eq!(
        ops(body),
        vec![
            Op::LocalGet(0),
            Op::BrUnless(br(4, 0, 0)),
            Op::Const(1),
            Op::Call(HostCall::Output),
            Op::Nop,
            Op::Return
        ]
    );
}

#[test]
fn a_branch_out_of_a_block_with_a_result_drops_what_lies_under_the_kept_value() {
    // Inside the block the stack holds 1, 2, 3 above the block's entry height
    // (which itself holds 100): br 0 keeps 3 and drops 1 and 2.
    let body = "i32.const 100
      (block (result i32) i32.const 1 i32.const 2 i32.const 3 br 0)
      i32.add call $output";
    assert_eq!(
        ops(body),
        vec![
            Op::Const(100),
            Op::Const(1),
            Op::Const(2),
            Op::Const(3),
            Op::Br(br(5, 2, 1)),
            Op::Binary(BinaryOp::Add),
            Op::Call(HostCall::Output),
            Op::Return
        ]
    );
}

#[test]
fn br_if_to_a_valued_block_keeps_the_value_and_pops_the_condition() {
    let body =
        "(call $output (block (result i32) i32.const 5 i32.const 7 local.get $a br_if 0 drop))";
    assert_eq!(
        ops(body),
        vec![
            Op::Const(5),
            Op::Const(7),
            Op::LocalGet(0),
            Op::BrIf(br(5, 1, 1)),
            Op::Drop,
            Op::Call(HostCall::Output),
            Op::Return
        ]
    );
}

#[test]
fn branches_to_the_function_label_go_to_the_final_return() {
    let body = "i32.const 9 (block (loop (br 2))) drop";
    assert_eq!(
        ops(body),
        vec![Op::Const(9), Op::Br(br(3, 1, 0)), Op::Drop, Op::Return]
    );
}

#[test]
fn a_branch_to_an_outer_loop_from_a_nested_one_drops_nothing_at_balanced_height() {
    let body =
        "(loop $outer (loop $inner (br_if $outer (local.get $a)) (br_if $inner (local.get $b))))";
    assert_eq!(
        ops(body),
        vec![
            Op::LocalGet(0),
            Op::BrIf(br(0, 0, 0)),
            Op::LocalGet(1),
            Op::BrIf(br(0, 0, 0)),
            Op::Return
        ]
    );
}

#[test]
fn return_and_unreachable_code_are_listed_and_never_underflow() {
    let body = "return i32.add drop (block (result i32) unreachable) drop";
    let listed = ops(body);
    assert_eq!(listed[0], Op::Return);
    assert_eq!(listed.last(), Some(&Op::Return));
    assert_eq!(listed.len(), 6);
}

#[test]
fn loads_and_stores_keep_their_static_offsets() {
    assert_eq!(
        ops("(i32.store offset=4 (i32.const 8) (i32.load offset=65532 (i32.const 0)))"),
        vec![
            Op::Const(8),
            Op::Const(0),
            Op::Load { offset: 65532 },
            Op::Store { offset: 4 },
            Op::Return
        ]
    );
}

#[test]
fn the_listing_delimits_blocks_loops_and_ifs() {
    let source = module("(block (loop (if (local.get $a) (then nop))))");
    let program = Program::from_wat("t.wat", &source).unwrap();
    let kinds: Vec<(BlockKind, usize, usize, u32)> = program
        .blocks
        .iter()
        .map(|b| (b.kind, b.start, b.end, b.depth))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (BlockKind::If, 1, 3, 2),
            (BlockKind::Loop, 0, 3, 1),
            (BlockKind::Block, 0, 3, 0)
        ]
    );
    let listing: Vec<String> = program.instructions.iter().map(|i| i.to_string()).collect();
    assert_eq!(
        listing,
        vec!["local.get 0", "if (else @3)", "nop", "end (return)"]
    );
}

#[test]
fn binary_modules_load_like_their_text() {
    let source = module("(call $output (i32.mul (i32.const 6) (i32.const 7)))");
    let binary = wat::parse_str(&source).unwrap();
    let from_text = Program::from_wat("x", &source).unwrap();
    let from_binary = Program::from_bytes("x", &binary).unwrap();
    assert_eq!(from_text, from_binary);
    assert_eq!(from_binary.memory_bytes, 65536);
    assert_eq!(from_binary.local_count, 2);
}

#[test]
fn an_unsupported_instruction_is_named_with_its_position() {
    let source = module("i32.const 7 i32.const 2 i32.div_s drop");
    assert_eq!(
        refusal(&source),
        "prog.wat: function main, instruction 2: i32.div_s is not supported"
    );
    let source = module("(block (drop (i32.load8_u (i32.const 0))))");
    assert_eq!(
        refusal(&source),
        "prog.wat: function main, instruction 2: i32.load8_u is not supported"
    );
    assert!(
        refusal(&module("i32.const 1 i32.eqz drop"))
            .ends_with("instruction 1: i32.eqz is not supported")
    );
    assert!(
        refusal(&module("i32.const 1 i32.const 2 i32.const 3 select drop"))
            .contains("select is not supported")
    );
    assert!(refusal(&module("memory.size drop")).contains("memory.size is not supported"));
    assert!(
        refusal(&module("(block (br_table 0 0 (i32.const 0)))"))
            .contains("br_table is not supported")
    );
}

#[test]
fn non_i32_blocks_and_locals_are_refused() {
    assert!(
        refusal(&module("(drop (block (result i64) (i64.const 1)) )"))
            .contains("function main, instruction 0: block with result type i64 is not supported")
    );
    let source = format!("(module {ENV_IMPORTS} (func (export \"main\") (local i64)))");
    assert!(refusal(&source).contains("locals of type i64 are not supported"));
}

#[test]
fn module_features_outside_the_spec_are_refused_by_name() {
    let cases = [
        (
            r#"(module (global $g (mut i32) (i32.const 0)) (func (export "main")))"#,
            "prog.wat: global section: globals are not supported",
        ),
        (
            r#"(module (table 1 funcref) (func (export "main")))"#,
            "prog.wat: table section: tables are not supported",
        ),
        (
            r#"(module (memory 1) (data (i32.const 0) "hi") (func (export "main")))"#,
            "prog.wat: data section: data segments are not supported",
        ),
        (
            r#"(module (func $s) (start $s) (func (export "main")))"#,
            "prog.wat: start section: a start function is not supported",
        ),
        (
            r#"(module (memory 17) (func (export "main")))"#,
            "prog.wat: memory 0: 17 pages declared; at most 16 pages",
        ),
        (
            r#"(module (func $helper) (func (export "main") call $helper))"#,
            "prog.wat: function 0: only `main` may be defined",
        ),
        (
            r#"(module (func (export "start")))"#,
            "prog.wat: exports: the module must export a function `main`",
        ),
        (
            r#"(module)"#,
            "prog.wat: exports: the module must export a function `main`",
        ),
        (
            r#"(module (func (export "main") (param i32)))"#,
            "prog.wat: export main: `main` has type [i32] -> [], expected [] -> []",
        ),
        (
            r#"(module (memory (export "main") 1))"#,
            "prog.wat: export main: `main` must be a function",
        ),
        (
            r#"(module (import "env" "print" (func (param i32))) (func (export "main")))"#,
            "prog.wat: import env.print: unknown host function; env provides output, fd_open, fd_read, fd_write, fd_close",
        ),
        (
            r#"(module (import "wasi" "output" (func (param i32))) (func (export "main")))"#,
            "prog.wat: import wasi.output: imports come from module `env`",
        ),
        (
            r#"(module (import "env" "fd_read" (func (param i32))) (func (export "main")))"#,
            "prog.wat: import env.fd_read: has type [i32] -> [], expected (param i32) (result i32)",
        ),
        (
            r#"(module (import "env" "memory" (memory 1)) (func (export "main")))"#,
            "prog.wat: import env.memory: only functions can be imported",
        ),
        (
            r#"(module (import "env" "output" (func $o (param i32))) (func (export "main") call 0))"#,
            "prog.wat: function main, instruction 0: invalid call:",
        ),
    ];
    for (source, expected) in cases {
        let message = refusal(source);
        assert!(
            message.starts_with(expected),
            "for {source}\n got: {message}\nwant: {expected}…"
        );
    }
}

#[test]
fn type_errors_point_at_the_instruction() {
    let message = refusal(&module("i32.const 1 i32.add drop"));
    assert!(
        message
            .starts_with("prog.wat: function main, instruction 1: invalid i32.add: type mismatch"),
        "{message}"
    );
}

#[test]
fn syntax_errors_point_at_line_and_column() {
    let message = refusal("(module\n  (func (export \"main\")\n    i32.const oops))");
    assert!(
        message.starts_with("prog.wat: invalid WebAssembly text: "),
        "{message}"
    );
    assert!(message.contains("prog.wat:3:15"), "{message}");
}

#[test]
fn bytes_that_are_neither_text_nor_binary_are_refused() {
    let message = load_program("junk.bin", &[0xff, 0xfe, 0x00, 0x01])
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("neither a WebAssembly binary"),
        "{message}"
    );
    let message = load_program("bad.wasm", b"\0asm\x01\0\0\0\x01\xff")
        .unwrap_err()
        .to_string();
    assert!(
        message.starts_with("bad.wasm: malformed module: "),
        "{message}"
    );
}

fn sample_binary() -> Vec<u8> {
    wat::parse_str(module(
        "(block $d (loop $l (br_if $d (i32.eq (local.get $a) (i32.const 9)))
           (call $output (local.get $a)) (local.set $a (i32.add (local.get $a) (i32.const 1))) (br $l)))
         (call $fd_write (call $fd_open (i32.const 0)) (i32.load offset=3 (i32.const 1)))",
    ))
    .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Whatever the bytes, loading answers with a program or an error: never a panic.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = load_program("fuzz.wasm", &bytes);
        let mut with_header = b"\0asm\x01\0\0\0".to_vec();
        with_header.extend(&bytes);
        let _ = load_program("fuzz.wasm", &with_header);
    }

    /// Damaging a valid module anywhere never panics either.
    #[test]
    fn mutated_modules_never_panic(edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6)) {
        let mut bytes = sample_binary();
        for (index, value) in edits {
            let at = index.index(bytes.len());
            bytes[at] = value;
        }
        let _ = load_program("mutated.wasm", &bytes);
    }
}
