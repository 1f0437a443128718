//! The input fields of the tokens and how each embeds into named dimensions;
//! and [`encode`], which turns a [`Token`] into `(field, value)` pairs.

use super::tokens::{OpClass, Token};
use super::{Builder, MAX_DROP, MAX_LOCALS, MAX_MEMORY, MAX_PROGRAM};
use crate::circuit::{Dim, FieldEmbedding, InputField};
use crate::files::MAX_FILE_BYTES;

/// Indices of the input fields.
pub mod field {
    pub const KIND: usize = 0;
    pub const INDEX: usize = 1;
    pub const OP: usize = 2;
    /// Four fields, the immediate's bytes.
    pub const IMM: usize = 3;
    pub const OFFSET: usize = 7;
    pub const LOCAL: usize = 8;
    pub const TARGET: usize = 9;
    pub const DROP: usize = 10;
    pub const MOVES: usize = 11;
    pub const MEM_SIZE: usize = 12;
    pub const STATUS: usize = 13;
    pub const IP: usize = 14;
    pub const DELTA: usize = 15;
    pub const PUSH: usize = 16;
    /// Four fields, the value's bytes.
    pub const VALUE: usize = 17;
    pub const OUT: usize = 21;
    pub const FILE: usize = 22;
    pub const OPEN: usize = 23;
    pub const CURSOR: usize = 24;
    pub const WROTE: usize = 25;
    pub const END: usize = 26;
}

/// Token kinds, the values of the `kind` field.
pub mod kind {
    pub const BOS: i64 = 0;
    pub const INSTR: i64 = 1;
    pub const TRACE: i64 = 2;
    pub const FILE_ENTRY: i64 = 3;
}

fn flag(dim: Dim) -> FieldEmbedding {
    FieldEmbedding::Table {
        min: 0,
        rows: vec![vec![], vec![(dim, 1.0)]],
    }
}

fn byte_bits(bits: &[Dim]) -> FieldEmbedding {
    let rows = (0..256)
        .map(|v: usize| {
            (0..8)
                .filter(|i| v >> i & 1 == 1)
                .map(|i| (bits[i], 1.0))
                .collect()
        })
        .collect();
    FieldEmbedding::Table { min: 0, rows }
}

fn numeric(min: i64, max: i64, linear: Option<Dim>, quadratic: Option<Dim>) -> FieldEmbedding {
    FieldEmbedding::Numeric {
        min,
        max,
        linear: linear.into_iter().map(|d| (d, 1.0)).collect(),
        quadratic: quadratic.into_iter().map(|d| (d, 1.0)).collect(),
    }
}

