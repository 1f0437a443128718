//! The WebAssembly interpreter written with [`crate::circuit`]: the residual
//! layout, the token fields, and one file per mechanism, each adding its heads
//! and neurons to the layers. [`build`] returns the whole circuit; assembling it
//! gives the weights `wasmtf compile` writes.
//!
//! The layer plan (one forward pass executes one instruction; see
//! docs/ARCHITECTURE.md for the full story):
//!
//! | layer | attention | feed-forward |
//! |---|---|---|
//! | 0 | fetch the instruction at `ip`; sum head: stack depth | slot² for stack keys |
//! | 1 | stack top and second | add, sub, and, or, comparisons, mul partial products, addresses, branch decision, file number |
//! | 2 | locals, memory (16 heads), file state | mul bits, memory recency, file checks, next ip/depth/push, value select |
//! | 3 | file bytes (cross-attention, one head per file) | memory and file read results, file cursor and state |

mod alu;
mod control;
mod embedding;
mod fetch;
mod files;
mod host;
mod locals;
mod memory;
mod opclass;
mod output;
pub mod prefill;
pub mod prompt;
pub mod roles;
mod stack;
pub mod tokens;

use crate::circuit::{Circuit, Dim, Head, Layer, Layout, Lin, Neuron};

pub use embedding::{encode, field};
pub use host::{Host, TransformerRun};
pub use output::out_field;

/// Largest program, in instructions.
pub const MAX_PROGRAM: i64 = 1 << 20;
/// Most locals (wasmparser's own limit for a function).
pub const MAX_LOCALS: i64 = 50_000;
/// Most values a branch may drop.
pub const MAX_DROP: i64 = 1 << 16;
/// Largest memory, in bytes (16 pages).
pub const MAX_MEMORY: i64 = 1 << 20;
/// Longest sequence (prompt and trace): positions enter the memory heads'
/// recency steps, which are exact while positions stay below the gates' big-M.
pub const MAX_POSITIONS: u64 = 1 << 39;

/// Refuses a trace that would reach position `position`, beyond the bound
/// within which the weights are exact.
pub(crate) fn check_position(position: u64) -> Result<(), String> {
    if position >= MAX_POSITIONS {
        return Err(format!(
            "the trace reached {MAX_POSITIONS} positions, the bound within which the weights are exact"
        ));
    }
    Ok(())
}

pub(crate) use crate::circuit::gadgets::{EXCLUDE, GATE_M};

/// Layer indices.
pub(crate) const L_FETCH: usize = 0;
pub(crate) const L_STACK: usize = 1;
pub(crate) const L_MEMORY: usize = 2;
pub(crate) const L_FILES: usize = 3;
const LAYERS: usize = 4;

/// The circuit under construction: named dimensions and the layers' parts.
pub(crate) struct Builder {
    pub layout: Layout,
    pub layers: Vec<Layer>,
}

impl Builder {
    fn new() -> Builder {
        Builder {
            layout: Layout::new(),
            layers: vec![Layer::default(); LAYERS],
        }
    }

    /// The dimension called `name` (declared in [`declare_dims`]).
    pub fn d(&self, name: &str) -> Dim {
        self.layout
            .get(name)
            .unwrap_or_else(|| panic!("no dimension {name}"))
    }

    pub fn lin(&self, name: &str) -> Lin {
        Lin::dim(self.d(name))
    }

    /// `prefix0 .. prefix{n-1}`.
    pub fn dims(&self, prefix: &str, n: usize) -> Vec<Dim> {
        (0..n).map(|i| self.d(&format!("{prefix}{i}"))).collect()
    }

    /// The one-hot flag of the fetched instruction's opcode class.
    pub fn op(&self, name: &str) -> Lin {
        self.lin(&format!("cur.op={name}"))
    }

    /// The unsigned value `Σ 2^i · prefix_i` of 32 bit dimensions.
    pub fn unsigned(&self, prefix: &str) -> Lin {
        Lin::sum(
            self.dims(prefix, 32)
                .into_iter()
                .enumerate()
                .map(|(i, d)| (d, (1u64 << i) as f64)),
        )
    }

    /// The signed value of 32 bit dimensions (bit 31 weighs −2^31).
    pub fn signed(&self, prefix: &str) -> Lin {
        self.unsigned(prefix) - self.lin(&format!("{prefix}31")) * (1u64 << 32) as f64
    }

    pub fn head(&mut self, layer: usize, head: Head) {
        self.layers[layer].heads.push(head);
    }

    /// `ReLU(gate) · value` into `output`.
    pub fn neuron(
        &mut self,
        layer: usize,
        name: impl Into<String>,
        gate: Lin,
        value: Lin,
        output: Vec<(Dim, f64)>,
    ) {
        self.layers[layer].neurons.push(Neuron {
            name: name.into(),
            gate,
            value,
            output,
        });
    }

    /// `[x ≥ threshold]` for integer x, only when `enable` (a 0/1 quantity, or a
    /// sum that is `needed` exactly when enabled) reaches `needed`: two neurons,
    /// `ReLU(x − t + 1 + M(e − n)) − ReLU(x − t + M(e − n))`, scaled into `output`.
    pub fn step(
        &mut self,
        layer: usize,
        name: &str,
        x: Lin,
        threshold: f64,
        enable: (Lin, f64),
        output: &[(Dim, f64)],
    ) {
        let shifted = x - threshold + (enable.0 - enable.1) * GATE_M;
        let negated: Vec<(Dim, f64)> = output.iter().map(|&(d, w)| (d, -w)).collect();
        self.neuron(
            layer,
            format!("{name}.up"),
            shifted.clone() + 1.0,
            Lin::constant(1.0),
            output.to_vec(),
        );
        self.neuron(
            layer,
            format!("{name}.down"),
            shifted,
            Lin::constant(1.0),
            negated,
        );
    }

