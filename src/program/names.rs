//! The WAT names of a module, read from its `name` custom section, so that the
//! debugger can list `local.get $n`, `call $output` and `br_if $eof` instead of
//! bare indices.
//!
//! Names are decoration: nothing that runs depends on them, so a missing, partial
//! or malformed `name` section never refuses a module. Every subsection is read
//! on its own; a subsection that does not parse is skipped, and a name map that
//! breaks off keeps the names before the break.

use std::collections::BTreeMap;

use wasmparser::{BinaryReader, IndirectNameMap, Name, NameMap, Subsection};

use super::HostCall;

/// Names longer than this many characters are cut short (ending in `…`), so that a
/// hostile module cannot flood a listing line.
pub const MAX_NAME_CHARS: usize = 64;

/// The names the module's `name` section gives to what a listing shows, each
/// without the `$` of the WAT identifier. Empty when the module has no names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Names {
    /// `main`'s own name (`main` for `(func $main (export "main") ...)`).
    pub main: Option<String>,
    /// The names of the `env` imports, by the host call they are (`output` for
    /// `(import "env" "output" (func $output ...))`). When a host function is
    /// imported more than once, the first import's name is kept.
    pub imports: BTreeMap<HostCall, String>,
    /// `main`'s local names, by local index.
    pub locals: BTreeMap<u32, String>,
    /// `main`'s label names, by label index: the position of the `block`, `loop`
    /// or `if` among those of `main`'s body in the order they open (the order of
    /// the binary's operators, as the extended name section numbers labels).
    pub labels: BTreeMap<u32, String>,
}

impl Names {
    /// Reads the contents of a `name` custom section (`data`, found at byte
    /// `offset` of the module). `main_index` is `main`'s function index and
    /// `imports` the host calls of the imported functions, by function index.
    /// Never fails: whatever parses is kept.
    pub(super) fn read(data: &[u8], offset: u64, main_index: u32, imports: &[HostCall]) -> Names {
        let mut names = Names::default();
        let mut reader = BinaryReader::new(data, offset);
        while !reader.eof() {
            // A subsection whose header does not parse leaves no way to find
            // the next one: stop. One whose contents do not parse is skipped.
            let Ok(id) = reader.read_u8() else { break };
            let Ok(contents) = reader.read_reader() else {
                break;
            };
            match Name::from_reader(id, contents) {
                Ok(Name::Function(map)) => names.read_functions(map, main_index, imports),
                Ok(Name::Local(map)) => read_function_map(map, main_index, &mut names.locals),
                Ok(Name::Label(map)) => read_function_map(map, main_index, &mut names.labels),
                _ => {}
            }
        }
        names
    }

    fn read_functions(&mut self, map: NameMap<'_>, main_index: u32, imports: &[HostCall]) {
        for naming in map {
            let Ok(naming) = naming else { break };
            let Some(name) = clean(naming.name) else {
                continue;
            };
            if naming.index == main_index {
                self.main.get_or_insert(name);
            } else if let Some(&call) = imports.get(naming.index as usize) {
                self.imports.entry(call).or_insert(name);
            }
        }
    }

    /// Whether the section named nothing a listing shows.
    pub fn is_empty(&self) -> bool {
        self.main.is_none()
            && self.imports.is_empty()
            && self.locals.is_empty()
            && self.labels.is_empty()
    }

    /// The name of `main`'s local `index`.
    pub fn local(&self, index: u32) -> Option<&str> {
        self.locals.get(&index).map(String::as_str)
    }

    /// The name of the import of `call`.
    pub fn import(&self, call: HostCall) -> Option<&str> {
        self.imports.get(&call).map(String::as_str)
    }

    /// The name of `main`'s label `index` (see [`Names::labels`]).
    pub fn label(&self, index: u32) -> Option<&str> {
        self.labels.get(&index).map(String::as_str)
    }
}

/// Copies `main`'s entry of a per-function map (locals or labels) into `into`.
fn read_function_map(map: IndirectNameMap<'_>, main_index: u32, into: &mut BTreeMap<u32, String>) {
    for function in map {
        let Ok(function) = function else { break };
        if function.index != main_index {
            continue;
        }
        for naming in function.names {
            let Ok(naming) = naming else { break };
            if let Some(name) = clean(naming.name) {
                into.entry(naming.index).or_insert(name);
            }
        }
    }
}

/// A name fit for a terminal line: control characters become `�`, and it is
/// cut at [`MAX_NAME_CHARS`]. An empty name is no name.
fn clean(name: &str) -> Option<String> {
    if name.is_empty() {
        return None;
    }
    let mut chars = name
        .chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c });
    let mut out: String = chars.by_ref().take(MAX_NAME_CHARS).collect();
    if chars.next().is_some() {
        out.pop();
        out.push('…');
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_cleaned_for_a_terminal() {
        assert_eq!(clean("eof").as_deref(), Some("eof"));
        assert_eq!(clean("a\u{1b}[2Jb").as_deref(), Some("a\u{fffd}[2Jb"));
        assert_eq!(clean(""), None);
        let exact = "x".repeat(MAX_NAME_CHARS);
        assert_eq!(clean(&exact), Some(exact));
        let long = clean(&"y".repeat(MAX_NAME_CHARS + 1)).unwrap();
        assert_eq!(long.chars().count(), MAX_NAME_CHARS);
        assert!(long.ends_with("y…"));
    }

    #[test]
    fn an_empty_or_garbage_section_names_nothing() {
        assert!(Names::read(&[], 0, 0, &[]).is_empty());
        assert!(Names::read(&[0xff; 7], 0, 0, &[]).is_empty());
        // A function-names subsection that claims more bytes than there are.
        assert!(Names::read(&[1, 50, 1, 0, 1, b'm'], 0, 0, &[]).is_empty());
    }
}
