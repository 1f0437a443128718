//! Reading a trace back, checking everything it claims. A header that
//! cannot be used (garbage, another format or version, a module whose
//! sha256 does not match, a prompt that is not the module's) is an error
//! naming line 1. A pass line that is damaged (cut short, garbage, out of
//! order, a token that does not follow from the one before) ends the usable
//! part: the passes before it are kept and the damage is reported with its
//! line, so the debugger can replay the prefix while `--verify` refuses it.

use std::io::BufRead;
use std::sync::Arc;

use base64::Engine as _;

use super::format::{FORMAT, Footer, Header, PassLine, VERSION, unhex};
use super::record::{encoded_file_memory, encoded_prompt, sha256};
use crate::files::{FILE_COUNT, FileContents};
use crate::interpreter::prompt::{decode, output_fields};
use crate::interpreter::tokens::{RunStatus, TraceToken};
use crate::program::Program;

/// One recorded pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordedPass {
    /// The instruction it executed.
    pub ip: i64,
    pub token: TraceToken,
}

/// Where a trace stops being usable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damage {
    /// 1-based line number.
    pub line: usize,
    pub message: String,
}

/// A trace read back.
#[derive(Debug, Clone)]
pub struct Trace {
    pub header: Header,
    pub program: Arc<Program>,
    pub files: FileContents,
    pub passes: Vec<RecordedPass>,
    pub footer: Option<Footer>,
    pub damage: Option<Damage>,
}

impl Trace {
    /// Why the trace is not complete, if it is not: damage, or no footer.
    pub fn incomplete(&self) -> Option<String> {
        match (&self.damage, &self.footer) {
            (Some(d), _) => Some(format!("line {}: {}", d.line, d.message)),
            (None, None) => Some(format!(
                "the trace ends early, after pass {} (no footer: a prefix, or an interrupted recording)",
                self.passes.len()
            )),
            (None, Some(_)) => None,
        }
    }
}

/// Reads a trace from `input`; `name` prefixes messages (`NAME:LINE: …`).
pub fn read_trace(name: &str, input: impl BufRead) -> Result<Trace, String> {
    let mut lines = input.split(b'\n');
    let first = match lines.next() {
        Some(Ok(bytes)) => bytes,
        Some(Err(e)) => return Err(format!("{name}: cannot read: {e}")),
        None => return Err(format!("{name}:1: the file is empty, not a trace")),
    };
    let (header, program, files) =
        read_header(&first).map_err(|message| format!("{name}:1: {message}"))?;
    let fields = header.architecture.output_fields.len();
    let mut trace = Trace {
        header,
        program,
        files,
        passes: Vec::new(),
        footer: None,
        damage: None,
    };
    let mut previous = TraceToken::start();
    for (index, line) in lines.enumerate() {
        let read = match line {
            Ok(bytes) => read_line(&mut trace, &bytes, previous, fields),
            Err(e) => Err(format!("cannot read: {e}")),
        };
        match read {
            Ok(Some(token)) => previous = token,
            Ok(None) => {}
            Err(message) => {
                let line = index + 2;
                trace.damage = Some(Damage { line, message });
                break;
            }
        }
    }
    Ok(trace)
}

