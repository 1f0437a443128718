//! Following a value back to the pass that produced it (`f`), returning
//! (`F`), and watches (`w`) that stop `c` when a value changes.
//!
//! A value in Stack, Locals, Memory or Files carries the pass behind it (the
//! session decodes it from the tokens). A head in Layers read one position:
//! which pass produced what it read depends on what the head reads. A head
//! whose value rows read only dimensions the token embedding writes read a
//! token, made by the pass that emitted it; any other head read dimensions
//! computed at that position, by the pass that ran there. The wiring of the
//! weights tells the two apart, so edited weights are followed right too.

use super::{App, LayerItem, Panel};
use crate::weights::HeadKind;
use crate::weights::wiring::Component;

/// A value whose change stops a long run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Watch {
    /// The `i32` at this address.
    Memory(usize),
    Local(u32),
}

/// Where a followed value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Source {
    /// A pass (0: the state before the first pass).
    Pass(u64),
    /// An instruction's prompt token.
    Instruction(usize),
}

impl App {
    /// The value selected in the focused panel, in words, and its source.
    fn follow_target(&self) -> Result<(String, Source), String> {
        let session = &self.session;
        let machine = session.machine();
        match self.focus {
            Panel::Stack => {
                let stack = machine.stack();
                let from_top = self.cursors.stack.min(stack.len().saturating_sub(1));
                let i = stack
                    .len()
                    .checked_sub(1 + from_top)
                    .ok_or("the stack is empty")?;
                let slot = stack[i];
                Ok((
                    format!("stack slot {} = {}", i + 1, slot.value),
                    Source::Pass(slot.from),
                ))
            }
            Panel::Locals => {
                let k = self
                    .cursors
                    .local
                    .min(machine.locals().len().saturating_sub(1));
                let local = machine.locals().get(k).ok_or("main has no locals")?;
                Ok((
                    format!("{} = {}", self.local_label(k), local.value),
                    Source::Pass(local.from),
                ))
            }
            Panel::Memory => {
                let address = self
                    .cursors
                    .memory
                    .min(machine.memory().len().saturating_sub(1));
                let byte = machine
                    .memory()
                    .get(address)
                    .ok_or("the program has no memory")?;
                Ok((
                    format!("memory[{address:#06x}] = {byte:#04x}"),
                    Source::Pass(machine.memory_from(address)),
                ))
            }
            Panel::Files => {
                let (file, offset) = self.file_cursor().ok_or("the files are empty")?;
                let byte = session.host().files().0[file][offset];
                Ok((
                    format!("file {file} byte {offset} = {byte:#04x}"),
                    Source::Pass(machine.file_from(file, offset)),
                ))
            }
            Panel::Layers => self.head_source(),
            _ => Err(
                "f follows a value in Stack, Locals, Memory or Files, or a head in Layers".into(),
            ),
        }
    }

    /// The source of what the selected head of the shown layer read.
    fn head_source(&self) -> Result<(String, Source), String> {
        let Some(LayerItem::Head(h)) = self.selected_item() else {
            return Err("a neuron reads this pass's own residual: select a head (←/→)".into());
        };
        let weights = self.session.model().weights();
        let head = &weights.layers[self.layer].heads[h];
        let capture = self
            .session
            .capture()
            .ok_or("no pass captured yet: press n")?;
        let hit = capture.layers[self.layer].heads[h]
            .hit
            .ok_or_else(|| format!("{} is a sum head: it reads every position", head.name))?;
        let what = format!("what {} read", head.name);
        if let HeadKind::Cross { memory } = head.kind {
            let emitted = self
                .session
                .machine()
                .file_entry_from(memory, hit.position)
                .ok_or_else(|| format!("{} read an entry the session does not know", head.name))?;
            // A write entry is projected by the pass that reads the write
            // token: a head reading computed dimensions read that pass's work.
            let pass = if emitted == 0 || self.head_reads_tokens(self.layer, h) {
                emitted
            } else {
                emitted + 1
            };
            return Ok((format!("{what} (file {memory})"), Source::Pass(pass)));
        }
        let prompt = self.session.host().prompt_len();
        let start = prompt - 1;
        if hit.position < start {
            return match hit.position.checked_sub(1) {
                Some(i) => Ok((what, Source::Instruction(i))),
                None => Err(format!("{} read the BOS token: nothing made it", head.name)),
            };
        }
        let pass = if self.head_reads_tokens(self.layer, h) {
            hit.position - start
        } else {
            hit.position - start + 1
        };
        Ok((what, Source::Pass(pass as u64)))
    }

