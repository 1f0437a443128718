//! Sparse matrices by column, for products with a sparse residual: only
//! its non-zero entries are multiplied, in ascending order as the session's
//! row products add them, and groups of rows a bound proves closed are
//! skipped.
//!
//! Within a group, rows whose entries are the same and whose biases differ
//! (the compiled model's ramps and staircases: `2⁴⁰·op + Σ 2ⁱ·bitᵢ − k` for
//! several `k`) form one [`Form`]: where the sums are exact, one sum serves
//! every row of the form, and its rows open in the order of their biases.

use super::ranges::Ranges;
use super::sparse::SparseRows;

/// A sparse matrix by column, for products with a sparse residual.
pub(crate) struct Columns {
    /// For each residual dimension: `(neuron, weight)`.
    columns: Vec<Vec<(u32, f64)>>,
    /// Columns with a non-finite weight: multiplied even by a zero entry.
    never_skip: Vec<u32>,
    pub(crate) bias: Vec<f64>,
    /// A bit per neuron outside the guard groups whose bias is not ≤ 0 (so
    /// it may fire with no input); see [`Self::open_gates`].
    on_by_bias: Vec<u64>,
    /// Rows kept apart by their guard column (not in `columns`).
    groups: Vec<GuardGroup>,
    /// The rows themselves, for the rows of a group computed one by one
    /// (none kept when there are no groups).
    rows: SparseRows,
    /// Per residual dimension: the groups with a row reading it, the guard
    /// included (what [`Ranges`] must re-examine when the dimension's range
    /// grows).
    readers: Vec<Vec<u32>>,
    /// A bit per residual dimension that some row reads: the only entries
    /// a product needs listed.
    reads: Vec<u64>,
    /// Per residual dimension: the group it guards, or [`NOT_A_GUARD`].
    guarded: Vec<u32>,
}

/// In [`Columns::guarded`], a dimension that guards no group.
const NOT_A_GUARD: u32 = u32::MAX;

impl Columns {
    /// The neurons whose gate is open ([`is_open`]) for the residual `x`
    /// (non-zero at `nonzero`, ascending), in order, with their gates, into
    /// `open`. Each gate is its row's sum in the row's order, zero terms left
    /// out, as [`Self::multiply_nonzero`] finds it with `ranges` (which must
    /// hold `x`). Outside the groups, only the rows a column reached or whose
    /// bias is not ≤ 0 are read; a group whose guard is on is read form by
    /// form, and one whose guard is zero yields only the rows its ranges
    /// leave open, each by its own product. A group's open rows join the
    /// others as candidates, so that all come out in order, unsorted.
    pub(crate) fn open_gates(
        &self,
        x: &[f64],
        nonzero: &[u32],
        ranges: &Ranges,
        buffers: &mut GateBuffers,
        open: &mut Vec<(usize, f64)>,
    ) {
        let GateBuffers {
            gates,
            candidates,
            sums,
        } = buffers;
        open.clear();
        self.multiply_loose(x, nonzero, gates, |r| {
            candidates[r as usize / 64] |= 1 << (r % 64)
        });
        // The groups whose guard is on (or NaN), where no bound can close
        // them: found among the non-zero entries, as guards.
        for &j in nonzero {
            let g = self.guarded[j as usize];
            if g != NOT_A_GUARD {
                let mut mark = |r, gate| mark_open(gates, candidates, r, gate);
                self.open_forms(g as usize, x, nonzero, ranges, sums, &mut mark);
            }
        }
        // The groups whose guard is zero, where the ranges leave rows open.
        for &g in ranges.open_groups() {
            let (g, group) = (g as usize, &self.groups[g as usize]);
            if x[group.guard] != 0.0 {
                continue;
            }
            let (rows, entries) = ranges.open_rows(g);
            // The bound costs a product per non-zero entry: worth it only
            // before more row entries than that.
            if entries > nonzero.len() && group.is_closed(x, nonzero) {
                continue;
            }
            for &r in rows {
                let gate = self.rows.dot(r as usize, x);
                if is_open(gate) {
                    mark_open(gates, candidates, r, gate);
                }
            }
        }
        for (word_index, word) in candidates.iter_mut().enumerate() {
            let mut bits = *word;
            while bits != 0 {
                let n = word_index * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                if is_open(gates[n]) {
                    open.push((n, gates[n]));
                }
                gates[n] = self.bias[n];
            }
            *word = self.on_by_bias[word_index];
        }
    }
}

