//! Layer `types`: checks of callers' arguments that are not values of their own —
//! prefix lengths against their family, families that must agree — made before any
//! syscall so that bad input never reaches the kernel and never leaves anything
//! half-done. (Names and MAC addresses are checked by their types: [`crate::IfName`],
//! [`crate::MacAddr::check_unicast`].)

use crate::error::{Error, Result};
use std::net::IpAddr;

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

/// Clears the bits of `a` past `prefix_len` (the kernel refuses a route whose
/// destination has host bits set: "Invalid prefix for given prefix length").
pub fn mask(a: IpAddr, prefix_len: u8) -> IpAddr {
    match a {
        IpAddr::V4(v) => {
            let bits = u32::from(v);
            let m = u32::MAX
                .checked_shl(32 - u32::from(prefix_len.min(32)))
                .unwrap_or(0);
            IpAddr::V4((bits & m).into())
        }
        IpAddr::V6(v) => {
            let bits = u128::from(v);
            let m = u128::MAX
                .checked_shl(128 - u32::from(prefix_len.min(128)))
                .unwrap_or(0);
            IpAddr::V6((bits & m).into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        check_prefix("10.0.0.1".parse().unwrap(), 32).unwrap();
        check_prefix("::1".parse().unwrap(), 128).unwrap();
        assert!(check_prefix("10.0.0.1".parse().unwrap(), 33).is_err());
        assert!(check_prefix("::1".parse().unwrap(), 129).is_err());
    }

    #[test]
    fn masks_host_bits() {
        let m = |a: &str, n| mask(a.parse().unwrap(), n).to_string();
        assert_eq!(m("10.1.2.3", 16), "10.1.0.0");
        assert_eq!(m("10.1.2.3", 32), "10.1.2.3");
        assert_eq!(m("10.1.2.3", 0), "0.0.0.0");
        assert_eq!(m("fd00::1", 64), "fd00::");
        assert_eq!(m("fd00::1", 0), "::");
        assert_eq!(m("fd00::1", 128), "fd00::1");
    }
}
