//! The input line: the text being typed with its cursor, and the lines typed
//! before, which ↑/↓ bring back (the line being typed is kept while browsing).

/// Longest input, in characters (more is ignored).
const MAX_INPUT_CHARS: usize = 4000;

/// The line being typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Editor {
    text: Vec<char>,
    /// Cursor position, in characters (0..=len).
    cursor: usize,
    /// Submitted lines, oldest first.
    history: Vec<String>,
    /// The history entry shown, while browsing with ↑/↓.
    browsing: Option<usize>,
    /// The line being typed when browsing started.
    draft: String,
}

impl Editor {
    pub fn text(&self) -> String {
        self.text.iter().collect()
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The cursor, in characters from the start.
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    pub fn history(&self) -> &[String] {
        &self.history
    }

    pub fn insert(&mut self, c: char) {
        if self.text.len() < MAX_INPUT_CHARS && !c.is_control() {
            self.text.insert(self.cursor, c);
            self.cursor += 1;
        }
    }

    pub fn backspace(&mut self) {
        if self.cursor > 0 {
            self.cursor -= 1;
            self.text.remove(self.cursor);
        }
    }

    pub fn delete(&mut self) {
        if self.cursor < self.text.len() {
            self.text.remove(self.cursor);
        }
    }

    pub fn left(&mut self) {
        self.cursor = self.cursor.saturating_sub(1);
    }

    pub fn right(&mut self) {
        self.cursor = (self.cursor + 1).min(self.text.len());
    }

    pub fn home(&mut self) {
        self.cursor = 0;
    }

    pub fn end(&mut self) {
        self.cursor = self.text.len();
    }

    /// Replaces the text, cursor at its end.
    pub fn set(&mut self, text: &str) {
        self.text = text.chars().take(MAX_INPUT_CHARS).collect();
        self.cursor = self.text.len();
    }

    pub fn clear(&mut self) {
        self.set("");
        self.browsing = None;
    }

    /// Takes the text to submit: it joins the history and the line empties.
    pub fn take(&mut self) -> String {
        let text = self.text();
        if !text.trim().is_empty() && self.history.last() != Some(&text) {
            self.history.push(text.clone());
        }
        self.clear();
        text
    }

    /// ↑: the previous line typed.
    pub fn older(&mut self) {
        let index = match self.browsing {
            None if self.history.is_empty() => return,
            None => {
                self.draft = self.text();
                self.history.len() - 1
            }
            Some(i) => i.saturating_sub(1),
        };
        self.browsing = Some(index);
        let text = self.history[index].clone();
        self.set(&text);
    }

    /// ↓: the next line typed, then the line that was being typed.
    pub fn newer(&mut self) {
        let Some(i) = self.browsing else {
            return;
        };
        if i + 1 < self.history.len() {
            self.browsing = Some(i + 1);
            let text = self.history[i + 1].clone();
            self.set(&text);
        } else {
            self.browsing = None;
            let draft = std::mem::take(&mut self.draft);
            self.set(&draft);
        }
    }
}
