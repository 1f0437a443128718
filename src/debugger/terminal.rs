//! The event loop: the only place that touches the terminal. ratatui's
//! `try_init` enters raw mode and the alternate screen and installs a panic
//! hook that restores the terminal; `restore` runs on every way out. Mouse
//! reporting is switched on after it and off on every way out, the panic
//! hook included, so a shell is never left receiving mouse escapes.

use std::io;
use std::time::Duration;

use crossterm::event::{
    self, DisableMouseCapture, EnableMouseCapture, Event, KeyCode, KeyEvent, KeyEventKind,
    KeyModifiers, MouseEvent, MouseEventKind,
};
use crossterm::execute;

use super::app::{App, Mouse};
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

fn translate_mouse(event: MouseEvent) -> Option<Mouse> {
    let (x, y) = (event.column, event.row);
    match event.kind {
        MouseEventKind::Down(_) => Some(Mouse::Click { x, y }),
        MouseEventKind::ScrollUp => Some(Mouse::WheelUp { x, y }),
        MouseEventKind::ScrollDown => Some(Mouse::WheelDown { x, y }),
        _ => None,
    }
}

/// A key pressed or a click while a long run goes on interrupts it.
fn key_waiting() -> bool {
    while event::poll(Duration::ZERO).unwrap_or(false) {
        match event::read() {
            Ok(Event::Key(key)) if key.kind == KeyEventKind::Press => return true,
            Ok(Event::Mouse(mouse)) if matches!(mouse.kind, MouseEventKind::Down(_)) => {
                return true;
            }
            _ => {}
        }
    }
    false
}

/// Turns mouse reporting on, and makes sure a panic turns it off again
/// before the hook ratatui installed restores the rest of the terminal.
fn enable_mouse() -> io::Result<()> {
    let restore = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = execute!(io::stdout(), DisableMouseCapture);
        restore(info);
    }));
    execute!(io::stdout(), EnableMouseCapture)
}

/// How long a slice of a long run lasts before the screen is redrawn.
const SLICE: Duration = Duration::from_millis(200);

/// Runs the debugger until the user quits; the terminal is restored however it ends.
pub fn run(mut app: App) -> io::Result<()> {
    let mut terminal = ratatui::try_init()?;
    let result = (|| -> io::Result<()> {
        enable_mouse()?;
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
                Event::Mouse(mouse) => {
                    if let Some(mouse) = translate_mouse(mouse) {
                        app.mouse(mouse);
                    }
                }
                _ => {}
            }
        }
        Ok(())
    })();
    let mouse_off = execute!(io::stdout(), DisableMouseCapture);
    ratatui::try_restore()?;
    mouse_off?;
    result
}
