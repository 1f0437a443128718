//! The Stack panel: the depth the sum head computed and the values the stack
//! heads read, each with the pass that pushed it; then the stack after the
//! pass, slot by slot, with where each value came from.

use crate::interpreter::roles::{DEPTH, STACK_READS};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

use super::style::{dim, number};
use crate::debugger::app::{App, Panel};
use crate::debugger::layout::{STACK_HEADER_ROWS, window};

/// The value bits a head read, as a signed integer.
fn bits_value(bits: &[f64]) -> i32 {
    bits.iter()
        .take(32)
        .enumerate()
        .fold(0u32, |acc, (i, &b)| acc | (u32::from(b >= 0.5) << i)) as i32
}

/// What the current pass read (the depth from the sum head, the top and
/// second from the stack heads, with the pass that pushed each), then the
/// stack after it, as its token left it, top first: each slot with the pass
/// that produced it. The selected slot is what `f` follows.
pub fn stack(app: &App, height: usize) -> Vec<Line<'static>> {
    let mut lines = heads_read(app);
    lines.resize(STACK_HEADER_ROWS - 1, Line::default());
    let stack = app.session.machine().stack();
    let depth = stack.len();
    lines.push(Line::styled(
        format!(
            "after: {depth} {} (f follows)",
            if depth == 1 { "slot" } else { "slots" }
        ),
        Style::default().add_modifier(Modifier::BOLD),
    ));
    let room = height.saturating_sub(STACK_HEADER_ROWS);
    let first = window(app.cursors.stack, depth, room);
    let focused = app.focus == Panel::Stack;
    for from_top in (first..depth).take(room) {
        let slot = stack[depth - 1 - from_top];
        let selected = from_top == app.cursors.stack.min(depth.saturating_sub(1));
        let style = if selected && focused {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            Style::default()
        };
        let source = match slot.from {
            0 => "initial".to_string(),
            pass => format!("pass {pass}"),
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{:>4} ", depth - from_top), dim()),
            Span::styled(format!("{:>11}", slot.value), style),
            Span::styled(format!("  ← {source}"), dim()),
        ]));
    }
    let vm: Vec<i32> = app.session.vm().stack().to_vec();
    let decoded: Vec<i32> = stack.iter().map(|s| s.value).collect();
    if vm != decoded && app.session.host().ending().is_none() {
        let shown: Vec<String> = vm.iter().rev().take(8).map(|v| v.to_string()).collect();
        lines.push(Line::styled(
            format!("vm: [{}]", shown.join(", ")),
            Style::default().fg(Color::White).bg(Color::Red),
        ));
    }
    lines
}

/// The depth and the two operands the current pass's heads read: the stack
/// before it executed.
fn heads_read(app: &App) -> Vec<Line<'static>> {
    let Some(capture) = app.session.capture() else {
        return vec![Line::styled(app.session.no_capture_note(), dim())];
    };
    let mut lines = Vec::new();
    let mut depth = None;
    let weights = app.session.model().weights();
    if let Some(h) = DEPTH.index_in(weights) {
        let total = capture.layers[DEPTH.layer].heads[h]
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
    for (role, below) in STACK_READS {
        let Some(h) = role.index_in(weights) else {
            continue;
        };
        let label = role.label;
        if depth.is_some_and(|d| d < below) {
            lines.push(Line::styled(
                format!("{label} — (depth {})", number(depth.unwrap_or(0.0))),
                dim(),
            ));
            continue;
        }
        let head = &capture.layers[role.layer].heads[h];
        let from = head
            .hit
            .and_then(|hit| app.pass_at(hit.position))
            .map_or("—".to_string(), |pass| format!("pass {pass}"));
        lines.push(Line::from(format!(
            "{label} {} ← {from}",
            bits_value(&head.value)
        )));
    }
    lines
}
