//! The sum head: a running total of a per-position value.
//!
//! Construction: no query or key (every score is 0), kind
//! [`HeadKind::Sum`]. Proof: equal scores give uniform attention over the
//! positions so far, the average of the values; the engine multiplies by the
//! number of positions (the meaning of `Sum`), which leaves `Σ_{j ≤ i} value(x_j)`.
//! Exact while every value and partial sum is an integer below 2^53.

use crate::circuit::{Dim, Head, HeadKind, Lin};

/// A head adding `value` over every position so far into `output`.
pub fn running_sum(
    name: impl Into<String>,
    doc: impl Into<String>,
    value: Lin,
    output: Dim,
) -> Head {
    Head {
        name: name.into(),
        doc: doc.into(),
        kind: HeadKind::Sum,
        query: vec![],
        key: vec![],
        value: vec![value],
        output: vec![output],
    }
}

#[cfg(test)]
mod tests {
    use super::running_sum;
    use crate::circuit::HeadKind;
    use crate::circuit::Lin;
    use crate::circuit::gadgets::testing::layout;

    #[test]
    fn the_running_sum_of_stack_effects_is_the_depth() {
        let (_, d) = layout(&["delta", "depth"]);
        let head = running_sum("depth", "", Lin::dim(d[0]), d[1]);
        assert_eq!(head.kind, HeadKind::Sum);
        assert!(head.query.is_empty() && head.key.is_empty());
        // const, const, add, const, store, const, br (drops 3) ...
        let deltas = [0, 1, 1, -1, 1, -2, 1, -3, 1, 0, 1];
        let depths = [0, 1, 2, 1, 2, 0, 1, -2, -1, -1, 0];
        let mut total = 0.0;
        for (delta, depth) in deltas.into_iter().zip(depths) {
            total += head.value[0].eval(&[f64::from(delta), 0.0]);
            assert_eq!(total, f64::from(depth));
        }
        assert_eq!(head.output, vec![d[1]]);
    }
}
