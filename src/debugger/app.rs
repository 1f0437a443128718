//! The debugger's state and its updates, apart from any drawing: an [`App`]
//! holds the session, what is focused and selected, the breakpoints and the
//! prompt being typed; [`App::update`] applies one [`Action`] or key.

use std::collections::BTreeSet;

use super::keymap::{Action, Key, action_for};
use super::session::{DebugSession, PassRecord, Stopped};

/// The panels, in focus order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Panel {
    Program,
    Stack,
    Layers,
    Files,
    Loop,
    Output,
    Logits,
}

impl Panel {
    pub const ALL: [Panel; 7] = [
        Panel::Program,
        Panel::Stack,
        Panel::Layers,
        Panel::Files,
        Panel::Loop,
        Panel::Output,
        Panel::Logits,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Panel::Program => "Program",
            Panel::Stack => "Stack",
            Panel::Layers => "Layers",
            Panel::Files => "Files",
            Panel::Loop => "Loop",
            Panel::Output => "Output",
            Panel::Logits => "Logits",
        }
    }
}

/// Which residual snapshot the Layers panel shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Residual {
    Pre,
    Mid,
    Post,
}

impl Residual {
    /// TransformerLens' hook name.
    pub fn hook(self) -> &'static str {
        match self {
            Residual::Pre => "hook_resid_pre",
            Residual::Mid => "hook_resid_mid",
            Residual::Post => "hook_resid_post",
        }
    }
}

/// A line being typed at the bottom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prompt {
    GoTo(String),
    Search(String),
}

/// Everything the screen shows, and how to change it.
pub struct App {
    pub session: DebugSession,
    pub focus: Panel,
    pub layer: usize,
    pub residual: Residual,
    /// Selected instruction in the Program panel.
    pub selected: usize,
    /// Scroll of the Layers panel's residual list.
    pub layer_scroll: usize,
    /// The head (first) or fired neuron (after the heads) shown in detail.
    pub item: usize,
    /// A name searched for with `/`, highlighted in the Layers panel.
    pub highlight: Option<String>,
    pub breakpoints: BTreeSet<usize>,
    pub prompt: Option<Prompt>,
    pub help: bool,
    pub message: String,
    pub quit: bool,
}

/// Most passes `c` runs before handing control back.
pub const CONTINUE_LIMIT: u64 = 10_000_000;

impl App {
    pub fn new(session: DebugSession) -> App {
        App {
            session,
            focus: Panel::Program,
            layer: 0,
            residual: Residual::Post,
            selected: 0,
            layer_scroll: 0,
            item: 0,
            highlight: None,
            breakpoints: BTreeSet::new(),
            prompt: None,
            help: false,
            message: "n: one forward pass · ?: keys".into(),
            quit: false,
        }
    }

    /// The instruction the current pass executed (at pass 0, the first one,
    /// about to run): the one the listing marks with ▶.
    pub fn current_ip(&self) -> usize {
        self.session
            .executed()
            .or(self.session.next_instruction())
            .unwrap_or(0)
    }

    /// Handles a key: a typed prompt takes it first, then the keymap.
    pub fn key(&mut self, key: Key, interrupted: &mut dyn FnMut() -> bool) {
        if let Some(prompt) = self.prompt.take() {
            self.prompt_key(prompt, key);
            return;
        }
        if self.help {
            self.help = false;
            if matches!(key, Key::Char('?') | Key::Esc | Key::Char('q')) {
                return;
            }
        }
        if let Some(action) = action_for(key) {
            self.update(action, interrupted);
        }
    }

    fn prompt_key(&mut self, prompt: Prompt, key: Key) {
        let (text, rebuild): (String, fn(String) -> Prompt) = match prompt {
            Prompt::GoTo(t) => (t, Prompt::GoTo),
            Prompt::Search(t) => (t, Prompt::Search),
        };
        match key {
            Key::Esc | Key::CtrlC => self.message = "cancelled".into(),
            Key::Enter => self.submit(rebuild(text)),
            Key::Backspace => {
                let mut text = text;
                text.pop();
                self.prompt = Some(rebuild(text));
            }
            Key::Char(c) => self.prompt = Some(rebuild(format!("{text}{c}"))),
            _ => self.prompt = Some(rebuild(text)),
        }
    }

