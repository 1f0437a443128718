//! The reference VM on small programs whose results are worked out by hand from
//! the WebAssembly specification and SPEC §2 (wasmi checks the VM on the corpus
//! and on random programs elsewhere; these pin the rules one at a time).

mod support;

use std::sync::Arc;
use support::ENV_IMPORTS;

use wasmtf::files::{FileContents, MAX_FILE_BYTES};
use wasmtf::program::Program;
use wasmtf::report::Ending;
use wasmtf::vm::{Status, TrapKind, Vm};

fn vm_for(body: &str, files: FileContents) -> Vm {
    let source = format!(
        "(module {ENV_IMPORTS} (memory 1) (func (export \"main\") (local $a i32) (local $b i32) (local $i i32) {body}))"
    );
    let program = Program::from_wat("test.wat", &source).unwrap_or_else(|e| panic!("{e}"));
    Vm::new(Arc::new(program), files)
}

fn run(body: &str) -> Vm {
    run_with(body, FileContents::default())
}

fn run_with(body: &str, files: FileContents) -> Vm {
    let mut vm = vm_for(body, files);
    vm.run(1_000_000);
    vm
}

fn outputs(body: &str) -> Vec<i32> {
    let vm = run(body);
    assert_eq!(
        vm.status(),
        Status::Halted,
        "program did not halt: {:?}",
        vm.status()
    );
    vm.outputs().to_vec()
}

fn trap_kind(vm: &Vm) -> TrapKind {
    match vm.status() {
        Status::Trapped(trap) => trap.kind,
        other => panic!("expected a trap, got {other:?}"),
    }
}

#[test]
fn arithmetic_wraps_modulo_2_to_the_32() {
    assert_eq!(
        outputs(
            "(call $output (i32.add (i32.const 2147483647) (i32.const 1)))
             (call $output (i32.sub (i32.const -2147483648) (i32.const 1)))
             (call $output (i32.mul (i32.const 65536) (i32.const 65536)))
             (call $output (i32.mul (i32.const -2147483648) (i32.const -1)))
             (call $output (i32.mul (i32.const 123456789) (i32.const 987654321)))"
        ),
        // 123456789 * 987654321 = 121932631112635269, which is -67153019 mod 2^32
        vec![-2147483648, 2147483647, 0, -2147483648, -67153019]
    );
}

#[test]
fn and_or_act_on_all_32_bits() {
    assert_eq!(
        outputs(
            "(call $output (i32.and (i32.const -1) (i32.const 0x12345678)))
             (call $output (i32.or (i32.const 0x0f0f0f0f) (i32.const -252645136)))
             (call $output (i32.and (i32.const -2147483648) (i32.const -1)))
             (call $output (i32.or (i32.const 0) (i32.const 0)))"
        ),
        vec![0x12345678, -1, -2147483648, 0]
    );
}

#[test]
fn comparisons_are_signed() {
    assert_eq!(
        outputs(
            "(call $output (i32.lt_s (i32.const -1) (i32.const 0)))
             (call $output (i32.gt_s (i32.const -2147483648) (i32.const 2147483647)))
             (call $output (i32.le_s (i32.const 5) (i32.const 5)))
             (call $output (i32.ge_s (i32.const -5) (i32.const 5)))
             (call $output (i32.eq (i32.const -1) (i32.const 4294967295)))
             (call $output (i32.ne (i32.const 3) (i32.const 3)))"
        ),
        vec![1, 0, 1, 0, 1, 0]
    );
}

#[test]
fn memory_is_little_endian_with_unaligned_and_overlapping_accesses() {
    assert_eq!(
        outputs(
            "(i32.store (i32.const 0) (i32.const 0x04030201))
             (i32.store (i32.const 4) (i32.const 0x08070605))
             (call $output (i32.load (i32.const 1)))
             (call $output (i32.load offset=2 (i32.const 1)))
             (i32.store (i32.const 2) (i32.const -1))
             (call $output (i32.load (i32.const 0)))
             (call $output (i32.load (i32.const 4)))
             (call $output (i32.load (i32.const 100)))"
        ),
        // bytes 01 02 03 04 05 06 07 08; load@1 = 05040302; load@3 = 07060504;
        // after storing ff ff ff ff at 2: 01 02 ff ff ff ff 07 08
        vec![0x05040302, 0x07060504, -65023, 0x0807ffff, 0]
    );
}

