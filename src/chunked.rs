//! A vector whose clones share what they have not changed.
//!
//! The debugger keeps hundreds of snapshots of a run (its checkpoints): the
//! attention caches, the VM's memory, the outputs. Copied whole, a snapshot
//! costs as much as the state; a [`ChunkedVec`] stores its elements in chunks
//! of `N` (by default [`CHUNK`]) behind reference counts, so a clone copies one pointer per
//! chunk, and a write copies only the chunk it lands in, and only while
//! another clone still shares it. Snapshots then cost what changed between
//! them.

use std::fmt;
use std::sync::Arc;

/// Elements per chunk, unless a use asks for smaller chunks (rewritten more
/// often, they are cheaper to copy).
pub const CHUNK: usize = 1024;

/// A growable array in shared, copy-on-write chunks of `N` elements.
#[derive(Clone)]
pub struct ChunkedVec<T, const N: usize = CHUNK> {
    chunks: Vec<Arc<Vec<T>>>,
    len: usize,
}

impl<T: Clone, const N: usize> Default for ChunkedVec<T, N> {
    fn default() -> Self {
        ChunkedVec::new()
    }
}

impl<T: Clone, const N: usize> ChunkedVec<T, N> {
    pub fn new() -> ChunkedVec<T, N> {
        ChunkedVec {
            chunks: Vec::new(),
            len: 0,
        }
    }

    /// `len` copies of `value`.
    pub fn from_elem(value: T, len: usize) -> ChunkedVec<T, N> {
        let mut v = ChunkedVec::new();
        v.resize(len, value);
        v
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn get(&self, index: usize) -> Option<&T> {
        if index < self.len {
            Some(&self.chunks[index / N][index % N])
        } else {
            None
        }
    }

    /// The element at `index`, copying its chunk first if a clone shares it.
    ///
    /// Panics when `index` is out of range, like slice indexing.
    pub fn get_mut(&mut self, index: usize) -> &mut T {
        assert!(
            index < self.len,
            "index {index} out of range for length {}",
            self.len
        );
        &mut Arc::make_mut(&mut self.chunks[index / N])[index % N]
    }

    pub fn set(&mut self, index: usize, value: T) {
        *self.get_mut(index) = value;
    }

    pub fn push(&mut self, value: T) {
        if self.len.is_multiple_of(N) {
            let mut chunk = Vec::with_capacity(N);
            chunk.push(value);
            self.chunks.push(Arc::new(chunk));
        } else {
            let last = self.chunks.last_mut().expect("a partly filled chunk");
            Arc::make_mut(last).push(value);
        }
        self.len += 1;
    }

    /// Grows to `len` with copies of `value`, or shortens to `len`.
    pub fn resize(&mut self, len: usize, value: T) {
        while self.len > len {
            let last = self.chunks.last_mut().expect("not empty");
            if last.len() == 1 {
                self.chunks.pop();
            } else {
                Arc::make_mut(last).pop();
            }
            self.len -= 1;
        }
        while self.len < len {
            self.push(value.clone());
        }
    }

    /// Copies `out.len()` elements starting at `start` into `out`.
    ///
    /// Panics when the range is out of bounds.
    pub fn read(&self, start: usize, out: &mut [T]) {
        assert!(start + out.len() <= self.len, "read past the end");
        for (i, slot) in out.iter_mut().enumerate() {
            *slot = self.chunks[(start + i) / N][(start + i) % N].clone();
        }
    }

    /// Overwrites the elements from `start` with `values`.
    ///
    /// Panics when the range is out of bounds.
    pub fn write(&mut self, start: usize, values: &[T]) {
        assert!(start + values.len() <= self.len, "write past the end");
        for (i, value) in values.iter().enumerate() {
            self.set(start + i, value.clone());
        }
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + '_ {
        self.slices().flatten()
    }

    /// The chunks as slices, in order: for loops that are hot.
    pub fn slices(&self) -> impl DoubleEndedIterator<Item = &[T]> + '_ {
        self.chunks.iter().map(|chunk| chunk.as_slice())
    }

