//! Sparse rows built from the dense matrices: hand-compiled weights are almost
//! all zeros, so the fast path multiplies only the entries that are not.

use ndarray::{Array1, Array2};

/// One row of a matrix, its non-zero entries only, and the row's bias.
#[derive(Debug, Clone, Default)]
pub struct SparseRow {
    pub cols: Vec<u32>,
    pub vals: Vec<f64>,
    pub bias: f64,
}

impl SparseRow {
    #[inline]
    pub fn dot(&self, x: &[f64]) -> f64 {
        let mut sum = self.bias;
        for (&c, &v) in self.cols.iter().zip(&self.vals) {
            sum += v * x[c as usize];
        }
        sum
    }
}

/// The rows of `matrix` with `bias`, sparse.
pub fn sparse_rows(matrix: &Array2<f64>, bias: Option<&Array1<f64>>) -> Vec<SparseRow> {
    matrix
        .rows()
        .into_iter()
        .enumerate()
        .map(|(r, row)| {
            let mut sparse = SparseRow {
                bias: bias.map_or(0.0, |b| b[r]),
                ..SparseRow::default()
            };
            for (c, &v) in row.iter().enumerate() {
                if v != 0.0 {
                    sparse.cols.push(c as u32);
                    sparse.vals.push(v);
                }
            }
            sparse
        })
        .collect()
}

/// The columns of `matrix` as lists of `(row, value)`: where each input
/// component is written.
pub fn sparse_columns(matrix: &Array2<f64>) -> Vec<Vec<(u32, f64)>> {
    matrix
        .columns()
        .into_iter()
        .map(|column| {
            column
                .iter()
                .enumerate()
                .filter(|(_, v)| **v != 0.0)
                .map(|(r, &v)| (r as u32, v))
                .collect()
        })
        .collect()
}
