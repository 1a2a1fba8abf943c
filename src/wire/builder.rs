//! Layer `wire`: the message builder. Writes one netlink message in place into a
//! caller-owned byte buffer (a stack array, a reused `Vec`, a slice of a batch buffer).
//!
//! Contract: nothing here allocates or panics. Every length that goes on the wire is
//! checked: a buffer that is too small gives [`WireError::BufferTooSmall`], an attribute
//! or message whose length does not fit its `u16`/`u32` field gives
//! [`WireError::TooLong`]. After an error the buffer's content past the message start
//! is unspecified, and the builder should be dropped. Padding is always written as
//! zeros, so a buffer pre-filled with garbage yields the same bytes as a zeroed one.
//!
//! Nesting follows libmnl: [`MsgBuilder::begin_nested`] writes the attribute header
//! and returns a [`Nest`] token; [`MsgBuilder::end_nested`] back-patches its length;
//! [`MsgBuilder::cancel_nested`] rolls the message back to where the nest began.

use crate::abi::{align4, Header, NlMsgHdr, RtAttr, NLA_F_NESTED};
use crate::wire::WireError;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Builds one netlink message into `buf`, starting at offset 0.
///
/// ```
/// use rtnl::abi::*;
/// use rtnl::wire::MsgBuilder;
/// let mut buf = [0u8; 64];
/// let mut b = MsgBuilder::new(&mut buf, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK)?;
/// b.header(&IfInfoMsg { ifi_index: 3, ifi_flags: IFF_UP, ifi_change: IFF_UP, ..Default::default() })?;
/// b.attr_u32(IFLA_MTU, 1400)?;
/// let len = b.finish()?;
/// assert_eq!(len, 16 + 16 + 8);
/// # Ok::<(), rtnl::wire::WireError>(())
/// ```
#[derive(Debug)]
pub struct MsgBuilder<'a> {
    buf: &'a mut [u8],
    len: usize,
}

/// A nested attribute under construction; give it back to
/// [`MsgBuilder::end_nested`] (or [`MsgBuilder::cancel_nested`]).
#[must_use = "a nested attribute must be closed with end_nested or cancel_nested"]
#[derive(Debug)]
pub struct Nest {
    start: usize,
}

impl<'a> MsgBuilder<'a> {
    /// Starts a message of type `ty` with `flags`; `nlmsg_seq` and `nlmsg_pid` are 0 (the
    /// transport fills in the sequence number when it sends).
    #[inline]
    pub fn new(buf: &'a mut [u8], ty: u16, flags: u16) -> Result<Self, WireError> {
        if buf.len() < NlMsgHdr::LEN {
            return Err(WireError::BufferTooSmall);
        }
        NlMsgHdr {
            nlmsg_len: NlMsgHdr::LEN as u32,
            nlmsg_type: ty,
            nlmsg_flags: flags,
            nlmsg_seq: 0,
            nlmsg_pid: 0,
        }
        .write_to(buf);
        Ok(MsgBuilder {
            buf,
            len: NlMsgHdr::LEN,
        })
    }

    /// Bytes written so far (always 4-aligned).
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Never true: a message always has its 16-byte header.
    #[inline]
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Reserves `n` bytes plus zeroed padding up to 4-alignment; returns the start.
    #[inline]
    fn reserve(&mut self, n: usize) -> Result<usize, WireError> {
        let start = self.len;
        let end = start.checked_add(align4(n)).ok_or(WireError::TooLong)?;
        if end > self.buf.len() {
            return Err(WireError::BufferTooSmall);
        }
        // Zero the padding only; the payload is written by the caller. With padding,
        // zeroing the whole last word is one store instead of a loop (the payload
        // then overwrites the part of it that is not padding).
        if n % 4 != 0 {
            self.buf[end - 4..end].copy_from_slice(&[0; 4]);
        }
        self.len = end;
        Ok(start)
    }

    /// Reserves the next `N` bytes (`N` a multiple of 4) for the caller to write
    /// whole: one bounds check, then stores at fixed offsets.
    #[inline(always)]
    fn put<const N: usize>(&mut self) -> Result<&mut [u8; N], WireError> {
        let at = self.len;
        match self
            .buf
            .get_mut(at..)
            .and_then(|b| b.first_chunk_mut::<N>())
        {
            Some(out) => {
                self.len = at + N;
                Ok(out)
            }
            None => Err(WireError::BufferTooSmall),
        }
    }

