//! `wasmtf screenshot`: scripted debugger screens rendered into a buffer and
//! written as SVG (one rectangle per coloured cell, one text run per stretch of
//! same-coloured glyphs), reproducibly, for the README.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;

use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use ratatui::{Frame, Terminal};

use super::app::{App, LayerItem, Panel};
use super::keymap::Key;
use super::new_app;
use super::session::DebugSession;
use super::view::draw;
use crate::files::FileContents;
use crate::program::Program;
use crate::repl::{Repl, ReplKey};
use crate::trace::reader::read_trace;
use crate::trace::record::{Engine, Recording};
use crate::weights::Weights;

const CELL_W: f64 = 8.4;
const CELL_H: f64 = 17.0;
const BACKGROUND: &str = "#1e1e2e";
const FOREGROUND: &str = "#d4d4d4";

fn hex(color: Color, default: &'static str) -> String {
    match color {
        Color::Reset => default.into(),
        Color::Black => "#1e1e2e".into(),
        Color::Red => "#e06c75".into(),
        Color::Green => "#98c379".into(),
        Color::Yellow => "#e5c07b".into(),
        Color::Blue => "#61afef".into(),
        Color::Magenta => "#c678dd".into(),
        Color::Cyan => "#56b6c2".into(),
        Color::Gray => "#abb2bf".into(),
        Color::DarkGray => "#5c6370".into(),
        Color::White => "#ffffff".into(),
        Color::Rgb(r, g, b) => format!("#{r:02x}{g:02x}{b:02x}"),
        _ => default.into(),
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// An SVG picture of a rendered buffer.
pub fn to_svg(buffer: &Buffer) -> String {
    let (w, h) = (buffer.area.width, buffer.area.height);
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{:.0}" height="{:.0}" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="14">"#,
        f64::from(w) * CELL_W,
        f64::from(h) * CELL_H
    );
    let _ = writeln!(
        svg,
        r#"<rect width="100%" height="100%" fill="{BACKGROUND}"/>"#
    );
    for y in 0..h {
        for x in 0..w {
            let cell = &buffer[(x, y)];
            let reversed = cell.modifier.contains(Modifier::REVERSED);
            let fill = if reversed {
                Some(hex(cell.fg, FOREGROUND))
            } else {
                (cell.bg != Color::Reset).then(|| hex(cell.bg, BACKGROUND))
            };
            if let Some(fill) = fill {
                let _ = writeln!(
                    svg,
                    r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{CELL_H}" fill="{fill}"/>"#,
                    f64::from(x) * CELL_W,
                    f64::from(y) * CELL_H,
                    CELL_W,
                );
            }
        }
        let mut x = 0;
        while x < w {
            let cell = &buffer[(x, y)];
            let reversed = cell.modifier.contains(Modifier::REVERSED);
            let fg = if reversed {
                hex(cell.bg, BACKGROUND)
            } else {
                hex(cell.fg, FOREGROUND)
            };
            let bold = cell.modifier.contains(Modifier::BOLD);
            let start = x;
            let mut text = String::new();
            while x < w {
                let c = &buffer[(x, y)];
                let r = c.modifier.contains(Modifier::REVERSED);
                let f = if r {
                    hex(c.bg, BACKGROUND)
                } else {
                    hex(c.fg, FOREGROUND)
                };
                if f != fg || c.modifier.contains(Modifier::BOLD) != bold {
                    break;
                }
                text.push_str(c.symbol());
                x += 1;
            }
            if !text.trim().is_empty() {
                let weight = if bold { r#" font-weight="bold""# } else { "" };
                let _ = writeln!(
                    svg,
                    r#"<text x="{:.1}" y="{:.1}" fill="{fg}"{weight} xml:space="preserve" textLength="{:.1}">{}</text>"#,
                    f64::from(start) * CELL_W,
                    f64::from(y) * CELL_H + CELL_H * 0.75,
                    (x - start) as f64 * CELL_W,
                    escape(&text)
                );
            }
        }
    }
    svg.push_str("</svg>\n");
    svg
}

fn render(app: &App, width: u16, height: u16) -> Buffer {
    render_with(width, height, |frame| draw(app, frame))
}

fn render_with(width: u16, height: u16, draw: impl FnOnce(&mut Frame)) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("a test terminal");
    terminal.draw(draw).expect("drawing into a buffer");
    terminal.backend().buffer().clone()
}

/// Types `line` into the REPL (and Enter), running what it starts to the end.
fn type_line(repl: &mut Repl, line: &str) {
    for c in line.chars() {
        repl.key(ReplKey::Char(c));
    }
    repl.key(ReplKey::Enter);
    repl.finish_running();
}

fn keys(app: &mut App, text: &str) {
    for c in text.chars() {
        let key = match c {
            '\n' => Key::Enter,
            '\t' => Key::Tab,
            c => Key::Char(c),
        };
        app.key(key);
        app.finish_running();
    }
}

/// The demo's trace, recorded with `weights`.
fn demo_trace(weights: &Weights) -> Result<crate::trace::reader::Trace, String> {
    let name = super::demo::DEMO_NAME;
    let program = Program::from_wat(name, super::demo::DEMO_SOURCE).map_err(|e| e.to_string())?;
    let recording = Recording {
        name: name.into(),
        wasm: Program::wasm_binary(name, super::demo::DEMO_SOURCE.as_bytes())
            .map_err(|e| e.to_string())?,
        program: Arc::new(program),
        files: super::demo::demo_files(),
        engine: Engine::Transformer,
        weights: Arc::new(weights.clone()),
        weights_info: None,
        max_steps: 1_000_000,
    };
    let mut bytes = Vec::new();
    recording.record(&mut bytes, &mut |_| {})?;
    read_trace(name, bytes.as_slice())
}

/// Selects head `name` in Layers, in the layer that has it.
fn select_head(app: &mut App, name: &str) {
    let weights = Arc::clone(app.session.model().weights());
    for (l, layer) in weights.layers.iter().enumerate() {
        if let Some(h) = layer.heads.iter().position(|h| h.name == name) {
            app.layer = l;
            app.item = Some(LayerItem::Head(h));
            app.focus = Panel::Layers;
        }
    }
}

/// Writes the scripted screens into `dir`; returns the files written.
pub fn write_screenshots(dir: &Path, weights: &Weights) -> Result<Vec<String>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut written = Vec::new();
    let mut save = |name: &str, buffer: &Buffer| -> Result<(), String> {
        let path = dir.join(format!("{name}.svg"));
        std::fs::write(&path, to_svg(buffer))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        written.push(path.display().to_string());
        Ok(())
    };
    // The overview: the demo in its first loop.
    let mut app = new_app(None, FileContents::default(), weights.clone())?;
    keys(&mut app, "g30\n");
    save("overview", &render(&app, 160, 48))?;
    // A layer with its heads and neurons: `sum · 31` (instruction 29) in the
    // second iteration, stopped at by a breakpoint, then executed.
    app.selected = 29;
    keys(&mut app, "bcn1>");
    app.focus = Panel::Layers;
    save("layer", &render(&app, 160, 48))?;
    // A divergence caught under edited weights: subtraction neurons zeroed.
    let mut edited = weights.clone();
    edited.ablate_neurons("alu.sub");
    let mut app = new_app(None, FileContents::default(), edited)?;
    keys(&mut app, "c1>");
    save("divergence", &render(&app, 160, 48))?;
    // Following a value: file 1's first byte back to the fd_write that wrote
    // it, through the stack head to the i32.load that pushed it, and through
    // a memory head to the i32.store it read.
    let mut app = new_app(None, FileContents::default(), weights.clone())?;
    app.key(Key::End);
    app.finish_running();
    app.focus = Panel::Files;
    app.cursors.file = app.file_lengths()[0];
    keys(&mut app, "f");
    select_head(&mut app, crate::interpreter::roles::STACK_READS[0].0.name);
    keys(&mut app, "f");
    select_head(&mut app, "mem.0.0");
    keys(&mut app, "f");
    app.focus = Panel::Memory;
    save("follow", &render(&app, 160, 48))?;
    // The REPL: three lines typed and executed (the multiplication's neurons
    // in Layers), and a fourth refused in place.
    let mut repl = crate::repl::new_repl(weights.clone(), FileContents::default(), 20_000)?;
    for line in ["i32.const 6", "i32.const 7", "i32.mul"] {
        type_line(&mut repl, line);
    }
    let app = repl.session.app_mut();
    if let Some(layer) = weights
        .layers
        .iter()
        .position(|l| l.neuron_names.iter().any(|n| n.starts_with("alu.mul")))
    {
        app.layer = layer;
    }
    app.focus = Panel::Layers;
    type_line(&mut repl, "i32.div_s");
    save(
        "repl",
        &render_with(160, 48, |frame| crate::repl::view::draw(&repl, frame)),
    )?;
    // A replay under edited weights: the demo's trace, recorded with the
    // built-in weights, fed to weights without the adder; each i32.add
    // disagrees with the recording and is marked on the timeline.
    let trace = demo_trace(weights)?;
    let mut edited = weights.clone();
    edited.ablate_neurons("alu.add");
    let model = Arc::new(crate::engine::Model::new(Arc::new(edited)));
    let mut app = App::new(DebugSession::replaying(model, &trace)?);
    keys(&mut app, "]]]");
    app.focus = Panel::Timeline;
    save("replay", &render(&app, 160, 48))?;
    // The small-terminal layout.
    let mut app = new_app(None, FileContents::default(), weights.clone())?;
    keys(&mut app, "g30\n\t\t");
    save("small", &render(&app, 80, 24))?;
    Ok(written)
}
