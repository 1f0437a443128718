//! The range each residual dimension has taken at a layer's feed-forward
//! input, learned as passes run and checked at every pass, and the rows of
//! each guard group that those ranges cannot prove closed.
//!
//! A gated neuron of the compiled model is an AND of 0/1 flags: its gate is
//! `op + a + b − 2`, say, and is above zero only when all three are 1. A
//! bound read off the weights alone (see [`Columns`]) adds up the weights
//! of a group's different rows, so flags that are 1 for one row keep the
//! whole group open. The range of each dimension closes it: with `op` zero
//! and `a`, `b` in `[0, 1]`, no row can exceed zero.
//!
//! The ranges are not assumed. They start at `[0, 0]`, and at every pass
//! [`Ranges::admit`] checks each non-zero entry the groups read and widens
//! its range (and re-examines the groups reading it) before the pass uses
//! them, so they always hold for the residual at hand, on any weights. A
//! row is closed under them when its largest value over the ranges, with
//! the guard at zero, is below zero:
//! - exactly (≤ 0), when the bias, the weights and every value the row's
//!   dimensions have taken are integers and the sum of their magnitudes is
//!   at most 2⁵² — every partial sum is then an integer that an f64 holds,
//!   so the row's sum, in any order, is its exact value (the bound is
//!   itself summed in f64: its terms are non-negative integers, so a
//!   computed sum within 2⁵², below 2⁵³, was computed exactly);
//! - otherwise with a margin of 10⁻⁹ times that sum of magnitudes, far above
//!   the rounding of a sum of at most a few thousand terms (n·2⁻⁵³).
//!
//! A dimension whose range keeps growing (a counter, a cursor) is given up
//! after [`MOST_WIDENINGS`]: it becomes unbounded, and the rows reading it
//! are computed at every pass where their guard allows it.
//!
//! The same ranges, the guard's included, tell which forms of a group (rows
//! sharing their entries, see [`Columns`]) sum exactly, by the first rule:
//! integers whose magnitudes sum to at most 2⁵². One sum then serves every
//! row of the form.

use super::columns::{Columns, Form};

/// Widenings of one dimension's range before it is taken as unbounded.
const MOST_WIDENINGS: u8 = 24;

/// The largest sum of magnitudes taken as exact: 2⁵², so that a computed
/// sum within it was computed without rounding (every integer below 2⁵³ is
/// an f64, and a partial sum that rounded would have passed 2⁵³).
const EXACT_INTEGERS: f64 = 4_503_599_627_370_496.0;

/// Whether `v` is an integer of magnitude below 2⁶³ (larger ones are given
/// up on too: the exact case needs far less). A cast and a compare, where
/// `fract` is a call into libm.
#[inline]
fn is_integer(v: f64) -> bool {
    v == (v as i64) as f64 && v.abs() < 9.2e18
}

/// The learned ranges of one layer's feed-forward input, and what they close.
#[derive(Clone, Debug)]
pub(crate) struct Ranges {
    /// Per dimension: its range, unbounded for a dimension no group reads
    /// (nothing to check) or one given up on.
    dims: Vec<Range>,
    widenings: Vec<u8>,
    /// Per group: its rows the ranges do not prove closed with the guard at
    /// zero, and their number of entries.
    open: Vec<(Vec<u32>, usize)>,
    /// Per group, per form: whether its rows' sums are exact whatever the
    /// guard (within its range).
    exact: Vec<Vec<bool>>,
    /// The groups with rows in `open`: the only ones to compute while
    /// their guard is zero.
    open_groups: Vec<u32>,
    /// Groups to re-examine after widenings.
    stale: Vec<bool>,
}

/// The range of one dimension: `lo ≤ v ≤ hi`, and an integer if `integral`.
/// Kept together, as a pass checks them together.
#[derive(Clone, Copy, Debug)]
struct Range {
    lo: f64,
    hi: f64,
    /// Whether every value the dimension has taken is an integer.
    integral: bool,
}

