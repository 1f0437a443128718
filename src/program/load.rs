//! Reads a module (text or binary), validates it with wasmparser and checks it
//! against SPEC §2 section by section, handing `main`'s body to the flattener.
//!
//! Every refusal names what is wrong and where: syntax errors by line and
//! column, everything else by section, import, or `function main, instruction N`
//! (N counts `main`'s operators from 0, `block` and `end` included).
//!
//! The `name` custom section, wherever it sits, is read last, once the imports,
//! `main` and its blocks are known; it is never a reason to refuse a module.

use std::borrow::Cow;
use std::path::Path;

use wasmparser::{
    CompositeInnerType, Encoding, ExternalKind, FuncType, FuncValidatorAllocations, Parser,
    Payload, TypeRef, ValType, ValidPayload, Validator,
};

use super::error::LoadErrorKind;
use super::flatten::{Flattener, mnemonic};
use super::{HostCall, LoadError, Names, PAGE_BYTES, Program};

/// The largest memory a program may declare, in 64 KiB pages (1 MiB). SPEC §2
/// needs one page; the cap keeps a hostile module from reserving gigabytes.
pub const MAX_MEMORY_PAGES: u64 = 16;

/// Loads a `.wat` or `.wasm` program; `name` (usually the path) prefixes messages.
pub fn load_program(name: &str, bytes: &[u8]) -> Result<Program, LoadError> {
    let wasm = to_binary(name, bytes)?;
    ModuleReader::new(name).read(&wasm)
}

/// Binary modules pass through; anything else is parsed as WebAssembly text.
pub(super) fn to_binary<'a>(name: &str, bytes: &'a [u8]) -> Result<Cow<'a, [u8]>, LoadError> {
    if bytes.starts_with(b"\0asm") {
        return Ok(Cow::Borrowed(bytes));
    }
    let syntax = |message: String| LoadError::new(LoadErrorKind::Syntax, name, None, message);
    let text = std::str::from_utf8(bytes).map_err(|error| {
        syntax(format!(
            "neither a WebAssembly binary (no \\0asm header) nor UTF-8 text: invalid byte at offset {}",
            error.valid_up_to()
        ))
    })?;
    // wat renders "message\n --> NAME:LINE:COL" with the offending line; the
    // program name is already our prefix, so keep wat's rendering as the message.
    wat::Parser::new()
        .parse_str(Some(Path::new(name)), text)
        .map(Cow::Owned)
        .map_err(|error| syntax(format!("invalid WebAssembly text: {error}")))
}

struct ModuleReader<'n> {
    name: &'n str,
    types: Vec<Option<FuncType>>,
    imports: Vec<HostCall>,
    /// Type index of each function the module defines (not imports).
    defined: Vec<u32>,
    main_index: Option<u32>,
    memory_bytes: usize,
    program: Option<Program>,
    /// Index in `program.blocks` of each block, loop and if of `main`, by label
    /// index.
    label_order: Vec<usize>,
}

