//! The weights' matrices, stored sparse: a compiled model is 99.5% zeros, so
//! each matrix keeps only its non-zero entries, row by row (compressed sparse
//! rows, the layout `scipy.sparse.csr_matrix` takes). The engine's rows, the
//! wiring and the files all read this one form; [`Matrix::to_dense`] gives the
//! dense reference its matrices.
//!
//! Invariant: within a row the column indices are strictly increasing and no
//! stored value is zero, so two matrices are equal exactly when every entry is.

use ndarray::Array2;

/// A `rows × cols` matrix of its non-zero entries.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    rows: usize,
    cols: usize,
    /// Row r's entries are `indices[indptr[r]..indptr[r + 1]]`.
    indptr: Vec<usize>,
    indices: Vec<u32>,
    values: Vec<f64>,
}

/// One row: its non-zero entries by increasing column.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    pub cols: &'a [u32],
    pub values: &'a [f64],
}

impl<'a> Row<'a> {
    /// `(column, value)` pairs.
    pub fn iter(self) -> impl Iterator<Item = (usize, f64)> + 'a {
        let (cols, values) = (self.cols, self.values);
        cols.iter().zip(values).map(|(&c, &v)| (c as usize, v))
    }

    pub fn is_empty(&self) -> bool {
        self.cols.is_empty()
    }
}

impl Matrix {
    pub fn zeros(rows: usize, cols: usize) -> Matrix {
        Matrix {
            rows,
            cols,
            indptr: vec![0; rows + 1],
            indices: Vec::new(),
            values: Vec::new(),
        }
    }

    /// The matrix whose entry (r, c) is the sum, in the given order, of the
    /// triplets at (r, c) — what adding them into a zero dense matrix gives.
    /// Panics on a triplet outside the shape (a construction error).
    pub fn from_triplets(
        rows: usize,
        cols: usize,
        triplets: impl IntoIterator<Item = (usize, usize, f64)>,
    ) -> Matrix {
        let mut by_row: Vec<Vec<(u32, f64)>> = vec![Vec::new(); rows];
        for (r, c, v) in triplets {
            assert!(
                r < rows && c < cols,
                "entry ({r}, {c}) of a {rows}×{cols} matrix"
            );
            let row = &mut by_row[r];
            match row.iter_mut().find(|(col, _)| *col as usize == c) {
                Some((_, sum)) => *sum += v,
                None => row.push((c as u32, 0.0 + v)),
            }
        }
        let mut m = Matrix::zeros(rows, cols);
        for (r, mut row) in by_row.into_iter().enumerate() {
            row.sort_by_key(|&(c, _)| c);
            for (c, v) in row {
                if v != 0.0 {
                    m.indices.push(c);
                    m.values.push(v);
                }
            }
            m.indptr[r + 1] = m.indices.len();
        }
        m
    }

    pub fn from_dense(dense: &Array2<f64>) -> Matrix {
        let (rows, cols) = dense.dim();
        let mut m = Matrix::zeros(rows, cols);
        for (r, row) in dense.rows().into_iter().enumerate() {
            for (c, &v) in row.iter().enumerate() {
                if v != 0.0 {
                    m.indices.push(c as u32);
                    m.values.push(v);
                }
            }
            m.indptr[r + 1] = m.indices.len();
        }
        m
    }

    /// A matrix from its compressed rows, as a file stores them; says what is
    /// wrong when they do not describe a `rows × cols` matrix. Stored zeros
    /// are dropped.
    pub fn from_csr(
        rows: usize,
        cols: usize,
        indptr: &[u64],
        indices: &[u64],
        values: &[f64],
    ) -> Result<Matrix, String> {
        if indptr.len() != rows + 1 {
            return Err(format!(
                "indptr has {} entries, expected {} (rows + 1)",
                indptr.len(),
                rows + 1
            ));
        }
        if indices.len() != values.len() {
            return Err(format!(
                "{} indices for {} values",
                indices.len(),
                values.len()
            ));
        }
        if indptr[0] != 0 || indptr[rows] != values.len() as u64 {
            return Err(format!(
                "indptr runs from {} to {}, expected 0 to {} (the number of values)",
                indptr[0],
                indptr[rows],
                values.len()
            ));
        }
        if let Some(r) = (0..rows).find(|&r| indptr[r + 1] < indptr[r]) {
            return Err(format!("indptr decreases at row {r}"));
        }
        let mut m = Matrix::zeros(rows, cols);
        for r in 0..rows {
            let (start, end) = (indptr[r], indptr[r + 1]);
            let mut previous: Option<u64> = None;
            for i in start as usize..end as usize {
                let c = indices[i];
                if c >= cols as u64 {
                    return Err(format!("row {r} has column {c}, beyond {cols} columns"));
                }
                if previous.is_some_and(|p| p >= c) {
                    return Err(format!(
                        "row {r}'s columns are not strictly increasing at {c}"
                    ));
                }
                previous = Some(c);
                if values[i] != 0.0 {
                    m.indices.push(c as u32);
                    m.values.push(values[i]);
                }
            }
            m.indptr[r + 1] = m.indices.len();
        }
        Ok(m)
    }

