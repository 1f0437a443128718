//! `wasmtf inspect`: the architecture in the manner of the seed model's card —
//! sizes, parameter counts, and one line per layer generated from the names of
//! its heads and neuron groups.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::weights::{HeadKind, InputKind, LayerWeights, OutputKind, Weights};

/// Neuron names share a group prefix (`alu.add`, `memory.addr`): their first two
/// dot-separated parts.
fn group_of(name: &str) -> String {
    name.split('.').take(2).collect::<Vec<_>>().join(".")
}

fn field_size(min: i64, max: i64) -> f64 {
    (max - min + 1) as f64
}

/// The architecture card.
pub fn describe(w: &Weights, source: &str) -> String {
    let mut out = format!("wasmtf transformer — {source}\n");
    sizes(w, &mut out);
    vocabulary(w, &mut out);
    let (total, nonzero) = w.parameter_counts();
    let _ = writeln!(out, "  parameters     {total}");
    let _ = writeln!(
        out,
        "  nonzero        {nonzero} ({:.2}%)",
        100.0 * nonzero as f64 / total.max(1) as f64
    );
    let _ = writeln!(out);
    for (l, layer) in w.layers.iter().enumerate() {
        describe_layer(l, layer, &mut out);
    }
    out
}

fn joined<T: std::fmt::Display>(items: impl IntoIterator<Item = T>) -> String {
    let items: Vec<String> = items.into_iter().map(|i| i.to_string()).collect();
    items.join(", ")
}

/// d_model, layers, heads, d_head and d_ffn.
fn sizes(w: &Weights, out: &mut String) {
    let mut d_heads: Vec<usize> = w
        .layers
        .iter()
        .flat_map(|l| l.heads.iter().map(|h| h.w_q.nrows()))
        .filter(|&d| d > 0)
        .collect();
    d_heads.sort_unstable();
    d_heads.dedup();
    let _ = writeln!(out, "  d_model        {}", w.d_model());
    let _ = writeln!(out, "  layers         {}", w.layers.len());
    let heads = joined(w.layers.iter().map(|l| l.heads.len()));
    let _ = writeln!(out, "  heads/layer    {heads}");
    let _ = writeln!(
        out,
        "  d_head         {} (lookup and cross heads; the sum head has no query)",
        joined(d_heads)
    );
    let ffn = joined(w.layers.iter().map(|l| l.neuron_names.len()));
    let _ = writeln!(out, "  d_ffn          {ffn} (gated ReLU neurons per layer)");
}

/// The token fields: how many tokens they make, and each emitted field.
fn vocabulary(w: &Weights, out: &mut String) {
    let input_sizes: Vec<f64> = w
        .inputs
        .iter()
        .map(|f| match &f.kind {
            InputKind::Table { table, .. } => table.nrows() as f64,
            InputKind::Numeric { min, max, .. } => field_size(*min, *max),
        })
        .collect();
    let output_sizes: Vec<f64> = w
        .outputs
        .iter()
        .map(|f| match &f.kind {
            OutputKind::Categorical { w, .. } => w.nrows() as f64,
            OutputKind::Quadratic { min, max, .. } => field_size(*min, *max),
        })
        .collect();
    let log_size = |sizes: &[f64]| sizes.iter().map(|s| s.log10()).sum::<f64>();
    let _ = writeln!(
        out,
        "  vocabulary     emitted tokens: {} fields, ~10^{:.0} tokens; prompt tokens: {} input fields",
        output_sizes.len(),
        log_size(&output_sizes),
        input_sizes.len()
    );
    let fields = w.outputs.iter().map(|f| match &f.kind {
        OutputKind::Categorical { w, .. } => format!("{}({})", f.name, w.nrows()),
        OutputKind::Quadratic { min, max, .. } => format!("{}[{min}..{max}] quadratic", f.name),
    });
    let _ = writeln!(out, "  unembedding    {}", joined(fields));
}

/// One layer: its heads with their kinds, and its neurons by group.
fn describe_layer(l: usize, layer: &LayerWeights, out: &mut String) {
    let _ = writeln!(out, "  layer {l}: {}", layer.doc);
    let head_list: Vec<String> = layer
        .heads
        .iter()
        .map(|h| {
            let kind = match h.kind {
                HeadKind::Lookup => "lookup".to_string(),
                HeadKind::Sum => "sum".to_string(),
                HeadKind::Cross { memory } => format!("cross:file{memory}"),
            };
            format!("{} ({kind})", h.name)
        })
        .collect();
    if !head_list.is_empty() {
        let _ = writeln!(out, "    attention  {}", head_list.join(", "));
    }
    let mut groups: BTreeMap<String, usize> = BTreeMap::new();
    for name in &layer.neuron_names {
        *groups.entry(group_of(name)).or_default() += 1;
    }
    if !groups.is_empty() {
        let list = groups.iter().map(|(g, n)| format!("{g}×{n}"));
        let _ = writeln!(out, "    ffn        {}", joined(list));
    }
}
