//! Turns `main`'s structured body into the flat instruction list.
//!
//! The walk keeps a stack of open constructs with the operand-stack height at
//! their entry, so that every branch gets its static target and its drop/keep
//! counts. Jumps to the end of a construct are patched when its `end` is reached.
//! Code after an unconditional branch is unreachable; it is still listed, with
//! heights clamped at the construct's entry height, since it never runs.
//!
//! Each jump to a block, loop or if also records which of [`Program::blocks`] it
//! goes to, and the flattener keeps the order in which the constructs opened (the
//! label numbering of the `name` section), so that listings can name labels.
//!
//! [`Program::blocks`]: super::Program::blocks

use wasmparser::{BlockType, Operator, ValType};

use super::BinaryOp;
use super::{BlockKind, BlockSpan, Branch, Construct, HostCall, Instruction, Op, Origin};

/// Placeholder target of a forward jump until its construct ends.
const UNPATCHED: usize = usize::MAX;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FrameKind {
    Function,
    Block,
    Loop,
    If,
}

#[derive(Debug)]
struct Frame {
    kind: FrameKind,
    /// Values the construct leaves behind (0 or 1).
    results: u32,
    /// Operand-stack height when the construct was entered.
    base: u32,
    /// First flat index of the construct (the loop's back-edge target).
    start: usize,
    /// Jumps to this construct's end, to patch when it closes.
    pending: Vec<usize>,
    /// The `if` jump still waiting for its `else` arm (or the end).
    if_jump: Option<usize>,
    /// Every jump to this construct (forward or back, `if` and `else` included),
    /// to be told the construct's index in the block list when it closes.
    referrers: Vec<usize>,
    /// Label index: how many blocks, loops and ifs opened before this one.
    label: usize,
    /// False after an unconditional branch until the construct ends.
    reachable: bool,
}

/// Builds the flat list one source operator at a time.
pub(super) struct Flattener<'a> {
    imports: &'a [HostCall],
    pub(super) instructions: Vec<Instruction>,
    pub(super) blocks: Vec<BlockSpan>,
    /// Index in `blocks` of each construct, by label index (the order they open).
    pub(super) label_order: Vec<usize>,
    frames: Vec<Frame>,
    height: u32,
    body_index: u32,
}

