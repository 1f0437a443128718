//! Instruction fetch and stack depth (layer 0).
//!
//! `fetch` is a hard-max lookup with quadratic keys: the query `(ip, 1)` against
//! keys `(2k, −k²)` of the instruction tokens scores `ip² − (ip − k)²`, highest
//! exactly at k = ip; it copies the instruction's static facts to `cur.*`.
//! Positions that are not trace tokens fetch the all-zero BOS token instead, so
//! no prompt position ever looks like it executes anything.
//!
//! `depth` is the sum head of SPEC §4: the running total of the trace tokens'
//! stack-depth changes is the depth before the instruction executing here.

use super::tokens::OpClass;
use super::{Builder, EXCLUDE, L_FETCH};
use crate::circuit::{Head, HeadKind, Lin};

/// The static facts copied by the fetch head (suffixes of `ins.*`/`cur.*`).
fn fact_names() -> Vec<String> {
    let mut names = vec!["index".to_string()];
    names.extend(
        OpClass::ALL
            .iter()
            .map(|op| format!("op={}", op.mnemonic())),
    );
    names.extend(["push", "delta"].map(String::from));
    names.extend((0..32).map(|i| format!("imm.b{i}")));
    names.extend(
        [
            "offset", "local", "local_sq", "target", "drop", "moves", "mem_size",
        ]
        .map(String::from),
    );
    names
}

pub(super) fn build(b: &mut Builder) {
    let facts = fact_names();
    let fetch = Head {
        name: "fetch".into(),
        doc: "instruction fetch: the instruction token whose index equals ip".into(),
        kind: HeadKind::Lookup,
        query: vec![
            b.lin("tok.ip"),
            Lin::constant(1.0),
            Lin::constant(1.0) - b.lin("is_trace"),
        ],
        key: vec![
            b.lin("ins.index") * 2.0,
            -b.lin("ins.index_sq") - EXCLUDE + b.lin("is_instr") * EXCLUDE,
            b.lin("is_bos") * (2.0 * EXCLUDE),
        ],
        value: facts.iter().map(|f| b.lin(&format!("ins.{f}"))).collect(),
        output: facts.iter().map(|f| b.d(&format!("cur.{f}"))).collect(),
    };
    b.head(L_FETCH, fetch);
    let depth = Head {
        name: super::roles::DEPTH.name.into(),
        doc: "sum head: the stack depth as the running sum of the emitted depth changes".into(),
        kind: HeadKind::Sum,
        query: vec![],
        key: vec![],
        value: vec![b.lin("tok.delta")],
        output: vec![b.d("depth")],
    };
    b.head(super::roles::DEPTH.layer, depth);
    // (depth − 1)²: the square of this position's stack slot, for the quadratic
    // keys of the stack heads.
    let slot = b.lin("depth") - 1.0;
    let out = vec![(b.d("slot_sq"), 1.0)];
    b.neuron(L_FETCH, "stack.slot_sq", slot.clone(), slot, out);
}
