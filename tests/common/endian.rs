//! Converts the little-endian captures in `tests/fixtures/` to the host's byte order,
//! so that golden and decoder tests can run on big-endian targets (s390x): netlink is
//! host-endian, so a capture made on x86-64 is only meaningful on s390x after every
//! multi-byte field the kernel or iproute2 wrote natively is swapped.
//!
//! The walker knows the structure of the messages in the fixtures: `nlmsghdr`, the
//! family headers, `nlmsgerr` (with the echoed request), and which attributes hold
//! native integers (recursing into `IFLA_LINKINFO`, `IFLA_INFO_DATA` and
//! `VETH_INFO_PEER`), nexthop messages included, and neighbour, FDB and rule messages,
//! route metrics and multipath next hops. Attributes it does not know are left as they are — exactly what
//! a reader that skips unknown attributes needs. On little-endian hosts it is the
//! identity.
#![allow(dead_code)]

use rtnl::abi::*;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Link,
    LinkInfo,
    Veth,
    Bridge,
    Addr,
    Route,
    Nexthop,
    NhResGroup,
    Neigh,
    Rule,
    Metrics,
    Nsid,
    ExtAck,
    Opaque,
}

fn swap16(b: &mut [u8], at: usize) {
    if at + 2 <= b.len() {
        b.swap(at, at + 1);
    }
}
fn swap32(b: &mut [u8], at: usize) {
    if at + 4 <= b.len() {
        b[at..at + 4].reverse();
    }
}
fn swap64(b: &mut [u8], at: usize) {
    if at + 8 <= b.len() {
        b[at..at + 8].reverse();
    }
}
fn le16(b: &[u8], at: usize) -> usize {
    u16::from_le_bytes([b[at], b[at + 1]]) as usize
}
fn le32(b: &[u8], at: usize) -> usize {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]) as usize
}