impl<'a> Flattener<'a> {
    pub(super) fn new(imports: &'a [HostCall]) -> Flattener<'a> {
        Flattener {
            imports,
            instructions: Vec::new(),
            blocks: Vec::new(),
            label_order: Vec::new(),
            frames: vec![Frame {
                kind: FrameKind::Function,
                results: 0,
                base: 0,
                start: 0,
                pending: Vec::new(),
                if_jump: None,
                referrers: Vec::new(),
                label: usize::MAX,
                reachable: true,
            }],
            height: 0,
            body_index: 0,
        }
    }

    /// Checks that the operator is in SPEC §2's set, without changing anything.
    pub(super) fn check_supported(&self, operator: &Operator<'_>) -> Result<(), String> {
        let unsupported = || Err(format!("{} is not supported", mnemonic(operator)));
        match operator {
            Operator::I32Const { .. }
            | Operator::I32Add
            | Operator::I32Sub
            | Operator::I32Mul
            | Operator::I32And
            | Operator::I32Or
            | Operator::I32Eq
            | Operator::I32Ne
            | Operator::I32LtS
            | Operator::I32GtS
            | Operator::I32LeS
            | Operator::I32GeS
            | Operator::I32Load { .. }
            | Operator::I32Store { .. }
            | Operator::LocalGet { .. }
            | Operator::LocalSet { .. }
            | Operator::LocalTee { .. }
            | Operator::Drop
            | Operator::Nop
            | Operator::Else
            | Operator::End
            | Operator::Br { .. }
            | Operator::BrIf { .. }
            | Operator::Return
            | Operator::Unreachable => Ok(()),
            Operator::Block { blockty } | Operator::Loop { blockty } | Operator::If { blockty } => {
                match blockty {
                    BlockType::Empty | BlockType::Type(ValType::I32) => Ok(()),
                    BlockType::Type(other) => Err(format!(
                        "{} with result type {other} is not supported (blocks have type [] -> [] or [] -> [i32])",
                        mnemonic(operator)
                    )),
                    BlockType::FuncType(index) => Err(format!(
                        "{} with type index {index} is not supported (blocks have type [] -> [] or [] -> [i32])",
                        mnemonic(operator)
                    )),
                }
            }
            Operator::Call { function_index } => {
                if (*function_index as usize) < self.imports.len() {
                    Ok(())
                } else {
                    Err(format!(
                        "call of function {function_index} is not supported (only the env imports can be called)"
                    ))
                }
            }
            _ => unsupported(),
        }
    }

    /// Adds the operator (already checked and validated) to the flat list.
    pub(super) fn push(&mut self, operator: &Operator<'_>) {
        match operator {
            Operator::I32Const { value } => self.emit(Op::Const(*value)),
            Operator::I32Add => self.emit(Op::Binary(BinaryOp::Add)),
            Operator::I32Sub => self.emit(Op::Binary(BinaryOp::Sub)),
            Operator::I32Mul => self.emit(Op::Binary(BinaryOp::Mul)),
            Operator::I32And => self.emit(Op::Binary(BinaryOp::And)),
            Operator::I32Or => self.emit(Op::Binary(BinaryOp::Or)),
            Operator::I32Eq => self.emit(Op::Binary(BinaryOp::Eq)),
            Operator::I32Ne => self.emit(Op::Binary(BinaryOp::Ne)),
            Operator::I32LtS => self.emit(Op::Binary(BinaryOp::LtS)),
            Operator::I32GtS => self.emit(Op::Binary(BinaryOp::GtS)),
            Operator::I32LeS => self.emit(Op::Binary(BinaryOp::LeS)),
            Operator::I32GeS => self.emit(Op::Binary(BinaryOp::GeS)),
            Operator::I32Load { memarg } => self.emit(Op::Load {
                offset: memarg_offset(memarg.offset),
            }),
            Operator::I32Store { memarg } => self.emit(Op::Store {
                offset: memarg_offset(memarg.offset),
            }),
            Operator::LocalGet { local_index } => self.emit(Op::LocalGet(*local_index)),
            Operator::LocalSet { local_index } => self.emit(Op::LocalSet(*local_index)),
            Operator::LocalTee { local_index } => self.emit(Op::LocalTee(*local_index)),
            Operator::Drop => self.emit(Op::Drop),
            Operator::Nop => self.emit(Op::Nop),
            Operator::Call { function_index } => {
                let call = self.imports[*function_index as usize];
                self.emit(Op::Call(call));
            }
            Operator::Unreachable => {
                self.emit(Op::Unreachable);
                self.become_unreachable();
            }
            Operator::Return => {
                self.emit(Op::Return);
                self.become_unreachable();
            }
            Operator::Br { relative_depth } => {
                let branch = self.branch_to(*relative_depth);
                self.emit(Op::Br(branch));
                self.note_jump(*relative_depth);
                self.become_unreachable();
            }
            Operator::BrIf { relative_depth } => {
                self.pop(1);
                let branch = self.branch_to(*relative_depth);
                self.emit_raw(Op::BrIf(branch), Construct::Plain);
                self.note_jump(*relative_depth);
            }
            Operator::Block { blockty } => self.open(FrameKind::Block, *blockty),
            Operator::Loop { blockty } => self.open(FrameKind::Loop, *blockty),
            Operator::If { blockty } => {
                self.pop(1);
                let jump = self.instructions.len();
                self.emit_raw(
                    Op::BrUnless(Branch {
                        target: UNPATCHED,
                        drop: 0,
                        keep: 0,
                    }),
                    Construct::If,
                );
                self.open(FrameKind::If, *blockty);
                let frame = self
                    .frames
                    .last_mut()
                    .expect("the if frame was just opened");
                frame.start = jump;
                frame.if_jump = Some(jump);
                frame.referrers.push(jump);
            }
            Operator::Else => self.else_arm(),
            Operator::End => self.end(),
            other => unreachable!("operator {other:?} passed check_supported"),
        }
        self.body_index += 1;
    }

    /// Whether the function's final `end` has been reached.
    pub(super) fn finished(&self) -> bool {
        self.frames.is_empty()
    }

    fn emit(&mut self, op: Op) {
        self.pop(op.pops());
        self.emit_raw(op, Construct::Plain);
        self.height += op.pushes();
    }

    /// Appends an instruction without touching the tracked height.
    fn emit_raw(&mut self, op: Op, construct: Construct) {
        self.instructions.push(Instruction {
            op,
            origin: Origin {
                body_index: self.body_index,
                construct,
                target_block: None,
            },
        });
    }

    fn current(&self) -> &Frame {
        self.frames
            .last()
            .expect("operators only arrive inside the function frame")
    }

    fn pop(&mut self, count: u32) {
        let floor = self.current().base;
        self.height = self.height.saturating_sub(count).max(floor);
    }

    fn become_unreachable(&mut self) {
        let frame = self.frames.last_mut().expect("inside the function frame");
        frame.reachable = false;
        self.height = frame.base;
    }

    fn frame_index(&self, relative_depth: u32) -> usize {
        self.frames.len() - 1 - relative_depth as usize
    }

    /// The jump to the label `relative_depth` levels out, from the current height.
    fn branch_to(&self, relative_depth: u32) -> Branch {
        let frame = &self.frames[self.frame_index(relative_depth)];
        let (target, keep) = match frame.kind {
            FrameKind::Loop => (frame.start, 0),
            _ => (UNPATCHED, frame.results),
        };
        let drop = self.height.saturating_sub(frame.base + keep);
        Branch { target, drop, keep }
    }

    /// Records the jump just emitted as going to its label, and as waiting for
    /// the label's end if it jumps forward.
    fn note_jump(&mut self, relative_depth: u32) {
        let index = self.frame_index(relative_depth);
        let jump = self.instructions.len() - 1;
        let frame = &mut self.frames[index];
        frame.referrers.push(jump);
        if frame.kind != FrameKind::Loop {
            frame.pending.push(jump);
        }
    }

    fn open(&mut self, kind: FrameKind, blockty: BlockType) {
        let results = u32::from(matches!(blockty, BlockType::Type(_)));
        let start = self.instructions.len();
        let label = self.label_order.len();
        // Filled in when the construct closes and gets its place in `blocks`.
        self.label_order.push(usize::MAX);
        self.frames.push(Frame {
            kind,
            results,
            base: self.height,
            start,
            pending: Vec::new(),
            if_jump: None,
            referrers: Vec::new(),
            label,
            reachable: true,
        });
    }

    fn else_arm(&mut self) {
        let (base, results) = {
            let frame = self.current();
            (frame.base, frame.results)
        };
        let drop = self.height.saturating_sub(base + results);
        self.emit_raw(
            Op::Br(Branch {
                target: UNPATCHED,
                drop,
                keep: results,
            }),
            Construct::Else,
        );
        let else_start = self.instructions.len();
        let frame = self.frames.last_mut().expect("inside the if frame");
        frame.pending.push(else_start - 1);
        frame.referrers.push(else_start - 1);
        if let Some(jump) = frame.if_jump.take() {
            set_target(&mut self.instructions[jump], else_start);
        }
        frame.reachable = true;
        self.height = base;
    }

    fn end(&mut self) {
        if self.current().kind == FrameKind::Function {
            self.emit_raw(Op::Return, Construct::FunctionEnd);
        }
        let frame = self.frames.pop().expect("inside a frame");
        let end = match frame.kind {
            // Branches to the function's label go to its final `return`.
            FrameKind::Function => self.instructions.len() - 1,
            _ => self.instructions.len(),
        };
        for jump in frame.pending.iter().copied().chain(frame.if_jump) {
            set_target(&mut self.instructions[jump], end);
        }
        let kind = match frame.kind {
            FrameKind::Function => None,
            FrameKind::Block => Some(BlockKind::Block),
            FrameKind::Loop => Some(BlockKind::Loop),
            FrameKind::If => Some(BlockKind::If),
        };
        if let Some(kind) = kind {
            let index = self.blocks.len();
            let block = u32::try_from(index).expect("fewer than 2^32 blocks");
            for jump in frame.referrers {
                self.instructions[jump].origin.target_block = Some(block);
            }
            self.label_order[frame.label] = index;
            self.blocks.push(BlockSpan {
                kind,
                start: frame.start,
                end,
                depth: (self.frames.len() - 1) as u32,
                has_result: frame.results == 1,
                label: None,
            });
        }
        self.height = frame.base + frame.results;
    }
}

fn set_target(instruction: &mut Instruction, target: usize) {
    match &mut instruction.op {
        Op::Br(branch) | Op::BrIf(branch) | Op::BrUnless(branch) => branch.target = target,
        other => unreachable!("only jumps are patched, not {other:?}"),
    }
}

/// Static offsets of a 32-bit memory are at most `u32::MAX` once validated.
fn memarg_offset(offset: u64) -> u32 {
    u32::try_from(offset).expect("validated 32-bit memory offsets fit in u32")
}

/// The WebAssembly text name of an operator, e.g. `i32.div_s`, derived from
/// wasmparser's variant name (`I32DivS`).
pub(super) fn mnemonic(operator: &Operator<'_>) -> String {
    let debug = format!("{operator:?}");
    let variant: &str = debug
        .split(|c: char| !c.is_ascii_alphanumeric())
        .next()
        .unwrap_or(&debug);
    const PREFIXES: [&str; 20] = [
        "I8x16", "I16x8", "I32x4", "I64x2", "F32x4", "F64x2", "V128", "I32", "I64", "F32", "F64",
        "Memory", "Table", "Global", "Local", "Ref", "Data", "Elem", "Struct", "Array",
    ];
    for prefix in PREFIXES {
        if let Some(rest) = variant.strip_prefix(prefix)
            && rest.starts_with(|c: char| c.is_ascii_uppercase())
        {
            return format!("{}.{}", prefix.to_ascii_lowercase(), snake_case(rest));
        }
    }
    snake_case(variant)
}

fn snake_case(camel: &str) -> String {
    let mut out = String::new();
    for (i, c) in camel.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mnemonics_follow_the_text_format() {
        assert_eq!(mnemonic(&Operator::I32DivS), "i32.div_s");
        assert_eq!(mnemonic(&Operator::I64Const { value: 3 }), "i64.const");
        assert_eq!(mnemonic(&Operator::MemoryGrow { mem: 0 }), "memory.grow");
        assert_eq!(mnemonic(&Operator::Select), "select");
        assert_eq!(
            mnemonic(&Operator::GlobalGet { global_index: 0 }),
            "global.get"
        );
        assert_eq!(mnemonic(&Operator::I32Eqz), "i32.eqz");
        assert_eq!(
            mnemonic(&Operator::CallIndirect {
                type_index: 0,
                table_index: 0
            }),
            "call_indirect"
        );
    }
}
