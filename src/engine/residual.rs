//! The residual stream of one pass, and changes to it, kept sparse.
//!
//! A pass of the compiled model writes a few dozen of its 637 dimensions.
//! [`Residual`] keeps the dense vector (every matrix reads it by index) and a
//! bit per dimension that may be non-zero, so that listing the non-zero
//! entries, checking finiteness and clearing for the next pass visit only
//! those. [`Delta`] sums what a block adds, term by term in the order the
//! dense computation sums it, and adds it to the dimensions where it is not
//! zero only. What is left out — zero terms, zero sums, and the zeros the
//! dense computation adds everywhere else — can change nothing but the sign
//! of a zero, which no comparison sees; a NaN or an infinity is never zero,
//! so it always arrives.

/// A residual vector with a record of the dimensions that may be non-zero.
#[derive(Debug, Clone)]
pub(crate) struct Residual {
    values: Vec<f64>,
    /// A bit per dimension written since the last clear; every other
    /// dimension is +0.
    written: Vec<u64>,
}

impl Residual {
    /// Zeros of `d` dimensions.
    pub(crate) fn new(d: usize) -> Residual {
        Residual {
            values: vec![0.0; d],
            written: vec![0; d.div_ceil(64)],
        }
    }

    pub(crate) fn values(&self) -> &[f64] {
        &self.values
    }

    #[inline]
    fn mark(&mut self, d: usize) {
        self.written[d / 64] |= 1 << (d % 64);
    }

    /// `x[d] += v`.
    #[inline]
    pub(crate) fn add(&mut self, d: usize, v: f64) {
        self.values[d] += v;
        self.mark(d);
    }

    /// Marks every dimension written: the dense reference visits them all.
    pub(crate) fn mark_all(&mut self) {
        for d in 0..self.values.len() {
            self.mark(d);
        }
    }

    /// Calls `visit(d)` for each written dimension, ascending, until it
    /// returns true; returns that dimension.
    #[inline]
    fn find_written(&self, mut visit: impl FnMut(usize) -> bool) -> Option<usize> {
        for (w, &word) in self.written.iter().enumerate() {
            let mut bits = word;
            while bits != 0 {
                let d = w * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                if visit(d) {
                    return Some(d);
                }
            }
        }
        None
    }

    /// The dimensions whose value is not zero and whose bit is set in
    /// `read` (a reader's dimensions: the others it would multiply by no
    /// weight), ascending, into `out`.
    pub(crate) fn nonzero_into(&self, read: &[u64], out: &mut Vec<u32>) {
        out.clear();
        for (w, (&word, &read)) in self.written.iter().zip(read).enumerate() {
            let mut bits = word & read;
            while bits != 0 {
                let d = w * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                if self.values[d] != 0.0 {
                    out.push(d as u32);
                }
            }
        }
    }

    /// The first dimension holding an infinity or NaN.
    pub(crate) fn first_non_finite(&self) -> Option<usize> {
        self.find_written(|d| !self.values[d].is_finite())
    }

    /// Back to zeros.
    pub(crate) fn clear(&mut self) {
        for (w, word) in self.written.iter_mut().enumerate() {
            let mut bits = *word;
            while bits != 0 {
                self.values[w * 64 + bits.trailing_zeros() as usize] = 0.0;
                bits &= bits - 1;
            }
            *word = 0;
        }
    }
}

/// A change to the residual, summed term by term, then added.
#[derive(Debug, Clone)]
pub(crate) struct Delta {
    sums: Vec<f64>,
    touched: Vec<u32>,
    marked: Vec<bool>,
}

impl Delta {
    pub(crate) fn new(d: usize) -> Delta {
        Delta {
            sums: vec![0.0; d],
            touched: Vec::new(),
            marked: vec![false; d],
        }
    }

    /// Adds `term` to dimension `dim`'s sum; a zero term (of either sign)
    /// is left out.
    #[inline]
    pub(crate) fn add(&mut self, dim: u32, term: f64) {
        if term == 0.0 {
            return;
        }
        let d = dim as usize;
        if !self.marked[d] {
            self.marked[d] = true;
            self.touched.push(dim);
        }
        self.sums[d] += term;
    }

    /// Adds the sums to `row` and starts again from zero.
    pub(crate) fn apply(&mut self, row: &mut [f64]) {
        for &dim in &self.touched {
            let d = dim as usize;
            row[d] += self.sums[d];
            self.sums[d] = 0.0;
            self.marked[d] = false;
        }
        self.touched.clear();
    }

    /// Adds the sums to `x` and starts again from zero; with `dense`, adds
    /// to every dimension, as the dense reference does. Returns the lowest
    /// dimension the addition left infinite or NaN (once so, a dimension
    /// stays so: the first such after a layer is the lowest of those its
    /// additions made).
    pub(crate) fn apply_to(&mut self, x: &mut Residual, dense: bool) -> Option<usize> {
        let mut non_finite: Option<usize> = None;
        let mut add = |x: &mut Residual, d: usize, sum: f64| {
            x.add(d, sum);
            if !x.values[d].is_finite() && non_finite.is_none_or(|n| d < n) {
                non_finite = Some(d);
            }
        };
        if dense {
            for (d, &sum) in self.sums.iter().enumerate() {
                add(x, d, sum);
            }
        } else {
            for &dim in &self.touched {
                add(x, dim as usize, self.sums[dim as usize]);
            }
        }
        for &dim in &self.touched {
            self.sums[dim as usize] = 0.0;
            self.marked[dim as usize] = false;
        }
        self.touched.clear();
        non_finite
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_residual_lists_and_clears_only_what_was_written() {
        let mut x = Residual::new(130);
        x.add(129, 2.0);
        x.add(3, -1.5);
        x.add(64, 1.0);
        x.add(64, -1.0); // written, but back to zero
        let mut nonzero = vec![7];
        x.nonzero_into(&[u64::MAX; 3], &mut nonzero);
        assert_eq!(nonzero, vec![3, 129]);
        assert_eq!(x.first_non_finite(), None);
        x.add(100, f64::INFINITY);
        x.add(120, f64::NAN);
        assert_eq!(x.first_non_finite(), Some(100));
        x.clear();
        assert!(x.values().iter().all(|&v| v == 0.0));
        x.nonzero_into(&[u64::MAX; 3], &mut nonzero);
        assert!(nonzero.is_empty());
    }

    #[test]
    fn a_delta_sums_in_order_and_adds_once() {
        let mut x = Residual::new(4);
        x.add(1, 1.0);
        let mut delta = Delta::new(4);
        // By hand: 1e16 + 1 rounds to 1e16 (the spacing there is 2), then
        // − 1e16 leaves 0; the order of the terms is kept.
        delta.add(2, 1e16);
        delta.add(2, 1.0);
        delta.add(2, -1e16);
        delta.add(1, 0.5);
        assert_eq!(delta.apply_to(&mut x, false), None);
        assert_eq!(x.values(), &[0.0, 1.5, 0.0, 0.0]);
        // Applied once: a second apply adds nothing.
        assert_eq!(delta.apply_to(&mut x, true), None);
        assert_eq!(x.values(), &[0.0, 1.5, 0.0, 0.0]);
        // The lowest dimension left not finite, whatever the order added.
        delta.add(3, f64::NAN);
        delta.add(0, f64::INFINITY);
        assert_eq!(delta.apply_to(&mut x, false), Some(0));
    }
}
