//! What the next token says: the value it carries (one bit-select per source,
//! each gated by its opcode) and the unembedding of every output field.
//!
//! The value's bytes are read with the seed model's quadratic unembedding:
//! `logit(t) = 2·t·R − t²` with R the byte's value in the residual, whose argmax
//! is R itself. Flags are two-way choices against a constant 0.5.

use super::tokens::RunStatus;
use super::{Builder, L_MEMORY, MAX_DROP, MAX_PROGRAM};
use crate::circuit::{FieldUnembedding, Lin, OutputField};
use crate::files::MAX_FILE_BYTES;

/// Indices of the output fields.
pub mod out_field {
    pub const STATUS: usize = 0;
    pub const IP: usize = 1;
    pub const DELTA: usize = 2;
    pub const PUSH: usize = 3;
    /// Four fields, the value's bytes.
    pub const VALUE: usize = 4;
    pub const OUT: usize = 8;
    pub const FILE: usize = 9;
    pub const OPEN: usize = 10;
    pub const CURSOR: usize = 11;
    pub const WROTE: usize = 12;
}

/// Value sources known in layer 2: the immediate, a local, the stack top
/// (output, write, a value moved by `br`) and the one below (moved by `br_if`).
pub(super) fn build_value_select(b: &mut Builder) {
    for k in 0..32 {
        let out = vec![(b.d(&format!("val.b{k}")), 1.0)];
        let sources: [(&str, Vec<Lin>); 6] = [
            (
                "const",
                vec![b.lin(&format!("cur.imm.b{k}")), b.op("i32.const")],
            ),
            (
                "local",
                vec![b.lin(&format!("local.b{k}")), b.op("local.get")],
            ),
            ("output", vec![b.lin(&format!("top.b{k}")), b.op("output")]),
            ("write", vec![b.lin(&format!("top.b{k}")), b.op("fd_write")]),
            (
                "moved.br",
                vec![
                    b.lin(&format!("top.b{k}")),
                    b.op("br"),
                    b.lin("taken"),
                    b.lin("cur.moves"),
                ],
            ),
            (
                "moved.br_if",
                vec![
                    b.lin(&format!("second.b{k}")),
                    b.op("br_if"),
                    b.lin("taken"),
                    b.lin("cur.moves"),
                ],
            ),
        ];
        for (name, terms) in sources {
            b.and(
                L_MEMORY,
                format!("value.{name}.b{k}"),
                &terms,
                Lin::constant(1.0),
                out.clone(),
            );
        }
    }
    let next_out = b.d("next.out");
    b.neuron(
        L_MEMORY,
        "value.is_output",
        b.op("output"),
        Lin::constant(1.0),
        vec![(next_out, 1.0)],
    );
}

fn flag(b: &Builder, dim: &str) -> FieldUnembedding {
    FieldUnembedding::Categorical {
        logits: vec![Lin::constant(0.5), b.lin(dim)],
    }
}

/// The output fields, in the order of [`out_field`].
pub(super) fn output_fields(b: &Builder) -> Vec<OutputField> {
    let status_logits = RunStatus::ALL
        .iter()
        .map(|status| match status {
            RunStatus::Running => Lin::constant(0.5),
            RunStatus::Halted => b.op("return"),
            RunStatus::TrapUnreachable => b.op("unreachable"),
            RunStatus::TrapMemory => b.lin("trap.mem"),
            RunStatus::TrapFileNotOpen => b.lin("trap.fno") * 2.0,
            RunStatus::TrapFileFull => b.lin("trap.full"),
        })
        .collect();
    let mut fields = vec![
        (
            "status",
            FieldUnembedding::Categorical {
                logits: status_logits,
            },
        ),
        (
            "ip",
            FieldUnembedding::Quadratic {
                min: 0,
                max: MAX_PROGRAM,
                readout: b.lin("next.ip"),
            },
        ),
        (
            "delta",
            FieldUnembedding::Quadratic {
                min: -MAX_DROP - 1,
                max: 1,
                readout: b.lin("next.delta"),
            },
        ),
        ("push", flag(b, "next.push")),
    ];
    for byte in 0..4 {
        // Both the selected sources (val) and the arithmetic results (res) land
        // in exactly one of the two for any instruction.
        let readout = Lin::sum((0..8).flat_map(|t| {
            let w = (1u64 << t) as f64;
            [
                (b.d(&format!("val.b{}", 8 * byte + t)), w),
                (b.d(&format!("res.b{}", 8 * byte + t)), w),
            ]
        }));
        let name = ["v0", "v1", "v2", "v3"][byte];
        fields.push((
            name,
            FieldUnembedding::Quadratic {
                min: 0,
                max: 255,
                readout,
            },
        ));
    }
    let mut file_logits = vec![Lin::constant(0.5)];
    file_logits.extend((0..4).map(|f| b.lin(&format!("next.file={f}"))));
    fields.extend([
        ("out", flag(b, "next.out")),
        (
            "file",
            FieldUnembedding::Categorical {
                logits: file_logits,
            },
        ),
        ("open", flag(b, "next.open")),
        (
            "cursor",
            FieldUnembedding::Quadratic {
                min: 0,
                max: MAX_FILE_BYTES as i64,
                readout: b.lin("next.cursor"),
            },
        ),
        ("wrote", flag(b, "next.wrote")),
    ]);
    fields
        .into_iter()
        .map(|(name, unembedding)| OutputField {
            name: name.to_string(),
            unembedding,
        })
        .collect()
}
