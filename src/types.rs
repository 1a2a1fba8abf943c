//! Layer `types` (the bottom, beside `abi` and `error`): the values every layer above
//! speaks in — [`MacAddr`] and [`HwAddr`], [`IfName`] (an interface name: bytes first,
//! checked once, the way the kernel checks it), and typed newtypes for the kernel's
//! small numbers: [`Family`], [`Scope`], [`Protocol`], [`RouteType`], and the flag
//! sets [`LinkFlags`], [`AddrFlags`], [`RouteFlags`].
//!
//! The newtypes wrap the kernel's number (`Scope(253)`), name the known values as
//! constants (`Scope::LINK`), display them as iproute2 prints them (`link`), and keep
//! any value a newer kernel sends: `Scope(42)` is a scope too, displayed `42`.

use crate::error::{Error, Result};
use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

// ---------------------------------------------------------------------------------
// Link-layer addresses
// ---------------------------------------------------------------------------------

/// A 48-bit Ethernet MAC address; parses from and displays as `02:00:00:00:00:01`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MacAddr(pub [u8; 6]);

impl MacAddr {
    /// True for a multicast (or broadcast) address: bit 0 of the first byte.
    pub fn is_multicast(&self) -> bool {
        self.0[0] & 1 != 0
    }

    /// True for `00:00:00:00:00:00`.
    pub fn is_zero(&self) -> bool {
        self.0 == [0; 6]
    }

    /// Checks the address for use as a link's own address: not all zeros, not
    /// multicast or broadcast.
    pub fn check_unicast(&self) -> Result<()> {
        if self.is_zero() {
            return Err(Error::invalid("MAC address", self, "all zeros"));
        }
        if self.is_multicast() {
            return Err(Error::invalid(
                "MAC address",
                self,
                "multicast/broadcast addresses cannot be assigned to a link",
            ));
        }
        Ok(())
    }
}

fn write_hex_colons(f: &mut fmt::Formatter<'_>, bytes: &[u8]) -> fmt::Result {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            f.write_str(":")?;
        }
        let pair = [HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]];
        // Two ASCII hex digits: always UTF-8.
        f.write_str(std::str::from_utf8(&pair).unwrap_or("??"))?;
    }
    Ok(())
}

impl fmt::Display for MacAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_hex_colons(f, &self.0)
    }
}

/// Parses `aa:bb:cc:...` (1 or 2 hex digits per byte) into `out`; the number of
/// bytes, or `None` when the text is not such a list or has more than `out.len()`.
fn parse_hex_colons(s: &str, out: &mut [u8]) -> Option<usize> {
    let mut n = 0;
    for p in s.split(':') {
        if p.is_empty() || p.len() > 2 || n == out.len() {
            return None;
        }
        out[n] = u8::from_str_radix(p, 16).ok()?;
        n += 1;
    }
    Some(n)
}

impl FromStr for MacAddr {
    type Err = Error;
    fn from_str(s: &str) -> Result<MacAddr> {
        let mut out = [0u8; 6];
        match parse_hex_colons(s, &mut out) {
            Some(6) => Ok(MacAddr(out)),
            _ => Err(Error::invalid(
                "MAC address",
                s,
                "expected six hex bytes like 02:00:00:00:00:01",
            )),
        }
    }
}

/// `MAX_ADDR_LEN`: the longest link-layer address the kernel keeps.
pub const MAX_ADDR_LEN: usize = 32;

/// A link-layer address of any length up to 32 bytes (`IFLA_ADDRESS`,
/// `IFLA_BROADCAST`, `NDA_LLADDR`): 6 bytes for Ethernet, 0 for a `tun`, 4 for an IPv4
/// tunnel, 20 for InfiniBand. Stored inline (no allocation); displays as
/// `aa:bb:...`, as `ip` prints it.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct HwAddr {
    len: u8,
    bytes: [u8; MAX_ADDR_LEN],
}

impl HwAddr {
    /// The address in `bytes`; `None` when longer than 32 bytes.
    pub fn new(bytes: &[u8]) -> Option<HwAddr> {
        if bytes.len() > MAX_ADDR_LEN {
            return None;
        }
        let mut a = HwAddr {
            len: bytes.len() as u8,
            bytes: [0; MAX_ADDR_LEN],
        };
        a.bytes[..bytes.len()].copy_from_slice(bytes);
        Some(a)
    }

    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    /// The address as a MAC, when it is 6 bytes long.
    pub fn mac(&self) -> Option<MacAddr> {
        <[u8; 6]>::try_from(self.as_bytes()).ok().map(MacAddr)
    }

    /// Its length in bytes.
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }
}