/// Swaps every field of a run of attributes in context `ctx` (LE -> BE).
fn attrs(b: &mut [u8], ctx: Ctx, kind: Option<&[u8]>) {
    let mut off = 0;
    let mut kind_seen: Option<Vec<u8>> = kind.map(<[u8]>::to_vec);
    while off + 4 <= b.len() {
        let len = le16(b, off);
        let ty = (le16(b, off + 2) as u16) & NLA_TYPE_MASK;
        if len < 4 || off + len > b.len() {
            return;
        }
        swap16(b, off);
        swap16(b, off + 2);
        let p = off + 4;
        let payload = &mut b[p..off + len];
        match (ctx, ty) {
            (Ctx::Link, IFLA_LINKINFO) => attrs(payload, Ctx::LinkInfo, None),
            (
                Ctx::Link,
                IFLA_MTU
                | IFLA_LINK
                | IFLA_MASTER
                | IFLA_TXQLEN
                | IFLA_WEIGHT
                | IFLA_NET_NS_PID
                | IFLA_NET_NS_FD
                | IFLA_EXT_MASK
                | IFLA_GROUP
                | IFLA_PROMISCUITY
                | IFLA_NUM_TX_QUEUES
                | IFLA_NUM_RX_QUEUES
                | IFLA_CARRIER_CHANGES
                | IFLA_GSO_MAX_SEGS
                | IFLA_GSO_MAX_SIZE
                | IFLA_CARRIER_UP_COUNT
                | IFLA_CARRIER_DOWN_COUNT
                | IFLA_MIN_MTU
                | IFLA_MAX_MTU
                | IFLA_NEW_IFINDEX
                | IFLA_LINK_NETNSID,
            ) if payload.len() == 4 => swap32(payload, 0),
            (Ctx::LinkInfo, IFLA_INFO_KIND) => {
                let end = payload
                    .iter()
                    .position(|&c| c == 0)
                    .unwrap_or(payload.len());
                kind_seen = Some(payload[..end].to_vec());
            }
            (Ctx::LinkInfo, IFLA_INFO_DATA) => match kind_seen.as_deref() {
                Some(b"veth") => attrs(payload, Ctx::Veth, None),
                Some(b"bridge") => attrs(payload, Ctx::Bridge, None),
                _ => {}
            },
            (Ctx::Veth, VETH_INFO_PEER) => {
                ifinfomsg(payload);
                if payload.len() > 16 {
                    attrs(&mut payload[16..], Ctx::Link, None);
                }
            }
            (Ctx::Bridge, _) => match payload.len() {
                // u64 timers are 4-aligned, u32/u16 values by their length.
                8 => swap64(payload, 0),
                4 => swap32(payload, 0),
                2 => swap16(payload, 0),
                _ => {}
            },
            (Ctx::Addr, IFA_FLAGS | IFA_RT_PRIORITY) if payload.len() == 4 => swap32(payload, 0),
            (Ctx::Addr, IFA_CACHEINFO) => {
                for i in (0..payload.len()).step_by(4) {
                    swap32(payload, i);
                }
            }
            (
                Ctx::Route,
                RTA_OIF | RTA_IIF | RTA_PRIORITY | RTA_TABLE | RTA_MARK | RTA_FLOW | RTA_UID
                | RTA_NH_ID,
            ) if payload.len() == 4 => swap32(payload, 0),
            (Ctx::Route, RTA_CACHEINFO) => {
                for i in (0..payload.len()).step_by(4) {
                    swap32(payload, i);
                }
            }
            (Ctx::Nexthop, NHA_ID | NHA_OIF | NHA_MASTER) if payload.len() == 4 => {
                swap32(payload, 0)
            }
            (Ctx::Nexthop, NHA_GROUP_TYPE) if payload.len() == 2 => swap16(payload, 0),
            (Ctx::Nexthop, NHA_RES_GROUP) => attrs(payload, Ctx::NhResGroup, None),
            (Ctx::NhResGroup, NHA_RES_GROUP_BUCKETS) if payload.len() == 2 => swap16(payload, 0),
            (Ctx::NhResGroup, NHA_RES_GROUP_IDLE_TIMER | NHA_RES_GROUP_UNBALANCED_TIMER)
                if payload.len() == 4 =>
            {
                swap32(payload, 0)
            }
            (Ctx::NhResGroup, NHA_RES_GROUP_UNBALANCED_TIME) if payload.len() == 8 => {
                swap64(payload, 0)
            }
            (Ctx::Route, RTA_EXPIRES) if payload.len() == 4 => swap32(payload, 0),
            (Ctx::Route, RTA_METRICS) => attrs(payload, Ctx::Metrics, None),
            (Ctx::Metrics, t) if t != RTAX_CC_ALGO && payload.len() == 4 => swap32(payload, 0),
            // struct rtnexthop: u16 len, u8 flags, u8 hops, i32 ifindex; then attributes.
            (Ctx::Route, RTA_MULTIPATH) => {
                let mut at = 0;
                while at + 8 <= payload.len() {
                    let len = le16(payload, at);
                    if len < 8 || at + len > payload.len() {
                        break;
                    }
                    swap16(payload, at);
                    swap32(payload, at + 4);
                    attrs(&mut payload[at + 8..at + len], Ctx::Route, None);
                    at += (len + 3) & !3;
                }
            }
            (Ctx::Neigh, NDA_VLAN | NDA_NDM_STATE_MASK) if payload.len() == 2 => swap16(payload, 0),
            (
                Ctx::Neigh,
                NDA_PROBES | NDA_VNI | NDA_IFINDEX | NDA_MASTER | NDA_LINK_NETNSID | NDA_SRC_VNI
                | NDA_NH_ID | NDA_FLAGS_EXT,
            ) if payload.len() == 4 => swap32(payload, 0),
            (Ctx::Neigh, NDA_CACHEINFO) => {
                for i in (0..payload.len()).step_by(4) {
                    swap32(payload, i);
                }
            }
            (
                Ctx::Rule,
                FRA_PRIORITY
                | FRA_FWMARK
                | FRA_FWMASK
                | FRA_FLOW
                | FRA_TABLE
                | FRA_SUPPRESS_PREFIXLEN
                | FRA_SUPPRESS_IFGROUP
                | FRA_GOTO,
            ) if payload.len() == 4 => swap32(payload, 0),
            (Ctx::Rule, FRA_UID_RANGE) if payload.len() == 8 => {
                swap32(payload, 0);
                swap32(payload, 4);
            }
            (Ctx::Rule, FRA_SPORT_RANGE | FRA_DPORT_RANGE) if payload.len() == 4 => {
                swap16(payload, 0);
                swap16(payload, 2);
            }
            // struct nexthop_grp: u32 id, u8 weight, u8, u16 — 8 bytes each.
            (Ctx::Nexthop, NHA_GROUP) => {
                for i in (0..payload.len() / 8).map(|k| k * 8) {
                    swap32(payload, i);
                    swap16(payload, i + 6);
                }
            }
            // NETNSA_NSID, NETNSA_PID, NETNSA_FD, ...: every one a 32-bit integer.
            (Ctx::Nsid, _) if payload.len() == 4 => swap32(payload, 0),
            (
                Ctx::ExtAck,
                NLMSGERR_ATTR_OFFS | NLMSGERR_ATTR_MISS_TYPE | NLMSGERR_ATTR_MISS_NEST,
            ) if payload.len() == 4 => swap32(payload, 0),
            _ => {}
        }
        off += (len + 3) & !3;
    }
}

