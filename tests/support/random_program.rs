//! A proptest generator of random, well-formed programs that use only the SPEC §2
//! instruction set and the `env` imports. Differential tests run them on wasmi
//! (the oracle), our VM and the transformer and compare the results, so the
//! generator must always produce modules that validate and halt: loops are
//! counted with dedicated counter locals and every program's worst-case number of
//! executed instructions is bounded by [`MAX_STEPS`].
//!
//! Programs are generated as a small tree of statements and expressions (bounded
//! depth), then rendered to WAT. Everything that depends on context (which labels
//! a branch may target, which counter local a loop uses, which files are open) is
//! resolved while rendering, so every generated tree renders to a valid module and
//! shrinking keeps working.

use std::fmt;

use proptest::prelude::*;
use proptest::sample::select;

/// Upper bound on the instructions any generated program executes (including
/// `block`, `loop`, `if`, `else` and `end`). Loop trip counts are scaled down
/// until the static worst case fits.
pub const MAX_STEPS: u64 = 20_000;

/// General-purpose locals `$v0..$v5`.
const VARS: u8 = 6;
/// Loop counter locals `$c0..$c2`, one per loop nesting level; deeper "loops"
/// are rendered as plain blocks. Only the loop machinery writes them.
const COUNTERS: usize = 3;
/// Nesting depth of the statement/expression tree.
const DEPTH: u32 = 4;

/// A generated program: WAT text and the initial contents of files 0..3.
#[derive(Clone, PartialEq, Eq)]
pub struct RandomProgram {
    pub wat: String,
    pub files: [Vec<u8>; 4],
}

impl fmt::Debug for RandomProgram {
    /// Prints the WAT as text (not an escaped string) so failures are readable.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "RandomProgram {{")?;
        for (n, file) in self.files.iter().enumerate() {
            let hex: String = file.iter().map(|b| format!("{b:02x}")).collect();
            writeln!(f, "  file {n}: \"{hex}\"")?;
        }
        writeln!(f, "{}}}", self.wat)
    }
}

/// A long campaign: `check` on `WASMTF_CAMPAIGN_CASES` programs (else
/// `default_cases`), failing with the first counterexample, shrunk.
pub fn campaign(default_cases: u32, check: impl Fn(&RandomProgram) -> Result<(), TestCaseError>) {
    let cases = std::env::var("WASMTF_CAMPAIGN_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default_cases);
    let config = proptest::test_runner::Config {
        cases,
        failure_persistence: None,
        ..Default::default()
    };
    proptest::test_runner::TestRunner::new(config)
        .run(&random_program(), |random| check(&random))
        .unwrap();
}

/// The strategy producing [`RandomProgram`]s.
pub fn random_program() -> BoxedStrategy<RandomProgram> {
    let (_, stmt) = strategies(DEPTH);
    let file = prop_oneof![
        1 => Just(Vec::new()),
        3 => prop::collection::vec(any::<u8>(), 1..40),
    ];
    (
        [file.clone(), file.clone(), file.clone(), file],
        [
            prop::bool::weighted(0.9),
            prop::bool::weighted(0.9),
            prop::bool::weighted(0.9),
            prop::bool::weighted(0.9),
        ],
        any::<bool>(),
        prop::collection::vec(stmt, 1..14),
    )
        .prop_map(|(files, open, echo_opens, body)| build(files, open, echo_opens, body))
        .boxed()
}

// ---------------------------------------------------------------------------
// The tree.

#[derive(Debug, Clone, Copy)]
enum BinOp {
    Add,
    Sub,
    Mul,
    And,
    Or,
    Eq,
    Ne,
    LtS,
    GtS,
    LeS,
    GeS,
}

impl BinOp {
    const ALL: [BinOp; 11] = [
        BinOp::Add,
        BinOp::Sub,
        BinOp::Mul,
        BinOp::And,
        BinOp::Or,
        BinOp::Eq,
        BinOp::Ne,
        BinOp::LtS,
        BinOp::GtS,
        BinOp::LeS,
        BinOp::GeS,
    ];
    const COMPARISONS: [BinOp; 6] = [
        BinOp::Eq,
        BinOp::Ne,
        BinOp::LtS,
        BinOp::GtS,
        BinOp::LeS,
        BinOp::GeS,
    ];

    fn mnemonic(self) -> &'static str {
        match self {
            BinOp::Add => "i32.add",
            BinOp::Sub => "i32.sub",
            BinOp::Mul => "i32.mul",
            BinOp::And => "i32.and",
            BinOp::Or => "i32.or",
            BinOp::Eq => "i32.eq",
            BinOp::Ne => "i32.ne",
            BinOp::LtS => "i32.lt_s",
            BinOp::GtS => "i32.gt_s",
            BinOp::LeS => "i32.le_s",
            BinOp::GeS => "i32.ge_s",
        }
    }
}