impl From<MacAddr> for HwAddr {
    fn from(m: MacAddr) -> HwAddr {
        let mut a = HwAddr {
            len: 6,
            bytes: [0; MAX_ADDR_LEN],
        };
        a.bytes[..6].copy_from_slice(&m.0);
        a
    }
}

impl PartialEq<MacAddr> for HwAddr {
    fn eq(&self, other: &MacAddr) -> bool {
        self.as_bytes() == other.0
    }
}

impl fmt::Display for HwAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_hex_colons(f, self.as_bytes())
    }
}

impl fmt::Debug for HwAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HwAddr({self})")
    }
}

impl FromStr for HwAddr {
    type Err = Error;
    fn from_str(s: &str) -> Result<HwAddr> {
        let mut out = [0u8; MAX_ADDR_LEN];
        match parse_hex_colons(s, &mut out) {
            Some(n) => Ok(HwAddr::new(&out[..n]).unwrap_or(HwAddr { len: 0, bytes: out })),
            None => Err(Error::invalid(
                "link-layer address",
                s,
                "expected up to 32 hex bytes separated by ':'",
            )),
        }
    }
}

// ---------------------------------------------------------------------------------
// Interface names
// ---------------------------------------------------------------------------------

/// `IFNAMSIZ - 1`: the longest interface name.
pub const IFNAME_MAX: usize = 15;

/// The longest alternative name (`ALTIFNAMSIZ - 1`): `ip link property add dev X
/// altname NAME` and lookups by one.
pub const ALTNAME_MAX: usize = 127;

/// An interface name: 1 to 15 bytes, stored inline (no allocation, `Copy`).
///
/// Names are bytes first: the kernel accepts any byte but NUL, `/`, `:` and
/// whitespace, so a name need not be UTF-8. [`as_bytes`](Self::as_bytes) gives them;
/// [`to_str`](Self::to_str) a string view when they are UTF-8; `Display` writes the
/// UTF-8 parts as they are and any other byte as `\xNN`.
///
/// [`IfName::new`] checks a name the way the kernel's `dev_valid_name` does (see
/// [`check_ifname`]); names read from the kernel are taken as the kernel gives them.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IfName {
    len: u8,
    bytes: [u8; IFNAME_MAX + 1],
}

impl IfName {
    /// Checks `name` as the kernel would ([`check_ifname`]) and keeps it.
    #[inline(always)]
    pub fn new(name: impl AsRef<[u8]>) -> Result<IfName> {
        let b = name.as_ref();
        let n = b.len();
        // The common case (plain ASCII) inline, decided a word at a time; the rest
        // goes to the byte-by-byte check.
        if (2..=IFNAME_MAX).contains(&n) {
            let bytes = pack16(b);
            if plain_ascii_name(bytes, n) {
                return Ok(IfName {
                    len: n as u8,
                    bytes,
                });
            }
        }
        IfName::new_checked(b)
    }

    #[inline(never)]
    fn new_checked(b: &[u8]) -> Result<IfName> {
        check_ifname_bytes(b)?;
        Ok(IfName {
            len: b.len() as u8,
            bytes: pack16(b),
        })
    }

    /// The name's bytes zero-padded to 16 (at least one zero after the name).
    #[inline]
    pub(crate) fn padded(&self) -> &[u8; 16] {
        &self.bytes
    }

    /// A name as the kernel reported it: any 1 to 15 bytes but NUL (not checked
    /// further: the kernel's own names are whatever it accepted). `None` when longer,
    /// empty, or holding a NUL (the kernel ends a name at its first NUL, and a name is
    /// sent without a further check: [`crate::wire::MsgBuilder::attr_ifname`]).
    #[inline]
    pub fn from_kernel(b: &[u8]) -> Option<IfName> {
        if b.is_empty() || b.len() > IFNAME_MAX || b.contains(&0) {
            return None;
        }
        Some(IfName {
            len: b.len() as u8,
            bytes: pack16(b),
        })
    }

    /// The name's bytes (without the kernel's NUL).
    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    /// The name as text, when it is UTF-8 (every name rtnl itself accepts through
    /// [`IfName::new`] from a `&str` is).
    pub fn to_str(&self) -> Option<&str> {
        std::str::from_utf8(self.as_bytes()).ok()
    }

    /// The name as text, with any byte that is not UTF-8 written `\xNN`.
    pub fn to_string_lossless(&self) -> String {
        self.to_string()
    }

    /// Its length in bytes (1 to 15).
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }
}

impl fmt::Display for IfName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_bytes_escaped(f, self.as_bytes())
    }
}

impl fmt::Debug for IfName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{self}\"")
    }
}

