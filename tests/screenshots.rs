//! `wasmtf screenshot` reproduces the committed screenshots byte for byte.

use wasmtf::compiled::load_default;
use wasmtf::debugger::screenshot::write_screenshots;

#[test]
fn the_committed_screenshots_are_what_the_command_renders() {
    let dir = std::env::temp_dir().join(format!("wasmtf-screenshots-{}", std::process::id()));
    let written = write_screenshots(&dir, &load_default().unwrap()).unwrap();
    assert!(written.len() >= 3);
    for path in written {
        let name = std::path::Path::new(&path).file_name().unwrap().to_owned();
        let committed = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("screenshots")
            .join(&name);
        let fresh = std::fs::read(&path).unwrap();
        let old = std::fs::read(&committed)
            .unwrap_or_else(|_| panic!("{} is not committed", committed.display()));
        assert!(
            fresh == old,
            "{} is stale: run `cargo run --release -- screenshot`",
            committed.display()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
