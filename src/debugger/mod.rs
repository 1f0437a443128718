//! `wasmtf debug`: a terminal debugger that steps the transformer one forward
//! pass per keystroke and shows what happens inside it, with the reference VM
//! alongside to catch the first pass where edited weights go wrong.
//!
//! State and drawing are apart: [`session`] runs the model, [`app`] holds what
//! the user sees and applies [`keymap`] actions, [`view`] draws, and only
//! [`terminal`] touches the terminal.

pub mod app;
pub mod demo;
pub mod keymap;
pub mod layout;
pub mod screenshot;
pub mod session;
pub mod terminal;
pub mod view;

use std::sync::Arc;

use crate::engine::Model;
use crate::files::FileContents;
use crate::program::Program;
use crate::weights::Weights;

/// A debugger state for `program` (the demo when `None`).
pub fn new_app(
    program: Option<Program>,
    files: FileContents,
    weights: Weights,
) -> Result<app::App, String> {
    let (program, files) = match program {
        Some(program) => (program, files),
        None => {
            let demo =
                Program::from_wat(demo::DEMO_NAME, demo::DEMO_SOURCE).map_err(|e| e.to_string())?;
            let files = if files == FileContents::default() {
                demo::demo_files()
            } else {
                files
            };
            (demo, files)
        }
    };
    let model = Arc::new(Model::new(Arc::new(weights)));
    let session = session::DebugSession::new(model, Arc::new(program), files)?;
    Ok(app::App::new(session))
}
