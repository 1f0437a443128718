//! An index that finds a hard-max head's winning key without scoring every
//! key: the fetch head of a 40,000-instruction program scores about
//! 2·log₂ n of its keys instead of all of them. It is built from the keys
//! the head's own projections produced, with no knowledge of what they mean,
//! and it answers only when it can prove its answer is the scan's.
//!
//! # Why its winner is exactly the scan's
//!
//! 1. **Exact scores.** [`KeyGrid`] records, for each key component, the
//!    largest magnitude and the finest binary grid (multiples of 2⁻ᵍ) that
//!    any stored key uses. For a query whose components are on grids too,
//!    every product `q_i·k_i` and every partial sum of a score is a multiple
//!    of 2⁻ᴱ (E the largest `g_i + e_i`) of magnitude at most
//!    `B = Σ |q_i|·max|k_i|`. When `B·2ᴱ ≤ 2⁵²` every one of them is an
//!    integer number of 2⁻ᴱ below 2⁵³, so exactly representable: each f64
//!    score *is* the real dot product, whatever order it is added in, and
//!    the scan's winner is the real maximum, exact ties to the latest entry.
//!    Otherwise ([`KeyGrid::scores_are_exact`] is false) the caller scans.
//! 2. **The winner lies on a hull chain.** Two key components are the axes
//!    `(u, v)`; keys whose other components are equal form a group, in which
//!    a key scores `c + a·u + b·v` (a, b the query's axis components). For
//!    `b > 0` every maximiser lies on the group's upper chain: its points by
//!    `u`, with only clockwise or straight turns, collinear points kept. Along
//!    it the slopes never rise, so the steps `f(i+1) − f(i) = a·Δu + b·Δv`
//!    are positive, then zero over at most one run, then negative: a binary
//!    search finds the first point not followed by a higher score, and the
//!    level run from it holds every maximiser of the group. `b < 0` is the
//!    same on the lower chain. For `b = 0` (or not a number) the caller scans.
//! 3. **Exact turns.** The chains are built from the axis coordinates scaled
//!    by 2ᵍ to integers below 2⁶¹, their turns computed in `i128`.
//! 4. Keys not yet merged into the chains are scored one by one.
//!
//! Among all the maximisers found, the latest entry wins, as in the scan.

use std::collections::{HashMap, HashSet};

use super::attention::{beats, dot};

/// The finest grid a key or query component may use, 2⁻⁶⁰.
const MAX_GRID: u32 = 60;
/// Axis coordinates, scaled to integers, stay below this, so that a turn's
/// products of differences stay within `i128`.
const MAX_COORDINATE: f64 = (1u64 << 61) as f64;
/// Fewest distinct keys worth an index: below it, scanning costs less.
pub(crate) const MIN_KEYS: usize = 32;
/// Most groups an index keeps: each query searches every group.
const MAX_GROUPS: usize = 16;
/// Most axis components considered (pairs are tried exhaustively).
const MAX_KEY_DIMS: usize = 8;

/// The binary grid `v` lies on: the smallest `g` with `v·2ᵍ` an integer,
/// or `None` when `v` is not finite or needs a grid finer than 2⁻⁶⁰.
pub(crate) fn grid_exponent(v: f64) -> Option<u32> {
    if !v.is_finite() {
        return None;
    }
    if v == 0.0 {
        return Some(0);
    }
    let bits = v.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i64;
    let fraction = bits & ((1 << 52) - 1);
    // v = ±m·2ᵖ with m an integer.
    let (m, p) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | 1 << 52, biased - 1075)
    };
    let p = p + i64::from(m.trailing_zeros());
    let g = (-p).max(0);
    (g <= i64::from(MAX_GRID)).then_some(g as u32)
}

/// What every stored key shares: per component the largest magnitude and
/// the finest grid, for deciding whether a query's scores are exact.
#[derive(Debug, Clone, Default)]
pub(crate) struct KeyGrid {
    max_abs: Vec<f64>,
    grid: Vec<u32>,
    /// False once a key was not finite or off every grid down to 2⁻⁶⁰.
    gridded: bool,
    keys: usize,
}

impl KeyGrid {
    /// Records one more distinct key.
    pub(crate) fn add(&mut self, key: &[f64]) {
        if self.keys == 0 {
            self.max_abs = vec![0.0; key.len()];
            self.grid = vec![0; key.len()];
            self.gridded = true;
        }
        self.keys += 1;
        if key.len() != self.grid.len() {
            self.gridded = false;
            return;
        }
        for (i, &k) in key.iter().enumerate() {
            match grid_exponent(k) {
                Some(g) => {
                    self.grid[i] = self.grid[i].max(g);
                    self.max_abs[i] = self.max_abs[i].max(k.abs());
                }
                None => self.gridded = false,
            }
        }
    }

