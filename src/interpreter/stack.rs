//! Stack values (layer 1): two hard-max lookup heads read the values at slots
//! `depth − 1` (the top) and `depth − 2` (the one below).
//!
//! A trace token that pushed a value holds it at slot `depth − 1` of its own
//! position (its depth includes its own change). The key `(2s, −s²)` against the
//! query `(q, 1)` scores `q² − (q − s)²`, highest where s = q, and exact ties go
//! to the latest push: the current value of that slot. Tokens that pushed
//! nothing are excluded by a large negative score.

use super::roles::STACK_READS;
use super::{Builder, EXCLUDE};
use crate::circuit::{Head, HeadKind, Lin};

pub(super) fn build(b: &mut Builder) {
    let key = vec![
        (b.lin("depth") - 1.0) * 2.0,
        -b.lin("slot_sq") - EXCLUDE + b.lin("tok.push") * EXCLUDE,
    ];
    for ((role, below), out, doc) in [
        (STACK_READS[0], "top.b", "the value on top of the stack"),
        (STACK_READS[1], "second.b", "the value just below the top"),
    ] {
        let head = Head {
            name: role.name.into(),
            doc: doc.into(),
            kind: HeadKind::Lookup,
            query: vec![b.lin("depth") - below, Lin::constant(1.0)],
            key: key.clone(),
            value: b.dims("tok.v.b", 32).into_iter().map(Lin::dim).collect(),
            output: b.dims(out, 32),
        };
        b.head(role.layer, head);
    }
}
