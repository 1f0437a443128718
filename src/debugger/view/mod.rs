//! Drawing: the whole screen from an [`App`], nothing else. Wide terminals
//! (at least 120×36) show every panel at once; smaller ones show the focused
//! panel under a tab bar. The status line is always at the bottom.

mod files;
mod layers;
mod logits;
mod loops;
mod output;
mod program;
mod stack;
mod style;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Tabs, Wrap};

use super::app::{App, Panel, Prompt};
use super::keymap::help_entries;

/// Smallest terminal with all panels at once.
pub const WIDE: (u16, u16) = (120, 36);

pub fn draw(app: &App, frame: &mut Frame) {
    draw_in(app, frame, frame.area());
}

/// The debugger's screen in `area` of the frame, so that another screen (the
/// REPL) can show it above its own lines.
pub fn draw_in(app: &App, frame: &mut Frame, area: Rect) {
    if area.width < 20 || area.height < 5 {
        frame.render_widget(Paragraph::new("terminal too small"), area);
        return;
    }
    let [body, status] = Layout::vertical([Constraint::Min(1), Constraint::Length(2)]).areas(area);
    if area.width >= WIDE.0 && area.height >= WIDE.1 {
        draw_wide(app, frame, body);
    } else {
        draw_narrow(app, frame, body);
    }
    draw_status(app, frame, status);
    if app.help {
        draw_help(app, frame, area);
    }
}

fn draw_wide(app: &App, frame: &mut Frame, area: Rect) {
    let [top, bottom] =
        Layout::vertical([Constraint::Percentage(62), Constraint::Percentage(38)]).areas(area);
    let [program, middle, layers] = Layout::horizontal([
        Constraint::Percentage(30),
        Constraint::Percentage(20),
        Constraint::Percentage(50),
    ])
    .areas(top);
    let [stack, loops] =
        Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(middle);
    let [files, output, logits] = Layout::horizontal([
        Constraint::Percentage(45),
        Constraint::Percentage(20),
        Constraint::Percentage(35),
    ])
    .areas(bottom);
    for (panel, rect) in [
        (Panel::Program, program),
        (Panel::Stack, stack),
        (Panel::Loop, loops),
        (Panel::Layers, layers),
        (Panel::Files, files),
        (Panel::Output, output),
        (Panel::Logits, logits),
    ] {
        draw_panel(app, frame, panel, rect);
    }
}

fn draw_narrow(app: &App, frame: &mut Frame, area: Rect) {
    let [tabs, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    let titles: Vec<String> = Panel::ALL.iter().map(|p| p.title().to_string()).collect();
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
    draw_panel(app, frame, app.focus, body);
}

fn draw_panel(app: &App, frame: &mut Frame, panel: Panel, area: Rect) {
    let focused = app.focus == panel;
    let border = if focused {
        Style::default().fg(Color::Yellow)
    } else {
        Style::default().fg(Color::DarkGray)
    };
    let title = match panel {
        Panel::Layers => format!(" Layers — layer {} ", app.layer),
        other => format!(" {} ", other.title()),
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(border)
        .title(title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let wrap = matches!(panel, Panel::Stack | Panel::Loop | Panel::Logits);
    let lines = match panel {
        Panel::Program => program::program(app, inner.height as usize),
        Panel::Stack => stack::stack(app),
        Panel::Layers => layers::layers(app, inner.height as usize, inner.width as usize),
        Panel::Files => files::files(app, inner.width as usize, inner.height as usize),
        Panel::Loop => loops::loops(app),
        Panel::Output => output::output(app, inner.height as usize),
        Panel::Logits => logits::logits(app),
    };
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
        return Line::from(vec![
            Span::styled(format!("running: pass {pass}"), bold),
            Span::raw(format!(
                " · {:.0} passes/s · any key stops",
                running.speed(pass)
            )),
        ]);
    }
    let Some(record) = session.record(pass) else {
        let prompt = session.run().prompt_len();
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

/// Key hints that fit in `width` columns, most useful first.
fn hints(width: usize) -> String {
    let all = [
        "n/N pass",
        "c/C continue",
        "b break",
        "g go",
        "/ find",
        "Tab panel",
        "? keys",
        "q quit",
    ];
    let mut text = String::new();
    for hint in all {
        if text.chars().count() + hint.chars().count() + 3 > width {
            break;
        }
        text.push_str(" · ");
        text.push_str(hint);
    }
    text
}

fn draw_status(app: &App, frame: &mut Frame, area: Rect) {
    let diverged = !app.session.mismatches().is_empty();
    let first = position_line(app);
    let second = match &app.prompt {
        Some(Prompt::GoTo(text)) => Line::from(format!("go to pass: {text}▏")),
        Some(Prompt::Search(text)) => Line::from(format!("find: {text}▏")),
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
    let height = (rows_needed + 3).min(area.height as usize) as u16;
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
