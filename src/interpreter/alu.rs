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

use super::dims::Dims;
use super::tokens::OpClass;
use super::{L_MEMORY, L_STACK};
use crate::circuit::gadgets::{Enable, GATE_M, Layers, signed, unsigned};
use crate::circuit::{Dim, Lin};

fn pow2(k: usize) -> f64 {
    (1u64 << k) as f64
}

/// The low bits `Σ_{i≤k} 2^i · bits_i`.
fn low(bits: &[Dim; 32], k: usize) -> Lin {
    unsigned(&bits[..=k])
}

/// Bit k of a linear form T with `0 ≤ T < 2^{k+2}`, into `res_k`.
fn bit_of(d: &Dims, net: &mut Layers, name: &str, t: Lin, k: usize, op: OpClass) {
    for (tag, threshold, sign) in [
        ("ge1", pow2(k), 1.0),
        ("ge2", pow2(k + 1), -1.0),
        ("ge3", 3.0 * pow2(k), 1.0),
    ] {
        net.step(
            L_STACK,
            &format!("{name}.b{k}.{tag}"),
            t.clone(),
            threshold,
            Enable::when(d.op(op)),
            &[(d.res[k], sign)],
        );
    }
}

pub(super) fn build(d: &Dims, net: &mut Layers) {
    for k in 0..32 {
        let sum = low(&d.second, k) + low(&d.top, k);
        bit_of(d, net, "alu.add", sum, k, OpClass::I32Add);
        let difference = low(&d.second, k) - low(&d.top, k) + pow2(k + 1);
        bit_of(d, net, "alu.sub", difference, k, OpClass::I32Sub);

        let (a, b) = (Lin::dim(d.second[k]), Lin::dim(d.top[k]));
        let and_gate = a.clone() + b.clone() - 1.0 + (d.op(OpClass::I32And) - 1.0) * GATE_M;
        net.neuron(
            L_STACK,
            format!("alu.and.b{k}"),
            and_gate,
            Lin::constant(1.0),
            vec![(d.res[k], 1.0)],
        );
        net.step(
            L_STACK,
            &format!("alu.or.b{k}"),
            a + b,
            1.0,
            Enable::when(d.op(OpClass::I32Or)),
            &[(d.res[k], 1.0)],
        );
    }
    comparisons(d, net);
    mul(d, net);
}

fn comparisons(d: &Dims, net: &mut Layers) {
    let diff = signed(&d.second) - signed(&d.top);
    let res0: [(Dim, f64); 1] = [(d.res[0], 1.0)];
    let when = |op| Enable::when(d.op(op));
    net.step(
        L_STACK,
        "alu.cmp.lt_s",
        -diff.clone(),
        1.0,
        when(OpClass::I32LtS),
        &res0,
    );
    net.step(
        L_STACK,
        "alu.cmp.gt_s",
        diff.clone(),
        1.0,
        when(OpClass::I32GtS),
        &res0,
    );
    net.step(
        L_STACK,
        "alu.cmp.le_s",
        -diff.clone(),
        0.0,
        when(OpClass::I32LeS),
        &res0,
    );
    net.step(
        L_STACK,
        "alu.cmp.ge_s",
        diff.clone(),
        0.0,
        when(OpClass::I32GeS),
        &res0,
    );
    net.equals_zero(
        L_STACK,
        "alu.cmp.eq",
        diff.clone(),
        when(OpClass::I32Eq),
        &res0,
    );
    // ne = 1 − [a == b], for ne only.
    net.neuron(
        L_STACK,
        "alu.cmp.ne.one",
        d.op(OpClass::I32Ne),
        Lin::constant(1.0),
        res0.to_vec(),
    );
    let minus = [(d.res[0], -1.0)];
    net.equals_zero(L_STACK, "alu.cmp.ne.eq", diff, when(OpClass::I32Ne), &minus);
}

fn mul(d: &Dims, net: &mut Layers) {
    for k in 0..32 {
        for i in 0..=k {
            let gate = Lin::dim(d.second[i]) + d.op(OpClass::I32Mul) - 1.0;
            let value = low(&d.top, k - i) * pow2(i);
            net.neuron(
                L_STACK,
                format!("alu.mul.t{k}.a{i}"),
                gate,
                value,
                vec![(d.mul_t[k], 1.0)],
            );
        }
    }
    for k in 0..32 {
        let steps = if k == 0 { 1 } else { 2 * k };
        for j in 1..=steps {
            let sign = if j % 2 == 1 { 1.0 } else { -1.0 };
            net.step(
                L_MEMORY,
                &format!("alu.mul.b{k}.j{j}"),
                Lin::dim(d.mul_t[k]),
                j as f64 * pow2(k),
                Enable::when(d.op(OpClass::I32Mul)),
                &[(d.res[k], sign)],
            );
        }
    }
}
