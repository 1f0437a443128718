//! A directory of its own for one test, removed when the test ends.

use std::path::PathBuf;

pub struct Scratch(PathBuf);

impl Scratch {
    /// An empty directory named after the test binary's `kind`, the
    /// process and the test.
    pub fn new(kind: &str, test: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("wasmtf-{kind}-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    /// The path of `name` inside it.
    pub fn path(&self, name: &str) -> String {
        self.0.join(name).display().to_string()
    }

    /// Writes `contents` to `name` inside it and returns the path.
    pub fn file(&self, name: &str, contents: impl AsRef<[u8]>) -> String {
        let path = self.path(name);
        std::fs::write(&path, contents).unwrap();
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
