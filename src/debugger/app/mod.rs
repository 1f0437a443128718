//! The debugger's state and its updates, apart from any drawing: an [`App`]
//! holds the session, what is focused and selected, the breakpoints, the
//! prompt being typed and a long run in progress; [`App::key`] takes one key,
//! [`App::update`] applies one [`Action`].

mod cursors;
mod follow;
mod mouse;
mod running;
mod save;
mod search;
mod timeline;

use std::cell::Cell;
use std::collections::BTreeSet;
use std::sync::OnceLock;

use ratatui::layout::Rect;

pub use cursors::FileLine;
pub use follow::Watch;
pub use mouse::Mouse;
pub use running::{CONTINUE_LIMIT, RunGoal, Running, watch_value};
pub use save::TraceSource;
pub use search::{Search, SearchHit};
pub use timeline::{Mark, TimelineScale};

use super::keymap::{Action, Key, action_for};
use super::session::DebugSession;
use crate::report::Ending;
use crate::weights::wiring::Wiring;

/// Passes a move runs at once; a longer one runs in slices (about a
/// quarter of a second of passes).
const SYNC_PASSES: u64 = 2_048;

/// The panels, in focus order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Panel {
    Program,
    Stack,
    Locals,
    Layers,
    Timeline,
    Memory,
    Files,
    Loop,
    Output,
    Logits,
}

impl Panel {
    pub const ALL: [Panel; 10] = [
        Panel::Program,
        Panel::Stack,
        Panel::Locals,
        Panel::Layers,
        Panel::Timeline,
        Panel::Memory,
        Panel::Files,
        Panel::Loop,
        Panel::Output,
        Panel::Logits,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Panel::Program => "Program",
            Panel::Stack => "Stack",
            Panel::Locals => "Locals",
            Panel::Layers => "Layers",
            Panel::Timeline => "Timeline",
            Panel::Memory => "Memory",
            Panel::Files => "Files",
            Panel::Loop => "Loop",
            Panel::Output => "Output",
            Panel::Logits => "Logits",
        }
    }

    /// The title in a tab bar too narrow for the full ones.
    pub fn short_title(self) -> &'static str {
        match self {
            Panel::Program => "Prog",
            Panel::Timeline => "Time",
            Panel::Memory => "Mem",
            Panel::Output => "Out",
            other => other.title(),
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
    /// This snapshot of a captured layer.
    pub fn of(self, layer: &crate::engine::capture::LayerCapture) -> &[f64] {
        match self {
            Residual::Pre => &layer.resid_pre,
            Residual::Mid => &layer.resid_mid,
            Residual::Post => &layer.resid_post,
        }
    }

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
    /// Where to save the trace so far.
    SaveTrace(String),
}

/// Scroll offsets of the panels that scroll (lines from the top; for Output,
/// lines up from the newest value).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Scrolls {
    pub output: usize,
    pub help: usize,
}

/// What is selected in the panels that hold values, for following a value
/// (`f`) and watching it (`w`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Cursors {
    /// Stack slot, counted from the top (0 = the top).
    pub stack: usize,
    pub local: usize,
    /// Memory address.
    pub memory: usize,
    /// A byte of the files, counted across all four in order.
    pub file: usize,
}

/// Everything the screen shows, and how to change it.
pub struct App {
    pub session: DebugSession,
    pub focus: Panel,
    pub layer: usize,
    pub residual: Residual,
    /// Selected instruction in the Program panel.
    pub selected: usize,
    /// First residual dimension shown in the Layers panel.
    pub layer_scroll: usize,
    /// The head or neuron of the layer shown in detail.
    pub item: Option<LayerItem>,
    /// The residual dimension selected (by a search).
    pub dim: Option<usize>,
    pub scrolls: Scrolls,
    pub cursors: Cursors,
    /// Addresses and locals whose change stops `c`.
    pub watches: BTreeSet<Watch>,
    /// What saving a trace needs beyond the session (`W`).
    pub trace_source: Option<TraceSource>,
    /// Passes to return to with `F`, the latest last.
    pub follow_back: Vec<u64>,
    /// Who writes and reads each residual dimension, worked out once when
    /// first needed.
    wiring: OnceLock<Wiring>,
    /// The area the screen was last drawn in (for the mouse and for moves
    /// that depend on a panel's size).
    pub drawn: Cell<Rect>,
    /// The last `/` search and its matches.
    pub search: Option<Search>,
    pub breakpoints: BTreeSet<usize>,
    /// A count typed before a key (`10n`).
    pub count: Option<u64>,
    pub prompt: Option<Prompt>,
    pub help: bool,
    pub message: String,
    /// A long run (`c`, End, run to cursor) in progress.
    pub running: Option<Running>,
    pub quit: bool,
}

