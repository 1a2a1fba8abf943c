//! Loader for the iproute2/kernel captures in `tests/fixtures/*.hex`.
//!
//! The format (see `tests/fixtures/README.md`): lines starting with `#` are comments;
//! every other non-blank line holds lowercase hex pairs separated by single spaces.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

#[path = "../common/endian.rs"]
mod endian;

/// The fixtures directory.
pub fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// A parsed fixture: its bytes and its comment lines (without the leading `#`).
#[derive(Clone, Debug)]
pub struct Fixture {
    /// The file name without `.hex`.
    pub name: String,
    /// The captured bytes, in the host's byte order: the captures were made on
    /// x86-64, and on a big-endian host every native field is swapped
    /// (`tests/common/endian.rs`), so the tests compare like with like.
    pub bytes: Vec<u8>,
    /// The comment lines, `#` and one following space removed.
    pub comments: Vec<String>,
}

impl Fixture {
    /// The value of a `# key: value` comment, if present.
    pub fn comment(&self, key: &str) -> Option<&str> {
        let prefix = format!("{key}:");
        self.comments
            .iter()
            .find_map(|c| c.strip_prefix(&prefix).map(str::trim))
    }
}

impl Fixture {
    /// The `# ifindex: NAME=N  (field)` comments as `(NAME, N, field)`; `# ifindex:
    /// none ...` lines are left out.
    pub fn ifindexes(&self) -> Vec<(String, u32, String)> {
        self.comments
            .iter()
            .filter_map(|c| c.strip_prefix("ifindex:"))
            .filter_map(|c| {
                let (pair, field) = c.trim().split_once(char::is_whitespace)?;
                let (name, n) = pair.split_once('=')?;
                let field = field.trim().trim_start_matches('(').trim_end_matches(')');
                Some((name.to_owned(), n.parse().ok()?, field.to_owned()))
            })
            .collect()
    }
}

/// Parses the text of a `.hex` file. Panics (failing the test) on anything that is not
/// a comment or a line of two-digit hex numbers.
pub fn parse(name: &str, text: &str) -> Fixture {
    let mut bytes = Vec::new();
    let mut comments = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_end();
        if let Some(c) = line.strip_prefix('#') {
            comments.push(c.strip_prefix(' ').unwrap_or(c).to_owned());
            continue;
        }
        if line.trim().is_empty() {
            continue;
        }
        for pair in line.split_whitespace() {
            assert!(
                pair.len() == 2,
                "{name}.hex line {}: {pair:?} is not a hex pair",
                n + 1
            );
            let b = u8::from_str_radix(pair, 16)
                .unwrap_or_else(|e| panic!("{name}.hex line {}: {pair:?}: {e}", n + 1));
            bytes.push(b);
        }
    }
    Fixture {
        name: name.to_owned(),
        bytes: endian::capture_to_native(&bytes),
        comments,
    }
}

/// Loads `tests/fixtures/<name>.hex`.
pub fn load(name: &str) -> Fixture {
    let path = dir().join(format!("{name}.hex"));
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    parse(name, &text)
}

/// The bytes of `tests/fixtures/<name>.hex`.
pub fn bytes(name: &str) -> Vec<u8> {
    load(name).bytes
}

/// Every fixture in the directory, sorted by name.
pub fn all() -> Vec<Fixture> {
    let mut names: Vec<String> = std::fs::read_dir(dir())
        .expect("read tests/fixtures")
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter_map(|f| f.strip_suffix(".hex").map(str::to_owned))
        .collect();
    names.sort();
    names.iter().map(|n| load(n)).collect()
}
