//! Where each panel sits on a screen of a given size. One pure function
//! serves both drawing and the mouse, so a click always lands on the panel
//! that was drawn there.
//!
//! Wide terminals (at least [`WIDE`]) show every panel at once, with the
//! timeline across the middle; smaller ones show the focused panel under a
//! tab bar. The status line is always the bottom two rows.

use ratatui::layout::{Constraint, Layout, Rect};

use super::app::Panel;

/// Smallest terminal with all panels at once.
pub const WIDE: (u16, u16) = (120, 36);

/// Smallest terminal the debugger draws on at all.
pub const SMALLEST: (u16, u16) = (20, 5);

/// Rows of the timeline strip in the wide layout (with its border).
pub const TIMELINE_ROWS: u16 = 5;

/// The screen divided: the panels shown with their outer rectangles, the
/// tab bar (narrow screens only) and the status rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScreenLayout {
    pub panels: Vec<(Panel, Rect)>,
    pub tabs: Option<Rect>,
    pub status: Rect,
}

impl ScreenLayout {
    /// The panel drawn at column `x`, row `y`.
    pub fn panel_at(&self, x: u16, y: u16) -> Option<(Panel, Rect)> {
        self.panels
            .iter()
            .copied()
            .find(|(_, r)| x >= r.x && x < r.right() && y >= r.y && y < r.bottom())
    }

    pub fn rect_of(&self, panel: Panel) -> Option<Rect> {
        self.panels
            .iter()
            .find(|(p, _)| *p == panel)
            .map(|(_, r)| *r)
    }
}

/// Whether `area` shows every panel at once.
pub fn is_wide(area: Rect) -> bool {
    area.width >= WIDE.0 && area.height >= WIDE.1
}

/// The layout of a screen of size `area` with `focus` focused; `None` when the
/// screen is too small to draw anything.
pub fn screen_layout(area: Rect, focus: Panel) -> Option<ScreenLayout> {
    if area.width < SMALLEST.0 || area.height < SMALLEST.1 {
        return None;
    }
    let [body, status] = Layout::vertical([Constraint::Min(1), Constraint::Length(2)]).areas(area);
    if is_wide(area) {
        return Some(ScreenLayout {
            panels: wide(body),
            tabs: None,
            status,
        });
    }
    let [tabs, panel] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(body);
    Some(ScreenLayout {
        panels: vec![(focus, panel)],
        tabs: Some(tabs),
        status,
    })
}

fn wide(area: Rect) -> Vec<(Panel, Rect)> {
    let [top, timeline, bottom] = Layout::vertical([
        Constraint::Percentage(58),
        Constraint::Length(TIMELINE_ROWS),
        Constraint::Min(6),
    ])
    .areas(area);
    let [program, middle, layers] = Layout::horizontal([
        Constraint::Percentage(28),
        Constraint::Percentage(22),
        Constraint::Percentage(50),
    ])
    .areas(top);
    let [stack, locals, loops] = Layout::vertical([
        Constraint::Percentage(40),
        Constraint::Percentage(30),
        Constraint::Percentage(30),
    ])
    .areas(middle);
    let [memory, files, output, logits] = Layout::horizontal([
        Constraint::Percentage(30),
        Constraint::Percentage(30),
        Constraint::Percentage(12),
        Constraint::Percentage(28),
    ])
    .areas(bottom);
    vec![
        (Panel::Program, program),
        (Panel::Stack, stack),
        (Panel::Locals, locals),
        (Panel::Loop, loops),
        (Panel::Layers, layers),
        (Panel::Timeline, timeline),
        (Panel::Memory, memory),
        (Panel::Files, files),
        (Panel::Output, output),
        (Panel::Logits, logits),
    ]
}

/// The tab bar's titles: the panels' names, or short ones when those do
/// not fit in `width` columns.
pub fn tab_titles(width: u16) -> Vec<&'static str> {
    let full: Vec<&str> = Panel::ALL.iter().map(|p| p.title()).collect();
    if tabs_width(&full) <= width as usize {
        full
    } else {
        Panel::ALL.iter().map(|p| p.short_title()).collect()
    }
}

/// Columns `Tabs` takes for `titles`: a space either side of each, and a
/// one-column divider between them.
fn tabs_width(titles: &[&str]) -> usize {
    titles.iter().map(|t| t.chars().count() + 2).sum::<usize>() + titles.len() - 1
}

/// The panel whose tab is at column `x` of a tab bar `width` columns wide.
pub fn tab_at(x: u16, width: u16) -> Option<Panel> {
    let mut start = 0usize;
    for (panel, title) in Panel::ALL.iter().zip(tab_titles(width)) {
        let end = start + title.chars().count() + 2;
        if (x as usize) < end {
            return Some(*panel);
        }
        start = end + 1;
    }
    None
}

/// The inside of a bordered panel.
pub fn inner(rect: Rect) -> Rect {
    Rect::new(
        rect.x.saturating_add(1),
        rect.y.saturating_add(1),
        rect.width.saturating_sub(2),
        rect.height.saturating_sub(2),
    )
}

/// Bytes per row of a hex view `width` columns wide: an offset column, then
/// `xx ` per byte and one text column per byte; a power of two from 4 to 32.
pub fn bytes_per_row(width: usize) -> usize {
    [32, 16, 8]
        .into_iter()
        .find(|&n| HEX_OFFSET_COLUMNS + 4 * n <= width)
        .unwrap_or(4)
}

/// The first of `len` rows to show in `height` rows so that row `cursor`
/// is in view, near the middle when it can be.
pub fn window(cursor: usize, len: usize, height: usize) -> usize {
    cursor
        .saturating_sub(height / 2)
        .min(len.saturating_sub(height))
}

/// Rows above the slots in the Stack panel (the depth and the heads' reads).
pub const STACK_HEADER_ROWS: usize = 4;

/// Rows above the bytes in the Memory panel.
pub const MEMORY_HEADER_ROWS: usize = 1;

/// Columns before the first byte of a hex row (`0a40 `).
pub const HEX_OFFSET_COLUMNS: usize = 5;
