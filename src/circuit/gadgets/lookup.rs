//! The quadratic-key lookup: a hard-max head that finds the position whose
//! integer key equals (or is nearest to) the query, among the positions marked
//! eligible, exact ties going to the latest.
//!
//! Two forms of the same construction:
//!
//! - [`Lookup::nearest`]: query `(q, 1)`, key `(2k, −k² − X + e·X)`, score
//!   `q² − (q − k)² − X·(1 − e)`. Proof: at an eligible position (e = 1) the
//!   score is `q² − (q − k)²`, highest at k = q and at least 1 lower for every
//!   other integer k; at an ineligible one it is `2qk − k² − X ≤ q² − X`. With
//!   `|q|, |k| ≤ B` every eligible score is `≥ q² − 4B²`, so when `4B² < X` every
//!   eligible position beats every ineligible one: the head reads the latest
//!   eligible position with the nearest key.
//! - [`Lookup::exact_or_default`]: query `(q, q², 1)`, key
//!   `(2k, −e, −k² − X + (e + d)·X − 0.5·d)`, score `−(q − k)²` at an eligible
//!   position, `−0.5` at a default one (d = 1, whose key is 0), and
//!   `2qk − k² − X ≤ 4B² − X` elsewhere. Proof: a matching eligible key scores 0
//!   and wins (latest first); any other eligible key scores ≤ −1, below the
//!   default's −0.5; so with no match the latest default answers. Needs e and d
//!   exclusive 0/1 flags, `k = 0` at default positions and `4B² + 1 < X`.
//!
//! [`Lookup::overridden`] adds one component `(a) · (2X·w)`: positions with
//! w = 1 win every query with a = 1, since their score rises by 2X, above the
//! `q² + X`-wide range of all the others (needs `5B² < X`).
//!
//! X is [`EXCLUDE`] (2^50). Scores stay exact integers in f64 while below 2^53.

use super::EXCLUDE;
use crate::circuit::{Dim, Head, HeadKind, Lin};

/// The query and key forms of a lookup head.
#[derive(Debug, Clone)]
pub struct Lookup {
    pub query: Vec<Lin>,
    pub key: Vec<Lin>,
}

impl Lookup {
    /// The latest eligible position whose key `k` (with `k_sq = k²`) is
    /// nearest to `q`.
    pub fn nearest(q: Lin, k: Lin, k_sq: Lin, eligible: Lin) -> Lookup {
        Lookup {
            query: vec![q, Lin::constant(1.0)],
            key: vec![k * 2.0, -k_sq - EXCLUDE + eligible * EXCLUDE],
        }
    }

    /// The latest eligible position whose key `k` equals `q` (with `q_sq = q²`,
    /// `k_sq = k²`), else the latest position flagged `default`.
    pub fn exact_or_default(
        q: Lin,
        q_sq: Lin,
        k: Lin,
        k_sq: Lin,
        eligible: Lin,
        default: Lin,
    ) -> Lookup {
        Lookup {
            query: vec![q, q_sq, Lin::constant(1.0)],
            key: vec![
                k * 2.0,
                -eligible.clone(),
                -k_sq - EXCLUDE + (eligible + default.clone()) * EXCLUDE - default * 0.5,
            ],
        }
    }

    /// Queries with `asks = 1` read the position with `answers = 1` instead.
    pub fn overridden(mut self, asks: Lin, answers: Lin) -> Lookup {
        self.query.push(asks);
        self.key.push(answers * (2.0 * EXCLUDE));
        self
    }

