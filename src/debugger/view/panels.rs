//! The contents of each panel, as lines of text built from the session: the
//! listing, the stack as the model reads it, the activations of the selected
//! layer, the files, the loops, the outputs and the logits.

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

use crate::debugger::app::{App, LayerItem, Residual};
use crate::debugger::session::PassRecord;
use crate::engine::capture::LayerCapture;
use crate::files::FILE_COUNT;
use crate::program::BlockKind;
use crate::report::Ending;

fn dim() -> Style {
    Style::default().fg(Color::DarkGray)
}

fn value_style(v: f64) -> Style {
    if v > 0.0 {
        Style::default().fg(Color::Green)
    } else if v < 0.0 {
        Style::default().fg(Color::Red)
    } else {
        dim()
    }
}

/// The style of a name that matches the current search.
fn matched(app: &App, name: &str) -> Style {
    if app
        .search
        .as_ref()
        .is_some_and(|search| name.contains(search.query.as_str()))
    {
        Style::default().fg(Color::Black).bg(Color::Cyan)
    } else {
        Style::default()
    }
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v:.3}")
    }
}

/// The listing: index, breakpoint, the instruction the current pass executed
/// (▶, red when it trapped or diverged), the next one (›), nesting, names.
pub fn program(app: &App, height: usize) -> Vec<Line<'static>> {
    let session = &app.session;
    let program = session.program();
    let current = app.current_ip();
    let executed = session.executed();
    let next = session.next_instruction();
    let trapped = matches!(session.run().ending(), Some(Ending::Trapped(_)));
    let diverged = !session.mismatches().is_empty();
    let count = program.instructions.len();
    let anchor = app.selected.min(count.saturating_sub(1));
    let first = anchor
        .saturating_sub(height / 2)
        .min(count.saturating_sub(height));
    (first..count.min(first + height))
        .map(|i| {
            let blocks = program.enclosing_blocks(i);
            let mut indent = String::new();
            for block in &blocks {
                let mark = match (block.kind, block.start == i) {
                    (BlockKind::Loop, true) => "↻ ",
                    (BlockKind::Loop, false) => "┆ ",
                    (_, true) => "┌ ",
                    _ => "│ ",
                };
                indent.push_str(mark);
            }
            let is_current = i == current;
            let arrow = if is_current && executed.is_some() {
                if trapped { "✗" } else { "▶" }
            } else if Some(i) == next {
                "›"
            } else {
                " "
            };
            let bp = if app.breakpoints.contains(&i) {
                "●"
            } else {
                " "
            };
            let mut style = Style::default();
            if is_current && executed.is_some() && (diverged || trapped) {
                style = style.fg(Color::White).bg(Color::Red);
            } else if is_current {
                style = style.fg(Color::Black).bg(Color::Yellow);
            } else if i == app.selected {
                style = style.add_modifier(Modifier::REVERSED);
            }
            let labels: Vec<String> = blocks
                .iter()
                .filter(|b| b.start == i)
                .filter_map(|b| b.label.as_ref().map(|l| format!("${l}")))
                .collect();
            let mut spans = vec![
                Span::styled(format!("{i:>4} "), dim()),
                Span::styled(bp.to_string(), Style::default().fg(Color::Red)),
                Span::styled(
                    format!("{arrow} {indent}{}", program.instruction_text(i)),
                    style,
                ),
            ];
            if !labels.is_empty() {
                spans.push(Span::styled(format!("  {}", labels.join(" ")), dim()));
            }
            Line::from(spans)
        })
        .collect()
}

fn head_index(app: &App, layer: usize, name: &str) -> Option<usize> {
    app.session
        .model()
        .weights()
        .layers
        .get(layer)?
        .heads
        .iter()
        .position(|h| h.name == name)
}

/// The value bits a head read, as a signed integer.
fn bits_value(bits: &[f64]) -> i32 {
    bits.iter()
        .take(32)
        .enumerate()
        .fold(0u32, |acc, (i, &b)| acc | (u32::from(b >= 0.5) << i)) as i32
}

