//! Random well-formed programs: the reference VM must agree with wasmi on
//! outputs, trap kind and final files. Bounded in the default suite; the long
//! campaign is `cargo test --release --test vm_random -- --ignored`.

mod support;

use std::sync::Arc;

use proptest::prelude::*;
use support::oracle::run_wasmi;
use support::random_program::{MAX_STEPS, RandomProgram, campaign, random_program};
use wasmtf::files::FileContents;
use wasmtf::program::Program;
use wasmtf::vm::{Status, Vm};

fn check(random: &RandomProgram) -> Result<(), TestCaseError> {
    let program = Program::from_wat("random.wat", &random.wat)
        .map_err(|e| TestCaseError::fail(format!("refused: {e}")))?;
    let mut files = FileContents::default();
    for (number, bytes) in random.files.iter().enumerate() {
        files.set(number, bytes.clone()).unwrap();
    }
    let mut vm = Vm::new(Arc::new(program), files);
    let status = vm.run(MAX_STEPS);
    prop_assert_ne!(
        status,
        Status::Running,
        "the generator promises to halt within {} steps",
        MAX_STEPS
    );
    let wasm = wat::parse_str(&random.wat).unwrap();
    let oracle = run_wasmi(&wasm, &random.files, 4 * MAX_STEPS);
    prop_assert!(!oracle.out_of_fuel);
    let trap = match status {
        Status::Trapped(trap) => Some(trap.kind.name().to_string()),
        _ => None,
    };
    prop_assert_eq!(vm.outputs().to_vec(), oracle.outputs.clone());
    prop_assert_eq!(trap, oracle.trap);
    prop_assert_eq!(&vm.files().0, &oracle.files);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn the_vm_agrees_with_wasmi_on_random_programs(random in random_program()) {
        check(&random)?;
    }
}

#[test]
#[ignore = "long campaign: cargo test --release --test vm_random -- --ignored"]
fn campaign_vm_agrees_with_wasmi_on_many_random_programs() {
    campaign(20_000, check);
}