/// Which file an `env` call names; resolved at render time.
#[derive(Debug, Clone)]
enum FileSel {
    /// The k-th file opened by the prologue (modulo their number).
    Opened(u8),
    /// File 0..3, open or not.
    Fixed(u8),
    /// A number outside 0..3.
    Bad(i32),
    /// Whatever an expression computes.
    Dyn(Box<Expr>),
}

/// A memory address; the static offset is in [`MemArg`].
#[derive(Debug, Clone)]
enum Addr {
    Const(u32),
    /// `(index & 63) + base`: always low in memory, computed at run time.
    Masked(Box<Expr>, i32),
    /// Any expression: usually out of bounds.
    Raw(Box<Expr>),
}

#[derive(Debug, Clone, Copy)]
struct MemArg {
    offset: u32,
    align: Option<u32>,
}

/// An expression leaves exactly one i32 on the stack.
#[derive(Debug, Clone)]
enum Expr {
    Const(i32),
    /// Any local, counters included.
    Get(u8),
    Bin(BinOp, Box<Expr>, Box<Expr>),
    /// `local.tee` of a general-purpose local.
    Tee(u8, Box<Expr>),
    Load(Box<Addr>, MemArg),
    Open(Box<FileSel>),
    Read(Box<FileSel>),
    /// `block (result i32)`.
    Block(Vec<Stmt>, Box<Expr>),
    /// `if (result i32) ... else ... end`.
    If(Box<Expr>, Vec<Stmt>, Box<Expr>, Vec<Stmt>, Box<Expr>),
    /// `loop (result i32)` that falls through (no back edge).
    LoopOnce(Vec<Stmt>, Box<Expr>),
}

#[derive(Debug, Clone, Copy)]
enum LoopForm {
    /// Test and decrement at the top: `br` to the loop label is a safe `continue`.
    TopTest,
    /// Decrement and `br_if` back at the bottom (runs at least once).
    CountDown,
    /// Count up from 0 and `br_if` back while below the trip count.
    CountUp,
}

/// A statement leaves the stack as it found it.
#[derive(Debug, Clone)]
enum Stmt {
    Set(u8, Expr),
    Output(Expr),
    Drop(Expr),
    Nop,
    Store(Addr, MemArg, Expr),
    Write(FileSel, Expr),
    Close(FileSel),
    Block(Vec<Stmt>),
    If(Expr, Vec<Stmt>, Option<Vec<Stmt>>),
    Loop(LoopForm, u32, Vec<Stmt>),
    /// `br` to an enclosing label chosen by the index; the expression is the
    /// branch value when the label has a result.
    Br(u8, Expr),
    /// `br_if`: label choice, condition, value (when the label has a result).
    BrIf(u8, Expr, Expr),
    Return,
    Unreachable,
}

// ---------------------------------------------------------------------------
// Strategies.

const EDGE_CONSTANTS: [i32; 16] = [
    0,
    1,
    -1,
    2,
    -2,
    i32::MIN,
    i32::MIN + 1,
    i32::MAX,
    i32::MAX - 1,
    255,
    256,
    0x7fff,
    0x8000,
    0xffff,
    0x10000,
    -256,
];

fn constant() -> impl Strategy<Value = i32> + Clone {
    prop_oneof![
        4 => select(&EDGE_CONSTANTS[..]),
        3 => -8i32..=16,
        2 => any::<i32>(),
        1 => 17i32..=300,
    ]
}

fn var() -> impl Strategy<Value = u8> + Clone {
    0..VARS
}

fn any_local() -> impl Strategy<Value = u8> + Clone {
    0..VARS + COUNTERS as u8
}