/// Row `r` of a group, open with `gate`, among the candidates of
/// [`Columns::open_gates`].
#[inline]
fn mark_open(gates: &mut [f64], candidates: &mut [u64], r: u32, gate: f64) {
    gates[r as usize] = gate;
    candidates[r as usize / 64] |= 1 << (r % 64);
}

impl Columns {
    /// The open rows of group `g`, whose guard is not zero, form by form:
    /// each form's sum of its entries, once, and then its rows in the order
    /// of their biases until one is closed, where `ranges` prove the sums
    /// exact; elsewhere each row by its own product. Each open row and its
    /// gate go to `open`. `sums` are zeros, and left so.
    fn open_forms(
        &self,
        g: usize,
        x: &[f64],
        nonzero: &[u32],
        ranges: &Ranges,
        sums: &mut [f64],
        open: &mut impl FnMut(u32, f64),
    ) {
        let group = &self.groups[g];
        for &j in nonzero {
            let xj = x[j as usize];
            for &(f, w) in &group.form_columns[j as usize] {
                sums[f as usize] += w * xj;
            }
        }
        for (f, form) in group.forms.iter().enumerate() {
            let sum = std::mem::take(&mut sums[f]);
            if ranges.is_exact(g, f) {
                // Every partial sum is an integer an f64 holds: `bias + sum`
                // is the row's value in any order, and grows with the bias.
                for &(r, bias) in &form.rows {
                    let gate = bias + sum;
                    if gate <= 0.0 {
                        break;
                    }
                    open(r, gate);
                }
            } else {
                for &(r, _) in &form.rows {
                    let gate = self.rows.dot(r as usize, x);
                    if is_open(gate) {
                        open(r, gate);
                    }
                }
            }
        }
    }
}

/// Rows whose largest weight is in the same column, the guard (a gated
/// neuron's opcode dimension, say). When the residual is zero there, the
/// rest of the residual bounds every row's value from above; when that bound
/// is below zero, no gate in the group can open, and none of its columns
/// need multiplying. The bound is found from the weights, not from names.
struct GuardGroup {
    guard: usize,
    /// The rows in the group, ascending.
    members: Vec<u32>,
    /// The largest bias, and the largest bias magnitude.
    max_bias: f64,
    max_abs_bias: f64,
    /// Per residual dimension: the largest |weight| of any row in the group.
    bound: Vec<f64>,
    /// The group's rows, gathered by their entries.
    forms: Vec<Form>,
    /// Per residual dimension: the forms reading it, `(form, weight)`.
    form_columns: Vec<Vec<(u32, f64)>>,
}

/// Rows of a group with the same entries, their biases aside.
pub(crate) struct Form {
    /// One of the rows: its entries are every row's.
    pub(crate) representative: u32,
    /// `(row, bias)`, the largest bias first (ties by row).
    pub(crate) rows: Vec<(u32, f64)>,
}

/// What [`Columns::open_gates`] keeps between calls: every gate at its
/// bias, a bit for each neuron outside the groups whose bias alone may
/// open it, and a zero sum for each form of the largest group.
#[derive(Clone, Debug)]
pub(crate) struct GateBuffers {
    gates: Vec<f64>,
    candidates: Vec<u64>,
    sums: Vec<f64>,
}