impl App {
    pub fn new(session: DebugSession) -> App {
        App {
            session,
            focus: Panel::Program,
            layer: 0,
            residual: Residual::Post,
            selected: 0,
            layer_scroll: 0,
            item: None,
            dim: None,
            scrolls: Scrolls::default(),
            cursors: Cursors::default(),
            watches: BTreeSet::new(),
            follow_back: Vec::new(),
            trace_source: None,
            wiring: OnceLock::new(),
            drawn: Cell::new(Rect::new(
                0,
                0,
                crate::debugger::layout::WIDE.0,
                crate::debugger::layout::WIDE.1,
            )),
            search: None,
            breakpoints: BTreeSet::new(),
            count: None,
            prompt: None,
            help: false,
            message: "ready: n runs one forward pass".into(),
            running: None,
            quit: false,
        }
    }

    /// The wiring of the weights under the debugger.
    pub fn wiring(&self) -> &Wiring {
        self.wiring
            .get_or_init(|| Wiring::new(self.session.model().weights()))
    }

    /// The instruction the current pass executed (at pass 0, the first one,
    /// about to run): the one the listing marks with ▶.
    pub fn current_ip(&self) -> usize {
        self.session
            .executed()
            .or(self.session.next_instruction())
            .unwrap_or(0)
    }

    /// Handles a key: a typed prompt takes it first, then the help, a count
    /// prefix, then the keymap. A long run in progress is interrupted.
    pub fn key(&mut self, key: Key) {
        if self.running.is_some() {
            self.interrupt();
            return;
        }
        if let Some(prompt) = self.prompt.take() {
            self.prompt_key(prompt, key);
            return;
        }
        if self.help {
            match key {
                Key::Down | Key::Char('j') | Key::PageDown => self.scrolls.help += 1,
                Key::Up | Key::Char('k') | Key::PageUp => {
                    self.scrolls.help = self.scrolls.help.saturating_sub(1)
                }
                _ => self.help = false,
            }
            return;
        }
        if let Key::Char(c @ '0'..='9') = key
            && (c != '0' || self.count.is_some())
        {
            let digit = u64::from(c as u8 - b'0');
            let count = self
                .count
                .unwrap_or(0)
                .saturating_mul(10)
                .saturating_add(digit);
            self.count = Some(count.min(CONTINUE_LIMIT));
            self.message = format!("count {}", self.count.unwrap_or(0));
            return;
        }
        match action_for(key) {
            Some(action) => self.update(action),
            None => self.count = None,
        }
    }

    fn prompt_key(&mut self, prompt: Prompt, key: Key) {
        let (text, rebuild): (String, fn(String) -> Prompt) = match prompt {
            Prompt::GoTo(t) => (t, Prompt::GoTo),
            Prompt::Search(t) => (t, Prompt::Search),
            Prompt::SaveTrace(t) => (t, Prompt::SaveTrace),
        };
        match key {
            Key::Esc | Key::CtrlC => self.message = "cancelled".into(),
            Key::Enter => self.submit(rebuild(text)),
            Key::Backspace => {
                let mut text = text;
                text.pop();
                self.prompt = Some(rebuild(text));
            }
            Key::Char(c) if text.chars().count() < 200 => {
                self.prompt = Some(rebuild(format!("{text}{c}")))
            }
            _ => self.prompt = Some(rebuild(text)),
        }
    }

    fn submit(&mut self, prompt: Prompt) {
        match prompt {
            Prompt::GoTo(text) => match text.trim().parse::<u64>() {
                Ok(pass) => self.go_to(pass),
                Err(_) => self.message = format!("not a pass number: {text:?}"),
            },
            Prompt::Search(text) => self.search(text.trim()),
            Prompt::SaveTrace(path) => match path.trim() {
                "" => self.message = "no file name: nothing saved".into(),
                path => self.save_trace(path),
            },
        }
    }