    /// An attribute of `P <= 4` payload bytes: 8 bytes, the padding zeroed.
    #[inline(always)]
    fn attr_word<const P: usize>(&mut self, ty: u16, v: [u8; P]) -> Result<(), WireError> {
        let out = self.put::<8>()?;
        out[0..2].copy_from_slice(&((RtAttr::LEN + P) as u16).to_ne_bytes());
        out[2..4].copy_from_slice(&ty.to_ne_bytes());
        let mut payload = [0u8; 4];
        payload[..P].copy_from_slice(&v);
        out[4..8].copy_from_slice(&payload);
        Ok(())
    }

    /// Appends a fixed family header (`IfInfoMsg`, `IfAddrMsg`, `RtMsg`, ...).
    #[inline]
    pub fn header<H: Header>(&mut self, h: &H) -> Result<(), WireError> {
        let at = self.reserve(H::LEN)?;
        h.write_to(&mut self.buf[at..at + H::LEN]);
        Ok(())
    }

    /// Appends raw bytes without an attribute header (4-aligned, zero-padded).
    #[inline]
    pub fn raw(&mut self, data: &[u8]) -> Result<(), WireError> {
        let at = self.reserve(data.len())?;
        self.buf[at..at + data.len()].copy_from_slice(data);
        Ok(())
    }

    /// Appends an attribute whose payload is the concatenation of `parts` (so that a
    /// string and its NUL need no temporary buffer).
    #[inline]
    fn attr_parts(&mut self, ty: u16, parts: &[&[u8]]) -> Result<(), WireError> {
        let payload: usize = parts.iter().map(|p| p.len()).sum();
        let rta_len = u16::try_from(RtAttr::LEN + payload).map_err(|_| WireError::TooLong)?;
        let at = self.reserve(rta_len as usize)?;
        RtAttr {
            rta_len,
            rta_type: ty,
        }
        .write_to(&mut self.buf[at..at + RtAttr::LEN]);
        let mut p = at + RtAttr::LEN;
        for part in parts {
            self.buf[p..p + part.len()].copy_from_slice(part);
            p += part.len();
        }
        Ok(())
    }

    /// Appends an attribute with `data` as payload.
    #[inline]
    pub fn attr_bytes(&mut self, ty: u16, data: &[u8]) -> Result<(), WireError> {
        self.attr_parts(ty, &[data])
    }

    /// Appends an attribute with no payload (a flag).
    #[inline]
    pub fn attr_flag(&mut self, ty: u16) -> Result<(), WireError> {
        let out = self.put::<4>()?;
        out[0..2].copy_from_slice(&(RtAttr::LEN as u16).to_ne_bytes());
        out[2..4].copy_from_slice(&ty.to_ne_bytes());
        Ok(())
    }

    /// Appends a `u8` attribute.
    #[inline]
    pub fn attr_u8(&mut self, ty: u16, v: u8) -> Result<(), WireError> {
        self.attr_word(ty, [v])
    }

    /// Appends a native-endian `u16` attribute.
    #[inline]
    pub fn attr_u16(&mut self, ty: u16, v: u16) -> Result<(), WireError> {
        self.attr_word(ty, v.to_ne_bytes())
    }

    /// Appends a native-endian `u32` attribute.
    #[inline]
    pub fn attr_u32(&mut self, ty: u16, v: u32) -> Result<(), WireError> {
        self.attr_word(ty, v.to_ne_bytes())
    }

    /// Appends a native-endian `i32` attribute (e.g. `IFLA_NET_NS_FD`).
    #[inline]
    pub fn attr_i32(&mut self, ty: u16, v: i32) -> Result<(), WireError> {
        self.attr_word(ty, v.to_ne_bytes())
    }

    /// Appends a native-endian `u64` attribute.
    #[inline]
    pub fn attr_u64(&mut self, ty: u16, v: u64) -> Result<(), WireError> {
        self.attr_parts(ty, &[&v.to_ne_bytes()])
    }

    /// Appends a NUL-terminated string attribute. A string containing NUL is refused
    /// ([`WireError::InteriorNul`]): the kernel would silently cut it.
    #[inline]
    pub fn attr_str(&mut self, ty: u16, s: &str) -> Result<(), WireError> {
        self.attr_text(ty, s, true)
    }

