//! The Layers panel: the selected layer's heads, the neurons that fired and
//! the residual stream, with a detail line for the selected head or neuron
//! (what it added to the residual) and, for the selected dimension, what
//! writes and reads it according to the weights. Outputs that can write
//! nothing are flagged in red.

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

use super::style::{dim, matched, number, value_style};
use crate::debugger::app::{App, LayerItem};
use crate::engine::capture::LayerCapture;
use crate::weights::LayerWeights;
use crate::weights::wiring::{Component, Link, head_contribution, neuron_contribution};

/// The selected layer: residual rows, heads, neurons that fired.
pub fn layers(app: &App, height: usize, width: usize) -> Vec<Line<'static>> {
    let weights = app.session.model().weights();
    let Some(layer_weights) = weights.layers.get(app.layer) else {
        return vec![];
    };
    let mut lines = vec![Line::styled(layer_weights.doc.clone(), dim())];
    let Some(capture) = app.session.capture() else {
        lines.push(Line::from(app.session.no_capture_note()));
        return lines;
    };
    let layer = &capture.layers[app.layer];
    lines.extend(head_lines(app, layer, layer_weights, width));
    if let Some(item) = app.selected_item() {
        lines.push(detail(app, layer, item, width));
    }
    // The rest of the panel: half for the neurons that fired, half for the
    // residual stream; the selected neuron is always in view.
    let rest = height.saturating_sub(lines.len() + 2);
    lines.extend(neuron_lines(app, layer, layer_weights, rest / 2));
    let shown = app.residual.of(layer);
    if let Some(d) = app.dim {
        lines.extend(dimension_wiring(app, d, shown[d], width));
    }
    let room = height.saturating_sub(lines.len() + 1);
    lines.extend(residual_lines(app, layer, room, width));
    lines
}

/// The heading and one line per head: where a lookup head read, or a sum
/// head's total. With many heads, those that read nothing are hidden.
fn head_lines(
    app: &App,
    layer: &LayerCapture,
    layer_weights: &LayerWeights,
    width: usize,
) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(Span::styled(
        "heads",
        Style::default().add_modifier(Modifier::BOLD),
    ))];
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
        let component = Component::Head {
            layer: app.layer,
            head: h,
        };
        let style = if is_selected {
            Style::default().add_modifier(Modifier::REVERSED)
        } else if app.wiring().is_empty_output(component) {
            red()
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
    lines
}

