//! Writing a trace as the run goes: the header first, then a line per pass,
//! flushed every [`FLUSH_EVERY`] passes or [`FLUSH_INTERVAL`], so that a
//! recording killed half-way leaves a prefix that replays; the footer last.
//!
//! Each line is formatted whole before it is written, so the buffer only
//! ever hands the file complete lines.

use std::io::{self, BufWriter, Write};
use std::time::{Duration, Instant};

use super::format::{Footer, Header, PassLine};
use crate::interpreter::prompt::output_fields;
use crate::interpreter::tokens::TraceToken;

/// Passes between flushes at most.
pub const FLUSH_EVERY: u64 = 4096;

/// Time between flushes at most (checked as passes are written).
pub const FLUSH_INTERVAL: Duration = Duration::from_secs(1);

pub struct TraceWriter<W: Write> {
    out: BufWriter<W>,
    passes: u64,
    unflushed: u64,
    flushed_at: Instant,
}

impl<W: Write> TraceWriter<W> {
    /// Starts a trace with its header (flushed at once).
    pub fn new(out: W, header: &Header) -> io::Result<TraceWriter<W>> {
        let mut writer = TraceWriter {
            out: BufWriter::with_capacity(1 << 16, out),
            passes: 0,
            unflushed: 0,
            flushed_at: Instant::now(),
        };
        writer.line(&serde_json::to_string(header).map_err(io::Error::other)?)?;
        writer.flush()?;
        Ok(writer)
    }

    /// Writes pass `pass`, which executed instruction `ip` and emitted `token`.
    pub fn pass(&mut self, pass: u64, ip: i64, token: &TraceToken) -> io::Result<()> {
        let line = PassLine {
            pass,
            ip,
            token: output_fields(token),
            means: token.describe(),
        };
        self.line(&serde_json::to_string(&line).map_err(io::Error::other)?)?;
        self.passes += 1;
        self.unflushed += 1;
        if self.unflushed >= FLUSH_EVERY
            || (self.unflushed.is_multiple_of(64) && self.flushed_at.elapsed() >= FLUSH_INTERVAL)
        {
            self.flush()?;
        }
        Ok(())
    }

    /// Pass lines written so far.
    pub fn passes(&self) -> u64 {
        self.passes
    }

    /// Ends the trace with its footer, flushed.
    pub fn finish(mut self, footer: &Footer) -> io::Result<W> {
        self.line(&serde_json::to_string(footer).map_err(io::Error::other)?)?;
        self.flush()?;
        self.out.into_inner().map_err(|e| e.into_error())
    }

    /// Ends a trace that stops before its run did (no footer): a prefix.
    pub fn finish_prefix(mut self) -> io::Result<W> {
        self.flush()?;
        self.out.into_inner().map_err(|e| e.into_error())
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.unflushed = 0;
        self.flushed_at = Instant::now();
        self.out.flush()
    }

    fn line(&mut self, text: &str) -> io::Result<()> {
        let mut line = String::with_capacity(text.len() + 1);
        line.push_str(text);
        line.push('\n');
        self.out.write_all(line.as_bytes())
    }
}
