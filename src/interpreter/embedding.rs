//! The input fields of the tokens and how each embeds into named dimensions;
//! and [`encode`], which turns a [`Token`] into `(field, value)` pairs.

use super::dims::Dims;
use super::tokens::{OpClass, Token, TraceToken};
use super::{MAX_DROP, MAX_LOCALS, MAX_MEMORY, MAX_PROGRAM};
use crate::circuit::gadgets::{byte_bits, flag, numeric};
use crate::circuit::{FieldEmbedding, InputField};
use crate::files::MAX_FILE_BYTES;

/// The input fields, in the order of the embedding: the indices in [`field`]
/// are their positions here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InField {
    Kind,
    Index,
    Op,
    Imm0,
    Imm1,
    Imm2,
    Imm3,
    Offset,
    Local,
    Target,
    Drop,
    Moves,
    MemSize,
    Status,
    Ip,
    Delta,
    Push,
    V0,
    V1,
    V2,
    V3,
    Out,
    File,
    Open,
    Cursor,
    Wrote,
    End,
}

impl InField {
    pub const ALL: [InField; 27] = [
        InField::Kind,
        InField::Index,
        InField::Op,
        InField::Imm0,
        InField::Imm1,
        InField::Imm2,
        InField::Imm3,
        InField::Offset,
        InField::Local,
        InField::Target,
        InField::Drop,
        InField::Moves,
        InField::MemSize,
        InField::Status,
        InField::Ip,
        InField::Delta,
        InField::Push,
        InField::V0,
        InField::V1,
        InField::V2,
        InField::V3,
        InField::Out,
        InField::File,
        InField::Open,
        InField::Cursor,
        InField::Wrote,
        InField::End,
    ];

    pub fn name(self) -> &'static str {
        match self {
            InField::Kind => "kind",
            InField::Index => "instr.index",
            InField::Op => "instr.op",
            InField::Imm0 => "instr.imm0",
            InField::Imm1 => "instr.imm1",
            InField::Imm2 => "instr.imm2",
            InField::Imm3 => "instr.imm3",
            InField::Offset => "instr.offset",
            InField::Local => "instr.local",
            InField::Target => "instr.target",
            InField::Drop => "instr.drop",
            InField::Moves => "instr.moves",
            InField::MemSize => "instr.mem_size",
            InField::Status => "trace.status",
            InField::Ip => "trace.ip",
            InField::Delta => "trace.delta",
            InField::Push => "trace.push",
            InField::V0 => "trace.v0",
            InField::V1 => "trace.v1",
            InField::V2 => "trace.v2",
            InField::V3 => "trace.v3",
            InField::Out => "trace.out",
            InField::File => "trace.file",
            InField::Open => "trace.open",
            InField::Cursor => "trace.cursor",
            InField::Wrote => "trace.wrote",
            InField::End => "entry.end",
        }
    }
}

/// Indices of the input fields, from [`InField`].
pub mod field {
    use super::InField;

    pub const KIND: usize = InField::Kind as usize;
    pub const INDEX: usize = InField::Index as usize;
    pub const OP: usize = InField::Op as usize;
    /// Four fields, the immediate's bytes.
    pub const IMM: usize = InField::Imm0 as usize;
    pub const OFFSET: usize = InField::Offset as usize;
    pub const LOCAL: usize = InField::Local as usize;
    pub const TARGET: usize = InField::Target as usize;
    pub const DROP: usize = InField::Drop as usize;
    pub const MOVES: usize = InField::Moves as usize;
    pub const MEM_SIZE: usize = InField::MemSize as usize;
    pub const STATUS: usize = InField::Status as usize;
    pub const IP: usize = InField::Ip as usize;
    pub const DELTA: usize = InField::Delta as usize;
    pub const PUSH: usize = InField::Push as usize;
    /// Four fields, the value's bytes.
    pub const VALUE: usize = InField::V0 as usize;
    pub const OUT: usize = InField::Out as usize;
    pub const FILE: usize = InField::File as usize;
    pub const OPEN: usize = InField::Open as usize;
    pub const CURSOR: usize = InField::Cursor as usize;
    pub const WROTE: usize = InField::Wrote as usize;
    pub const END: usize = InField::End as usize;
}

/// Token kinds, the values of the `kind` field.
pub mod kind {
    pub const BOS: i64 = 0;
    pub const INSTR: i64 = 1;
    pub const TRACE: i64 = 2;
    pub const FILE_ENTRY: i64 = 3;
}

