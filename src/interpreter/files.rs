//! The four files.
//!
//! - layer 1: which file an operation names: `f.eq_k = [unsigned(f) == k]`
//!   (f is the top, or for `fd_write` the one below); none of them for any other
//!   number.
//! - layer 2: `file.state`, a lookup keyed by file number over the trace tokens
//!   that carry a file's state (open flag and cursor, emitted by every file
//!   operation); BOS stands for "closed, cursor 0". Then the traps: not open,
//!   and full (a write at cursor 4096).
//! - layer 3: `file.byte.f`, four cross-attention heads, one per file, over a
//!   memory of entries keyed by offset: the initial contents, then the key/value
//!   vectors these heads project at every write token, latest first; an end
//!   marker (score −0.5) answers when no byte is at the cursor. Then the byte
//!   read (or −1), and the file's next state.

use super::{Builder, EXCLUDE, L_FILES, L_MEMORY, L_STACK};
use crate::circuit::{Head, HeadKind, Lin};
use crate::files::MAX_FILE_BYTES;

pub(super) fn build(b: &mut Builder) {
    file_number(b);
    state(b);
    checks(b);
    bytes(b);
    results(b);
}

fn file_number(b: &mut Builder) {
    let top_ops = b.op("fd_open") + b.op("fd_read") + b.op("fd_close");
    for k in 0..4 {
        let eq = b.d(&format!("f.eq{k}"));
        let from_top = b.unsigned("top.b") - k as f64;
        b.equals_zero(
            L_STACK,
            &format!("files.number.top={k}"),
            from_top,
            (top_ops.clone(), 1.0),
            &[(eq, 1.0)],
        );
        let from_second = b.unsigned("second.b") - k as f64;
        let write = (b.op("fd_write"), 1.0);
        b.equals_zero(
            L_STACK,
            &format!("files.number.second={k}"),
            from_second,
            write,
            &[(eq, 1.0)],
        );
    }
}

fn valid(b: &Builder) -> Lin {
    (0..4).fold(Lin::zero(), |acc, k| acc + b.lin(&format!("f.eq{k}")))
}

fn state(b: &mut Builder) {
    let number = Lin::sum((0..4).map(|k| (b.d(&format!("f.eq{k}")), k as f64)));
    let number_sq = Lin::sum((0..4).map(|k| (b.d(&format!("f.eq{k}")), (k * k) as f64)));
    let has = b.lin("tok.has_file");
    let head = Head {
        name: "file.state".into(),
        doc: "the latest state (open, cursor) of file f".into(),
        kind: HeadKind::Lookup,
        query: vec![number, number_sq, Lin::constant(1.0)],
        key: vec![
            b.lin("tok.file_num") * 2.0,
            -has.clone(),
            -b.lin("tok.file_sq") - EXCLUDE + (has + b.lin("is_bos")) * EXCLUDE
                - b.lin("is_bos") * 0.5,
        ],
        value: vec![
            b.lin("tok.open"),
            b.lin("tok.cursor"),
            b.lin("tok.cursor_sq"),
        ],
        output: vec![b.d("fs.open"), b.d("fs.cursor"), b.d("fs.cursor_sq")],
    };
    b.head(L_MEMORY, head);
}

fn checks(b: &mut Builder) {
    let uses_open = b.op("fd_read") + b.op("fd_write") + b.op("fd_close");
    let (ok, not_open, full) = (b.d("file.ok"), b.d("trap.fno"), b.d("trap.full"));
    // ok = uses ∧ valid ∧ open; not open = uses − ok.
    b.and(
        L_MEMORY,
        "files.ok",
        &[uses_open.clone(), valid(b), b.lin("fs.open")],
        Lin::constant(1.0),
        vec![(ok, 1.0), (not_open, -1.0)],
    );
    b.neuron(
        L_MEMORY,
        "files.uses_open",
        uses_open,
        Lin::constant(1.0),
        vec![(not_open, 1.0)],
    );
    // full = write ∧ valid ∧ open ∧ cursor ≥ 4096.
    let enable = (b.op("fd_write") + valid(b) + b.lin("fs.open"), 3.0);
    b.step(
        L_MEMORY,
        "files.full",
        b.lin("fs.cursor"),
        MAX_FILE_BYTES as f64,
        enable,
        &[(full, 1.0)],
    );
}