    fn submit(&mut self, prompt: Prompt) {
        match prompt {
            Prompt::GoTo(text) => match text.trim().parse::<u64>() {
                Ok(pass) => {
                    let result = self.session.go_to(pass);
                    self.after_move(result);
                    if self.session.pass() < pass {
                        self.message = format!("the run ends at pass {}", self.session.pass());
                    }
                }
                Err(_) => self.message = format!("not a pass number: {text:?}"),
            },
            Prompt::Search(text) => self.search(text.trim()),
        }
    }

    /// Selects the layer holding a head or neuron called `name`, or shows the
    /// residual dimension of that name.
    fn search(&mut self, name: &str) {
        if name.is_empty() {
            self.highlight = None;
            return;
        }
        let weights = self.session.model().weights();
        for (l, layer) in weights.layers.iter().enumerate() {
            let head = layer.heads.iter().any(|h| h.name.contains(name));
            let neuron = layer.neuron_names.iter().any(|n| n.contains(name));
            if head || neuron {
                self.layer = l;
                self.focus = Panel::Layers;
                self.highlight = Some(name.to_string());
                self.message = format!("{name:?} is in layer {l}");
                return;
            }
        }
        if let Some(d) = weights.dims.iter().position(|d| d.contains(name)) {
            self.focus = Panel::Layers;
            self.highlight = Some(name.to_string());
            self.layer_scroll = d;
            self.message = format!("dimension {}", weights.dims[d]);
            return;
        }
        self.message = format!("no dimension, head or neuron matches {name:?}");
    }

    fn after_move(&mut self, result: Result<(), String>) {
        match result {
            Ok(()) => {
                self.selected = self.current_ip();
                self.message = self.describe_last_pass();
            }
            Err(error) => self.message = format!("error: {error}"),
        }
    }

    fn describe_last_pass(&self) -> String {
        let pass = self.session.pass();
        match (self.session.record(pass), self.session.mismatches().first()) {
            (Some(_), Some(mismatch)) => format!("DIVERGED at pass {pass}: {mismatch}"),
            (Some(record), None) => format!("pass {pass}: {}", record.token.describe()),
            (None, _) => "at the start of the trace".into(),
        }
    }

