//! The debugger's state updates, with no terminal: keys in, state out; and
//! whole-screen and per-panel snapshots rendered on ratatui's TestBackend.

mod support;

use proptest::prelude::*;
use support::debugger::screen;
use support::transformer::compiled;
use wasmtf::debugger::app::{App, LayerItem, Mouse, Panel};
use wasmtf::debugger::keymap::Key;
use wasmtf::debugger::new_app;
use wasmtf::files::FileContents;
use wasmtf::weights::OutputKind;

fn demo() -> App {
    new_app(None, FileContents::default(), compiled().clone()).unwrap()
}

fn press(app: &mut App, keys: &[Key]) {
    for &key in keys {
        app.key(key);
        app.finish_running();
    }
}

fn chars(text: &str) -> Vec<Key> {
    text.chars().map(Key::Char).collect()
}

#[test]
fn n_advances_exactly_one_forward_pass_and_capital_n_goes_back() {
    let mut app = demo();
    assert_eq!(app.session.pass(), 0);
    press(&mut app, &[Key::Char('n')]);
    assert_eq!(app.session.pass(), 1);
    assert!(screen(&app, 80, 24).contains("pass 1 "));
    press(&mut app, &[Key::Char('n'), Key::Char('n'), Key::Char('N')]);
    assert_eq!(app.session.pass(), 2);
    press(&mut app, &chars("NNN"));
    assert_eq!(app.session.pass(), 0);
    assert!(screen(&app, 80, 24).contains("pass 0 "));
}

#[test]
fn go_to_breakpoints_and_continue() {
    let mut app = demo();
    press(&mut app, &chars("g"));
    press(&mut app, &chars("40"));
    press(&mut app, &[Key::Enter]);
    assert_eq!(app.session.pass(), 40);
    // Three setup passes, then 35-instruction iterations of the read loop
    // (34 when the letter needs no upper-casing): pass 40 is in the second.
    assert!(screen(&app, 160, 48).contains("loop @3..38: iteration 2"));
    // A breakpoint on the loop's fd_read (instruction 4): c stops just before it.
    app.selected = 4;
    press(&mut app, &chars("bc"));
    assert!(app.breakpoints.contains(&4));
    assert_eq!(app.current_ip(), 4);
    let at = app.session.pass();
    press(&mut app, &chars("c"));
    assert_eq!(app.current_ip(), 4);
    assert!(app.session.pass() > at);
    press(&mut app, &chars("C"));
    assert_eq!(app.session.pass(), at);
    // Without breakpoints c runs to the end.
    press(&mut app, &chars("bc"));
    assert!(app.session.finished());
    assert_eq!(app.session.host().report().outputs, vec![19, 900_052_718]);
}

#[test]
fn focus_layers_residual_and_search() {
    let mut app = demo();
    press(&mut app, &chars("n"));
    press(&mut app, &[Key::Tab]);
    assert_eq!(app.focus, Panel::Stack);
    press(&mut app, &[Key::BackTab, Key::BackTab]);
    assert_eq!(app.focus, Panel::Logits);
    press(&mut app, &chars("2>"));
    assert_eq!((app.focus, app.layer), (Panel::Layers, 2));
    press(&mut app, &chars("9>"));
    assert_eq!(app.layer, 2, "no layer 9: nothing changes");
    press(&mut app, &chars(">"));
    assert_eq!(app.layer, 3);
    press(&mut app, &chars(">"));
    assert_eq!(app.layer, 0, "> wraps around");
    press(&mut app, &chars("2>"));
    press(&mut app, &[Key::Right, Key::Right]);
    assert_eq!(app.selected_item(), Some(LayerItem::Head(2)));
    assert!(
        screen(&app, 160, 48)
            .contains("▸ mem.0.1: the latest store whose byte 1 is at address + 0")
    );
    press(&mut app, &[Key::Left, Key::Left, Key::Left]);
    let last = *app.layer_items().last().unwrap();
    assert_eq!(
        app.selected_item(),
        Some(last),
        "Left from the first item wraps to the last"
    );
    press(&mut app, &chars("/alu.mul"));
    press(&mut app, &[Key::Enter]);
    assert_eq!(app.layer, 1, "the first layer with alu.mul neurons");
    press(&mut app, &chars("/nothing-like-this"));
    press(&mut app, &[Key::Enter]);
    assert!(app.message.contains("no dimension, head or neuron"));
    press(&mut app, &chars("g"));
    press(&mut app, &chars("x"));
    press(&mut app, &[Key::Enter]);
    assert!(app.message.contains("not a pass number"));
}

#[test]
fn edited_weights_stop_continue_at_the_divergence_in_red() {
    let mut weights = compiled().clone();
    weights.ablate_neurons("alu.sub");
    let mut app = new_app(None, FileContents::default(), weights).unwrap();
    press(&mut app, &chars("c"));
    let first = app
        .session
        .first_divergence()
        .expect("upper-casing needs sub");
    assert_eq!(app.session.pass(), first);
    let record = app.session.record(first).unwrap();
    assert_eq!(
        app.session.program().instructions[record.ip as usize].to_string(),
        "i32.sub"
    );
    assert!(
        app.message.starts_with("DIVERGED at pass"),
        "{}",
        app.message
    );
    assert!(screen(&app, 160, 48).contains("DIVERGED push model 0 ≠ vm 72"));
}

