//! The mouse: a click focuses the panel under it and selects what it points
//! at (a listing line, a stack slot, a local, a byte, a pass on the
//! timeline, a tab); the wheel scrolls the panel under it. Hit-testing uses
//! the same layout the screen was drawn with.

use super::{App, FileLine, Panel};
use crate::debugger::keymap::Action;
use crate::debugger::layout::{
    self, HEX_OFFSET_COLUMNS, MEMORY_HEADER_ROWS, STACK_HEADER_ROWS, screen_layout, window,
};

/// A mouse event at a screen cell, independent of the terminal library.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mouse {
    Click { x: u16, y: u16 },
    WheelUp { x: u16, y: u16 },
    WheelDown { x: u16, y: u16 },
}

/// Lines the wheel moves per notch.
const WHEEL_LINES: isize = 3;

impl App {
    pub fn mouse(&mut self, event: Mouse) {
        if self.running.is_some() {
            if let Mouse::Click { .. } = event {
                self.interrupt();
            }
            return;
        }
        if self.help {
            match event {
                Mouse::WheelDown { .. } => self.scrolls.help += 1,
                Mouse::WheelUp { .. } => self.scrolls.help = self.scrolls.help.saturating_sub(1),
                Mouse::Click { .. } => self.help = false,
            }
            return;
        }
        let Some(screen) = screen_layout(self.drawn.get(), self.focus) else {
            return;
        };
        match event {
            Mouse::Click { x, y } => {
                if let Some(tabs) = screen.tabs
                    && y == tabs.y
                {
                    if let Some(panel) = layout::tab_at(x.saturating_sub(tabs.x), tabs.width) {
                        self.focus = panel;
                    }
                    return;
                }
                if let Some((panel, rect)) = screen.panel_at(x, y) {
                    self.focus = panel;
                    let inner = layout::inner(rect);
                    if x >= inner.x && y >= inner.y && x < inner.right() && y < inner.bottom() {
                        self.click_in(panel, (x - inner.x) as usize, (y - inner.y) as usize);
                    }
                }
            }
            Mouse::WheelUp { x, y } | Mouse::WheelDown { x, y } => {
                let Some((panel, _)) = screen.panel_at(x, y) else {
                    return;
                };
                let down = matches!(event, Mouse::WheelDown { .. });
                let focus = std::mem::replace(&mut self.focus, panel);
                self.wheel(panel, if down { WHEEL_LINES } else { -WHEEL_LINES });
                if panel != Panel::Timeline {
                    self.focus = focus;
                }
            }
        }
    }

    fn wheel(&mut self, panel: Panel, lines: isize) {
        match panel {
            Panel::Timeline => self.timeline_step(lines.signum()),
            _ => {
                let action = if lines > 0 { Action::Down } else { Action::Up };
                for _ in 0..lines.unsigned_abs() {
                    self.update(action);
                }
            }
        }
    }

    /// A click at column `col`, row `row` inside `panel`.
    fn click_in(&mut self, panel: Panel, col: usize, row: usize) {
        let height = self.panel_inner(panel).map_or(0, |r| r.height as usize);
        match panel {
            Panel::Program => {
                let count = self.session.program().instructions.len();
                let line = self.listing_first(height) + row;
                if line < count {
                    self.selected = line;
                }
            }
            Panel::Stack => {
                let depth = self.session.machine().stack().len();
                let room = height.saturating_sub(STACK_HEADER_ROWS);
                if let Some(slot) = row.checked_sub(STACK_HEADER_ROWS) {
                    let slot = window(self.cursors.stack, depth, room) + slot;
                    if slot < depth {
                        self.cursors.stack = slot;
                    }
                }
            }
            Panel::Locals => {
                let count = self.session.machine().locals().len();
                let local = window(self.cursors.local, count, height) + row;
                if local < count {
                    self.cursors.local = local;
                }
            }
            Panel::Memory => {
                let per_row = self.bytes_per_row(Panel::Memory);
                let size = self.session.program().memory_bytes;
                let Some(row) = row.checked_sub(MEMORY_HEADER_ROWS) else {
                    return;
                };
                let rows = size.div_ceil(per_row);
                let room = height.saturating_sub(MEMORY_HEADER_ROWS);
                let first = window(self.cursors.memory / per_row, rows, room);
                if let Some(byte) = byte_at_column(col, per_row) {
                    let address = (first + row) * per_row + byte;
                    if address < size {
                        self.cursors.memory = address;
                    }
                }
            }
            Panel::Files => {
                let per_row = self.bytes_per_row(Panel::Files);
                let (lines, first) = self.files_window(per_row, height);
                if let (Some(FileLine::Row { file, start }), Some(byte)) =
                    (lines.get(first + row), byte_at_column(col, per_row))
                {
                    self.select_file_byte(*file, start + byte);
                }
            }
            Panel::Timeline => {
                let scale = self.timeline_scale();
                if scale.passes > 0 && col < scale.used_columns() {
                    let target = *scale.passes_in(col).end();
                    self.go_to(target);
                }
            }
            _ => {}
        }
    }

    /// The first instruction the listing shows in `height` rows.
    pub fn listing_first(&self, height: usize) -> usize {
        let count = self.session.program().instructions.len();
        window(self.selected.min(count.saturating_sub(1)), count, height)
    }
}

/// The byte of a hex row (`0040 xx xx … text`) under column `col`: in the
/// hex columns or in the text.
fn byte_at_column(col: usize, per_row: usize) -> Option<usize> {
    let hex_end = HEX_OFFSET_COLUMNS + 3 * per_row;
    let byte = match col.checked_sub(hex_end) {
        Some(text) => text,
        None => col.checked_sub(HEX_OFFSET_COLUMNS)? / 3,
    };
    (byte < per_row).then_some(byte)
}
