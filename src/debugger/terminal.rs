//! The event loop: the only place that touches the terminal. ratatui's
//! `try_init` enters raw mode and the alternate screen and installs a panic
//! hook that restores the terminal; `restore` runs on every way out.

use std::io;
use std::time::Duration;

use crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::app::App;
use super::keymap::Key;
use super::view::draw;

fn translate(event: KeyEvent) -> Option<Key> {
    if event.kind != KeyEventKind::Press {
        return None;
    }
    if event.modifiers.contains(KeyModifiers::CONTROL) && event.code == KeyCode::Char('c') {
        return Some(Key::CtrlC);
    }
    Some(match event.code {
        KeyCode::Char(c) => Key::Char(c),
        KeyCode::Tab => Key::Tab,
        KeyCode::BackTab => Key::BackTab,
        KeyCode::Enter => Key::Enter,
        KeyCode::Esc => Key::Esc,
        KeyCode::Backspace => Key::Backspace,
        KeyCode::Up => Key::Up,
        KeyCode::Down => Key::Down,
        KeyCode::Left => Key::Left,
        KeyCode::Right => Key::Right,
        KeyCode::PageUp => Key::PageUp,
        KeyCode::PageDown => Key::PageDown,
        KeyCode::Home => Key::Home,
        KeyCode::End => Key::End,
        _ => return None,
    })
}

/// A key pressed while a long run goes on interrupts it.
fn key_waiting() -> bool {
    while event::poll(Duration::ZERO).unwrap_or(false) {
        if let Ok(Event::Key(key)) = event::read()
            && key.kind == KeyEventKind::Press
        {
            return true;
        }
    }
    false
}

/// How long a slice of a long run lasts before the screen is redrawn.
const SLICE: Duration = Duration::from_millis(200);

/// Runs the debugger until the user quits; the terminal is restored however it ends.
pub fn run(mut app: App) -> io::Result<()> {
    let mut terminal = ratatui::try_init()?;
    let result = (|| -> io::Result<()> {
        while !app.quit {
            terminal.draw(|frame| draw(&app, frame))?;
            if app.running.is_some() {
                app.run_slice(SLICE);
                if key_waiting() {
                    app.interrupt();
                }
                continue;
            }
            match event::read()? {
                Event::Key(key) => {
                    if let Some(key) = translate(key) {
                        app.key(key);
                    }
                }
                Event::Resize(_, _) => {}
                _ => {}
            }
        }
        Ok(())
    })();
    ratatui::try_restore()?;
    result
}
