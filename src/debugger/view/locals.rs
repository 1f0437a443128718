//! The Locals panel: `main`'s locals after the current pass, by their WAT
//! names, each with the pass that set it; the one the pass set is marked,
//! watched ones carry ●.

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

use super::style::dim;
use crate::debugger::app::{App, Panel, Watch};
use crate::debugger::layout::window;

pub fn locals(app: &App, height: usize) -> Vec<Line<'static>> {
    let machine = app.session.machine();
    let locals = machine.locals();
    if locals.is_empty() {
        return vec![Line::styled("main has no locals", dim())];
    }
    let set_now = machine.access().local;
    let vm = app.session.vm().locals();
    let focused = app.focus == Panel::Locals;
    let selected = app.cursors.local.min(locals.len() - 1);
    let width = (0..locals.len())
        .map(|k| app.local_label(k).chars().count())
        .max()
        .unwrap_or(6)
        .min(16);
    let first = window(selected, locals.len(), height);
    (first..locals.len())
        .take(height)
        .map(|k| {
            let local = locals[k];
            let mut style = Style::default();
            if set_now == Some(k as u32) {
                style = style.fg(Color::Black).bg(Color::Magenta);
            }
            if focused && k == selected {
                style = style.add_modifier(Modifier::REVERSED);
            }
            let watched = if app.watches.contains(&Watch::Local(k as u32)) {
                "●"
            } else {
                " "
            };
            let source = match local.from {
                0 => "initial".to_string(),
                pass => format!("pass {pass}"),
            };
            let mut spans = vec![
                Span::styled(watched, Style::default().fg(Color::Cyan)),
                Span::styled(format!("{:<width$.width$} ", app.local_label(k)), style),
                Span::styled(format!("{:>11}", local.value), style),
                Span::styled(format!("  ← {source}"), dim()),
            ];
            if vm.get(k).is_some_and(|&v| v != local.value) {
                spans.push(Span::styled(
                    format!(" vm {}", vm[k]),
                    Style::default().fg(Color::White).bg(Color::Red),
                ));
            }
            Line::from(spans)
        })
        .collect()
}
