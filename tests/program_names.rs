//! WAT names from the `name` section: what the loader keeps (function, import,
//! local and label names, expected values written by hand from the WAT source),
//! how listings show them, the fallbacks without names, and that a broken `name`
//! section never stops a module from loading.

mod support;

use std::collections::BTreeMap;

use support::corpus::load_corpus;
use wasmtf::debugger::demo::{DEMO_NAME, DEMO_SOURCE};
use wasmtf::program::{BlockKind, HostCall, MAX_NAME_CHARS, Names, Program};

/// Every construct of SPEC §2 that a listing names: a named function, named and
/// unnamed locals, imports under names of their own, named blocks, loops and
/// ifs (one with an `else`, one with a result) and an unnamed block.
const NAMED: &str = r#"
(module
  (import "env" "output" (func $print (param i32)))
  (import "env" "fd_read" (func $fd_read (param i32) (result i32)))
  (import "env" "fd_open" (func $open (param i32) (result i32)))
  (memory 1)
  (func $main (export "main") (local $n i32) (local i32) (local $sum i32)
    (drop (call $open (i32.const 0)))
    (block $eof
      (loop $read
        (local.set $n (call $fd_read (i32.const 0)))
        (br_if $eof (i32.eq (local.get $n) (i32.const -1)))
        (if $big (i32.gt_s (local.get $n) (i32.const 100))
          (then (local.set 1 (local.get $n)))
          (else (br $read)))
        (block
          (br_if 0 (local.get 1)))
        (local.set $sum (i32.add (local.get $sum) (local.get $n)))
        (br $read)))
    (drop (block $r (result i32)
      (i32.const 5) (i32.const 6) (br_if $r (i32.const 1)) (drop)))
    (call $print (local.get $sum))))
"#;

/// [`NAMED`]'s flat list as a listing shows it, written out by hand.
const NAMED_LISTING: [&str; 34] = [
    "i32.const 0",                  // 0
    "call $open",                   // 1
    "drop",                         // 2
    "i32.const 0",                  // 3  block $eof, loop $read
    "call $fd_read",                // 4
    "local.set $n",                 // 5
    "local.get $n",                 // 6
    "i32.const -1",                 // 7
    "i32.eq",                       // 8
    "br_if $eof @25",               // 9
    "local.get $n",                 // 10
    "i32.const 100",                // 11
    "i32.gt_s",                     // 12
    "if $big (else @17)",           // 13
    "local.get $n",                 // 14
    "local.set 1",                  // 15
    "else $big (end @18)",          // 16
    "br $read @3",                  // 17
    "local.get 1",                  // 18 the unnamed block
    "br_if @20",                    // 19
    "local.get $sum",               // 20
    "local.get $n",                 // 21
    "i32.add",                      // 22
    "local.set $sum",               // 23
    "br $read @3",                  // 24
    "i32.const 5",                  // 25 block $r (result i32)
    "i32.const 6",                  // 26
    "i32.const 1",                  // 27
    "br_if $r @30 (drop 1 keep 1)", // 28
    "drop",                         // 29
    "drop",                         // 30
    "local.get $sum",               // 31
    "call $print",                  // 32
    "end (return)",                 // 33
];

/// The same list as `Display` shows it (and as a listing does without names).
const NAMED_DISPLAY: [&str; 34] = [
    "i32.const 0",
    "call $env.fd_open",
    "drop",
    "i32.const 0",
    "call $env.fd_read",
    "local.set 0",
    "local.get 0",
    "i32.const -1",
    "i32.eq",
    "br_if @25",
    "local.get 0",
    "i32.const 100",
    "i32.gt_s",
    "if (else @17)",
    "local.get 0",
    "local.set 1",
    "else (end @18)",
    "br @3",
    "local.get 1",
    "br_if @20",
    "local.get 2",
    "local.get 0",
    "i32.add",
    "local.set 2",
    "br @3",
    "i32.const 5",
    "i32.const 6",
    "i32.const 1",
    "br_if @30 (drop 1 keep 1)",
    "drop",
    "drop",
    "local.get 2",
    "call $env.output",
    "end (return)",
];

fn load(name: &str, bytes: &[u8]) -> Program {
    Program::from_bytes(name, bytes).unwrap_or_else(|e| panic!("{e}"))
}

fn listing(program: &Program) -> Vec<String> {
    (0..program.instructions.len())
        .map(|pc| program.instruction_text(pc))
        .collect()
}

fn display(program: &Program) -> Vec<String> {
    program
        .instructions
        .iter()
        .map(|instruction| instruction.to_string())
        .collect()
}