    /// The head reading `value` into `output` at the position found.
    pub fn head(
        self,
        name: impl Into<String>,
        doc: impl Into<String>,
        kind: HeadKind,
        value: Vec<Lin>,
        output: Vec<Dim>,
    ) -> Head {
        Head {
            name: name.into(),
            doc: doc.into(),
            kind,
            query: self.query,
            key: self.key,
            value,
            output,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Lookup;
    use crate::circuit::Lin;
    use crate::circuit::gadgets::testing::layout;

    /// The hard-max over positions `0..=i`: the highest score, exact ties to the
    /// latest position.
    fn attend(lookup: &Lookup, xs: &[Vec<f64>], i: usize) -> usize {
        let query: Vec<f64> = lookup.query.iter().map(|f| f.eval(&xs[i])).collect();
        let mut best = (f64::NEG_INFINITY, 0);
        for (j, x) in xs.iter().enumerate().take(i + 1) {
            let score: f64 = lookup
                .key
                .iter()
                .zip(&query)
                .map(|(f, q)| f.eval(x) * q)
                .sum();
            if score >= best.0 {
                best = (score, j);
            }
        }
        best.1
    }

    /// A small deterministic generator (an LCG), for varied sequences.
    fn numbers(seed: u64) -> impl FnMut(u64) -> i64 {
        let mut state = seed;
        move |below| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 33) % below) as i64
        }
    }

    const NAMES: [&str; 8] = ["q", "q_sq", "k", "k_sq", "e", "d", "asks", "answers"];

    fn position(q: i64, k: i64, e: bool, d: bool, asks: bool, answers: bool) -> Vec<f64> {
        let (q, k) = (q as f64, k as f64);
        let flags = [e, d, asks, answers].map(|f| f64::from(u8::from(f)));
        [q, q * q, k, k * k].into_iter().chain(flags).collect()
    }

    #[test]
    fn exact_or_default_reads_the_latest_matching_write_else_the_default() {
        let (_, d) = layout(&NAMES);
        let lookup = Lookup::exact_or_default(
            Lin::dim(d[0]),
            Lin::dim(d[1]),
            Lin::dim(d[2]),
            Lin::dim(d[3]),
            Lin::dim(d[4]),
            Lin::dim(d[5]),
        );
        // Small keys, and keys near 2^20 (the memory's addresses) whose squares
        // are near 2^40.
        for (seed, base) in [(1, 0), (2, 0), (3, (1 << 20) - 6), (4, 1 << 20)] {
            let mut next = numbers(seed);
            let mut xs = vec![position(base, 0, false, true, false, false)];
            xs[0][2..4].fill(0.0); // the default's key is 0
            for _ in 0..300 {
                let eligible = next(2) == 1;
                xs.push(position(
                    base + next(8),
                    base + next(8),
                    eligible,
                    false,
                    false,
                    false,
                ));
            }
            for i in 0..xs.len() {
                let q = xs[i][0];
                let expected = (1..=i)
                    .rev()
                    .find(|&j| xs[j][4] == 1.0 && xs[j][2] == q)
                    .unwrap_or(0);
                assert_eq!(
                    attend(&lookup, &xs, i),
                    expected,
                    "seed {seed}, position {i}"
                );
            }
        }
    }

    #[test]
    fn nearest_reads_the_latest_eligible_key_nearest_the_query() {
        let (_, d) = layout(&NAMES);
        let lookup = Lookup::nearest(
            Lin::dim(d[0]),
            Lin::dim(d[2]),
            Lin::dim(d[3]),
            Lin::dim(d[4]),
        );
        for (seed, base) in [(5, 0), (6, 0), (7, (1 << 20) - 4)] {
            let mut next = numbers(seed);
            let mut xs = vec![position(base, base + 3, true, false, false, false)];
            for _ in 0..300 {
                let eligible = next(3) == 0;
                xs.push(position(
                    base + next(10),
                    base + next(10),
                    eligible,
                    false,
                    false,
                    false,
                ));
            }
            for i in 0..xs.len() {
                let q = xs[i][0];
                let distance = |j: usize| (xs[j][2] - q).abs();
                let eligible = (0..=i).filter(|&j| xs[j][4] == 1.0);
                let nearest = eligible.clone().map(distance).fold(f64::INFINITY, f64::min);
                let expected = eligible.filter(|&j| distance(j) == nearest).max().unwrap();
                assert_eq!(
                    attend(&lookup, &xs, i),
                    expected,
                    "seed {seed}, position {i}"
                );
            }
        }
    }

    #[test]
    fn an_override_answers_every_query_that_asks_for_it() {
        let (_, d) = layout(&NAMES);
        let lookup = Lookup::nearest(
            Lin::dim(d[0]),
            Lin::dim(d[2]),
            Lin::dim(d[3]),
            Lin::dim(d[4]),
        )
        .overridden(Lin::dim(d[6]), Lin::dim(d[7]));
        // Position 0 answers; 1..=5 hold keys 0..5 (as instructions do); then
        // queries that ask (prompt-like) and queries that do not (trace-like).
        let mut xs = vec![position(0, 0, false, false, true, true)];
        xs.extend((0..5).map(|k| position(0, k, true, false, true, false)));
        let mut next = numbers(8);
        for _ in 0..100 {
            let asks = next(2) == 1;
            xs.push(position(next(5), next(5), false, false, asks, false));
        }
        for i in 0..xs.len() {
            let expected = if xs[i][6] == 1.0 {
                0
            } else {
                1 + xs[i][0] as usize
            };
            assert_eq!(attend(&lookup, &xs, i), expected, "position {i}");
        }
    }
}