    pub fn to_vec(&self) -> Vec<T> {
        self.iter().cloned().collect()
    }

    /// Chunks this vector shares with another (for tests and measurements).
    pub fn shares_chunks_with(&self, other: &ChunkedVec<T, N>) -> usize {
        self.chunks
            .iter()
            .zip(&other.chunks)
            .filter(|(a, b)| Arc::ptr_eq(a, b))
            .count()
    }
}

impl<T: Clone + PartialEq, const N: usize> PartialEq for ChunkedVec<T, N> {
    fn eq(&self, other: &ChunkedVec<T, N>) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}

impl<T: Clone + Eq, const N: usize> Eq for ChunkedVec<T, N> {}

impl<T: Clone + fmt::Debug, const N: usize> fmt::Debug for ChunkedVec<T, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    enum Change {
        Push(i32),
        Set(usize, i32),
        Resize(usize),
        Write(usize, Vec<i32>),
        Snapshot,
    }

    fn change() -> impl Strategy<Value = Change> {
        prop_oneof![
            any::<i32>().prop_map(Change::Push),
            (0usize..200, any::<i32>()).prop_map(|(i, v)| Change::Set(i, v)),
            (0usize..200).prop_map(Change::Resize),
            (0usize..200, proptest::collection::vec(any::<i32>(), 0..9))
                .prop_map(|(i, v)| Change::Write(i, v)),
            Just(Change::Snapshot),
        ]
    }

    proptest! {
        /// Any sequence of changes leaves it equal to a plain Vec given the same
        /// changes, and every snapshot taken on the way keeps what it saw.
        #[test]
        fn behaves_as_a_vec_and_snapshots_never_change(changes in proptest::collection::vec(change(), 0..60)) {
            let mut chunked: ChunkedVec<i32, 7> = ChunkedVec::new();
            let mut plain: Vec<i32> = Vec::new();
            let mut snapshots = Vec::new();
            for change in changes {
                match change {
                    Change::Push(v) => { chunked.push(v); plain.push(v); }
                    Change::Set(i, v) => if i < plain.len() { chunked.set(i, v); plain[i] = v; },
                    Change::Resize(n) => { chunked.resize(n, 7); plain.resize(n, 7); }
                    Change::Write(i, values) => if i + values.len() <= plain.len() {
                        chunked.write(i, &values);
                        plain[i..i + values.len()].copy_from_slice(&values);
                    },
                    Change::Snapshot => snapshots.push((chunked.clone(), plain.clone())),
                }
                prop_assert_eq!(chunked.len(), plain.len());
            }
            prop_assert_eq!(chunked.to_vec(), plain.clone());
            for (snapshot, expected) in snapshots {
                prop_assert_eq!(snapshot.to_vec(), expected);
            }
            if plain.len() >= 3 {
                let mut out = [0; 3];
                chunked.read(plain.len() - 3, &mut out);
                prop_assert_eq!(&out[..], &plain[plain.len() - 3..]);
            }
        }
    }

    #[test]
    fn a_clone_shares_every_chunk_until_a_write_copies_one() {
        let original: ChunkedVec<u8> = ChunkedVec::from_elem(0, 10 * CHUNK);
        let mut copy = original.clone();
        assert_eq!(copy.shares_chunks_with(&original), 10);
        copy.set(5 * CHUNK + 3, 1);
        assert_eq!(copy.shares_chunks_with(&original), 9);
        assert_eq!(original.get(5 * CHUNK + 3), Some(&0));
        assert_eq!(copy.get(5 * CHUNK + 3), Some(&1));
        // A write across a chunk boundary copies both chunks.
        copy.write(2 * CHUNK - 2, &[9, 9, 9, 9]);
        assert_eq!(copy.shares_chunks_with(&original), 7);
    }
}
