//! Locals (layer 2): one [`Lookup::exact_or_default`] head keyed by the local
//! index.
//!
//! Every position that executed `local.set n` or `local.tee n` is eligible,
//! with key n and, as value, the stack top it read: the value written. A query
//! for local n reads the latest such write; BOS is the default, so a local
//! never written reads BOS's value: zero.

use super::L_MEMORY;
use super::dims::Dims;
use super::tokens::OpClass;
use crate::circuit::gadgets::{Layers, Lookup};
use crate::circuit::{HeadKind, Lin};

pub(super) fn build(d: &Dims, net: &mut Layers) {
    let writes = d.op(OpClass::LocalSet) + d.op(OpClass::LocalTee);
    let head = Lookup::exact_or_default(
        d.cur.local.into(),
        d.cur.local_sq.into(),
        d.cur.local.into(),
        d.cur.local_sq.into(),
        writes,
        d.is_bos.into(),
    )
    .head(
        "local.read",
        "the latest value written to local n (zero when none was)",
        HeadKind::Lookup,
        d.top.map(Lin::dim).to_vec(),
        d.local.to_vec(),
    );
    net.head(L_MEMORY, head);
}