#[test]
fn the_last_four_bytes_of_memory_are_usable_and_one_past_traps() {
    assert_eq!(
        outputs(
            "(i32.store (i32.const 65532) (i32.const 77)) (call $output (i32.load (i32.const 65532)))"
        ),
        vec![77]
    );
    let vm = run("(drop (i32.load (i32.const 65533)))");
    assert_eq!(trap_kind(&vm), TrapKind::MemoryOutOfBounds);
    let vm = run("(drop (i32.load offset=65532 (i32.const 1)))");
    assert_eq!(trap_kind(&vm), TrapKind::MemoryOutOfBounds);
    // The base is unsigned: -4 is 4294967292, far out of bounds, not address -4.
    let vm = run("(i32.store (i32.const -4) (i32.const 1))");
    assert_eq!(trap_kind(&vm), TrapKind::MemoryOutOfBounds);
}

#[test]
fn locals_start_at_zero_and_tee_keeps_the_value() {
    assert_eq!(
        outputs(
            "(call $output (local.get $b))
             (call $output (local.tee $a (i32.const 42)))
             (call $output (local.get $a))"
        ),
        vec![0, 42, 42]
    );
}

#[test]
fn loops_run_as_many_times_as_the_program_says() {
    let vm = run("(local.set $i (i32.const 0))
         (block $done (loop $l
            (br_if $done (i32.ge_s (local.get $i) (i32.const 10000)))
            (local.set $a (i32.add (local.get $a) (local.get $i)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $l)))
         (call $output (local.get $a))");
    assert_eq!(vm.outputs().to_vec(), [49_995_000]);
    // 2 to set up; 10000 iterations of 13 (test 4, accumulate 4, increment 4,
    // back edge 1); the final test 4; the output 2; the return 1.
    assert_eq!(vm.steps(), 2 + 10_000 * 13 + 4 + 2 + 1);
}

#[test]
fn branches_keep_the_result_and_drop_the_rest() {
    assert_eq!(
        outputs(
            "(call $output (i32.add (i32.const 100)
                (block (result i32) (i32.const 1) (i32.const 2) (i32.const 3) (br 0))))
             (call $output (block (result i32) (i32.const 5) (i32.const 7) (br_if 0 (i32.const 0)) (drop)))
             (call $output (if (result i32) (i32.const -8) (then (i32.const 1)) (else (i32.const 2))))"
        ),
        vec![103, 5, 1]
    );
}

#[test]
fn return_halts_from_inside_nested_loops() {
    let vm =
        run("(loop (loop (call $output (i32.const 1)) (return))) (call $output (i32.const 2))");
    assert_eq!(vm.status(), Status::Halted);
    assert_eq!(vm.outputs().to_vec(), [1]);
}