fn map<K: Ord + Copy, const N: usize>(entries: [(K, &str); N]) -> BTreeMap<K, String> {
    entries
        .into_iter()
        .map(|(key, name)| (key, name.to_string()))
        .collect()
}

type Span = (BlockKind, usize, usize, u32, Option<String>);

fn spans(program: &Program) -> Vec<Span> {
    program
        .blocks
        .iter()
        .map(|b| (b.kind, b.start, b.end, b.depth, b.label.clone()))
        .collect()
}

fn span(kind: BlockKind, start: usize, end: usize, depth: u32, label: Option<&str>) -> Span {
    (kind, start, end, depth, label.map(str::to_string))
}

// --- Binary surgery: sections of a module, by hand (LEB128 sizes). ---

fn read_leb(bytes: &[u8], at: &mut usize) -> usize {
    let (mut value, mut shift) = (0usize, 0);
    loop {
        let byte = bytes[*at];
        *at += 1;
        value |= usize::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return value;
        }
        shift += 7;
    }
}

fn leb(mut value: usize) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return out;
        }
        out.push(byte | 0x80);
    }
}

/// A module's sections after the 8-byte header: (id, whole section bytes,
/// contents range within the module).
fn sections(wasm: &[u8]) -> Vec<(u8, std::ops::Range<usize>, std::ops::Range<usize>)> {
    let mut at = 8;
    let mut out = Vec::new();
    while at < wasm.len() {
        let start = at;
        let id = wasm[at];
        at += 1;
        let size = read_leb(wasm, &mut at);
        out.push((id, start..at + size, at..at + size));
        at += size;
    }
    out
}

/// The custom section's name, if the section is one.
fn custom_name(wasm: &[u8], id: u8, contents: &std::ops::Range<usize>) -> Option<String> {
    if id != 0 {
        return None;
    }
    let mut at = contents.start;
    let len = read_leb(wasm, &mut at);
    Some(String::from_utf8_lossy(&wasm[at..at + len]).into_owned())
}

/// The module without its `name` section.
fn strip_names(wasm: &[u8]) -> Vec<u8> {
    let mut out = wasm[..8].to_vec();
    for (id, whole, contents) in sections(wasm) {
        if custom_name(wasm, id, &contents).as_deref() != Some("name") {
            out.extend_from_slice(&wasm[whole]);
        }
    }
    out
}

/// Where the `name` section's data (after its name) lies in the module.
fn name_data(wasm: &[u8]) -> std::ops::Range<usize> {
    for (id, _, contents) in sections(wasm) {
        if custom_name(wasm, id, &contents).as_deref() == Some("name") {
            return contents.start + 1 + 4..contents.end;
        }
    }
    panic!("the module has no name section")
}

/// A custom section `name` with the given data.
fn name_section(data: &[u8]) -> Vec<u8> {
    let mut contents = vec![4];
    contents.extend_from_slice(b"name");
    contents.extend_from_slice(data);
    let mut out = vec![0];
    out.extend(leb(contents.len()));
    out.extend(contents);
    out
}

/// A name subsection: id, size, contents.
fn subsection(id: u8, contents: &[u8]) -> Vec<u8> {
    let mut out = vec![id];
    out.extend(leb(contents.len()));
    out.extend_from_slice(contents);
    out
}

/// A name map's entries (index, name bytes), with its count as given.
fn name_map(count: usize, entries: &[(u32, &[u8])]) -> Vec<u8> {
    let mut out = leb(count);
    for (index, name) in entries {
        out.extend(leb(*index as usize));
        out.extend(leb(name.len()));
        out.extend_from_slice(name);
    }
    out
}

fn named_wasm() -> Vec<u8> {
    wat::parse_str(NAMED).expect("NAMED is valid WAT")
}

// --- The named module ---

#[test]
fn the_name_section_gives_main_its_imports_locals_and_labels() {
    let program = Program::from_wat("named.wat", NAMED).unwrap();
    assert_eq!(
        program.names,
        Names {
            main: Some("main".into()),
            imports: map([
                (HostCall::Output, "print"),
                (HostCall::FdRead, "fd_read"),
                (HostCall::FdOpen, "open"),
            ]),
            locals: map([(0, "n"), (2, "sum")]),
            // Labels count block, loop and if in the order they open: the
            // unnamed block is label 3.
            labels: map([(0, "eof"), (1, "read"), (2, "big"), (4, "r")]),
        }
    );
    assert_eq!(program.local_name(0), Some("n"));
    assert_eq!(program.local_name(1), None);
    assert_eq!(program.local_name(2), Some("sum"));
    assert_eq!(program.local_name(3), None);
    assert_eq!(program.import_name(HostCall::Output), Some("print"));
    assert_eq!(program.import_name(HostCall::FdWrite), None);
}

