//! The four files a program can use: their contents, their size limit, and the
//! `--file N=PATH` arguments that fill them.
//!
//! Both engines start from a [`FileContents`] and report one at the end; how a
//! file is opened, read and written is each engine's business.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Files are numbered 0 to 3.
pub const FILE_COUNT: usize = 4;

/// The most bytes a file holds; a write at this cursor traps (SPEC §2 asks for
/// at least 4096).
pub const MAX_FILE_BYTES: usize = 4096;

/// The contents of the four files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileContents(pub [Vec<u8>; FILE_COUNT]);

impl FileContents {
    /// Sets file `number`'s contents, refusing more than [`MAX_FILE_BYTES`].
    pub fn set(&mut self, number: usize, bytes: Vec<u8>) -> Result<(), String> {
        if number >= FILE_COUNT {
            return Err(format!(
                "file {number} does not exist (files are 0 to {})",
                FILE_COUNT - 1
            ));
        }
        if bytes.len() > MAX_FILE_BYTES {
            return Err(format!(
                "file {number} would hold {} bytes; files hold at most {MAX_FILE_BYTES}",
                bytes.len()
            ));
        }
        self.0[number] = bytes;
        Ok(())
    }

    /// Reads the files named by `--file N=PATH` arguments.
    pub fn from_args(args: &[String]) -> Result<FileContents, String> {
        let mut files = FileContents::default();
        let mut given = [false; FILE_COUNT];
        for arg in args {
            let (number, path) = parse_file_arg(arg)?;
            if given[number] {
                return Err(format!(
                    "--file {arg}: file {number} is given more than once"
                ));
            }
            given[number] = true;
            let bytes = std::fs::read(&path).map_err(|error| {
                format!("--file {arg}: cannot read {}: {error}", path.display())
            })?;
            files
                .set(number, bytes)
                .map_err(|message| format!("--file {arg}: {message}"))?;
        }
        Ok(files)
    }

    /// The non-empty files, by number, as lowercase hex (the JSON report's form).
    pub fn non_empty_hex(&self) -> Vec<(usize, String)> {
        self.0
            .iter()
            .enumerate()
            .filter(|(_, bytes)| !bytes.is_empty())
            .map(|(number, bytes)| (number, to_hex(bytes)))
            .collect()
    }
}

/// Splits `N=PATH` into a file number and a path.
pub fn parse_file_arg(arg: &str) -> Result<(usize, PathBuf), String> {
    let Some((number, path)) = arg.split_once('=') else {
        return Err(format!(
            "--file {arg}: expected N=PATH, with N a file number from 0 to 3"
        ));
    };
    let number: usize = match number.trim().parse() {
        Ok(n) if n < FILE_COUNT => n,
        _ => {
            return Err(format!(
                "--file {arg}: `{number}` is not a file number (files are 0 to {})",
                FILE_COUNT - 1
            ));
        }
    };
    if path.is_empty() {
        return Err(format!("--file {arg}: the path is empty"));
    }
    Ok((number, Path::new(path).to_path_buf()))
}

/// Lowercase hex, two digits a byte, no separators.
pub fn to_hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

/// The inverse of [`to_hex`]; `None` on odd length or a non-hex digit.
pub fn from_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| {
            text.get(i..i + 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_arguments_need_a_number_from_0_to_3_and_a_path() {
        assert_eq!(
            parse_file_arg("2=in.bin").unwrap(),
            (2, PathBuf::from("in.bin"))
        );
        assert!(
            parse_file_arg("4=in.bin")
                .unwrap_err()
                .contains("not a file number")
        );
        assert!(
            parse_file_arg("-1=x")
                .unwrap_err()
                .contains("not a file number")
        );
        assert!(
            parse_file_arg("in.bin")
                .unwrap_err()
                .contains("expected N=PATH")
        );
        assert!(parse_file_arg("1=").unwrap_err().contains("path is empty"));
    }

    #[test]
    fn hex_is_lowercase_and_round_trips() {
        assert_eq!(to_hex(&[0x00, 0xab, 0x7f]), "00ab7f");
        assert_eq!(from_hex("00ab7f"), Some(vec![0x00, 0xab, 0x7f]));
        assert_eq!(from_hex("0"), None);
        assert_eq!(from_hex("zz"), None);
    }

    #[test]
    fn a_file_larger_than_the_limit_is_refused() {
        let mut files = FileContents::default();
        assert!(files.set(0, vec![0; MAX_FILE_BYTES]).is_ok());
        assert!(
            files
                .set(1, vec![0; MAX_FILE_BYTES + 1])
                .unwrap_err()
                .contains("at most 4096")
        );
        assert!(files.set(4, vec![]).is_err());
    }
}
