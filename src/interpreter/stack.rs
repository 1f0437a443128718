//! Stack values (layer 1): two [`Lookup::nearest`] heads read the values at
//! slots `depth − 1` (the top) and `depth − 2` (the one below).
//!
//! A trace token that pushed a value holds it at slot `depth − 1` of its own
//! position (its depth includes its own change), so the eligible positions are
//! the pushes, keyed by their slot: the latest push to the queried slot is the
//! slot's current value.

use super::dims::Dims;
use super::roles::STACK_READS;
use crate::circuit::gadgets::{Layers, Lookup};
use crate::circuit::{HeadKind, Lin};

pub(super) fn build(d: &Dims, net: &mut Layers) {
    for ((role, below), out, doc) in [
        (STACK_READS[0], &d.top, "the value on top of the stack"),
        (STACK_READS[1], &d.second, "the value just below the top"),
    ] {
        let head = Lookup::nearest(
            Lin::dim(d.depth) - below,
            Lin::dim(d.depth) - 1.0,
            d.slot_sq.into(),
            d.tok.push.into(),
        )
        .head(
            role.name,
            doc,
            HeadKind::Lookup,
            d.tok.v.map(Lin::dim).to_vec(),
            out.to_vec(),
        );
        net.head(role.layer, head);
    }
}