#[test]
fn blocks_carry_their_labels() {
    let program = Program::from_wat("named.wat", NAMED).unwrap();
    // In the order the constructs close.
    assert_eq!(
        spans(&program),
        vec![
            span(BlockKind::If, 13, 18, 2, Some("big")),
            span(BlockKind::Block, 18, 20, 2, None),
            span(BlockKind::Loop, 3, 25, 1, Some("read")),
            span(BlockKind::Block, 3, 25, 0, Some("eof")),
            span(BlockKind::Block, 25, 30, 0, Some("r")),
        ]
    );
}

#[test]
fn jumps_know_the_block_they_target() {
    let program = Program::from_wat("named.wat", NAMED).unwrap();
    let targets: Vec<(usize, Option<u32>)> = program
        .instructions
        .iter()
        .enumerate()
        .filter(|(_, i)| i.origin.target_block.is_some() || i.op.branch().is_some())
        .map(|(pc, i)| (pc, i.origin.target_block))
        .collect();
    // Indices into `blocks` (see `blocks_carry_their_labels`).
    assert_eq!(
        targets,
        vec![
            (9, Some(3)),  // br_if $eof
            (13, Some(0)), // if $big
            (16, Some(0)), // else $big
            (17, Some(2)), // br $read (from the else arm)
            (19, Some(1)), // br_if 0, the unnamed block
            (24, Some(2)), // br $read
            (28, Some(4)), // br_if $r
        ]
    );
    assert_eq!(
        program.target_block(9).and_then(|b| b.label.as_deref()),
        Some("eof")
    );
    assert_eq!(program.target_block(8), None);
    assert_eq!(program.target_block(1000), None);
}

#[test]
fn the_listing_uses_the_names_and_display_does_not() {
    let program = Program::from_wat("named.wat", NAMED).unwrap();
    assert_eq!(listing(&program), NAMED_LISTING);
    assert_eq!(display(&program), NAMED_DISPLAY);
}

#[test]
fn a_branch_to_the_function_label_stays_unnamed() {
    let source = r#"(module (func $main (export "main") (local $x i32)
        (block $b (br_if 1 (local.get $x)) (br $b))))"#;
    let program = Program::from_wat("t.wat", source).unwrap();
    assert_eq!(
        listing(&program),
        ["local.get $x", "br_if @3", "br $b @3", "end (return)"]
    );
    assert_eq!(program.instructions[1].origin.target_block, None);
}

// --- Without names ---

#[test]
fn without_names_the_listing_falls_back_to_indices() {
    let source = r#"(module
        (import "env" "output" (func (param i32)))
        (func (export "main") (local i32)
          (block (br_if 0 (local.get 0)))
          (if (local.get 0) (then (local.set 0 (i32.const 1))))
          (call 0 (local.get 0))))"#;
    let program = Program::from_wat("plain.wat", source).unwrap();
    assert_eq!(program.names, Names::default());
    assert!(program.names.is_empty());
    assert!(program.blocks.iter().all(|b| b.label.is_none()));
    assert_eq!(program.local_name(0), None);
    let expected = [
        "local.get 0",
        "br_if @2",
        "local.get 0",
        "if (else @6)",
        "i32.const 1",
        "local.set 0",
        "local.get 0",
        "call $env.output",
        "end (return)",
    ];
    assert_eq!(listing(&program), expected);
    assert_eq!(display(&program), expected);
}

#[test]
fn the_named_module_without_its_name_section_lists_like_display() {
    let stripped = strip_names(&named_wasm());
    let program = load("named.wasm", &stripped);
    assert!(program.names.is_empty());
    assert_eq!(listing(&program), NAMED_DISPLAY);
    // Names change nothing that runs.
    let named = Program::from_wat("named.wasm", NAMED).unwrap();
    assert_eq!(program.instructions, named.instructions);
}

#[test]
fn a_name_section_before_the_code_is_read_too() {
    // Custom sections may sit anywhere; put the names right after the header.
    let wasm = named_wasm();
    let data = &wasm[name_data(&wasm)];
    let stripped = strip_names(&wasm);
    let mut moved = stripped[..8].to_vec();
    moved.extend(name_section(data));
    moved.extend_from_slice(&stripped[8..]);
    let program = load("moved.wasm", &moved);
    assert_eq!(listing(&program), NAMED_LISTING);
}

// --- Broken name sections ---

