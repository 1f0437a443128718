//! The gadgets every mechanism is built from, each constructed once, proved once
//! (in its doc comment) and tested once (in its own file): lookup and sum heads,
//! the step, the hat, the AND, the bit readings, and the field embeddings.
//!
//! Nothing here knows about WebAssembly: a gadget takes affine forms and
//! dimensions and pushes heads or neurons into [`Layers`]. The bounds each proof
//! needs are stated in terms of [`GATE_M`] and [`EXCLUDE`]; the interpreter's
//! `MAX_*` constants are chosen to stay inside them (docs/ARCHITECTURE.md,
//! "The gadget library").

mod and;
mod bits;
mod embedding;
mod hat;
mod lookup;
mod step;
mod sum;

pub use bits::{signed, unsigned};
pub use embedding::{byte_bits, flag, flag_readout, numeric};
pub use lookup::Lookup;
pub use sum::running_sum;

use super::{Dim, Head, Layer, Lin, Neuron};

/// Big-M of the gated neurons: an [`Enable`] that is off shifts a ReLU's
/// argument down by at least this much. It must exceed any linear quantity a
/// gadget gates (the interpreter's stay below 2^39) and keep sums exact in f64.
pub const GATE_M: f64 = (1u64 << 40) as f64;

/// Score penalty of the positions a lookup head must never pick: larger than
/// any legitimate score (at most 2^42 for the keys the interpreter's bounds
/// allow), small enough that scores stay exact integers in f64 (below 2^53).
pub const EXCLUDE: f64 = (1u64 << 50) as f64;

/// The layers under construction: gadgets push their heads and neurons here,
/// in call order (which is the order of the rows in the assembled matrices).
#[derive(Debug, Clone)]
pub struct Layers {
    layers: Vec<Layer>,
}

impl Layers {
    pub fn new(count: usize) -> Layers {
        Layers {
            layers: vec![Layer::default(); count],
        }
    }

    /// Sets what layer `layer` computes, one line, for `wasmtf inspect`.
    pub fn describe(&mut self, layer: usize, doc: impl Into<String>) {
        self.layers[layer].doc = doc.into();
    }

    pub fn head(&mut self, layer: usize, head: Head) {
        self.layers[layer].heads.push(head);
    }

    /// `ReLU(gate) · value`, added into `output` with the given coefficients.
    pub fn neuron(
        &mut self,
        layer: usize,
        name: impl Into<String>,
        gate: Lin,
        value: Lin,
        output: Vec<(Dim, f64)>,
    ) {
        self.layers[layer].neurons.push(Neuron {
            name: name.into(),
            gate,
            value,
            output,
        });
    }

    pub fn layer(&self, layer: usize) -> &Layer {
        &self.layers[layer]
    }

    pub fn into_layers(self) -> Vec<Layer> {
        self.layers
    }
}

/// When a gated gadget computes: `sum` reaches `needed` exactly when it should,
/// and stays at or below `needed − 1` otherwise (both integers). A neuron adds
/// [`Enable::shift`] to its ReLU's argument: 0 when enabled, at most −GATE_M
/// when not, which silences it as long as the rest of the argument stays below
/// GATE_M.
#[derive(Debug, Clone)]
pub struct Enable {
    pub sum: Lin,
    pub needed: f64,
}

impl Enable {
    /// Enabled when the 0/1 quantity `flag` is 1.
    pub fn when(flag: Lin) -> Enable {
        Enable {
            sum: flag,
            needed: 1.0,
        }
    }

    /// Enabled when the sum of `needed` 0/1 quantities reaches `needed`.
    pub fn all(sum: Lin, needed: f64) -> Enable {
        Enable { sum, needed }
    }

    /// `(sum − needed) · GATE_M`: 0 when enabled, ≤ −GATE_M when not.
    pub fn shift(self) -> Lin {
        (self.sum - self.needed) * GATE_M
    }
}

/// What the tests use to run gadgets on residual vectors.
#[cfg(test)]
pub(crate) mod testing {
    use super::super::{Dim, Layer, Layout};

    /// A layout of `names`, and their dimensions.
    pub fn layout(names: &[&str]) -> (Layout, Vec<Dim>) {
        let mut layout = Layout::new();
        let dims = names.iter().map(|n| layout.add(*n)).collect();
        (layout, dims)
    }

    /// What a layer's feed-forward block adds to the residual `x`:
    /// `Σ ReLU(gate(x)) · value(x) · output`.
    pub fn feed_forward(layer: &Layer, x: &[f64]) -> Vec<f64> {
        let mut delta = vec![0.0; x.len()];
        for neuron in &layer.neurons {
            let activation = neuron.gate.eval(x).max(0.0) * neuron.value.eval(x);
            for &(dim, w) in &neuron.output {
                delta[dim.0] += activation * w;
            }
        }
        delta
    }
}
