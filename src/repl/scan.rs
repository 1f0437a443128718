//! Just enough reading of a typed line to know its shape before wat parses the
//! module: its parentheses must balance within the line (so that a line stays
//! inside `main` and cannot add to the module around it), and a plain
//! `block`, `loop` or `if` opens a construct that a later `end` closes. The
//! REPL buffers lines while constructs are open and runs the program when the
//! last one closes.
//!
//! Folded forms (`(block ...)`, `(if (then ...) (else ...))`) open nothing
//! that outlives the line: their parentheses close them.

/// A construct that needs an `end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConstructKind {
    Block,
    Loop,
    If,
}

/// A plain `block`, `loop` or `if` still waiting for its `end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenConstruct {
    pub kind: ConstructKind,
    /// For an `if`: whether its `else` has been typed.
    pub has_else: bool,
}

/// What a line does to the constructs open before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape {
    /// The constructs open after the line, outermost first.
    pub open_after: Vec<OpenConstruct>,
    /// Nesting depth to indent the line at (an `end` or `else` sits at the
    /// depth of the construct it belongs to).
    pub indent: usize,
}

/// Reads `line`, typed with `open_before` still open.
pub fn scan(line: &str, open_before: &[OpenConstruct]) -> Result<Shape, String> {
    let mut open = open_before.to_vec();
    let mut indent = open_before.len();
    let mut parens = 0usize;
    // Whether the last thing read was `(`: a keyword right after it is folded.
    let mut after_paren = false;
    let mut first_word = true;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ';' if chars.peek() == Some(&';') => break,
            '(' if chars.peek() == Some(&';') => {
                chars.next();
                skip_block_comment(&mut chars)?;
            }
            '(' => {
                parens += 1;
                after_paren = true;
            }
            ')' => {
                parens = parens
                    .checked_sub(1)
                    .ok_or("`)` closes nothing: a line's parentheses must balance")?;
                after_paren = false;
            }
            '"' => {
                skip_string(&mut chars)?;
                after_paren = false;
            }
            c if c.is_whitespace() => {}
            c => {
                let mut word = String::from(c);
                while let Some(&next) = chars.peek() {
                    if next.is_whitespace() || matches!(next, '(' | ')' | '"' | ';') {
                        break;
                    }
                    word.push(next);
                    chars.next();
                }
                let plain = !after_paren;
                if first_word && plain && matches!(word.as_str(), "end" | "else") {
                    indent = indent.saturating_sub(1);
                }
                first_word = false;
                after_paren = false;
                apply_keyword(&word, plain, &mut open)?;
            }
        }
    }
    if parens > 0 {
        return Err(format!(
            "{parens} `(` not closed: a line's parentheses must balance"
        ));
    }
    Ok(Shape {
        open_after: open,
        indent,
    })
}

fn apply_keyword(word: &str, plain: bool, open: &mut Vec<OpenConstruct>) -> Result<(), String> {
    let kind = match word {
        "block" => ConstructKind::Block,
        "loop" => ConstructKind::Loop,
        "if" => ConstructKind::If,
        "else" if plain => {
            return match open.last_mut() {
                Some(construct) if construct.kind == ConstructKind::If && !construct.has_else => {
                    construct.has_else = true;
                    Ok(())
                }
                _ => Err("`else` without an open `if`".into()),
            };
        }
        "end" => {
            return open
                .pop()
                .map(|_| ())
                .ok_or_else(|| "`end` closes nothing: no block, loop or if is open".into());
        }
        _ => return Ok(()),
    };
    if plain {
        open.push(OpenConstruct {
            kind,
            has_else: false,
        });
    }
    Ok(())
}

/// Skips a (nestable) `(; ... ;)` comment whose `(;` was just read.
fn skip_block_comment(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Result<(), String> {
    let mut depth = 1;
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('(', Some(';')) => {
                chars.next();
                depth += 1;
            }
            (';', Some(')')) => {
                chars.next();
                depth -= 1;
                if depth == 0 {
                    return Ok(());
                }
            }
            _ => {}
        }
    }
    Err("unterminated block comment: `(;` needs its `;)` on the same line".into())
}

/// Skips a string whose opening `"` was just read.
fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Result<(), String> {
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '"' => return Ok(()),
            _ => {}
        }
    }
    Err("unterminated string".into())
}