    /// Whether every stored key's f64 score for `query` is its exact dot
    /// product (point 1 of the module's proof).
    pub(crate) fn scores_are_exact(&self, query: &[f64]) -> bool {
        if !self.gridded || query.len() != self.grid.len() {
            return false;
        }
        let mut bound = 0.0f64;
        let mut finest = 0u32;
        for ((&q, &g), &max_abs) in query.iter().zip(&self.grid).zip(&self.max_abs) {
            let Some(e) = grid_exponent(q) else {
                return false;
            };
            if q != 0.0 && max_abs != 0.0 {
                bound += q.abs() * max_abs;
                finest = finest.max(g + e);
            }
        }
        // The bound's own rounding is far below the factor of 2 kept in hand.
        finest <= 2 * MAX_GRID && bound * 2f64.powi(finest as i32) <= (1u64 << 52) as f64
    }

    /// The finest grid of component `i`.
    fn grid_of(&self, i: usize) -> u32 {
        self.grid[i]
    }

    pub(crate) fn is_gridded(&self) -> bool {
        self.gridded
    }
}

/// A key in its group: its axis coordinates scaled to integers, and its slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Point {
    u: i64,
    v: i64,
    slot: usize,
}

/// Twice the signed area of `o, a, b`: positive for a counter-clockwise
/// turn, zero when they are collinear. Exact for coordinates below 2⁶¹.
fn turn(o: Point, a: Point, b: Point) -> i128 {
    let (au, av) = (i128::from(a.u - o.u), i128::from(a.v - o.v));
    let (bu, bv) = (i128::from(b.u - o.u), i128::from(b.v - o.v));
    au * bv - av * bu
}

/// The keys sharing every component but the axes.
#[derive(Debug, Clone, Default)]
struct Group {
    /// Every merged point, by `(u, v)`.
    sorted: Vec<Point>,
    /// The upper and lower chains of `sorted`, collinear points kept.
    upper: Vec<Point>,
    lower: Vec<Point>,
    /// Points not yet merged, scored one by one.
    pending: Vec<Point>,
}

impl Group {
    /// Merges the pending points and rebuilds both chains (Andrew's
    /// monotone chain, popping only strict wrong turns).
    fn merge(&mut self) {
        self.sorted.append(&mut self.pending);
        self.sorted.sort();
        self.upper.clear();
        self.lower.clear();
        for &p in &self.sorted {
            while let [.., o, a] = self.upper[..] {
                if turn(o, a, p) > 0 {
                    self.upper.pop();
                } else {
                    break;
                }
            }
            self.upper.push(p);
            while let [.., o, a] = self.lower[..] {
                if turn(o, a, p) < 0 {
                    self.lower.pop();
                } else {
                    break;
                }
            }
            self.lower.push(p);
        }
    }

    /// Merges once the pending points outnumber 8 + √(merged points): a
    /// query then scores O(√n) pending points at most, and merging, O(n),
    /// happens every O(√n) new keys.
    fn merge_if_due(&mut self) {
        if self.pending.len() > 8 + self.sorted.len().isqrt() {
            self.merge();
        }
    }

    fn points(&self) -> usize {
        self.sorted.len() + self.pending.len()
    }
}

/// Upper and lower hull chains of a head's distinct keys, in groups.
#[derive(Debug, Clone)]
pub(crate) struct Envelope {
    axes: [usize; 2],
    /// Axis coordinates are multiplied by 2^shift to make them integers.
    shift: [u32; 2],
    groups: Vec<Group>,
    /// The other components' bit patterns to their group.
    group_of: HashMap<Box<[u64]>, usize>,
    /// Every indexed key, `key_dims` per slot: scored without a detour
    /// through the store's chunks.
    keys: Vec<f64>,
    key_dims: usize,
}

