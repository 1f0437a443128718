//! The Files panel: the four files as the trace wrote them, in rows of hex
//! and text, with the cursor and the byte just written marked.

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

use super::style::dim;
use crate::debugger::app::{App, Panel};
use crate::debugger::layout::{bytes_per_row, window};
use crate::files::FILE_COUNT;

/// The four files: state from the model's latest token for each, every byte
/// as decoded from the trace in rows of hex and text, the cursor underlined
/// and the byte written by the current pass in magenta. The selected byte
/// (reversed when the panel is focused) stays in view; `f` follows it.
pub fn files(app: &App, width: usize, height: usize) -> Vec<Line<'static>> {
    let session = &app.session;
    let contents = session.run().files();
    let records = session.records_so_far();
    let last_write = session
        .record(session.pass())
        .filter(|r| r.token.wrote)
        .and_then(|r| Some((r.token.file?, r.token.cursor - 1)));
    let per_line = bytes_per_row(width);
    let selected = app.file_cursor();
    let focused = app.focus == Panel::Files;
    let mut lines = Vec::new();
    let mut selected_line = 0;
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
            let mut spans = vec![Span::styled(format!("{start:>4} "), dim())];
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
                if selected == Some((f, offset)) {
                    selected_line = lines.len();
                    if focused {
                        style = style.add_modifier(Modifier::REVERSED);
                    }
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
    let first = window(selected_line, lines.len(), height);
    lines.split_off(first)
}