    /// Goes to pass `pass`, or to the last pass when the run ends before it.
    /// A far target is reached by a long run in slices, like `c`, so the
    /// screen shows progress and a key stops it.
    pub fn go_to(&mut self, pass: u64) {
        self.session.rewind(pass);
        if pass.saturating_sub(self.session.pass()) > SYNC_PASSES {
            self.start_run(RunGoal::Pass(pass), 1);
            return;
        }
        let result = self.session.go_to(pass);
        self.after_move(result);
        self.say_if_ended_before(pass);
    }

    /// After a move towards `pass` that stopped short: where the run ends.
    pub(super) fn say_if_ended_before(&mut self, pass: u64) {
        if self.session.pass() < pass
            && self.session.mismatches().is_empty()
            && let Some(outcome) = self.outcome()
        {
            self.message = format!("the run ends at pass {}: {outcome}", self.session.pass());
        }
    }

    pub(crate) fn after_move(&mut self, result: Result<(), String>) {
        match result {
            Ok(()) => {
                self.selected = self.current_ip();
                self.message = self.describe_last_pass();
            }
            Err(error) => self.message = format!("error: {error}"),
        }
    }

    /// How the run ended, in words, once it has: `halted`, or `trapped: ` and
    /// the message `run` prints (it names the instruction that trapped).
    pub fn outcome(&self) -> Option<String> {
        match self.session.host().ending()? {
            Ending::Trapped(message) => Some(format!("trapped: {message}")),
            Ending::Halted => Some("halted".into()),
            Ending::StepLimit => None,
        }
    }

    /// In a replay, how the current pass's argmax differs from the recording.
    pub fn disagreement_text(&self) -> Option<String> {
        let disagreement = self.session.disagreement();
        if disagreement.is_empty() {
            return None;
        }
        let weights = self.session.model().weights();
        let parts: Vec<String> = disagreement
            .iter()
            .map(|&(f, recorded, model)| {
                let name = weights.outputs.get(f).map_or("?", |o| o.name.as_str());
                format!("{name} recorded {recorded}, model {model}")
            })
            .collect();
        Some(parts.join("; "))
    }

    fn describe_last_pass(&self) -> String {
        let pass = self.session.pass();
        if let Some(text) = self.disagreement_text() {
            return format!("DISAGREES at pass {pass}: {text}");
        }
        match (self.session.record(pass), self.session.mismatches().first()) {
            (Some(_), Some(mismatch)) => format!("DIVERGED at pass {pass}: {mismatch}"),
            (Some(record), None) => match self.outcome() {
                Some(outcome) => format!("pass {pass}: {outcome}"),
                None => format!("pass {pass}: {}", record.token.describe()),
            },
            (None, _) => "at the start: only the prompt has run".into(),
        }
    }

