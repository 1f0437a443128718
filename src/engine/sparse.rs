//! Sparse rows made from the weights' matrices: hand-compiled weights are
//! almost all zeros, so the fast path multiplies only the entries that are
//! not. Each matrix's rows are one contiguous CSR (row starts, columns,
//! values) with the rows' biases, so a product walks three arrays instead of
//! a vector per row.

use ndarray::Array1;

use crate::weights::Matrix;

/// The rows of a matrix, non-zero entries only, and each row's bias.
#[derive(Debug, Clone, Default)]
pub(crate) struct SparseRows {
    /// Row r's entries are `starts[r]..starts[r + 1]` of `cols` and `vals`.
    starts: Vec<u32>,
    cols: Vec<u32>,
    vals: Vec<f64>,
    bias: Vec<f64>,
}

/// One row of [`SparseRows`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Row<'a> {
    pub cols: &'a [u32],
    pub vals: &'a [f64],
    pub bias: f64,
}

impl Row<'_> {
    /// The row's bias plus its entries times `x`, added in column order.
    #[inline]
    pub fn dot(&self, x: &[f64]) -> f64 {
        let mut sum = self.bias;
        for (&c, &v) in self.cols.iter().zip(self.vals) {
            sum += v * x[c as usize];
        }
        sum
    }
}

impl SparseRows {
    /// The rows of `matrix` with `bias` (zeros when `None`).
    pub fn of(matrix: &Matrix, bias: Option<&Array1<f64>>) -> SparseRows {
        let mut rows = SparseRows::default();
        for (r, row) in matrix.rows().enumerate() {
            let entries = row.cols.iter().zip(row.values).map(|(&c, &v)| (c, v));
            rows.push(entries, bias.map_or(0.0, |b| b[r]));
        }
        rows
    }

    /// Appends a row of `(column, value)` entries, columns ascending.
    pub fn push(&mut self, entries: impl IntoIterator<Item = (u32, f64)>, bias: f64) {
        if self.starts.is_empty() {
            self.starts.push(0);
        }
        for (c, v) in entries {
            self.cols.push(c);
            self.vals.push(v);
        }
        self.starts.push(self.cols.len() as u32);
        self.bias.push(bias);
    }

    /// Appends every row of `other`.
    pub fn append(&mut self, other: &SparseRows) {
        for row in other.iter() {
            self.push(
                row.cols.iter().copied().zip(row.vals.iter().copied()),
                row.bias,
            );
        }
    }

    pub fn len(&self) -> usize {
        self.bias.len()
    }

    #[inline]
    pub fn row(&self, r: usize) -> Row<'_> {
        let (start, end) = (self.starts[r] as usize, self.starts[r + 1] as usize);
        Row {
            cols: &self.cols[start..end],
            vals: &self.vals[start..end],
            bias: self.bias[r],
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = Row<'_>> + '_ {
        (0..self.len()).map(|r| self.row(r))
    }

    /// Row `r` times `x`, plus its bias.
    #[inline]
    pub fn dot(&self, r: usize, x: &[f64]) -> f64 {
        self.row(r).dot(x)
    }

    /// Every row times `x`, plus its bias, into `out`.
    pub fn products_into(&self, x: &[f64], out: &mut Vec<f64>) {
        out.clear();
        let mut start = 0;
        for (&end, &bias) in self.starts.iter().skip(1).zip(&self.bias) {
            let end = end as usize;
            let mut sum = bias;
            for (&c, &v) in self.cols[start..end].iter().zip(&self.vals[start..end]) {
                sum += v * x[c as usize];
            }
            out.push(sum);
            start = end;
        }
    }
}

/// The columns of `matrix` as lists of `(row, value)`: where each input
/// component is written.
pub fn sparse_columns(matrix: &Matrix) -> Vec<Vec<(u32, f64)>> {
    matrix
        .columns()
        .into_iter()
        .map(|column| column.into_iter().map(|(r, v)| (r as u32, v)).collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_keep_their_entries_biases_and_order() {
        let mut rows = SparseRows::default();
        rows.push([(1, 2.0), (4, -1.0)], 0.5);
        rows.push([], -3.0);
        rows.push([(0, 1.0)], 0.0);
        assert_eq!(rows.len(), 3);
        let x = [10.0, 1.0, 0.0, 0.0, 3.0];
        // By hand: 0.5 + 2·1 − 1·3 = −0.5; −3; 10.
        let mut out = vec![99.0];
        rows.products_into(&x, &mut out);
        assert_eq!(out, vec![-0.5, -3.0, 10.0]);
        let mut twice = rows.clone();
        twice.append(&rows);
        assert_eq!(twice.len(), 6);
        assert_eq!(twice.dot(3, &x), -0.5);
        assert!(twice.row(4).cols.is_empty());
    }
}