#[test]
fn unreachable_traps_and_keeps_earlier_outputs() {
    let vm = run("(call $output (i32.const 3)) unreachable");
    assert_eq!(trap_kind(&vm), TrapKind::Unreachable);
    assert_eq!(vm.outputs().to_vec(), [3]);
    match vm.report().ending {
        Ending::Trapped(message) => {
            assert_eq!(message, "unreachable at instruction 2 (unreachable)")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn files_read_to_the_end_and_reopening_rewinds() {
    let mut files = FileContents::default();
    files.set(2, b"ab".to_vec()).unwrap();
    let vm = run_with(
        "(call $output (call $fd_open (i32.const 2)))
         (call $output (call $fd_read (i32.const 2)))
         (call $output (call $fd_read (i32.const 2)))
         (call $output (call $fd_read (i32.const 2)))
         (call $output (call $fd_read (i32.const 2)))
         (drop (call $fd_open (i32.const 2)))
         (call $output (call $fd_read (i32.const 2)))",
        files,
    );
    assert_eq!(vm.status(), Status::Halted);
    assert_eq!(vm.outputs().to_vec(), [2, 97, 98, -1, -1, 97]);
}

#[test]
fn opening_a_file_that_does_not_exist_returns_minus_one() {
    assert_eq!(
        outputs(
            "(call $output (call $fd_open (i32.const 4)))
             (call $output (call $fd_open (i32.const -1)))
             (call $output (call $fd_open (i32.const 3)))"
        ),
        vec![-1, -1, 3]
    );
}

#[test]
fn writes_overwrite_then_append_the_low_byte() {
    let mut files = FileContents::default();
    files.set(1, b"xyz".to_vec()).unwrap();
    let vm = run_with(
        "(drop (call $fd_open (i32.const 1)))
         (drop (call $fd_read (i32.const 1)))
         (call $fd_write (i32.const 1) (i32.const 0x141))
         (call $fd_write (i32.const 1) (i32.const -1))
         (call $fd_write (i32.const 1) (i32.const 10))
         (call $fd_close (i32.const 1))",
        files,
    );
    assert_eq!(vm.status(), Status::Halted);
    assert_eq!(vm.files().0[1], vec![b'x', 0x41, 0xff, 10]);
}

#[test]
fn using_a_file_that_is_not_open_traps() {
    for body in [
        "(drop (call $fd_read (i32.const 0)))",
        "(call $fd_write (i32.const 0) (i32.const 1))",
        "(call $fd_close (i32.const 0))",
        "(drop (call $fd_open (i32.const 0))) (call $fd_close (i32.const 0)) (drop (call $fd_read (i32.const 0)))",
        "(drop (call $fd_read (i32.const 9)))",
        "(drop (call $fd_read (i32.const -1)))",
    ] {
        assert_eq!(trap_kind(&run(body)), TrapKind::FileNotOpen, "{body}");
    }
}

#[test]
fn a_file_holds_4096_bytes_and_the_next_write_traps() {
    let body = format!(
        "(drop (call $fd_open (i32.const 3)))
         (block $done (loop $l
            (br_if $done (i32.ge_s (local.get $i) (i32.const {MAX_FILE_BYTES})))
            (call $fd_write (i32.const 3) (local.get $i))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $l)))
         (call $output (i32.const 1))
         (call $fd_write (i32.const 3) (i32.const 0))"
    );
    let vm = run(&body);
    assert_eq!(trap_kind(&vm), TrapKind::FileFull);
    assert_eq!(vm.outputs().to_vec(), [1]);
    let file = &vm.files().0[3];
    assert_eq!(file.len(), MAX_FILE_BYTES);
    assert_eq!(file[255], 255);
    assert_eq!(file[256], 0);
}

#[test]
fn the_step_limit_stops_a_loop_that_never_ends() {
    let mut vm = vm_for("(loop (br 0))", FileContents::default());
    assert_eq!(vm.run(1000), Status::Running);
    assert_eq!(vm.steps(), 1000);
    assert_eq!(vm.report().ending, Ending::StepLimit);
}

#[test]
fn single_stepping_exposes_the_state_between_instructions() {
    let mut vm = vm_for(
        "(i32.store (i32.const 8) (i32.const 0x01020304)) (local.set $b (i32.const 6))",
        FileContents::default(),
    );
    assert_eq!((vm.pc(), vm.stack()), (0, &[][..]));
    vm.step();
    vm.step();
    assert_eq!((vm.pc(), vm.stack()), (2, &[8, 0x01020304][..]));
    vm.step();
    assert_eq!(vm.memory().to_vec()[8..12], [4, 3, 2, 1]);
    vm.step();
    vm.step();
    assert_eq!(vm.locals(), &[0, 6, 0]);
    assert_eq!(vm.step(), Status::Halted);
    assert_eq!(vm.steps(), 6);
    // A stopped machine stays stopped.
    assert_eq!(vm.step(), Status::Halted);
    assert_eq!(vm.steps(), 6);
}