    pub fn to_dense(&self) -> Array2<f64> {
        let mut dense = Array2::zeros((self.rows, self.cols));
        for (r, c, v) in self.entries() {
            dense[[r, c]] = v;
        }
        dense
    }

    pub fn nrows(&self) -> usize {
        self.rows
    }

    pub fn ncols(&self) -> usize {
        self.cols
    }

    /// The number of non-zero entries.
    pub fn nnz(&self) -> usize {
        self.values.len()
    }

    /// The compressed rows: `(indptr, indices, values)`.
    pub fn csr(&self) -> (&[usize], &[u32], &[f64]) {
        (&self.indptr, &self.indices, &self.values)
    }

    pub fn row(&self, r: usize) -> Row<'_> {
        let span = self.indptr[r]..self.indptr[r + 1];
        Row {
            cols: &self.indices[span.clone()],
            values: &self.values[span],
        }
    }

    pub fn rows(&self) -> impl Iterator<Item = Row<'_>> + '_ {
        (0..self.rows).map(|r| self.row(r))
    }

    /// Every non-zero entry `(row, column, value)`, row by row.
    pub fn entries(&self) -> impl Iterator<Item = (usize, usize, f64)> + '_ {
        (0..self.rows).flat_map(move |r| self.row(r).iter().map(move |(c, v)| (r, c, v)))
    }

    /// Column c's non-zero entries `(row, value)`, by increasing row.
    pub fn column(&self, c: usize) -> Vec<(usize, f64)> {
        (0..self.rows)
            .filter_map(|r| {
                let row = self.row(r);
                let at = row.cols.binary_search(&(c as u32)).ok()?;
                Some((r, row.values[at]))
            })
            .collect()
    }

    /// Every column's non-zero entries `(row, value)`, by increasing row.
    pub fn columns(&self) -> Vec<Vec<(usize, f64)>> {
        let mut columns = vec![Vec::new(); self.cols];
        for (r, c, v) in self.entries() {
            columns[c].push((r, v));
        }
        columns
    }

    /// Sets entry (r, c), inserting or removing it as needed.
    pub fn set(&mut self, r: usize, c: usize, value: f64) {
        assert!(
            r < self.rows && c < self.cols,
            "({r}, {c}) is outside the matrix"
        );
        let (start, end) = (self.indptr[r], self.indptr[r + 1]);
        match self.indices[start..end].binary_search(&(c as u32)) {
            Ok(at) if value != 0.0 => self.values[start + at] = value,
            Ok(at) => {
                self.indices.remove(start + at);
                self.values.remove(start + at);
                self.indptr[r + 1..].iter_mut().for_each(|p| *p -= 1);
            }
            Err(_) if value == 0.0 => {}
            Err(at) => {
                self.indices.insert(start + at, c as u32);
                self.values.insert(start + at, value);
                self.indptr[r + 1..].iter_mut().for_each(|p| *p += 1);
            }
        }
    }

    /// Applies `f` to every non-zero entry, row by row; entries it makes
    /// zero are dropped.
    pub fn map_nonzero(&mut self, mut f: impl FnMut(&mut f64)) {
        self.values.iter_mut().for_each(&mut f);
        self.retain(|_, _, _| true);
    }

    /// Zeroes every entry.
    pub fn clear(&mut self) {
        *self = Matrix::zeros(self.rows, self.cols);
    }

    pub fn clear_row(&mut self, r: usize) {
        self.retain(|row, _, _| row != r);
    }

    pub fn clear_column(&mut self, c: usize) {
        self.retain(|_, col, _| col != c);
    }

    /// Keeps the non-zero entries for which `keep(row, column, value)` holds.
    fn retain(&mut self, mut keep: impl FnMut(usize, usize, f64) -> bool) {
        let mut kept = 0;
        let mut start = 0;
        for r in 0..self.rows {
            let end = self.indptr[r + 1];
            for i in start..end {
                let (c, v) = (self.indices[i], self.values[i]);
                if v != 0.0 && keep(r, c as usize, v) {
                    self.indices[kept] = c;
                    self.values[kept] = v;
                    kept += 1;
                }
            }
            start = end;
            self.indptr[r + 1] = kept;
        }
        self.indices.truncate(kept);
        self.values.truncate(kept);
    }
}

