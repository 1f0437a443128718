//! Runs a program on wasmi, a real WebAssembly engine, with the `env` host
//! functions exactly as `docs/CORPUS.md` specifies them. It is the oracle the
//! corpus expectations, the generated random programs and (through them) our own
//! VM and the transformer are checked against.

use std::fmt;

use wasmi::errors::HostError;
use wasmi::{
    Caller, CompilationMode, Config, Engine, Error, Linker, Module, Store, TrapCode, TypedFunc,
};

/// A file holds at most this many bytes; a write at this cursor traps.
pub const MAX_FILE_SIZE: usize = 4096;

/// What a run on wasmi produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Every value passed to `env.output`, up to the end or the trap.
    pub outputs: Vec<i32>,
    /// The trap kind, exactly as in `docs/CORPUS.md`; `None` when `main` returned
    /// (or when the run stopped for lack of fuel).
    pub trap: Option<String>,
    /// The fuel ran out before `main` returned or trapped.
    pub out_of_fuel: bool,
    /// Contents of files 0..3 at the end (or at the trap).
    pub files: [Vec<u8>; 4],
}

impl Outcome {
    /// Every non-empty file, in the sidecar's `final_files` shape.
    pub fn non_empty_files(&self) -> std::collections::BTreeMap<u8, Vec<u8>> {
        (0u8..4)
            .zip(self.files.iter())
            .filter(|(_, f)| !f.is_empty())
            .map(|(n, f)| (n, f.clone()))
            .collect()
    }
}

/// The trap a host function raises; carries the corpus trap kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct HostTrap(&'static str);

impl fmt::Display for HostTrap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl HostError for HostTrap {}

const FILE_NOT_OPEN: HostTrap = HostTrap("file not open");
const FILE_FULL: HostTrap = HostTrap("file full");

/// The host side of the filesystem and the output.
#[derive(Debug, Default)]
struct Host {
    outputs: Vec<i32>,
    files: [Vec<u8>; 4],
    open: [bool; 4],
    cursor: [usize; 4],
}

impl Host {
    /// Index of an open file, or the `file not open` trap.
    fn open_file(&self, f: i32) -> Result<usize, Error> {
        match usize::try_from(f) {
            Ok(i) if i < 4 && self.open[i] => Ok(i),
            _ => Err(Error::host(FILE_NOT_OPEN)),
        }
    }
}

/// Runs `main` of the binary module `wasm` on wasmi with initial `files` and at
/// most `fuel` units of wasmi fuel (about one per executed instruction; the module
/// is compiled eagerly so compilation costs none).
///
/// Panics if the module does not compile, link or instantiate, or has no
/// `main: [] -> []` export: that is a bug in the test, not an outcome.
pub fn run_wasmi(wasm: &[u8], files: &[Vec<u8>; 4], fuel: u64) -> Outcome {
    let mut config = Config::default();
    config.consume_fuel(true);
    config.compilation_mode(CompilationMode::Eager);
    let engine = Engine::new(&config);
    let module =
        Module::new(&engine, wasm).unwrap_or_else(|e| panic!("wasmi rejected the module: {e}"));
    let host = Host {
        files: files.clone(),
        ..Host::default()
    };
    let mut store = Store::new(&engine, host);
    store
        .set_fuel(fuel)
        .expect("fuel metering is enabled in the config");
    let linker = env_linker(&engine);
    let instance = linker
        .instantiate_and_start(&mut store, &module)
        .unwrap_or_else(|e| panic!("wasmi could not instantiate the module: {e}"));
    let main: TypedFunc<(), ()> = instance
        .get_typed_func(&store, "main")
        .unwrap_or_else(|e| panic!("the module has no `main: [] -> []` export: {e}"));
    let result = main.call(&mut store, ());
    let (trap, out_of_fuel) = match result {
        Ok(()) => (None, false),
        Err(error) => classify(&error),
    };
    let host = store.into_data();
    Outcome {
        outputs: host.outputs,
        trap,
        out_of_fuel,
        files: host.files,
    }
}

/// Maps a wasmi error to (trap kind, out of fuel). Anything that is neither one
/// of the corpus traps nor fuel exhaustion is a test bug and panics.
fn classify(error: &Error) -> (Option<String>, bool) {
    if let Some(HostTrap(kind)) = error.downcast_ref::<HostTrap>() {
        return (Some((*kind).to_string()), false);
    }
    match error.as_trap_code() {
        Some(TrapCode::UnreachableCodeReached) => (Some("unreachable".to_string()), false),
        Some(TrapCode::MemoryOutOfBounds) => (Some("memory out of bounds".to_string()), false),
        Some(TrapCode::OutOfFuel) => (None, true),
        _ => panic!("unexpected wasmi error (not a corpus trap): {error}"),
    }
}

/// A linker that defines the five `env` imports with exactly the SPEC types.
fn env_linker(engine: &Engine) -> Linker<Host> {
    let mut linker = Linker::<Host>::new(engine);
    linker
        .func_wrap("env", "output", |mut caller: Caller<'_, Host>, v: i32| {
            caller.data_mut().outputs.push(v);
        })
        .expect("define env.output");
    linker
        .func_wrap(
            "env",
            "fd_open",
            |mut caller: Caller<'_, Host>, f: i32| -> i32 {
                let host = caller.data_mut();
                match usize::try_from(f) {
                    Ok(i) if i < 4 => {
                        host.open[i] = true;
                        host.cursor[i] = 0;
                        f
                    }
                    _ => -1,
                }
            },
        )
        .expect("define env.fd_open");
    linker
        .func_wrap(
            "env",
            "fd_read",
            |mut caller: Caller<'_, Host>, f: i32| -> Result<i32, Error> {
                let host = caller.data_mut();
                let i = host.open_file(f)?;
                let cursor = host.cursor[i];
                match host.files[i].get(cursor) {
                    Some(&byte) => {
                        host.cursor[i] = cursor + 1;
                        Ok(i32::from(byte))
                    }
                    None => Ok(-1),
                }
            },
        )
        .expect("define env.fd_read");
    linker
        .func_wrap(
            "env",
            "fd_write",
            |mut caller: Caller<'_, Host>, f: i32, v: i32| -> Result<(), Error> {
                let host = caller.data_mut();
                let i = host.open_file(f)?;
                let cursor = host.cursor[i];
                if cursor >= MAX_FILE_SIZE {
                    return Err(Error::host(FILE_FULL));
                }
                let byte = v.to_le_bytes()[0];
                let file = &mut host.files[i];
                if cursor < file.len() {
                    file[cursor] = byte;
                } else {
                    file.push(byte);
                }
                host.cursor[i] = cursor + 1;
                Ok(())
            },
        )
        .expect("define env.fd_write");
    linker
        .func_wrap(
            "env",
            "fd_close",
            |mut caller: Caller<'_, Host>, f: i32| -> Result<(), Error> {
                let host = caller.data_mut();
                let i = host.open_file(f)?;
                host.open[i] = false;
                Ok(())
            },
        )
        .expect("define env.fd_close");
    linker
}
