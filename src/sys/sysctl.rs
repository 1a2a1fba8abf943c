//! Side door (layer `sys`): kernel parameters under `/proc/sys` (`sysctl -w` / `sysctl -n`), with
//! plain file I/O — independent of the netlink stack, and without `unsafe`.
//!
//! # Keys
//!
//! A key is written as `sysctl(8)` accepts it: `net.ipv4.ip_forward` maps to
//! `/proc/sys/net/ipv4/ip_forward`. Interface names may contain dots, so — as in
//! `sysctl(8)` — a key that contains a `/` uses `/` as its separator and its dots are
//! literal: `net/ipv4/conf/eth0.100/forwarding` is
//! `/proc/sys/net/ipv4/conf/eth0.100/forwarding`. The two forms are not mixed.
//!
//! Keys are checked before any file is opened: empty keys, empty components (`net..x`,
//! `net//x`, a leading or trailing separator), the components `.` and `..`, NUL bytes
//! and whitespace are [`Error::InvalidInput`]. So a key never names a path outside
//! `/proc/sys`.
//!
//! # Namespaces
//!
//! `/proc/sys/net` follows the network namespace of the *calling thread* (the kernel
//! resolves it per opener): run these on a thread that has joined another namespace
//! ([`crate::netns::with_netns_fd`]) to read or set that namespace's values. Most
//! other subtrees (`kernel.*`, `vm.*`) are global.

use crate::error::{Error, Result};
use std::io;
use std::path::PathBuf;

const ROOT: &str = "/proc/sys";

/// The file behind `key`: `net.ipv4.ip_forward` → `/proc/sys/net/ipv4/ip_forward`, and
/// `net/ipv4/conf/v.1/forwarding` (slash form, dots literal) →
/// `/proc/sys/net/ipv4/conf/v.1/forwarding`. See the [module docs](self) for what is
/// refused. Makes no syscall.
pub fn sysctl_path(key: &str) -> Result<PathBuf> {
    let bad = |reason| Err(Error::invalid("sysctl key", key, reason));
    if key.is_empty() {
        return bad("empty");
    }
    if key.contains('\0') {
        return bad("contains a NUL byte");
    }
    if key.chars().any(char::is_whitespace) {
        return bad("contains whitespace");
    }
    let sep = if key.contains('/') { '/' } else { '.' };
    let mut path = PathBuf::from(ROOT);
    for part in key.split(sep) {
        if part.is_empty() {
            return bad("empty component (doubled, leading or trailing separator)");
        }
        if part == "." || part == ".." {
            return bad("'.' and '..' are not sysctl components");
        }
        path.push(part);
    }
    Ok(path)
}

fn check_value(value: &str) -> Result<()> {
    if value.contains('\0') {
        return Err(Error::invalid("sysctl value", value, "contains a NUL byte"));
    }
    // One trailing newline is what `echo` writes and the kernel accepts it; anything
    // after a newline would be silently ignored or misparsed.
    let body = value.strip_suffix('\n').unwrap_or(value);
    if body.contains('\n') {
        return Err(Error::invalid("sysctl value", value, "contains a newline"));
    }
    Ok(())
}

fn map_err(op: &'static str, key: &str, e: io::Error) -> Error {
    if e.kind() == io::ErrorKind::NotFound {
        return Error::NotFound {
            kind: "sysctl",
            name: key.to_owned(),
        };
    }
    Error::Io { op, source: e }
}

/// Sets `key` to `value` (`sysctl -w KEY=VALUE`, i.e. `echo VALUE >
/// /proc/sys/...`), in one `write`. An unknown key is [`Error::NotFound`]; a value the
/// kernel refuses is [`Error::Io`] with its errno (`EINVAL`, or `EACCES`/`EPERM` for a
/// read-only key). A value containing NUL or a newline (other than one at the end) is
/// [`Error::InvalidInput`].
pub fn set_sysctl(key: &str, value: &str) -> Result<()> {
    let path = sysctl_path(key)?;
    check_value(value)?;
    imp::write(&path, value).map_err(|e| map_err("write sysctl", key, e))
}

/// Reads `key` (`sysctl -n KEY`, i.e. `cat /proc/sys/...`), without its trailing
/// newline. An unknown key is [`Error::NotFound`].
pub fn read_sysctl(key: &str) -> Result<String> {
    let path = sysctl_path(key)?;
    let mut s = imp::read(&path).map_err(|e| map_err("read sysctl", key, e))?;
    if s.ends_with('\n') {
        s.pop();
    }
    Ok(s)
}

#[cfg(rtnl_netlink)]
mod imp {
    use std::io::{self, Write};
    use std::path::Path;

    pub(super) fn write(path: &Path, value: &str) -> io::Result<()> {
        let mut f = std::fs::OpenOptions::new().write(true).open(path)?;
        f.write_all(value.as_bytes())
    }

    pub(super) fn read(path: &Path) -> io::Result<String> {
        std::fs::read_to_string(path)
    }
}

#[cfg(not(rtnl_netlink))]
mod imp {
    use std::io;
    use std::path::Path;

    fn unsupported() -> io::Error {
        io::Error::new(io::ErrorKind::Unsupported, "/proc/sys is Linux-only")
    }
    pub(super) fn write(_path: &Path, _value: &str) -> io::Result<()> {
        Err(unsupported())
    }
    pub(super) fn read(_path: &Path) -> io::Result<String> {
        Err(unsupported())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_map_to_proc_sys() {
        assert_eq!(
            sysctl_path("net.ipv4.ip_forward").unwrap(),
            PathBuf::from("/proc/sys/net/ipv4/ip_forward")
        );
        assert_eq!(
            sysctl_path("net/ipv4/conf/v.1/forwarding").unwrap(),
            PathBuf::from("/proc/sys/net/ipv4/conf/v.1/forwarding")
        );
        assert_eq!(
            sysctl_path("kernel").unwrap(),
            PathBuf::from("/proc/sys/kernel")
        );
    }

    #[test]
    fn bad_keys_are_refused() {
        for bad in [
            "",
            "net..x",
            ".net",
            "net.",
            "net//ipv4",
            "/net/ipv4",
            "net/ipv4/",
            "net.ipv4.ip_forward/",
            "../x",
            "net/./x",
            "net/../../etc",
            "net.ipv4.ip_forward\0x",
            "net.ipv4. ip_forward",
            "net.ipv4.ip_forward\n",
        ] {
            assert!(sysctl_path(bad).unwrap_err().is_invalid_input(), "{bad:?}");
            assert!(set_sysctl(bad, "1").unwrap_err().is_invalid_input());
            assert!(read_sysctl(bad).unwrap_err().is_invalid_input());
        }
    }

    #[test]
    fn bad_values_are_refused() {
        for bad in ["1\0", "1\n2", "\n\n"] {
            assert!(check_value(bad).unwrap_err().is_invalid_input(), "{bad:?}");
        }
        for ok in ["1", "1\n", "0 2147483647", ""] {
            check_value(ok).unwrap();
        }
    }
}