fn memarg() -> impl Strategy<Value = MemArg> + Clone {
    let offset = prop_oneof![
        96 => Just(0u32),
        48 => 1u32..16,
        8 => 256u32..4096,
        1 => 65_520u32..65_540,
    ];
    let align = prop_oneof![
        10 => Just(None),
        1 => select(&[1u32, 2, 4][..]).prop_map(Some),
    ];
    (offset, align).prop_map(|(offset, align)| MemArg { offset, align })
}

fn const_addr() -> impl Strategy<Value = u32> + Clone {
    prop_oneof![
        64 => 0u32..48,
        24 => (0u32..16).prop_map(|w| w * 4),
        8 => 100u32..4096,
        1 => 65_520u32..65_540,
    ]
}

fn leaf_file() -> BoxedStrategy<FileSel> {
    prop_oneof![
        200 => any::<u8>().prop_map(FileSel::Opened),
        4 => (0u8..4).prop_map(FileSel::Fixed),
        1 => select(&[-1, 4, 5, 100, i32::MIN, i32::MAX][..]).prop_map(FileSel::Bad),
    ]
    .boxed()
}

fn file(expr: BoxedStrategy<Expr>) -> BoxedStrategy<FileSel> {
    prop_oneof![
        200 => leaf_file(),
        1 => expr.prop_map(|e| FileSel::Dyn(Box::new(e))),
    ]
    .boxed()
}

fn addr(expr: BoxedStrategy<Expr>) -> BoxedStrategy<Addr> {
    prop_oneof![
        48 => const_addr().prop_map(Addr::Const),
        24 => (expr.clone(), 0i32..64).prop_map(|(e, base)| Addr::Masked(Box::new(e), base)),
        1 => expr.prop_map(|e| Addr::Raw(Box::new(e))),
    ]
    .boxed()
}

fn leaf_expr() -> BoxedStrategy<Expr> {
    prop_oneof![
        6 => constant().prop_map(Expr::Const),
        5 => any_local().prop_map(Expr::Get),
        2 => leaf_file().prop_map(|f| Expr::Read(Box::new(f))),
        1 => leaf_file().prop_map(|f| Expr::Open(Box::new(f))),
        2 => (const_addr(), memarg())
            .prop_map(|(a, m)| Expr::Load(Box::new(Addr::Const(a)), m)),
    ]
    .boxed()
}

fn trips() -> impl Strategy<Value = u32> + Clone {
    prop_oneof![
        2 => Just(0u32),
        4 => 1u32..=4,
        3 => 5u32..=12,
        1 => 13u32..=60,
    ]
}

fn loop_form() -> impl Strategy<Value = LoopForm> + Clone {
    prop_oneof![
        3 => Just(LoopForm::TopTest),
        1 => Just(LoopForm::CountDown),
        1 => Just(LoopForm::CountUp),
    ]
}

/// Condition expressions: mostly comparisons, sometimes any value.
fn condition(expr: BoxedStrategy<Expr>) -> BoxedStrategy<Expr> {
    prop_oneof![
        3 => (select(&BinOp::COMPARISONS[..]), expr.clone(), expr.clone())
            .prop_map(|(op, a, b)| Expr::Bin(op, Box::new(a), Box::new(b))),
        1 => expr,
    ]
    .boxed()
}

/// Statements that contain expressions but no nested statements.
fn simple_stmt(expr: BoxedStrategy<Expr>) -> BoxedStrategy<Stmt> {
    let e = expr.clone();
    prop_oneof![
        48 => (var(), e.clone()).prop_map(|(v, e)| Stmt::Set(v, e)),
        48 => e.clone().prop_map(Stmt::Output),
        8 => e.clone().prop_map(Stmt::Drop),
        6 => Just(Stmt::Nop),
        32 => (addr(e.clone()), memarg(), e.clone()).prop_map(|(a, m, v)| Stmt::Store(a, m, v)),
        28 => (file(e.clone()), e.clone()).prop_map(|(f, v)| Stmt::Write(f, v)),
        2 => file(e.clone()).prop_map(Stmt::Close),
        4 => (any::<u8>(), e.clone()).prop_map(|(t, v)| Stmt::Br(t, v)),
        12 => (any::<u8>(), condition(e.clone()), e).prop_map(|(t, c, v)| Stmt::BrIf(t, c, v)),
        1 => Just(Stmt::Return),
        1 => Just(Stmt::Unreachable),
    ]
    .boxed()
}

