//! The debugger's value panels and what they lead to: Locals and Memory,
//! watches that stop `c`, following a value back to the pass that produced
//! it, the timeline and the mouse. Expected passes come from the reference
//! VM, stepped alongside by the test itself.

mod support;

use support::debugger::screen;
use support::transformer::compiled;
use wasmtf::debugger::app::{App, LayerItem, Mouse, Panel, Watch};
use wasmtf::debugger::keymap::Key;
use wasmtf::debugger::new_app;
use wasmtf::files::FileContents;
use wasmtf::program::{HostCall, Op};
use wasmtf::vm::Vm;

fn demo() -> App {
    new_app(None, FileContents::default(), compiled().clone()).unwrap()
}

fn press(app: &mut App, keys: &str) {
    for c in keys.chars() {
        app.key(Key::Char(c));
        app.finish_running();
    }
}

/// What the VM did at each pass of the demo: the op executed, the stack
/// before it, and the effect.
struct VmPass {
    op: Op,
    stack_before: Vec<i32>,
    vm_after: Vm,
}

fn vm_passes(app: &App) -> Vec<VmPass> {
    let mut vm = Vm::new(
        std::sync::Arc::clone(app.session.program()),
        app.session.vm().files().clone(),
    );
    let mut passes = vec![];
    while vm.status() == wasmtf::vm::Status::Running {
        let op = app.session.program().instructions[vm.pc()].op;
        let stack_before = vm.stack().to_vec();
        vm.step();
        passes.push(VmPass {
            op,
            stack_before,
            vm_after: vm.clone(),
        });
    }
    passes
}

/// The 1-based pass of the first entry of `passes` for which `f` holds.
fn first_pass(passes: &[VmPass], f: impl Fn(&VmPass) -> bool) -> u64 {
    passes.iter().position(f).expect("the VM does it") as u64 + 1
}

fn head(app: &App, name: &str) -> (usize, usize) {
    let weights = app.session.model().weights();
    for (l, layer) in weights.layers.iter().enumerate() {
        if let Some(h) = layer.heads.iter().position(|h| h.name == name) {
            return (l, h);
        }
    }
    panic!("no head {name}")
}

fn select_head(app: &mut App, name: &str) {
    let (layer, h) = head(app, name);
    app.layer = layer;
    app.item = Some(LayerItem::Head(h));
    app.focus = Panel::Layers;
}

#[test]
fn locals_show_wat_names_and_the_values_the_vm_has() {
    let mut app = demo();
    app.key(Key::End);
    app.finish_running();
    app.focus = Panel::Locals;
    let text = screen(&app, 160, 48);
    let vm = app.session.vm().locals().to_vec();
    // The demo counts the 19 bytes of "hello, transformer!" into $n.
    assert_eq!(vm[1], 19);
    for (name, value) in ["$c", "$n", "$sum", "$i"].iter().zip(&vm) {
        let row = text
            .lines()
            .find(|l| l.contains(&format!(" {name} ")) && l.contains("  ← "))
            .unwrap_or_else(|| panic!("{name} missing:\n{text}"));
        assert!(row.contains(&format!(" {value}  ← pass")), "{row}");
    }
}

#[test]
fn memory_shows_the_stored_bytes_and_the_pass_that_stored_them() {
    let mut app = demo();
    let passes = vm_passes(&app);
    let first_store = first_pass(&passes, |p| matches!(p.op, Op::Store { .. }));
    press(&mut app, &format!("{first_store}g"));
    app.focus = Panel::Memory;
    let text = screen(&app, 160, 48);
    // 'h' upper-cased to 'H' (0x48) at address 0.
    assert!(
        text.contains(&format!(
            "0x0000 = 0x48 (i32 72) · stored by pass {first_store}"
        )),
        "{text}"
    );
    assert!(text.contains("0000 48 00 00 00"), "{text}");
    let access = app.session.machine().access();
    assert_eq!(access.wrote.map(|s| (s.address, s.len)), Some((0, 4)));
}

