//! The unembedding: each output field's argmax read off the final residual,
//! a categorical field by its logits, a quadratic one (the seed model's
//! integer fields) by one readout and a closed-form argmax.

use super::capture::{FieldLogits, PassCapture};
use super::session::dense_product;
use super::{Mode, Model};
use crate::weights::{OutputKind, Weights};

/// Reads every output field's argmax off the final residual `x`, capturing
/// the top logits when asked.
pub(crate) fn unembed(
    model: &Model,
    mode: Mode,
    x: &[f64],
    values: &mut Vec<f64>,
    capture: Option<&mut PassCapture>,
    emitted: &mut Vec<i64>,
) -> Result<(), String> {
    values.clear();
    match mode {
        Mode::Fast => model.readout.products_into(x, values),
        Mode::Reference => {
            let dense = model
                .dense(mode)
                .expect("the reference mode has dense matrices");
            for (field, dense_logits) in model.weights.outputs.iter().zip(&dense.logits) {
                match (&field.kind, dense_logits) {
                    (OutputKind::Categorical { b, .. }, Some(w)) => {
                        values.extend(dense_product(w, b.as_slice().expect("contiguous"), x))
                    }
                    (OutputKind::Quadratic { readout, bias, .. }, _) => {
                        let sum = readout.iter().zip(x).fold(*bias, |sum, (w, x)| sum + w * x);
                        values.push(sum)
                    }
                    (OutputKind::Categorical { .. }, None) => {
                        unreachable!("a categorical field has dense logits")
                    }
                }
            }
        }
    }
    choose_into(&model.weights, mode, values, capture, emitted)
}

/// Each output field's argmax given `values`, every field's logits
/// (categorical) or readout (quadratic) in order: the one decision shared
/// by the session and the prefill.
pub(crate) fn choose(
    weights: &Weights,
    mode: Mode,
    values: &[f64],
    capture: Option<&mut PassCapture>,
) -> Result<Vec<i64>, String> {
    let mut emitted = Vec::with_capacity(weights.outputs.len());
    choose_into(weights, mode, values, capture, &mut emitted)?;
    Ok(emitted)
}

/// [`choose`] into `emitted`.
pub(crate) fn choose_into(
    weights: &Weights,
    mode: Mode,
    values: &[f64],
    mut capture: Option<&mut PassCapture>,
    emitted: &mut Vec<i64>,
) -> Result<(), String> {
    if let Some(c) = capture.as_deref_mut() {
        c.logits.clear();
    }
    emitted.clear();
    let mut next = 0;
    for field in &weights.outputs {
        let chosen = match &field.kind {
            OutputKind::Categorical { b, .. } => {
                let logits = &values[next..next + b.len()];
                next += b.len();
                let mut best = 0;
                for (i, &l) in logits.iter().enumerate() {
                    if l > logits[best] {
                        best = i;
                    }
                }
                if let Some(c) = capture.as_deref_mut() {
                    c.logits
                        .push(FieldLogits::from_logits(&field.name, 0, logits));
                }
                best as i64
            }
            OutputKind::Quadratic { min, max, .. } => {
                let r = values[next];
                next += 1;
                if !r.is_finite() {
                    return Err(format!(
                        "output field {} read a non-finite value",
                        field.name
                    ));
                }
                let chosen = match mode {
                    Mode::Fast => quadratic_argmax(r, *min, *max),
                    Mode::Reference => quadratic_argmax_scan(r, *min, *max),
                };
                if let Some(c) = capture.as_deref_mut() {
                    c.logits.push(FieldLogits::around_quadratic(
                        &field.name,
                        chosen,
                        *min,
                        *max,
                        r,
                    ));
                }
                chosen
            }
        };
        emitted.push(chosen);
    }
    Ok(())
}

/// The seed model's quadratic unembedding: `2·t·R − t²`.
pub fn quadratic_logit(t: i64, r: f64) -> f64 {
    let t = t as f64;
    2.0 * t * r - t * t
}

/// The argmax of [`quadratic_logit`] over `min..=max` by scanning every value
/// (ties to the smaller): the reference.
pub fn quadratic_argmax_scan(r: f64, min: i64, max: i64) -> i64 {
    let mut best = min;
    for t in min..=max {
        if quadratic_logit(t, r) > quadratic_logit(best, r) {
            best = t;
        }
    }
    best
}

/// The same argmax in constant time: the logit is a concave parabola peaking at
/// R, so the winner is the integer nearest R or a neighbour; comparing those
/// three with the scan's own f64 arithmetic gives the scan's answer.
///
/// That holds while rounding cannot reorder the logits: any value two or
/// more from the peak trails it by at least 3, and each logit `2tR − t²` is
/// off by at most `(|2tR| + t²)·2⁻⁵²`, under 1/4 when `|R| ≤ 2²⁸` and
/// `|t| ≤ 2²⁴`. Outside that (edited weights: the compiled ones keep `R`
/// within a field's range), the scan decides.
pub fn quadratic_argmax(r: f64, min: i64, max: i64) -> i64 {
    const MAX_R: f64 = (1u64 << 28) as f64;
    const MAX_T: i64 = 1 << 24;
    let trusted = r.is_finite() && r.abs() <= MAX_R && min.abs().max(max.abs()) <= MAX_T;
    if !trusted {
        return quadratic_argmax_scan(r, min, max);
    }
    let centre = ((r - 0.5).ceil()).clamp(min as f64, max as f64) as i64;
    let mut best = (centre - 1).max(min);
    for t in best + 1..=(centre + 1).min(max) {
        if quadratic_logit(t, r) > quadratic_logit(best, r) {
            best = t;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn an_edited_readout_of_1e308_reads_as_the_scan_does() {
        // By hand: 2·t·1e308 overflows to +∞ for every t ≥ 1, so the scan
        // (strictly greater wins, from the smallest) keeps t = 1.
        assert_eq!(quadratic_argmax_scan(1e308, 0, 1 << 20), 1);
        assert_eq!(quadratic_argmax(1e308, 0, 1 << 20), 1);
    }

    proptest! {
        // Each case may scan a million values.
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn the_quadratic_argmax_equals_the_scan_at_any_magnitude(
            r in prop_oneof![
                // From 1e-4 to beyond f64::MAX (infinite), either sign,
                // where a product 2tR overflows or rounds away integers.
                (-4.0f64..330.0, proptest::bool::ANY).prop_map(|(e, negative)| {
                    let magnitude = 10f64.powf(e);
                    if negative { -magnitude } else { magnitude }
                }),
                // Where 2tR overflows for some t in the range.
                (301.0f64..309.0).prop_map(|e| 10f64.powf(e)),
                // Up to the bound of the closed form, halves included.
                (-(1i64 << 29)..(1i64 << 29)).prop_map(|v| v as f64 / 2.0),
            ],
        ) {
            let (min, max) = (0, 1 << 20);
            prop_assert_eq!(quadratic_argmax(r, min, max), quadratic_argmax_scan(r, min, max));
        }
    }

    proptest! {
        #[test]
        fn the_constant_time_quadratic_argmax_equals_the_scan(
            r in prop_oneof![-300.0f64..300.0, (-300i64..300).prop_map(|v| v as f64 + 0.5), (-300i64..300).prop_map(|v| v as f64)],
            min in -100i64..0,
            span in 0i64..200,
        ) {
            prop_assert_eq!(quadratic_argmax(r, min, min + span), quadratic_argmax_scan(r, min, min + span));
        }
    }
}
