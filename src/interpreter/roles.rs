//! The heads the debugger shows by what they do, named once: the
//! construction builds them under these names and layers, and the panels find
//! them through these constants, never through a name of their own.

/// A head found by its role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeadRole {
    pub layer: usize,
    /// The head's name in the weights.
    pub name: &'static str,
    /// What a panel calls its value.
    pub label: &'static str,
}

/// The sum head whose running total is the stack depth.
pub const DEPTH: HeadRole = HeadRole {
    layer: super::L_FETCH,
    name: "depth",
    label: "depth",
};

/// The lookup heads that read the stack's top slots, with how far below
/// the depth each reads: the top is slot `depth − 1`, the second `depth − 2`.
pub const STACK_READS: [(HeadRole, f64); 2] = [
    (
        HeadRole {
            layer: super::L_STACK,
            name: "stack.top",
            label: "top",
        },
        1.0,
    ),
    (
        HeadRole {
            layer: super::L_STACK,
            name: "stack.second",
            label: "second",
        },
        2.0,
    ),
];

impl HeadRole {
    /// The head's index in its layer of `weights`, if it has one.
    pub fn index_in(&self, weights: &crate::weights::Weights) -> Option<usize> {
        weights
            .layers
            .get(self.layer)?
            .heads
            .iter()
            .position(|h| h.name == self.name)
    }
}