impl Range {
    const UNBOUNDED: Range = Range {
        lo: f64::NEG_INFINITY,
        hi: f64::INFINITY,
        integral: false,
    };

    #[inline]
    fn holds(&self, v: f64) -> bool {
        // Most entries are flags at 1: every range holds 0 (lo ≤ 0), and 1
        // is an integer, so only `hi` can fail it.
        if v == 1.0 {
            return 1.0 <= self.hi;
        }
        self.lo <= v && v <= self.hi && (!self.integral || is_integer(v))
    }
}

impl Ranges {
    /// Every dimension a group reads at `[0, 0]`, as before any pass.
    pub(crate) fn new(columns: &Columns, d: usize) -> Ranges {
        let groups = columns.group_count();
        let at_zero = Range {
            lo: 0.0,
            hi: 0.0,
            integral: true,
        };
        let mut ranges = Ranges {
            dims: (0..d)
                .map(|c| match columns.readers(c) {
                    [] => Range::UNBOUNDED,
                    _ => at_zero,
                })
                .collect(),
            widenings: vec![0; d],
            open: vec![(Vec::new(), 0); groups],
            exact: vec![Vec::new(); groups],
            open_groups: Vec::new(),
            stale: vec![true; groups],
        };
        ranges.reexamine(columns);
        ranges
    }

    /// Group `g`'s rows that may be above zero while its guard is zero, and
    /// their number of entries.
    #[inline]
    pub(crate) fn open_rows(&self, g: usize) -> (&[u32], usize) {
        let (rows, entries) = &self.open[g];
        (rows, *entries)
    }

    /// The groups with rows the ranges do not prove closed while the guard
    /// is zero.
    #[inline]
    pub(crate) fn open_groups(&self) -> &[u32] {
        &self.open_groups
    }

    /// Whether form `f` of group `g` sums exactly for any residual within
    /// the ranges: integer weights, biases and values whose magnitudes sum
    /// to at most 2⁵².
    #[inline]
    pub(crate) fn is_exact(&self, g: usize, f: usize) -> bool {
        self.exact[g][f]
    }

    /// Whether the ranges hold `x` (non-zero at `nonzero`; zero is in every
    /// range): then [`Self::admit`] would change nothing.
    #[inline]
    pub(crate) fn hold(&self, x: &[f64], nonzero: &[u32]) -> bool {
        nonzero
            .iter()
            .all(|&j| self.holds(j as usize, x[j as usize]))
    }

    /// Whether dimension `j`'s range holds `v` (a NaN is held by none,
    /// and widens an unbounded range to itself).
    #[inline]
    fn holds(&self, j: usize, v: f64) -> bool {
        self.dims[j].holds(v)
    }

    /// Widens the ranges to hold `x` (non-zero at `nonzero`; zero is in
    /// every range), and re-examines the groups whose ranges grew.
    #[inline]
    pub(crate) fn admit(&mut self, columns: &Columns, x: &[f64], nonzero: &[u32]) {
        let mut grew = false;
        for &j in nonzero {
            let (j, v) = (j as usize, x[j as usize]);
            if !self.holds(j, v) {
                self.widen(j, v);
                for &g in columns.readers(j) {
                    self.stale[g as usize] = true;
                }
                grew = true;
            }
        }
        if grew {
            self.reexamine(columns);
        }
    }

    /// Dimension `j`'s range grown to hold `v`: doubled past it, so that a
    /// value creeping up costs few widenings, or unbounded for good.
    #[cold]
    fn widen(&mut self, j: usize, v: f64) {
        self.widenings[j] = self.widenings[j].saturating_add(1);
        let range = &mut self.dims[j];
        if !v.is_finite() || self.widenings[j] > MOST_WIDENINGS {
            *range = Range::UNBOUNDED;
            return;
        }
        if v > range.hi {
            range.hi = v.max(2.0 * range.hi);
        }
        if v < range.lo {
            range.lo = v.min(2.0 * range.lo);
        }
        if !is_integer(v) {
            range.integral = false;
        }
    }

