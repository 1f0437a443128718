//! The Stack panel: the depth the sum head computed and the values the stack
//! heads read, each with the pass that pushed it.

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use super::style::{dim, number};
use crate::debugger::app::App;

fn head_index(app: &App, layer: usize, name: &str) -> Option<usize> {
    app.session
        .model()
        .weights()
        .layers
        .get(layer)?
        .heads
        .iter()
        .position(|h| h.name == name)
}

/// The value bits a head read, as a signed integer.
fn bits_value(bits: &[f64]) -> i32 {
    bits.iter()
        .take(32)
        .enumerate()
        .fold(0u32, |acc, (i, &b)| acc | (u32::from(b >= 0.5) << i)) as i32
}

/// Depth from the sum head, and the values the stack heads read, with the
/// pass that pushed each: only the slots that exist at that depth.
pub fn stack(app: &App) -> Vec<Line<'static>> {
    let vm = app.session.vm().stack();
    let shown: Vec<String> = vm.iter().rev().take(8).map(|v| v.to_string()).collect();
    let vm_line = Line::styled(format!("vm after: [{}]", shown.join(", ")), dim());
    let Some(capture) = app.session.capture() else {
        return vec![Line::from("no pass captured yet: press n"), vm_line];
    };
    let mut lines = Vec::new();
    let mut depth = None;
    if let Some(h) = head_index(app, 0, "depth") {
        let total = capture.layers[0].heads[h]
            .value
            .first()
            .copied()
            .unwrap_or(0.0);
        depth = Some(total);
        lines.push(Line::from(vec![
            Span::styled("depth ", Style::default().add_modifier(Modifier::BOLD)),
            Span::raw(format!("{} (sum head)", number(total))),
        ]));
    }
    for (name, below) in [("stack.top", 1.0), ("stack.second", 2.0)] {
        let Some(h) = head_index(app, 1, name) else {
            continue;
        };
        let label = &name[6..];
        if depth.is_some_and(|d| d < below) {
            lines.push(Line::styled(
                format!("{label:<7} — (depth {})", number(depth.unwrap_or(0.0))),
                dim(),
            ));
            continue;
        }
        let head = &capture.layers[1].heads[h];
        let from = head
            .hit
            .and_then(|hit| app.pass_at(hit.position))
            .map_or("—".to_string(), |pass| format!("pass {pass}"));
        lines.push(Line::from(format!(
            "{label:<7} {}  ← {from}",
            bits_value(&head.value)
        )));
    }
    lines.push(vm_line);
    lines
}
