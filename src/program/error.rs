//! Why a module could not be turned into a program, said so a person can fix it.

use std::fmt;

/// What went wrong, coarsely, for callers that branch on it (tests, the CLI).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadErrorKind {
    /// The text is not well-formed WebAssembly text.
    Syntax,
    /// The bytes are not a well-formed WebAssembly binary.
    Malformed,
    /// The module is well-formed but does not validate (types, labels, ...).
    Invalid,
    /// The module is valid WebAssembly but uses something outside SPEC §2.
    Unsupported,
}

/// A module refused before running.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub kind: LoadErrorKind,
    /// The program's name (its path).
    pub program: String,
    /// Where in the module, e.g. `function main, instruction 12`; `None` when the
    /// message already says where (syntax errors carry line and column).
    pub location: Option<String>,
    pub message: String,
}

impl LoadError {
    pub(crate) fn new(
        kind: LoadErrorKind,
        program: &str,
        location: Option<String>,
        message: impl Into<String>,
    ) -> LoadError {
        LoadError {
            kind,
            program: program.to_string(),
            location,
            message: message.into(),
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(location) => write!(f, "{}: {}: {}", self.program, location, self.message),
            None => write!(f, "{}: {}", self.program, self.message),
        }
    }
}

impl std::error::Error for LoadError {}
