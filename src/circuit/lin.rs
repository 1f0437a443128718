//! Affine forms over the residual stream: `Σ cᵢ·x[dᵢ] + b`. Queries, keys,
//! values, gates and neuron values are all written as these, then assembled into
//! matrix rows.

use std::ops::{Add, Mul, Neg, Sub};

use super::Dim;

/// An affine function of the residual: sparse coefficients plus a constant.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Lin {
    pub terms: Vec<(Dim, f64)>,
    pub bias: f64,
}

impl Lin {
    pub fn zero() -> Lin {
        Lin::default()
    }

    pub fn constant(bias: f64) -> Lin {
        Lin {
            terms: Vec::new(),
            bias,
        }
    }

    pub fn dim(dim: Dim) -> Lin {
        Lin {
            terms: vec![(dim, 1.0)],
            bias: 0.0,
        }
    }

    /// `Σ weightᵢ·dimᵢ`.
    pub fn sum(terms: impl IntoIterator<Item = (Dim, f64)>) -> Lin {
        let mut lin = Lin::zero();
        for (dim, weight) in terms {
            lin.push(dim, weight);
        }
        lin
    }

    pub fn push(&mut self, dim: Dim, weight: f64) {
        if weight == 0.0 {
            return;
        }
        match self.terms.iter_mut().find(|(d, _)| *d == dim) {
            Some((_, w)) => *w += weight,
            None => self.terms.push((dim, weight)),
        }
        self.terms.retain(|(_, w)| *w != 0.0);
    }

    /// Evaluates the form on a dense residual vector.
    pub fn eval(&self, x: &[f64]) -> f64 {
        self.terms.iter().map(|&(d, w)| w * x[d.0]).sum::<f64>() + self.bias
    }
}

impl From<Dim> for Lin {
    fn from(dim: Dim) -> Lin {
        Lin::dim(dim)
    }
}

impl Add for Lin {
    type Output = Lin;
    fn add(mut self, other: Lin) -> Lin {
        for (d, w) in other.terms {
            self.push(d, w);
        }
        self.bias += other.bias;
        self
    }
}

impl Add<f64> for Lin {
    type Output = Lin;
    fn add(mut self, constant: f64) -> Lin {
        self.bias += constant;
        self
    }
}

impl Sub for Lin {
    type Output = Lin;
    fn sub(self, other: Lin) -> Lin {
        self + other * -1.0
    }
}

impl Sub<f64> for Lin {
    type Output = Lin;
    fn sub(self, constant: f64) -> Lin {
        self + -constant
    }
}

impl Mul<f64> for Lin {
    type Output = Lin;
    fn mul(mut self, factor: f64) -> Lin {
        if factor == 0.0 {
            return Lin::zero();
        }
        for (_, w) in &mut self.terms {
            *w *= factor;
        }
        self.bias *= factor;
        self
    }
}

impl Neg for Lin {
    type Output = Lin;
    fn neg(self) -> Lin {
        self * -1.0
    }
}