/// The input fields, in the order of [`field`].
pub(super) fn input_fields(b: &Builder) -> Vec<InputField> {
    let d = |name: &str| b.d(name);
    let imm = b.dims("ins.imm.b", 32);
    let value = b.dims("tok.v.b", 32);
    let mut fields = vec![
        (
            "kind",
            FieldEmbedding::Table {
                min: 0,
                rows: vec![
                    vec![(d("is_bos"), 1.0)],
                    vec![(d("is_instr"), 1.0)],
                    vec![(d("is_trace"), 1.0)],
                    vec![],
                ],
            },
        ),
        (
            "instr.index",
            numeric(
                0,
                MAX_PROGRAM,
                Some(d("ins.index")),
                Some(d("ins.index_sq")),
            ),
        ),
        (
            "instr.op",
            FieldEmbedding::Table {
                min: 0,
                rows: OpClass::ALL
                    .iter()
                    .map(|class| {
                        let (pushes, delta) = class.stack_facts();
                        let mut row = vec![(d(&format!("ins.op={}", class.mnemonic())), 1.0)];
                        if pushes {
                            row.push((d("ins.push"), 1.0));
                        }
                        if delta != 0 {
                            row.push((d("ins.delta"), delta as f64));
                        }
                        row
                    })
                    .collect(),
            },
        ),
    ];
    for byte in 0..4 {
        fields.push((
            ["instr.imm0", "instr.imm1", "instr.imm2", "instr.imm3"][byte],
            byte_bits(&imm[byte * 8..]),
        ));
    }
    fields.extend([
        (
            "instr.offset",
            numeric(0, u32::MAX as i64, Some(d("ins.offset")), None),
        ),
        (
            "instr.local",
            numeric(0, MAX_LOCALS, Some(d("ins.local")), Some(d("ins.local_sq"))),
        ),
        (
            "instr.target",
            numeric(0, MAX_PROGRAM, Some(d("ins.target")), None),
        ),
        (
            "instr.drop",
            numeric(0, MAX_DROP, Some(d("ins.drop")), None),
        ),
        ("instr.moves", flag(d("ins.moves"))),
        (
            "instr.mem_size",
            numeric(0, MAX_MEMORY, Some(d("ins.mem_size")), None),
        ),
        (
            "trace.status",
            FieldEmbedding::Table {
                min: 0,
                rows: vec![vec![]; 6],
            },
        ),
        ("trace.ip", numeric(0, MAX_PROGRAM, Some(d("tok.ip")), None)),
        (
            "trace.delta",
            numeric(-MAX_DROP - 1, 1, Some(d("tok.delta")), None),
        ),
        ("trace.push", flag(d("tok.push"))),
    ]);
    for byte in 0..4 {
        fields.push((
            ["trace.v0", "trace.v1", "trace.v2", "trace.v3"][byte],
            byte_bits(&value[byte * 8..]),
        ));
    }
    let file_rows = (0..5)
        .map(|v| {
            if v == 0 {
                vec![]
            } else {
                let k = (v - 1) as f64;
                vec![
                    (d("tok.has_file"), 1.0),
                    (d("tok.file_num"), k),
                    (d("tok.file_sq"), k * k),
                ]
            }
        })
        .collect();
    fields.extend([
        (
            "trace.out",
            FieldEmbedding::Table {
                min: 0,
                rows: vec![vec![], vec![]],
            },
        ),
        (
            "trace.file",
            FieldEmbedding::Table {
                min: 0,
                rows: file_rows,
            },
        ),
        ("trace.open", flag(d("tok.open"))),
        (
            "trace.cursor",
            numeric(
                0,
                MAX_FILE_BYTES as i64,
                Some(d("tok.cursor")),
                Some(d("tok.cursor_sq")),
            ),
        ),
        ("trace.wrote", flag(d("tok.wrote"))),
        ("entry.end", flag(d("tok.end"))),
    ]);
    fields
        .into_iter()
        .map(|(name, embedding)| InputField {
            name: name.to_string(),
            embedding,
        })
        .collect()
}

/// A token as `(field, value)` pairs.
pub fn encode(token: &Token) -> Vec<(usize, i64)> {
    match token {
        Token::Bos => vec![(field::KIND, super::embedding::kind::BOS)],
        Token::Instr(i) => {
            let bytes = i.immediate.to_le_bytes();
            let mut fields = vec![
                (field::KIND, kind::INSTR),
                (field::INDEX, i.index),
                (field::OP, i.opcode.index() as i64),
                (field::OFFSET, i.offset),
                (field::LOCAL, i.local),
                (field::TARGET, i.target),
                (field::DROP, i.drop),
                (field::MOVES, i64::from(i.moves)),
                (field::MEM_SIZE, i.memory_bytes),
            ];
            fields.extend(
                bytes
                    .iter()
                    .enumerate()
                    .map(|(k, &v)| (field::IMM + k, i64::from(v))),
            );
            fields
        }
        Token::Trace(t) => {
            let bytes = t.value.to_le_bytes();
            let mut fields = vec![
                (field::KIND, kind::TRACE),
                (field::STATUS, t.status.index()),
                (field::IP, t.ip),
                (field::DELTA, t.delta),
                (field::PUSH, i64::from(t.push)),
                (field::OUT, i64::from(t.out)),
                (field::FILE, t.file.map_or(0, |f| i64::from(f) + 1)),
                (field::OPEN, i64::from(t.open)),
                (field::CURSOR, t.cursor),
                (field::WROTE, i64::from(t.wrote)),
            ];
            fields.extend(
                bytes
                    .iter()
                    .enumerate()
                    .map(|(k, &v)| (field::VALUE + k, i64::from(v))),
            );
            fields
        }
        Token::FileEntry { offset, byte, end } => {
            if *end {
                vec![(field::KIND, kind::FILE_ENTRY), (field::END, 1)]
            } else {
                vec![
                    (field::KIND, kind::FILE_ENTRY),
                    (field::CURSOR, offset + 1),
                    (field::WROTE, 1),
                    (field::VALUE, i64::from(*byte)),
                ]
            }
        }
    }
}
