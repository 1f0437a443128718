//! The `wasmtf` binary: everything lives in the library; this only hands over
//! the arguments and returns the exit status.

fn main() {
    let status = wasmtf::cli::main(std::env::args_os());
    std::process::exit(status);
}