/// A `name` section written byte by byte for [`NAMED`] without its own names
/// (function 3 is `main`; the locals are 0..2; labels 0..4): every subsection
/// is damaged in a different way.
#[test]
fn a_damaged_name_section_keeps_what_parses() {
    let mut data = Vec::new();
    // Function names: `print` for import 0, then `main`, then an entry whose
    // name runs past the subsection: the first two are kept.
    let mut functions = name_map(3, &[(0, b"print"), (3, b"main")]);
    functions.extend([4, 10, b'x']);
    data.extend(subsection(1, &functions));
    // Local names of main: `n`, `sum`, then an index out of order: the map
    // breaks off there.
    let locals_of_main = name_map(3, &[(0, b"n"), (2, b"sum"), (1, b"late")]);
    let mut locals = leb(1);
    locals.extend(leb(3));
    locals.extend(locals_of_main);
    data.extend(subsection(2, &locals));
    // Label names: a count and nothing else. Nothing is kept.
    data.extend(subsection(3, &[5]));
    let mut wasm = strip_names(&named_wasm());
    wasm.extend(name_section(&data));

    let program = load("damaged.wasm", &wasm);
    assert_eq!(
        program.names,
        Names {
            main: Some("main".into()),
            imports: map([(HostCall::Output, "print")]),
            locals: map([(0, "n"), (2, "sum")]),
            labels: BTreeMap::new(),
        }
    );
    assert!(program.blocks.iter().all(|b| b.label.is_none()));
    assert_eq!(program.instruction_text(5), "local.set $n");
    assert_eq!(program.instruction_text(9), "br_if @25");
    assert_eq!(program.instruction_text(32), "call $print");
}

#[test]
fn a_subsection_with_a_broken_header_ends_the_names() {
    // Local names of main are fine; then a subsection claims more bytes than
    // the section has. What came before is kept.
    let mut locals = leb(1);
    locals.extend(leb(3));
    locals.extend(name_map(1, &[(2, b"sum")]));
    let mut data = subsection(2, &locals);
    data.extend([3, 0x7f, 1, 2]);
    let mut wasm = strip_names(&named_wasm());
    wasm.extend(name_section(&data));
    let program = load("broken.wasm", &wasm);
    assert_eq!(program.names.locals, map([(2, "sum")]));
    assert_eq!(program.names.labels, BTreeMap::new());
}

#[test]
fn names_that_are_not_utf8_or_are_hostile_are_dropped_or_cleaned() {
    let long = "w".repeat(500);
    let mut locals = leb(1);
    locals.extend(leb(3));
    locals.extend(name_map(
        4,
        &[
            (0, b"\x1b[31mred"),
            (1, long.as_bytes()),
            (2, b""),
            (3, b"\xff\xfe"),
        ],
    ));
    let data = subsection(2, &locals);
    let mut wasm = strip_names(&named_wasm());
    wasm.extend(name_section(&data));
    let program = load("hostile.wasm", &wasm);
    assert_eq!(program.local_name(0), Some("\u{fffd}[31mred"));
    let cut = program.local_name(1).unwrap();
    assert_eq!(cut.chars().count(), MAX_NAME_CHARS);
    assert!(cut.ends_with('…'));
    // An empty name is no name; a name that is not UTF-8 ends the map.
    assert_eq!(program.local_name(2), None);
    assert_eq!(program.instruction_text(31), "local.get 2");
    assert_eq!(program.local_name(3), None);
}

#[test]
fn every_corrupted_byte_of_the_name_section_still_loads() {
    let wasm = named_wasm();
    let expected = Program::from_bytes("named.wasm", &wasm).unwrap();
    let data = name_data(&wasm);
    for at in data {
        for flip in [0x01, 0x80, 0xff] {
            let mut corrupted = wasm.clone();
            corrupted[at] ^= flip;
            let program = Program::from_bytes("corrupted.wasm", &corrupted)
                .unwrap_or_else(|e| panic!("byte {at} ^ {flip:#x}: {e}"));
            assert_eq!(program.instructions, expected.instructions, "byte {at}");
            // Listings still render every instruction.
            for pc in 0..program.instructions.len() {
                assert!(!program.instruction_text(pc).is_empty());
            }
        }
    }
    // A name section cut short anywhere (its size fixed up to match).
    let data = &wasm[name_data(&wasm)];
    let stripped = strip_names(&wasm);
    for len in 0..data.len() {
        let mut truncated = stripped.clone();
        truncated.extend(name_section(&data[..len]));
        let program = load("truncated.wasm", &truncated);
        assert_eq!(program.instructions, expected.instructions, "length {len}");
    }
}

