//! Arithmetic and comparisons on all 32 bits, in gated feed-forward neurons.
//!
//! The operands arrive as bits (`second.b*` is a, `top.b*` is b). Every neuron is
//! gated on its opcode flag by a big-M shift inside its ReLU, so it is silent for
//! every other instruction.
//!
//! - add/sub (layer 1): bit k of `a + b` is bit k of `T = Σ_{i≤k}(aᵢ+bᵢ)2^i`,
//!   and since `T < 2^{k+2}` it is `[T≥2^k] − [T≥2^{k+1}] + [T≥3·2^k]`: three
//!   steps of a linear form, so the whole 32-bit sum with every carry takes one
//!   layer. Subtraction adds the complement plus one.
//! - and/or (layer 1): one or two neurons per bit.
//! - signed comparisons (layer 1): steps and hats of `S(a) − S(b)`, with S the
//!   signed value.
//! - mul: layer 1 forms `T_k = Σ_{i≤k} aᵢ·2^i·(b mod 2^{k−i+1})` with one gated
//!   neuron per (i, k) (the low k+1 bits of a·b are those of T_k); layer 2 reads
//!   bit k of T_k with a staircase of `[T_k ≥ j·2^k]` steps, j = 1..2k.

use super::{Builder, L_MEMORY, L_STACK};
use crate::circuit::{Dim, Lin};

fn pow2(k: usize) -> f64 {
    (1u64 << k) as f64
}

/// The low bits `Σ_{i≤k} 2^i · prefix_i`.
fn low(b: &Builder, prefix: &str, k: usize) -> Lin {
    Lin::sum((0..=k).map(|i| (b.d(&format!("{prefix}{i}")), pow2(i))))
}

/// Bit k of a linear form T with `0 ≤ T < 2^{k+2}`, into `res.b_k`.
fn bit_of(b: &mut Builder, name: &str, t: Lin, k: usize, enable: (Lin, f64)) {
    let res = b.d(&format!("res.b{k}"));
    for (tag, threshold, sign) in [
        ("ge1", pow2(k), 1.0),
        ("ge2", pow2(k + 1), -1.0),
        ("ge3", 3.0 * pow2(k), 1.0),
    ] {
        b.step(
            L_STACK,
            &format!("{name}.b{k}.{tag}"),
            t.clone(),
            threshold,
            enable.clone(),
            &[(res, sign)],
        );
    }
}

pub(super) fn build(b: &mut Builder) {
    for k in 0..32 {
        let sum = low(b, "second.b", k) + low(b, "top.b", k);
        let add = (b.op("i32.add"), 1.0);
        bit_of(b, "alu.add", sum, k, add);
        let difference = low(b, "second.b", k) - low(b, "top.b", k) + pow2(k + 1);
        let sub = (b.op("i32.sub"), 1.0);
        bit_of(b, "alu.sub", difference, k, sub);

        let (a, bb) = (b.lin(&format!("second.b{k}")), b.lin(&format!("top.b{k}")));
        let res = b.d(&format!("res.b{k}"));
        let and_gate = a.clone() + bb.clone() - 1.0 + (b.op("i32.and") - 1.0) * super::GATE_M;
        b.neuron(
            L_STACK,
            format!("alu.and.b{k}"),
            and_gate,
            Lin::constant(1.0),
            vec![(res, 1.0)],
        );
        let or = (b.op("i32.or"), 1.0);
        b.step(
            L_STACK,
            &format!("alu.or.b{k}"),
            a + bb,
            1.0,
            or,
            &[(res, 1.0)],
        );
    }
    comparisons(b);
    mul(b);
}

fn comparisons(b: &mut Builder) {
    let d = b.signed("second.b") - b.signed("top.b");
    let res0: [(Dim, f64); 1] = [(b.d("res.b0"), 1.0)];
    let lt = (b.op("i32.lt_s"), 1.0);
    b.step(L_STACK, "alu.cmp.lt_s", -d.clone(), 1.0, lt, &res0);
    let gt = (b.op("i32.gt_s"), 1.0);
    b.step(L_STACK, "alu.cmp.gt_s", d.clone(), 1.0, gt, &res0);
    let le = (b.op("i32.le_s"), 1.0);
    b.step(L_STACK, "alu.cmp.le_s", -d.clone(), 0.0, le, &res0);
    let ge = (b.op("i32.ge_s"), 1.0);
    b.step(L_STACK, "alu.cmp.ge_s", d.clone(), 0.0, ge, &res0);
    let eq = (b.op("i32.eq"), 1.0);
    b.equals_zero(L_STACK, "alu.cmp.eq", d.clone(), eq, &res0);
    // ne = 1 − [a == b], for ne only.
    let ne = b.op("i32.ne");
    b.neuron(
        L_STACK,
        "alu.cmp.ne.one",
        ne.clone(),
        Lin::constant(1.0),
        res0.to_vec(),
    );
    b.equals_zero(L_STACK, "alu.cmp.ne.eq", d, (ne, 1.0), &[(res0[0].0, -1.0)]);
}

fn mul(b: &mut Builder) {
    for k in 0..32 {
        let t = b.d(&format!("mul.t{k}"));
        for i in 0..=k {
            let gate = b.lin(&format!("second.b{i}")) + b.op("i32.mul") - 1.0;
            let value = low(b, "top.b", k - i) * pow2(i);
            b.neuron(
                L_STACK,
                format!("alu.mul.t{k}.a{i}"),
                gate,
                value,
                vec![(t, 1.0)],
            );
        }
    }
    for k in 0..32 {
        let res = b.d(&format!("res.b{k}"));
        let steps = if k == 0 { 1 } else { 2 * k };
        for j in 1..=steps {
            let sign = if j % 2 == 1 { 1.0 } else { -1.0 };
            let t = b.lin(&format!("mul.t{k}"));
            let enable = (b.op("i32.mul"), 1.0);
            b.step(
                L_MEMORY,
                &format!("alu.mul.b{k}.j{j}"),
                t,
                j as f64 * pow2(k),
                enable,
                &[(res, sign)],
            );
        }
    }
}
