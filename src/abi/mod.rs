//! Layer `abi`: the kernel's netlink structs and constants, laid out by hand.
//!
//! Every struct is `#[repr(C)]`, padding-free (explicit pad fields where the C struct has
//! a hole) and checked at compile time for size and field offsets. None of them comes
//! from `libc`: the musl flavour of the `libc` crate lacks several. Every constant keeps
//! its C spelling and is typed to the field it goes in, so call sites need no casts.
//!
//! Byte order is always native: netlink is host-endian (big-endian on s390x). The
//! structs convert to and from bytes with `to_ne_bytes`/`from_ne_bytes` only — a byte
//! buffer is never cast to a struct pointer (buffers have alignment 1).
//!
//! The reference for every value is the kernel's UAPI: `linux/netlink.h`,
//! `linux/rtnetlink.h`, `linux/if_link.h`, `linux/if_addr.h`, `linux/veth.h`,
//! `linux/if_bridge.h`, `linux/if_tun.h`, `linux/pkt_sched.h`, `linux/pkt_cls.h`.

#![allow(missing_docs)] // field and constant names are the kernel's; see the UAPI headers.

use core::mem::{offset_of, size_of};

/// `NLMSG_ALIGNTO` / `RTA_ALIGNTO`.
pub const NLMSG_ALIGNTO: usize = 4;

/// `NLMSG_ALIGN(len)` and `RTA_ALIGN(len)`: round up to a multiple of 4.
#[inline]
pub const fn align4(len: usize) -> usize {
    (len + NLMSG_ALIGNTO - 1) & !(NLMSG_ALIGNTO - 1)
}

/// A fixed-size kernel header that converts to and from native-endian bytes.
pub trait Header: Sized + Copy {
    /// `sizeof(struct ...)`; always a multiple of 4 for the structs here.
    const LEN: usize;
    /// Writes the header into `out[..Self::LEN]`. `out` must be at least `LEN` long
    /// (callers check; this panics otherwise, like slice indexing).
    fn write_to(&self, out: &mut [u8]);
    /// Reads the header from `buf[..Self::LEN]`, or `None` when `buf` is shorter.
    fn read_from(buf: &[u8]) -> Option<Self>;
}

