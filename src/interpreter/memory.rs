//! Linear memory, byte-addressed, little-endian, with unaligned and overlapping
//! accesses and bounds traps.
//!
//! - layer 1: the effective address `A = unsigned(base) + offset` (the base is
//!   the top for a load, the one below for a store), `A²`, and the bounds trap
//!   `[A + 4 > memory size]`.
//! - layer 2: sixteen hard-max heads `mem.i.j`. A store at address S writes its
//!   value's byte j at S + j; head (i, j) finds the latest store whose byte j lies
//!   at A + i (key `S + j`, query `A + i`, centred quadratic scores), and reads
//!   that byte and the store's position. BOS (score −0.5) stands for "never
//!   written": byte 0 at position 0.
//! - layer 2: for each byte i, which of its four candidates is the most recent,
//!   by pairwise steps on their positions;
//! - layer 3: byte i of the loaded value is the most recent candidate's byte.

use super::{Builder, EXCLUDE, GATE_M, L_FILES, L_MEMORY, L_STACK};
use crate::circuit::{Head, HeadKind, Lin};

pub(super) fn build(b: &mut Builder) {
    address(b);
    heads(b);
    select(b);
}

fn address(b: &mut Builder) {
    let offset = b.lin("cur.offset");
    for (op, base) in [("i32.load", "top.b"), ("i32.store", "second.b")] {
        let a = b.unsigned(base) + offset.clone();
        let shift = (b.op(op) - 1.0) * GATE_M;
        let (addr, addr_sq, trap) = (b.d("addr"), b.d("addr_sq"), b.d("trap.mem"));
        b.neuron(
            L_STACK,
            format!("memory.addr.{op}"),
            a.clone() + shift.clone(),
            Lin::constant(1.0),
            vec![(addr, 1.0)],
        );
        b.neuron(
            L_STACK,
            format!("memory.addr_sq.{op}"),
            a.clone() + shift,
            a.clone(),
            vec![(addr_sq, 1.0)],
        );
        // A + 4 > size  ⇔  A − size + 4 ≥ 1.
        let past_end = a + 4.0 - b.lin("cur.mem_size");
        let enable = (b.op(op), 1.0);
        b.step(
            L_STACK,
            &format!("memory.bounds.{op}"),
            past_end,
            1.0,
            enable,
            &[(trap, 1.0)],
        );
    }
}

fn heads(b: &mut Builder) {
    let store = b.op("i32.store");
    let addr = b.lin("addr");
    let addr_sq = b.lin("addr_sq");
    for i in 0..4 {
        for j in 0..4 {
            let (fi, fj) = (i as f64, j as f64);
            // q = A + i, q² = A² + 2iA + i²; key s = S + j, s² likewise.
            let query = vec![
                addr.clone() + fi,
                addr_sq.clone() + addr.clone() * (2.0 * fi) + fi * fi,
                Lin::constant(1.0),
            ];
            let key_sq = addr_sq.clone() + addr.clone() * (2.0 * fj) + store.clone() * (fj * fj);
            let key = vec![
                (addr.clone() + store.clone() * fj) * 2.0,
                -store.clone(),
                -key_sq - EXCLUDE + (store.clone() + b.lin("is_bos")) * EXCLUDE
                    - b.lin("is_bos") * 0.5,
            ];
            let mut value: Vec<Lin> = (0..8)
                .map(|t| b.lin(&format!("top.b{}", 8 * j + t)))
                .collect();
            value.push(b.lin("pos"));
            let mut output = b.dims(&format!("mem.{i}.{j}.b"), 8);
            output.push(b.d(&format!("mem.{i}.{j}.t")));
            b.head(
                L_MEMORY,
                Head {
                    name: format!("mem.{i}.{j}"),
                    doc: format!("the latest store whose byte {j} is at address + {i}"),
                    kind: HeadKind::Lookup,
                    query,
                    key,
                    value,
                    output,
                },
            );
        }
    }
}

fn select(b: &mut Builder) {
    for i in 0..4 {
        for j in 0..4 {
            for k in (0..4).filter(|&k| k != j) {
                let newer = b.lin(&format!("mem.{i}.{j}.t")) - b.lin(&format!("mem.{i}.{k}.t"));
                let out = b.d(&format!("memsel.{i}.{j}>{k}"));
                let enable = (b.op("i32.load"), 1.0);
                b.step(
                    L_MEMORY,
                    &format!("memory.newer.{i}.{j}>{k}"),
                    newer,
                    1.0,
                    enable,
                    &[(out, 1.0)],
                );
            }
        }
    }
    for i in 0..4 {
        for j in 0..4 {
            for t in 0..8 {
                let mut terms = vec![b.lin(&format!("mem.{i}.{j}.b{t}")), b.op("i32.load")];
                terms.extend(
                    (0..4)
                        .filter(|&k| k != j)
                        .map(|k| b.lin(&format!("memsel.{i}.{j}>{k}"))),
                );
                let out = b.d(&format!("val.b{}", 8 * i + t));
                b.and(
                    L_FILES,
                    format!("memory.load.b{}.from{j}", 8 * i + t),
                    &terms,
                    Lin::constant(1.0),
                    vec![(out, 1.0)],
                );
            }
        }
    }
}
