//! Layer `operations` (guest): what a guest asks for — one interface's
//! [`InterfaceSpec`] and checked [`Hostname`]s — and the checks made before any
//! syscall.

use crate::error::{Error, Result};
use crate::types::{check_ifname, MacAddr};
use crate::validate::check_prefix;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;
use std::time::Duration;

/// How one network interface should be configured. Fields left `None` are not
/// touched.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InterfaceSpec {
    /// The interface (`eth0`).
    pub name: String,
    /// Its MAC address (`ip link set dev NAME address MAC`); must be unicast.
    pub mac: Option<MacAddr>,
    /// Its MTU (`ip link set dev NAME mtu MTU`); the kernel checks the device's range.
    pub mtu: Option<u32>,
    /// Its IPv4 address and prefix length (`ip addr add A/P dev NAME`).
    pub ipv4: Option<(Ipv4Addr, u8)>,
    /// Its IPv6 address and prefix length (`ip addr add A/P dev NAME`, no DAD).
    pub ipv6: Option<(Ipv6Addr, u8)>,
    /// The IPv4 default gateway (`ip route replace default via GW dev NAME`); needs
    /// `ipv4`.
    pub gateway4: Option<Ipv4Addr>,
    /// The IPv6 default gateway (`ip -6 route replace default via GW dev NAME`); needs
    /// `ipv6`. A link-local gateway (`fe80::1`) works: the route is bound to the link.
    pub gateway6: Option<Ipv6Addr>,
    /// Duplicate address detection for `ipv6`: `None` (the default) adds it with
    /// `nodad`, usable at once; `Some(limit)` lets the kernel check that no other
    /// node uses it and waits — on the kernel's events, up to `limit` — until it is
    /// no longer tentative ([`super::Step::Dad`]). An address another node uses is
    /// [`crate::Error::DadFailed`].
    pub dad: Option<Duration>,
}

impl InterfaceSpec {
    /// A spec that names the interface and changes nothing yet.
    pub fn new(name: impl Into<String>) -> InterfaceSpec {
        InterfaceSpec {
            name: name.into(),
            ..Default::default()
        }
    }

    /// Checks the spec without any syscall: the name as the kernel checks it, a
    /// unicast non-zero MAC, prefixes ≤ 32 / ≤ 128, addresses and gateways neither
    /// unspecified nor multicast, and no gateway without an address of its family.
    /// Every `configure_*` function calls this first.
    pub fn validate(&self) -> Result<()> {
        check_ifname(&self.name)?;
        if let Some(mac) = self.mac {
            mac.check_unicast()?;
        }
        if let Some((a, p)) = self.ipv4 {
            check_prefix(IpAddr::V4(a), p)?;
            check_host_address("IPv4 address", IpAddr::V4(a))?;
            if a.is_broadcast() {
                return Err(Error::invalid(
                    "IPv4 address",
                    a,
                    "the broadcast address cannot be assigned",
                ));
            }
        }
        if let Some((a, p)) = self.ipv6 {
            check_prefix(IpAddr::V6(a), p)?;
            check_host_address("IPv6 address", IpAddr::V6(a))?;
        }
        if let Some(g) = self.gateway4 {
            check_host_address("IPv4 gateway", IpAddr::V4(g))?;
            if self.ipv4.is_none() {
                return Err(Error::invalid(
                    "IPv4 gateway",
                    g,
                    "a gateway needs an IPv4 address on the interface (ipv4 is None)",
                ));
            }
        }
        if let Some(g) = self.gateway6 {
            check_host_address("IPv6 gateway", IpAddr::V6(g))?;
            if self.ipv6.is_none() {
                return Err(Error::invalid(
                    "IPv6 gateway",
                    g,
                    "a gateway needs an IPv6 address on the interface (ipv6 is None)",
                ));
            }
        }
        Ok(())
    }
}

fn check_host_address(what: &'static str, a: IpAddr) -> Result<()> {
    if a.is_unspecified() {
        return Err(Error::invalid(what, a, "the unspecified address"));
    }
    if a.is_multicast() {
        return Err(Error::invalid(what, a, "a multicast address"));
    }
    Ok(())
}

/// A host or domain name checked against RFC 1123: dot-separated labels of 1 to 63
/// ASCII letters, digits and hyphens, not starting or ending with a hyphen; 1 to 253
/// bytes in all. Such a name can go into `/etc/hosts` and `/etc/resolv.conf` as is (no
/// whitespace, `#` or newline can sneak in). [`super::set_hostname`] also needs it to be at
/// most 64 bytes.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Hostname(String);

impl Hostname {
    /// Checks `name`; [`Error::InvalidInput`] says what is wrong.
    pub fn new(name: impl Into<String>) -> Result<Hostname> {
        let name = name.into();
        check_hostname(&name)?;
        Ok(Hostname(name))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Hostname {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Hostname {
    type Err = Error;
    fn from_str(s: &str) -> Result<Hostname> {
        Hostname::new(s)
    }
}

impl AsRef<str> for Hostname {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

fn check_hostname(name: &str) -> Result<()> {
    let bad = |reason| Err(Error::invalid("host name", name, reason));
    if name.is_empty() {
        return bad("empty");
    }
    if name.len() > 253 {
        return bad("longer than 253 bytes");
    }
    for label in name.split('.') {
        if label.is_empty() {
            return bad("empty label (leading, trailing or double dot)");
        }
        if label.len() > 63 {
            return bad("a label is longer than 63 bytes");
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return bad("only ASCII letters, digits, '-' and '.' are allowed (RFC 1123)");
        }
        if label.starts_with('-') || label.ends_with('-') {
            return bad("a label starts or ends with '-'");
        }
    }
    Ok(())
}