#[test]
fn a_watch_on_an_address_stops_c_when_it_changes() {
    let mut app = demo();
    let passes = vm_passes(&app);
    let word_at_8 = |vm: &Vm| {
        let mut bytes = [0u8; 4];
        vm.memory().read(8, &mut bytes);
        i32::from_le_bytes(bytes)
    };
    let changes = first_pass(&passes, |p| word_at_8(&p.vm_after) != 0);
    app.focus = Panel::Memory;
    app.cursors.memory = 8;
    press(&mut app, "w");
    assert!(app.watches.contains(&Watch::Memory(8)));
    press(&mut app, "c");
    assert_eq!(app.session.pass(), changes);
    // "hello": the third letter, 'l' upper-cased.
    assert!(
        app.message.contains(&format!(
            "watch: i32 at 0x0008 changed 0 → 76 at pass {changes}"
        )),
        "{}",
        app.message
    );
    // w again removes it: c now runs to the end.
    press(&mut app, "wc");
    assert!(app.session.finished());
}

#[test]
fn a_watch_on_a_local_stops_at_each_change() {
    let mut app = demo();
    let passes = vm_passes(&app);
    let sum_changes: Vec<u64> = passes
        .windows(2)
        .enumerate()
        .filter(|(_, w)| w[0].vm_after.locals()[2] != w[1].vm_after.locals()[2])
        .map(|(i, _)| i as u64 + 2)
        .collect();
    app.focus = Panel::Locals;
    press(&mut app, "jjw");
    assert!(app.watches.contains(&Watch::Local(2)), "{}", app.message);
    press(&mut app, "c");
    // $sum = 0·31 + 'H' = 72 is the first change; 0 → 0 would not be one.
    assert_eq!(app.session.pass(), sum_changes[0]);
    press(&mut app, "c");
    assert_eq!(app.session.pass(), sum_changes[1]);
}

#[test]
fn following_a_file_byte_leads_back_through_the_heads_to_the_store() {
    let mut app = demo();
    let passes = vm_passes(&app);
    app.key(Key::End);
    app.finish_running();
    let end = app.session.pass();
    // The pass that wrote file 1's first byte, by the VM.
    let write = first_pass(&passes, |p| {
        p.vm_after
            .effect()
            .write
            .is_some_and(|(f, o, _)| f == 1 && o == 0)
    });
    // The value it wrote was pushed by the last i32.load before it...
    let load = (1..write)
        .rev()
        .find(|&p| matches!(passes[p as usize - 1].op, Op::Load { .. }))
        .unwrap();
    let address = *passes[load as usize - 1].stack_before.last().unwrap();
    // ...which read what the last store to that address left.
    let store = (1..load)
        .rev()
        .find(|&p| {
            let before = &passes[p as usize - 1].stack_before;
            matches!(passes[p as usize - 1].op, Op::Store { .. })
                && before[before.len() - 2] == address
        })
        .unwrap();

    app.focus = Panel::Files;
    app.cursors.file = 19; // past file 0's 19 bytes: file 1, byte 0
    assert_eq!(app.file_cursor(), Some((1, 0)));
    press(&mut app, "f");
    assert_eq!(app.session.pass(), write, "{}", app.message);
    assert_eq!(
        app.session.program().instructions[app.session.executed().unwrap()].op,
        Op::Call(HostCall::FdWrite)
    );
    select_head(&mut app, "stack.top");
    press(&mut app, "f");
    assert_eq!(app.session.pass(), load, "{}", app.message);
    select_head(&mut app, "mem.0.0");
    press(&mut app, "f");
    assert_eq!(app.session.pass(), store, "{}", app.message);
    assert!(app.message.contains("i32.store"), "{}", app.message);
    press(&mut app, "FFF");
    assert_eq!(app.session.pass(), end);
    press(&mut app, "F");
    assert!(app.message.contains("nothing to go back to"));
}

#[test]
fn following_a_local_and_a_stack_slot() {
    let mut app = demo();
    let passes = vm_passes(&app);
    app.key(Key::End);
    app.finish_running();
    let last_set_n = passes
        .iter()
        .rposition(|p| p.op == Op::LocalSet(1))
        .unwrap() as u64
        + 1;
    app.focus = Panel::Locals;
    press(&mut app, "jf");
    assert_eq!(app.session.pass(), last_set_n, "{}", app.message);
    // Before that local.set, $n + 1 was on top: pushed by the i32.add just before.
    press(&mut app, "N");
    app.focus = Panel::Stack;
    press(&mut app, "f");
    assert_eq!(app.session.pass(), last_set_n - 1);
    assert!(matches!(
        passes[last_set_n as usize - 2].op,
        Op::Binary(wasmtf::program::BinaryOp::Add)
    ));
}

