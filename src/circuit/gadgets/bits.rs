//! The integer a group of 0/1 bit dimensions stands for, as an affine form.
//!
//! `unsigned(b) = Σ 2^i·bᵢ`; `signed(b)` over 32 bits weighs bit 31 by −2^31
//! (two's complement), written as `unsigned(b) − 2^32·b₃₁`. Both are exact: the
//! coefficients are powers of two and the sums stay below 2^33.

use crate::circuit::{Dim, Lin};

/// `Σ 2^i · bits[i]`: the unsigned value of the bits (low bit first).
pub fn unsigned(bits: &[Dim]) -> Lin {
    Lin::sum(
        bits.iter()
            .enumerate()
            .map(|(i, &d)| (d, (1u64 << i) as f64)),
    )
}

/// The two's-complement value of 32 bits.
pub fn signed(bits: &[Dim; 32]) -> Lin {
    unsigned(bits) - Lin::dim(bits[31]) * (1u64 << 32) as f64
}

#[cfg(test)]
mod tests {
    use super::{signed, unsigned};
    use crate::circuit::gadgets::testing::layout;

    #[test]
    fn the_bits_read_as_the_unsigned_and_signed_values() {
        let names: Vec<String> = (0..32).map(|i| format!("b{i}")).collect();
        let (_, dims) = layout(&names.iter().map(String::as_str).collect::<Vec<_>>());
        let bits: [_; 32] = dims.try_into().unwrap();
        let edges = [0, 1, -1, i32::MIN, i32::MAX, 255, 256, -256, 0x1234_5678];
        let sweep = (0..5000).map(|k: i32| k.wrapping_mul(0x0101_0F1D));
        for v in edges.into_iter().chain(sweep) {
            let x: Vec<f64> = (0..32).map(|i| f64::from((v >> i) & 1)).collect();
            assert_eq!(unsigned(&bits).eval(&x), f64::from(v as u32), "{v}");
            assert_eq!(signed(&bits).eval(&x), f64::from(v), "{v}");
            for k in [0, 7, 15, 30] {
                let low = (v as u32) & ((2u64 << k) - 1) as u32;
                assert_eq!(unsigned(&bits[..=k]).eval(&x), f64::from(low), "{v} {k}");
            }
        }
    }
}
