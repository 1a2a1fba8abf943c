//! Checks of callers' arguments, made before any syscall so that bad input never
//! reaches the kernel and never leaves anything half-done.

use crate::error::{Error, Result};
use std::net::IpAddr;

/// Checks an interface name the way the kernel's `dev_valid_name` does: 1 to 15
/// bytes, not `.` or `..`, no `/`, `:`, NUL or byte the kernel's `isspace()` takes
/// for a space — ASCII whitespace (`\t \n \v \f \r` and space) and `0xA0`, Latin-1's
/// no-break space, which also appears inside UTF-8 characters such as `à`. Like the
/// kernel it looks at bytes, so other Unicode spaces (U+2003, ...) pass.
pub fn check_ifname(name: &str) -> Result<()> {
    let bad = |reason| Err(Error::invalid("interface name", name, reason));
    if name.is_empty() {
        return bad("empty");
    }
    if name.len() > 15 {
        return bad("longer than 15 bytes (IFNAMSIZ - 1)");
    }
    if name == "." || name == ".." {
        return bad("'.' and '..' are not valid names");
    }
    for &b in name.as_bytes() {
        match b {
            b'/' => return bad("contains '/'"),
            b':' => return bad("contains ':'"),
            0 => return bad("contains a NUL byte"),
            b'\t'..=b'\r' | b' ' => return bad("contains whitespace"),
            0xa0 => return bad("contains the byte 0xA0, a space to the kernel's isspace()"),
            _ => {}
        }
    }
    Ok(())
}

/// Checks a prefix length against its address family (≤ 32 for IPv4, ≤ 128 for IPv6).
pub fn check_prefix(addr: IpAddr, prefix_len: u8) -> Result<()> {
    let max = match addr {
        IpAddr::V4(_) => 32,
        IpAddr::V6(_) => 128,
    };
    if prefix_len > max {
        return Err(Error::invalid(
            "prefix length",
            prefix_len,
            if max == 32 {
                "IPv4 prefixes are at most 32"
            } else {
                "IPv6 prefixes are at most 128"
            },
        ));
    }
    Ok(())
}

/// Checks that two addresses are of the same family.
pub fn check_same_family(what: &'static str, a: IpAddr, b: IpAddr) -> Result<()> {
    if a.is_ipv4() != b.is_ipv4() {
        return Err(Error::invalid(
            what,
            b,
            "address family differs from the destination's",
        ));
    }
    Ok(())
}

/// Checks a MAC address for use as a link's own address: not all zeros, not
/// multicast/broadcast (bit 0 of the first byte).
pub fn check_unicast_mac(mac: [u8; 6]) -> Result<()> {
    let shown = crate::link::MacAddr(mac);
    if mac == [0; 6] {
        return Err(Error::invalid(
            "MAC address",
            shown.to_string(),
            "all zeros",
        ));
    }
    if mac[0] & 1 != 0 {
        return Err(Error::invalid(
            "MAC address",
            shown.to_string(),
            "multicast/broadcast addresses cannot be assigned to a link",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for ok in [
            "eth0",
            "a",
            "veth-abcdefghij",
            "x.y",
            "br_0",
            "é",
            "a\u{2003}b",
        ] {
            check_ifname(ok).unwrap();
        }
        for bad in [
            "",
            "abcdefghijklmnop",
            "a/b",
            "a b",
            "a\0b",
            "a\tb",
            "a\u{b}b",
            "\u{a0}",
            "\u{e0}",
            ".",
            "..",
            "a:1",
        ] {
            assert!(check_ifname(bad).unwrap_err().is_invalid_input(), "{bad:?}");
        }
    }

    #[test]
    fn prefixes() {
        check_prefix("10.0.0.1".parse().unwrap(), 32).unwrap();
        check_prefix("::1".parse().unwrap(), 128).unwrap();
        assert!(check_prefix("10.0.0.1".parse().unwrap(), 33).is_err());
        assert!(check_prefix("::1".parse().unwrap(), 129).is_err());
    }

    #[test]
    fn macs() {
        check_unicast_mac([2, 0, 0, 0, 0, 1]).unwrap();
        assert!(check_unicast_mac([0; 6]).is_err());
        assert!(check_unicast_mac([1, 0, 0x5e, 0, 0, 1]).is_err());
        assert!(check_unicast_mac([0xff; 6]).is_err());
    }
}