    /// Appends an interface name, NUL-terminated: checked when it was made, so copied
    /// as two overlapping word copies from its zero-padded bytes, no scan.
    #[inline(always)]
    pub fn attr_ifname(&mut self, ty: u16, name: &crate::types::IfName) -> Result<(), WireError> {
        let n = name.len() + 1; // with the NUL, at most 16
        let mut hdr = [0u8; 4];
        hdr[0..2].copy_from_slice(&((RtAttr::LEN + n) as u16).to_ne_bytes());
        hdr[2..4].copy_from_slice(&ty.to_ne_bytes());
        // The attribute is 8, 12, 16 or 20 bytes; the name's padded bytes hold the
        // NUL and the zero padding, so each size is two fixed copies.
        let src = name.padded();
        match n {
            0..=4 => {
                let out = self.put::<8>()?;
                out[0..4].copy_from_slice(&hdr);
                out[4..8].copy_from_slice(&src[..4]);
            }
            5..=8 => {
                let out = self.put::<12>()?;
                out[0..4].copy_from_slice(&hdr);
                out[4..12].copy_from_slice(&src[..8]);
            }
            9..=12 => {
                let out = self.put::<16>()?;
                out[0..4].copy_from_slice(&hdr);
                out[4..16].copy_from_slice(&src[..12]);
            }
            _ => {
                let out = self.put::<20>()?;
                out[0..4].copy_from_slice(&hdr);
                out[4..20].copy_from_slice(src);
            }
        }
        Ok(())
    }

    /// Appends `N` bytes known at compile time (`N` a multiple of 4): a fixed block
    /// such as a constant run of nested headers.
    #[inline(always)]
    pub(crate) fn raw_fixed<const N: usize>(&mut self, data: &[u8; N]) -> Result<(), WireError> {
        debug_assert_eq!(N % 4, 0);
        self.put::<N>()?.copy_from_slice(data);
        Ok(())
    }

    /// Appends a NUL-terminated name given as bytes (interface names need not be
    /// UTF-8). A name containing NUL is refused ([`WireError::InteriorNul`]).
    #[inline]
    pub fn attr_name(&mut self, ty: u16, name: &[u8]) -> Result<(), WireError> {
        self.attr_text_bytes(ty, name, true)
    }

    /// Appends `s` as an attribute, NUL-terminated when `nul` (else bare, as
    /// iproute2 sends `IFLA_INFO_KIND`). A string containing NUL is refused.
    #[inline]
    pub(crate) fn attr_text(&mut self, ty: u16, s: &str, nul: bool) -> Result<(), WireError> {
        self.attr_text_bytes(ty, s.as_bytes(), nul)
    }

    #[inline(never)]
    fn attr_text_bytes(&mut self, ty: u16, s: &[u8], nul: bool) -> Result<(), WireError> {
        let rta_len =
            u16::try_from(RtAttr::LEN + s.len() + nul as usize).map_err(|_| WireError::TooLong)?;
        let at = self.reserve(rta_len as usize)?;
        let out = &mut self.buf[at..at + rta_len as usize];
        out[0..2].copy_from_slice(&rta_len.to_ne_bytes());
        out[2..4].copy_from_slice(&ty.to_ne_bytes());
        let interior = copy_text(&mut out[4..4 + s.len()], s);
        if interior {
            self.len = at; // leave the message as it was
            return Err(WireError::InteriorNul);
        }
        if nul {
            out[4 + s.len()] = 0;
        }
        Ok(())
    }

    /// Appends an IPv4 address (4 bytes, network order).
    #[inline]
    pub fn attr_ipv4(&mut self, ty: u16, a: Ipv4Addr) -> Result<(), WireError> {
        self.attr_word(ty, a.octets())
    }

    /// Appends an IPv6 address (16 bytes, network order).
    #[inline]
    pub fn attr_ipv6(&mut self, ty: u16, a: Ipv6Addr) -> Result<(), WireError> {
        let out = self.put::<20>()?;
        out[0..2].copy_from_slice(&((RtAttr::LEN + 16) as u16).to_ne_bytes());
        out[2..4].copy_from_slice(&ty.to_ne_bytes());
        out[4..20].copy_from_slice(&a.octets());
        Ok(())
    }

