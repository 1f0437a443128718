//! Moving the selection inside the panels that hold values: a stack slot, a
//! local, a memory address, a byte of the files, and steps along the
//! timeline. Rows of bytes are as wide as the panel was last drawn, so ↑/↓
//! move by one row on screen.

use super::{App, Panel};

/// A line of the Files panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileLine {
    Header(usize),
    Row { file: usize, start: usize },
}
use crate::debugger::layout::{self, bytes_per_row, screen_layout, window};

impl App {
    /// The inside of `panel` as last drawn (the focused panel's on narrow screens).
    pub fn panel_inner(&self, panel: Panel) -> Option<ratatui::layout::Rect> {
        screen_layout(self.drawn.get(), self.focus)?
            .rect_of(panel)
            .map(layout::inner)
    }

    /// Bytes per row in the Memory or Files panel as last drawn.
    pub fn bytes_per_row(&self, panel: Panel) -> usize {
        self.panel_inner(panel)
            .map_or(16, |r| bytes_per_row(r.width as usize))
    }

    /// The files' bytes, as the trace wrote them, in order: `(file, length)`.
    pub(crate) fn file_lengths(&self) -> Vec<usize> {
        self.session
            .host()
            .files()
            .0
            .iter()
            .map(|f| f.len())
            .collect()
    }

    /// The Files panel's lines with `per_row` bytes a row: each file's
    /// header, then its rows (one more for the cursor at the end of an open
    /// file). Drawing and clicks both use it.
    pub fn file_lines(&self, per_row: usize) -> Vec<FileLine> {
        let machine = self.session.machine();
        let mut lines = Vec::new();
        for (file, len) in self.file_lengths().into_iter().enumerate() {
            lines.push(FileLine::Header(file));
            let (open, _) = machine.file_state(file);
            let rows = (len + usize::from(open)).div_ceil(per_row.max(1));
            lines.extend((0..rows).map(|row| FileLine::Row {
                file,
                start: row * per_row,
            }));
        }
        lines
    }

    /// The Files panel's lines and the first one shown in `height` rows, so
    /// that the selected byte is in view.
    pub fn files_window(&self, per_row: usize, height: usize) -> (Vec<FileLine>, usize) {
        let lines = self.file_lines(per_row);
        let selected = self
            .file_cursor()
            .and_then(|(f, offset)| {
                lines.iter().position(|line| {
                    matches!(*line, FileLine::Row { file, start }
                        if file == f && (start..start + per_row).contains(&offset))
                })
            })
            .unwrap_or(0);
        let first = window(selected, lines.len(), height);
        (lines, first)
    }

    /// Selects byte `offset` of `file`, when it exists.
    pub fn select_file_byte(&mut self, file: usize, offset: usize) {
        if self
            .file_lengths()
            .get(file)
            .is_some_and(|&len| offset < len)
        {
            self.cursors.file = self.file_index(file, offset);
        }
    }

    /// The file and offset of the selected file byte, if any file has bytes.
    pub fn file_cursor(&self) -> Option<(usize, usize)> {
        let lengths = self.file_lengths();
        let total: usize = lengths.iter().sum();
        if total == 0 {
            return None;
        }
        let mut index = self.cursors.file.min(total - 1);
        for (f, len) in lengths.into_iter().enumerate() {
            if index < len {
                return Some((f, index));
            }
            index -= len;
        }
        None
    }

    fn file_index(&self, file: usize, offset: usize) -> usize {
        self.file_lengths().iter().take(file).sum::<usize>() + offset
    }

    /// ←/→ in a byte panel or the timeline: one byte, or one timeline column.
    pub(super) fn sideways(&mut self, forward: bool) {
        let step = |value: usize, max: usize| {
            if forward {
                (value + 1).min(max)
            } else {
                value.saturating_sub(1)
            }
        };
        match self.focus {
            Panel::Memory => {
                let max = self.session.program().memory_bytes.saturating_sub(1);
                self.cursors.memory = step(self.cursors.memory, max);
            }
            Panel::Files => {
                let total: usize = self.file_lengths().iter().sum();
                self.cursors.file = step(self.cursors.file, total.saturating_sub(1));
            }
            Panel::Timeline => self.timeline_step(if forward { 1 } else { -1 }),
            _ => {}
        }
    }

    /// ↑/↓ (delta ±1) and PgUp/PgDn (±10) in the panels that select values.
    pub(super) fn vertical(&mut self, delta: isize) {
        let move_by = |value: usize, by: isize, max: usize| {
            (value as isize + by).clamp(0, max as isize) as usize
        };
        match self.focus {
            Panel::Stack => {
                let max = self.session.machine().stack().len().saturating_sub(1);
                self.cursors.stack = move_by(self.cursors.stack, delta, max);
            }
            Panel::Locals => {
                let max = self.session.machine().locals().len().saturating_sub(1);
                self.cursors.local = move_by(self.cursors.local, delta, max);
            }
            Panel::Memory => {
                let row = self.bytes_per_row(Panel::Memory) as isize;
                let max = self.session.program().memory_bytes.saturating_sub(1);
                self.cursors.memory = move_by(self.cursors.memory, delta * row, max);
            }
            Panel::Files => self.file_rows(delta),
            Panel::Timeline => self.timeline_step(delta),
            _ => {}
        }
    }

    /// Moves the file byte by rows, into the next or previous file with
    /// bytes at the ends of one.
    fn file_rows(&mut self, delta: isize) {
        let Some((mut file, offset)) = self.file_cursor() else {
            return;
        };
        let lengths = self.file_lengths();
        let row = self.bytes_per_row(Panel::Files);
        let column = offset % row;
        let mut offset = offset as isize;
        for _ in 0..delta.unsigned_abs() {
            let next = offset + delta.signum() * row as isize;
            if next >= 0 && (next as usize) < lengths[file] {
                offset = next;
                continue;
            }
            let neighbour = if delta > 0 {
                (file + 1..lengths.len()).find(|&f| lengths[f] > 0)
            } else {
                (0..file).rev().find(|&f| lengths[f] > 0)
            };
            let Some(f) = neighbour else { break };
            file = f;
            offset = if delta > 0 {
                column.min(lengths[f] - 1) as isize
            } else {
                let last_row = (lengths[f] - 1) / row * row;
                (last_row + column).min(lengths[f] - 1) as isize
            };
        }
        self.cursors.file = self.file_index(file, offset as usize);
    }
}