    /// Applies one action, with the count typed before it (if any).
    pub fn update(&mut self, action: Action) {
        let count = self.count.take();
        let times = count.unwrap_or(1).max(1);
        match action {
            Action::PassForward | Action::InstructionForward => self.pass_forward(times),
            Action::PassBack | Action::InstructionBack => {
                let target = self.session.pass().saturating_sub(times);
                let result = self.session.go_to(target);
                self.after_move(result);
            }
            Action::Continue => self.start_run(RunGoal::Breakpoint, times),
            Action::ContinueBack => self.continue_back(times),
            Action::RunToCursor => self.start_run(RunGoal::Instruction(self.selected), times),
            Action::Start => {
                let result = self.session.go_to(0);
                self.after_move(result);
            }
            Action::End => self.start_run(RunGoal::End, 1),
            Action::ToggleBreakpoint => self.toggle_breakpoint(),
            Action::GoToPass => match count {
                Some(pass) => self.go_to(pass),
                None => self.prompt = Some(Prompt::GoTo(String::new())),
            },
            Action::Search => self.prompt = Some(Prompt::Search(String::new())),
            Action::NextMatch => self.next_match(true),
            Action::PreviousMatch => self.next_match(false),
            Action::FocusNext | Action::FocusPrevious => {
                self.cycle_focus(action == Action::FocusNext)
            }
            Action::NextLayer | Action::PreviousLayer => {
                self.change_layer(count, action == Action::NextLayer)
            }
            Action::PreviousItem | Action::NextItem
                if matches!(self.focus, Panel::Memory | Panel::Files | Panel::Timeline) =>
            {
                let forward = action == Action::NextItem;
                for _ in 0..times.min(100_000) {
                    self.sideways(forward);
                }
            }
            Action::PreviousItem | Action::NextItem => {
                self.walk_layer_items(action == Action::NextItem)
            }
            Action::CycleResidual => {
                self.residual = match self.residual {
                    Residual::Pre => Residual::Mid,
                    Residual::Mid => Residual::Post,
                    Residual::Post => Residual::Pre,
                };
            }
            Action::Up | Action::Down | Action::PageUp | Action::PageDown => {
                for _ in 0..times.min(100_000) {
                    self.scroll(action);
                }
            }
            Action::SaveTrace => self.ask_save_trace(),
            Action::NextWrongPass => self.start_run(RunGoal::WrongPass, times),
            Action::PreviousWrongPass
                if self.session.is_replay()
                    && self.session.checked_through() + 1 < self.session.pass() =>
            {
                // Only passes the model has run are known to agree.
                self.message = format!(
                    "[ looks back over checked passes: the model has checked passes 1–{} and \
                     is catching up to pass {} (see Layers); try again then",
                    self.session.checked_through(),
                    self.session.pass()
                );
            }
            Action::PreviousWrongPass => self.previous_wrong_pass(times),
            Action::Follow => self.follow(),
            Action::FollowBack => self.follow_back(),
            Action::Watch => self.toggle_watch(),
            Action::NextMark => self.jump_to_mark(true, times),
            Action::PreviousMark => self.jump_to_mark(false, times),
            Action::Help => {
                self.help = true;
                self.scrolls.help = 0;
            }
            Action::Quit => self.quit = true,
        }
    }

    /// `n`: one pass on, or `times` passes.
    fn pass_forward(&mut self, times: u64) {
        if self.session.finished() {
            self.message = if self.session.host().ending().is_none() {
                "the recording ends here (N steps back)".into()
            } else {
                "the run has ended (N steps back)".into()
            };
        } else if times == 1 {
            let result = self.session.forward(true).map(|_| ());
            self.after_move(result);
        } else {
            let target = self.session.pass().saturating_add(times);
            self.go_to(target);
        }
    }

    /// `C`: back to the `times`-th earlier pass that hit a breakpoint or went
    /// wrong, or to the start.
    fn continue_back(&mut self, times: u64) {
        let breakpoints = self.breakpoints.clone();
        let mut left = times;
        let result = self.session.run_backward(|_, r| {
            let hit =
                r.diverged() || usize::try_from(r.ip).is_ok_and(|ip| breakpoints.contains(&ip));
            if hit {
                left -= 1;
            }
            hit && left == 0
        });
        self.after_move(result);
    }

    fn toggle_breakpoint(&mut self) {
        if !self.breakpoints.remove(&self.selected) {
            self.breakpoints.insert(self.selected);
            self.message = format!("breakpoint at instruction {}", self.selected);
        } else {
            self.message = format!("breakpoint at instruction {} removed", self.selected);
        }
    }

