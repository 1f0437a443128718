//! Styles and number formats every panel shares, so a value looks the same
//! wherever it is shown.

use ratatui::style::{Color, Style};

use crate::debugger::app::App;

pub fn dim() -> Style {
    Style::default().fg(Color::DarkGray)
}

pub fn value_style(v: f64) -> Style {
    if v > 0.0 {
        Style::default().fg(Color::Green)
    } else if v < 0.0 {
        Style::default().fg(Color::Red)
    } else {
        dim()
    }
}

/// The style of a name that matches the current search.
pub fn matched(app: &App, name: &str) -> Style {
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

pub fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v:.3}")
    }
}