impl GateBuffers {
    pub(crate) fn new(columns: &Columns) -> GateBuffers {
        let most_forms = columns.groups.iter().map(|g| g.forms.len()).max();
        GateBuffers {
            gates: columns.bias.clone(),
            candidates: columns.on_by_bias.clone(),
            sums: vec![0.0; most_forms.unwrap_or(0)],
        }
    }
}

/// Fewest column entries for a group to be worth its bound.
const GROUP_MIN_ENTRIES: usize = 64;

impl GuardGroup {
    /// Whether no row of the group can be above zero for the residual `x`
    /// (non-zero at `nonzero`): the guard is zero, and the largest bias plus
    /// every other entry times the largest |weight| on it stays below zero
    /// by more than any rounding of the rows' sums.
    fn is_closed(&self, x: &[f64], nonzero: &[u32]) -> bool {
        if x[self.guard] != 0.0 {
            return false;
        }
        let reach: f64 = nonzero
            .iter()
            .map(|&k| self.bound[k as usize] * x[k as usize].abs())
            .sum();
        let slack = 1e-9 * (self.max_abs_bias + reach);
        self.max_bias + reach + slack < 0.0
    }
}

impl Columns {
    /// `rows` (with their biases) by column, for a residual of `d`
    /// dimensions; with `grouped`, rows are gathered into guard groups where
    /// that pays.
    pub(crate) fn of(rows: &SparseRows, d: usize, grouped: bool) -> Columns {
        let groups = if grouped {
            GuardGroup::gather(rows, d)
        } else {
            Vec::new()
        };
        let mut in_group = vec![false; rows.len()];
        for group in &groups {
            for &r in &group.members {
                in_group[r as usize] = true;
            }
        }
        let mut columns: Vec<Vec<(u32, f64)>> = vec![Vec::new(); d];
        for (r, row) in rows.iter().enumerate().filter(|(r, _)| !in_group[*r]) {
            for (&c, &w) in row.cols.iter().zip(row.vals) {
                columns[c as usize].push((r as u32, w));
            }
        }
        let never_skip = (0..d as u32)
            .filter(|&j| columns[j as usize].iter().any(|(_, w)| !w.is_finite()))
            .collect();
        let mut on_by_bias = vec![0u64; rows.len().div_ceil(64)];
        for (r, row) in rows.iter().enumerate() {
            if row.bias > 0.0 || row.bias.is_nan() {
                on_by_bias[r / 64] |= 1 << (r % 64);
            }
        }
        for (r, _) in in_group.iter().enumerate().filter(|(_, grouped)| **grouped) {
            on_by_bias[r / 64] &= !(1 << (r % 64));
        }
        let mut readers: Vec<Vec<u32>> = vec![Vec::new(); d];
        for (g, group) in groups.iter().enumerate() {
            for (c, column) in group.form_columns.iter().enumerate() {
                if !column.is_empty() {
                    readers[c].push(g as u32);
                }
            }
        }
        let mut reads = vec![0u64; d.div_ceil(64)];
        for row in rows.iter() {
            for &c in row.cols {
                reads[c as usize / 64] |= 1 << (c % 64);
            }
        }
        let mut guarded = vec![NOT_A_GUARD; d];
        for (g, group) in groups.iter().enumerate() {
            guarded[group.guard] = g as u32;
        }
        let kept_rows = if groups.is_empty() {
            SparseRows::default()
        } else {
            rows.clone()
        };
        Columns {
            columns,
            never_skip,
            bias: rows.iter().map(|row| row.bias).collect(),
            on_by_bias,
            groups,
            rows: kept_rows,
            readers,
            reads,
            guarded,
        }
    }

    /// How many guard groups there are.
    pub(crate) fn group_count(&self) -> usize {
        self.groups.len()
    }

    /// Group `g`'s guard dimension and its forms.
    pub(crate) fn group(&self, g: usize) -> (usize, &[Form]) {
        let group = &self.groups[g];
        (group.guard, &group.forms)
    }

    /// A bit per residual dimension that some row reads.
    pub(crate) fn reads(&self) -> &[u64] {
        &self.reads
    }