    /// Applies one action.
    pub fn update(&mut self, action: Action, interrupted: &mut dyn FnMut() -> bool) {
        match action {
            Action::PassForward | Action::InstructionForward => {
                if self.session.finished() {
                    self.message = "the run has ended (N steps back)".into();
                } else {
                    let result = self.session.forward(true).map(|_| ());
                    self.after_move(result);
                }
            }
            Action::PassBack | Action::InstructionBack => {
                let result = self.session.back();
                self.after_move(result);
            }
            Action::Continue => {
                let breakpoints = self.breakpoints.clone();
                let stop = |_: u64, r: &PassRecord| {
                    r.diverged() || usize::try_from(r.ip).is_ok_and(|ip| breakpoints.contains(&ip))
                };
                let result = self
                    .session
                    .run_forward(CONTINUE_LIMIT, stop, &mut |_| interrupted());
                let interrupted = matches!(result, Ok(Stopped::Interrupted));
                self.after_move(result.map(|_| ()));
                if interrupted {
                    self.message = format!("interrupted at pass {}", self.session.pass());
                }
            }
            Action::ContinueBack => {
                let breakpoints = self.breakpoints.clone();
                let stop = |_: u64, r: &PassRecord| {
                    usize::try_from(r.ip).is_ok_and(|ip| breakpoints.contains(&ip))
                };
                let result = self.session.run_backward(stop);
                self.after_move(result);
            }
            Action::ToggleBreakpoint => {
                if !self.breakpoints.remove(&self.selected) {
                    self.breakpoints.insert(self.selected);
                    self.message = format!("breakpoint at instruction {}", self.selected);
                } else {
                    self.message = format!("breakpoint at instruction {} removed", self.selected);
                }
            }
            Action::GoToPass => self.prompt = Some(Prompt::GoTo(String::new())),
            Action::Search => self.prompt = Some(Prompt::Search(String::new())),
            Action::FocusNext | Action::FocusPrevious => {
                let i = Panel::ALL
                    .iter()
                    .position(|&p| p == self.focus)
                    .unwrap_or(0);
                let n = Panel::ALL.len();
                let next = if action == Action::FocusNext {
                    (i + 1) % n
                } else {
                    (i + n - 1) % n
                };
                self.focus = Panel::ALL[next];
            }
            Action::SelectLayer(layer) => {
                if layer < self.session.model().weights().layers.len() {
                    self.layer = layer;
                    self.item = 0;
                    self.focus = Panel::Layers;
                }
            }
            Action::PreviousItem | Action::NextItem => {
                let count = self.layer_items().len();
                if count > 0 {
                    self.item = if action == Action::NextItem {
                        (self.item + 1) % count
                    } else {
                        (self.item + count - 1) % count
                    };
                    self.focus = Panel::Layers;
                }
            }
            Action::CycleResidual => {
                self.residual = match self.residual {
                    Residual::Pre => Residual::Mid,
                    Residual::Mid => Residual::Post,
                    Residual::Post => Residual::Pre,
                };
            }
            Action::Up | Action::Down | Action::PageUp | Action::PageDown => self.scroll(action),
            Action::Help => self.help = !self.help,
            Action::Quit => self.quit = true,
        }
    }

    fn scroll(&mut self, action: Action) {
        let delta: isize = match action {
            Action::Up => -1,
            Action::Down => 1,
            Action::PageUp => -10,
            _ => 10,
        };
        let move_by =
            |value: usize, max: usize| (value as isize + delta).clamp(0, max as isize) as usize;
        match self.focus {
            Panel::Layers => {
                let max = self.session.model().weights().dims.len().saturating_sub(1);
                self.layer_scroll = move_by(self.layer_scroll, max);
            }
            _ => {
                let max = self.session.program().instructions.len().saturating_sub(1);
                self.selected = move_by(self.selected, max);
            }
        }
    }
}

/// A head or a fired neuron of the selected layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayerItem {
    Head(usize),
    Neuron(usize),
}

impl App {
    /// The heads of the selected layer, then the neurons that fired in the
    /// captured pass: what Left/Right move through.
    pub fn layer_items(&self) -> Vec<LayerItem> {
        let weights = self.session.model().weights();
        let Some(layer) = weights.layers.get(self.layer) else {
            return Vec::new();
        };
        let mut items: Vec<LayerItem> = (0..layer.heads.len()).map(LayerItem::Head).collect();
        if let Some(capture) = self.session.capture() {
            items.extend(
                capture.layers[self.layer]
                    .neurons
                    .iter()
                    .filter(|n| n.gate * n.value != 0.0)
                    .map(|n| LayerItem::Neuron(n.index)),
            );
        }
        items
    }

    /// The item shown in detail, if any.
    pub fn selected_item(&self) -> Option<LayerItem> {
        let items = self.layer_items();
        items
            .get(self.item.min(items.len().saturating_sub(1)))
            .copied()
    }

    /// What the token at `position` is, in words.
    pub fn describe_position(&self, position: usize) -> String {
        let run = self.session.run();
        let prompt = run.prompt_len();
        let program = self.session.program();
        if position == 0 {
            "BOS".into()
        } else if position < prompt - 1 {
            let i = position - 1;
            program
                .instructions
                .get(i)
                .map_or_else(String::new, |ins| format!("instr {i}: {ins}"))
        } else if position == prompt - 1 {
            "start token".into()
        } else {
            let pass = (position - (prompt - 1)) as u64;
            self.session.record(pass).map_or_else(String::new, |r| {
                format!("pass {pass}: {}", r.token.describe())
            })
        }
    }
}
