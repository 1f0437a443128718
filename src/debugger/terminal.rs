//! The event loop: the only place that touches the terminal. ratatui's
//! `try_init` enters raw mode and the alternate screen and installs a panic
//! hook that restores the terminal; `restore` runs on every way out. Mouse
//! reporting is switched on after it and off on every way out, the panic
//! hook included, so a shell is never left receiving mouse escapes.

use std::io::{self, Write};
use std::time::Duration;

use crossterm::event::{
    self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEvent, MouseEventKind,
};

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

pub(crate) fn translate_mouse(event: MouseEvent) -> Option<Mouse> {
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

/// Button presses and the wheel, in SGR encoding, but not motion: the
/// terminal then sends nothing while the pointer merely moves.
const MOUSE_ON: &str = "\x1b[?1000h\x1b[?1006h";
const MOUSE_OFF: &str = "\x1b[?1006l\x1b[?1000l";

pub(crate) fn mouse_reporting(on: bool) -> io::Result<()> {
    let mut out = io::stdout();
    out.write_all(if on { MOUSE_ON } else { MOUSE_OFF }.as_bytes())?;
    out.flush()
}

/// Turns mouse reporting on, and makes sure a panic turns it off again
/// before the hook ratatui installed restores the rest of the terminal.
pub(crate) fn enable_mouse() -> io::Result<()> {
    let restore = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = mouse_reporting(false);
        restore(info);
    }));
    mouse_reporting(true)
}

/// How long a slice of a long run lasts before the screen is redrawn.
const SLICE: Duration = Duration::from_millis(200);

/// Runs the debugger until the user quits; the terminal is restored however it ends.
pub fn run(mut app: App) -> io::Result<()> {
    let mut terminal = ratatui::try_init()?;
    let result = (|| -> io::Result<()> {
        enable_mouse()?;
        // Redraw only when something may have changed: mouse moves and
        // releases do not, and a redraw of a long session is not free.
        let mut redraw = true;
        while !app.quit {
            if redraw || app.running.is_some() {
                terminal.draw(|frame| draw(&app, frame))?;
            }
            if app.running.is_some() {
                app.run_slice(SLICE);
                if key_waiting() {
                    app.interrupt();
                }
                redraw = true;
                continue;
            }
            // A replay's model catching up runs between keys.
            if app.session.needs_catch_up() && !event::poll(Duration::ZERO).unwrap_or(true) {
                app.catch_up_slice(SLICE);
                redraw = true;
                continue;
            }
            redraw = match event::read()? {
                Event::Key(key) => match translate(key) {
                    Some(key) => {
                        app.key(key);
                        true
                    }
                    None => false,
                },
                Event::Mouse(mouse) => match translate_mouse(mouse) {
                    Some(mouse) => {
                        app.mouse(mouse);
                        true
                    }
                    None => false,
                },
                Event::Resize(_, _) => true,
                _ => false,
            };
        }
        Ok(())
    })();
    let mouse_off = mouse_reporting(false);
    ratatui::try_restore()?;
    mouse_off?;
    result
}