/// `b` (at most 16 bytes) in a zero-padded 16-byte array, built from two overlapping
/// word loads in registers: no byte loop and no `memcpy` call, and one 16-byte store
/// where it lands (a byte-wise copy read back as words stalls store forwarding).
#[inline(always)]
fn pack16(b: &[u8]) -> [u8; 16] {
    let n = b.len();
    let v: u128 = if n >= 8 {
        let lo = u64::from_le_bytes(b[..8].try_into().unwrap_or([0; 8]));
        let hi = u64::from_le_bytes(b[n - 8..n].try_into().unwrap_or([0; 8]));
        u128::from(lo) | (u128::from(hi) << (8 * (n - 8)))
    } else if n >= 4 {
        let lo = u32::from_le_bytes(b[..4].try_into().unwrap_or([0; 4]));
        let hi = u32::from_le_bytes(b[n - 4..n].try_into().unwrap_or([0; 4]));
        u128::from(lo) | (u128::from(hi) << (8 * (n - 4)))
    } else {
        b.iter()
            .enumerate()
            .fold(0, |v, (i, &x)| v | (u128::from(x) << (8 * i)))
    };
    v.to_le_bytes()
}

/// Writes the UTF-8 runs of `b` as they are and every other byte as `\xNN`.
pub(crate) fn write_bytes_escaped(f: &mut fmt::Formatter<'_>, mut b: &[u8]) -> fmt::Result {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    loop {
        match std::str::from_utf8(b) {
            Ok(s) => return f.write_str(s),
            Err(e) => {
                let (good, rest) = b.split_at(e.valid_up_to());
                f.write_str(std::str::from_utf8(good).unwrap_or(""))?;
                let bad = e.error_len().unwrap_or(rest.len()).max(1);
                for &x in &rest[..bad] {
                    let esc = [
                        b'\\',
                        b'x',
                        HEX[usize::from(x >> 4)],
                        HEX[usize::from(x & 15)],
                    ];
                    f.write_str(std::str::from_utf8(&esc).unwrap_or(""))?;
                }
                b = &rest[bad..];
            }
        }
    }
}

impl FromStr for IfName {
    type Err = Error;
    fn from_str(s: &str) -> Result<IfName> {
        IfName::new(s)
    }
}

impl TryFrom<&str> for IfName {
    type Error = Error;
    fn try_from(s: &str) -> Result<IfName> {
        IfName::new(s)
    }
}