    /// Appends an IPv4 or IPv6 address (4 or 16 bytes).
    #[inline]
    pub fn attr_ip(&mut self, ty: u16, a: IpAddr) -> Result<(), WireError> {
        match a {
            IpAddr::V4(a) => self.attr_ipv4(ty, a),
            IpAddr::V6(a) => self.attr_ipv6(ty, a),
        }
    }

    /// Writes a fixed header that carries its own 16-bit length in its first two
    /// bytes (`struct rtnexthop`), to be back-patched by [`end_sized`](Self::end_sized)
    /// once what it covers is written; returns where it starts.
    #[inline]
    pub fn begin_sized<H: Header>(&mut self, h: &H) -> Result<usize, WireError> {
        let at = self.len;
        self.header(h)?;
        Ok(at)
    }

    /// Back-patches the 16-bit length at `at` (from [`begin_sized`](Self::begin_sized))
    /// to cover everything written since.
    #[inline(always)]
    pub fn end_sized(&mut self, at: usize) -> Result<(), WireError> {
        let len = u16::try_from(self.len - at).map_err(|_| WireError::TooLong)?;
        self.buf[at..at + 2].copy_from_slice(&len.to_ne_bytes());
        Ok(())
    }

    /// Opens a nested attribute of type `ty`. The kernel's policies for the attributes
    /// this crate nests (`IFLA_LINKINFO`, `IFLA_INFO_DATA`, `VETH_INFO_PEER`) do not
    /// require `NLA_F_NESTED`, and iproute2 does not set it; use
    /// [`begin_nested_flagged`](Self::begin_nested_flagged) for families that do.
    #[inline]
    pub fn begin_nested(&mut self, ty: u16) -> Result<Nest, WireError> {
        let start = self.reserve(RtAttr::LEN)?;
        RtAttr {
            rta_len: RtAttr::LEN as u16,
            rta_type: ty,
        }
        .write_to(&mut self.buf[start..start + RtAttr::LEN]);
        Ok(Nest { start })
    }

    /// Like [`begin_nested`](Self::begin_nested) with `NLA_F_NESTED` set in the type.
    #[inline]
    pub fn begin_nested_flagged(&mut self, ty: u16) -> Result<Nest, WireError> {
        self.begin_nested(ty | NLA_F_NESTED)
    }

    /// Closes a nested attribute: back-patches its length to cover everything written
    /// since [`begin_nested`](Self::begin_nested).
    #[inline]
    pub fn end_nested(&mut self, nest: Nest) -> Result<(), WireError> {
        let len = u16::try_from(self.len - nest.start).map_err(|_| WireError::TooLong)?;
        self.buf[nest.start..nest.start + 2].copy_from_slice(&len.to_ne_bytes());
        Ok(())
    }

    /// Drops a nested attribute and everything written inside it.
    #[inline]
    pub fn cancel_nested(&mut self, nest: Nest) {
        self.len = nest.start;
    }

    /// Writes the final `nlmsg_len` and returns the message length in bytes.
    #[inline]
    pub fn finish(self) -> Result<usize, WireError> {
        let len = u32::try_from(self.len).map_err(|_| WireError::TooLong)?;
        self.buf[0..4].copy_from_slice(&len.to_ne_bytes());
        Ok(self.len)
    }
}

/// Copies `s` into `out` (of the same length) and says whether `s` contains a NUL.
///
/// Names and link kinds are short, so a string of 4 to 16 bytes goes as two
/// overlapping word copies (the way small `memcpy`s are done), checked for a zero byte
/// with the word-at-a-time test; this beats both a byte loop and a `memchr` plus
/// `memcpy` call pair (veth request: ~34 -> ~10 ns, BENCHMARKS.md). Byte order does not
/// matter: words are loaded and stored in native order, and the zero test looks for
/// any zero byte.
#[inline(always)]
fn copy_text(out: &mut [u8], s: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let n = s.len();
    debug_assert_eq!(out.len(), n);
    if (8..=16).contains(&n) {
        let a = u64::from_ne_bytes(s[..8].try_into().unwrap_or([1; 8]));
        let b = u64::from_ne_bytes(s[n - 8..].try_into().unwrap_or([1; 8]));
        out[..8].copy_from_slice(&a.to_ne_bytes());
        out[n - 8..].copy_from_slice(&b.to_ne_bytes());
        ((a.wrapping_sub(ONES) & !a) | (b.wrapping_sub(ONES) & !b)) & HIGHS != 0
    } else if (4..8).contains(&n) {
        let a = u32::from_ne_bytes(s[..4].try_into().unwrap_or([1; 4]));
        let b = u32::from_ne_bytes(s[n - 4..].try_into().unwrap_or([1; 4]));
        out[..4].copy_from_slice(&a.to_ne_bytes());
        out[n - 4..].copy_from_slice(&b.to_ne_bytes());
        let (ones, highs) = (ONES as u32, HIGHS as u32);
        ((a.wrapping_sub(ones) & !a) | (b.wrapping_sub(ones) & !b)) & highs != 0
    } else {
        out.copy_from_slice(s);
        s.contains(&0)
    }
}

