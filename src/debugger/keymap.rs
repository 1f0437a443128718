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
    Home,
    End,
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
    RunToCursor,
    Start,
    End,
    ToggleBreakpoint,
    GoToPass,
    FocusNext,
    FocusPrevious,
    NextLayer,
    PreviousLayer,
    PreviousItem,
    NextItem,
    CycleResidual,
    Search,
    NextMatch,
    PreviousMatch,
    Up,
    Down,
    PageUp,
    PageDown,
    SaveTrace,
    NextWrongPass,
    PreviousWrongPass,
    Follow,
    FollowBack,
    Watch,
    NextMark,
    PreviousMark,
    Help,
    Quit,
}

/// `(key, action, what it does)`. A count typed first (`10n`) repeats a
/// move, `3c` stops at the third breakpoint, `40g` goes to pass 40 and `2>`
/// selects layer 2.
pub const KEYMAP: &[(Key, Action, &str)] = &[
    (Key::Char('n'), Action::PassForward, "one forward pass"),
    (Key::Char('N'), Action::PassBack, "one forward pass back"),
    (
        Key::Char('s'),
        Action::InstructionForward,
        "one instruction (one pass)",
    ),
    (
        Key::Char('S'),
        Action::InstructionBack,
        "one instruction back",
    ),
    (
        Key::Char('c'),
        Action::Continue,
        "run to break, watch, divergence",
    ),
    (
        Key::Char('C'),
        Action::ContinueBack,
        "back to a break or the start",
    ),
    (
        Key::Char('t'),
        Action::RunToCursor,
        "run to the selected line",
    ),
    (Key::Home, Action::Start, "go to pass 0"),
    (Key::End, Action::End, "run to the end"),
    (Key::Char('G'), Action::End, "run to the end"),
    (
        Key::Char('b'),
        Action::ToggleBreakpoint,
        "breakpoint on the selected line",
    ),
    (Key::Char('g'), Action::GoToPass, "go to pass N (or Ng)"),
    (Key::Tab, Action::FocusNext, "next panel"),
    (Key::BackTab, Action::FocusPrevious, "previous panel"),
    (Key::Char('>'), Action::NextLayer, "next layer (N> layer N)"),
    (Key::Char('<'), Action::PreviousLayer, "previous layer"),
    (
        Key::Right,
        Action::NextItem,
        "next head, neuron, byte, step",
    ),
    (
        Key::Left,
        Action::PreviousItem,
        "previous head/neuron/byte/step",
    ),
    (
        Key::Char('l'),
        Action::NextItem,
        "next head, neuron, byte, step",
    ),
    (
        Key::Char('h'),
        Action::PreviousItem,
        "previous head/neuron/byte/step",
    ),
    (Key::Char('f'), Action::Follow, "follow value to its pass"),
    (Key::Char('F'), Action::FollowBack, "back to where f left"),
    (Key::Char('w'), Action::Watch, "watch address or local"),
    (
        Key::Char('}'),
        Action::NextMark,
        "next marked pass (timeline)",
    ),
    (Key::Char('{'), Action::PreviousMark, "previous marked pass"),
    (
        Key::Char('r'),
        Action::CycleResidual,
        "residual: pre / mid / post",
    ),
    (
        Key::Char('/'),
        Action::Search,
        "find head, neuron, dimension",
    ),
    (Key::Char(';'), Action::NextMatch, "next match"),
    (Key::Char(','), Action::PreviousMatch, "previous match"),
    (Key::Down, Action::Down, "select or scroll down"),
    (Key::Up, Action::Up, "select or scroll up"),
    (Key::Char('j'), Action::Down, "select or scroll down"),
    (Key::Char('k'), Action::Up, "select or scroll up"),
    (Key::PageDown, Action::PageDown, "page down"),
    (Key::PageUp, Action::PageUp, "page up"),
    (
        Key::Char(']'),
        Action::NextWrongPass,
        "next pass that went wrong",
    ),
    (
        Key::Char('['),
        Action::PreviousWrongPass,
        "previous pass that went wrong",
    ),
    (Key::Char('W'), Action::SaveTrace, "save the trace so far"),
    (Key::Char('?'), Action::Help, "this help"),
    (Key::Char('q'), Action::Quit, "quit"),
    (Key::CtrlC, Action::Quit, "quit"),
];

/// The help's lines: each action once, with all its keys (`↓ j`).
pub fn help_entries() -> Vec<(String, &'static str)> {
    let mut entries: Vec<(String, &'static str)> = Vec::new();
    let mut seen: Vec<Action> = Vec::new();
    for (_, action, doc) in KEYMAP {
        if seen.contains(action) {
            continue;
        }
        seen.push(*action);
        let keys: Vec<String> = KEYMAP
            .iter()
            .filter(|(_, a, _)| a == action)
            .map(|(k, _, _)| key_name(*k))
            .collect();
        entries.push((keys.join(" "), doc));
    }
    entries
}

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
        Key::Home => "Home".into(),
        Key::End => "End".into(),
        Key::CtrlC => "C-c".into(),
    }
}