impl Envelope {
    /// An index of `keys` (by slot), or `None` when none would pay or be
    /// exact: keys of fewer than two components, off every grid, or falling
    /// into more than [`MAX_GROUPS`] groups for every choice of axes.
    pub(crate) fn build(keys: &[&[f64]], grid: &KeyGrid) -> Option<Envelope> {
        let d = keys.first()?.len();
        if !grid.is_gridded() || !(2..=MAX_KEY_DIMS).contains(&d) {
            return None;
        }
        let mut choice: Option<([usize; 2], usize)> = None;
        for i in 0..d {
            for j in i + 1..d {
                let mut rests = HashSet::new();
                for key in keys {
                    rests.insert(rest_bits(key, [i, j]));
                    if rests.len() > MAX_GROUPS {
                        break;
                    }
                }
                if rests.len() <= MAX_GROUPS && choice.is_none_or(|(_, n)| rests.len() < n) {
                    choice = Some(([i, j], rests.len()));
                }
            }
        }
        let (axes, _) = choice?;
        let mut envelope = Envelope {
            axes,
            shift: axes.map(|a| grid.grid_of(a)),
            groups: Vec::new(),
            group_of: HashMap::new(),
            keys: Vec::with_capacity(keys.len() * d),
            key_dims: d,
        };
        for (slot, key) in keys.iter().enumerate() {
            envelope.add_point(slot, key)?;
        }
        for group in &mut envelope.groups {
            group.merge();
        }

        Some(envelope)
    }

    /// Adds a new distinct key; false when the index cannot hold it (its
    /// axes off this index's grid or too large, or one group too many), and
    /// must be rebuilt.
    pub(crate) fn insert(&mut self, slot: usize, key: &[f64]) -> bool {
        match self.add_point(slot, key) {
            Some(group) => {
                self.groups[group].merge_if_due();
                true
            }
            None => false,
        }
    }

    /// Adds a key to its group's pending points: its group, or `None` when
    /// this index cannot hold it.
    fn add_point(&mut self, slot: usize, key: &[f64]) -> Option<usize> {
        if key.len() != self.key_dims || slot * self.key_dims != self.keys.len() {
            return None;
        }
        let mut scaled = [0i64; 2];
        for (n, (&axis, &shift)) in self.axes.iter().zip(&self.shift).enumerate() {
            let &k = key.get(axis)?;
            if grid_exponent(k).is_none_or(|g| g > shift) {
                return None;
            }
            let s = k * 2f64.powi(shift as i32);
            if s.abs() >= MAX_COORDINATE {
                return None;
            }
            scaled[n] = s as i64;
        }
        let rest = rest_bits(key, self.axes);
        let group = match self.group_of.get(&rest) {
            Some(&g) => g,
            None => {
                if self.groups.len() == MAX_GROUPS {
                    return None;
                }
                self.groups.push(Group::default());
                self.group_of.insert(rest, self.groups.len() - 1);
                self.groups.len() - 1
            }
        };
        let [u, v] = scaled;
        self.groups[group].pending.push(Point { u, v, slot });
        self.keys.extend_from_slice(key);
        Some(group)
    }

    /// The winning slot for `query`, or `None` when the caller must scan
    /// (the query's `v` component is zero or not a number). `entry` gives a
    /// slot's latest entry's number. The caller has checked
    /// [`KeyGrid::scores_are_exact`].
    pub(crate) fn argmax(&self, query: &[f64], entry: impl Fn(usize) -> usize) -> Option<usize> {
        let d = self.key_dims;
        let score = |slot: usize| dot(query, &self.keys[slot * d..(slot + 1) * d]);
        let b = query[self.axes[1]];
        if b.is_nan() || b == 0.0 {
            return None;
        }
        // The best (score, entry) so far, and its slot.
        let mut best: Option<((f64, usize), usize)> = None;
        let mut offer = |slot: usize, s: f64| {
            let candidate = (s, entry(slot));
            if best.is_none_or(|(b, _)| beats(candidate, b)) {
                best = Some((candidate, slot));
            }
        };
        for group in &self.groups {
            let chain = if b > 0.0 { &group.upper } else { &group.lower };
            if !chain.is_empty() {
                let first = first_maximum(chain, &score);
                let top = score(chain[first].slot);
                offer(chain[first].slot, top);
                for p in &chain[first + 1..] {
                    let s = score(p.slot);
                    if s != top {
                        break;
                    }
                    offer(p.slot, s);
                }
            }
            for p in &group.pending {
                offer(p.slot, score(p.slot));
            }
        }
        best.map(|(_, slot)| slot)
    }

    /// The points indexed.
    pub(crate) fn len(&self) -> usize {
        self.groups.iter().map(Group::points).sum()
    }

    /// The heap bytes of the chains and their points, estimated.
    pub(crate) fn heap_bytes(&self) -> usize {
        let point = std::mem::size_of::<Point>();
        self.groups
            .iter()
            .map(|g| (g.sorted.len() + g.upper.len() + g.lower.len() + g.pending.len()) * point)
            .sum::<usize>()
            + self.keys.len() * std::mem::size_of::<f64>()
    }
}

