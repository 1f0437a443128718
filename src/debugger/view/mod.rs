//! Drawing: the whole screen from an [`App`], nothing else, one file per
//! panel. Where each panel goes is [`super::layout`]'s to say: wide terminals
//! (at least 120×36) show every panel at once; smaller ones show the focused
//! panel under a tab bar. The status line is always at the bottom.

mod files;
mod layers;
mod locals;
mod logits;
mod loops;
mod memory;
mod output;
mod program;
mod stack;
pub mod style;
mod timeline;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Tabs, Wrap};

use super::app::{App, Panel, Prompt, RunGoal};
use super::keymap::help_entries;
use super::layout::{self, screen_layout};

pub fn draw(app: &App, frame: &mut Frame) {
    draw_in(app, frame, frame.area());
}

/// The debugger's screen in `area` of the frame, so that another screen (the
/// REPL) can show it above its own lines.
pub fn draw_in(app: &App, frame: &mut Frame, area: Rect) {
    app.drawn.set(area);
    let Some(screen) = screen_layout(area, app.focus) else {
        frame.render_widget(Paragraph::new("terminal too small"), area);
        return;
    };
    if let Some(tabs) = screen.tabs {
        let titles = layout::tab_titles(tabs.width);
        let selected = Panel::ALL.iter().position(|&p| p == app.focus).unwrap_or(0);
        let bar = Tabs::new(titles)
            .select(selected)
            .highlight_style(
                Style::default()
                    .fg(Color::Yellow)
                    .add_modifier(Modifier::BOLD),
            )
            .divider("|");
        frame.render_widget(bar, tabs);
    }
    for &(panel, rect) in &screen.panels {
        draw_panel(app, frame, panel, rect);
    }
    draw_status(app, frame, screen.status);
    if app.help {
        draw_help(app, frame, area);
    }
}

fn draw_panel(app: &App, frame: &mut Frame, panel: Panel, area: Rect) {
    let focused = app.focus == panel;
    let border = if focused {
        Style::default().fg(Color::Yellow)
    } else {
        Style::default().fg(Color::DarkGray)
    };
    let inner = layout::inner(area);
    let (width, height) = (inner.width as usize, inner.height as usize);
    let named = |lines| (format!(" {} ", panel.title()), lines);
    let (title, lines) = match panel {
        Panel::Program => named(program::program(app, height)),
        Panel::Stack => named(stack::stack(app, height)),
        Panel::Locals => named(locals::locals(app, height)),
        Panel::Layers => (
            format!(" Layers — layer {} ", app.layer),
            layers::layers(app, height, width),
        ),
        Panel::Timeline => timeline::timeline(app, width, height),
        Panel::Memory => named(memory::memory(app, width, height)),
        Panel::Files => named(files::files(app, width, height)),
        Panel::Loop => named(loops::loops(app)),
        Panel::Output => named(output::output(app, height)),
        Panel::Logits => named(logits::logits(app)),
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(border)
        .title(title);
    frame.render_widget(block, area);
    let wrap = matches!(panel, Panel::Loop | Panel::Logits);
    let paragraph = Paragraph::new(lines);
    if wrap {
        frame.render_widget(paragraph.wrap(Wrap { trim: false }), inner);
    } else {
        frame.render_widget(paragraph, inner);
    }
}

/// The status line's first row: where the session is, in one notion: the pass
/// shown, the instruction it executed, and what its token says.
fn position_line(app: &App) -> Line<'static> {
    let session = &app.session;
    let pass = session.pass();
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let program = session.program();
    if let Some(running) = &app.running {
        if running.goal == RunGoal::WrongPass && session.is_replay() && !session.model_in_step() {
            return Line::from(vec![
                Span::styled(format!("running: pass {pass}"), bold),
                Span::raw(format!(
                    " · the model catches up first (pass {}) to check the passes after · any key stops",
                    session.model_pass()
                )),
            ]);
        }
        return Line::from(vec![
            Span::styled(format!("running: pass {pass}"), bold),
            Span::raw(format!(
                " · {:.0} passes/s · any key stops",
                running.speed(pass)
            )),
        ]);
    }
    let Some(record) = session.record(pass) else {
        let prompt = session.host().prompt_len();
        return Line::from(vec![
            Span::styled("pass 0", bold),
            Span::raw(format!(
                " · the prompt: {prompt} tokens (BOS, {} instructions, the start token) · next: instruction 0",
                program.instructions.len()
            )),
        ]);
    };
    let executed = usize::try_from(record.ip)
        .ok()
        .filter(|&i| i < program.instructions.len())
        .map_or_else(
            || format!("instruction {}", record.ip),
            |i| format!("instruction {i} ({})", program.instruction_text(i)),
        );
    let outcome = app
        .outcome()
        .unwrap_or_else(|| format!("token: {}", record.token.describe()));
    Line::from(vec![
        Span::styled(format!("pass {pass}"), bold),
        Span::raw(format!(" executed {executed} · {outcome}")),
    ])
}

