//! The step `[x ≥ t]` of an integer quantity, in two gated neurons.
//!
//! Construction: with `s = x − t + shift` ([`Enable::shift`]),
//! `ReLU(s + 1) − ReLU(s)`, scaled into the outputs.
//!
//! Proof: enabled, shift = 0. For an integer x ≤ t − 1 both arguments are ≤ 0
//! and the difference is 0; for x ≥ t both are ≥ 0 and the difference is
//! (s + 1) − s = 1. Disabled, shift ≤ −GATE_M, so both arguments are ≤ 0 as long
//! as `x − t + 1 < GATE_M`: the output is 0. Needs x and t integers (t may be any
//! integer, x − t + 1 below GATE_M in size).

use super::{Enable, Layers};
use crate::circuit::{Dim, Lin};

impl Layers {
    /// `[x ≥ threshold]` for integer x, only when `enable`, into `output`
    /// (neurons `{name}.up` and `{name}.down`).
    pub fn step(
        &mut self,
        layer: usize,
        name: &str,
        x: Lin,
        threshold: f64,
        enable: Enable,
        output: &[(Dim, f64)],
    ) {
        let shifted = x - threshold + enable.shift();
        let negated: Vec<(Dim, f64)> = output.iter().map(|&(d, w)| (d, -w)).collect();
        self.neuron(
            layer,
            format!("{name}.up"),
            shifted.clone() + 1.0,
            Lin::constant(1.0),
            output.to_vec(),
        );
        self.neuron(
            layer,
            format!("{name}.down"),
            shifted,
            Lin::constant(1.0),
            negated,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{feed_forward, layout};
    use super::super::{Enable, GATE_M, Layers};
    use crate::circuit::Lin;

    #[test]
    fn the_step_is_one_exactly_from_the_threshold_on_and_silent_when_disabled() {
        let (_, d) = layout(&["x", "flag", "out"]);
        let (x, flag, out) = (d[0], d[1], d[2]);
        let far = (1i64 << 38) as f64;
        for t in [-3.0, 0.0, 1.0, 7.0, 4096.0, far] {
            let mut net = Layers::new(1);
            let enable = Enable::when(Lin::dim(flag));
            net.step(0, "s", Lin::dim(x), t, enable, &[(out, 2.0)]);
            let probes = (-20..=20).map(|k| t + k as f64).chain([-far, far, 0.0]);
            for value in probes {
                for on in [0.0, 1.0] {
                    let delta = feed_forward(net.layer(0), &[value, on, 0.0]);
                    let expected = 2.0 * on * f64::from(u8::from(value >= t));
                    assert_eq!(delta[out.0], expected, "x = {value}, t = {t}, on = {on}");
                }
            }
        }
        assert!(far + 1.0 < GATE_M);
    }

    #[test]
    fn a_step_enabled_by_a_sum_needs_every_term() {
        let (_, d) = layout(&["x", "a", "b", "out"]);
        let mut net = Layers::new(1);
        let enable = Enable::all(Lin::dim(d[1]) + Lin::dim(d[2]), 2.0);
        net.step(0, "s", Lin::dim(d[0]), 0.0, enable, &[(d[3], 1.0)]);
        for x in -5..=5 {
            for (a, b) in [(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)] {
                let delta = feed_forward(net.layer(0), &[x as f64, a, b, 0.0]);
                let expected = i64::from(x >= 0 && a == 1.0 && b == 1.0);
                assert_eq!(delta[d[3].0], expected as f64, "x = {x}, a = {a}, b = {b}");
            }
        }
        let names: Vec<&str> = net.layer(0).neurons.iter().map(|n| &*n.name).collect();
        assert_eq!(names, ["s.up", "s.down"]);
    }
}
