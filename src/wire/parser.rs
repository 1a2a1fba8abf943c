//! Layer `wire`: the zero-copy reader. Iterates over the messages of one received
//! datagram and over the attributes of a message (nested too), borrowing the buffer.
//!
//! Contract: parsing never panics and never reads out of bounds, whatever the input.
//! Every length is checked the way the kernel's `NLMSG_OK` and `RTA_OK` do: a header
//! that does not fit, a length smaller than its header, or a length past the end of
//! the enclosing buffer is an error ([`WireError`]) and ends the iteration. The final
//! message or attribute of a buffer may omit its trailing padding, as the kernel
//! allows; padding missing *between* items is caught because the next item then
//! starts in the wrong place and fails the same checks. Unknown attribute types are
//! yielded like any other (callers skip what they don't know): a newer kernel's
//! attributes never break an older program.

use crate::abi::{align4, Header, NlMsgHdr, RtAttr, NLA_F_NESTED, NLA_TYPE_MASK};
use crate::wire::WireError;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// One netlink message inside a datagram: its header and its payload (the bytes after
/// the 16-byte header, up to `nlmsg_len`, without trailing padding).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Message<'a> {
    /// The message header as received.
    pub header: NlMsgHdr,
    /// `nlmsg_len - 16` bytes following the header.
    pub payload: &'a [u8],
}

impl<'a> Message<'a> {
    /// Parses the family header `H` at the start of the payload and returns it with
    /// the attributes that follow it (after `NLMSG_ALIGN(sizeof(H))`).
    pub fn split<H: Header>(&self) -> Result<(H, Attrs<'a>), WireError> {
        let h = H::read_from(self.payload).ok_or(WireError::Truncated)?;
        let rest = self.payload.get(align4(H::LEN)..).unwrap_or(&[]);
        Ok((h, Attrs::new(rest)))
    }
}

/// Iterator over the messages of one datagram. Yields `Err` once on malformed input,
/// then stops.
#[derive(Clone, Debug)]
pub struct Messages<'a> {
    buf: &'a [u8],
    failed: bool,
}

impl<'a> Messages<'a> {
    /// Iterates over the messages in `buf` (one `recv` worth of bytes).
    #[inline]
    pub fn new(buf: &'a [u8]) -> Self {
        Messages { buf, failed: false }
    }
}

impl<'a> Iterator for Messages<'a> {
    type Item = Result<Message<'a>, WireError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.buf.is_empty() {
            return None;
        }
        let Some(header) = NlMsgHdr::read_from(self.buf) else {
            self.failed = true;
            return Some(Err(WireError::Truncated));
        };
        let len = header.nlmsg_len as usize;
        if len < NlMsgHdr::LEN || len > self.buf.len() {
            self.failed = true;
            return Some(Err(WireError::BadLength));
        }
        let payload = &self.buf[NlMsgHdr::LEN..len];
        // The last message may lack its padding; otherwise skip it.
        let next = align4(len).min(self.buf.len());
        self.buf = &self.buf[next..];
        Some(Ok(Message { header, payload }))
    }
}

/// One attribute: its type (flag bits split off), and its payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Attr<'a> {
    /// `rta_type` with `NLA_F_NESTED` and `NLA_F_NET_BYTEORDER` masked off.
    pub ty: u16,
    /// Whether `NLA_F_NESTED` was set (informational: many kernel nests omit it).
    pub nested_flag: bool,
    /// `rta_type` as it was, flag bits included (to emit the attribute back as it came).
    pub raw_type: u16,
    /// `rta_len - 4` bytes of payload, without padding.
    pub value: &'a [u8],
}

