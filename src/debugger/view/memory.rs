//! The Memory panel: linear memory as the model's tokens left it, in rows of
//! hex and text. The bytes the current pass read are cyan, those it wrote
//! magenta; the selected byte is reversed and watched words underlined.

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

use super::style::dim;
use crate::debugger::app::{App, Panel, Watch};
use crate::debugger::layout::{MEMORY_HEADER_ROWS, bytes_per_row, window};

pub fn memory(app: &App, width: usize, height: usize) -> Vec<Line<'static>> {
    let machine = app.session.machine();
    let memory = machine.memory();
    let size = memory.len();
    if size == 0 {
        return vec![Line::styled("the program has no memory", dim())];
    }
    let per_row = bytes_per_row(width);
    let cursor = app.cursors.memory.min(size - 1);
    let access = machine.access();
    let watched = |address: usize| {
        app.watches.iter().any(|w| match *w {
            Watch::Memory(start) => (start..start + 4).contains(&address),
            Watch::Local(_) => false,
        })
    };
    let word = machine
        .word(cursor)
        .map_or(String::new(), |w| format!(" (i32 {w})"));
    let source = match machine.memory_from(cursor) {
        0 => "never stored".to_string(),
        pass => format!("stored by pass {pass}"),
    };
    let mut lines = vec![Line::from(vec![
        Span::styled(
            format!("{cursor:#06x}"),
            Style::default().add_modifier(Modifier::BOLD),
        ),
        Span::raw(format!(
            " = {:#04x}{word} · {source}",
            memory.get(cursor).copied().unwrap_or(0)
        )),
    ])];
    let rows = size.div_ceil(per_row);
    let room = height.saturating_sub(MEMORY_HEADER_ROWS);
    let first = window(cursor / per_row, rows, room);
    let focused = app.focus == Panel::Memory;
    for row in (first..rows).take(room) {
        let start = row * per_row;
        let mut spans = vec![Span::styled(format!("{start:04x} "), dim())];
        let mut text = Vec::new();
        for address in start..(start + per_row).min(size) {
            let byte = memory.get(address).copied().unwrap_or(0);
            let mut style = if byte == 0 { dim() } else { Style::default() };
            if access.read.is_some_and(|s| s.contains(address)) {
                style = Style::default().fg(Color::Black).bg(Color::Cyan);
            }
            if access.wrote.is_some_and(|s| s.contains(address)) {
                style = Style::default().fg(Color::Black).bg(Color::Magenta);
            }
            if watched(address) {
                style = style.add_modifier(Modifier::UNDERLINED);
            }
            if address == cursor {
                style = if focused {
                    style.add_modifier(Modifier::REVERSED)
                } else {
                    style.add_modifier(Modifier::UNDERLINED | Modifier::BOLD)
                };
            }
            spans.push(Span::styled(format!("{byte:02x}"), style));
            spans.push(Span::raw(" "));
            let shown = if byte.is_ascii_graphic() || byte == b' ' {
                byte as char
            } else {
                '.'
            };
            text.push(Span::styled(shown.to_string(), style.patch(dim())));
        }
        spans.extend(text);
        lines.push(Line::from(spans));
    }
    lines
}
