//! Instruction fetch and stack depth (layer 0).
//!
//! `fetch` is a [`Lookup::nearest`] over the instruction tokens keyed by their
//! index, queried with `ip`: it copies the static facts of the instruction
//! whose index equals ip to `cur.*`. Positions that are not trace tokens are
//! overridden to fetch the all-zero BOS token instead, so no prompt position
//! ever looks like it executes anything.
//!
//! `depth` is the sum head of SPEC §4: the running total of the trace tokens'
//! stack-depth changes is the depth before the instruction executing here.

use super::dims::Dims;
use super::{L_FETCH, roles};
use crate::circuit::gadgets::{Layers, Lookup, running_sum};
use crate::circuit::{HeadKind, Lin};

pub(super) fn build(d: &Dims, net: &mut Layers) {
    let not_trace = Lin::constant(1.0) - Lin::dim(d.is_trace);
    let fetch = Lookup::nearest(
        d.tok.ip.into(),
        d.ins.index.into(),
        d.ins_index_sq.into(),
        d.is_instr.into(),
    )
    .overridden(not_trace, d.is_bos.into())
    .head(
        "fetch",
        "instruction fetch: the instruction token whose index equals ip",
        HeadKind::Lookup,
        d.ins.all().into_iter().map(Lin::dim).collect(),
        d.cur.all(),
    );
    net.head(L_FETCH, fetch);
    let depth = running_sum(
        roles::DEPTH.name,
        "sum head: the stack depth as the running sum of the emitted depth changes",
        d.tok.delta.into(),
        d.depth,
    );
    net.head(roles::DEPTH.layer, depth);
    // (depth − 1)²: the square of this position's stack slot, for the quadratic
    // keys of the stack heads.
    let slot = Lin::dim(d.depth) - 1.0;
    net.neuron(
        L_FETCH,
        "stack.slot_sq",
        slot.clone(),
        slot,
        vec![(d.slot_sq, 1.0)],
    );
}
