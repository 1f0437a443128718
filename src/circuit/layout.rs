//! The labelled residual basis: every dimension of the residual stream has a
//! name (`stack.top.b7`, `cur.op=i32.add`, `depth`), and weights are written as
//! actions from named dimensions to named dimensions.

use std::collections::HashMap;

/// One named dimension of the residual stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Dim(pub usize);

/// The names of the residual dimensions, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Layout {
    names: Vec<String>,
    by_name: HashMap<String, usize>,
}

impl Layout {
    pub fn new() -> Layout {
        Layout::default()
    }

    /// Allocates a new dimension; names must be unique.
    pub fn add(&mut self, name: impl Into<String>) -> Dim {
        let name = name.into();
        assert!(
            !self.by_name.contains_key(&name),
            "dimension {name} declared twice"
        );
        let index = self.names.len();
        self.by_name.insert(name.clone(), index);
        self.names.push(name);
        Dim(index)
    }

    /// Allocates `count` dimensions named `prefix0`, `prefix1`, ...
    pub fn add_many(&mut self, prefix: &str, count: usize) -> Vec<Dim> {
        (0..count)
            .map(|i| self.add(format!("{prefix}{i}")))
            .collect()
    }

    pub fn get(&self, name: &str) -> Option<Dim> {
        self.by_name.get(name).map(|&i| Dim(i))
    }

    pub fn name(&self, dim: Dim) -> &str {
        &self.names[dim.0]
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}
