//! The interpreter's residual layout as typed groups: every dimension is
//! declared here once, by name and in order (the names are what the weights'
//! sidecar, `wasmtf inspect` and the debugger show), and the mechanisms reach
//! them as fields (`d.top[k]`, `d.cur.op[class]`), never by a formatted name.

use super::tokens::OpClass;
use crate::circuit::{Dim, Layout, Lin};

/// The static facts of an instruction: on its own token (`ins.*`) and fetched
/// to the position executing it (`cur.*`).
pub(crate) struct Facts {
    pub index: Dim,
    /// One-hot, indexed by [`OpClass`].
    pub op: [Dim; OpClass::COUNT],
    pub push: Dim,
    pub delta: Dim,
    pub imm: [Dim; 32],
    pub offset: Dim,
    pub local: Dim,
    pub local_sq: Dim,
    pub target: Dim,
    pub drop: Dim,
    pub moves: Dim,
    pub mem_size: Dim,
}

impl Facts {
    fn declare(l: &mut Layout, prefix: &str) -> Facts {
        let index = l.add(format!("{prefix}.index"));
        let op = OpClass::ALL.map(|c| l.add(format!("{prefix}.op={}", c.mnemonic())));
        let push = l.add(format!("{prefix}.push"));
        let delta = l.add(format!("{prefix}.delta"));
        let imm = bits(l, &format!("{prefix}.imm.b"));
        let mut fact = |name: &str| l.add(format!("{prefix}.{name}"));
        Facts {
            index,
            op,
            push,
            delta,
            imm,
            offset: fact("offset"),
            local: fact("local"),
            local_sq: fact("local_sq"),
            target: fact("target"),
            drop: fact("drop"),
            moves: fact("moves"),
            mem_size: fact("mem_size"),
        }
    }

    /// Every fact, in declaration order (what the fetch head copies).
    pub fn all(&self) -> Vec<Dim> {
        let mut dims = vec![self.index];
        dims.extend(self.op);
        dims.extend([self.push, self.delta]);
        dims.extend(self.imm);
        dims.extend([
            self.offset,
            self.local,
            self.local_sq,
            self.target,
            self.drop,
            self.moves,
            self.mem_size,
        ]);
        dims
    }
}

/// The trace token (or file entry) at this position.
pub(crate) struct Tok {
    pub ip: Dim,
    pub delta: Dim,
    pub push: Dim,
    pub v: [Dim; 32],
    pub file_num: Dim,
    pub file_sq: Dim,
    pub has_file: Dim,
    pub open: Dim,
    pub cursor: Dim,
    pub cursor_sq: Dim,
    pub wrote: Dim,
    pub end: Dim,
}

/// What memory head (i, j) read: the byte and the position of the latest
/// store whose byte j is at address + i, and whether it is newer than each
/// other candidate k ≠ j of the same byte i (`newer[j]` is `None`).
pub(crate) struct MemRead {
    pub bytes: [Dim; 8],
    pub t: Dim,
    pub newer: [Option<Dim>; 4],
}

/// Byte and end marker read from one file at its cursor.
pub(crate) struct FileByte {
    pub bytes: [Dim; 8],
    pub eof: Dim,
}

/// What the next token says.
pub(crate) struct Next {
    pub ip: Dim,
    pub delta: Dim,
    pub push: Dim,
    pub out: Dim,
    pub open: Dim,
    pub cursor: Dim,
    pub wrote: Dim,
    /// One-hot: the file the instruction used.
    pub file: [Dim; 4],
}

/// Every residual dimension, grouped by what it holds.
pub(crate) struct Dims {
    pub pos: Dim,
    pub is_bos: Dim,
    pub is_instr: Dim,
    pub is_trace: Dim,
    pub ins_index_sq: Dim,
    pub ins: Facts,
    pub cur: Facts,
    pub tok: Tok,
    // Layer 0.
    pub depth: Dim,
    pub slot_sq: Dim,
    // Layer 1.
    pub top: [Dim; 32],
    pub second: [Dim; 32],
    /// Arithmetic and comparison results.
    pub res: [Dim; 32],
    /// The multiplication's partial sums `T_k`.
    pub mul_t: [Dim; 32],
    pub addr: Dim,
    pub addr_sq: Dim,
    pub taken: Dim,
    pub trap_mem: Dim,
    /// `[file number == k]`.
    pub f_eq: [Dim; 4],
    // Layer 2.
    pub local: [Dim; 32],
    /// `mem[i][j]`, see [`MemRead`].
    pub mem: [[MemRead; 4]; 4],
    pub fs_open: Dim,
    pub fs_cursor: Dim,
    pub fs_cursor_sq: Dim,
    pub file_ok: Dim,
    pub trap_fno: Dim,
    pub trap_full: Dim,
    // Layer 3.
    pub fb: [FileByte; 4],
    /// The selected value's bits.
    pub val: [Dim; 32],
    pub next: Next,
}