fn bytes(b: &mut Builder) {
    // An entry (a write token, or an initial byte) has cursor = offset + 1.
    let wrote = b.lin("tok.wrote");
    let offset = b.lin("tok.cursor") - wrote.clone();
    let offset_sq = b.lin("tok.cursor_sq") - b.lin("tok.cursor") * 2.0 + wrote.clone();
    for f in 0..4 {
        let mut value: Vec<Lin> = (0..8).map(|t| b.lin(&format!("tok.v.b{t}"))).collect();
        value.push(b.lin("tok.end"));
        let mut output = b.dims(&format!("fb.{f}.b"), 8);
        output.push(b.d(&format!("fb.{f}.eof")));
        b.head(
            L_FILES,
            Head {
                name: format!("file.byte.{f}"),
                doc: format!(
                    "cross-attention: the byte of file {f} at the cursor (or the end marker)"
                ),
                kind: HeadKind::Cross { memory: f },
                query: vec![
                    b.lin("fs.cursor"),
                    b.lin("fs.cursor_sq"),
                    Lin::constant(1.0),
                ],
                key: vec![
                    offset.clone() * 2.0,
                    -wrote.clone(),
                    -offset_sq.clone() - EXCLUDE + (wrote.clone() + b.lin("tok.end")) * EXCLUDE
                        - b.lin("tok.end") * 0.5,
                ],
                value,
                output,
            },
        );
    }
}

fn results(b: &mut Builder) {
    let all_ones: Vec<(crate::circuit::Dim, f64)> =
        b.dims("val.b", 32).into_iter().map(|d| (d, 1.0)).collect();
    for f in 0..4 {
        let eq = b.lin(&format!("f.eq{f}"));
        let eof = b.lin(&format!("fb.{f}.eof"));
        // The byte read, unless at the end.
        for t in 0..8 {
            let terms = [
                b.lin(&format!("fb.{f}.b{t}")),
                eq.clone(),
                b.op("fd_read"),
                -eof.clone() + 1.0,
            ];
            let out = b.d(&format!("val.b{t}"));
            b.and(
                L_FILES,
                format!("files.read.{f}.b{t}"),
                &terms,
                Lin::constant(1.0),
                vec![(out, 1.0)],
            );
        }
        // −1 at the end of the file.
        b.and(
            L_FILES,
            format!("files.read.{f}.eof"),
            &[eof.clone(), eq.clone(), b.op("fd_read")],
            Lin::constant(1.0),
            all_ones.clone(),
        );
        // The cursor moves past a byte read, not past the end.
        let cursor = b.d("next.cursor");
        let moved = b.lin("fs.cursor") + 1.0 - eof;
        b.and(
            L_FILES,
            format!("files.cursor.read.{f}"),
            &[eq.clone(), b.op("fd_read")],
            moved,
            vec![(cursor, 1.0)],
        );
        // The file the operation used.
        let uses = b.op("fd_open") + b.op("fd_read") + b.op("fd_write") + b.op("fd_close");
        let file = b.d(&format!("next.file={f}"));
        b.and(
            L_FILES,
            format!("files.file={f}"),
            &[eq, uses],
            Lin::constant(1.0),
            vec![(file, 1.0)],
        );
    }
    let cursor = b.d("next.cursor");
    b.neuron(
        L_FILES,
        "files.cursor.write",
        b.op("fd_write"),
        b.lin("fs.cursor") + 1.0,
        vec![(cursor, 1.0)],
    );
    let open = b.d("next.open");
    b.and(
        L_FILES,
        "files.open.opened",
        &[b.op("fd_open"), valid(b)],
        Lin::constant(1.0),
        vec![(open, 1.0)],
    );
    let stays_open = b.op("fd_read") + b.op("fd_write");
    b.neuron(
        L_FILES,
        "files.open.stays",
        stays_open,
        Lin::constant(1.0),
        vec![(open, 1.0)],
    );
    // A write happens when the file is open and not full (else it traps).
    let wrote = b.d("next.wrote");
    let gate = b.op("fd_write") + b.lin("file.ok") - b.lin("trap.full") - 1.0;
    b.neuron(
        L_FILES,
        "files.wrote",
        gate,
        Lin::constant(1.0),
        vec![(wrote, 1.0)],
    );
    // fd_open's result: f for a file that exists, else −1 (all ones).
    for (bit, sources) in [(0usize, [1usize, 3]), (1, [2, 3])] {
        let out = b.d(&format!("val.b{bit}"));
        for k in sources {
            let terms = [b.lin(&format!("f.eq{k}")), b.op("fd_open")];
            b.and(
                L_FILES,
                format!("files.open_result.b{bit}.f{k}"),
                &terms,
                Lin::constant(1.0),
                vec![(out, 1.0)],
            );
        }
    }
    let invalid = b.op("fd_open") - valid(b);
    b.neuron(
        L_FILES,
        "files.open_result.invalid",
        invalid,
        Lin::constant(1.0),
        all_ones,
    );
}
