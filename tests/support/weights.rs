//! Weights edited on purpose, for the tests that hold the fast paths to the
//! reference on weights other than the compiled ones.

use wasmtf::weights::Weights;

use super::transformer::compiled;

/// A deterministic perturbation of every non-zero weight by up to ±`scale`
/// (relative), so that argmaxes stop agreeing with the recording and ties,
/// near-ties and wrong reads are exercised.
pub fn perturbed(scale: f64, seed: u64) -> Weights {
    let mut state = seed;
    let mut noise = move |w: &mut f64| {
        if *w != 0.0 {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let unit = (state >> 11) as f64 / (1u64 << 53) as f64;
            *w *= 1.0 + scale * (2.0 * unit - 1.0);
        }
    };
    let mut weights = compiled().clone();
    for layer in &mut weights.layers {
        for head in &mut layer.heads {
            head.w_q.map_nonzero(&mut noise);
            head.w_k.map_nonzero(&mut noise);
            head.w_v.map_nonzero(&mut noise);
            head.w_o.map_nonzero(&mut noise);
        }
        layer.w_gate.map_nonzero(&mut noise);
        layer.b_gate.map_inplace(&mut noise);
        layer.w_val.map_nonzero(&mut noise);
        layer.w_out.map_nonzero(&mut noise);
    }
    weights
}

pub fn ablated() -> Weights {
    let mut weights = compiled().clone();
    weights.ablate_neurons("alu.add");
    weights.ablate_heads("mem.1");
    weights.ablate_heads("local.read");
    weights
}
