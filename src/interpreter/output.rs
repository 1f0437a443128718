//! What the next token says: the value it carries (one bit-select per source,
//! each gated by its opcode) and the unembedding of every output field.
//!
//! The value's bytes are read with the seed model's quadratic unembedding:
//! `logit(t) = 2·t·R − t²` with R the byte's value in the residual, whose argmax
//! is R itself. Flags are two-way choices against a constant 0.5.

use super::dims::Dims;
use super::tokens::{OpClass, RunStatus};
use super::{L_MEMORY, MAX_DROP, MAX_PROGRAM};
use crate::circuit::gadgets::{Layers, flag_readout};
use crate::circuit::{Dim, FieldUnembedding, Lin, OutputField};
use crate::files::MAX_FILE_BYTES;

/// The output fields, in the order the model emits them: the indices in
/// [`out_field`] are their positions here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutField {
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
}

impl OutField {
    pub const ALL: [OutField; 13] = [
        OutField::Status,
        OutField::Ip,
        OutField::Delta,
        OutField::Push,
        OutField::V0,
        OutField::V1,
        OutField::V2,
        OutField::V3,
        OutField::Out,
        OutField::File,
        OutField::Open,
        OutField::Cursor,
        OutField::Wrote,
    ];

    pub fn name(self) -> &'static str {
        match self {
            OutField::Status => "status",
            OutField::Ip => "ip",
            OutField::Delta => "delta",
            OutField::Push => "push",
            OutField::V0 => "v0",
            OutField::V1 => "v1",
            OutField::V2 => "v2",
            OutField::V3 => "v3",
            OutField::Out => "out",
            OutField::File => "file",
            OutField::Open => "open",
            OutField::Cursor => "cursor",
            OutField::Wrote => "wrote",
        }
    }
}

/// Indices of the output fields, from [`OutField`].
pub mod out_field {
    use super::OutField;

    pub const STATUS: usize = OutField::Status as usize;
    pub const IP: usize = OutField::Ip as usize;
    pub const DELTA: usize = OutField::Delta as usize;
    pub const PUSH: usize = OutField::Push as usize;
    /// Four fields, the value's bytes.
    pub const VALUE: usize = OutField::V0 as usize;
    pub const OUT: usize = OutField::Out as usize;
    pub const FILE: usize = OutField::File as usize;
    pub const OPEN: usize = OutField::Open as usize;
    pub const CURSOR: usize = OutField::Cursor as usize;
    pub const WROTE: usize = OutField::Wrote as usize;
}

/// Value sources known in layer 2: the immediate, a local, the stack top
/// (output, write, a value moved by `br`) and the one below (moved by `br_if`).
pub(super) fn build_value_select(d: &Dims, net: &mut Layers) {
    let (taken, moves) = (Lin::dim(d.taken), Lin::dim(d.cur.moves));
    for k in 0..32 {
        let out = vec![(d.val[k], 1.0)];
        let bit = |dims: &[Dim; 32]| Lin::dim(dims[k]);
        let sources: [(&str, Vec<Lin>); 6] = [
            ("const", vec![bit(&d.cur.imm), d.op(OpClass::I32Const)]),
            ("local", vec![bit(&d.local), d.op(OpClass::LocalGet)]),
            ("output", vec![bit(&d.top), d.op(OpClass::Output)]),
            ("write", vec![bit(&d.top), d.op(OpClass::FdWrite)]),
            (
                "moved.br",
                vec![bit(&d.top), d.op(OpClass::Br), taken.clone(), moves.clone()],
            ),
            (
                "moved.br_if",
                vec![
                    bit(&d.second),
                    d.op(OpClass::BrIf),
                    taken.clone(),
                    moves.clone(),
                ],
            ),
        ];
        for (name, terms) in sources {
            net.and(
                L_MEMORY,
                format!("value.{name}.b{k}"),
                &terms,
                Lin::constant(1.0),
                out.clone(),
            );
        }
    }
    net.neuron(
        L_MEMORY,
        "value.is_output",
        d.op(OpClass::Output),
        Lin::constant(1.0),
        vec![(d.next.out, 1.0)],
    );
}

/// The readout of value byte `byte`: both the selected sources (val) and the
/// arithmetic results (res) land in exactly one of the two for any
/// instruction.
fn value_byte(d: &Dims, byte: usize) -> FieldUnembedding {
    let readout = Lin::sum((0..8).flat_map(|t| {
        let w = (1u64 << t) as f64;
        [(d.val[8 * byte + t], w), (d.res[8 * byte + t], w)]
    }));
    FieldUnembedding::Quadratic {
        min: 0,
        max: 255,
        readout,
    }
}

fn unembedding(d: &Dims, field: OutField) -> FieldUnembedding {
    let quadratic = |min, max, dim| FieldUnembedding::Quadratic {
        min,
        max,
        readout: Lin::dim(dim),
    };
    match field {
        OutField::Status => FieldUnembedding::Categorical {
            logits: RunStatus::ALL
                .iter()
                .map(|status| match status {
                    RunStatus::Running => Lin::constant(0.5),
                    RunStatus::Halted => d.op(OpClass::Return),
                    RunStatus::TrapUnreachable => d.op(OpClass::Unreachable),
                    RunStatus::TrapMemory => Lin::dim(d.trap_mem),
                    RunStatus::TrapFileNotOpen => Lin::dim(d.trap_fno) * 2.0,
                    RunStatus::TrapFileFull => Lin::dim(d.trap_full),
                })
                .collect(),
        },
        OutField::Ip => quadratic(0, MAX_PROGRAM, d.next.ip),
        OutField::Delta => quadratic(-MAX_DROP - 1, 1, d.next.delta),
        OutField::Push => flag_readout(Lin::dim(d.next.push)),
        OutField::V0 => value_byte(d, 0),
        OutField::V1 => value_byte(d, 1),
        OutField::V2 => value_byte(d, 2),
        OutField::V3 => value_byte(d, 3),
        OutField::Out => flag_readout(Lin::dim(d.next.out)),
        OutField::File => {
            let mut logits = vec![Lin::constant(0.5)];
            logits.extend(d.next.file.iter().map(|&f| Lin::dim(f)));
            FieldUnembedding::Categorical { logits }
        }
        OutField::Open => flag_readout(Lin::dim(d.next.open)),
        OutField::Cursor => quadratic(0, MAX_FILE_BYTES as i64, d.next.cursor),
        OutField::Wrote => flag_readout(Lin::dim(d.next.wrote)),
    }
}

/// The output fields, in the order of [`OutField`].
pub(super) fn output_fields(d: &Dims) -> Vec<OutputField> {
    OutField::ALL
        .iter()
        .map(|&field| OutputField {
            name: field.name().to_string(),
            unembedding: unembedding(d, field),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::OutField;

    #[test]
    fn every_output_field_is_listed_once_in_its_own_place() {
        for (i, field) in OutField::ALL.into_iter().enumerate() {
            assert_eq!(field as usize, i, "{field:?}");
        }
    }
}