/// `N` dimensions `prefix0 .. prefix{N−1}`, declared in order.
fn bits<const N: usize>(l: &mut Layout, prefix: &str) -> [Dim; N] {
    std::array::from_fn(|i| l.add(format!("{prefix}{i}")))
}

impl Dims {
    /// Declares every dimension into `l`, in the order of the residual.
    pub fn declare(l: &mut Layout) -> Dims {
        let pos = l.add("pos");
        let is_bos = l.add("is_bos");
        let is_instr = l.add("is_instr");
        let is_trace = l.add("is_trace");
        let ins_index_sq = l.add("ins.index_sq");
        let ins = Facts::declare(l, "ins");
        let cur = Facts::declare(l, "cur");
        let (ip, delta, push) = (l.add("tok.ip"), l.add("tok.delta"), l.add("tok.push"));
        let v = bits(l, "tok.v.b");
        let mut t = |name: &str| l.add(format!("tok.{name}"));
        let tok = Tok {
            ip,
            delta,
            push,
            v,
            file_num: t("file_num"),
            file_sq: t("file_sq"),
            has_file: t("has_file"),
            open: t("open"),
            cursor: t("cursor"),
            cursor_sq: t("cursor_sq"),
            wrote: t("wrote"),
            end: t("end"),
        };
        let depth = l.add("depth");
        let slot_sq = l.add("slot_sq");
        let top = bits(l, "top.b");
        let second = bits(l, "second.b");
        let res = bits(l, "res.b");
        let mul_t = bits(l, "mul.t");
        let (addr, addr_sq) = (l.add("addr"), l.add("addr_sq"));
        let (taken, trap_mem) = (l.add("taken"), l.add("trap.mem"));
        let f_eq = bits(l, "f.eq");
        let local = bits(l, "local.b");
        let mem = std::array::from_fn(|i| {
            std::array::from_fn(|j| MemRead {
                bytes: bits(l, &format!("mem.{i}.{j}.b")),
                t: l.add(format!("mem.{i}.{j}.t")),
                newer: std::array::from_fn(|k| {
                    (k != j).then(|| l.add(format!("memsel.{i}.{j}>{k}")))
                }),
            })
        });
        let fs_open = l.add("fs.open");
        let fs_cursor = l.add("fs.cursor");
        let fs_cursor_sq = l.add("fs.cursor_sq");
        let file_ok = l.add("file.ok");
        let trap_fno = l.add("trap.fno");
        let trap_full = l.add("trap.full");
        let fb = std::array::from_fn(|f| FileByte {
            bytes: bits(l, &format!("fb.{f}.b")),
            eof: l.add(format!("fb.{f}.eof")),
        });
        let val = bits(l, "val.b");
        let mut n = |name: &str| l.add(format!("next.{name}"));
        let next = Next {
            ip: n("ip"),
            delta: n("delta"),
            push: n("push"),
            out: n("out"),
            open: n("open"),
            cursor: n("cursor"),
            wrote: n("wrote"),
            file: bits(l, "next.file="),
        };
        Dims {
            pos,
            is_bos,
            is_instr,
            is_trace,
            ins_index_sq,
            ins,
            cur,
            tok,
            depth,
            slot_sq,
            top,
            second,
            res,
            mul_t,
            addr,
            addr_sq,
            taken,
            trap_mem,
            f_eq,
            local,
            mem,
            fs_open,
            fs_cursor,
            fs_cursor_sq,
            file_ok,
            trap_fno,
            trap_full,
            fb,
            val,
            next,
        }
    }

    /// The fetched instruction's one-hot flag of `class`.
    pub fn op(&self, class: OpClass) -> Lin {
        Lin::dim(self.cur.op[class.index()])
    }
}
