//! Sparse rows made from the weights' matrices: hand-compiled weights are
//! almost all zeros, so the fast path multiplies only the entries that are not.

use ndarray::Array1;

use crate::weights::Matrix;

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

/// The rows of `matrix` with `bias`.
pub fn sparse_rows(matrix: &Matrix, bias: Option<&Array1<f64>>) -> Vec<SparseRow> {
    matrix
        .rows()
        .enumerate()
        .map(|(r, row)| SparseRow {
            cols: row.cols.to_vec(),
            vals: row.values.to_vec(),
            bias: bias.map_or(0.0, |b| b[r]),
        })
        .collect()
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