/// Depth from the sum head, and the values the stack heads read, with the
/// pass that pushed each: only the slots that exist at that depth.
pub fn stack(app: &App) -> Vec<Line<'static>> {
    let vm = app.session.vm().stack();
    let shown: Vec<String> = vm.iter().rev().take(8).map(|v| v.to_string()).collect();
    let vm_line = Line::styled(format!("vm after: [{}]", shown.join(", ")), dim());
    let Some(capture) = app.session.capture() else {
        return vec![Line::from("no pass captured yet: press n"), vm_line];
    };
    let mut lines = Vec::new();
    let mut depth = None;
    if let Some(h) = head_index(app, 0, "depth") {
        let total = capture.layers[0].heads[h]
            .value
            .first()
            .copied()
            .unwrap_or(0.0);
        depth = Some(total);
        lines.push(Line::from(vec![
            Span::styled("depth ", Style::default().add_modifier(Modifier::BOLD)),
            Span::raw(format!("{} (sum head)", number(total))),
        ]));
    }
    for (name, below) in [("stack.top", 1.0), ("stack.second", 2.0)] {
        let Some(h) = head_index(app, 1, name) else {
            continue;
        };
        let label = &name[6..];
        if depth.is_some_and(|d| d < below) {
            lines.push(Line::styled(
                format!("{label:<7} — (depth {})", number(depth.unwrap_or(0.0))),
                dim(),
            ));
            continue;
        }
        let head = &capture.layers[1].heads[h];
        let from = head
            .hit
            .and_then(|hit| app.pass_at(hit.position))
            .map_or("—".to_string(), |pass| format!("pass {pass}"));
        lines.push(Line::from(format!(
            "{label:<7} {}  ← {from}",
            bits_value(&head.value)
        )));
    }
    lines.push(vm_line);
    lines
}

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

/// The four files: state from the model's latest token for each, every byte
/// as decoded from the trace in rows of hex and text, the cursor underlined
/// and the byte written by the current pass in magenta. Scrolls with ↑/↓.
pub fn files(app: &App, width: usize, height: usize) -> Vec<Line<'static>> {
    let session = &app.session;
    let contents = session.run().files();
    let records = session.records_so_far();
    let last_write = session
        .record(session.pass())
        .filter(|r| r.token.wrote)
        .and_then(|r| Some((r.token.file?, r.token.cursor - 1)));
    // Offset digits, then per byte "xx " and one text column.
    let per_line = (width.saturating_sub(7) / 16 * 4).clamp(4, 32);
    let mut lines = Vec::new();
    for f in 0..FILE_COUNT {
        let state = records
            .iter()
            .rev()
            .find(|r| r.token.file == Some(f as u8))
            .map(|r| (r.token.open, r.token.cursor));
        let (open, cursor) = state.unwrap_or((false, 0));
        let bytes = &contents.0[f];
        lines.push(Line::from(vec![
            Span::styled(
                format!("file {f} "),
                Style::default().add_modifier(Modifier::BOLD),
            ),
            Span::raw(format!(
                "{} · cursor {cursor} · {} bytes",
                if open { "open" } else { "closed" },
                bytes.len()
            )),
        ]));
        // One row more than the bytes when the cursor is at the end.
        let rows = (bytes.len() + usize::from(open)).div_ceil(per_line);
        for row in 0..rows {
            let start = row * per_line;
            let mut spans = vec![Span::styled(format!("{start:>5} "), dim())];
            let mut text = String::new();
            for offset in start..start + per_line {
                let at_cursor = open && offset as i64 == cursor;
                let written = last_write == Some((f as u8, offset as i64));
                let mut style = Style::default();
                if written {
                    style = style.fg(Color::Black).bg(Color::Magenta);
                }
                if at_cursor {
                    style = style.add_modifier(Modifier::UNDERLINED | Modifier::BOLD);
                }
                match bytes.get(offset) {
                    Some(&b) => {
                        spans.push(Span::styled(format!("{b:02x}"), style));
                        text.push(if b.is_ascii_graphic() || b == b' ' {
                            b as char
                        } else {
                            '.'
                        });
                    }
                    None if at_cursor => spans.push(Span::styled("__", style)),
                    None => spans.push(Span::raw("  ")),
                }
                spans.push(Span::raw(" "));
            }
            spans.push(Span::styled(text, dim()));
            lines.push(Line::from(spans));
        }
    }
    let max_scroll = lines.len().saturating_sub(height);
    lines.split_off(app.scrolls.files.min(max_scroll))
}

