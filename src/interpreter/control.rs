//! Control flow in the weights: whether a branch is taken (layer 1) and what the
//! next trace token says about the instruction pointer, the stack depth and a
//! pushed value (layer 2).
//!
//! Targets and drop counts are static facts fetched with the instruction; the
//! decision reads the condition from the stack top. The next ip is `index + 1`
//! plus, when taken, `target − index − 1`; the depth change is the opcode's
//! static effect minus, when taken, the values the branch drops; a taken branch
//! that keeps a value above dropped ones pushes it again at the new top.

use super::dims::Dims;
use super::tokens::OpClass;
use super::{L_MEMORY, L_STACK};
use crate::circuit::Lin;
use crate::circuit::gadgets::{Enable, Layers, unsigned};

pub(super) fn build(d: &Dims, net: &mut Layers) {
    let taken = d.taken;
    let top = unsigned(&d.top);
    // br: always.
    net.neuron(
        L_STACK,
        "control.taken.br",
        d.op(OpClass::Br),
        Lin::constant(1.0),
        vec![(taken, 1.0)],
    );
    // br_if: when the condition (the top) is not zero.
    net.step(
        L_STACK,
        "control.taken.br_if",
        top.clone(),
        1.0,
        Enable::when(d.op(OpClass::BrIf)),
        &[(taken, 1.0)],
    );
    // br_unless (the lowering of `if`): when the condition is zero.
    net.neuron(
        L_STACK,
        "control.taken.br_unless",
        d.op(OpClass::BrUnless),
        Lin::constant(1.0),
        vec![(taken, 1.0)],
    );
    net.step(
        L_STACK,
        "control.taken.br_unless.nonzero",
        top,
        1.0,
        Enable::when(d.op(OpClass::BrUnless)),
        &[(taken, -1.0)],
    );

    let (index, is_trace, taken_lin) =
        (Lin::dim(d.cur.index), Lin::dim(d.is_trace), Lin::dim(taken));
    let jump = Lin::dim(d.cur.target) - index.clone() - 1.0;
    net.neuron(
        L_MEMORY,
        "control.next_ip.fallthrough",
        is_trace.clone(),
        index + 1.0,
        vec![(d.next.ip, 1.0)],
    );
    net.neuron(
        L_MEMORY,
        "control.next_ip.jump",
        taken_lin.clone(),
        jump,
        vec![(d.next.ip, 1.0)],
    );

    net.neuron(
        L_MEMORY,
        "control.delta.static",
        is_trace,
        Lin::dim(d.cur.delta),
        vec![(d.next.delta, 1.0)],
    );
    net.neuron(
        L_MEMORY,
        "control.delta.dropped",
        taken_lin.clone(),
        -Lin::dim(d.cur.drop),
        vec![(d.next.delta, 1.0)],
    );

    net.neuron(
        L_MEMORY,
        "control.push.static",
        Lin::dim(d.cur.push),
        Lin::constant(1.0),
        vec![(d.next.push, 1.0)],
    );
    net.and(
        L_MEMORY,
        "control.push.moved",
        &[taken_lin, Lin::dim(d.cur.moves)],
        Lin::constant(1.0),
        vec![(d.next.push, 1.0)],
    );
}
