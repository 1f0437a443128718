//! The four files.
//!
//! - layer 1: which file an operation names: `f.eq_k = [unsigned(f) == k]`, a
//!   hat (f is the top, or for `fd_write` the one below); none of them for any
//!   other number.
//! - layer 2: `file.state`, a [`Lookup::exact_or_default`] keyed by file number
//!   over the trace tokens that carry a file's state (open flag and cursor,
//!   emitted by every file operation); BOS, the default, stands for "closed,
//!   cursor 0". Then the traps: not open, and full (a write at cursor 4096).
//! - layer 3: `file.byte.f`, four cross-attention heads, one per file, the same
//!   lookup over a memory of entries keyed by offset: the initial contents, then
//!   the key/value vectors these heads project at every write token, latest
//!   first; the end marker is the default, answering when no byte is at the
//!   cursor. Then the byte read (or −1), and the file's next state.

use super::dims::Dims;
use super::tokens::OpClass::{FdClose, FdOpen, FdRead, FdWrite};
use super::{L_FILES, L_MEMORY, L_STACK};
use crate::circuit::gadgets::{Enable, Layers, Lookup, unsigned};
use crate::circuit::{Dim, HeadKind, Lin};
use crate::files::MAX_FILE_BYTES;

pub(super) fn build(d: &Dims, net: &mut Layers) {
    file_number(d, net);
    state(d, net);
    checks(d, net);
    bytes(d, net);
    results(d, net);
}

fn file_number(d: &Dims, net: &mut Layers) {
    let top_ops = d.op(FdOpen) + d.op(FdRead) + d.op(FdClose);
    for k in 0..4 {
        let eq = d.f_eq[k];
        let from_top = unsigned(&d.top) - k as f64;
        net.equals_zero(
            L_STACK,
            &format!("files.number.top={k}"),
            from_top,
            Enable::when(top_ops.clone()),
            &[(eq, 1.0)],
        );
        let from_second = unsigned(&d.second) - k as f64;
        net.equals_zero(
            L_STACK,
            &format!("files.number.second={k}"),
            from_second,
            Enable::when(d.op(FdWrite)),
            &[(eq, 1.0)],
        );
    }
}

/// The operation names one of the four files.
fn valid(d: &Dims) -> Lin {
    d.f_eq
        .iter()
        .fold(Lin::zero(), |acc, &eq| acc + Lin::dim(eq))
}

fn state(d: &Dims, net: &mut Layers) {
    let number = Lin::sum((0..4).map(|k| (d.f_eq[k], k as f64)));
    let number_sq = Lin::sum((0..4).map(|k| (d.f_eq[k], (k * k) as f64)));
    let head = Lookup::exact_or_default(
        number,
        number_sq,
        d.tok.file_num.into(),
        d.tok.file_sq.into(),
        d.tok.has_file.into(),
        d.is_bos.into(),
    )
    .head(
        "file.state",
        "the latest state (open, cursor) of file f",
        HeadKind::Lookup,
        vec![
            d.tok.open.into(),
            d.tok.cursor.into(),
            d.tok.cursor_sq.into(),
        ],
        vec![d.fs_open, d.fs_cursor, d.fs_cursor_sq],
    );
    net.head(L_MEMORY, head);
}

fn checks(d: &Dims, net: &mut Layers) {
    let uses_open = d.op(FdRead) + d.op(FdWrite) + d.op(FdClose);
    let (ok, not_open, full) = (d.file_ok, d.trap_fno, d.trap_full);
    // ok = uses ∧ valid ∧ open; not open = uses − ok.
    net.and(
        L_MEMORY,
        "files.ok",
        &[uses_open.clone(), valid(d), d.fs_open.into()],
        Lin::constant(1.0),
        vec![(ok, 1.0), (not_open, -1.0)],
    );
    net.neuron(
        L_MEMORY,
        "files.uses_open",
        uses_open,
        Lin::constant(1.0),
        vec![(not_open, 1.0)],
    );
    // full = write ∧ valid ∧ open ∧ cursor ≥ 4096.
    let enable = Enable::all(d.op(FdWrite) + valid(d) + Lin::dim(d.fs_open), 3.0);
    net.step(
        L_MEMORY,
        "files.full",
        d.fs_cursor.into(),
        MAX_FILE_BYTES as f64,
        enable,
        &[(full, 1.0)],
    );
}

