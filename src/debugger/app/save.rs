//! `W` in the debugger: save the trace so far, so that a session worth
//! keeping becomes a trace (`docs/TRACE.md`) that replays and verifies. The
//! passes up to the one on screen are written, with the footer when the
//! run ended there; otherwise the trace is a prefix.

use std::sync::Arc;

use super::{App, Prompt};
use crate::files::FileContents;
use crate::trace::format::WeightsInfo;
use crate::trace::record::{Engine, Recording, footer_of, write_trace};

/// What a trace needs that the session does not keep: the module's bytes,
/// its name, the initial files and where the weights came from.
#[derive(Debug, Clone)]
pub struct TraceSource {
    pub name: String,
    /// The module as a binary.
    pub wasm: Vec<u8>,
    pub files: FileContents,
    pub weights: Option<WeightsInfo>,
}

impl TraceSource {
    /// The default file name: the program's stem and `.trace.jsonl`.
    pub fn default_path(&self) -> String {
        crate::trace::commands::default_trace_path(std::path::Path::new(&self.name))
            .display()
            .to_string()
    }
}

impl App {
    /// `W`: asks where to save, offering the default name.
    pub(super) fn ask_save_trace(&mut self) {
        match &self.trace_source {
            Some(source) => self.prompt = Some(Prompt::SaveTrace(source.default_path())),
            None => self.message = "this session has no module bytes to save a trace of".into(),
        }
    }

    /// Writes the passes up to the current one to `path`.
    pub(super) fn save_trace(&mut self, path: &str) {
        let Some(source) = self.trace_source.clone() else {
            return;
        };
        let session = &self.session;
        let recording = Recording {
            name: source.name.clone(),
            wasm: source.wasm.clone(),
            program: Arc::clone(session.program()),
            files: source.files.clone(),
            engine: Engine::Transformer,
            weights: Arc::clone(session.model().weights()),
            weights_info: source.weights.clone(),
            max_steps: crate::cli::DEFAULT_MAX_STEPS,
        };
        let passes = session.records_so_far().iter().map(|r| (r.ip, r.token));
        let ended = session.finished() && session.pass() > 0;
        let footer = ended.then(|| footer_of(&session.host().report(), session.pass()));
        let result = std::fs::File::create(path)
            .and_then(|file| write_trace(&recording.header(), passes, footer.as_ref(), file));
        self.message = match result {
            Ok(_) if ended => format!("wrote {path}: {} passes, to the end", session.pass()),
            Ok(_) => format!(
                "wrote {path}: {} passes (a prefix: the run goes on)",
                session.pass()
            ),
            Err(e) => format!("error: cannot write {path}: {e}"),
        };
    }
}