    /// The groups with a row that reads dimension `d`, the guard included.
    pub(crate) fn readers(&self, d: usize) -> &[u32] {
        &self.readers[d]
    }

    pub(crate) fn rows(&self) -> &SparseRows {
        &self.rows
    }

    /// `into += self · x` (`into` starting at the bias), multiplying only
    /// the entries of `x` that are not zero, in ascending order, as the
    /// session's row products add them. A zero entry is still multiplied by
    /// a column holding a non-finite weight (0 · ∞ is NaN, whatever the
    /// order), after the rest.
    #[inline]
    pub(crate) fn multiply(&self, x: &[f64], into: &mut [f64], nonzero: &mut Vec<u32>) {
        nonzero_entries(x, nonzero);
        self.multiply_nonzero(x, nonzero, into);
    }

    /// [`Self::multiply`] given `nonzero`, the indices of the non-zero
    /// entries of `x`, ascending.
    #[inline]
    pub(crate) fn multiply_nonzero(&self, x: &[f64], nonzero: &[u32], into: &mut [f64]) {
        self.multiply_loose(x, nonzero, into, |_| {});
        for group in &self.groups {
            if group.is_closed(x, nonzero) {
                continue;
            }
            for &r in &group.members {
                into[r as usize] = self.rows.dot(r as usize, x);
            }
        }
    }

    /// The columns outside the groups of [`Self::multiply_nonzero`], calling
    /// `reached(row)` for each row a product reaches.
    #[inline(always)]
    fn multiply_loose(
        &self,
        x: &[f64],
        nonzero: &[u32],
        into: &mut [f64],
        mut reached: impl FnMut(u32),
    ) {
        for &j in nonzero {
            let xj = x[j as usize];
            for &(r, w) in &self.columns[j as usize] {
                into[r as usize] += w * xj;
                reached(r);
            }
        }
        for &j in &self.never_skip {
            if x[j as usize] == 0.0 {
                for &(r, w) in &self.columns[j as usize] {
                    into[r as usize] += w * 0.0;
                    reached(r);
                }
            }
        }
    }
}

/// Whether a gate passes its neuron's value: a ReLU is silent at or below
/// zero, and a NaN gate (from overflowing edited weights) passes, so that
/// the NaN reaches the residual and the pass fails as it should.
#[allow(clippy::neg_cmp_op_on_partial_ord)]
#[inline]
pub(crate) fn is_open(gate: f64) -> bool {
    !(gate <= 0.0)
}

/// The indices of the non-zero entries of `x`, ascending, into `out`: eight
/// at a time as a bit mask, which the compiler turns into vector compares.
pub(crate) fn nonzero_entries(x: &[f64], out: &mut Vec<u32>) {
    out.clear();
    let mut push_mask = |base: usize, mut mask: u32| {
        while mask != 0 {
            out.push(base as u32 + mask.trailing_zeros());
            mask &= mask - 1;
        }
    };
    let chunks = x.chunks_exact(8);
    let rest = chunks.remainder();
    for (c, chunk) in chunks.enumerate() {
        let mut mask = 0u32;
        for (i, v) in chunk.iter().enumerate() {
            mask |= u32::from(*v != 0.0) << i;
        }
        push_mask(c * 8, mask);
    }
    let mut mask = 0u32;
    for (i, v) in rest.iter().enumerate() {
        mask |= u32::from(*v != 0.0) << i;
    }
    push_mask(x.len() - rest.len(), mask);
}