#[test]
fn quit_on_q_and_ctrl_c_and_help_toggles() {
    let mut app = demo();
    press(&mut app, &chars("?"));
    assert!(app.help);
    assert!(screen(&app, 80, 24).contains("one forward pass"));
    press(&mut app, &chars("?"));
    assert!(!app.help);
    press(&mut app, &[Key::CtrlC]);
    assert!(app.quit);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    /// No sequence of keys and mouse events at any terminal size panics.
    #[test]
    fn any_keys_and_clicks_at_any_size_never_panic(
        inputs in proptest::collection::vec(prop_oneof![
            proptest::sample::select(vec![
                'n', 'N', 's', 'S', 'b', 'g', 'r', '/', '?', '1', '7', '0', 'x', 'j', 'k', 'C',
                '>', '<', ';', ',', 't', 'c', 'f', 'F', 'w', '{', '}', 'h', 'l',
            ]).prop_map(|c| Input::Key(Key::Char(c))),
            proptest::sample::select(vec![
                Key::Tab, Key::BackTab, Key::Enter, Key::Esc, Key::Backspace, Key::Up, Key::Down,
                Key::PageUp, Key::PageDown, Key::Left, Key::Right, Key::Home,
            ]).prop_map(Input::Key),
            (0u16..200, 0u16..60).prop_map(|(x, y)| Input::Mouse(Mouse::Click { x, y })),
            (0u16..200, 0u16..60).prop_map(|(x, y)| Input::Mouse(Mouse::WheelDown { x, y })),
            (0u16..200, 0u16..60).prop_map(|(x, y)| Input::Mouse(Mouse::WheelUp { x, y })),
        ], 0..40),
        width in 1u16..200,
        height in 1u16..60,
    ) {
        let mut app = demo();
        for input in inputs {
            match input {
                Input::Key(key) => app.key(key),
                Input::Mouse(mouse) => app.mouse(mouse),
            }
            app.finish_running();
            screen(&app, width, height);
        }
    }
}

/// Weights whose output field `field` always says `choice` (a categorical
/// value, or a quadratic field's value): garbage tokens of every kind.
fn garbage_weights(field: usize, choice: i64) -> wasmtf::weights::Weights {
    let mut weights = compiled().clone();
    let count = weights.outputs.len();
    match &mut weights.outputs[field % count].kind {
        OutputKind::Categorical { b, .. } => {
            let n = b.len();
            b[choice.rem_euclid(n as i64) as usize] = 1e9;
        }
        OutputKind::Quadratic { bias, .. } => *bias = choice as f64,
    }
    weights
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, failure_persistence: None, ..ProptestConfig::default() })]

    /// Edited weights that make the model emit garbage (an ip far outside the
    /// program, a write at cursor 0, a huge depth change) never panic the
    /// debugger, whatever is pressed or followed.
    #[test]
    fn garbage_tokens_never_panic_the_debugger(
        field in 0usize..32,
        choice in prop_oneof![Just(1i64), Just(-1), Just(1_000_000), Just(-1_000_000), 0i64..5],
        keys in proptest::collection::vec(proptest::sample::select(vec![
            'n', 'N', 'f', 'F', 'w', 'c', 'j', 'k', 'l', 'h', '}', '{', '\t',
        ]), 0..30),
    ) {
        let mut app = new_app(None, FileContents::default(), garbage_weights(field, choice)).unwrap();
        for key in keys {
            app.key(if key == '\t' { Key::Tab } else { Key::Char(key) });
            app.finish_running();
            screen(&app, 160, 48);
            screen(&app, 80, 24);
        }
    }
}

#[derive(Debug, Clone)]
enum Input {
    Key(Key),
    Mouse(Mouse),
}

fn snapshot_app() -> App {
    let mut app = demo();
    press(&mut app, &chars("g"));
    press(&mut app, &chars("30"));
    press(&mut app, &[Key::Enter]);
    app
}

#[test]
fn whole_screen_snapshots() {
    let app = snapshot_app();
    insta::assert_snapshot!("screen_160x48", screen(&app, 160, 48));
    insta::assert_snapshot!("screen_80x24", screen(&app, 80, 24));
}

#[test]
fn each_panel_snapshot_at_80x24() {
    let mut app = snapshot_app();
    for panel in Panel::ALL {
        app.focus = panel;
        insta::assert_snapshot!(
            format!("panel_{}", panel.title().to_lowercase()),
            screen(&app, 80, 24)
        );
    }
    app.focus = Panel::Layers;
    for layer in 1..4 {
        app.layer = layer;
        insta::assert_snapshot!(format!("panel_layers_{layer}"), screen(&app, 80, 24));
    }
}
