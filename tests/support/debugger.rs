//! The debugger's screen as text, for the tests that drive it by keys.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use wasmtf::debugger::app::App;
use wasmtf::debugger::view::draw;

/// The screen drawn at `width`×`height`, one line per row, trailing spaces cut.
pub fn screen(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| draw(app, frame)).unwrap();
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