    /// The open rows and the exact forms of every stale group, found again.
    #[cold]
    fn reexamine(&mut self, columns: &Columns) {
        for g in 0..self.stale.len() {
            if !std::mem::take(&mut self.stale[g]) {
                continue;
            }
            let (guard, forms) = columns.group(g);
            let (mut rows, _) = std::mem::take(&mut self.open[g]);
            rows.clear();
            let mut entries = 0;
            self.exact[g].clear();
            for form in forms {
                let entries_of_form = columns.rows().row(form.representative as usize).cols.len();
                let reach = self.reach(columns, form, Some(guard));
                for &(r, bias) in &form.rows {
                    if !reach.closes(bias) {
                        rows.push(r);
                        entries += entries_of_form;
                    }
                }
                let whole = self.reach(columns, form, None);
                let exact = form.rows.iter().all(|&(_, bias)| whole.is_exact(bias));
                self.exact[g].push(exact);
            }
            self.open[g] = (rows, entries);
        }
        self.open_groups.clear();
        let with_rows = self.open.iter().enumerate();
        let with_rows = with_rows.filter(|(_, (rows, _))| !rows.is_empty());
        self.open_groups.extend(with_rows.map(|(g, _)| g as u32));
    }

    /// How far the entries of `form` (its bias aside, and `skipped` left
    /// out) can take a row's sum over the ranges.
    fn reach(&self, columns: &Columns, form: &Form, skipped: Option<usize>) -> Reach {
        let row = columns.rows().row(form.representative as usize);
        let mut reach = Reach {
            most: 0.0,
            magnitude: 0.0,
            integers: true,
        };
        for (&c, &w) in row.cols.iter().zip(row.vals) {
            let c = c as usize;
            if Some(c) == skipped {
                continue;
            }
            // The range holds zero, so lo ≤ 0 ≤ hi and each term is ≥ 0
            // (or +∞): no ∞ − ∞ can arise.
            let range = &self.dims[c];
            reach.most += if w > 0.0 { w * range.hi } else { w * range.lo };
            reach.magnitude += w.abs() * range.lo.abs().max(range.hi);
            reach.integers &= is_integer(w) && range.integral;
        }
        reach
    }
}

/// The largest sum a form's entries can reach over the ranges, the sum of
/// their magnitudes, and whether every weight and value is an integer.
struct Reach {
    most: f64,
    magnitude: f64,
    integers: bool,
}

impl Reach {
    /// Whether a row of these entries with `bias` sums exactly, in any
    /// order, over the ranges: integers whose magnitudes sum to at most
    /// 2⁵².
    fn is_exact(&self, bias: f64) -> bool {
        self.integers && is_integer(bias) && bias.abs() + self.magnitude <= EXACT_INTEGERS
    }

