//! Maps keyed by the exact bit patterns of vectors (keys, queries), with a
//! hash cheap enough to run at every pass.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Exact bit patterns of keys or queries to what is known of them.
pub(crate) type BitsMap<V> = HashMap<Box<[u64]>, V, BuildHasherDefault<BitsHasher>>;

/// Components in a vector short enough to key a [`ShortBitsMap`].
pub(crate) const SHORT_WORDS: usize = 4;

/// A vector of at most [`SHORT_WORDS`] components as a map key: its length
/// and its components' bit patterns, inline, so that a lookup compares a
/// few words and allocates nothing.
pub(crate) type ShortBits = (u8, [u64; SHORT_WORDS]);

/// [`BitsMap`] for short vectors.
pub(crate) type ShortBitsMap<V> = HashMap<ShortBits, V, BuildHasherDefault<BitsHasher>>;

/// A multiply-rotate hash of the bit patterns (as rustc's Fx hash) with
/// MurmurHash3's finaliser: the keys are the model's own projections, so
/// nothing adversarial, and SipHash cost more than the rest of a read.
#[derive(Default)]
pub(crate) struct BitsHasher(u64);

impl Hasher for BitsHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u64(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_usize(&mut self, word: usize) {
        self.write_u64(word as u64);
    }

    /// Mixed so that the low bits depend on every bit: float keys often end
    /// in zeros, and the table indexes by the low bits.
    fn finish(&self) -> u64 {
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}