impl<'a> Attr<'a> {
    /// The payload as a `u8`; `Err` unless it is at least 1 byte.
    #[inline]
    pub fn u8(&self) -> Result<u8, WireError> {
        self.value
            .first()
            .copied()
            .ok_or(WireError::BadAttribute(self.ty))
    }
    /// The payload as a native-endian `u16`.
    #[inline]
    pub fn u16(&self) -> Result<u16, WireError> {
        self.fixed::<2>().map(u16::from_ne_bytes)
    }
    /// The payload as a native-endian `u32`.
    #[inline]
    pub fn u32(&self) -> Result<u32, WireError> {
        self.fixed::<4>().map(u32::from_ne_bytes)
    }
    /// The payload as a native-endian `i32`.
    #[inline]
    pub fn i32(&self) -> Result<i32, WireError> {
        self.fixed::<4>().map(i32::from_ne_bytes)
    }
    /// The payload as a native-endian `u64`.
    #[inline]
    pub fn u64(&self) -> Result<u64, WireError> {
        self.fixed::<8>().map(u64::from_ne_bytes)
    }
    /// The first `N` bytes of the payload; `Err` when shorter.
    #[inline]
    pub fn fixed<const N: usize>(&self) -> Result<[u8; N], WireError> {
        self.value
            .get(..N)
            .and_then(|s| <[u8; N]>::try_from(s).ok())
            .ok_or(WireError::BadAttribute(self.ty))
    }
    /// A string payload: up to the first NUL (the kernel NUL-terminates), as UTF-8.
    #[inline]
    pub fn str(&self) -> Result<&'a str, WireError> {
        let end = self
            .value
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(self.value.len());
        core::str::from_utf8(&self.value[..end]).map_err(|_| WireError::BadAttribute(self.ty))
    }
    /// A string payload as bytes: up to the first NUL (the kernel NUL-terminates), or
    /// the whole payload when there is none. Names are bytes first: the kernel accepts
    /// any byte in an interface name but NUL, `/`, `:` and whitespace.
    #[inline]
    pub fn bytes_z(&self) -> &'a [u8] {
        let end = self
            .value
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(self.value.len());
        &self.value[..end]
    }
    /// An address payload of `family` (4 bytes for `AF_INET`, 16 for `AF_INET6`);
    /// `Err` for any other length, and for any other family (an `AF_MPLS` label is
    /// not an IP address).
    #[inline]
    pub fn ip_of(&self, family: u8) -> Result<IpAddr, WireError> {
        match (family, self.value.len()) {
            (crate::abi::AF_INET, 4) | (crate::abi::AF_INET6, 16) => self.ip(),
            _ => Err(WireError::BadAttribute(self.ty)),
        }
    }
    /// An IPv4 (4 bytes) or IPv6 (16 bytes) address payload.
    #[inline]
    pub fn ip(&self) -> Result<IpAddr, WireError> {
        match self.value.len() {
            4 => Ok(IpAddr::V4(Ipv4Addr::from(self.fixed::<4>()?))),
            16 => Ok(IpAddr::V6(Ipv6Addr::from(self.fixed::<16>()?))),
            _ => Err(WireError::BadAttribute(self.ty)),
        }
    }
    /// The payload as a list of nested attributes.
    #[inline]
    pub fn nested(&self) -> Attrs<'a> {
        Attrs::new(self.value)
    }
}

/// Iterator over a run of attributes. Yields `Err` once on malformed input, then stops.
#[derive(Clone, Debug)]
pub struct Attrs<'a> {
    buf: &'a [u8],
    failed: bool,
}

impl<'a> Attrs<'a> {
    /// Iterates over the attributes in `buf`.
    #[inline]
    pub fn new(buf: &'a [u8]) -> Self {
        Attrs { buf, failed: false }
    }

    /// Finds the first attribute of type `ty` (masked), checking every attribute on
    /// the way. `Ok(None)` when absent.
    pub fn find(self, ty: u16) -> Result<Option<Attr<'a>>, WireError> {
        for a in self {
            let a = a?;
            if a.ty == ty {
                return Ok(Some(a));
            }
        }
        Ok(None)
    }
}