fn ifinfomsg(b: &mut [u8]) {
    swap16(b, 2);
    swap32(b, 4);
    swap32(b, 8);
    swap32(b, 12);
}

/// Swaps one message (header, family header, attributes) in place.
fn message(m: &mut [u8]) {
    if m.len() < 16 {
        return;
    }
    let ty = le16(m, 4) as u16;
    let flags = le16(m, 6) as u16;
    swap32(m, 0);
    swap16(m, 4);
    swap16(m, 6);
    swap32(m, 8);
    swap32(m, 12);
    let body = &mut m[16..];
    match ty {
        RTM_NEWLINK | RTM_DELLINK | RTM_GETLINK | RTM_SETLINK => {
            ifinfomsg(body);
            if body.len() > 16 {
                attrs(&mut body[16..], Ctx::Link, None);
            }
        }
        RTM_NEWADDR | RTM_DELADDR | RTM_GETADDR => {
            swap32(body, 4);
            if body.len() > 8 {
                attrs(&mut body[8..], Ctx::Addr, None);
            }
        }
        RTM_NEWROUTE | RTM_DELROUTE | RTM_GETROUTE => {
            swap32(body, 8);
            if body.len() > 12 {
                attrs(&mut body[12..], Ctx::Route, None);
            }
        }
        RTM_NEWNEXTHOP | RTM_DELNEXTHOP | RTM_GETNEXTHOP => {
            swap32(body, 4);
            if body.len() > 8 {
                attrs(&mut body[8..], Ctx::Nexthop, None);
            }
        }
        RTM_NEWNEIGH | RTM_DELNEIGH | RTM_GETNEIGH => {
            swap16(body, 2);
            swap32(body, 4);
            swap16(body, 8);
            if body.len() > 12 {
                attrs(&mut body[12..], Ctx::Neigh, None);
            }
        }
        RTM_NEWRULE | RTM_DELRULE | RTM_GETRULE => {
            swap32(body, 8);
            if body.len() > 12 {
                attrs(&mut body[12..], Ctx::Rule, None);
            }
        }
        RTM_NEWNSID | RTM_DELNSID | RTM_GETNSID => {
            // struct rtgenmsg, padded to 4 bytes.
            if body.len() > 4 {
                attrs(&mut body[4..], Ctx::Nsid, None);
            }
        }
        NLMSG_DONE => {
            swap32(body, 0);
            if flags & NLM_F_ACK_TLVS != 0 && body.len() > 4 {
                attrs(&mut body[4..], Ctx::ExtAck, None);
            }
        }
        NLMSG_ERROR if body.len() >= 20 => {
            swap32(body, 0);
            let echoed_len = le32(body, 4);
            let capped = flags & NLM_F_CAPPED != 0;
            let echo_end = if capped {
                20
            } else {
                (4 + echoed_len).min(body.len())
            };
            if capped {
                message(&mut body[4..20]);
            } else {
                message(&mut body[4..echo_end]);
            }
            let tlv = (echo_end + 3) & !3;
            if flags & NLM_F_ACK_TLVS != 0 && tlv < body.len() {
                attrs(&mut body[tlv..], Ctx::ExtAck, None);
            }
        }
        _ => {
            let _ = Ctx::Opaque;
        }
    }
}

/// Swaps every message of a little-endian datagram to big-endian. Exposed for tests
/// of this module on little-endian hosts.
pub fn swap_le_capture(le: &[u8]) -> Vec<u8> {
    let mut b = le.to_vec();
    let mut off = 0;
    while off + 16 <= b.len() {
        let len = le32(&b, off);
        if len < 16 || off + len > b.len() {
            break;
        }
        message(&mut b[off..off + len]);
        off += (len + 3) & !3;
    }
    b
}

/// A capture from `tests/fixtures/` (little-endian, made on x86-64) in the host's byte
/// order.
pub fn capture_to_native(le: &[u8]) -> Vec<u8> {
    if cfg!(target_endian = "little") {
        le.to_vec()
    } else {
        swap_le_capture(le)
    }
}