/// The heading and the neurons that fired, largest `gate · value` first, in
/// `room` lines at most (one at least), scrolled to keep the selected one in
/// view.
fn neuron_lines(
    app: &App,
    layer: &LayerCapture,
    layer_weights: &LayerWeights,
    room: usize,
) -> Vec<Line<'static>> {
    let selected = app.selected_item();
    let mut fired: Vec<(usize, f64, f64)> = layer
        .neurons
        .iter()
        .map(|n| (n.index, n.gate, n.value))
        .filter(|(_, g, v)| g * v != 0.0)
        .collect();
    fired.sort_by(|a, b| (b.1 * b.2).abs().total_cmp(&(a.1 * a.2).abs()));
    let neuron_room = room.max(1).min(fired.len().max(1));
    let selected_neuron = match selected {
        Some(LayerItem::Neuron(n)) => fired.iter().position(|f| f.0 == n),
        _ => None,
    };
    let first = selected_neuron
        .map_or(0, |i| (i + 1).saturating_sub(neuron_room))
        .min(fired.len().saturating_sub(neuron_room));
    let mut lines = vec![Line::from(Span::styled(
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
    ))];
    for &(index, gate, value) in fired.iter().skip(first).take(neuron_room) {
        let name = &layer_weights.neuron_names[index];
        let component = Component::Neuron {
            layer: app.layer,
            neuron: index,
        };
        let style = if selected == Some(LayerItem::Neuron(index)) {
            Style::default().add_modifier(Modifier::REVERSED)
        } else if app.wiring().is_empty_output(component) {
            red()
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
    lines
}

/// The heading and the residual stream's non-zero dimensions, in columns,
/// `room` rows of them from the scroll position; `*` marks what this layer
/// changed.
fn residual_lines(
    app: &App,
    layer: &LayerCapture,
    room: usize,
    width: usize,
) -> Vec<Line<'static>> {
    let weights = app.session.model().weights();
    let before = &layer.resid_pre;
    let shown = app.residual.of(layer);
    let mut lines = vec![Line::from(Span::styled(
        format!(
            "blocks.{}.{} (nonzero; * changed in this layer; ↑/↓ select)",
            app.layer,
            app.residual.hook()
        ),
        Style::default().add_modifier(Modifier::BOLD),
    ))];
    let rows = app.residual_rows();
    let unwritten = app.wiring().unwritten_dims();
    let start = rows
        .iter()
        .position(|&d| d >= app.layer_scroll)
        .unwrap_or(rows.len().saturating_sub(1));
    let columns = (width / 34).max(1);
    for chunk in rows[start.min(rows.len())..].chunks(columns).take(room) {
        let mut spans = Vec::new();
        for &d in chunk {
            let changed = if before[d] != shown[d] { "*" } else { " " };
            let name = &weights.dims[d];
            let name_style = if app.dim == Some(d) {
                Style::default().add_modifier(Modifier::REVERSED)
            } else if unwritten.contains(&d) {
                red()
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

fn red() -> Style {
    Style::default().fg(Color::White).bg(Color::Red)
}

/// `name+=value` for the nonzero entries of a contribution, largest first.
fn contribution_text(app: &App, entries: &[(usize, f64)]) -> String {
    let weights = app.session.model().weights();
    let mut entries = entries.to_vec();
    entries.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
    entries
        .iter()
        .map(|(d, v)| format!("{}{:+}", weights.dims[*d], Num(*v)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A number as [`number`] writes it, with `{:+}` for an explicit sign.
struct Num(f64);

impl std::fmt::Display for Num {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if f.sign_plus() && self.0 >= 0.0 {
            write!(f, "+")?;
        }
        write!(f, "{}", number(self.0))
    }
}

/// One line about the selected head or neuron: what it is for and what it
/// actually added to the residual stream in this pass (its output weights
/// times what it read or computed), by dimension name. A head or neuron
/// whose output weights are all zero is flagged in red: it can write nothing.
fn detail(app: &App, layer: &LayerCapture, item: LayerItem, width: usize) -> Line<'static> {
    let weights = app.session.model().weights();
    let lw = &weights.layers[app.layer];
    let (component, text) = match item {
        LayerItem::Head(h) => {
            let head = &lw.heads[h];
            let added = head_contribution(weights, app.layer, h, &layer.heads[h].value);
            (
                Component::Head {
                    layer: app.layer,
                    head: h,
                },
                format!(
                    "▸ {}: {} → {}",
                    head.name,
                    head.doc,
                    if added.is_empty() {
                        "adds nothing".into()
                    } else {
                        format!("adds {}", contribution_text(app, &added))
                    }
                ),
            )
        }
        LayerItem::Neuron(n) => {
            let fired = layer.neurons.iter().find(|x| x.index == n);
            let added = fired.map_or_else(Vec::new, |f| {
                neuron_contribution(weights, app.layer, n, f.gate, f.value)
            });
            let text = match fired {
                Some(f) if !added.is_empty() => format!(
                    "▸ {}: gate {} × value {} → adds {}",
                    lw.neuron_names[n],
                    number(f.gate),
                    number(f.value),
                    contribution_text(app, &added)
                ),
                Some(f) => format!(
                    "▸ {}: gate {} × value {} → adds nothing",
                    lw.neuron_names[n],
                    number(f.gate),
                    number(f.value)
                ),
                None => format!("▸ {}: did not fire", lw.neuron_names[n]),
            };
            (
                Component::Neuron {
                    layer: app.layer,
                    neuron: n,
                },
                text,
            )
        }
    };
    if app.wiring().is_empty_output(component) {
        let name = component.name(weights);
        return Line::styled(
            format!("▸ {name}: ITS OUTPUT WEIGHTS ARE ALL ZERO: it can write nothing")
                .chars()
                .take(width)
                .collect::<String>(),
            red(),
        );
    }
    Line::styled(
        text.chars().take(width).collect::<String>(),
        Style::default().fg(Color::Cyan),
    )
}

/// The selected dimension: its value, then the heads and neurons (and
/// embeddings and unembeddings) that write it and read it, from the weights.
fn dimension_wiring(app: &App, d: usize, value: f64, width: usize) -> Vec<Line<'static>> {
    let weights = app.session.model().weights();
    let wiring = app.wiring();
    // Neurons come in groups (alu.add.b0.ge1.up, alu.add.b1…): one entry
    // per group and layer, with how many of its neurons are linked.
    let names = |links: &[Link]| -> Vec<Span<'static>> {
        let mut groups: Vec<(String, usize, Vec<String>, bool)> = Vec::new();
        for link in links {
            let name = match link.component {
                Component::Neuron { layer, neuron } => {
                    let full = &weights.layers[layer].neuron_names[neuron];
                    let group: Vec<&str> = full.split('.').take(2).collect();
                    format!("layer {layer} {}.*", group.join("."))
                }
                other => other.name(weights),
            };
            let empty = wiring.is_empty_output(link.component);
            let vias: Vec<String> = link.entries.iter().map(|e| e.via.label()).collect();
            match groups.iter_mut().find(|g| g.0 == name) {
                Some(group) => {
                    group.1 += 1;
                    group.3 |= empty;
                    for via in vias {
                        if !group.2.contains(&via) {
                            group.2.push(via);
                        }
                    }
                }
                None => groups.push((name, 1, vias, empty)),
            }
        }
        let mut spans = Vec::new();
        for (name, count, vias, empty) in groups {
            let style = if empty { red() } else { Style::default() };
            let count = if count > 1 {
                format!("{count}× ")
            } else {
                String::new()
            };
            spans.push(Span::styled(
                format!("{name} ({count}{})", vias.join(",")),
                style,
            ));
            spans.push(Span::raw("  "));
        }
        spans
    };
    let writers = wiring.writers(d);
    let readers = wiring.readers(d);
    let mut written = vec![Span::styled(
        format!("  written by {}: ", writers.len()),
        Style::default().fg(Color::Cyan),
    )];
    if writers.is_empty() {
        written.push(Span::styled("nothing: this dimension is never set", red()));
    }
    written.extend(names(writers));
    let mut read = vec![Span::styled(
        format!("  read by {}: ", readers.len()),
        Style::default().fg(Color::Cyan),
    )];
    if readers.is_empty() {
        read.push(Span::styled("nothing", dim()));
    }
    read.extend(names(readers));
    // Up to three rows each, cut at a group's boundary where one fits.
    let wrap = |spans: Vec<Span<'static>>| {
        let mut lines: Vec<Vec<Span<'static>>> = vec![Vec::new()];
        let mut left = width;
        for span in spans {
            let n = span.content.chars().count();
            if n > left && !lines.last().is_some_and(Vec::is_empty) {
                if lines.len() == 3 {
                    break;
                }
                lines.push(vec![Span::raw("    ")]);
                left = width.saturating_sub(4);
            }
            let taken: String = span.content.chars().take(left).collect();
            left -= taken.chars().count();
            lines
                .last_mut()
                .expect("never empty")
                .push(Span::styled(taken, span.style));
        }
        lines.into_iter().map(Line::from).collect::<Vec<_>>()
    };
    vec![Line::styled(
        format!("▸ dimension {} = {}", weights.dims[d], number(value)),
        Style::default().fg(Color::Cyan),
    )]
    .into_iter()
    .chain(wrap(written))
    .chain(wrap(read))
    .collect()
}
