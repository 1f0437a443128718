//! The Output panel: every value the program output, newest at the bottom.

use ratatui::text::{Line, Span};

use super::style::dim;
use crate::debugger::app::App;

/// The outputs, newest at the bottom, numbered; ↑/↓ scroll back.
pub fn output(app: &App, height: usize) -> Vec<Line<'static>> {
    let outputs = app.session.host().outputs();
    if outputs.is_empty() {
        return vec![Line::styled("no output yet", dim())];
    }
    let room = height.saturating_sub(1).max(1);
    let back = app.scrolls.output.min(outputs.len().saturating_sub(room));
    let end = outputs.len() - back;
    let start = end.saturating_sub(room);
    let header = if start == 0 && end == outputs.len() {
        format!("{} values", outputs.len())
    } else {
        format!("{} values, {}–{} shown", outputs.len(), start + 1, end)
    };
    let mut lines = vec![Line::styled(header, dim())];
    for (i, v) in outputs.iter().enumerate().skip(start).take(end - start) {
        lines.push(Line::from(vec![
            Span::styled(format!("{:>4} ", i + 1), dim()),
            Span::raw(v.to_string()),
        ]));
    }
    lines
}
