//! The hat `[x == 0]` of an integer quantity, in three gated neurons.
//!
//! Construction: with `s = x + shift` ([`Enable::shift`]),
//! `ReLU(s + 1) − 2·ReLU(s) + ReLU(s − 1)`, scaled into the outputs.
//!
//! Proof: enabled, shift = 0. At x = 0 the terms are 1 − 0 + 0 = 1. For an
//! integer x ≥ 1 they are (x + 1) − 2x + (x − 1) = 0; for x ≤ −1 all three
//! arguments are ≤ 0. Disabled, shift ≤ −GATE_M makes every argument ≤ 0 as long
//! as `x + 1 < GATE_M`. Needs x an integer, below GATE_M − 1 in size.

use super::{Enable, Layers};
use crate::circuit::{Dim, Lin};

impl Layers {
    /// `[x == 0]` for integer x, only when `enable`, into `output` (neurons
    /// `{name}.left`, `{name}.mid` and `{name}.right`).
    pub fn equals_zero(
        &mut self,
        layer: usize,
        name: &str,
        x: Lin,
        enable: Enable,
        output: &[(Dim, f64)],
    ) {
        let shifted = x + enable.shift();
        let scaled = |k: f64| output.iter().map(|&(d, w)| (d, w * k)).collect::<Vec<_>>();
        self.neuron(
            layer,
            format!("{name}.left"),
            shifted.clone() + 1.0,
            Lin::constant(1.0),
            scaled(1.0),
        );
        self.neuron(
            layer,
            format!("{name}.mid"),
            shifted.clone(),
            Lin::constant(1.0),
            scaled(-2.0),
        );
        self.neuron(
            layer,
            format!("{name}.right"),
            shifted - 1.0,
            Lin::constant(1.0),
            scaled(1.0),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{feed_forward, layout};
    use super::super::{Enable, Layers};
    use crate::circuit::Lin;

    #[test]
    fn the_hat_is_one_at_zero_only_and_silent_when_disabled() {
        let (_, d) = layout(&["x", "flag", "out"]);
        let mut net = Layers::new(1);
        let x = Lin::dim(d[0]) - 3.0;
        net.equals_zero(0, "h", x, Enable::when(Lin::dim(d[1])), &[(d[2], -1.0)]);
        let far = (1i64 << 38) as f64;
        let probes = (-40..=40).map(f64::from).chain([-far, far, 3.0 + far]);
        for value in probes {
            for on in [0.0, 1.0] {
                let delta = feed_forward(net.layer(0), &[value, on, 0.0]);
                let expected = -on * f64::from(u8::from(value == 3.0));
                assert_eq!(delta[d[2].0], expected, "x = {value}, on = {on}");
            }
        }
    }
}