impl<'a> Iterator for Attrs<'a> {
    type Item = Result<Attr<'a>, WireError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.buf.is_empty() {
            return None;
        }
        let Some(h) = RtAttr::read_from(self.buf) else {
            self.failed = true;
            return Some(Err(WireError::Truncated));
        };
        let len = h.rta_len as usize;
        if len < RtAttr::LEN || len > self.buf.len() {
            self.failed = true;
            return Some(Err(WireError::BadLength));
        }
        let value = &self.buf[RtAttr::LEN..len];
        let next = align4(len).min(self.buf.len());
        self.buf = &self.buf[next..];
        Some(Ok(Attr {
            ty: h.rta_type & NLA_TYPE_MASK,
            nested_flag: h.rta_type & NLA_F_NESTED != 0,
            raw_type: h.rta_type,
            value,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::*;
    use crate::wire::MsgBuilder;

    fn sample() -> Vec<u8> {
        let mut buf = vec![0u8; 256];
        let mut b = MsgBuilder::new(&mut buf, RTM_NEWLINK, NLM_F_MULTI).unwrap();
        b.header(&IfInfoMsg {
            ifi_index: 5,
            ..Default::default()
        })
        .unwrap();
        b.attr_str(IFLA_IFNAME, "veth0").unwrap();
        let li = b.begin_nested(IFLA_LINKINFO).unwrap();
        b.attr_str(IFLA_INFO_KIND, "veth").unwrap();
        b.end_nested(li).unwrap();
        b.attr_u32(999, 7).unwrap(); // unknown: skipped by readers, not rejected
        let n = b.finish().unwrap();
        let mut two = buf[..n].to_vec();
        two.extend_from_slice(&buf[..n]);
        two
    }

    #[test]
    fn iterates_messages_and_nested_attributes() {
        let d = sample();
        let msgs: Vec<_> = Messages::new(&d).collect::<Result<_, _>>().unwrap();
        assert_eq!(msgs.len(), 2);
        let (ifi, attrs) = msgs[0].split::<IfInfoMsg>().unwrap();
        assert_eq!(ifi.ifi_index, 5);
        let attrs: Vec<_> = attrs.collect::<Result<_, _>>().unwrap();
        assert_eq!(attrs.len(), 3);
        assert_eq!(attrs[0].str().unwrap(), "veth0");
        let kind = attrs[1].nested().find(IFLA_INFO_KIND).unwrap().unwrap();
        assert_eq!(kind.str().unwrap(), "veth");
        assert_eq!(attrs[2].ty, 999);
        assert_eq!(attrs[2].u32().unwrap(), 7);
        assert!(attrs[2].u64().is_err());
    }

    #[test]
    fn malformed_lengths_are_errors() {
        let d = sample();
        // nlmsg_len smaller than the header.
        let mut bad = d.clone();
        bad[0..4].copy_from_slice(&8u32.to_ne_bytes());
        assert_eq!(Messages::new(&bad).next(), Some(Err(WireError::BadLength)));
        // nlmsg_len past the buffer.
        let mut bad = d.clone();
        bad[0..4].copy_from_slice(&4096u32.to_ne_bytes());
        assert_eq!(Messages::new(&bad).next(), Some(Err(WireError::BadLength)));
        // Truncated header.
        assert_eq!(
            Messages::new(&d[..10]).next(),
            Some(Err(WireError::Truncated))
        );
        // rta_len < 4.
        let mut a = vec![2u8, 0, 1, 0];
        a[0..2].copy_from_slice(&2u16.to_ne_bytes());
        assert_eq!(Attrs::new(&a).next(), Some(Err(WireError::BadLength)));
        // rta_len past the end.
        let mut a = vec![0u8; 8];
        a[0..2].copy_from_slice(&12u16.to_ne_bytes());
        assert_eq!(Attrs::new(&a).next(), Some(Err(WireError::BadLength)));
        // After an error the iterator stops.
        let mut it = Attrs::new(&a);
        assert!(it.next().unwrap().is_err());
        assert!(it.next().is_none());
    }

    #[test]
    fn every_truncation_and_bit_flip_is_ok_or_err() {
        let d = sample();
        let walk = |b: &[u8]| {
            for m in Messages::new(b) {
                let Ok(m) = m else { continue };
                if let Ok((_, attrs)) = m.split::<IfInfoMsg>() {
                    for a in attrs.flatten() {
                        let _ = a.str();
                        let _ = a.ip();
                        for n in a.nested().flatten() {
                            let _ = n.u32();
                        }
                    }
                }
            }
        };
        for n in 0..=d.len() {
            walk(&d[..n]);
        }
        for i in 0..d.len() {
            for bit in 0..8 {
                let mut b = d.clone();
                b[i] ^= 1 << bit;
                walk(&b);
            }
        }
    }
}
