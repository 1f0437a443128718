//! When two tokens agree. A token that ends the run (halted or trapped) is
//! compared by its status only: after a trap WebAssembly has no state, and
//! the other fields of such a token mean nothing. Otherwise every output
//! field must be equal.

use crate::interpreter::out_field;
use crate::interpreter::prompt::output_fields;
use crate::interpreter::tokens::{RunStatus, TraceToken};

/// `(output field, a's value, b's value)` wherever `a` and `b` disagree.
pub fn differing_fields(a: &TraceToken, b: &TraceToken) -> Vec<(usize, i64, i64)> {
    let (fa, fb) = (output_fields(a), output_fields(b));
    let ends = a.status != RunStatus::Running || b.status != RunStatus::Running;
    (0..fa.len())
        .filter(|&f| !ends || f == out_field::STATUS)
        .filter(|&f| fa[f] != fb[f])
        .map(|f| (f, fa[f], fb[f]))
        .collect()
}