impl GuardGroup {
    /// The groups of `rows` worth keeping: rows with finite weights and
    /// bias, at least two entries, grouped by the column of their largest
    /// |weight|, where a group has at least [`GROUP_MIN_ENTRIES`] entries.
    fn gather(rows: &SparseRows, d: usize) -> Vec<GuardGroup> {
        let mut by_guard: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
        for (r, row) in rows.iter().enumerate() {
            let finite = row.bias.is_finite() && row.vals.iter().all(|w| w.is_finite());
            if !finite || row.cols.len() < 2 {
                continue;
            }
            let mut guard = 0;
            for i in 1..row.vals.len() {
                if row.vals[i].abs() > row.vals[guard].abs() {
                    guard = i;
                }
            }
            by_guard
                .entry(row.cols[guard] as usize)
                .or_default()
                .push(r);
        }
        by_guard
            .into_iter()
            .filter(|(_, members)| {
                members
                    .iter()
                    .map(|&r| rows.row(r).cols.len())
                    .sum::<usize>()
                    >= GROUP_MIN_ENTRIES
            })
            .map(|(guard, members)| {
                let mut group = GuardGroup {
                    guard,
                    members: members.iter().map(|&r| r as u32).collect(),
                    max_bias: f64::NEG_INFINITY,
                    max_abs_bias: 0.0,
                    bound: vec![0.0; d],
                    forms: Form::gather(rows, &members),
                    form_columns: vec![Vec::new(); d],
                };
                for &r in &members {
                    let row = rows.row(r);
                    group.max_bias = group.max_bias.max(row.bias);
                    group.max_abs_bias = group.max_abs_bias.max(row.bias.abs());
                    for (&c, &w) in row.cols.iter().zip(row.vals) {
                        let c = c as usize;
                        group.bound[c] = group.bound[c].max(w.abs());
                    }
                }
                for (f, form) in group.forms.iter().enumerate() {
                    let row = rows.row(form.representative as usize);
                    for (&c, &w) in row.cols.iter().zip(row.vals) {
                        group.form_columns[c as usize].push((f as u32, w));
                    }
                }
                group
            })
            .collect()
    }
}

