//! The AND of 0/1 quantities, times a value, in one gated neuron.
//!
//! Construction: `ReLU(Σ termsᵢ − (n − 1)) · value`.
//!
//! Proof: with n terms each 0 or 1, the sum is n exactly when all are 1, and the
//! gate is then 1, passing `value` through; otherwise the sum is ≤ n − 1 and the
//! gate is ≤ 0. Needs every term to be exactly 0 or 1 (a term may itself be a
//! sum of exclusive flags, or `1 − flag`).

use super::Layers;
use crate::circuit::{Dim, Lin};

impl Layers {
    /// `value` into `output` when every one of the 0/1 `terms` is 1.
    pub fn and(
        &mut self,
        layer: usize,
        name: impl Into<String>,
        terms: &[Lin],
        value: Lin,
        output: Vec<(Dim, f64)>,
    ) {
        let sum =
            terms.iter().cloned().fold(Lin::zero(), |a, b| a + b) - (terms.len() as f64 - 1.0);
        self.neuron(layer, name, sum, value, output);
    }
}

#[cfg(test)]
mod tests {
    use super::super::Layers;
    use super::super::testing::{feed_forward, layout};
    use crate::circuit::Lin;

    #[test]
    fn the_and_passes_the_value_exactly_when_every_term_is_one() {
        let (_, d) = layout(&["a", "b", "c", "v", "out"]);
        let mut net = Layers::new(1);
        // The third term is a negation, as the file reads write `1 − eof`.
        let terms = [Lin::dim(d[0]), Lin::dim(d[1]), -Lin::dim(d[2]) + 1.0];
        net.and(0, "and", &terms, Lin::dim(d[3]), vec![(d[4], 1.0)]);
        for bits in 0..8 {
            let (a, b, c) = (bits & 1, bits >> 1 & 1, bits >> 2 & 1);
            for v in [-300, -1, 0, 1, 255, 1 << 20] {
                let x = [a, b, c, v, 0].map(f64::from);
                let expected = if a == 1 && b == 1 && c == 0 { v } else { 0 };
                let delta = feed_forward(net.layer(0), &x);
                assert_eq!(delta[d[4].0], f64::from(expected), "{a}{b}{c} v = {v}");
            }
        }
    }
}
