//! The Timeline panel: the stack depth over every pass run so far, as the
//! running sum of the depth changes the model emitted (the sum the depth
//! head computes, read from the tokens rather than from its activation),
//! drawn in braille across the panel's width; under it a row of marks: the
//! current pass, divergences, breakpoint hits and file writes.

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

use super::style::dim;
use crate::debugger::app::{App, Mark, TimelineScale};

/// The mean and highest depth in each column, and its strongest mark.
struct Column {
    mean: f64,
    high: i64,
    mark: Option<Mark>,
}

fn columns(app: &App, scale: TimelineScale) -> Vec<Column> {
    let records = app.session.records();
    let mut depth_after = Vec::with_capacity(records.len());
    let mut depth = 0i64;
    for record in records {
        depth += record.token.delta;
        depth_after.push(depth);
    }
    (0..scale.used_columns())
        .map(|c| {
            let passes = scale.passes_in(c);
            let range = (*passes.start() - 1) as usize..*passes.end() as usize;
            let depths = &depth_after[range.clone()];
            let mut mark = None;
            for record in &records[range] {
                mark = match (mark, app.marks_of(record)) {
                    (Some(Mark::Divergence), _) | (_, Some(Mark::Divergence)) => {
                        Some(Mark::Divergence)
                    }
                    (Some(Mark::Breakpoint), _) | (_, Some(Mark::Breakpoint)) => {
                        Some(Mark::Breakpoint)
                    }
                    (a, b) => a.or(b),
                };
            }
            Column {
                mean: depths.iter().sum::<i64>() as f64 / depths.len().max(1) as f64,
                high: depths.iter().copied().max().unwrap_or(0),
                mark,
            }
        })
        .collect()
}

/// Braille dot bits of a cell's rows, top to bottom, both dot columns.
const DOTS: [u32; 4] = [0x01 | 0x08, 0x02 | 0x10, 0x04 | 0x20, 0x40 | 0x80];

/// The panel's title (what the axes are) and its lines, from one pass over
/// the records.
pub fn timeline(app: &App, width: usize, height: usize) -> (String, Vec<Line<'static>>) {
    let scale = TimelineScale::new(app.session.records().len() as u64, width);
    if scale.passes == 0 {
        return (
            " Timeline ".into(),
            vec![Line::styled(
                "no passes yet: the timeline fills as the run goes (n, c, End)",
                dim(),
            )],
        );
    }
    let columns = columns(app, scale);
    let deepest = columns.iter().map(|c| c.high).max().unwrap_or(0);
    let title = format!(
        " Timeline — depth 0–{deepest} (Σ emitted changes) over passes 1–{}, {} ",
        scale.passes,
        scale.describe()
    );
    // Taller than this, a chart of a few depth levels reads worse, not better.
    let chart_rows = height
        .saturating_sub(if height > 3 { 2 } else { 1 })
        .clamp(1, 8);
    let levels = chart_rows * 4;
    let max = deepest.max(1);
    let level = |depth: i64| (depth.max(0) as usize * (levels - 1)).div_ceil(max as usize);
    let level_of =
        |depth: f64| (depth.max(0.0) * (levels - 1) as f64 / max as f64).round() as usize;
    // No column is the current one at pass 0, before the first pass.
    let current = (app.session.pass() > 0).then(|| scale.column_of(app.session.pass()));
    let mut lines = Vec::new();
    for row in 0..chart_rows {
        // Dot rows of this cell row, counted from the bottom of the chart.
        let bottom = (chart_rows - 1 - row) * 4;
        let spans: Vec<Span> = columns
            .iter()
            .enumerate()
            .map(|(c, column)| {
                // An area up to the mean depth, and a dot at the highest.
                let (mean, high) = (level_of(column.mean), level(column.high));
                let bits = (0..4)
                    .filter(|dot| {
                        let at = bottom + 3 - dot;
                        at <= mean || at == high
                    })
                    .fold(0, |acc, dot| acc | DOTS[dot]);
                let cell = char::from_u32(0x2800 + bits).unwrap_or(' ');
                let style = if Some(c) == current {
                    Style::default().fg(Color::Yellow)
                } else {
                    Style::default().fg(Color::Green)
                };
                Span::styled(cell.to_string(), style)
            })
            .collect();
        lines.push(Line::from(spans));
    }
    let marks: Vec<Span> = columns
        .iter()
        .enumerate()
        .map(|(c, column)| {
            let (text, style) = match column.mark {
                Some(Mark::Divergence) => ("✗", Style::default().fg(Color::Red)),
                Some(Mark::Breakpoint) => ("●", Style::default().fg(Color::Red)),
                Some(Mark::FileWrite) => ("│", Style::default().fg(Color::Magenta)),
                None => (" ", Style::default()),
            };
            if Some(c) == current {
                Span::styled(
                    "▲",
                    Style::default()
                        .fg(Color::Yellow)
                        .add_modifier(Modifier::BOLD),
                )
            } else {
                Span::styled(text, style)
            }
        })
        .collect();
    lines.push(Line::from(marks));
    if height > 3 {
        lines.push(Line::styled(
            "▲ this pass ✗ diverged ● breakpoint │ file write · ←/→ {/} or click to move",
            dim(),
        ));
    }
    (title, lines)
}