// --- The debugger's demo ---

#[test]
fn the_demo_is_listed_with_its_names() {
    let program = Program::from_wat(DEMO_NAME, DEMO_SOURCE).unwrap();
    assert_eq!(
        program.names,
        Names {
            // `(func (export "main") ...)` has no `$id`.
            main: None,
            imports: map([
                (HostCall::Output, "output"),
                (HostCall::FdOpen, "fd_open"),
                (HostCall::FdRead, "fd_read"),
                (HostCall::FdWrite, "fd_write"),
                (HostCall::FdClose, "fd_close"),
            ]),
            locals: map([(0, "c"), (1, "n"), (2, "sum"), (3, "i")]),
            // The upper-casing `if` is label 2 and unnamed.
            labels: map([(0, "eof"), (1, "read"), (3, "done"), (4, "write")]),
        }
    );
    let expected = [
        "i32.const 0",     // 0
        "call $fd_open",   // 1
        "drop",            // 2
        "i32.const 0",     // 3 block $eof, loop $read
        "call $fd_read",   // 4
        "local.set $c",    // 5
        "local.get $c",    // 6
        "i32.const -1",    // 7
        "i32.eq",          // 8
        "br_if $eof @38",  // 9
        "local.get $c",    // 10
        "i32.const 97",    // 11
        "i32.ge_s",        // 12
        "local.get $c",    // 13
        "i32.const 122",   // 14
        "i32.le_s",        // 15
        "i32.and",         // 16
        "if (else @22)",   // 17
        "local.get $c",    // 18
        "i32.const 32",    // 19
        "i32.sub",         // 20
        "local.set $c",    // 21
        "local.get $n",    // 22
        "i32.const 4",     // 23
        "i32.mul",         // 24
        "local.get $c",    // 25
        "i32.store",       // 26
        "local.get $sum",  // 27
        "i32.const 31",    // 28
        "i32.mul",         // 29
        "local.get $c",    // 30
        "i32.add",         // 31
        "local.set $sum",  // 32
        "local.get $n",    // 33
        "i32.const 1",     // 34
        "i32.add",         // 35
        "local.set $n",    // 36
        "br $read @3",     // 37
        "i32.const 0",     // 38
        "call $fd_close",  // 39
        "i32.const 1",     // 40
        "call $fd_open",   // 41
        "drop",            // 42
        "local.get $i",    // 43 block $done, loop $write
        "local.get $n",    // 44
        "i32.ge_s",        // 45
        "br_if $done @58", // 46
        "i32.const 1",     // 47
        "local.get $i",    // 48
        "i32.const 4",     // 49
        "i32.mul",         // 50
        "i32.load",        // 51
        "call $fd_write",  // 52
        "local.get $i",    // 53
        "i32.const 1",     // 54
        "i32.add",         // 55
        "local.set $i",    // 56
        "br $write @43",   // 57
        "local.get $n",    // 58
        "call $output",    // 59
        "local.get $sum",  // 60
        "call $output",    // 61
        "end (return)",    // 62
    ];
    assert_eq!(listing(&program), expected);
    assert_eq!(
        spans(&program),
        vec![
            span(BlockKind::If, 17, 22, 2, None),
            span(BlockKind::Loop, 3, 38, 1, Some("read")),
            span(BlockKind::Block, 3, 38, 0, Some("eof")),
            span(BlockKind::Loop, 43, 58, 1, Some("write")),
            span(BlockKind::Block, 43, 58, 0, Some("done")),
        ]
    );
}

// --- The corpus ---

#[test]
fn without_names_every_corpus_listing_equals_display() {
    let corpus = load_corpus();
    assert!(!corpus.is_empty());
    for program in corpus {
        let wasm =
            wat::parse_str(&program.source).unwrap_or_else(|e| panic!("{}: {e}", program.id()));
        let unnamed = load(&program.id(), &strip_names(&wasm));
        assert!(unnamed.names.is_empty(), "{}", program.id());
        assert!(unnamed.blocks.iter().all(|b| b.label.is_none()));
        assert_eq!(listing(&unnamed), display(&unnamed), "{}", program.id());

        // With its names the program is the same program, and every
        // instruction a names-free listing would show still reads the same
        // apart from the names.
        let named = load(&program.id(), &wasm);
        assert_eq!(named.instructions, unnamed.instructions, "{}", program.id());
        let plain = listing(&unnamed);
        for (pc, text) in listing(&named).iter().enumerate() {
            if !text.contains('$') {
                assert_eq!(text, &plain[pc], "{} @{pc}", program.id());
            }
        }
    }
}
