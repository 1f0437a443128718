//! Locals (layer 2): one hard-max lookup head keyed by the local index.
//!
//! Every position that executed `local.set n` or `local.tee n` holds key n and,
//! as value, the stack top it read: the value written. A query for local n
//! scores `−(n − k)²` against key k, 0 exactly at k = n, and the latest write
//! wins the tie. The BOS token scores −0.5 for every query, so a local never
//! written reads BOS's value: zero.

use super::{Builder, EXCLUDE, L_MEMORY};
use crate::circuit::{Head, HeadKind, Lin};

pub(super) fn build(b: &mut Builder) {
    let writes = b.op("local.set") + b.op("local.tee");
    let head = Head {
        name: "local.read".into(),
        doc: "the latest value written to local n (zero when none was)".into(),
        kind: HeadKind::Lookup,
        query: vec![
            b.lin("cur.local"),
            b.lin("cur.local_sq"),
            Lin::constant(1.0),
        ],
        key: vec![
            b.lin("cur.local") * 2.0,
            -writes.clone(),
            -b.lin("cur.local_sq") - EXCLUDE + (writes + b.lin("is_bos")) * EXCLUDE
                - b.lin("is_bos") * 0.5,
        ],
        value: b.dims("top.b", 32).into_iter().map(Lin::dim).collect(),
        output: b.dims("local.b", 32),
    };
    b.head(L_MEMORY, head);
}