/// The instruction pointer as the model emitted it, and the loops around it.
pub fn loops(app: &App) -> Vec<Line<'static>> {
    let session = &app.session;
    let ip = app.current_ip();
    let mut lines = vec![Line::from(match session.pass() {
        0 => format!("ip {ip}: where the prompt starts"),
        pass => format!("ip {ip}: executed by pass {pass}"),
    })];
    if let Some(next) = session.next_instruction() {
        lines.push(Line::styled(
            format!("next ip {next}, from pass {}'s token", session.pass()),
            dim(),
        ));
    }
    let program = session.program();
    let records = session.records_so_far();
    for block in program
        .enclosing_blocks(ip)
        .iter()
        .filter(|b| b.kind == BlockKind::Loop)
    {
        // Iterations since the loop was last entered: one, plus every jump back
        // to its head from inside it.
        let inside = |r: &&PassRecord| {
            usize::try_from(r.ip).is_ok_and(|i| (block.start..block.end).contains(&i))
        };
        let back_edges = records
            .iter()
            .rev()
            .take_while(inside)
            .filter(|r| r.token.ip == block.start as i64)
            .count();
        lines.push(Line::from(format!(
            "loop @{}..{}: iteration {}",
            block.start,
            block.end,
            back_edges + 1
        )));
    }
    if !lines.iter().any(|l| l.to_string().starts_with("loop")) {
        lines.push(Line::styled("not inside a loop", dim()));
    }
    lines
}

/// The outputs, newest at the bottom, numbered; ↑/↓ scroll back.
pub fn output(app: &App, height: usize) -> Vec<Line<'static>> {
    let outputs = app.session.run().outputs();
    if outputs.is_empty() {
        return vec![Line::styled("no output yet", dim())];
    }
    let room = height.saturating_sub(1).max(1);
    let back = app.scrolls.output.min(outputs.len().saturating_sub(room));
    let end = outputs.len() - back;
    let start = end.saturating_sub(room);
    let mut lines = vec![Line::styled(
        format!("{} values, {}–{} shown", outputs.len(), start + 1, end),
        dim(),
    )];
    for (i, v) in outputs.iter().enumerate().skip(start).take(end - start) {
        lines.push(Line::from(vec![
            Span::styled(format!("{:>4} ", i + 1), dim()),
            Span::raw(v.to_string()),
        ]));
    }
    lines
}

/// The top candidates of each field of the next token, with the margin.
pub fn logits(app: &App) -> Vec<Line<'static>> {
    let Some(capture) = app.session.capture() else {
        return vec![Line::from("no pass captured yet: press n")];
    };
    let mut lines = Vec::new();
    for mismatch in app.session.mismatches() {
        lines.push(Line::styled(
            format!("DIVERGED {mismatch}"),
            Style::default().fg(Color::White).bg(Color::Red),
        ));
    }
    for field in &capture.logits {
        let top: Vec<String> = field
            .top
            .iter()
            .take(3)
            .map(|(v, l)| format!("{v}:{}", number(*l)))
            .collect();
        let margin = field.margin();
        let style = if margin < 1.0 {
            Style::default().fg(Color::Yellow)
        } else {
            Style::default()
        };
        lines.push(Line::from(vec![
            Span::raw(format!("{:<7}", field.field)),
            Span::styled(format!("margin {:<7}", number(margin)), style),
            Span::styled(top.join("  "), dim()),
        ]));
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