/// `m[[r, c]]`, as for a dense matrix: the entry, or zero.
impl std::ops::Index<[usize; 2]> for Matrix {
    type Output = f64;

    fn index(&self, [r, c]: [usize; 2]) -> &f64 {
        assert!(
            r < self.rows && c < self.cols,
            "({r}, {c}) is outside the matrix"
        );
        let row = self.row(r);
        match row.cols.binary_search(&(c as u32)) {
            Ok(at) => &row.values[at],
            Err(_) => &0.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::arr2;

    fn example() -> Array2<f64> {
        arr2(&[
            [0.0, 2.0, 0.0, -1.5],
            [0.0, 0.0, 0.0, 0.0],
            [7.0, 0.0, 0.25, 0.0],
        ])
    }

    #[test]
    fn dense_round_trips_through_compressed_rows() {
        let m = Matrix::from_dense(&example());
        assert_eq!(m.to_dense(), example());
        assert_eq!(m.nnz(), 4);
        let (indptr, indices, values) = m.csr();
        assert_eq!(indptr, &[0, 2, 2, 4]);
        assert_eq!(indices, &[1, 3, 0, 2]);
        assert_eq!(values, &[2.0, -1.5, 7.0, 0.25]);
        assert_eq!(m[[2, 0]], 7.0);
        assert_eq!(m[[1, 3]], 0.0);
        assert_eq!(m.column(0), vec![(2, 7.0)]);
        assert_eq!(m.columns()[3], vec![(0, -1.5)]);
    }

    #[test]
    fn triplets_add_up_in_order_and_zeros_vanish() {
        let m = Matrix::from_triplets(
            2,
            3,
            [
                (1, 2, 1.0),
                (0, 1, 3.0),
                (1, 2, 0.5),
                (0, 0, 2.0),
                (0, 0, -2.0),
            ],
        );
        assert_eq!(m.to_dense(), arr2(&[[0.0, 3.0, 0.0], [0.0, 0.0, 1.5]]));
        assert_eq!(m.nnz(), 2);
    }

    #[test]
    fn set_inserts_replaces_and_removes_like_a_dense_write() {
        let mut m = Matrix::from_dense(&example());
        let mut dense = example();
        for (r, c, v) in [
            (1, 2, 4.0),
            (0, 1, 0.0),
            (2, 2, -3.0),
            (1, 0, 1.0),
            (1, 2, 0.0),
        ] {
            m.set(r, c, v);
            dense[[r, c]] = v;
            assert_eq!(m.to_dense(), dense);
            assert_eq!(m, Matrix::from_dense(&dense));
        }
    }

    #[test]
    fn clearing_rows_and_columns_and_mapping_keep_the_form_canonical() {
        let mut m = Matrix::from_dense(&example());
        m.clear_column(1);
        m.clear_row(2);
        assert_eq!(
            m.to_dense(),
            arr2(&[[0.0, 0.0, 0.0, -1.5], [0.0; 4], [0.0; 4]])
        );
        let mut m = Matrix::from_dense(&example());
        m.map_nonzero(|v| *v = if *v > 0.0 { 0.0 } else { *v * 2.0 });
        assert_eq!(
            m,
            Matrix::from_dense(&arr2(&[[0.0, 0.0, 0.0, -3.0], [0.0; 4], [0.0; 4]]))
        );
    }

    #[test]
    fn malformed_compressed_rows_are_refused_with_the_reason() {
        let err = |indptr: &[u64], indices: &[u64], values: &[f64]| {
            Matrix::from_csr(2, 3, indptr, indices, values).unwrap_err()
        };
        assert!(err(&[0, 1], &[0], &[1.0]).contains("indptr has 2 entries, expected 3"));
        assert!(err(&[0, 1, 1], &[0, 1], &[1.0]).contains("2 indices for 1 values"));
        assert!(err(&[0, 1, 3], &[0, 1], &[1.0, 2.0]).contains("indptr runs from 0 to 3"));
        assert!(err(&[0, 2, 1], &[0], &[1.0]).contains("indptr decreases at row 1"));
        assert!(err(&[0, 1, 1], &[3], &[1.0]).contains("column 3, beyond 3 columns"));
        assert!(err(&[0, 2, 2], &[1, 1], &[1.0, 2.0]).contains("not strictly increasing"));
        let m = Matrix::from_csr(2, 3, &[0, 2, 3], &[0, 2, 1], &[1.0, 0.0, 5.0]).unwrap();
        assert_eq!(m.to_dense(), arr2(&[[1.0, 0.0, 0.0], [0.0, 5.0, 0.0]]));
    }
}
