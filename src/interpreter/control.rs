//! Control flow in the weights: whether a branch is taken (layer 1) and what the
//! next trace token says about the instruction pointer, the stack depth and a
//! pushed value (layer 2).
//!
//! Targets and drop counts are static facts fetched with the instruction; the
//! decision reads the condition from the stack top. The next ip is `index + 1`
//! plus, when taken, `target − index − 1`; the depth change is the opcode's
//! static effect minus, when taken, the values the branch drops; a taken branch
//! that keeps a value above dropped ones pushes it again at the new top.

use super::{Builder, L_MEMORY, L_STACK};
use crate::circuit::Lin;

pub(super) fn build(b: &mut Builder) {
    let taken = b.d("taken");
    let top = b.unsigned("top.b");
    // br: always.
    b.neuron(
        L_STACK,
        "control.taken.br",
        b.op("br"),
        Lin::constant(1.0),
        vec![(taken, 1.0)],
    );
    // br_if: when the condition (the top) is not zero.
    let br_if = (b.op("br_if"), 1.0);
    b.step(
        L_STACK,
        "control.taken.br_if",
        top.clone(),
        1.0,
        br_if,
        &[(taken, 1.0)],
    );
    // br_unless (the lowering of `if`): when the condition is zero.
    b.neuron(
        L_STACK,
        "control.taken.br_unless",
        b.op("br_unless"),
        Lin::constant(1.0),
        vec![(taken, 1.0)],
    );
    let br_unless = (b.op("br_unless"), 1.0);
    b.step(
        L_STACK,
        "control.taken.br_unless.nonzero",
        top,
        1.0,
        br_unless,
        &[(taken, -1.0)],
    );

    let next_ip = b.d("next.ip");
    let jump = b.lin("cur.target") - b.lin("cur.index") - 1.0;
    b.neuron(
        L_MEMORY,
        "control.next_ip.fallthrough",
        b.lin("is_trace"),
        b.lin("cur.index") + 1.0,
        vec![(next_ip, 1.0)],
    );
    b.neuron(
        L_MEMORY,
        "control.next_ip.jump",
        b.lin("taken"),
        jump,
        vec![(next_ip, 1.0)],
    );

    let next_delta = b.d("next.delta");
    b.neuron(
        L_MEMORY,
        "control.delta.static",
        b.lin("is_trace"),
        b.lin("cur.delta"),
        vec![(next_delta, 1.0)],
    );
    b.neuron(
        L_MEMORY,
        "control.delta.dropped",
        b.lin("taken"),
        -b.lin("cur.drop"),
        vec![(next_delta, 1.0)],
    );

    let next_push = b.d("next.push");
    b.neuron(
        L_MEMORY,
        "control.push.static",
        b.lin("cur.push"),
        Lin::constant(1.0),
        vec![(next_push, 1.0)],
    );
    b.and(
        L_MEMORY,
        "control.push.moved",
        &[b.lin("taken"), b.lin("cur.moves")],
        Lin::constant(1.0),
        vec![(next_push, 1.0)],
    );
}
