//! Shared helpers for the integration tests: the corpus loader, the wasmi oracle
//! and the random-program generator. Each test binary declares `mod support;` and
//! uses only part of it, hence the `dead_code` allowance.
#![allow(dead_code)]

pub mod corpus;
pub mod oracle;
pub mod random_program;
