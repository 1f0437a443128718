//! How small token fields enter the residual, and how a flag leaves it.
//!
//! - [`flag`]: value 1 sets the dimension to 1, value 0 adds nothing.
//! - [`byte_bits`]: a byte 0..=255 sets bit dimension i to its bit i, so
//!   [`super::unsigned`] of the eight dimensions is the byte.
//! - [`numeric`]: a value v of a large range adds v to one dimension and v² to
//!   another (the squares the lookup keys need), exact while v² < 2^53.
//! - [`flag_readout`]: the logits `(0.5, x)`; for x ∈ {0, 1} the argmax is x,
//!   with a margin of 0.5 either way.

use crate::circuit::{Dim, FieldEmbedding, FieldUnembedding, Lin};

/// A 0/1 field into one dimension.
pub fn flag(dim: Dim) -> FieldEmbedding {
    FieldEmbedding::Table {
        min: 0,
        rows: vec![vec![], vec![(dim, 1.0)]],
    }
}

/// A byte field into eight bit dimensions (`bits[0]` the low bit).
pub fn byte_bits(bits: &[Dim]) -> FieldEmbedding {
    assert_eq!(bits.len(), 8, "a byte has eight bits");
    let rows = (0..256)
        .map(|v: usize| {
            (0..8)
                .filter(|i| v >> i & 1 == 1)
                .map(|i| (bits[i], 1.0))
                .collect()
        })
        .collect();
    FieldEmbedding::Table { min: 0, rows }
}

/// A numeric field over `min..=max`: its value into `linear`, its square into
/// `quadratic` (either may be absent).
pub fn numeric(min: i64, max: i64, linear: Option<Dim>, quadratic: Option<Dim>) -> FieldEmbedding {
    FieldEmbedding::Numeric {
        min,
        max,
        linear: linear.into_iter().map(|d| (d, 1.0)).collect(),
        quadratic: quadratic.into_iter().map(|d| (d, 1.0)).collect(),
    }
}

/// A 0/1 output field read off the quantity `x`.
pub fn flag_readout(x: Lin) -> FieldUnembedding {
    FieldUnembedding::Categorical {
        logits: vec![Lin::constant(0.5), x],
    }
}

#[cfg(test)]
mod tests {
    use super::{byte_bits, flag, flag_readout, numeric};
    use crate::circuit::gadgets::testing::layout;
    use crate::circuit::gadgets::unsigned;
    use crate::circuit::{Dim, FieldEmbedding, FieldUnembedding, Lin};

    /// The residual a table row, or a numeric value, embeds into.
    fn embed(embedding: &FieldEmbedding, value: i64, d: usize) -> Vec<f64> {
        let mut x = vec![0.0; d];
        let mut add = |terms: &[(Dim, f64)], scale: f64| {
            for &(dim, w) in terms {
                x[dim.0] += w * scale;
            }
        };
        match embedding {
            FieldEmbedding::Table { min, rows } => add(&rows[(value - min) as usize], 1.0),
            FieldEmbedding::Numeric {
                linear, quadratic, ..
            } => {
                let v = value as f64;
                add(linear, v);
                add(quadratic, v * v);
            }
        }
        x
    }

    #[test]
    fn a_flag_embeds_as_itself() {
        let (_, d) = layout(&["other", "flag"]);
        for v in [0, 1] {
            assert_eq!(embed(&flag(d[1]), v, 2), [0.0, v as f64]);
        }
    }

    #[test]
    fn every_byte_embeds_as_its_bits() {
        let names = ["x", "b0", "b1", "b2", "b3", "b4", "b5", "b6", "b7"];
        let (_, d) = layout(&names);
        let embedding = byte_bits(&d[1..]);
        for v in 0..=255 {
            let x = embed(&embedding, v, 9);
            assert_eq!(unsigned(&d[1..]).eval(&x), v as f64);
            assert!(x.iter().all(|&b| b == 0.0 || b == 1.0));
            assert_eq!(x[0], 0.0);
        }
    }

    #[test]
    fn a_numeric_value_embeds_as_itself_and_its_square() {
        let (_, d) = layout(&["v", "v_sq"]);
        let embedding = numeric(-5, 1 << 20, Some(d[0]), Some(d[1]));
        for v in (-5..=40).chain([(1 << 20) - 1, 1 << 20]) {
            assert_eq!(embed(&embedding, v, 2), [v as f64, (v * v) as f64]);
        }
        let linear_only = numeric(0, 10, Some(d[0]), None);
        assert_eq!(embed(&linear_only, 7, 2), [7.0, 0.0]);
    }

    #[test]
    fn a_flag_reads_out_as_itself() {
        let (_, d) = layout(&["x"]);
        let FieldUnembedding::Categorical { logits } = flag_readout(Lin::dim(d[0])) else {
            panic!("a flag is categorical");
        };
        for x in [0.0, 1.0] {
            let scores: Vec<f64> = logits.iter().map(|l| l.eval(&[x])).collect();
            let argmax = if scores[1] > scores[0] { 1.0 } else { 0.0 };
            assert_eq!(argmax, x);
            assert_eq!((scores[1] - scores[0]).abs(), 0.5);
        }
    }
}