/// Expression and statement strategies of the given nesting depth.
fn strategies(depth: u32) -> (BoxedStrategy<Expr>, BoxedStrategy<Stmt>) {
    if depth == 0 {
        return (leaf_expr(), simple_stmt(leaf_expr()));
    }
    let (e, s) = strategies(depth - 1);
    let short_body = prop::collection::vec(s.clone(), 0..3);
    let body = prop::collection::vec(s.clone(), 0..5);
    let expr = prop_oneof![
        8 => leaf_expr(),
        8 => (select(&BinOp::ALL[..]), e.clone(), e.clone())
            .prop_map(|(op, a, b)| Expr::Bin(op, Box::new(a), Box::new(b))),
        1 => (var(), e.clone()).prop_map(|(v, e)| Expr::Tee(v, Box::new(e))),
        2 => (addr(e.clone()), memarg()).prop_map(|(a, m)| Expr::Load(Box::new(a), m)),
        2 => file(e.clone()).prop_map(|f| Expr::Read(Box::new(f))),
        1 => (short_body.clone(), e.clone()).prop_map(|(b, v)| Expr::Block(b, Box::new(v))),
        1 => (condition(e.clone()), short_body.clone(), e.clone(), short_body.clone(), e.clone())
            .prop_map(|(c, tb, tv, eb, ev)| {
                Expr::If(Box::new(c), tb, Box::new(tv), eb, Box::new(ev))
            }),
        1 => (short_body, e.clone()).prop_map(|(b, v)| Expr::LoopOnce(b, Box::new(v))),
    ]
    .boxed();
    let stmt = prop_oneof![
        12 => simple_stmt(e.clone()),
        2 => body.clone().prop_map(Stmt::Block),
        3 => (condition(e), body.clone(), prop::option::weighted(0.5, body.clone()))
            .prop_map(|(c, t, f)| Stmt::If(c, t, f)),
        3 => (loop_form(), trips(), body).prop_map(|(form, n, b)| Stmt::Loop(form, n, b)),
    ]
    .boxed();
    (expr, stmt)
}

// ---------------------------------------------------------------------------
// Building: render, and scale loops down until the step bound fits.

fn build(
    files: [Vec<u8>; 4],
    open: [bool; 4],
    echo_opens: bool,
    mut body: Vec<Stmt>,
) -> RandomProgram {
    loop {
        let (wat, bound) = render(open, echo_opens, &body);
        if bound <= MAX_STEPS {
            return RandomProgram { wat, files };
        }
        let mut changed = false;
        halve_trips(&mut body, &mut changed);
        if !changed {
            // No loop left to shrink (practically unreachable): drop code instead.
            body.pop();
        }
    }
}

fn halve_trips(stmts: &mut [Stmt], changed: &mut bool) {
    for stmt in stmts {
        match stmt {
            Stmt::Loop(_, n, body) => {
                if *n > 0 {
                    *n /= 2;
                    *changed = true;
                }
                halve_trips(body, changed);
            }
            Stmt::Block(body) => halve_trips(body, changed),
            Stmt::If(c, t, f) => {
                halve_trips_expr(c, changed);
                halve_trips(t, changed);
                if let Some(f) = f {
                    halve_trips(f, changed);
                }
            }
            Stmt::Set(_, e) | Stmt::Output(e) | Stmt::Drop(e) | Stmt::Br(_, e) => {
                halve_trips_expr(e, changed)
            }
            Stmt::Store(a, _, v) => {
                halve_trips_addr(a, changed);
                halve_trips_expr(v, changed);
            }
            Stmt::Write(f, v) => {
                halve_trips_file(f, changed);
                halve_trips_expr(v, changed);
            }
            Stmt::Close(f) => halve_trips_file(f, changed),
            Stmt::BrIf(_, c, v) => {
                halve_trips_expr(c, changed);
                halve_trips_expr(v, changed);
            }
            Stmt::Nop | Stmt::Return | Stmt::Unreachable => {}
        }
    }
}