/// Changes the header flags of the message at the start of `msg`: clears `clear`,
/// then sets `set`. The exchange uses it to add `NLM_F_REQUEST`, `NLM_F_ACK` and
/// `NLM_F_DUMP` as each exchange needs them, so that requests name only their verb.
#[inline]
pub fn patch_flags(msg: &mut [u8], clear: u16, set: u16) -> Result<(), WireError> {
    let f = msg.get_mut(6..8).ok_or(WireError::Truncated)?;
    let flags = (u16::from_ne_bytes([f[0], f[1]]) & !clear) | set;
    f.copy_from_slice(&flags.to_ne_bytes());
    Ok(())
}

/// Writes `seq` and `pid` into the header of the message at the start of `msg`.
/// Used by the transport; harmless for callers who want to number messages themselves.
#[inline]
pub fn set_seq_pid(msg: &mut [u8], seq: u32, pid: u32) -> Result<(), WireError> {
    if msg.len() < NlMsgHdr::LEN {
        return Err(WireError::Truncated);
    }
    msg[8..12].copy_from_slice(&seq.to_ne_bytes());
    msg[12..16].copy_from_slice(&pid.to_ne_bytes());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::*;

    #[test]
    fn builds_into_a_garbage_filled_buffer_with_zeroed_padding() {
        let mut buf = [0xa5u8; 64];
        let mut b = MsgBuilder::new(&mut buf, RTM_NEWLINK, NLM_F_REQUEST).unwrap();
        b.header(&IfInfoMsg::default()).unwrap();
        b.attr_str(IFLA_IFNAME, "ab").unwrap(); // 4 + 3 -> 7, padded to 8
        b.attr_u8(IFLA_OPERSTATE, 6).unwrap(); // 4 + 1 -> 8
        let n = b.finish().unwrap();
        assert_eq!(n, 16 + 16 + 8 + 8);
        #[rustfmt::skip]
        let mut want: Vec<u8> = Vec::new();
        want.extend_from_slice(&(48u32).to_ne_bytes());
        want.extend_from_slice(&RTM_NEWLINK.to_ne_bytes());
        want.extend_from_slice(&NLM_F_REQUEST.to_ne_bytes());
        want.extend_from_slice(&[0; 8]);
        want.extend_from_slice(&[0; 16]);
        want.extend_from_slice(&7u16.to_ne_bytes());
        want.extend_from_slice(&IFLA_IFNAME.to_ne_bytes());
        want.extend_from_slice(b"ab\0\0");
        want.extend_from_slice(&5u16.to_ne_bytes());
        want.extend_from_slice(&IFLA_OPERSTATE.to_ne_bytes());
        want.extend_from_slice(&[6, 0, 0, 0]);
        assert_eq!(&buf[..n], &want[..]);
        assert_eq!(buf[n], 0xa5, "nothing written past the message");
    }

    #[test]
    fn nesting_back_patches_and_cancels() {
        let mut buf = [0xa5u8; 128];
        let mut b = MsgBuilder::new(&mut buf, RTM_NEWLINK, 0).unwrap();
        let outer = b.begin_nested(IFLA_LINKINFO).unwrap();
        b.attr_str(IFLA_INFO_KIND, "veth").unwrap();
        let inner = b.begin_nested(IFLA_INFO_DATA).unwrap();
        let dropped = b.begin_nested(VETH_INFO_PEER).unwrap();
        b.attr_u32(1, 1).unwrap();
        b.cancel_nested(dropped);
        b.end_nested(inner).unwrap();
        b.end_nested(outer).unwrap();
        let n = b.finish().unwrap();
        assert_eq!(n, 16 + 4 + 12 + 4);
        assert_eq!(u16::from_ne_bytes([buf[16], buf[17]]), 20);
        assert_eq!(u16::from_ne_bytes([buf[32], buf[33]]), 4);
    }

    #[test]
    fn too_small_buffers_and_oversized_attributes_are_errors() {
        let mut tiny = [0u8; 15];
        assert_eq!(
            MsgBuilder::new(&mut tiny, RTM_GETLINK, 0).unwrap_err(),
            WireError::BufferTooSmall
        );
        let mut buf = [0u8; 24];
        let mut b = MsgBuilder::new(&mut buf, RTM_GETLINK, 0).unwrap();
        assert_eq!(b.attr_u64(1, 1).unwrap_err(), WireError::BufferTooSmall);
        b.attr_u32(1, 1).unwrap();
        assert_eq!(b.attr_u8(1, 1).unwrap_err(), WireError::BufferTooSmall);

        let mut big = vec![0u8; 70_000];
        let mut b = MsgBuilder::new(&mut big, RTM_GETLINK, 0).unwrap();
        let payload = vec![1u8; 65_532]; // 4 + 65532 = 65536 > u16::MAX
        assert_eq!(b.attr_bytes(1, &payload).unwrap_err(), WireError::TooLong);
        b.attr_bytes(1, &payload[..65_531]).unwrap();

        let mut big = vec![0u8; 140_000];
        let mut b = MsgBuilder::new(&mut big, RTM_GETLINK, 0).unwrap();
        let n = b.begin_nested(1).unwrap();
        b.attr_bytes(2, &payload[..40_000]).unwrap();
        b.attr_bytes(2, &payload[..40_000]).unwrap();
        assert_eq!(b.end_nested(n).unwrap_err(), WireError::TooLong);
    }

    #[test]
    fn copy_text_matches_a_byte_loop_for_every_length_and_nul_position() {
        for n in 0..=40usize {
            let s: Vec<u8> = (0..n).map(|i| b'a' + (i % 26) as u8).collect();
            let mut out = vec![0xa5u8; n];
            assert!(!copy_text(&mut out, &s), "len {n}: no NUL");
            assert_eq!(out, s, "len {n}");
            for z in 0..n {
                let mut t = s.clone();
                t[z] = 0;
                let mut out = vec![0xa5u8; n];
                assert!(copy_text(&mut out, &t), "len {n}: NUL at {z}");
                assert_eq!(out, t, "len {n}, NUL at {z}");
            }
            // High bytes (UTF-8) are not taken for zeros by the word test.
            let hi: Vec<u8> = (0..n).map(|i| 0x80 | i as u8).collect();
            let mut out = vec![0u8; n];
            assert!(!copy_text(&mut out, &hi), "len {n}: high bytes");
            assert_eq!(out, hi);
        }
    }

    #[test]
    fn strings_with_nul_are_refused() {
        let mut buf = [0u8; 64];
        let mut b = MsgBuilder::new(&mut buf, RTM_NEWLINK, 0).unwrap();
        assert_eq!(
            b.attr_str(IFLA_IFNAME, "a\0b").unwrap_err(),
            WireError::InteriorNul
        );
        // Refused without changing the message; a bare (kind) string too.
        assert_eq!(b.len(), NlMsgHdr::LEN);
        assert_eq!(
            b.attr_text(IFLA_INFO_KIND, "ve\0th", false).unwrap_err(),
            WireError::InteriorNul
        );
        assert_eq!(b.len(), NlMsgHdr::LEN);
        b.attr_text(IFLA_INFO_KIND, "veth", false).unwrap();
        b.attr_str(IFLA_IFNAME, "eth0").unwrap();
        let n = b.finish().unwrap();
        let mut want = Vec::new();
        want.extend_from_slice(&8u16.to_ne_bytes());
        want.extend_from_slice(&IFLA_INFO_KIND.to_ne_bytes());
        want.extend_from_slice(b"veth");
        want.extend_from_slice(&9u16.to_ne_bytes());
        want.extend_from_slice(&IFLA_IFNAME.to_ne_bytes());
        want.extend_from_slice(b"eth0\0\0\0\0");
        assert_eq!(&buf[16..n], &want[..]);
    }
}
