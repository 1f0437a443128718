//! The Files panel: the four files as the trace wrote them, in rows of hex
//! and text, with the cursor and the byte just written marked. Each file's
//! state (open, cursor) is the latest token's about it.

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

use super::style::dim;
use crate::debugger::app::{App, FileLine, Panel};
use crate::debugger::layout::bytes_per_row;

/// The four files: state from the model's latest token for each, every byte
/// as decoded from the trace in rows of hex and text, the cursor underlined
/// and the byte written by the current pass in magenta. The selected byte
/// (reversed when the panel is focused) stays in view; `f` follows it.
pub fn files(app: &App, width: usize, height: usize) -> Vec<Line<'static>> {
    let session = &app.session;
    let contents = session.host().files();
    let machine = session.machine();
    let last_write = session
        .current_record()
        .filter(|r| r.token.wrote)
        .and_then(|r| Some((usize::from(r.token.file?), r.token.cursor - 1)));
    let per_row = bytes_per_row(width);
    let selected = app.file_cursor();
    let focused = app.focus == Panel::Files;
    let (layout, first) = app.files_window(per_row, height);
    layout
        .into_iter()
        .skip(first)
        .take(height)
        .map(|line| match line {
            FileLine::Header(f) => {
                let (open, cursor) = machine.file_state(f);
                Line::from(vec![
                    Span::styled(
                        format!("file {f} "),
                        Style::default().add_modifier(Modifier::BOLD),
                    ),
                    Span::raw(format!(
                        "{} · cursor {cursor} · {} bytes",
                        if open { "open" } else { "closed" },
                        contents.0[f].len()
                    )),
                ])
            }
            FileLine::Row { file: f, start } => {
                let (open, cursor) = machine.file_state(f);
                let bytes = &contents.0[f];
                let mut spans = vec![Span::styled(format!("{start:>4} "), dim())];
                let mut text = String::new();
                for offset in start..start + per_row {
                    let at_cursor = open && offset as i64 == cursor;
                    let mut style = Style::default();
                    if last_write == Some((f, offset as i64)) {
                        style = style.fg(Color::Black).bg(Color::Magenta);
                    }
                    if at_cursor {
                        style = style.add_modifier(Modifier::UNDERLINED | Modifier::BOLD);
                    }
                    if focused && selected == Some((f, offset)) {
                        style = style.add_modifier(Modifier::REVERSED);
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
                Line::from(spans)
            }
        })
        .collect()
}
