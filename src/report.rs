//! The result of a run, whichever engine produced it, and its two renderings:
//! plain output lines and the JSON object of SPEC §3.

use serde::Serialize;
use std::collections::BTreeMap;

use crate::files::FileContents;

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// `main` returned.
    Halted,
    /// The program trapped; the message says how and where.
    Trapped(String),
    /// The step limit was reached first.
    StepLimit,
}

/// Everything a run reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunReport {
    pub outputs: Vec<i32>,
    pub ending: Ending,
    pub files: FileContents,
    /// Instructions executed (including a trapping one).
    pub steps: u64,
    /// Forward passes (0 for the VM).
    pub tokens: u64,
}

/// Exit statuses of `wasmtf run` (SPEC §3).
pub mod exit {
    pub const HALTED: i32 = 0;
    pub const UNUSABLE: i32 = 1;
    pub const TRAPPED: i32 = 2;
    pub const STEP_LIMIT: i32 = 3;
}

#[derive(Serialize)]
struct JsonReport<'a> {
    outputs: &'a [i32],
    trap: Option<&'a str>,
    files: BTreeMap<String, String>,
    steps: u64,
    tokens: u64,
}

impl RunReport {
    /// The process exit status for this ending.
    pub fn exit_status(&self) -> i32 {
        match self.ending {
            Ending::Halted => exit::HALTED,
            Ending::Trapped(_) => exit::TRAPPED,
            Ending::StepLimit => exit::STEP_LIMIT,
        }
    }

    /// What `run` and `record` say on stderr about how the run ended, when
    /// it did not simply halt.
    pub fn ending_note(&self) -> Option<String> {
        match &self.ending {
            Ending::Halted => None,
            Ending::Trapped(message) => Some(format!("trap: {message}")),
            Ending::StepLimit => Some(format!(
                "step limit reached: {} instructions executed without halting (raise it with --max-steps)",
                self.steps
            )),
        }
    }

    /// The trap message, if the run trapped.
    pub fn trap(&self) -> Option<&str> {
        match &self.ending {
            Ending::Trapped(message) => Some(message),
            _ => None,
        }
    }

    /// The single-line JSON object of SPEC §3.
    pub fn to_json(&self) -> String {
        let report = JsonReport {
            outputs: &self.outputs,
            trap: self.trap(),
            files: self
                .files
                .non_empty_hex()
                .into_iter()
                .map(|(number, hex)| (number.to_string(), hex))
                .collect(),
            steps: self.steps,
            tokens: self.tokens,
        };
        serde_json::to_string(&report).expect("a report of integers and strings serializes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_has_exactly_the_fields_of_the_spec_in_order() {
        let mut files = FileContents::default();
        files.set(2, vec![0x68, 0x69]).unwrap();
        let report = RunReport {
            outputs: vec![-1, 7],
            ending: Ending::Trapped("unreachable at instruction 3 (unreachable)".into()),
            files,
            steps: 4,
            tokens: 0,
        };
        assert_eq!(
            report.to_json(),
            r#"{"outputs":[-1,7],"trap":"unreachable at instruction 3 (unreachable)","files":{"2":"6869"},"steps":4,"tokens":0}"#
        );
        assert_eq!(report.exit_status(), 2);
    }

    #[test]
    fn a_halted_run_has_a_null_trap_and_no_empty_files() {
        let report = RunReport {
            outputs: vec![],
            ending: Ending::Halted,
            files: FileContents::default(),
            steps: 1,
            tokens: 0,
        };
        assert_eq!(
            report.to_json(),
            r#"{"outputs":[],"trap":null,"files":{},"steps":1,"tokens":0}"#
        );
        assert_eq!(report.exit_status(), 0);
    }
}