/// One line after the header: a pass (appended to `trace`, and returned), the
/// footer, or the empty remainder after the last newline; or what is wrong
/// with it. `previous` is the token of the pass before.
fn read_line(
    trace: &mut Trace,
    bytes: &[u8],
    previous: TraceToken,
    fields: usize,
) -> Result<Option<TraceToken>, String> {
    if bytes.is_empty() {
        // The newline after the last line.
        return Ok(None);
    }
    if trace.footer.is_some() {
        return Err("a line after the footer".into());
    }
    let text = std::str::from_utf8(bytes).map_err(|_| "not UTF-8: garbage".to_string())?;
    if !text.starts_with("{\"pass\"") {
        let footer: Footer =
            serde_json::from_str(text).map_err(|e| describe_json_error(text, &e))?;
        if footer.passes != trace.passes.len() as u64 {
            return Err(format!(
                "the footer counts {} passes but the trace has {}",
                footer.passes,
                trace.passes.len()
            ));
        }
        trace.footer = Some(footer);
        return Ok(None);
    }
    let pass: PassLine = serde_json::from_str(text).map_err(|e| describe_json_error(text, &e))?;
    check_pass(&pass, trace.passes.len() as u64 + 1, previous, fields)?;
    let token = decode(&pass.token);
    if output_fields(&token) != pass.token {
        return Err(format!(
            "pass {}: field values out of range: {:?}",
            pass.pass, pass.token
        ));
    }
    trace.passes.push(RecordedPass { ip: pass.ip, token });
    Ok(Some(token))
}

/// Whether `pass` can follow `previous` as pass `expected` of a trace whose
/// tokens have `fields` fields.
fn check_pass(
    pass: &PassLine,
    expected: u64,
    previous: TraceToken,
    fields: usize,
) -> Result<(), String> {
    if pass.pass != expected {
        return Err(format!("pass {} where pass {expected} was due", pass.pass));
    }
    if pass.token.len() != fields {
        return Err(format!(
            "a token of {} fields; the architecture has {fields}",
            pass.token.len()
        ));
    }
    if pass.ip != previous.ip {
        return Err(format!(
            "pass {} says it executed instruction {}, but the token before says {}",
            pass.pass, pass.ip, previous.ip
        ));
    }
    if previous.status != RunStatus::Running {
        return Err(format!("pass {} comes after the run ended", pass.pass));
    }
    Ok(())
}

fn describe_json_error(text: &str, error: &serde_json::Error) -> String {
    if error.is_eof() {
        format!("the line is cut short ({} bytes): {error}", text.len())
    } else {
        format!("not a trace line: {error}")
    }
}

/// Parses and checks the header: its format and version, the module
/// against its sha256, and the prompt and file memory against the module
/// and files.
fn read_header(bytes: &[u8]) -> Result<(Header, Arc<Program>, FileContents), String> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| format!("not a trace header: {e}"))?;
    match value.get("format").and_then(|f| f.as_str()) {
        Some(FORMAT) => {}
        Some(other) => return Err(format!("format {other:?}, not {FORMAT:?}")),
        None => return Err("not a trace: the first line has no \"format\"".into()),
    }
    match value.get("version").and_then(|v| v.as_u64()) {
        Some(v) if v == u64::from(VERSION) => {}
        Some(v) => {
            return Err(format!(
                "trace format version {v}; this wasmtf reads version {VERSION}"
            ));
        }
        None => return Err("the header has no version".into()),
    }
    let header: Header =
        serde_json::from_value(value).map_err(|e| format!("a damaged header: {e}"))?;
    let wasm = base64::engine::general_purpose::STANDARD
        .decode(&header.program.wasm)
        .map_err(|e| format!("the program's bytes are not base64: {e}"))?;
    let sum = sha256(&wasm);
    if sum != header.program.sha256 {
        return Err(format!(
            "the program's sha256 is {sum}, but the header says {}: the module was altered",
            header.program.sha256
        ));
    }
    let program = Program::from_bytes(&header.program.name, &wasm).map_err(|e| e.to_string())?;
    let mut files = FileContents::default();
    for (number, text) in &header.files {
        let n: usize = number
            .parse()
            .ok()
            .filter(|&n| n < FILE_COUNT)
            .ok_or_else(|| format!("no file {number:?}"))?;
        let bytes = unhex(text).ok_or_else(|| format!("file {n} is not hex"))?;
        files.set(n, bytes)?;
    }
    if header.prompt != encoded_prompt(&program) {
        return Err("the prompt in the header is not the program's".into());
    }
    if header.file_memory != encoded_file_memory(&files) {
        return Err("the file memory in the header is not the files'".into());
    }
    Ok((header, Arc::new(program), files))
}