/// The first index of `chain` whose successor does not score higher: the
/// scores rise, stay level, then fall (point 2 of the module's proof).
fn first_maximum(chain: &[Point], score: &impl Fn(usize) -> f64) -> usize {
    let (mut low, mut high) = (0, chain.len() - 1);
    while low < high {
        let mid = low + (high - low) / 2;
        if score(chain[mid + 1].slot) <= score(chain[mid].slot) {
            high = mid;
        } else {
            low = mid + 1;
        }
    }
    low
}

/// The bit patterns of every component but the axes.
fn rest_bits(key: &[f64], axes: [usize; 2]) -> Box<[u64]> {
    key.iter()
        .enumerate()
        .filter(|(i, _)| !axes.contains(i))
        .map(|(_, k)| k.to_bits())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_exponents_by_hand() {
        assert_eq!(grid_exponent(0.0), Some(0));
        assert_eq!(grid_exponent(-0.0), Some(0));
        assert_eq!(grid_exponent(3.0), Some(0));
        assert_eq!(grid_exponent(1024.0), Some(0));
        assert_eq!(grid_exponent(-0.5), Some(1));
        assert_eq!(grid_exponent(0.375), Some(3)); // 3/8
        assert_eq!(grid_exponent(2f64.powi(-60)), Some(60));
        assert_eq!(grid_exponent(2f64.powi(-61)), None);
        // 0.1 is 0x3FB999999999999A: 2⁻⁴ times 52 fraction bits, the last
        // one zero: a grid of 2⁻⁵⁵. 1e-20 is 0x3BC79CA10C924223: 2⁻¹¹⁹.
        assert_eq!(grid_exponent(0.1), Some(55));
        assert_eq!(grid_exponent(1e-20), None);
        assert_eq!(grid_exponent(f64::INFINITY), None);
        assert_eq!(grid_exponent(f64::NAN), None);
        assert_eq!(grid_exponent(2f64.powi(70)), Some(0));
    }

    #[test]
    fn exactness_needs_the_bound_under_two_to_the_52() {
        let mut grid = KeyGrid::default();
        grid.add(&[2.0, -(2f64.powi(50))]);
        grid.add(&[-6.0, 0.5]);
        // B = 3·6 + 1·2⁵⁰, E = 1 (the 0.5): 2·B ≤ 2⁵² holds.
        assert!(grid.scores_are_exact(&[3.0, 1.0]));
        // A query of 4 on the second axis: 2·(18 + 2⁵²) > 2⁵².
        assert!(!grid.scores_are_exact(&[3.0, 4.0]));
        // A query on a grid too fine (0.1 needs 2⁻⁵⁵), or not finite.
        assert!(!grid.scores_are_exact(&[0.1, 1.0]));
        assert!(!grid.scores_are_exact(&[f64::NAN, 1.0]));
        // A key off every grid makes no query exact.
        grid.add(&[1e-20, 0.0]);
        assert!(!grid.scores_are_exact(&[0.0, 0.0]));
    }

    #[test]
    fn chains_keep_collinear_points_and_drop_inner_ones() {
        let mut group = Group::default();
        let points = [(0, 0), (1, 1), (2, 2), (3, 0), (1, -1), (2, 0), (0, 1)];
        for (slot, (u, v)) in points.into_iter().enumerate() {
            group.pending.push(Point { u, v, slot });
        }
        group.merge();
        let coords = |chain: &[Point]| chain.iter().map(|p| (p.u, p.v)).collect::<Vec<_>>();
        // By hand: upper from (0,0) up to (0,1), then (1,1), (2,2), (3,0);
        // (0,1)→(1,1)→(2,2) turns counter-clockwise at (1,1), so (1,1) goes.
        assert_eq!(coords(&group.upper), vec![(0, 0), (0, 1), (2, 2), (3, 0)]);
        // Lower: (0,0), (1,−1), (3,0); (2,0) is above the edge (1,−1)→(3,0).
        assert_eq!(coords(&group.lower), vec![(0, 0), (1, -1), (3, 0)]);

        let mut line = Group::default();
        for (slot, u) in [0, 1, 2, 3].into_iter().enumerate() {
            line.pending.push(Point { u, v: u, slot });
        }
        line.merge();
        assert_eq!(line.upper.len(), 4, "collinear points stay");
    }
}