    /// Whether every dimension the head's values read is written only by the
    /// token embedding (or the position).
    pub fn head_reads_tokens(&self, layer: usize, head: usize) -> bool {
        let weights = self.session.model().weights();
        let wiring = self.wiring();
        let w_v = &weights.layers[layer].heads[head].w_v;
        (0..w_v.ncols())
            .filter(|&d| !w_v.column(d).is_empty())
            .all(|d| {
                wiring.writers(d).iter().all(|link| {
                    matches!(
                        link.component,
                        Component::Embedding { .. } | Component::Position
                    )
                })
            })
    }

    /// `f`: go to the pass that produced the selected value; `F` returns.
    pub(super) fn follow(&mut self) {
        let (what, source) = match self.follow_target() {
            Ok(target) => target,
            Err(message) => {
                self.message = message;
                return;
            }
        };
        match source {
            Source::Pass(0) => {
                self.message = format!("{what}: from the initial state, before any pass")
            }
            Source::Instruction(i) => {
                self.selected = i;
                self.focus = Panel::Program;
                self.message = format!("{what}: instruction {i}'s prompt token (selected)");
            }
            Source::Pass(pass) => {
                let from = self.session.pass();
                let result = self.session.go_to(pass);
                self.after_move(result);
                if self.session.pass() == pass {
                    self.follow_back.push(from);
                    if self.session.record(pass).is_some_and(|r| r.token.push) {
                        self.cursors.stack = 0;
                    }
                    let program = self.session.program();
                    let done = self
                        .session
                        .executed()
                        .filter(|&i| i < program.instructions.len())
                        .map(|i| {
                            format!(
                                "instruction {i} ({})",
                                self.session.program().instruction_text(i)
                            )
                        })
                        .unwrap_or_default();
                    self.message =
                        format!("{what} ← pass {pass}, which executed {done} · F goes back");
                }
            }
        }
    }

    /// `F`: back to the pass the last `f` left.
    pub(super) fn follow_back(&mut self) {
        match self.follow_back.pop() {
            Some(pass) => {
                let result = self.session.go_to(pass);
                self.after_move(result);
                self.message = format!(
                    "back at pass {pass} ({} more to go back)",
                    self.follow_back.len()
                );
            }
            None => self.message = "nothing to go back to: f follows a value first".into(),
        }
    }

    /// `w`: watch the `i32` at the selected address, or the selected local.
    pub(super) fn toggle_watch(&mut self) {
        let watch = match self.focus {
            Panel::Memory if self.session.program().memory_bytes >= 4 => Watch::Memory(
                self.cursors
                    .memory
                    .min(self.session.program().memory_bytes - 4),
            ),
            Panel::Locals if !self.session.machine().locals().is_empty() => {
                Watch::Local(self.cursors.local as u32)
            }
            _ => {
                self.message = "w watches the selected address (Memory) or local (Locals)".into();
                return;
            }
        };
        let name = self.watch_name(watch);
        self.message = if self.watches.remove(&watch) {
            format!("no longer watching {name}")
        } else {
            self.watches.insert(watch);
            format!("watching {name}: c stops when it changes")
        };
    }

    pub fn watch_name(&self, watch: Watch) -> String {
        match watch {
            Watch::Memory(address) => format!("i32 at {address:#06x}"),
            Watch::Local(k) => self.local_label(k as usize),
        }
    }

    /// A local by its WAT name where the module has one (`$n`), else `local k`.
    pub fn local_label(&self, k: usize) -> String {
        self.session
            .program()
            .local_name(k as u32)
            .map_or_else(|| format!("local {k}"), |name| format!("${name}"))
    }
}
