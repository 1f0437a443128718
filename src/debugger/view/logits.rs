//! The Logits panel: the top candidates of each field of the next token and
//! the margin, with the divergence from the VM on top.

use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};

use super::style::{dim, number};
use crate::debugger::app::App;

/// The top candidates of each field of the next token, with the margin.
pub fn logits(app: &App) -> Vec<Line<'static>> {
    let Some(capture) = app.session.capture() else {
        return vec![Line::from(app.session.no_capture_note())];
    };
    let mut lines = Vec::new();
    if let Some(text) = app.disagreement_text() {
        lines.push(Line::styled(
            format!("DISAGREES with the recording: {text}"),
            Style::default().fg(Color::White).bg(Color::Red),
        ));
    }
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
