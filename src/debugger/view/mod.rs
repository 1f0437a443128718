//! Drawing: the whole screen from an [`App`], nothing else. Wide terminals
//! (at least 120×36) show every panel at once; smaller ones show the focused
//! panel under a tab bar. The status line is always at the bottom.

mod panels;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Tabs, Wrap};

use super::app::{App, Panel, Prompt};
use super::keymap::{KEYMAP, key_name};

/// Smallest terminal with all panels at once.
pub const WIDE: (u16, u16) = (120, 36);

pub fn draw(app: &App, frame: &mut Frame) {
    let area = frame.area();
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
        draw_help(frame, area);
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
    let lines = match panel {
        Panel::Program => panels::program(app, inner.height as usize),
        Panel::Stack => panels::stack(app),
        Panel::Layers => panels::layers(app, inner.height as usize, inner.width as usize),
        Panel::Files => panels::files(app, inner.width as usize),
        Panel::Loop => panels::loops(app),
        Panel::Output => panels::output(app, inner.height as usize),
        Panel::Logits => panels::logits(app),
    };
    frame.render_widget(Paragraph::new(lines), inner);
}

fn draw_status(app: &App, frame: &mut Frame, area: Rect) {
    let session = &app.session;
    let token = session.run().token();
    let diverged = session.record(session.pass()).is_some_and(|r| r.diverged());
    let first = Line::from(vec![
        Span::styled(
            format!("pass {}", session.pass()),
            Style::default().add_modifier(Modifier::BOLD),
        ),
        Span::raw(format!(
            " · instr {} · {} forward passes · token: {}",
            session.run().steps(),
            session.run().passes(),
            token.describe()
        )),
    ]);
    let second = match &app.prompt {
        Some(Prompt::GoTo(text)) => Line::from(format!("go to pass: {text}▏")),
        Some(Prompt::Search(text)) => Line::from(format!("find: {text}▏")),
        None => {
            let style = if diverged || app.message.starts_with("error") {
                Style::default().fg(Color::White).bg(Color::Red)
            } else {
                Style::default().fg(Color::Gray)
            };
            Line::from(vec![
                Span::styled(app.message.clone(), style),
                Span::styled(
                    "  n/N pass · c/C continue · b break · g go · Tab panel · ? keys · q quit",
                    Style::default().fg(Color::DarkGray),
                ),
            ])
        }
    };
    frame.render_widget(Paragraph::new(vec![first, second]), area);
}

fn draw_help(frame: &mut Frame, area: Rect) {
    let width = area.width.min(72);
    let height = area.height.min(KEYMAP.len() as u16 + 2);
    let rect = Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    );
    let lines: Vec<Line> = KEYMAP
        .iter()
        .map(|(key, _, doc)| {
            Line::from(vec![
                Span::styled(
                    format!("{:>6}  ", key_name(*key)),
                    Style::default().fg(Color::Yellow),
                ),
                Span::raw(*doc),
            ])
        })
        .collect();
    frame.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(" keys (any key closes) ");
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        rect,
    );
}