fn bytes(d: &Dims, net: &mut Layers) {
    // An entry (a write token, or an initial byte) has cursor = offset + 1.
    let wrote = Lin::dim(d.tok.wrote);
    let offset = Lin::dim(d.tok.cursor) - wrote.clone();
    let offset_sq = Lin::dim(d.tok.cursor_sq) - Lin::dim(d.tok.cursor) * 2.0 + wrote.clone();
    for (f, read) in d.fb.iter().enumerate() {
        let mut value: Vec<Lin> = d.tok.v[..8].iter().map(|&b| b.into()).collect();
        value.push(d.tok.end.into());
        let mut output = read.bytes.to_vec();
        output.push(read.eof);
        let head = Lookup::exact_or_default(
            d.fs_cursor.into(),
            d.fs_cursor_sq.into(),
            offset.clone(),
            offset_sq.clone(),
            wrote.clone(),
            d.tok.end.into(),
        )
        .head(
            format!("file.byte.{f}"),
            format!("cross-attention: the byte of file {f} at the cursor (or the end marker)"),
            HeadKind::Cross { memory: f },
            value,
            output,
        );
        net.head(L_FILES, head);
    }
}

fn results(d: &Dims, net: &mut Layers) {
    let all_ones: Vec<(Dim, f64)> = d.val.iter().map(|&b| (b, 1.0)).collect();
    for f in 0..4 {
        let eq = Lin::dim(d.f_eq[f]);
        let eof = Lin::dim(d.fb[f].eof);
        // The byte read, unless at the end.
        for t in 0..8 {
            let terms = [
                d.fb[f].bytes[t].into(),
                eq.clone(),
                d.op(FdRead),
                -eof.clone() + 1.0,
            ];
            net.and(
                L_FILES,
                format!("files.read.{f}.b{t}"),
                &terms,
                Lin::constant(1.0),
                vec![(d.val[t], 1.0)],
            );
        }
        // −1 at the end of the file.
        net.and(
            L_FILES,
            format!("files.read.{f}.eof"),
            &[eof.clone(), eq.clone(), d.op(FdRead)],
            Lin::constant(1.0),
            all_ones.clone(),
        );
        // The cursor moves past a byte read, not past the end.
        let moved = Lin::dim(d.fs_cursor) + 1.0 - eof;
        net.and(
            L_FILES,
            format!("files.cursor.read.{f}"),
            &[eq.clone(), d.op(FdRead)],
            moved,
            vec![(d.next.cursor, 1.0)],
        );
        // The file the operation used.
        let uses = d.op(FdOpen) + d.op(FdRead) + d.op(FdWrite) + d.op(FdClose);
        net.and(
            L_FILES,
            format!("files.file={f}"),
            &[eq, uses],
            Lin::constant(1.0),
            vec![(d.next.file[f], 1.0)],
        );
    }
    net.neuron(
        L_FILES,
        "files.cursor.write",
        d.op(FdWrite),
        Lin::dim(d.fs_cursor) + 1.0,
        vec![(d.next.cursor, 1.0)],
    );
    net.and(
        L_FILES,
        "files.open.opened",
        &[d.op(FdOpen), valid(d)],
        Lin::constant(1.0),
        vec![(d.next.open, 1.0)],
    );
    net.neuron(
        L_FILES,
        "files.open.stays",
        d.op(FdRead) + d.op(FdWrite),
        Lin::constant(1.0),
        vec![(d.next.open, 1.0)],
    );
    // A write happens when the file is open and not full (else it traps).
    let gate = d.op(FdWrite) + Lin::dim(d.file_ok) - Lin::dim(d.trap_full) - 1.0;
    net.neuron(
        L_FILES,
        "files.wrote",
        gate,
        Lin::constant(1.0),
        vec![(d.next.wrote, 1.0)],
    );
    // fd_open's result: f for a file that exists, else −1 (all ones).
    for (bit, sources) in [(0usize, [1usize, 3]), (1, [2, 3])] {
        for k in sources {
            net.and(
                L_FILES,
                format!("files.open_result.b{bit}.f{k}"),
                &[d.f_eq[k].into(), d.op(FdOpen)],
                Lin::constant(1.0),
                vec![(d.val[bit], 1.0)],
            );
        }
    }
    net.neuron(
        L_FILES,
        "files.open_result.invalid",
        d.op(FdOpen) - valid(d),
        Lin::constant(1.0),
        all_ones,
    );
}