    fn cycle_focus(&mut self, forward: bool) {
        let i = Panel::ALL
            .iter()
            .position(|&p| p == self.focus)
            .unwrap_or(0);
        let n = Panel::ALL.len();
        let next = if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        };
        self.focus = Panel::ALL[next];
    }

    /// `l`/`L`: the next or previous layer, or layer `count` when given.
    fn change_layer(&mut self, count: Option<u64>, forward: bool) {
        let layers = self.session.model().weights().layers.len();
        self.layer = match count {
            Some(layer) if (layer as usize) < layers => layer as usize,
            Some(_) => self.layer,
            None if forward => (self.layer + 1) % layers,
            None => (self.layer + layers - 1) % layers,
        };
        self.item = None;
        self.focus = Panel::Layers;
    }

    /// `←`/`→` in Layers: the next or previous head or fired neuron.
    fn walk_layer_items(&mut self, forward: bool) {
        let items = self.layer_items();
        if items.is_empty() {
            return;
        }
        let at = self
            .selected_item()
            .and_then(|item| items.iter().position(|&i| i == item));
        let n = items.len();
        let next = match at {
            None if forward => 0,
            None => n - 1,
            Some(i) if forward => (i + 1) % n,
            Some(i) => (i + n - 1) % n,
        };
        self.item = Some(items[next]);
        self.focus = Panel::Layers;
    }

    /// `[`: back to the `times`-th earlier pass that went wrong; when there
    /// is none it stays, since searching history runs nothing.
    fn previous_wrong_pass(&mut self, times: u64) {
        let mut left = times;
        let target = self.session.last_before(|_, r| {
            let hit = r.diverged();
            if hit {
                left -= 1;
            }
            hit && left == 0
        });
        match target {
            Some(target) => {
                let result = self.session.go_to(target);
                self.after_move(result);
            }
            // Stay: searching history finds nothing, it runs nothing.
            None if times > 1 => {
                self.message = format!("fewer than {times} passes before this went wrong")
            }
            None => self.message = "no pass before this one went wrong".into(),
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
            Panel::Layers => self.move_dim(delta),
            Panel::Stack | Panel::Locals | Panel::Memory | Panel::Files | Panel::Timeline => {
                self.vertical(delta)
            }
            Panel::Output => {
                // Up shows older values.
                let max = self.session.host().outputs().len();
                self.scrolls.output =
                    (self.scrolls.output as isize - delta).clamp(0, max as isize) as usize;
            }
            _ => {
                let max = self.session.program().instructions.len().saturating_sub(1);
                self.selected = move_by(self.selected, max);
            }
        }
    }
}

/// A head or a neuron of the selected layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayerItem {
    Head(usize),
    Neuron(usize),
}

impl App {
    /// The heads of the selected layer, then the neurons that fired in the
    /// captured pass (and the selected neuron, fired or not): what Left/Right
    /// move through.
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
        if let Some(item @ LayerItem::Neuron(_)) = self.item
            && !items.contains(&item)
        {
            items.push(item);
        }
        items
    }

    /// The residual dimensions the Layers panel lists for the shown layer:
    /// those nonzero or changed in it, and the selected one.
    pub fn residual_rows(&self) -> Vec<usize> {
        let Some(capture) = self.session.capture() else {
            return Vec::new();
        };
        let Some(layer) = capture.layers.get(self.layer) else {
            return Vec::new();
        };
        let before = &layer.resid_pre;
        let shown = self.residual.of(layer);
        (0..shown.len())
            .filter(|&d| shown[d] != 0.0 || before[d] != shown[d] || self.dim == Some(d))
            .collect()
    }

    /// ↑/↓ in Layers: select the previous or next listed dimension (it
    /// becomes the first row shown, and its writers and readers are listed).
    fn move_dim(&mut self, delta: isize) {
        let rows = self.residual_rows();
        if rows.is_empty() {
            return;
        }
        let at = self
            .dim
            .and_then(|d| rows.iter().position(|&r| r == d))
            .map_or(0, |i| {
                (i as isize + delta).clamp(0, rows.len() as isize - 1) as usize
            });
        self.dim = Some(rows[at]);
        self.layer_scroll = rows[at];
        let weights = self.session.model().weights();
        self.message = format!(
            "dimension {}: its writers and readers are listed",
            weights.dims[rows[at]]
        );
    }

    /// The item shown in detail, if any: the selected one, or the first head.
    pub fn selected_item(&self) -> Option<LayerItem> {
        let items = self.layer_items();
        match self.item {
            Some(item) if items.contains(&item) => Some(item),
            _ => items.first().copied(),
        }
    }

    /// The pass whose token sits at `position`, if a trace token does.
    pub fn pass_at(&self, position: usize) -> Option<u64> {
        let prompt = self.session.host().prompt_len();
        position
            .checked_sub(prompt - 1)
            .filter(|&p| p > 0)
            .map(|p| p as u64)
    }

    /// What the token at `position` is, in words.
    pub fn describe_position(&self, position: usize) -> String {
        let run = self.session.host();
        let prompt = run.prompt_len();
        let program = self.session.program();
        if position == 0 {
            "BOS".into()
        } else if position < prompt - 1 {
            let i = position - 1;
            program.instructions.get(i).map_or_else(String::new, |_| {
                format!("instr {i}: {}", program.instruction_text(i))
            })
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
