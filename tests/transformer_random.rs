//! Random programs: the transformer must agree with the VM on outputs, trap,
//! files and instruction count. Bounded in the default suite; the long campaign
//! is `cargo test --release --test transformer_random -- --ignored`.

mod support;

use std::sync::Arc;

use proptest::prelude::*;
use support::random_program::{MAX_STEPS, RandomProgram, campaign, random_program};
use support::transformer::{files_of, model, run_transformer, run_vm, same_run};
use wasmtf::engine::Mode;
use wasmtf::program::Program;

fn check(random: &RandomProgram) -> Result<(), TestCaseError> {
    let program = Arc::new(
        Program::from_wat("random.wat", &random.wat)
            .map_err(|e| TestCaseError::fail(e.to_string()))?,
    );
    let files = files_of(&random.files);
    let vm = run_vm(&program, &files, MAX_STEPS);
    let transformer = run_transformer(&model(), &program, &files, MAX_STEPS, Mode::Fast);
    prop_assert!(
        same_run(&vm, &transformer),
        "vm {:?}\ntransformer {:?}",
        vm,
        transformer
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn the_transformer_agrees_with_the_vm_on_random_programs(random in random_program()) {
        check(&random)?;
    }
}

#[test]
#[ignore = "long campaign: cargo test --release --test transformer_random -- --ignored"]
fn campaign_transformer_agrees_with_the_vm_on_many_random_programs() {
    campaign(2_000, check);
}