#[test]
fn the_timeline_marks_writes_and_jumps_by_key_and_click() {
    let mut app = demo();
    let passes = vm_passes(&app);
    app.key(Key::End);
    app.finish_running();
    let text = screen(&app, 160, 48);
    let total = passes.len();
    assert!(text.contains(&format!("over passes 1–{total}")), "{text}");
    assert!(text.contains('│') && text.contains('▲'), "{text}");
    let writes: Vec<u64> = passes
        .iter()
        .enumerate()
        .filter(|(_, p)| p.vm_after.effect().write.is_some())
        .map(|(i, _)| i as u64 + 1)
        .collect();
    app.key(Key::Home);
    press(&mut app, "}");
    assert_eq!(app.session.pass(), writes[0]);
    press(&mut app, "}");
    assert_eq!(app.session.pass(), writes[1]);
    press(&mut app, "{");
    assert_eq!(app.session.pass(), writes[0]);
    // A click on column c goes to the last pass that column stands for:
    // passes·(c+1)/columns, by the scale's definition.
    let inner = app.panel_inner(Panel::Timeline).unwrap();
    let column = inner.width as u64 / 2;
    app.mouse(Mouse::Click {
        x: inner.x + column as u16,
        y: inner.y,
    });
    assert_eq!(app.focus, Panel::Timeline);
    assert_eq!(
        app.session.pass(),
        total as u64 * (column + 1) / inner.width as u64
    );
}

#[test]
fn clicks_select_lines_panels_and_values_and_the_wheel_scrolls() {
    let mut app = demo();
    screen(&app, 160, 48);
    let program = app.panel_inner(Panel::Program).unwrap();
    app.mouse(Mouse::Click {
        x: program.x + 3,
        y: program.y + 5,
    });
    assert_eq!((app.focus, app.selected), (Panel::Program, 5));
    app.mouse(Mouse::WheelDown {
        x: program.x + 3,
        y: program.y + 5,
    });
    assert_eq!(app.selected, 8);
    let locals = app.panel_inner(Panel::Locals).unwrap();
    app.mouse(Mouse::Click {
        x: locals.x + 2,
        y: locals.y + 2,
    });
    assert_eq!((app.focus, app.cursors.local), (Panel::Locals, 2));
    let memory = app.panel_inner(Panel::Memory).unwrap();
    // Row 2 under the header, the third byte's hex column ("0008 00 00 xx").
    app.mouse(Mouse::Click {
        x: memory.x + 5 + 3 * 2,
        y: memory.y + 2,
    });
    let per_row = app.bytes_per_row(Panel::Memory);
    assert_eq!(
        (app.focus, app.cursors.memory),
        (Panel::Memory, per_row + 2)
    );
    // On a narrow screen the tab bar switches panels.
    screen(&app, 80, 24);
    app.mouse(Mouse::Click { x: 2, y: 0 });
    assert_eq!(app.focus, Panel::Program);
    app.mouse(Mouse::Click { x: 11, y: 0 });
    assert_eq!(app.focus, Panel::Stack);
}

fn search(app: &mut App, query: &str) {
    app.key(Key::Char('/'));
    for c in query.chars() {
        app.key(Key::Char(c));
    }
    app.key(Key::Enter);
}

#[test]
fn a_dimension_lists_its_writers_and_readers_from_the_weights() {
    let mut app = demo();
    press(&mut app, "30g");
    search(&mut app, "top.b0");
    let text = screen(&app, 160, 48);
    // By construction only the stack.top head (layer 1) writes the top's bits.
    assert!(
        text.contains("▸ dimension top.b0 = ")
            && text.contains("written by 1: layer 1 head stack.top (o[0])"),
        "{text}"
    );
    assert!(text.contains("read by "), "{text}");
    // ↓ selects the next listed dimension: in layer 1 at this pass the top
    // is 31, so its bits 0 to 4 are listed in order.
    press(&mut app, "1>j");
    let weights = app.session.model().weights();
    assert_eq!(weights.dims[app.dim.unwrap()], "top.b1");
}

