//! Linear memory, byte-addressed, little-endian, with unaligned and overlapping
//! accesses and bounds traps.
//!
//! - layer 1: the effective address `A = unsigned(base) + offset` (the base is
//!   the top for a load, the one below for a store), `A²`, and the bounds trap
//!   `[A + 4 > memory size]` (a step).
//! - layer 2: sixteen [`Lookup::exact_or_default`] heads `mem.i.j`. A store at
//!   address S writes its value's byte j at S + j; head (i, j) finds the latest
//!   store whose byte j lies at A + i (key `S + j`, query `A + i`), and reads
//!   that byte and the store's position. BOS, the default, stands for "never
//!   written": byte 0 at position 0.
//! - layer 2: for each byte i, which of its four candidates is the most recent,
//!   by pairwise steps on their positions;
//! - layer 3: byte i of the loaded value is the most recent candidate's byte
//!   (an AND of the byte bit, the load and the candidate's three wins).

use super::dims::Dims;
use super::tokens::OpClass;
use super::{L_FILES, L_MEMORY, L_STACK};
use crate::circuit::gadgets::{Enable, Layers, Lookup, unsigned};
use crate::circuit::{HeadKind, Lin};

pub(super) fn build(d: &Dims, net: &mut Layers) {
    address(d, net);
    heads(d, net);
    select(d, net);
}

fn address(d: &Dims, net: &mut Layers) {
    let offset = Lin::dim(d.cur.offset);
    for (op, base) in [(OpClass::I32Load, &d.top), (OpClass::I32Store, &d.second)] {
        let name = op.mnemonic();
        let a = unsigned(base) + offset.clone();
        let shift = Enable::when(d.op(op)).shift();
        net.neuron(
            L_STACK,
            format!("memory.addr.{name}"),
            a.clone() + shift.clone(),
            Lin::constant(1.0),
            vec![(d.addr, 1.0)],
        );
        net.neuron(
            L_STACK,
            format!("memory.addr_sq.{name}"),
            a.clone() + shift,
            a.clone(),
            vec![(d.addr_sq, 1.0)],
        );
        // A + 4 > size  ⇔  A − size + 4 ≥ 1.
        let past_end = a + 4.0 - Lin::dim(d.cur.mem_size);
        net.step(
            L_STACK,
            &format!("memory.bounds.{name}"),
            past_end,
            1.0,
            Enable::when(d.op(op)),
            &[(d.trap_mem, 1.0)],
        );
    }
}

fn heads(d: &Dims, net: &mut Layers) {
    let store = d.op(OpClass::I32Store);
    let addr = Lin::dim(d.addr);
    let addr_sq = Lin::dim(d.addr_sq);
    for i in 0..4 {
        for j in 0..4 {
            let (fi, fj) = (i as f64, j as f64);
            // q = A + i, q² = A² + 2iA + i²; key s = S + j, s² likewise.
            let lookup = Lookup::exact_or_default(
                addr.clone() + fi,
                addr_sq.clone() + addr.clone() * (2.0 * fi) + fi * fi,
                addr.clone() + store.clone() * fj,
                addr_sq.clone() + addr.clone() * (2.0 * fj) + store.clone() * (fj * fj),
                store.clone(),
                d.is_bos.into(),
            );
            let read = &d.mem[i][j];
            let mut value: Vec<Lin> = d.top[8 * j..8 * j + 8].iter().map(|&b| b.into()).collect();
            value.push(d.pos.into());
            let mut output = read.bytes.to_vec();
            output.push(read.t);
            let head = lookup.head(
                format!("mem.{i}.{j}"),
                format!("the latest store whose byte {j} is at address + {i}"),
                HeadKind::Lookup,
                value,
                output,
            );
            net.head(L_MEMORY, head);
        }
    }
}

/// The other candidates k ≠ j of byte i, with the dimension saying j is newer.
fn rivals(d: &Dims, i: usize, j: usize) -> impl Iterator<Item = (usize, crate::circuit::Dim)> {
    let newer = d.mem[i][j].newer;
    (0..4).filter_map(move |k| newer[k].map(|dim| (k, dim)))
}

fn select(d: &Dims, net: &mut Layers) {
    for i in 0..4 {
        for j in 0..4 {
            for (k, out) in rivals(d, i, j) {
                let newer = Lin::dim(d.mem[i][j].t) - Lin::dim(d.mem[i][k].t);
                net.step(
                    L_MEMORY,
                    &format!("memory.newer.{i}.{j}>{k}"),
                    newer,
                    1.0,
                    Enable::when(d.op(OpClass::I32Load)),
                    &[(out, 1.0)],
                );
            }
        }
    }
    for i in 0..4 {
        for j in 0..4 {
            for t in 0..8 {
                let mut terms = vec![d.mem[i][j].bytes[t].into(), d.op(OpClass::I32Load)];
                terms.extend(rivals(d, i, j).map(|(_, won)| Lin::dim(won)));
                net.and(
                    L_FILES,
                    format!("memory.load.b{}.from{j}", 8 * i + t),
                    &terms,
                    Lin::constant(1.0),
                    vec![(d.val[8 * i + t], 1.0)],
                );
            }
        }
    }
}
