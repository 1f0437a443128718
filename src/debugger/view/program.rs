//! The Program panel: the listing with breakpoints, the instruction the
//! current pass executed, the next one, nesting and WAT names.

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

use super::style::dim;
use crate::debugger::app::App;
use crate::program::BlockKind;
use crate::report::Ending;

/// The listing: index, breakpoint, the instruction the current pass executed
/// (▶, red when it trapped or diverged), the next one (›), nesting, names.
pub fn program(app: &App, height: usize) -> Vec<Line<'static>> {
    let session = &app.session;
    let program = session.program();
    let current = app.current_ip();
    let executed = session.executed();
    let next = session.next_instruction();
    let trapped = matches!(session.host().ending(), Some(Ending::Trapped(_)));
    let diverged = !session.mismatches().is_empty();
    let count = program.instructions.len();
    let first = app.listing_first(height);
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
