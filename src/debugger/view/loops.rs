//! The Loop panel: the instruction pointer as the model emitted it and the
//! iteration of each loop around it.

use ratatui::text::Line;

use super::style::dim;
use crate::debugger::app::App;
use crate::debugger::session::PassRecord;
use crate::program::BlockKind;

/// The instruction pointer as the model emitted it, and the loops around it.
pub fn loops(app: &App) -> Vec<Line<'static>> {
    let session = &app.session;
    let ip = app.current_ip();
    let mut lines = vec![Line::from(match session.pass() {
        0 => format!("ip {ip}: where the prompt starts"),
        pass => format!("ip {ip}: executed by pass {pass}"),
    })];
    if let Some(next) = session.next_instruction() {
        lines.push(Line::styled(
            format!("next ip {next}, from pass {}'s token", session.pass()),
            dim(),
        ));
    }
    let program = session.program();
    let records = session.records_so_far();
    for block in program
        .enclosing_blocks(ip)
        .iter()
        .filter(|b| b.kind == BlockKind::Loop)
    {
        // Iterations since the loop was last entered: one, plus every jump back
        // to its head from inside it.
        let inside = |r: &&PassRecord| {
            usize::try_from(r.ip).is_ok_and(|i| (block.start..block.end).contains(&i))
        };
        let back_edges = records
            .iter()
            .rev()
            .take_while(inside)
            .filter(|r| r.token.ip == block.start as i64)
            .count();
        lines.push(Line::from(format!(
            "loop @{}..{}: iteration {}",
            block.start,
            block.end,
            back_edges + 1
        )));
    }
    if !lines.iter().any(|l| l.to_string().starts_with("loop")) {
        lines.push(Line::styled("not inside a loop", dim()));
    }
    lines
}
