//! The Layers panel: the selected layer's heads, the neurons that fired and
//! the residual stream, with a detail line for the selected head or neuron.

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

use super::style::{dim, matched, number, value_style};
use crate::debugger::app::{App, LayerItem, Residual};
use crate::engine::capture::LayerCapture;

fn residual_of(layer: &LayerCapture, which: Residual) -> &[f64] {
    match which {
        Residual::Pre => &layer.resid_pre,
        Residual::Mid => &layer.resid_mid,
        Residual::Post => &layer.resid_post,
    }
}

/// The selected layer: residual rows, heads, neurons that fired.
pub fn layers(app: &App, height: usize, width: usize) -> Vec<Line<'static>> {
    let weights = app.session.model().weights();
    let Some(layer_weights) = weights.layers.get(app.layer) else {
        return vec![];
    };
    let mut lines = vec![Line::styled(layer_weights.doc.clone(), dim())];
    let Some(capture) = app.session.capture() else {
        lines.push(Line::from("no pass captured yet: press n"));
        return lines;
    };
    let layer = &capture.layers[app.layer];
    lines.push(Line::from(Span::styled(
        "heads",
        Style::default().add_modifier(Modifier::BOLD),
    )));
    let selected = app.selected_item();
    let compact = layer.heads.len() > 6;
    for (h, head) in layer.heads.iter().enumerate() {
        let hw = &layer_weights.heads[h];
        let is_selected = selected == Some(LayerItem::Head(h));
        if compact && !is_selected && head.value.iter().all(|v| *v == 0.0) {
            continue;
        }
        let hit = match head.hit {
            Some(hit) => format!(
                "pos {:>5} margin {:<4} {}",
                hit.position,
                number(hit.margin),
                app.describe_position(hit.position)
            ),
            None => format!(
                "total {}",
                head.value
                    .iter()
                    .map(|v| number(*v))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
        };
        let style = if is_selected {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            matched(app, &hw.name)
        };
        let text: String = hit.chars().take(width.saturating_sub(16)).collect();
        lines.push(Line::from(vec![
            Span::styled(format!(" {:<14}", hw.name), style),
            Span::raw(text),
        ]));
    }
    if compact {
        lines.push(Line::styled(
            " (heads that read nothing are hidden; ←/→ walk them all)",
            dim(),
        ));
    }
    if let Some(item) = selected {
        lines.push(detail(app, layer, item, width));
    }
    let mut fired: Vec<(usize, f64, f64)> = layer
        .neurons
        .iter()
        .map(|n| (n.index, n.gate, n.value))
        .filter(|(_, g, v)| g * v != 0.0)
        .collect();
    fired.sort_by(|a, b| (b.1 * b.2).abs().total_cmp(&(a.1 * a.2).abs()));
    // The rest of the panel: half for the neurons that fired, half for the
    // residual stream; the selected neuron is always in view.
    let rest = height.saturating_sub(lines.len() + 2);
    let neuron_room = (rest / 2).max(1).min(fired.len().max(1));
    let selected_neuron = match selected {
        Some(LayerItem::Neuron(n)) => fired.iter().position(|f| f.0 == n),
        _ => None,
    };
    let first = selected_neuron
        .map_or(0, |i| (i + 1).saturating_sub(neuron_room))
        .min(fired.len().saturating_sub(neuron_room));
    lines.push(Line::from(Span::styled(
        format!(
            "neurons fired ({} of {}){}",
            fired.len(),
            layer_weights.neuron_names.len(),
            if fired.len() > neuron_room {
                format!(
                    ", {}–{} shown; ←/→ walk them",
                    first + 1,
                    first + neuron_room
                )
            } else {
                String::new()
            }
        ),
        Style::default().add_modifier(Modifier::BOLD),
    )));
    for &(index, gate, value) in fired.iter().skip(first).take(neuron_room) {
        let name = &layer_weights.neuron_names[index];
        let style = if selected == Some(LayerItem::Neuron(index)) {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            matched(app, name)
        };
        lines.push(Line::from(vec![
            Span::styled(format!(" {name:<30.30}"), style),
            Span::styled(
                format!(
                    " {} × {} = {}",
                    number(gate),
                    number(value),
                    number(gate * value)
                ),
                value_style(gate * value),
            ),
        ]));
    }
    let before = &layer.resid_pre;
    let shown = residual_of(layer, app.residual);
    lines.push(Line::from(Span::styled(
        format!(
            "blocks.{}.{} (nonzero; * changed in this layer; ↑/↓ scroll)",
            app.layer,
            app.residual.hook()
        ),
        Style::default().add_modifier(Modifier::BOLD),
    )));
    let rows: Vec<usize> = (0..shown.len())
        .filter(|&d| shown[d] != 0.0 || before[d] != shown[d] || app.dim == Some(d))
        .collect();
    let start = rows
        .iter()
        .position(|&d| d >= app.layer_scroll)
        .unwrap_or(rows.len().saturating_sub(1));
    let room = height.saturating_sub(lines.len());
    let columns = (width / 34).max(1);
    for chunk in rows[start.min(rows.len())..].chunks(columns).take(room) {
        let mut spans = Vec::new();
        for &d in chunk {
            let changed = if before[d] != shown[d] { "*" } else { " " };
            let name = &weights.dims[d];
            let name_style = if app.dim == Some(d) {
                Style::default().add_modifier(Modifier::REVERSED)
            } else {
                matched(app, name)
            };
            spans.push(Span::styled(format!("{changed}{name:<18.18}"), name_style));
            spans.push(Span::styled(
                format!("{:>14} ", number(shown[d])),
                value_style(shown[d]),
            ));
        }
        lines.push(Line::from(spans));
    }
    lines
}

/// One line about the selected head or neuron: what it is for and what it
/// wrote, by dimension name.
fn detail(app: &App, layer: &LayerCapture, item: LayerItem, width: usize) -> Line<'static> {
    let weights = app.session.model().weights();
    let lw = &weights.layers[app.layer];
    let text = match item {
        LayerItem::Head(h) => {
            let head = &lw.heads[h];
            let written: Vec<String> = layer.heads[h]
                .value
                .iter()
                .enumerate()
                .filter(|(_, v)| **v != 0.0)
                .filter_map(|(i, v)| {
                    let row = head.w_o.column(i).iter().position(|w| *w != 0.0)?;
                    Some(format!("{}={}", weights.dims[row], number(*v)))
                })
                .collect();
            format!(
                "▸ {}: {} → {}",
                head.name,
                head.doc,
                if written.is_empty() {
                    "nothing".into()
                } else {
                    written.join(" ")
                }
            )
        }
        LayerItem::Neuron(n) => {
            let fired = layer.neurons.iter().find(|x| x.index == n);
            let outputs: Vec<String> = lw
                .w_out
                .column(n)
                .iter()
                .enumerate()
                .filter(|(_, w)| **w != 0.0)
                .map(|(d, w)| format!("{}×{}", weights.dims[d], number(*w)))
                .collect();
            match fired {
                Some(f) => format!(
                    "▸ {}: gate {} × value {} into {}",
                    lw.neuron_names[n],
                    number(f.gate),
                    number(f.value),
                    outputs.join(" ")
                ),
                None => format!("▸ {}", lw.neuron_names[n]),
            }
        }
    };
    Line::styled(
        text.chars().take(width).collect::<String>(),
        Style::default().fg(Color::Cyan),
    )
}
