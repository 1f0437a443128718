//! Drawing the REPL: the debugger's screen ([`crate::debugger::view::draw_in`])
//! above, then the REPL's own rows: a rule, the last lines typed (each with
//! the passes that executed it, ▶ on the line of the pass shown), the error
//! of a refused line in red, and the input line with its cursor. While typing,
//! the debugger's message row says what the REPL did and which keys work here.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::app::{HELP, Mode, Repl};
use super::source::count_lines;
use crate::debugger::layout::screen_layout;
use crate::debugger::view::draw_in as draw_debugger;
use crate::debugger::view::hints_that_fit;
use crate::debugger::view::style::dim;

/// The prompt, and the continuation prompt while a construct is open.
pub const PROMPT: &str = "wasm> ";
pub const CONTINUATION: &str = "  ... ";

fn error_style() -> Style {
    Style::default().fg(Color::Red)
}

pub fn draw(repl: &Repl, frame: &mut Frame) {
    let area = frame.area();
    let rule = u16::from(area.height >= 12);
    let error = u16::from(area.height >= 3);
    let history = history_rows(area.height, repl.session.lines().len());
    let rows = (rule + history + error + 1).min(area.height);
    let [upper, bottom] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(rows)]).areas(area);
    if upper.height > 0 {
        draw_debugger(repl.session.app(), frame, upper);
        // The debugger's message row (the second of its status rows) says
        // what the REPL did instead.
        if repl.mode == Mode::Typing
            && let Some(screen) = screen_layout(upper, repl.session.app().focus)
        {
            let status = screen.status;
            let row = Rect::new(status.x, status.bottom() - 1, status.width, 1);
            draw_status(repl, frame, row);
        }
    }
    let [rule, lines, error, input] = Layout::vertical([
        Constraint::Length(rule),
        Constraint::Length(history),
        Constraint::Length(error),
        Constraint::Length(1),
    ])
    .areas(bottom);
    draw_rule(repl, frame, rule);
    draw_history(repl, frame, lines);
    draw_error(repl, frame, error);
    draw_input(repl, frame, input);
    if repl.help {
        draw_help(frame, area);
    }
}

/// Rows for the lines typed: more on taller screens, but the debugger keeps
/// its wide layout (36 rows) on a 48-row terminal.
fn history_rows(height: u16, lines: usize) -> u16 {
    let cap = match height {
        40.. => 8,
        20.. => 4,
        12.. => 2,
        _ => 0,
    };
    (lines.max(1) as u16).min(cap)
}

/// The debugger's message row, in the REPL's words and keys.
fn draw_status(repl: &Repl, frame: &mut Frame, row: Rect) {
    let line = match repl.session.progress() {
        Some((pass, speed)) => Line::from(vec![
            Span::styled(
                format!(
                    "running line {}: pass {pass}",
                    repl.session.lines().len() + 1
                ),
                Style::default().add_modifier(Modifier::BOLD),
            ),
            Span::raw(format!(" · {speed:.0} passes/s · Esc stops")),
        ]),
        None => {
            let room = (row.width as usize).saturating_sub(repl.message.chars().count());
            let text = hints_that_fit(
                &[
                    ":help",
                    "Ctrl-Z undo",
                    "Tab panel",
                    "Ctrl-G debugger keys",
                    "PgUp/PgDn scroll",
                ],
                room,
            );
            let mut spans = Vec::new();
            // Edited weights: the first pass whose token differs from the VM.
            if let Some(pass) = repl.session.app().session.first_divergence() {
                spans.push(Span::styled(
                    format!("DIVERGED from the VM at pass {pass}"),
                    Style::default().fg(Color::White).bg(Color::Red),
                ));
                spans.push(Span::raw(" · "));
            }
            spans.push(Span::styled(
                repl.message.clone(),
                Style::default().fg(Color::Gray),
            ));
            spans.push(Span::styled(text, dim()));
            Line::from(spans)
        }
    };
    frame.render_widget(Clear, row);
    frame.render_widget(Paragraph::new(line), row);
}

fn draw_rule(repl: &Repl, frame: &mut Frame, area: Rect) {
    if area.height == 0 {
        return;
    }
    let session = &repl.session;
    let mut title = format!(" REPL · {}", count_lines(session.lines().len()));
    if session.unsaved() {
        title.push_str(" (unsaved)");
    }
    title.push_str(&format!(" · pass limit {} ", session.pass_limit()));
    let block = Block::default()
        .borders(Borders::TOP)
        .border_style(dim())
        .title(title);
    frame.render_widget(block, area);
}