    /// `[x == 0]` for integer x when enabled: the hat `ReLU(x+1) − 2ReLU(x) + ReLU(x−1)`.
    pub fn equals_zero(
        &mut self,
        layer: usize,
        name: &str,
        x: Lin,
        enable: (Lin, f64),
        output: &[(Dim, f64)],
    ) {
        let shifted = x + (enable.0 - enable.1) * GATE_M;
        let scaled = |k: f64| output.iter().map(|&(d, w)| (d, w * k)).collect::<Vec<_>>();
        self.neuron(
            layer,
            format!("{name}.left"),
            shifted.clone() + 1.0,
            Lin::constant(1.0),
            scaled(1.0),
        );
        self.neuron(
            layer,
            format!("{name}.mid"),
            shifted.clone(),
            Lin::constant(1.0),
            scaled(-2.0),
        );
        self.neuron(
            layer,
            format!("{name}.right"),
            shifted - 1.0,
            Lin::constant(1.0),
            scaled(1.0),
        );
    }

    /// The AND of 0/1 quantities: `ReLU(Σ terms − (n − 1))`, times `value`.
    pub fn and(
        &mut self,
        layer: usize,
        name: impl Into<String>,
        terms: &[Lin],
        value: Lin,
        output: Vec<(Dim, f64)>,
    ) {
        let sum =
            terms.iter().cloned().fold(Lin::zero(), |a, b| a + b) - (terms.len() as f64 - 1.0);
        self.neuron(layer, name, sum, value, output);
    }
}

/// Every residual dimension, named.
fn declare_dims(b: &mut Builder) {
    let l = &mut b.layout;
    l.add("pos");
    for flag in ["is_bos", "is_instr", "is_trace"] {
        l.add(flag);
    }
    // The static facts of an instruction token, and the same facts fetched to
    // the executing position.
    l.add("ins.index_sq");
    for prefix in ["ins", "cur"] {
        l.add(format!("{prefix}.index"));
        for op in tokens::OpClass::ALL {
            l.add(format!("{prefix}.op={}", op.mnemonic()));
        }
        l.add(format!("{prefix}.push"));
        l.add(format!("{prefix}.delta"));
        l.add_many(&format!("{prefix}.imm.b"), 32);
        for fact in [
            "offset", "local", "local_sq", "target", "drop", "moves", "mem_size",
        ] {
            l.add(format!("{prefix}.{fact}"));
        }
    }
    // The trace token at this position.
    for name in ["tok.ip", "tok.delta", "tok.push"] {
        l.add(name);
    }
    l.add_many("tok.v.b", 32);
    for name in [
        "tok.file_num",
        "tok.file_sq",
        "tok.has_file",
        "tok.open",
        "tok.cursor",
        "tok.cursor_sq",
        "tok.wrote",
        "tok.end",
    ] {
        l.add(name);
    }
    // Layer 0.
    l.add("depth");
    l.add("slot_sq");
    // Layer 1.
    l.add_many("top.b", 32);
    l.add_many("second.b", 32);
    l.add_many("res.b", 32);
    l.add_many("mul.t", 32);
    for name in ["addr", "addr_sq", "taken", "trap.mem"] {
        l.add(name);
    }
    l.add_many("f.eq", 4);
    // Layer 2.
    l.add_many("local.b", 32);
    for i in 0..4 {
        for j in 0..4 {
            l.add_many(&format!("mem.{i}.{j}.b"), 8);
            l.add(format!("mem.{i}.{j}.t"));
            for k in 0..4 {
                if k != j {
                    l.add(format!("memsel.{i}.{j}>{k}"));
                }
            }
        }
    }
    for name in [
        "fs.open",
        "fs.cursor",
        "fs.cursor_sq",
        "file.ok",
        "trap.fno",
        "trap.full",
    ] {
        l.add(name);
    }
    // Layer 3.
    for f in 0..4 {
        l.add_many(&format!("fb.{f}.b"), 8);
        l.add(format!("fb.{f}.eof"));
    }
    // What the next token says.
    l.add_many("val.b", 32);
    for name in [
        "next.ip",
        "next.delta",
        "next.push",
        "next.out",
        "next.open",
        "next.cursor",
        "next.wrote",
    ] {
        l.add(name);
    }
    l.add_many("next.file=", 4);
}

/// The whole interpreter.
pub fn build() -> Circuit {
    let mut b = Builder::new();
    declare_dims(&mut b);
    b.layers[L_FETCH].doc =
        "fetch the instruction at ip; sum the stack effects into the depth".into();
    b.layers[L_STACK].doc =
        "read the stack top and second; arithmetic, comparisons, addresses, branch decision".into();
    b.layers[L_MEMORY].doc =
        "read locals, memory and file state; multiply, pick the latest memory bytes, check files, plan the next ip".into();
    b.layers[L_FILES].doc =
        "read file bytes by cross-attention; assemble the loaded, read and written values".into();
    fetch::build(&mut b);
    stack::build(&mut b);
    alu::build(&mut b);
    control::build(&mut b);
    locals::build(&mut b);
    memory::build(&mut b);
    files::build(&mut b);
    output::build_value_select(&mut b);
    let inputs = embedding::input_fields(&b);
    let outputs = output::output_fields(&b);
    let position = b.d("pos");
    Circuit {
        layout: b.layout,
        position,
        inputs,
        layers: b.layers,
        outputs,
    }
}