    /// Whether a row of these entries with `bias` is at most zero (in f64,
    /// as any order sums it) over the ranges.
    fn closes(&self, bias: f64) -> bool {
        let most = bias + self.most;
        if self.is_exact(bias) {
            most <= 0.0
        } else {
            most + 1e-9 * (bias.abs() + self.magnitude) < 0.0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::sparse::SparseRows;
    use proptest::prelude::*;

    /// Columns of `rows` over `d` dimensions, gathered into guard groups.
    fn grouped(rows: &SparseRows, d: usize) -> Columns {
        Columns::of(rows, d, true)
    }

    /// Thirty-two copies of `2·op + a + b − 2`: the guard `op` is dimension
    /// 0 (its weight is the largest), `a` and `b` dimensions 1 and 2.
    fn and_rows() -> SparseRows {
        let mut rows = SparseRows::default();
        for _ in 0..32 {
            rows.push([(0, 2.0), (1, 1.0), (2, 1.0)], -2.0);
        }
        rows
    }

    #[test]
    fn flags_in_zero_one_close_an_and_whose_guard_is_off() {
        let columns = grouped(&and_rows(), 3);
        assert_eq!(columns.group_count(), 1);
        let mut ranges = Ranges::new(&columns, 3);
        // a = b = 1, guard 0: each row is −2 + 1 + 1 = 0, never above.
        let x = [0.0, 1.0, 1.0];
        ranges.admit(&columns, &x, &[1, 2]);
        assert_eq!(ranges.open_rows(0).0.len(), 0);
        // b = 2 widens b's range to [0, 2]: −2 + 1 + 2 = 1 may be above.
        ranges.admit(&columns, &[0.0, 1.0, 2.0], &[1, 2]);
        assert_eq!(
            ranges.open_rows(0),
            (&(0..32).collect::<Vec<u32>>()[..], 96)
        );
    }

    #[test]
    fn a_fraction_needs_a_margin_below_zero() {
        let columns = grouped(&and_rows(), 3);
        let mut ranges = Ranges::new(&columns, 3);
        // b = 0.5 and then 1: the largest value is 0 exactly, but the
        // values are no longer integers, so 0 is not enough.
        ranges.admit(&columns, &[0.0, 1.0, 0.5], &[1, 2]);
        assert_eq!(ranges.open_rows(0).0.len(), 0, "−2 + 1 + 0.5 < 0 by far");
        ranges.admit(&columns, &[0.0, 1.0, 1.0], &[1, 2]);
        assert_eq!(ranges.open_rows(0).0.len(), 32);
    }

    #[test]
    fn a_counter_is_given_up_and_a_nan_at_once() {
        let columns = grouped(&and_rows(), 3);
        let mut ranges = Ranges::new(&columns, 3);
        for v in 1..=1_000_000_000 {
            ranges.admit(&columns, &[0.0, 0.0, f64::from(v)], &[2]);
            if ranges.dims[2].hi == f64::INFINITY {
                assert!(v < 1 << 25, "given up after {v}");
                break;
            }
        }
        assert!(ranges.dims[2].hi == f64::INFINITY);
        ranges.admit(&columns, &[0.0, f64::NAN, 0.0], &[1]);
        assert!(ranges.dims[1].hi == f64::INFINITY && !ranges.dims[1].integral);
        assert_eq!(ranges.open_rows(0).0.len(), 32);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Over any sequence of residuals, a group's rows outside the open
        /// ones are at most zero whenever the guard is zero: computed one by
        /// one, in f64, as the reference does.
        #[test]
        fn rows_outside_the_open_ones_never_open(
            rows in prop::collection::vec(
                (prop::collection::vec((1u32..6, -3i32..=3), 1..4), -4i32..=1, 0u8..4),
                32..48,
            ),
            residuals in prop::collection::vec(
                prop::collection::vec(
                    prop_oneof![
                        6 => Just(0.0),
                        6 => Just(1.0),
                        2 => (-3i32..=3).prop_map(f64::from),
                        1 => (-300i32..=300).prop_map(|v| f64::from(v) / 100.0),
                    ],
                    6,
                ),
                1..24,
            ),
        ) {
            let mut sparse = SparseRows::default();
            for (entries, bias, scale) in &rows {
                // Guard 100 on dimension 0, then the others, each once.
                let mut cols: Vec<(u32, f64)> = vec![(0, 100.0)];
                for &(c, w) in entries {
                    if !cols.iter().any(|&(k, _)| k == c) {
                        cols.push((c, f64::from(w) / f64::from(1 << scale)));
                    }
                }
                cols.sort_by_key(|&(c, _)| c);
                sparse.push(cols, f64::from(*bias) / f64::from(1 << scale));
            }
            let columns = grouped(&sparse, 6);
            prop_assume!(columns.group_count() == 1);
            let mut ranges = Ranges::new(&columns, 6);
            for mut x in residuals {
                x[0] = 0.0;
                let nonzero: Vec<u32> =
                    (0..6).filter(|&c| x[c as usize] != 0.0).collect();
                ranges.admit(&columns, &x, &nonzero);
                let open = ranges.open_rows(0).0;
                for r in 0..sparse.len() {
                    let gate = sparse.dot(r, &x);
                    prop_assert!(
                        gate <= 0.0 || open.contains(&(r as u32)),
                        "row {r} is {gate} at {x:?} but not open"
                    );
                }
            }
        }
    }
}
