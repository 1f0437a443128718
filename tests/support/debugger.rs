//! The debugger's screen as text, for the tests that drive it by keys.

use ratatui::backend::TestBackend;
use ratatui::{Frame, Terminal};
use wasmtf::debugger::app::App;
use wasmtf::debugger::view::draw;

/// The screen drawn at `width`×`height`, one line per row, trailing spaces cut.
pub fn screen(app: &App, width: u16, height: u16) -> String {
    render(width, height, |frame| draw(app, frame))
}

/// What `draw` puts on a `width`×`height` screen, as [`screen`] gives it.
pub fn render(width: u16, height: u16, draw: impl FnOnce(&mut Frame)) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(draw).unwrap();
    let buffer = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..height {
        let row: String = (0..width)
            .map(|x| buffer[(x, y)].symbol().to_string())
            .collect();
        out.push_str(row.trim_end());
        out.push('\n');
    }
    out
}
