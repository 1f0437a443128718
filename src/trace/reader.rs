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
        let number = index + 2;
        let damage = |message: String| Damage {
            line: number,
            message,
        };
        let bytes = match line {
            Ok(bytes) => bytes,
            Err(e) => {
                trace.damage = Some(damage(format!("cannot read: {e}")));
                break;
            }
        };
        if bytes.is_empty() {
            // The newline after the last line.
            continue;
        }
        if trace.footer.is_some() {
            trace.damage = Some(damage("a line after the footer".into()));
            break;
        }
        let text = match std::str::from_utf8(&bytes) {
            Ok(text) => text,
            Err(_) => {
                trace.damage = Some(damage("not UTF-8: garbage".into()));
                break;
            }
        };
        if !text.starts_with("{\"pass\"") {
            match serde_json::from_str::<Footer>(text) {
                Ok(footer) => {
                    if footer.passes != trace.passes.len() as u64 {
                        trace.damage = Some(damage(format!(
                            "the footer counts {} passes but the trace has {}",
                            footer.passes,
                            trace.passes.len()
                        )));
                        break;
                    }
                    trace.footer = Some(footer);
                    continue;
                }
                Err(e) => {
                    trace.damage = Some(damage(describe_json_error(text, &e)));
                    break;
                }
            }
        }
        let pass: PassLine = match serde_json::from_str(text) {
            Ok(pass) => pass,
            Err(e) => {
                trace.damage = Some(damage(describe_json_error(text, &e)));
                break;
            }
        };
        let expected = trace.passes.len() as u64 + 1;
        let problem = if pass.pass != expected {
            Some(format!("pass {} where pass {expected} was due", pass.pass))
        } else if pass.token.len() != fields {
            Some(format!(
                "a token of {} fields; the architecture has {fields}",
                pass.token.len()
            ))
        } else if pass.ip != previous.ip {
            Some(format!(
                "pass {} says it executed instruction {}, but the token before says {}",
                pass.pass, pass.ip, previous.ip
            ))
        } else if previous.status != RunStatus::Running {
            Some(format!("pass {} comes after the run ended", pass.pass))
        } else {
            None
        };
        if let Some(problem) = problem {
            trace.damage = Some(damage(problem));
            break;
        }
        let token = decode(&pass.token);
        if output_fields(&token) != pass.token {
            trace.damage = Some(damage(format!(
                "pass {}: field values out of range: {:?}",
                pass.pass, pass.token
            )));
            break;
        }
        trace.passes.push(RecordedPass { ip: pass.ip, token });
        previous = token;
    }
    Ok(trace)
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