fn halve_trips_expr(expr: &mut Expr, changed: &mut bool) {
    match expr {
        Expr::Const(_) | Expr::Get(_) => {}
        Expr::Bin(_, a, b) => {
            halve_trips_expr(a, changed);
            halve_trips_expr(b, changed);
        }
        Expr::Tee(_, e) => halve_trips_expr(e, changed),
        Expr::Load(a, _) => halve_trips_addr(a, changed),
        Expr::Open(f) | Expr::Read(f) => halve_trips_file(f, changed),
        Expr::Block(b, v) | Expr::LoopOnce(b, v) => {
            halve_trips(b, changed);
            halve_trips_expr(v, changed);
        }
        Expr::If(c, tb, tv, eb, ev) => {
            halve_trips_expr(c, changed);
            halve_trips(tb, changed);
            halve_trips_expr(tv, changed);
            halve_trips(eb, changed);
            halve_trips_expr(ev, changed);
        }
    }
}

fn halve_trips_addr(addr: &mut Addr, changed: &mut bool) {
    match addr {
        Addr::Const(_) => {}
        Addr::Masked(e, _) | Addr::Raw(e) => halve_trips_expr(e, changed),
    }
}

fn halve_trips_file(file: &mut FileSel, changed: &mut bool) {
    if let FileSel::Dyn(e) = file {
        halve_trips_expr(e, changed);
    }
}

// ---------------------------------------------------------------------------
// Rendering to WAT. Every render function returns the maximum number of
// instructions its code can execute.

#[derive(Debug, Clone, Copy)]
struct Label {
    /// The label's branch type is `[i32]`.
    result: bool,
    /// Branches to it are generated (not for loops whose back edge would skip
    /// the counter update).
    target: bool,
}

struct Renderer {
    out: String,
    indent: usize,
    labels: Vec<Label>,
    loop_depth: usize,
    opened: Vec<u8>,
}

fn render(open: [bool; 4], echo_opens: bool, body: &[Stmt]) -> (String, u64) {
    let opened: Vec<u8> = (0u8..4).filter(|&f| open[usize::from(f)]).collect();
    let mut r = Renderer {
        out: String::new(),
        indent: 4,
        // The function body is itself a label: `br` to it returns.
        labels: vec![Label {
            result: false,
            target: true,
        }],
        loop_depth: 0,
        opened: opened.clone(),
    };
    r.out.push_str(
        "(module\n\
         \x20 (import \"env\" \"output\" (func $output (param i32)))\n\
         \x20 (import \"env\" \"fd_open\" (func $fd_open (param i32) (result i32)))\n\
         \x20 (import \"env\" \"fd_read\" (func $fd_read (param i32) (result i32)))\n\
         \x20 (import \"env\" \"fd_write\" (func $fd_write (param i32 i32)))\n\
         \x20 (import \"env\" \"fd_close\" (func $fd_close (param i32)))\n\
         \x20 (memory 1)\n\
         \x20 (func $main (export \"main\")\n",
    );
    let locals: Vec<String> = (0..VARS + COUNTERS as u8)
        .map(|i| format!("(local {} i32)", local_name(i)))
        .collect();
    r.line(&locals.join(" "));
    let mut cost = 1; // the function's final `end`
    for f in opened {
        r.line(&format!("i32.const {f}"));
        r.line("call $fd_open");
        r.line(if echo_opens { "call $output" } else { "drop" });
        cost += 3;
    }
    cost += r.stmts(body);
    r.out.push_str("  )\n)\n");
    (r.out, cost)
}

fn local_name(i: u8) -> String {
    if i < VARS {
        format!("$v{i}")
    } else {
        format!("$c{}", i - VARS)
    }
}

fn memarg_text(m: MemArg) -> String {
    let mut s = String::new();
    if m.offset != 0 {
        s.push_str(&format!(" offset={}", m.offset));
    }
    if let Some(a) = m.align {
        s.push_str(&format!(" align={a}"));
    }
    s
}

