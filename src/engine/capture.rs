//! What one forward pass looked like inside, for the debugger: the residual
//! stream around each block (TransformerLens' `hook_resid_pre/mid/post`), what
//! each head read, the neurons that fired, and the top logits of each field.

use super::{Hit, quadratic_logit};

/// One pass, layer by layer.
#[derive(Debug, Clone, Default)]
pub struct PassCapture {
    pub position: usize,
    pub layers: Vec<LayerCapture>,
    pub logits: Vec<FieldLogits>,
}

#[derive(Debug, Clone, Default)]
pub struct LayerCapture {
    pub resid_pre: Vec<f64>,
    pub resid_mid: Vec<f64>,
    pub resid_post: Vec<f64>,
    /// One per head, in the layer's order.
    pub heads: Vec<HeadCapture>,
    /// The neurons whose gate was positive.
    pub neurons: Vec<NeuronCapture>,
}

#[derive(Debug, Clone, Default)]
pub struct HeadCapture {
    /// For hard-max heads, the position (or memory entry) read and the score
    /// margin; `None` for sum heads and empty memories.
    pub hit: Option<Hit>,
    /// The value read (for a sum head, the running total).
    pub value: Vec<f64>,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct NeuronCapture {
    pub index: usize,
    /// `ReLU(gate·x)`, positive.
    pub gate: f64,
    /// `value·x`.
    pub value: f64,
}

/// The best candidates of one output field.
#[derive(Debug, Clone, Default)]
pub struct FieldLogits {
    pub field: String,
    /// `(value, logit)`, best first.
    pub top: Vec<(i64, f64)>,
}

impl FieldLogits {
    /// The five best of a categorical field's logits (values from `min`).
    pub fn from_logits(field: &str, min: i64, logits: &[f64]) -> FieldLogits {
        let mut ranked: Vec<(i64, f64)> = logits
            .iter()
            .enumerate()
            .map(|(i, &l)| (min + i as i64, l))
            .collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked.truncate(5);
        FieldLogits {
            field: field.to_string(),
            top: ranked,
        }
    }

    /// The chosen value and its neighbours: a quadratic field's runners-up are
    /// always the integers next to the argmax.
    pub fn around_quadratic(field: &str, chosen: i64, min: i64, max: i64, r: f64) -> FieldLogits {
        let mut top: Vec<(i64, f64)> = (chosen - 2..=chosen + 2)
            .filter(|t| (min..=max).contains(t))
            .map(|t| (t, quadratic_logit(t, r)))
            .collect();
        top.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        FieldLogits {
            field: field.to_string(),
            top,
        }
    }

    /// Best logit minus the runner-up's.
    pub fn margin(&self) -> f64 {
        match self.top.as_slice() {
            [first, second, ..] => first.1 - second.1,
            _ => f64::INFINITY,
        }
    }
}