impl<'n> ModuleReader<'n> {
    fn new(name: &'n str) -> ModuleReader<'n> {
        ModuleReader {
            name,
            types: Vec::new(),
            imports: Vec::new(),
            defined: Vec::new(),
            main_index: None,
            memory_bytes: 0,
            program: None,
            label_order: Vec::new(),
        }
    }

    fn error(
        &self,
        kind: LoadErrorKind,
        location: Option<String>,
        message: impl Into<String>,
    ) -> LoadError {
        LoadError::new(kind, self.name, location, message)
    }

    fn unsupported(&self, location: impl Into<String>, message: impl Into<String>) -> LoadError {
        self.error(LoadErrorKind::Unsupported, Some(location.into()), message)
    }

    fn binary_error(&self, error: wasmparser::BinaryReaderError, kind: LoadErrorKind) -> LoadError {
        binary_error(self.name, error, kind)
    }

    fn read(mut self, wasm: &[u8]) -> Result<Program, LoadError> {
        let mut validator = Validator::new();
        // The contents and byte offset of the first `name` section.
        let mut name_section: Option<(&[u8], u64)> = None;
        for payload in Parser::new(0).parse_all(wasm) {
            let payload = payload.map_err(|e| self.binary_error(e, LoadErrorKind::Malformed))?;
            if let Payload::CustomSection(section) = &payload
                && section.name() == "name"
                && name_section.is_none()
            {
                name_section = Some((section.data(), section.data_offset()));
            }
            self.check_section(&payload)?;
            let valid = validator
                .payload(&payload)
                .map_err(|e| self.binary_error(e, LoadErrorKind::Invalid))?;
            if let ValidPayload::Func(to_validate, body) = valid {
                let index = to_validate.index;
                if Some(index) != self.main_index {
                    return Err(self.unsupported(
                        format!("function {index}"),
                        "only `main` may be defined: calls between functions are not supported",
                    ));
                }
                let validator = to_validate.into_validator(FuncValidatorAllocations::default());
                self.program = Some(self.read_main(validator, &body)?);
            }
        }
        match (self.program.take(), self.main_index) {
            (Some(mut program), Some(main_index)) => {
                if let Some((data, offset)) = name_section {
                    program.names = Names::read(data, offset, main_index, &self.imports);
                    self.attach_labels(&mut program);
                }
                Ok(program)
            }
            _ => Err(self.unsupported(
                "exports",
                "the module must export a function `main` of type [] -> []",
            )),
        }
    }

    /// Refuses sections outside SPEC §2 and collects the facts `main` needs.
    fn check_section(&mut self, payload: &Payload<'_>) -> Result<(), LoadError> {
        let name = self.name;
        let malformed = move |e| binary_error(name, e, LoadErrorKind::Malformed);
        match payload {
            Payload::Version { encoding, .. } if *encoding != Encoding::Module => {
                Err(self.unsupported("module", "components are not supported; give a core module"))
            }
            Payload::TypeSection(reader) => {
                for group in reader.clone() {
                    for sub in group.map_err(malformed)?.into_types() {
                        self.types.push(match sub.composite_type.inner {
                            CompositeInnerType::Func(func) => Some(func),
                            _ => None,
                        });
                    }
                }
                Ok(())
            }
            Payload::ImportSection(reader) => {
                for import in reader.clone().into_imports() {
                    let import = import.map_err(malformed)?;
                    let call = self.check_import(import.module, import.name, import.ty)?;
                    self.imports.push(call);
                }
                Ok(())
            }
            Payload::FunctionSection(reader) => {
                for type_index in reader.clone() {
                    self.defined.push(type_index.map_err(malformed)?);
                }
                Ok(())
            }
            Payload::MemorySection(reader) => {
                for (index, memory) in reader.clone().into_iter().enumerate() {
                    let memory = memory.map_err(malformed)?;
                    self.memory_bytes = self.check_memory(index, memory)?;
                }
                Ok(())
            }
            Payload::ExportSection(reader) => {
                for export in reader.clone() {
                    let export = export.map_err(malformed)?;
                    if export.name == "main" {
                        self.check_main_export(export.kind, export.index)?;
                    }
                }
                Ok(())
            }
            Payload::TableSection(_) => {
                Err(self.unsupported("table section", "tables are not supported"))
            }
            Payload::TagSection(_) => {
                Err(self.unsupported("tag section", "exception tags are not supported"))
            }
            Payload::GlobalSection(reader) if reader.count() > 0 => Err(self.unsupported(
                "global section",
                "globals are not supported; use locals of main",
            )),
            Payload::StartSection { .. } => Err(self.unsupported(
                "start section",
                "a start function is not supported; export `main`",
            )),
            Payload::ElementSection(reader) if reader.count() > 0 => {
                Err(self.unsupported("element section", "element segments are not supported"))
            }
            Payload::DataSection(reader) if reader.count() > 0 => Err(self.unsupported(
                "data section",
                "data segments are not supported: memory starts zeroed",
            )),
            Payload::CodeSectionStart { .. } if self.main_index.is_none() => Err(self.unsupported(
                "exports",
                "the module must export a function `main` of type [] -> []",
            )),
            _ => Ok(()),
        }
    }

    /// Checks the one memory a program may declare; returns its size in bytes.
    fn check_memory(
        &self,
        index: usize,
        memory: wasmparser::MemoryType,
    ) -> Result<usize, LoadError> {
        let location = format!("memory {index}");
        if index > 0 {
            return Err(self.unsupported(location, "only one memory may be declared"));
        }
        if memory.memory64 || memory.shared || memory.page_size_log2.is_some() {
            return Err(self.unsupported(
                location,
                "only a plain 32-bit memory with 64 KiB pages is supported",
            ));
        }
        if memory.initial > MAX_MEMORY_PAGES {
            return Err(self.unsupported(
                location,
                format!(
                    "{} pages declared; at most {MAX_MEMORY_PAGES} pages ({} KiB) are supported",
                    memory.initial,
                    MAX_MEMORY_PAGES * 64
                ),
            ));
        }
        Ok(memory.initial as usize * PAGE_BYTES)
    }

    fn check_import(&self, module: &str, name: &str, ty: TypeRef) -> Result<HostCall, LoadError> {
        let location = format!("import {module}.{name}");
        let TypeRef::Func(type_index) = ty else {
            return Err(self.unsupported(
                location,
                "only functions can be imported (declare the memory in the module)",
            ));
        };
        if module != "env" {
            return Err(self.unsupported(location, "imports come from module `env`"));
        }
        let Some(call) = HostCall::from_name(name) else {
            let known: Vec<&str> = HostCall::ALL.iter().map(|call| call.name()).collect();
            return Err(self.unsupported(
                location,
                format!("unknown host function; env provides {}", known.join(", ")),
            ));
        };
        let expected = (
            vec![ValType::I32; call.params() as usize],
            vec![ValType::I32; call.results() as usize],
        );
        let actual = self
            .types
            .get(type_index as usize)
            .and_then(|ty| ty.as_ref())
            .map(|func| (func.params().to_vec(), func.results().to_vec()));
        if actual.as_ref() != Some(&expected) {
            return Err(self.unsupported(
                location,
                format!(
                    "has type {}, expected {}",
                    actual.map_or_else(|| "unknown".to_string(), |(p, r)| signature(&p, &r)),
                    call.signature()
                ),
            ));
        }
        Ok(call)
    }

    fn check_main_export(&mut self, kind: ExternalKind, index: u32) -> Result<(), LoadError> {
        if kind != ExternalKind::Func {
            return Err(self.unsupported("export main", "`main` must be a function"));
        }
        let Some(defined) = index.checked_sub(self.imports.len() as u32) else {
            return Err(self.unsupported(
                "export main",
                "`main` must be defined in the module, not imported",
            ));
        };
        let type_index = self.defined.get(defined as usize).copied();
        let func = type_index
            .and_then(|t| self.types.get(t as usize))
            .and_then(|t| t.as_ref());
        match func {
            Some(func) if func.params().is_empty() && func.results().is_empty() => {}
            Some(func) => {
                return Err(self.unsupported(
                    "export main",
                    format!(
                        "`main` has type {}, expected [] -> []",
                        signature(func.params(), func.results())
                    ),
                ));
            }
            None => return Err(self.unsupported("export main", "`main` does not name a function")),
        }
        self.main_index = Some(index);
        Ok(())
    }

    /// Gives each block, loop and if its label name, if the names have one.
    fn attach_labels(&self, program: &mut Program) {
        for (&label, name) in &program.names.labels {
            let block = usize::try_from(label)
                .ok()
                .and_then(|label| self.label_order.get(label));
            if let Some(&block) = block {
                program.blocks[block].label = Some(name.clone());
            }
        }
    }

    fn read_main(
        &mut self,
        mut validator: wasmparser::FuncValidator<wasmparser::ValidatorResources>,
        body: &wasmparser::FunctionBody<'_>,
    ) -> Result<Program, LoadError> {
        let malformed = |e| self.binary_error(e, LoadErrorKind::Malformed);
        let mut local_count = 0u32;
        let mut locals = body.get_locals_reader().map_err(malformed)?;
        for _ in 0..locals.get_count() {
            let offset = locals.original_position();
            let (count, ty) = locals.read().map_err(malformed)?;
            validator
                .define_locals(offset, count, ty)
                .map_err(|e| self.binary_error(e, LoadErrorKind::Invalid))?;
            if ty != ValType::I32 {
                return Err(self.unsupported(
                    "function main",
                    format!("locals of type {ty} are not supported; locals are i32"),
                ));
            }
            local_count += count;
        }

        let mut flattener = Flattener::new(&self.imports);
        let mut operators = body.get_operators_reader().map_err(malformed)?;
        let mut body_index = 0u32;
        while !operators.eof() {
            let (operator, offset) = operators.read_with_offset().map_err(malformed)?;
            let location = || Some(format!("function main, instruction {body_index}"));
            if let Err(message) = flattener.check_supported(&operator) {
                return Err(self.error(LoadErrorKind::Unsupported, location(), message));
            }
            validator.op(offset, &operator).map_err(|e| {
                self.error(
                    LoadErrorKind::Invalid,
                    location(),
                    format!("invalid {}: {}", mnemonic(&operator), e.message()),
                )
            })?;
            flattener.push(&operator);
            body_index += 1;
        }
        operators.finish().map_err(malformed)?;
        if !flattener.finished() {
            return Err(self.error(
                LoadErrorKind::Malformed,
                Some("function main".into()),
                "the body ends before its final `end`",
            ));
        }
        self.label_order = flattener.label_order;
        Ok(Program {
            name: self.name.to_string(),
            instructions: flattener.instructions,
            local_count,
            memory_bytes: self.memory_bytes,
            imports: self.imports.clone(),
            blocks: flattener.blocks,
            names: Names::default(),
        })
    }
}

fn signature(params: &[ValType], results: &[ValType]) -> String {
    let list = |types: &[ValType]| {
        types
            .iter()
            .map(|t| t.to_string())
            .collect::<Vec<_>>()
            .join(" ")
    };
    format!("[{}] -> [{}]", list(params), list(results))
}

fn binary_error(
    name: &str,
    error: wasmparser::BinaryReaderError,
    kind: LoadErrorKind,
) -> LoadError {
    let what = match kind {
        LoadErrorKind::Malformed => "malformed module",
        _ => "invalid module",
    };
    LoadError::new(
        kind,
        name,
        None,
        format!(
            "{what}: {} (at byte offset {:#x})",
            error.message(),
            error.offset()
        ),
    )
}