impl Renderer {
    fn line(&mut self, text: &str) {
        for _ in 0..self.indent {
            self.out.push(' ');
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    /// Opens a structured instruction and its label.
    fn open(&mut self, text: &str, label: Label) {
        self.line(text);
        self.indent += 2;
        self.labels.push(label);
    }

    fn close(&mut self) {
        self.labels.pop();
        self.indent -= 2;
        self.line("end");
    }

    fn stmts(&mut self, stmts: &[Stmt]) -> u64 {
        stmts.iter().map(|s| self.stmt(s)).sum()
    }

    fn file(&mut self, file: &FileSel) -> u64 {
        let n = match file {
            FileSel::Opened(k) => match self.opened.len() {
                0 => i32::from(k % 4),
                len => i32::from(self.opened[usize::from(*k) % len]),
            },
            FileSel::Fixed(f) => i32::from(*f),
            FileSel::Bad(v) => *v,
            FileSel::Dyn(e) => return self.expr(e),
        };
        self.line(&format!("i32.const {n}"));
        1
    }

    fn addr(&mut self, addr: &Addr) -> u64 {
        match addr {
            Addr::Const(a) => {
                self.line(&format!("i32.const {a}"));
                1
            }
            Addr::Masked(e, base) => {
                let cost = self.expr(e);
                self.line("i32.const 63");
                self.line("i32.and");
                self.line(&format!("i32.const {base}"));
                self.line("i32.add");
                cost + 4
            }
            Addr::Raw(e) => self.expr(e),
        }
    }

    fn expr(&mut self, expr: &Expr) -> u64 {
        match expr {
            Expr::Const(v) => {
                self.line(&format!("i32.const {v}"));
                1
            }
            Expr::Get(i) => {
                self.line(&format!("local.get {}", local_name(*i)));
                1
            }
            Expr::Bin(op, a, b) => {
                let cost = self.expr(a) + self.expr(b);
                self.line(op.mnemonic());
                cost + 1
            }
            Expr::Tee(v, e) => {
                let cost = self.expr(e);
                self.line(&format!("local.tee {}", local_name(*v)));
                cost + 1
            }
            Expr::Load(a, m) => {
                let cost = self.addr(a);
                self.line(&format!("i32.load{}", memarg_text(*m)));
                cost + 1
            }
            Expr::Open(f) => {
                let cost = self.file(f);
                self.line("call $fd_open");
                cost + 1
            }
            Expr::Read(f) => {
                let cost = self.file(f);
                self.line("call $fd_read");
                cost + 1
            }
            Expr::Block(body, value) => {
                let label = Label {
                    result: true,
                    target: true,
                };
                self.open("block (result i32)", label);
                let cost = self.stmts(body) + self.expr(value);
                self.close();
                cost + 2
            }
            Expr::If(cond, then_body, then_value, else_body, else_value) => {
                let mut cost = self.expr(cond);
                let label = Label {
                    result: true,
                    target: true,
                };
                self.open("if (result i32)", label);
                let then_cost = self.stmts(then_body) + self.expr(then_value);
                self.indent -= 2;
                self.line("else");
                self.indent += 2;
                let else_cost = self.stmts(else_body) + self.expr(else_value);
                self.close();
                cost += 3 + then_cost.max(else_cost);
                cost
            }
            Expr::LoopOnce(body, value) => {
                let label = Label {
                    result: false,
                    target: false,
                };
                self.open("loop (result i32)", label);
                let cost = self.stmts(body) + self.expr(value);
                self.close();
                cost + 2
            }
        }
    }

    fn stmt(&mut self, stmt: &Stmt) -> u64 {
        match stmt {
            Stmt::Set(v, e) => {
                let cost = self.expr(e);
                self.line(&format!("local.set {}", local_name(*v)));
                cost + 1
            }
            Stmt::Output(e) => {
                let cost = self.expr(e);
                self.line("call $output");
                cost + 1
            }
            Stmt::Drop(e) => {
                let cost = self.expr(e);
                self.line("drop");
                cost + 1
            }
            Stmt::Nop => {
                self.line("nop");
                1
            }
            Stmt::Store(a, m, v) => {
                let cost = self.addr(a) + self.expr(v);
                self.line(&format!("i32.store{}", memarg_text(*m)));
                cost + 1
            }
            Stmt::Write(f, v) => {
                let cost = self.file(f) + self.expr(v);
                self.line("call $fd_write");
                cost + 1
            }
            Stmt::Close(f) => {
                let cost = self.file(f);
                self.line("call $fd_close");
                cost + 1
            }
            Stmt::Block(body) => {
                let label = Label {
                    result: false,
                    target: true,
                };
                self.open("block", label);
                let cost = self.stmts(body);
                self.close();
                cost + 2
            }
            Stmt::If(cond, then_body, else_body) => {
                let mut cost = self.expr(cond) + 2;
                let label = Label {
                    result: false,
                    target: true,
                };
                self.open("if", label);
                let then_cost = self.stmts(then_body);
                let else_cost = match else_body {
                    Some(else_body) => {
                        self.indent -= 2;
                        self.line("else");
                        self.indent += 2;
                        1 + self.stmts(else_body)
                    }
                    None => 0,
                };
                self.close();
                cost += then_cost.max(else_cost) + 1;
                cost
            }
            Stmt::Loop(form, trips, body) => self.counted_loop(*form, *trips, body),
            Stmt::Br(choice, value) => {
                let (depth, label) = self.pick_label(*choice);
                let cost = if label.result { self.expr(value) } else { 0 };
                self.line(&format!("br {depth}"));
                cost + 1
            }
            Stmt::BrIf(choice, cond, value) => {
                let (depth, label) = self.pick_label(*choice);
                let mut cost = 1;
                if label.result {
                    cost += self.expr(value) + 1;
                }
                cost += self.expr(cond);
                self.line(&format!("br_if {depth}"));
                if label.result {
                    self.line("drop");
                }
                cost
            }
            Stmt::Return => {
                self.line("return");
                1
            }
            Stmt::Unreachable => {
                self.line("unreachable");
                1
            }
        }
    }

    /// A branch target among the enclosing labels: (relative depth, label).
    fn pick_label(&self, choice: u8) -> (usize, Label) {
        let targets: Vec<usize> = (0..self.labels.len())
            .filter(|&i| self.labels[i].target)
            .collect();
        let index = targets[usize::from(choice) % targets.len()];
        (self.labels.len() - 1 - index, self.labels[index])
    }

    fn counted_loop(&mut self, form: LoopForm, trips: u32, body: &[Stmt]) -> u64 {
        if self.loop_depth >= COUNTERS {
            // Out of counter locals: run the body once, as a block.
            return self.stmt(&Stmt::Block(body.to_vec()));
        }
        let counter = local_name(VARS + self.loop_depth as u8);
        self.loop_depth += 1;
        let n = u64::from(trips);
        let cost = match form {
            LoopForm::TopTest => {
                self.line(&format!("i32.const {trips}"));
                self.line(&format!("local.set {counter}"));
                let exit = Label {
                    result: false,
                    target: true,
                };
                self.open("block", exit);
                // The counter is decremented before the body, so a `br` back to
                // this loop from the body (a `continue`) still makes progress.
                self.open("loop", exit);
                self.line(&format!("local.get {counter}"));
                self.line("i32.const 0");
                self.line("i32.le_s");
                self.line("br_if 1");
                self.line(&format!("local.get {counter}"));
                self.line("i32.const 1");
                self.line("i32.sub");
                self.line(&format!("local.set {counter}"));
                let body_cost = self.stmts(body);
                self.line("br 0");
                self.close();
                self.close();
                // setup 2, block+loop 2, n+1 tests of 4, n iterations of
                // decrement 4 + body + br 1, and the two ends.
                4 + (n + 1) * 4 + n * (5 + body_cost) + 2
            }
            LoopForm::CountDown | LoopForm::CountUp => {
                let count_up = matches!(form, LoopForm::CountUp);
                let start = if count_up { 0 } else { trips };
                self.line(&format!("i32.const {start}"));
                self.line(&format!("local.set {counter}"));
                let back_edge = Label {
                    result: false,
                    target: false,
                };
                self.open("loop", back_edge);
                let body_cost = self.stmts(body);
                self.line(&format!("local.get {counter}"));
                self.line("i32.const 1");
                self.line(if count_up { "i32.add" } else { "i32.sub" });
                self.line(&format!("local.tee {counter}"));
                if count_up {
                    self.line(&format!("i32.const {trips}"));
                    self.line("i32.lt_s");
                } else {
                    self.line("i32.const 0");
                    self.line("i32.gt_s");
                }
                self.line("br_if 0");
                self.close();
                3 + n.max(1) * (7 + body_cost) + 1
            }
        };
        self.loop_depth -= 1;
        cost
    }
}