#[inline]
pub(crate) fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_ne_bytes([b[at], b[at + 1]])
}
#[inline]
pub(crate) fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_ne_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}
#[inline]
pub(crate) fn i32_at(b: &[u8], at: usize) -> i32 {
    i32::from_ne_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

mod addr;
mod link;
mod neigh;
mod netlink;
mod nexthop;
mod route;
mod rtnetlink;
mod rule;
mod tc;

pub use addr::*;
pub use link::*;
pub use neigh::*;
pub use netlink::*;
pub use nexthop::*;
pub use route::*;
pub use rtnetlink::*;
pub use rule::*;
pub use tc::*;

// variation is expected; the asserts prove it).
const _: () = {
    assert!(size_of::<NlMsgHdr>() == NlMsgHdr::LEN);
    assert!(offset_of!(NlMsgHdr, nlmsg_type) == 4);
    assert!(offset_of!(NlMsgHdr, nlmsg_flags) == 6);
    assert!(offset_of!(NlMsgHdr, nlmsg_seq) == 8);
    assert!(offset_of!(NlMsgHdr, nlmsg_pid) == 12);
    assert!(size_of::<IfInfoMsg>() == IfInfoMsg::LEN);
    assert!(offset_of!(IfInfoMsg, ifi_type) == 2);
    assert!(offset_of!(IfInfoMsg, ifi_index) == 4);
    assert!(offset_of!(IfInfoMsg, ifi_flags) == 8);
    assert!(offset_of!(IfInfoMsg, ifi_change) == 12);
    assert!(size_of::<IfAddrMsg>() == IfAddrMsg::LEN);
    assert!(offset_of!(IfAddrMsg, ifa_scope) == 3);
    assert!(offset_of!(IfAddrMsg, ifa_index) == 4);
    assert!(size_of::<RtMsg>() == RtMsg::LEN);
    assert!(offset_of!(RtMsg, rtm_type) == 7);
    assert!(offset_of!(RtMsg, rtm_flags) == 8);
    assert!(size_of::<NhMsg>() == NhMsg::LEN);
    assert!(offset_of!(NhMsg, nh_flags) == 4);
    assert!(size_of::<NlMsgErr>() == NlMsgErr::LEN);
    assert!(offset_of!(NlMsgErr, msg) == 4);
    assert!(size_of::<RtAttr>() == RtAttr::LEN);
    assert!(offset_of!(RtAttr, rta_type) == 2);
    assert!(size_of::<SockFilter>() == 8);
    assert!(offset_of!(SockFilter, jt) == 2);
    assert!(offset_of!(SockFilter, k) == 4);
};

// Neighbours, FDB entries and policy rules (linux/neighbour.h, linux/fib_rules.h).
const _: () = {
    assert!(size_of::<NdMsg>() == NdMsg::LEN);
    assert!(offset_of!(NdMsg, ndm_ifindex) == 4);
    assert!(offset_of!(NdMsg, ndm_state) == 8);
    assert!(offset_of!(NdMsg, ndm_flags) == 10);
    assert!(offset_of!(NdMsg, ndm_type) == 11);
    assert!(size_of::<NdaCacheInfo>() == NdaCacheInfo::LEN);
    assert!(offset_of!(NdaCacheInfo, ndm_refcnt) == 12);
    assert!(size_of::<FibRuleHdr>() == FibRuleHdr::LEN);
    assert!(offset_of!(FibRuleHdr, table) == 4);
    assert!(offset_of!(FibRuleHdr, action) == 7);
    assert!(offset_of!(FibRuleHdr, flags) == 8);
    assert!(size_of::<FibRuleUidRange>() == FibRuleUidRange::LEN);
    assert!(offset_of!(FibRuleUidRange, end) == 4);
    assert!(size_of::<FibRulePortRange>() == FibRulePortRange::LEN);
    assert!(offset_of!(FibRulePortRange, end) == 2);
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_type_names_line_up_with_their_numbers() {
        assert_eq!(msg_type_name(RTM_NEWLINK), "RTM_NEWLINK");
        assert_eq!(msg_type_name(RTM_SETLINK), "RTM_SETLINK");
        assert_eq!(msg_type_name(RTM_GETROUTE), "RTM_GETROUTE");
        assert_eq!(msg_type_name(RTM_NEWNEIGH), "RTM_NEWNEIGH");
        assert_eq!(msg_type_name(RTM_DELTFILTER), "RTM_DELTFILTER");
        assert_eq!(msg_type_name(RTM_NEWNEXTHOP), "RTM_NEWNEXTHOP");
        assert_eq!(msg_type_name(RTM_GETTUNNEL), "RTM_GETTUNNEL");
        assert_eq!(msg_type_name(NLMSG_ERROR), "NLMSG_ERROR");
        assert_eq!(msg_type_name(23), "RTM_UNKNOWN"); // a gap
        assert_eq!(msg_type_name(9999), "RTM_UNKNOWN");
    }

    #[test]
    fn align4_matches_the_kernel_macro() {
        for (n, a) in [(0, 0), (1, 4), (3, 4), (4, 4), (5, 8), (16, 16), (17, 20)] {
            assert_eq!(align4(n), a, "align4({n})");
        }
    }

    #[test]
    fn headers_round_trip_in_native_order() {
        let h = NlMsgHdr {
            nlmsg_len: 0x0102_0304,
            nlmsg_type: RTM_NEWLINK,
            nlmsg_flags: NLM_F_REQUEST | NLM_F_ACK,
            nlmsg_seq: 7,
            nlmsg_pid: 0xdead_beef,
        };
        let mut b = [0xa5u8; 16];
        h.write_to(&mut b);
        assert_eq!(&b[0..4], &0x0102_0304u32.to_ne_bytes());
        assert_eq!(NlMsgHdr::read_from(&b), Some(h));
        assert_eq!(NlMsgHdr::read_from(&b[..15]), None);

        let i = IfInfoMsg {
            ifi_family: AF_UNSPEC,
            __ifi_pad: 0,
            ifi_type: 1,
            ifi_index: -3,
            ifi_flags: IFF_UP,
            ifi_change: IFF_UP,
        };
        let mut b = [0xa5u8; 16];
        i.write_to(&mut b);
        assert_eq!(b[1], 0, "pad byte written");
        assert_eq!(IfInfoMsg::read_from(&b), Some(i));

        let e = NlMsgErr { error: -95, msg: h };
        let mut b = [0xa5u8; 20];
        e.write_to(&mut b);
        assert_eq!(NlMsgErr::read_from(&b), Some(e));
        assert_eq!(NlMsgErr::read_from(&b[..19]), None);

        let r = RtMsg {
            rtm_family: AF_INET,
            rtm_dst_len: 24,
            rtm_table: RT_TABLE_MAIN,
            rtm_protocol: RTPROT_BOOT,
            rtm_type: RTN_UNICAST,
            rtm_flags: RTM_F_NOTIFY,
            ..Default::default()
        };
        let mut b = [0xa5u8; 12];
        r.write_to(&mut b);
        assert_eq!(b[3], 0);
        assert_eq!(RtMsg::read_from(&b), Some(r));

        let a = IfAddrMsg {
            ifa_family: AF_INET6,
            ifa_prefixlen: 64,
            ifa_flags: IFA_F_NODAD as u8,
            ifa_scope: RT_SCOPE_UNIVERSE,
            ifa_index: 9,
        };
        let mut b = [0xa5u8; 8];
        a.write_to(&mut b);
        assert_eq!(IfAddrMsg::read_from(&b), Some(a));
    }
}