#[test]
fn an_ablated_head_is_flagged_and_a_neuron_shows_what_it_added() {
    let mut weights = compiled().clone();
    weights.ablate_heads("stack.top");
    let mut app = new_app(None, FileContents::default(), weights).unwrap();
    press(&mut app, "3g");
    select_head(&mut app, "stack.top");
    let text = screen(&app, 160, 48);
    assert!(text.contains("ITS OUTPUT WEIGHTS ARE ALL ZERO"), "{text}");

    // Under the built-in weights, a neuron that fired: its detail gives
    // gate × value × its output column, entry by entry.
    let mut app = demo();
    press(&mut app, "30g");
    let capture = app.session.capture().unwrap().clone();
    let (layer, fired) = capture
        .layers
        .iter()
        .enumerate()
        .find_map(|(l, c)| {
            c.neurons
                .iter()
                .find(|n| n.gate * n.value != 0.0)
                .map(|n| (l, *n))
        })
        .unwrap();
    app.layer = layer;
    app.item = Some(LayerItem::Neuron(fired.index));
    app.focus = Panel::Layers;
    let text = screen(&app, 160, 48);
    let weights = app.session.model().weights();
    let w_out = &weights.layers[layer].w_out;
    let (d, w) = (0..w_out.nrows())
        .map(|d| (d, w_out[[d, fired.index]]))
        .find(|&(_, w)| w != 0.0)
        .unwrap();
    let added = fired.gate * fired.value * w;
    let expected = format!(
        "{}{}{}",
        weights.dims[d],
        if added >= 0.0 { "+" } else { "" },
        added
    );
    assert!(
        text.contains(&format!("adds {expected}")) || text.contains(&format!(" {expected}")),
        "{expected}\n{text}"
    );
}

#[test]
fn follow_uses_the_slot_shown_after_the_stack_got_shallower() {
    let mut app = demo();
    // Run to a pass with three values on the stack, select the bottom one,
    // then step back to where only one is left.
    while app.session.machine().stack().len() < 3 {
        press(&mut app, "n");
    }
    app.focus = Panel::Stack;
    press(&mut app, "jj");
    while app.session.machine().stack().len() > 1 {
        press(&mut app, "N");
    }
    press(&mut app, "f");
    assert!(!app.message.contains("empty"), "{}", app.message);
}

#[test]
fn the_timeline_steps_from_pass_zero_to_pass_one() {
    let mut app = demo();
    press(&mut app, "3nN");
    app.key(Key::Home);
    screen(&app, 160, 48);
    app.focus = Panel::Timeline;
    press(&mut app, "l");
    assert_eq!(app.session.pass(), 1);
}

#[test]
fn a_click_in_files_selects_the_byte_under_it() {
    let mut app = demo();
    press(&mut app, "n");
    screen(&app, 160, 48);
    let files = app.panel_inner(Panel::Files).unwrap();
    // Row 1 is file 0's first row of bytes; its third byte's hex, then the
    // text column of its fifth byte.
    app.mouse(Mouse::Click {
        x: files.x + 5 + 3 * 2,
        y: files.y + 1,
    });
    assert_eq!((app.focus, app.file_cursor()), (Panel::Files, Some((0, 2))));
    let per_row = app.bytes_per_row(Panel::Files) as u16;
    app.mouse(Mouse::Click {
        x: files.x + 5 + 3 * per_row + 4,
        y: files.y + 1,
    });
    assert_eq!(app.file_cursor(), Some((0, 4)));
}

#[test]
fn a_far_go_to_runs_in_slices_and_a_key_stops_it() {
    let source = format!(
        "(module {} (func (export \"main\") (loop $l (br $l))))",
        support::ENV_IMPORTS
    );
    let program =
        std::sync::Arc::new(wasmtf::program::Program::from_wat("spin.wat", &source).unwrap());
    let mut app = App::new(
        wasmtf::debugger::session::DebugSession::new(
            support::transformer::model(),
            program,
            FileContents::default(),
        )
        .unwrap(),
    );
    for c in "g999999999".chars() {
        app.key(Key::Char(c));
    }
    app.key(Key::Enter);
    assert!(app.running.is_some(), "a far target is a long run");
    app.run_slice(std::time::Duration::from_millis(50));
    let at = app.session.pass();
    assert!(at > 0 && at < 999_999_999);
    app.key(Key::Char('x'));
    assert!(app.running.is_none());
    assert_eq!(app.message, format!("interrupted at pass {at}"));
}