impl Form {
    /// `members` of `rows` gathered by their entries (the same columns
    /// and the same weights, bit for bit), in the order each form first
    /// appears.
    fn gather(rows: &SparseRows, members: &[usize]) -> Vec<Form> {
        let mut index: std::collections::HashMap<(&[u32], Vec<u64>), usize> = Default::default();
        let mut forms: Vec<Form> = Vec::new();
        for &r in members {
            let row = rows.row(r);
            let weights = row.vals.iter().map(|w| w.to_bits()).collect();
            let f = *index.entry((row.cols, weights)).or_insert_with(|| {
                forms.push(Form {
                    representative: r as u32,
                    rows: Vec::new(),
                });
                forms.len() - 1
            });
            forms[f].rows.push((r as u32, row.bias));
        }
        for form in &mut forms {
            form.rows
                .sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        }
        forms
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A gated row: bias −1, a guard of weight 100 on dimension 0, and 0.5
    /// on dimensions 1 and 2; and enough copies to make a group.
    fn gated() -> SparseRows {
        let mut rows = SparseRows::default();
        for _ in 0..GROUP_MIN_ENTRIES {
            rows.push([(0, 100.0), (1, 0.5), (2, 0.5)], -1.0);
        }
        rows
    }

    fn gates(x: &[f64]) -> Vec<f64> {
        let columns = Columns::of(&gated(), 3, true);
        assert_eq!(columns.groups.len(), 1, "the rows form one group");
        let mut into = columns.bias.clone();
        let mut nonzero = Vec::new();
        columns.multiply(x, &mut into, &mut nonzero);
        into
    }

    #[test]
    fn nonzero_entries_are_listed_in_order_across_chunks() {
        let mut x = vec![0.0; 19];
        for (i, v) in [(0, 1.0), (7, -0.5), (8, f64::NAN), (18, 3.0)] {
            x[i] = v;
        }
        x[3] = -0.0;
        let mut out = vec![99];
        nonzero_entries(&x, &mut out);
        assert_eq!(out, vec![0, 7, 8, 18]);
    }

    #[test]
    fn a_group_is_closed_only_when_no_row_can_be_above_zero() {
        // By hand: −1 + 0.5·1 + 0.5·0.999 < 0: closed, the gate stays −1.
        assert!(gates(&[0.0, 1.0, 0.999]).iter().all(|&g| g == -1.0));
        // −1 + 0.5 + 0.5·1.000001 = 5e-7 > 0: open, and computed.
        let open = gates(&[0.0, 1.0, 1.000_001]);
        assert!(open.iter().all(|&g| g > 0.0 && g < 1e-6), "{open:?}");
        // Exactly 0 is within the rounding slack: computed, and ≤ 0.
        assert!(gates(&[0.0, 1.0, 1.0]).iter().all(|&g| g == 0.0));
        // The guard on: computed whatever the bound.
        assert!(gates(&[1.0, 0.0, 0.0]).iter().all(|&g| g == 99.0));
        // A NaN entry never closes a group.
        assert!(gates(&[0.0, f64::NAN, 0.0]).iter().all(|g| g.is_nan()));
    }

    use crate::engine::ranges::Ranges;
    use proptest::prelude::*;

    /// A value of a residual dimension: mostly flags, some integers, some
    /// fractions, some near the limit of exact integers.
    fn value() -> impl Strategy<Value = f64> {
        prop_oneof![
            6 => Just(0.0),
            6 => Just(1.0),
            3 => (-3i32..=3).prop_map(f64::from),
            1 => (-300i32..=300).prop_map(|v| f64::from(v) / 100.0),
            1 => (-4i64..=4).prop_map(|v| (v << 49) as f64),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]

        /// Over any sequence of residuals, the guard on or off, the open
        /// gates are exactly the rows whose own product in column order (the
        /// reference's sum) is above zero, with that product bit for bit:
        /// on rows that share their entries and differ in bias, as the
        /// compiled ramps do, with integer weights (whose sums are exact) or
        /// decimal ones (whose sums round differently in another order).
        #[test]
        fn open_gates_are_the_rows_above_zero(
            forms in prop::collection::vec(
                (
                    prop::collection::vec((1u32..6, -3i32..=3), 1..6),
                    prop::collection::vec(-6i32..=2, 1..8),
                    0u8..3,
                ),
                4..12,
            ),
            residuals in prop::collection::vec(prop::collection::vec(value(), 6), 1..24),
        ) {
            let mut sparse = SparseRows::default();
            for (entries, biases, scale) in &forms {
                // Guard 100 on dimension 0, then the others, each once.
                let mut cols: Vec<(u32, f64)> = vec![(0, 100.0)];
                for &(c, w) in entries {
                    if !cols.iter().any(|&(k, _)| k == c) {
                        cols.push((c, f64::from(w) / 10f64.powi(i32::from(*scale))));
                    }
                }
                cols.sort_by_key(|&(c, _)| c);
                for &bias in biases {
                    sparse.push(cols.clone(), f64::from(bias) / 10f64.powi(i32::from(*scale)));
                }
            }
            let columns = Columns::of(&sparse, 6, true);
            prop_assume!(columns.group_count() == 1);
            let mut ranges = Ranges::new(&columns, 6);
            let mut buffers = GateBuffers::new(&columns);
            let (mut open, mut nonzero) = (Vec::new(), Vec::new());
            for x in residuals {
                nonzero_entries(&x, &mut nonzero);
                ranges.admit(&columns, &x, &nonzero);
                columns.open_gates(&x, &nonzero, &ranges, &mut buffers, &mut open);
                let expected: Vec<(usize, u64)> = (0..sparse.len())
                    .map(|r| (r, sparse.dot(r, &x)))
                    .filter(|&(_, gate)| is_open(gate))
                    .map(|(r, gate)| (r, gate.to_bits()))
                    .collect();
                let found: Vec<(usize, u64)> =
                    open.iter().map(|&(r, gate)| (r, gate.to_bits())).collect();
                prop_assert_eq!(found, expected, "at {:?}", x);
            }
        }
    }
}
