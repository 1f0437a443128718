//! The event loop: the only place the REPL touches the terminal. ratatui's
//! `try_init` enters raw mode and the alternate screen and installs a panic
//! hook that restores the terminal; `try_restore` runs on every way out, and
//! mouse reporting (clicks and the wheel, for the debugger's panels) is
//! switched off on each of them as in `wasmtf debug`. A run
//! in progress goes in slices, with keys read between them, so that a loop
//! that never ends cannot freeze the screen.

use std::io;
use std::time::Duration;

use crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::app::{Repl, ReplKey};
use super::view::draw;
use crate::debugger::terminal::{enable_mouse, mouse_reporting, translate_mouse};

/// How long a slice of a run lasts before the screen is redrawn and keys read.
const SLICE: Duration = Duration::from_millis(150);

fn translate(event: KeyEvent) -> Option<ReplKey> {
    if event.kind == KeyEventKind::Release {
        return None;
    }
    if event.modifiers.contains(KeyModifiers::CONTROL)
        && let KeyCode::Char(c) = event.code
    {
        return Some(ReplKey::Ctrl(c.to_ascii_lowercase()));
    }
    Some(match event.code {
        KeyCode::Char(c) => ReplKey::Char(c),
        KeyCode::Enter => ReplKey::Enter,
        KeyCode::Esc => ReplKey::Esc,
        KeyCode::Backspace => ReplKey::Backspace,
        KeyCode::Delete => ReplKey::Delete,
        KeyCode::Left => ReplKey::Left,
        KeyCode::Right => ReplKey::Right,
        KeyCode::Up => ReplKey::Up,
        KeyCode::Down => ReplKey::Down,
        KeyCode::Home => ReplKey::Home,
        KeyCode::End => ReplKey::End,
        KeyCode::Tab => ReplKey::Tab,
        KeyCode::BackTab => ReplKey::BackTab,
        KeyCode::PageUp => ReplKey::PageUp,
        KeyCode::PageDown => ReplKey::PageDown,
        _ => return None,
    })
}

/// Runs the REPL until the user quits; the terminal is restored however it ends.
pub fn run(mut repl: Repl) -> io::Result<()> {
    let mut terminal = ratatui::try_init()?;
    let result = (|| -> io::Result<()> {
        enable_mouse()?;
        while !repl.quit {
            terminal.draw(|frame| draw(&repl, frame))?;
            let waiting = !repl.busy() || event::poll(Duration::ZERO)?;
            if waiting {
                match event::read()? {
                    Event::Key(key) => {
                        if let Some(key) = translate(key) {
                            repl.key(key);
                        }
                    }
                    // Clicks and the wheel go to the debugger's panels.
                    Event::Mouse(mouse) => {
                        if let Some(mouse) = translate_mouse(mouse)
                            && !repl.busy()
                        {
                            repl.session.app_mut().mouse(mouse);
                        }
                    }
                    _ => {}
                }
            }
            if repl.busy() {
                repl.run_slice(SLICE);
            }
        }
        Ok(())
    })();
    let mouse_off = mouse_reporting(false);
    ratatui::try_restore()?;
    mouse_off?;
    result
}