/// The debugger's key hints that fit in `width` columns, most useful first.
fn hints(width: usize) -> String {
    hints_that_fit(
        &[
            "n/N pass",
            "c/C continue",
            "b break",
            "g go",
            "/ find",
            "Tab panel",
            "? keys",
            "q quit",
        ],
        width,
    )
}

/// As many of `hints` as fit in `width` columns, each after ` · `.
pub fn hints_that_fit(hints: &[&str], width: usize) -> String {
    let mut text = String::new();
    for hint in hints {
        if text.chars().count() + hint.chars().count() + 3 > width {
            break;
        }
        text.push_str(" · ");
        text.push_str(hint);
    }
    text
}

fn draw_status(app: &App, frame: &mut Frame, area: Rect) {
    let diverged = !app.session.mismatches().is_empty() || !app.session.disagreement().is_empty();
    let first = position_line(app);
    let second = match &app.prompt {
        Some(Prompt::GoTo(text)) => Line::from(format!("go to pass: {text}▏")),
        Some(Prompt::Search(text)) => Line::from(format!("find: {text}▏")),
        Some(Prompt::SaveTrace(text)) => Line::from(format!("save the trace to: {text}▏")),
        None => {
            let style = if diverged || app.message.starts_with("error") {
                Style::default().fg(Color::White).bg(Color::Red)
            } else {
                Style::default().fg(Color::Gray)
            };
            let room = (area.width as usize).saturating_sub(app.message.chars().count());
            Line::from(vec![
                Span::styled(app.message.clone(), style),
                Span::styled(hints(room), Style::default().fg(Color::DarkGray)),
            ])
        }
    };
    frame.render_widget(Paragraph::new(vec![first, second]), area);
}

/// The keys, from the keymap, in as many columns as the screen needs; ↑/↓
/// scroll when even that does not fit.
fn draw_help(app: &App, frame: &mut Frame, area: Rect) {
    let entries = help_entries();
    let key_width = entries
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(4);
    let doc_width = entries
        .iter()
        .map(|(_, d)| d.chars().count())
        .max()
        .unwrap_or(20);
    let column = key_width + doc_width + 3;
    let columns = ((area.width.saturating_sub(2) as usize) / column).clamp(1, 2);
    let rows_needed = entries.len().div_ceil(columns);
    let width = (column * columns + 2).min(area.width as usize) as u16;
    let height = (rows_needed + 4).min(area.height as usize) as u16;
    let rect = Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    );
    let mut lines: Vec<Line> = (0..rows_needed)
        .map(|row| {
            let mut spans = Vec::new();
            for c in 0..columns {
                if let Some((keys, doc)) = entries.get(c * rows_needed + row) {
                    spans.push(Span::styled(
                        format!("{keys:>key_width$}  "),
                        Style::default().fg(Color::Yellow),
                    ));
                    spans.push(Span::raw(format!("{doc:<doc_width$} ")));
                }
            }
            Line::from(spans)
        })
        .collect();
    lines.push(Line::styled(
        "a count first repeats: 10n, 3c, 40g, 2> (layer 2)",
        Style::default().fg(Color::DarkGray),
    ));
    lines.push(Line::styled(
        "mouse: a click selects a panel, line, value, tab or pass; the wheel scrolls",
        Style::default().fg(Color::DarkGray),
    ));
    let room = height.saturating_sub(2) as usize;
    let scroll = app.scrolls.help.min(lines.len().saturating_sub(room));
    frame.render_widget(Clear, rect);
    let title = if lines.len() > room {
        " keys (↑/↓ scroll, any other key closes) "
    } else {
        " keys (any key closes) "
    };
    let block = Block::default().borders(Borders::ALL).title(title);
    frame.render_widget(Paragraph::new(lines.split_off(scroll)).block(block), rect);
}