fn draw_history(repl: &Repl, frame: &mut Frame, area: Rect) {
    if area.height == 0 {
        return;
    }
    let session = &repl.session;
    let lines = session.lines();
    if lines.is_empty() {
        let hint = "type an instruction, e.g. i32.const 3, then Enter · :help lists the commands";
        frame.render_widget(Paragraph::new(Line::styled(hint, dim())), area);
        return;
    }
    let committed = session.committed_len();
    let current = session.current_line();
    let passes = session.line_passes();
    let width = area.width as usize;
    let first = lines.len().saturating_sub(area.height as usize);
    let rows: Vec<Line> = (first..lines.len())
        .map(|i| {
            let line = &lines[i];
            let before = i.checked_sub(1).map_or(0, |p| lines[p].flat_end);
            let note = if i >= committed {
                "waits for `end`".to_string()
            } else if line.flat_end == before {
                String::new()
            } else {
                passes
                    .get(i)
                    .filter(|p| p.count > 0)
                    .map_or("not run".into(), |p| p.describe())
            };
            let marker = if current == Some(i) { "▶" } else { " " };
            let number = format!("{:>4} {marker} ", i + 1);
            let text = format!("{}{}", "  ".repeat(line.indent), line.text);
            let room = width.saturating_sub(number.chars().count() + note.chars().count() + 2);
            let shown = clip(&text, room);
            let gap = width.saturating_sub(
                number.chars().count() + shown.chars().count() + note.chars().count(),
            );
            let text_style = if i >= committed {
                Style::default().fg(Color::Yellow)
            } else {
                Style::default()
            };
            Line::from(vec![
                Span::styled(
                    number,
                    if current == Some(i) {
                        Style::default().fg(Color::Yellow)
                    } else {
                        dim()
                    },
                ),
                Span::styled(shown, text_style),
                Span::raw(" ".repeat(gap)),
                Span::styled(note, dim()),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(rows), area);
}

/// `text` cut to `room` characters, with … when cut.
fn clip(text: &str, room: usize) -> String {
    if text.chars().count() <= room {
        text.to_string()
    } else if room == 0 {
        String::new()
    } else {
        let mut cut: String = text.chars().take(room - 1).collect();
        cut.push('…');
        cut
    }
}

/// Where the input's visible part starts, so that the cursor stays on screen.
fn input_scroll(repl: &Repl, width: u16) -> usize {
    let room = (width as usize)
        .saturating_sub(PROMPT.chars().count() + 1)
        .max(1);
    repl.editor.cursor().saturating_sub(room)
}

fn draw_error(repl: &Repl, frame: &mut Frame, area: Rect) {
    let Some(refusal) = repl.refusal.as_ref().filter(|_| area.height > 0) else {
        return;
    };
    let width = area.width as usize;
    let message = refusal.message.lines().next().unwrap_or_default();
    let caret = refusal.column.and_then(|column| {
        let x = PROMPT.chars().count() + column.checked_sub(input_scroll(repl, area.width))?;
        (x + 2 + message.chars().count() <= width).then_some(x)
    });
    let text = match caret {
        Some(x) => format!("{}^ {message}", " ".repeat(x)),
        None => clip(message, width),
    };
    frame.render_widget(Paragraph::new(Line::styled(text, error_style())), area);
}

fn draw_input(repl: &Repl, frame: &mut Frame, area: Rect) {
    if area.height == 0 {
        return;
    }
    if repl.mode == Mode::Debugger {
        let text = "debugger keys: n/N pass · s step · </> layer · ? all keys · Esc back to typing";
        let style = Style::default()
            .fg(Color::Yellow)
            .add_modifier(Modifier::BOLD);
        frame.render_widget(
            Paragraph::new(Line::styled(clip(text, area.width as usize), style)),
            area,
        );
        return;
    }
    let prompt = if repl.session.open_constructs().is_empty() {
        PROMPT
    } else {
        CONTINUATION
    };
    let text: Vec<char> = repl.editor.text().chars().collect();
    let cursor = repl.editor.cursor();
    let start = input_scroll(repl, area.width);
    let room = (area.width as usize).saturating_sub(prompt.chars().count());
    let visible: String = text.iter().skip(start).take(room).collect();
    let at = cursor - start;
    let before: String = visible.chars().take(at).collect();
    let under: String = visible.chars().nth(at).map_or(" ".into(), String::from);
    let after: String = visible.chars().skip(at + 1).collect();
    let line = Line::from(vec![
        Span::styled(prompt, Style::default().fg(Color::Cyan)),
        Span::raw(before),
        Span::styled(under, Style::default().add_modifier(Modifier::REVERSED)),
        Span::raw(after),
    ]);
    frame.render_widget(Paragraph::new(line), area);
    let x = area.x as usize + prompt.chars().count() + at;
    if !repl.help && x < area.right() as usize {
        frame.set_cursor_position(Position::new(x as u16, area.y));
    }
}

/// `:help`: the commands and keys, over the screen; any key closes it.
fn draw_help(frame: &mut Frame, area: Rect) {
    let key_width = HELP
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let doc_width = HELP
        .iter()
        .map(|(_, d)| d.chars().count())
        .max()
        .unwrap_or(0);
    let width = ((key_width + doc_width + 4) as u16).min(area.width);
    let height = (HELP.len() as u16 + 2).min(area.height);
    let rect = Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    );
    let lines: Vec<Line> = HELP
        .iter()
        .map(|(keys, doc)| {
            Line::from(vec![
                Span::styled(
                    format!("{keys:<key_width$}  "),
                    Style::default().fg(Color::Yellow),
                ),
                Span::raw(*doc),
            ])
        })
        .collect();
    let block = Block::default()
        .borders(Borders::ALL)
        .title(" REPL commands and keys (any key closes) ");
    frame.render_widget(Clear, rect);
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}
