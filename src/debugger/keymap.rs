//! The keys, held as data: the event loop looks actions up here and the `?`
//! help is generated from the same table.

/// A key press, independent of the terminal library.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Key {
    Char(char),
    Tab,
    BackTab,
    Enter,
    Esc,
    Backspace,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    CtrlC,
}

/// Everything the debugger can be asked to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    PassForward,
    PassBack,
    InstructionForward,
    InstructionBack,
    Continue,
    ContinueBack,
    ToggleBreakpoint,
    GoToPass,
    FocusNext,
    FocusPrevious,
    SelectLayer(usize),
    PreviousItem,
    NextItem,
    CycleResidual,
    Search,
    Up,
    Down,
    PageUp,
    PageDown,
    Help,
    Quit,
}

/// `(key, action, what it does)`.
pub const KEYMAP: &[(Key, Action, &str)] = &[
    (Key::Char('n'), Action::PassForward, "one forward pass"),
    (Key::Char('N'), Action::PassBack, "one forward pass back"),
    (
        Key::Char('s'),
        Action::InstructionForward,
        "one instruction (one pass here)",
    ),
    (
        Key::Char('S'),
        Action::InstructionBack,
        "one instruction back",
    ),
    (
        Key::Char('c'),
        Action::Continue,
        "run to a breakpoint, divergence, trap or the end",
    ),
    (
        Key::Char('C'),
        Action::ContinueBack,
        "run back to a breakpoint or the start",
    ),
    (
        Key::Char('b'),
        Action::ToggleBreakpoint,
        "toggle a breakpoint on the selected instruction",
    ),
    (Key::Char('g'), Action::GoToPass, "go to pass N"),
    (Key::Tab, Action::FocusNext, "next panel"),
    (Key::BackTab, Action::FocusPrevious, "previous panel"),
    (Key::Char('0'), Action::SelectLayer(0), "layer 0"),
    (Key::Char('1'), Action::SelectLayer(1), "layer 1"),
    (Key::Char('2'), Action::SelectLayer(2), "layer 2"),
    (Key::Char('3'), Action::SelectLayer(3), "layer 3"),
    (
        Key::Left,
        Action::PreviousItem,
        "previous head or neuron of the layer",
    ),
    (
        Key::Right,
        Action::NextItem,
        "next head or neuron of the layer",
    ),
    (
        Key::Char('r'),
        Action::CycleResidual,
        "residual: before attention / after attention / after FFN",
    ),
    (
        Key::Char('/'),
        Action::Search,
        "find a dimension, head or neuron by name",
    ),
    (Key::Up, Action::Up, "move the selection up"),
    (Key::Down, Action::Down, "move the selection down"),
    (Key::Char('k'), Action::Up, "move the selection up"),
    (Key::Char('j'), Action::Down, "move the selection down"),
    (Key::PageUp, Action::PageUp, "page up"),
    (Key::PageDown, Action::PageDown, "page down"),
    (Key::Char('?'), Action::Help, "this help"),
    (Key::Char('q'), Action::Quit, "quit"),
    (Key::CtrlC, Action::Quit, "quit"),
];

pub fn action_for(key: Key) -> Option<Action> {
    KEYMAP
        .iter()
        .find(|(k, _, _)| *k == key)
        .map(|(_, a, _)| *a)
}

/// How a key is written in the help.
pub fn key_name(key: Key) -> String {
    match key {
        Key::Char(c) => c.to_string(),
        Key::Tab => "Tab".into(),
        Key::BackTab => "S-Tab".into(),
        Key::Enter => "Enter".into(),
        Key::Esc => "Esc".into(),
        Key::Backspace => "Bksp".into(),
        Key::Up => "↑".into(),
        Key::Down => "↓".into(),
        Key::Left => "←".into(),
        Key::Right => "→".into(),
        Key::PageUp => "PgUp".into(),
        Key::PageDown => "PgDn".into(),
        Key::CtrlC => "C-c".into(),
    }
}