/// A table of one row per value from 0, each setting the given dimensions.
fn table(rows: Vec<Vec<(crate::circuit::Dim, f64)>>) -> FieldEmbedding {
    FieldEmbedding::Table { min: 0, rows }
}

fn embedding(d: &Dims, field: InField) -> FieldEmbedding {
    let byte = |bits: &[crate::circuit::Dim; 32], k: usize| byte_bits(&bits[8 * k..8 * k + 8]);
    match field {
        InField::Kind => table(vec![
            vec![(d.is_bos, 1.0)],
            vec![(d.is_instr, 1.0)],
            vec![(d.is_trace, 1.0)],
            vec![],
        ]),
        InField::Index => numeric(0, MAX_PROGRAM, Some(d.ins.index), Some(d.ins_index_sq)),
        InField::Op => table(
            OpClass::ALL
                .iter()
                .map(|&class| {
                    let (pushes, delta) = class.stack_facts();
                    let mut row = vec![(d.ins.op[class.index()], 1.0)];
                    if pushes {
                        row.push((d.ins.push, 1.0));
                    }
                    if delta != 0 {
                        row.push((d.ins.delta, delta as f64));
                    }
                    row
                })
                .collect(),
        ),
        InField::Imm0 => byte(&d.ins.imm, 0),
        InField::Imm1 => byte(&d.ins.imm, 1),
        InField::Imm2 => byte(&d.ins.imm, 2),
        InField::Imm3 => byte(&d.ins.imm, 3),
        InField::Offset => numeric(0, u32::MAX as i64, Some(d.ins.offset), None),
        InField::Local => numeric(0, MAX_LOCALS, Some(d.ins.local), Some(d.ins.local_sq)),
        InField::Target => numeric(0, MAX_PROGRAM, Some(d.ins.target), None),
        InField::Drop => numeric(0, MAX_DROP, Some(d.ins.drop), None),
        InField::Moves => flag(d.ins.moves),
        InField::MemSize => numeric(0, MAX_MEMORY, Some(d.ins.mem_size), None),
        // The status is emitted, never read back: no row sets anything.
        InField::Status => table(vec![vec![]; 6]),
        InField::Ip => numeric(0, MAX_PROGRAM, Some(d.tok.ip), None),
        InField::Delta => numeric(-MAX_DROP - 1, 1, Some(d.tok.delta), None),
        InField::Push => flag(d.tok.push),
        InField::V0 => byte(&d.tok.v, 0),
        InField::V1 => byte(&d.tok.v, 1),
        InField::V2 => byte(&d.tok.v, 2),
        InField::V3 => byte(&d.tok.v, 3),
        InField::Out => table(vec![vec![], vec![]]),
        // None, or file k (value k + 1): its number and square for the
        // file-state lookup.
        InField::File => table(
            (0..5)
                .map(|v| match v {
                    0 => vec![],
                    v => {
                        let k = (v - 1) as f64;
                        vec![
                            (d.tok.has_file, 1.0),
                            (d.tok.file_num, k),
                            (d.tok.file_sq, k * k),
                        ]
                    }
                })
                .collect(),
        ),
        InField::Open => flag(d.tok.open),
        InField::Cursor => numeric(
            0,
            MAX_FILE_BYTES as i64,
            Some(d.tok.cursor),
            Some(d.tok.cursor_sq),
        ),
        InField::Wrote => flag(d.tok.wrote),
        InField::End => flag(d.tok.end),
    }
}

/// The input fields, in the order of [`InField`].
pub(super) fn input_fields(d: &Dims) -> Vec<InputField> {
    InField::ALL
        .iter()
        .map(|&field| InputField {
            name: field.name().to_string(),
            embedding: embedding(d, field),
        })
        .collect()
}

/// A trace token as `(field, value)` pairs, on the stack: the run encodes
/// one at every pass.
pub fn encode_trace(t: &TraceToken) -> [(usize, i64); 14] {
    let [b0, b1, b2, b3] = t.value.to_le_bytes().map(i64::from);
    [
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
        (field::VALUE, b0),
        (field::VALUE + 1, b1),
        (field::VALUE + 2, b2),
        (field::VALUE + 3, b3),
    ]
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
        Token::Trace(t) => encode_trace(t).to_vec(),
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

#[cfg(test)]
mod tests {
    use super::InField;

    #[test]
    fn every_input_field_is_listed_once_in_its_own_place() {
        for (i, field) in InField::ALL.into_iter().enumerate() {
            assert_eq!(field as usize, i, "{field:?}");
        }
    }
}