impl PartialEq<str> for IfName {
    fn eq(&self, other: &str) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl PartialEq<&str> for IfName {
    fn eq(&self, other: &&str) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl PartialEq<IfName> for &str {
    fn eq(&self, other: &IfName) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

/// Checks an interface name the way the kernel's `dev_valid_name` does: 1 to 15
/// bytes, not `.` or `..`, no `/`, `:`, NUL or byte the kernel's `isspace()` takes
/// for a space — ASCII whitespace (`\t \n \v \f \r` and space) and `0xA0`, Latin-1's
/// no-break space, which also appears inside UTF-8 characters such as `à`. Like the
/// kernel it looks at bytes, so other Unicode spaces (U+2003, ...) pass.
pub fn check_ifname(name: &str) -> Result<()> {
    check_ifname_bytes(name.as_bytes())
}

/// The bytes `dev_valid_name` refuses in a name, as a 256-bit set: NUL, `/`, `:`,
/// the ASCII spaces (`\t \n \v \f \r` and space) and `0xA0`.
const BAD_NAME_BYTES: [u64; 4] = {
    let mut t = [0u64; 4];
    let bad: [u8; 10] = [0, b'/', b':', b' ', 9, 10, 11, 12, 13, 0xa0];
    let mut i = 0;
    while i < bad.len() {
        t[(bad[i] >> 6) as usize] |= 1 << (bad[i] & 63);
        i += 1;
    }
    t
};

#[inline]
fn check_ifname_bytes(name: &[u8]) -> Result<()> {
    let n = name.len();
    if (2..=IFNAME_MAX).contains(&n) && plain_ascii_name(pack16(name), n) {
        return Ok(()); // the common case, decided a word at a time
    }
    // Anything else (one byte, `.`/`..`, UTF-8, an invalid byte): byte by byte.
    let hit = name.iter().fold(0u64, |acc, &b| {
        acc | (BAD_NAME_BYTES[usize::from(b >> 6)] >> (b & 63))
    });
    if hit & 1 == 0 && n != 0 && n <= IFNAME_MAX && name != b"." && name != b".." {
        return Ok(());
    }
    refuse_ifname(name)
}

/// True when the `n` bytes packed in `p` (zero padded) are all printable ASCII other
/// than `/` and `:`, and are not `..`: a valid name, decided with word-at-a-time
/// tests instead of a loop (`false` only means "look closer").
#[inline(always)]
fn plain_ascii_name(p: [u8; 16], n: usize) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // The padding becomes 'a', a harmless byte.
    let pad = if n == 16 { 0 } else { u128::MAX << (8 * n) };
    let v = u128::from_le_bytes(p) | (pad & (u128::from(b'a') * u128::from_le_bytes([1; 16])));
    let mut bad = 0u64;
    for w in [v as u64, (v >> 64) as u64] {
        // Bytes below 0x21 (controls, space) or above 0x7e (DEL, non-ASCII): the
        // "has less than" test is exact for ASCII words, and the high-bit test
        // catches the rest.
        let low = w.wrapping_sub(ONES * 0x21) & !w;
        let high = w.wrapping_add(ONES) | w;
        let slash = w ^ (ONES * u64::from(b'/'));
        let colon = w ^ (ONES * u64::from(b':'));
        bad |= (low
            | high
            | (slash.wrapping_sub(ONES) & !slash)
            | (colon.wrapping_sub(ONES) & !colon))
            & HIGHS;
    }
    bad == 0 && !(n == 2 && p[0] == b'.' && p[1] == b'.')
}

/// Why `name` is not a valid interface name (it is not).
#[cold]
#[inline(never)]
fn refuse_ifname(name: &[u8]) -> Result<()> {
    let bad = |reason| Err(Error::invalid_bytes("interface name", name, reason));
    if name.is_empty() {
        return bad("empty");
    }
    if name.len() > IFNAME_MAX {
        return bad("longer than 15 bytes (IFNAMSIZ - 1)");
    }
    if name == b"." || name == b".." {
        return bad("'.' and '..' are not valid names");
    }
    for &b in name {
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

/// Checks an alternative name (`ip link property add dev X altname NAME`): the same
/// bytes as [`check_ifname`] allows, 1 to 127 of them.
pub fn check_altname(name: impl AsRef<[u8]>) -> Result<()> {
    let b = name.as_ref();
    if b.len() <= IFNAME_MAX {
        return check_ifname_bytes(b);
    }
    if b.len() > ALTNAME_MAX {
        return Err(Error::invalid_bytes(
            "alternative name",
            b,
            "longer than 127 bytes (ALTIFNAMSIZ - 1)",
        ));
    }
    // The same byte rules on a longer name: check it in 15-byte pieces.
    for chunk in b.chunks(IFNAME_MAX) {
        if chunk != b"." && chunk != b".." {
            check_ifname_bytes(chunk).map_err(|_| {
                Error::invalid_bytes(
                    "alternative name",
                    b,
                    "contains '/', ':', NUL or whitespace",
                )
            })?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------
// Small numbers with names
// ---------------------------------------------------------------------------------

/// A newtype over a kernel number with named constants and iproute2's names.
macro_rules! named_number {
    (
        $(#[$meta:meta])*
        $name:ident($ty:ty) {
            $( $(#[$cmeta:meta])* $konst:ident = $value:expr => $text:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
        pub struct $name(pub $ty);

        impl $name {
            $( $(#[$cmeta])* pub const $konst: $name = $name($value); )*

            /// iproute2's name for this value, if it has one.
            pub fn name(self) -> Option<&'static str> {
                $( if self.0 == $value { return Some($text); } )*
                None
            }

            /// The value iproute2 calls `name` (or a plain number).
            pub fn from_name(name: &str) -> Option<$name> {
                $( if name == $text { return Some($name($value)); } )*
                name.parse::<$ty>().ok().map($name)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self.name() {
                    Some(n) => f.write_str(n),
                    None => write!(f, "{}", self.0),
                }
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self)
            }
        }

        impl From<$ty> for $name {
            fn from(v: $ty) -> $name {
                $name(v)
            }
        }

        impl From<$name> for $ty {
            fn from(v: $name) -> $ty {
                v.0
            }
        }
    };
}

named_number! {
    /// An address family (`ifi_family`, `ifa_family`, `rtm_family`, ...).
    Family(u8) {
        /// `AF_UNSPEC`: any.
        UNSPEC = 0 => "unspec",
        /// `AF_INET`.
        INET = 2 => "inet",
        /// `AF_BRIDGE`.
        BRIDGE = 7 => "bridge",
        /// `AF_INET6`.
        INET6 = 10 => "inet6",
        /// `AF_PACKET`.
        PACKET = 17 => "link",
        /// `AF_MPLS`.
        MPLS = 28 => "mpls",
    }
}

impl Family {
    /// The family of `a`.
    pub fn of(a: IpAddr) -> Family {
        match a {
            IpAddr::V4(_) => Family::INET,
            IpAddr::V6(_) => Family::INET6,
        }
    }

    /// True for IPv4 and IPv6: the families whose addresses are [`IpAddr`]s.
    pub fn is_ip(self) -> bool {
        self == Family::INET || self == Family::INET6
    }

    /// The address length of an IP family (4 or 16); `None` for others.
    pub fn ip_len(self) -> Option<usize> {
        match self {
            Family::INET => Some(4),
            Family::INET6 => Some(16),
            _ => None,
        }
    }

    /// The longest prefix of an IP family (32 or 128); `None` for others.
    pub fn max_prefix(self) -> Option<u8> {
        match self {
            Family::INET => Some(32),
            Family::INET6 => Some(128),
            _ => None,
        }
    }
}

named_number! {
    /// A route or address scope (`rtm_scope`, `ifa_scope`).
    Scope(u8) {
        /// `RT_SCOPE_UNIVERSE`: `global`.
        UNIVERSE = 0 => "global",
        /// `RT_SCOPE_SITE`.
        SITE = 200 => "site",
        /// `RT_SCOPE_LINK`.
        LINK = 253 => "link",
        /// `RT_SCOPE_HOST`.
        HOST = 254 => "host",
        /// `RT_SCOPE_NOWHERE`.
        NOWHERE = 255 => "nowhere",
    }
}

named_number! {
    /// Who installed a route (`rtm_protocol`, `nh_protocol`), as
    /// `/usr/share/iproute2/rt_protos` names them.
    Protocol(u8) {
        /// `RTPROT_UNSPEC`.
        UNSPEC = 0 => "unspec",
        /// `RTPROT_REDIRECT`.
        REDIRECT = 1 => "redirect",
        /// `RTPROT_KERNEL`: installed by the kernel (prefix routes, local routes).
        KERNEL = 2 => "kernel",
        /// `RTPROT_BOOT`: `ip route add`'s default.
        BOOT = 3 => "boot",
        /// `RTPROT_STATIC`: by the administrator.
        STATIC = 4 => "static",
        /// `RTPROT_GATED`.
        GATED = 8 => "gated",
        /// `RTPROT_RA`: router advertisements.
        RA = 9 => "ra",
        /// `RTPROT_MRT`.
        MRT = 10 => "mrt",
        /// `RTPROT_ZEBRA`.
        ZEBRA = 11 => "zebra",
        /// `RTPROT_BIRD`.
        BIRD = 12 => "bird",
        /// `RTPROT_DNROUTED`.
        DNROUTED = 13 => "dnrouted",
        /// `RTPROT_XORP`.
        XORP = 14 => "xorp",
        /// `RTPROT_NTK`.
        NTK = 15 => "ntk",
        /// `RTPROT_DHCP`.
        DHCP = 16 => "dhcp",
        /// `RTPROT_KEEPALIVED`.
        KEEPALIVED = 18 => "keepalived",
        /// `RTPROT_BABEL`.
        BABEL = 42 => "babel",
        /// `RTPROT_OPENR`.
        OPENR = 99 => "openr",
        /// `RTPROT_BGP`.
        BGP = 186 => "bgp",
        /// `RTPROT_ISIS`.
        ISIS = 187 => "isis",
        /// `RTPROT_OSPF`.
        OSPF = 188 => "ospf",
        /// `RTPROT_RIP`.
        RIP = 189 => "rip",
        /// `RTPROT_EIGRP`.
        EIGRP = 192 => "eigrp",
    }
}

named_number! {
    /// A route's type (`rtm_type`, `RTN_*`).
    RouteType(u8) {
        /// `RTN_UNSPEC`.
        UNSPEC = 0 => "none",
        /// `RTN_UNICAST`: a gateway or direct route.
        UNICAST = 1 => "unicast",
        /// `RTN_LOCAL`: an address of this host.
        LOCAL = 2 => "local",
        /// `RTN_BROADCAST`.
        BROADCAST = 3 => "broadcast",
        /// `RTN_ANYCAST`.
        ANYCAST = 4 => "anycast",
        /// `RTN_MULTICAST`.
        MULTICAST = 5 => "multicast",
        /// `RTN_BLACKHOLE`: drop silently.
        BLACKHOLE = 6 => "blackhole",
        /// `RTN_UNREACHABLE`: drop with ICMP unreachable.
        UNREACHABLE = 7 => "unreachable",
        /// `RTN_PROHIBIT`: drop with ICMP prohibited.
        PROHIBIT = 8 => "prohibit",
        /// `RTN_THROW`: continue the lookup in the next rule.
        THROW = 9 => "throw",
        /// `RTN_NAT`.
        NAT = 10 => "nat",
        /// `RTN_XRESOLVE`.
        XRESOLVE = 11 => "xresolve",
    }
}

/// A set of flag bits with iproute2's names.
macro_rules! flag_set {
    (
        $(#[$meta:meta])*
        $name:ident($ty:ty) {
            $( $(#[$cmeta:meta])* $konst:ident = $value:expr => $text:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub struct $name(pub $ty);

        impl $name {
            $( $(#[$cmeta])* pub const $konst: $name = $name($value); )*

            /// No flag set.
            pub const EMPTY: $name = $name(0);

            /// True when every bit of `other` is set here.
            #[inline]
            pub const fn contains(self, other: $name) -> bool {
                self.0 & other.0 == other.0
            }

            /// True when any bit of `other` is set here.
            #[inline]
            pub const fn intersects(self, other: $name) -> bool {
                self.0 & other.0 != 0
            }

            /// The named flags that are set, in bit order.
            pub fn names(self) -> impl Iterator<Item = &'static str> {
                [$(($value, $text)),*]
                    .into_iter()
                    .filter(move |(v, _)| self.0 & v != 0)
                    .map(|(_, t)| t)
            }
        }

        impl std::ops::BitOr for $name {
            type Output = $name;
            fn bitor(self, o: $name) -> $name {
                $name(self.0 | o.0)
            }
        }

        impl std::ops::BitOrAssign for $name {
            fn bitor_assign(&mut self, o: $name) {
                self.0 |= o.0;
            }
        }

        impl std::ops::BitAnd for $name {
            type Output = $name;
            fn bitand(self, o: $name) -> $name {
                $name(self.0 & o.0)
            }
        }

        impl std::ops::Not for $name {
            type Output = $name;
            fn not(self) -> $name {
                $name(!self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:#x}", stringify!($name), self.0)?;
                for n in self.names() {
                    write!(f, " {n}")?;
                }
                f.write_str(")")
            }
        }

        impl From<$ty> for $name {
            fn from(v: $ty) -> $name {
                $name(v)
            }
        }
    };
}

flag_set! {
    /// A link's `IFF_*` flags (`ifi_flags`), as `ip link` names them.
    LinkFlags(u32) {
        /// `IFF_UP`: administratively up.
        UP = 0x1 => "UP",
        /// `IFF_BROADCAST`.
        BROADCAST = 0x2 => "BROADCAST",
        /// `IFF_DEBUG`.
        DEBUG = 0x4 => "DEBUG",
        /// `IFF_LOOPBACK`.
        LOOPBACK = 0x8 => "LOOPBACK",
        /// `IFF_POINTOPOINT`.
        POINTOPOINT = 0x10 => "POINTOPOINT",
        /// `IFF_NOTRAILERS`.
        NOTRAILERS = 0x20 => "NOTRAILERS",
        /// `IFF_RUNNING`.
        RUNNING = 0x40 => "RUNNING",
        /// `IFF_NOARP`: `ip link set ... arp off`.
        NOARP = 0x80 => "NOARP",
        /// `IFF_PROMISC`: `ip link set ... promisc on`.
        PROMISC = 0x100 => "PROMISC",
        /// `IFF_ALLMULTI`: `ip link set ... allmulticast on`.
        ALLMULTI = 0x200 => "ALLMULTI",
        /// `IFF_MASTER`.
        MASTER = 0x400 => "MASTER",
        /// `IFF_SLAVE`.
        SLAVE = 0x800 => "SLAVE",
        /// `IFF_MULTICAST`.
        MULTICAST = 0x1000 => "MULTICAST",
        /// `IFF_PORTSEL`.
        PORTSEL = 0x2000 => "PORTSEL",
        /// `IFF_AUTOMEDIA`.
        AUTOMEDIA = 0x4000 => "AUTOMEDIA",
        /// `IFF_DYNAMIC`.
        DYNAMIC = 0x8000 => "DYNAMIC",
        /// `IFF_LOWER_UP`: the carrier is on.
        LOWER_UP = 0x10000 => "LOWER_UP",
        /// `IFF_DORMANT`.
        DORMANT = 0x20000 => "DORMANT",
        /// `IFF_ECHO`.
        ECHO = 0x40000 => "ECHO",
    }
}

flag_set! {
    /// An address's `IFA_F_*` flags (`ifa_flags` and `IFA_FLAGS`).
    AddrFlags(u32) {
        /// `IFA_F_SECONDARY` (IPv6: `IFA_F_TEMPORARY`).
        SECONDARY = 0x01 => "secondary",
        /// `IFA_F_NODAD`: IPv6, skip duplicate address detection (`ip addr add ... nodad`).
        NODAD = 0x02 => "nodad",
        /// `IFA_F_OPTIMISTIC`: IPv6 optimistic DAD.
        OPTIMISTIC = 0x04 => "optimistic",
        /// `IFA_F_DADFAILED`: IPv6 DAD found a duplicate.
        DADFAILED = 0x08 => "dadfailed",
        /// `IFA_F_HOMEADDRESS`.
        HOMEADDRESS = 0x10 => "home",
        /// `IFA_F_DEPRECATED`.
        DEPRECATED = 0x20 => "deprecated",
        /// `IFA_F_TENTATIVE`: IPv6 DAD still running.
        TENTATIVE = 0x40 => "tentative",
        /// `IFA_F_PERMANENT`: added by hand, not autoconfigured.
        PERMANENT = 0x80 => "permanent",
        /// `IFA_F_MANAGETEMPADDR`.
        MANAGETEMPADDR = 0x100 => "mngtmpaddr",
        /// `IFA_F_NOPREFIXROUTE`: no prefix route (`ip addr add ... noprefixroute`).
        NOPREFIXROUTE = 0x200 => "noprefixroute",
        /// `IFA_F_MCAUTOJOIN`.
        MCAUTOJOIN = 0x400 => "autojoin",
        /// `IFA_F_STABLE_PRIVACY`.
        STABLE_PRIVACY = 0x800 => "stable-privacy",
    }
}

flag_set! {
    /// A route's `rtm_flags` / a next hop's `rtnh_flags` (`RTNH_F_*`, `RTM_F_*`).
    RouteFlags(u32) {
        /// `RTNH_F_DEAD`.
        DEAD = 0x1 => "dead",
        /// `RTNH_F_PERVASIVE`.
        PERVASIVE = 0x2 => "pervasive",
        /// `RTNH_F_ONLINK`: the gateway is on the link even without a matching prefix
        /// (`ip route add ... onlink`).
        ONLINK = 0x4 => "onlink",
        /// `RTNH_F_OFFLOAD`.
        OFFLOAD = 0x8 => "offload",
        /// `RTNH_F_LINKDOWN`.
        LINKDOWN = 0x10 => "linkdown",
        /// `RTNH_F_UNRESOLVED`.
        UNRESOLVED = 0x20 => "unresolved",
        /// `RTNH_F_TRAP`.
        TRAP = 0x40 => "trap",
        /// `RTM_F_NOTIFY`.
        NOTIFY = 0x100 => "notify",
        /// `RTM_F_CLONED`: a cached route.
        CLONED = 0x200 => "cloned",
        /// `RTM_F_EQUALIZE`.
        EQUALIZE = 0x400 => "equalize",
        /// `RTM_F_PREFIX`: a prefix route of an address.
        PREFIX = 0x800 => "prefix",
        /// `RTM_F_LOOKUP_TABLE`.
        LOOKUP_TABLE = 0x1000 => "lookup_table",
        /// `RTM_F_FIB_MATCH`: `ip route get ... fibmatch`.
        FIB_MATCH = 0x2000 => "fibmatch",
        /// `RTM_F_OFFLOAD`.
        RTM_OFFLOAD = 0x4000 => "rt_offload",
        /// `RTM_F_TRAP`.
        RTM_TRAP = 0x8000 => "rt_trap",
    }
}

/// `IFLA_OPERSTATE` (RFC 2863), as `ip link` shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OperState {
    /// `UNKNOWN`
    Unknown,
    /// `NOTPRESENT`
    NotPresent,
    /// `DOWN`
    Down,
    /// `LOWERLAYERDOWN`
    LowerLayerDown,
    /// `TESTING`
    Testing,
    /// `DORMANT`
    Dormant,
    /// `UP`
    Up,
    /// A value this crate does not know.
    Other(u8),
}

impl From<u8> for OperState {
    fn from(v: u8) -> Self {
        match v {
            0 => OperState::Unknown,
            1 => OperState::NotPresent,
            2 => OperState::Down,
            3 => OperState::LowerLayerDown,
            4 => OperState::Testing,
            5 => OperState::Dormant,
            6 => OperState::Up,
            o => OperState::Other(o),
        }
    }
}

impl From<OperState> for u8 {
    fn from(s: OperState) -> u8 {
        match s {
            OperState::Unknown => 0,
            OperState::NotPresent => 1,
            OperState::Down => 2,
            OperState::LowerLayerDown => 3,
            OperState::Testing => 4,
            OperState::Dormant => 5,
            OperState::Up => 6,
            OperState::Other(o) => o,
        }
    }
}

impl fmt::Display for OperState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            OperState::Unknown => "UNKNOWN",
            OperState::NotPresent => "NOTPRESENT",
            OperState::Down => "DOWN",
            OperState::LowerLayerDown => "LOWERLAYERDOWN",
            OperState::Testing => "TESTING",
            OperState::Dormant => "DORMANT",
            OperState::Up => "UP",
            OperState::Other(v) => return write!(f, "OPERSTATE({v})"),
        };
        f.write_str(s)
    }
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
            assert_eq!(IfName::new(ok).unwrap(), ok);
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
            assert!(IfName::new(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_word_at_a_time_check_agrees_with_the_byte_loop() {
        // dev_valid_name, byte by byte, as the kernel writes it.
        let slow = |n: &[u8]| {
            !n.is_empty()
                && n.len() <= 15
                && n != b"."
                && n != b".."
                && n.iter()
                    .all(|&b| !matches!(b, 0 | b'/' | b':' | b'\t'..=b'\r' | b' ' | 0xa0))
        };
        for len in 1..=16usize {
            for pos in 0..len {
                for b in 0..=255u8 {
                    let mut name = vec![b'x'; len];
                    name[pos] = b;
                    assert_eq!(check_ifname_bytes(&name).is_ok(), slow(&name), "{name:?}");
                }
            }
        }
        for dots in [&b"."[..], b"..", b"...", b".a", b"a."] {
            assert_eq!(check_ifname_bytes(dots).is_ok(), slow(dots), "{dots:?}");
        }
    }

    #[test]
    fn names_are_bytes_first() {
        let n = IfName::from_kernel(b"ab\xffc").unwrap();
        assert_eq!(n.as_bytes(), b"ab\xffc");
        assert_eq!(n.to_str(), None);
        assert_eq!(n.to_string(), "ab\\xffc");
        assert!(IfName::from_kernel(b"").is_none());
        assert!(IfName::from_kernel(&[b'a'; 16]).is_none());
        assert_eq!(IfName::new(b"x\xff").unwrap().as_bytes(), b"x\xff");
    }

    #[test]
    fn altnames() {
        check_altname("a".repeat(127)).unwrap();
        check_altname("eth0").unwrap();
        assert!(check_altname("a".repeat(128)).is_err());
        assert!(check_altname(format!("{}/b", "a".repeat(20))).is_err());
        assert!(check_altname(format!("{} b", "a".repeat(20))).is_err());
    }

    #[test]
    fn macs_and_hardware_addresses() {
        let m: MacAddr = "02:00:00:00:00:0a".parse().unwrap();
        assert_eq!(m.to_string(), "02:00:00:00:00:0a");
        m.check_unicast().unwrap();
        assert!(MacAddr([0; 6]).check_unicast().is_err());
        assert!(MacAddr([1, 0, 0x5e, 0, 0, 1]).check_unicast().is_err());
        assert!(MacAddr([0xff; 6]).check_unicast().is_err());
        for bad in [
            "",
            "02:00",
            "02:00:00:00:00:00:00",
            "0g:00:00:00:00:00",
            "002:0:0:0:0:0",
        ] {
            assert!(bad.parse::<MacAddr>().is_err(), "{bad:?}");
        }
        let h = HwAddr::from(m);
        assert_eq!(h.mac(), Some(m));
        assert_eq!(h, m);
        let ib: HwAddr = "80:00:00:48:fe:80:00:00:00:00:00:00:f4:52:14:03:00:7b:e1:b1"
            .parse()
            .unwrap();
        assert_eq!(ib.len(), 20);
        assert_eq!(ib.mac(), None);
        assert!(HwAddr::new(&[0; 33]).is_none());
    }

    #[test]
    fn numbers_keep_unknown_values_and_print_as_iproute2() {
        assert_eq!(Scope::LINK.to_string(), "link");
        assert_eq!(Scope(42).to_string(), "42");
        assert_eq!(Protocol::from_name("static"), Some(Protocol::STATIC));
        assert_eq!(Protocol::from_name("77"), Some(Protocol(77)));
        assert_eq!(RouteType::BLACKHOLE.to_string(), "blackhole");
        assert_eq!(format!("{:?}", Family::INET6), "Family(inet6)");
        let f = LinkFlags::UP | LinkFlags::LOWER_UP;
        assert!(f.contains(LinkFlags::UP) && !f.contains(LinkFlags::PROMISC));
        assert_eq!(f.names().collect::<Vec<_>>(), ["UP", "LOWER_UP"]);
        assert_eq!(OperState::from(6), OperState::Up);
        assert_eq!(u8::from(OperState::Other(9)), 9);
    }
}
