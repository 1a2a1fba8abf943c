//! Layer `wire`: what the kernel announces — the `RTM_NEW*`/`RTM_DEL*` notifications
//! of the rtnetlink multicast groups, read as zero-copy views of their objects; the
//! multicast groups themselves ([`Group`]) and the dump that gives each group's
//! current state ([`GroupDump`]); and [`EventFilter`], from which a classic-BPF socket
//! filter is generated so that the kernel drops the notifications a listener does not
//! want before they wake it or take room in its buffer.
//!
//! A notification is the same message a dump returns for the object (the kernel
//! fills both with one function), so the views are the families' own: [`LinkMsg`],
//! [`AddrMsg`], [`RouteMsg`], [`NexthopMsg`], [`NeighbourMsg`], [`FdbMsg`] (an
//! `AF_BRIDGE` neighbour message is a bridge forwarding entry) and [`RuleMsg`]; the
//! owned forms are the families' owned types.
//!
//! Decoding never panics and never allocates ([`ObjectMsg::decode`]); converting to
//! the owned types ([`ObjectMsg::to_owned`]) allocates what they hold.
//!
//! The filter program ([`EventFilter::program`]) is a pure function of the filter
//! and of the socket's port id, checked here against [`EventFilter::matches`] by a
//! small interpreter: both must agree on every message.

use crate::abi::*;
use crate::error::{Error, Result};
use crate::types::Family;
use crate::wire::addr::{AddrFilter, AddrMsg, Address};
use crate::wire::fdb::{FdbEntry, FdbMsg};
use crate::wire::link::{Link, LinkFilter, LinkMsg};
use crate::wire::neigh::{NeighFilter, Neighbour, NeighbourMsg};
use crate::wire::nexthop::{Nexthop, NexthopFilter, NexthopMsg};
use crate::wire::route::{Route, RouteFilter, RouteMsg};
use crate::wire::rule::{Rule, RuleFilter, RuleMsg};
use crate::wire::{Attrs, Decode, Message, MsgBuilder, Request, WireError};
use std::fmt;

// ---------------------------------------------------------------------------------
// Groups
// ---------------------------------------------------------------------------------

/// An rtnetlink multicast group (`RTNLGRP_*`): what a listener joins to be told of
/// changes. The known ones are named; any other number works too (`Group(36)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Group(pub u32);

impl Group {
    /// `RTNLGRP_LINK`: links (`RTM_NEWLINK`, `RTM_DELLINK`).
    pub const LINK: Group = Group(RTNLGRP_LINK);
    /// `RTNLGRP_NEIGH`: neighbours (`RTM_NEWNEIGH`, `RTM_DELNEIGH`).
    pub const NEIGH: Group = Group(RTNLGRP_NEIGH);
    /// `RTNLGRP_IPV4_IFADDR`: IPv4 addresses.
    pub const IPV4_IFADDR: Group = Group(RTNLGRP_IPV4_IFADDR);
    /// `RTNLGRP_IPV6_IFADDR`: IPv6 addresses.
    pub const IPV6_IFADDR: Group = Group(RTNLGRP_IPV6_IFADDR);
    /// `RTNLGRP_IPV4_ROUTE`: IPv4 routes.
    pub const IPV4_ROUTE: Group = Group(RTNLGRP_IPV4_ROUTE);
    /// `RTNLGRP_IPV6_ROUTE`: IPv6 routes.
    pub const IPV6_ROUTE: Group = Group(RTNLGRP_IPV6_ROUTE);
    /// `RTNLGRP_IPV4_RULE`: IPv4 policy-routing rules.
    pub const IPV4_RULE: Group = Group(RTNLGRP_IPV4_RULE);
    /// `RTNLGRP_IPV6_RULE`: IPv6 policy-routing rules.
    pub const IPV6_RULE: Group = Group(RTNLGRP_IPV6_RULE);
    /// `RTNLGRP_NEXTHOP`: nexthop objects.
    pub const NEXTHOP: Group = Group(RTNLGRP_NEXTHOP);

    /// Every group of the six kinds of object this crate models, in the order their
    /// snapshots are taken (links first, so that the others can name their links;
    /// nexthops before the routes that use them).
    pub const OBJECTS: [Group; 9] = [
        Group::LINK,
        Group::IPV4_IFADDR,
        Group::IPV6_IFADDR,
        Group::NEXTHOP,
        Group::IPV4_ROUTE,
        Group::IPV6_ROUTE,
        Group::NEIGH,
        Group::IPV4_RULE,
        Group::IPV6_RULE,
    ];

    /// The group's `ip monitor` object (`link`, `address`, `route`, `neigh`,
    /// `nexthop`, `rule`), or its kernel name.
    pub const fn name(self) -> &'static str {
        match self.0 {
            RTNLGRP_LINK => "link",
            RTNLGRP_NEIGH => "neigh",
            RTNLGRP_IPV4_IFADDR | RTNLGRP_IPV6_IFADDR => "address",
            RTNLGRP_IPV4_ROUTE | RTNLGRP_IPV6_ROUTE => "route",
            RTNLGRP_IPV4_RULE | RTNLGRP_IPV6_RULE => "rule",
            RTNLGRP_NEXTHOP => "nexthop",
            RTNLGRP_TC => "tc",
            RTNLGRP_NSID => "nsid",
            RTNLGRP_IPV4_NETCONF | RTNLGRP_IPV6_NETCONF => "netconf",
            _ => "group",
        }
    }

    /// The message types its notifications carry (empty for groups this crate does
    /// not model).
    pub const fn message_types(self) -> &'static [u16] {
        match self.0 {
            RTNLGRP_LINK => &[RTM_NEWLINK, RTM_DELLINK],
            RTNLGRP_NEIGH => &[RTM_NEWNEIGH, RTM_DELNEIGH],
            RTNLGRP_IPV4_IFADDR | RTNLGRP_IPV6_IFADDR => &[RTM_NEWADDR, RTM_DELADDR],
            RTNLGRP_IPV4_ROUTE | RTNLGRP_IPV6_ROUTE => &[RTM_NEWROUTE, RTM_DELROUTE],
            RTNLGRP_IPV4_RULE | RTNLGRP_IPV6_RULE => &[RTM_NEWRULE, RTM_DELRULE],
            RTNLGRP_NEXTHOP => &[RTM_NEWNEXTHOP, RTM_DELNEXTHOP],
            _ => &[],
        }
    }

    /// The dump that gives the group's current state, if this crate knows one.
    pub const fn dump(self) -> Option<GroupDump> {
        match self.0 {
            RTNLGRP_LINK | RTNLGRP_NEIGH | RTNLGRP_IPV4_IFADDR | RTNLGRP_IPV6_IFADDR
            | RTNLGRP_IPV4_ROUTE | RTNLGRP_IPV6_ROUTE | RTNLGRP_IPV4_RULE | RTNLGRP_IPV6_RULE
            | RTNLGRP_NEXTHOP => Some(GroupDump(self)),
            _ => None,
        }
    }
}

impl fmt::Display for Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            RTNLGRP_IPV4_IFADDR | RTNLGRP_IPV4_ROUTE | RTNLGRP_IPV4_RULE => {
                write!(f, "{} (IPv4)", self.name())
            }
            RTNLGRP_IPV6_IFADDR | RTNLGRP_IPV6_ROUTE | RTNLGRP_IPV6_RULE => {
                write!(f, "{} (IPv6)", self.name())
            }
            _ if !matches!(self.name(), "group") => f.write_str(self.name()),
            n => write!(f, "group {n}"),
        }
    }
}

/// The dump of one group's objects, as iproute2 asks for it: `ip link show`, `ip -4
/// addr show`, `ip -6 route show table all`, `ip nexthop show`, `ip neigh show`, `ip
/// -4 rule show`, ... (a [`Request`]; the exchange adds `NLM_F_DUMP`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GroupDump(pub Group);

impl Request for GroupDump {
    fn emit(&self, buf: &mut [u8]) -> Result<usize, WireError> {
        match self.0 .0 {
            RTNLGRP_LINK => LinkFilter::default().emit(buf),
            RTNLGRP_IPV4_IFADDR => AddrFilter {
                family: Family::INET,
                index: None,
            }
            .emit(buf),
            RTNLGRP_IPV6_IFADDR => AddrFilter {
                family: Family::INET6,
                index: None,
            }
            .emit(buf),
            RTNLGRP_IPV4_ROUTE => RouteFilter::family(Family::INET).emit(buf),
            RTNLGRP_IPV6_ROUTE => RouteFilter::family(Family::INET6).emit(buf),
            RTNLGRP_NEXTHOP => NexthopFilter::default().emit(buf),
            // `ip neigh show`: an all-zero ndmsg.
            RTNLGRP_NEIGH => NeighFilter::default().emit(buf),
            // `ip -4|-6 rule show`: a fib_rule_hdr with only the family.
            RTNLGRP_IPV4_RULE => RuleFilter::family(Family::INET).emit(buf),
            RTNLGRP_IPV6_RULE => RuleFilter::family(Family::INET6).emit(buf),
            _ => Err(WireError::UnexpectedType(0)),
        }
    }
}

// ---------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------

/// What a notification says happened: `RTM_NEW*` (created, or changed: the kernel
/// sends the whole object again) or `RTM_DEL*`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Change {
    /// `RTM_NEW*`: the object exists, as the message describes it.
    New,
    /// `RTM_DEL*`: the object is gone (the message describes it as it was).
    Deleted,
}

/// One object as a notification (or a dump) carries it, borrowing the datagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ObjectMsg<'a> {
    /// `RTM_NEWLINK` / `RTM_DELLINK`.
    Link(LinkMsg<'a>),
    /// `RTM_NEWADDR` / `RTM_DELADDR`.
    Address(AddrMsg<'a>),
    /// `RTM_NEWROUTE` / `RTM_DELROUTE`.
    Route(RouteMsg<'a>),
    /// `RTM_NEWNEXTHOP` / `RTM_DELNEXTHOP`.
    Nexthop(NexthopMsg<'a>),
    /// `RTM_NEWNEIGH` / `RTM_DELNEIGH` of an IP family: an ARP/NDP entry.
    Neighbour(NeighbourMsg<'a>),
    /// `RTM_NEWNEIGH` / `RTM_DELNEIGH` of `AF_BRIDGE`: a bridge forwarding entry.
    Fdb(FdbMsg<'a>),
    /// `RTM_NEWRULE` / `RTM_DELRULE`.
    Rule(RuleMsg<'a>),
}

impl<'a> ObjectMsg<'a> {
    /// Reads `msg` when it is one of the seven modelled kinds of object: `Ok(None)` for
    /// any other message type (a netconf, a tc or an nsid message, ...), `Err` when a
    /// message of a modelled type is malformed (a truncated header, a broken
    /// attribute chain). No allocation.
    pub fn decode(msg: &Message<'a>) -> Result<Option<(Change, ObjectMsg<'a>)>, WireError> {
        let ty = msg.header.nlmsg_type;
        let change = match ty {
            RTM_NEWLINK | RTM_NEWADDR | RTM_NEWROUTE | RTM_NEWNEXTHOP | RTM_NEWNEIGH
            | RTM_NEWRULE => Change::New,
            RTM_DELLINK | RTM_DELADDR | RTM_DELROUTE | RTM_DELNEXTHOP | RTM_DELNEIGH
            | RTM_DELRULE => Change::Deleted,
            _ => return Ok(None),
        };
        let object = match ty {
            RTM_NEWLINK | RTM_DELLINK => ObjectMsg::Link(LinkMsg::decode(msg)?),
            RTM_NEWADDR | RTM_DELADDR => ObjectMsg::Address(AddrMsg::decode(msg)?),
            RTM_NEWROUTE | RTM_DELROUTE => ObjectMsg::Route(RouteMsg::decode(msg)?),
            RTM_NEWNEXTHOP | RTM_DELNEXTHOP => ObjectMsg::Nexthop(NexthopMsg::decode(msg)?),
            RTM_NEWNEIGH | RTM_DELNEIGH if msg.payload.first() == Some(&AF_BRIDGE) => {
                ObjectMsg::Fdb(FdbMsg::decode(msg)?)
            }
            RTM_NEWNEIGH | RTM_DELNEIGH => ObjectMsg::Neighbour(NeighbourMsg::decode(msg)?),
            _ => ObjectMsg::Rule(RuleMsg::decode(msg)?),
        };
        Ok(Some((change, object)))
    }

    /// The kind of object: `"link"`, `"address"`, `"route"`, `"nexthop"`,
    /// `"neighbour"`, `"fdb"`, `"rule"`.
    pub const fn kind(&self) -> &'static str {
        match self {
            ObjectMsg::Link(_) => "link",
            ObjectMsg::Address(_) => "address",
            ObjectMsg::Route(_) => "route",
            ObjectMsg::Nexthop(_) => "nexthop",
            ObjectMsg::Neighbour(_) => "neighbour",
            ObjectMsg::Fdb(_) => "fdb",
            ObjectMsg::Rule(_) => "rule",
        }
    }

    /// The link the object is about, when it names one: a link's own index, an
    /// address's, a neighbour's or a forwarding entry's link, a route's or a
    /// nexthop's output device.
    pub fn index(&self) -> Option<u32> {
        match self {
            ObjectMsg::Link(l) => Some(l.index()),
            ObjectMsg::Address(a) => Some(a.index()),
            ObjectMsg::Route(r) => r.oif,
            ObjectMsg::Nexthop(n) => n.oif,
            ObjectMsg::Neighbour(n) => Some(n.ifindex()),
            ObjectMsg::Fdb(f) => Some(f.ifindex()),
            ObjectMsg::Rule(_) => None,
        }
    }

    /// The owned object (what a dump of the family returns).
    /// [`WireError::BadAttribute`] for an address message without an address.
    pub fn to_owned(&self) -> Result<OwnedObject, WireError> {
        Ok(match self {
            ObjectMsg::Link(l) => OwnedObject::Link(Link::from(l)),
            ObjectMsg::Address(a) => OwnedObject::Address(Address::try_from(a)?),
            ObjectMsg::Route(r) => OwnedObject::Route(Route::from(r)),
            ObjectMsg::Nexthop(n) => OwnedObject::Nexthop(Nexthop::from(n)),
            ObjectMsg::Neighbour(n) => OwnedObject::Neighbour(Neighbour::from(n)),
            ObjectMsg::Fdb(f) => OwnedObject::Fdb(FdbEntry::from(f)),
            ObjectMsg::Rule(r) => OwnedObject::Rule(Rule::from(r)),
        })
    }
}

/// A whole message, owned: its header and payload.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RawMessage {
    /// The header as received.
    pub header: NlMsgHdr,
    /// The payload (`nlmsg_len - 16` bytes).
    pub payload: Vec<u8>,
}

impl RawMessage {
    /// A view of it, to decode it again.
    pub fn message(&self) -> Message<'_> {
        Message {
            header: self.header,
            payload: &self.payload,
        }
    }
}

impl From<&Message<'_>> for RawMessage {
    fn from(m: &Message<'_>) -> RawMessage {
        RawMessage {
            header: m.header,
            payload: m.payload.to_vec(),
        }
    }
}

/// One object of an event, owned: the family's own type, as its dump returns it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum OwnedObject {
    /// A link.
    Link(Link),
    /// An address.
    Address(Address),
    /// A route.
    Route(Route),
    /// A nexthop object.
    Nexthop(Nexthop),
    /// A neighbour (ARP/NDP entry).
    Neighbour(Neighbour),
    /// A bridge forwarding entry.
    Fdb(FdbEntry),
    /// A policy rule.
    Rule(Rule),
}

// ---------------------------------------------------------------------------------
// The kernel-side filter
// ---------------------------------------------------------------------------------

/// What a listener wants delivered, for a classic-BPF socket filter the kernel runs
/// on every notification before queueing it (`SO_ATTACH_FILTER`): a notification it
/// refuses neither wakes the listener nor takes room in its receive buffer. Replies
/// to the socket's own requests (its port id) always pass.
///
/// Each criterion narrows: only `types` (empty: any type), only messages about link
/// `index`, only `family`. What "about link `index`" means depends on the message:
/// a link's `ifi_index`, an address's `ifa_index`, a neighbour's `ndm_ifindex`, a
/// route's `RTA_OIF` and a nexthop's `NHA_OIF` — a route or nexthop without that
/// attribute (multipath, blackhole, a group) passes, as do rules and messages of
/// other types, which name no single link. The family applies to addresses, routes,
/// neighbours, rules and nexthops; links pass.
///
/// The filter is a coarse first cut: what passes is still checked in user space
/// ([`matches`](Self::matches) is the same test).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct EventFilter {
    /// Only these message types (`RTM_NEWLINK`, ...); empty: every type.
    pub types: Vec<u16>,
    /// Only messages about this link.
    pub index: Option<u32>,
    /// Only this address family.
    pub family: Option<Family>,
}

/// Where a message of a type names its link, for the filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum IndexAt {
    /// A 32-bit field at this offset of the message (header included).
    Field(u32),
    /// The first attribute of this type after the family header ending at this
    /// offset; absent: any link.
    Attr(u32, u16),
    /// Nowhere: every message of the type passes the index test.
    None,
}

/// How the filter reads a message type: where its link is, and whether the family
/// test applies.
fn layout(ty: u16) -> Option<(IndexAt, bool)> {
    const H: u32 = NlMsgHdr::LEN as u32;
    Some(match ty {
        RTM_NEWLINK | RTM_DELLINK => (IndexAt::Field(H + 4), false),
        RTM_NEWADDR | RTM_DELADDR => (IndexAt::Field(H + 4), true),
        RTM_NEWNEIGH | RTM_DELNEIGH => (IndexAt::Field(H + 4), true),
        RTM_NEWROUTE | RTM_DELROUTE => (IndexAt::Attr(H + RtMsg::LEN as u32, RTA_OIF), true),
        RTM_NEWNEXTHOP | RTM_DELNEXTHOP => (IndexAt::Attr(H + NhMsg::LEN as u32, NHA_OIF), true),
        RTM_NEWRULE | RTM_DELRULE => (IndexAt::None, true),
        _ => return None,
    })
}

/// The message types the filter knows the layout of.
const KNOWN: [u16; 12] = [
    RTM_NEWLINK,
    RTM_DELLINK,
    RTM_NEWADDR,
    RTM_DELADDR,
    RTM_NEWROUTE,
    RTM_DELROUTE,
    RTM_NEWNEIGH,
    RTM_DELNEIGH,
    RTM_NEWRULE,
    RTM_DELRULE,
    RTM_NEWNEXTHOP,
    RTM_DELNEXTHOP,
];

/// A jump target while the program is assembled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum To {
    Next,
    /// Over the next `n` instructions of the same block.
    Skip(usize),
    Accept,
    Reject,
    Block(usize),
}

/// One instruction before its jumps are resolved.
#[derive(Clone, Copy, Debug)]
struct Insn {
    code: u16,
    k: u32,
    jt: To,
    jf: To,
}

fn stmt(code: u16, k: u32) -> Insn {
    Insn {
        code,
        k,
        jt: To::Next,
        jf: To::Next,
    }
}

fn jeq(k: u32, jt: To, jf: To) -> Insn {
    Insn {
        code: BPF_JMP | BPF_JEQ | BPF_K,
        k,
        jt,
        jf,
    }
}

/// A host-endian field as `BPF_ABS` loads it (network order).
fn be32(v: u32) -> u32 {
    u32::from_be_bytes(v.to_ne_bytes())
}
fn be16(v: u16) -> u32 {
    u32::from(u16::from_be_bytes(v.to_ne_bytes()))
}

impl EventFilter {
    /// Every message of `types`, nothing else.
    pub fn types(types: &[u16]) -> EventFilter {
        EventFilter {
            types: types.to_vec(),
            ..Default::default()
        }
    }

    /// The same, only messages about link `index`.
    pub fn index(mut self, index: u32) -> EventFilter {
        self.index = Some(index);
        self
    }

    /// The same, only `family`.
    pub fn family(mut self, family: Family) -> EventFilter {
        self.family = Some(family);
        self
    }

    /// True when the filter lets everything through.
    pub fn is_empty(&self) -> bool {
        self.types.is_empty() && self.index.is_none() && self.family.is_none()
    }

    /// Whether `msg` passes: the test the kernel runs with
    /// [`program`](Self::program), made in user space (a reply to our own request
    /// is not a notification: the caller lets it through before asking).
    pub fn matches(&self, msg: &Message<'_>) -> bool {
        let ty = msg.header.nlmsg_type;
        if !self.types.is_empty() && !self.types.contains(&ty) {
            return false;
        }
        let Some((at, has_family)) = layout(ty) else {
            return true;
        };
        let p = msg.payload;
        if let (Some(f), true) = (self.family, has_family) {
            if p.first() != Some(&f.0) {
                return false;
            }
        }
        let Some(want) = self.index else {
            return true;
        };
        const H: usize = NlMsgHdr::LEN;
        match at {
            IndexAt::Field(off) => {
                let o = off as usize - H;
                p.get(o..o + 4)
                    .is_some_and(|b| u32::from_ne_bytes([b[0], b[1], b[2], b[3]]) == want)
            }
            IndexAt::Attr(off, ty) => {
                let start = off as usize - H;
                let Some(attrs) = p.get(start..) else {
                    return true;
                };
                // As the kernel's `nla_find`: the first attribute of the type, the
                // walk ending quietly at anything malformed.
                match Attrs::new(attrs).map_while(|a| a.ok()).find(|a| a.ty == ty) {
                    None => true,
                    Some(a) => a
                        .value
                        .get(..4)
                        .is_some_and(|b| u32::from_ne_bytes([b[0], b[1], b[2], b[3]]) == want),
                }
            }
            IndexAt::None => true,
        }
    }

    /// The classic-BPF program for a socket whose port id is `port_id`: replies
    /// addressed to it pass; other messages pass when [`matches`](Self::matches)
    /// would say so. Netlink is host-endian and `BPF_ABS` loads are big-endian, so
    /// the constants are written in the order the loads see them; attributes are
    /// found with the kernel's `SKF_AD_NLATTR` helper.
    pub fn program(&self, port_id: u32) -> Result<Vec<SockFilter>, WireError> {
        let mut code: Vec<Insn> = Vec::new();
        let mut blocks: Vec<Vec<Insn>> = Vec::new();
        // Replies to our own requests (dumps, lookups, ACKs) always pass.
        code.push(stmt(BPF_LD | BPF_W | BPF_ABS, 12));
        code.push(jeq(be32(port_id), To::Accept, To::Next));
        code.push(stmt(BPF_LD | BPF_H | BPF_ABS, 4));
        let listed: Vec<u16> = if self.types.is_empty() {
            KNOWN.to_vec()
        } else {
            let mut t = self.types.clone();
            t.sort_unstable();
            t.dedup();
            t
        };
        // One block per distinct test, shared by the types that need it.
        let mut keys: Vec<(IndexAt, bool)> = Vec::new();
        for &ty in &listed {
            let (at, fam) = layout(ty).unwrap_or((IndexAt::None, false));
            let fam = fam && self.family.is_some();
            let at = if self.index.is_some() {
                at
            } else {
                IndexAt::None
            };
            let target = if at == IndexAt::None && !fam {
                To::Accept
            } else {
                let i = match keys.iter().position(|k| *k == (at, fam)) {
                    Some(i) => i,
                    None => {
                        keys.push((at, fam));
                        blocks.push(self.block(at, fam));
                        keys.len() - 1
                    }
                };
                To::Block(i)
            };
            code.push(jeq(be16(ty), target, To::Next));
        }
        // A type not listed: refused when types were asked for, else (a type whose
        // layout the filter does not know) let through.
        code.push(stmt(
            BPF_RET | BPF_K,
            if self.types.is_empty() { u32::MAX } else { 0 },
        ));
        let mut starts = Vec::with_capacity(blocks.len());
        for b in blocks {
            starts.push(code.len());
            code.extend(b);
        }
        let accept = code.len();
        code.push(stmt(BPF_RET | BPF_K, u32::MAX));
        let reject = code.len();
        code.push(stmt(BPF_RET | BPF_K, 0));
        if code.len() > BPF_MAXINSNS {
            return Err(WireError::TooLong);
        }
        let resolve = |at: usize, to: To| -> Result<u8, WireError> {
            let target = match to {
                To::Next => at + 1,
                To::Skip(n) => at + 1 + n,
                To::Accept => accept,
                To::Reject => reject,
                To::Block(i) => starts[i],
            };
            u8::try_from(target - (at + 1)).map_err(|_| WireError::TooLong)
        };
        code.iter()
            .enumerate()
            .map(|(i, c)| {
                let jump = c.code & 0x07 == BPF_JMP && c.code != (BPF_JMP | BPF_JA);
                Ok(SockFilter {
                    code: c.code,
                    jt: if jump { resolve(i, c.jt)? } else { 0 },
                    jf: if jump { resolve(i, c.jf)? } else { 0 },
                    k: c.k,
                })
            })
            .collect()
    }

    /// The test of one kind of message: the family byte, then the link.
    fn block(&self, at: IndexAt, fam: bool) -> Vec<Insn> {
        let mut b = Vec::new();
        if let (true, Some(f)) = (fam, self.family) {
            b.push(stmt(BPF_LD | BPF_B | BPF_ABS, NlMsgHdr::LEN as u32));
            b.push(jeq(u32::from(f.0), To::Next, To::Reject));
        }
        let want = be32(self.index.unwrap_or(0));
        match at {
            IndexAt::Field(off) => {
                b.push(stmt(BPF_LD | BPF_W | BPF_ABS, off));
                b.push(jeq(want, To::Accept, To::Reject));
            }
            IndexAt::Attr(off, ty) => {
                // A = offset of the attribute (0: absent, then any link).
                b.push(stmt(BPF_LD | BPF_IMM, off));
                b.push(stmt(BPF_LDX | BPF_W | BPF_IMM, u32::from(ty)));
                b.push(stmt(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_NLATTR));
                b.push(jeq(0, To::Accept, To::Next));
                b.push(stmt(BPF_MISC | BPF_TAX, 0));
                // Only a value of 4 bytes or more is a link index (as `matches`
                // reads it): `nla_len` 4 to 7 refuses. The length is native-endian;
                // BPF loads are big-endian, so it is read a byte at a time.
                let (lo, hi) = if cfg!(target_endian = "little") {
                    (0, 1)
                } else {
                    (1, 0)
                };
                b.push(stmt(BPF_LD | BPF_B | BPF_IND, hi));
                b.push(jeq(0, To::Next, To::Skip(5)));
                b.push(stmt(BPF_LD | BPF_B | BPF_IND, lo));
                for short in 4..8 {
                    b.push(jeq(short, To::Reject, To::Next));
                }
                b.push(stmt(BPF_LD | BPF_W | BPF_IND, RtAttr::LEN as u32));
                b.push(jeq(want, To::Accept, To::Reject));
            }
            IndexAt::None => b.push(stmt(BPF_RET | BPF_K, u32::MAX)),
        }
        b
    }
}

// ---------------------------------------------------------------------------------
// Namespace ids
// ---------------------------------------------------------------------------------

/// `RTM_NEWNSID`: gives the namespace behind a descriptor an id in the namespace of
/// the socket (`ip netns set NAME NSID`). A listener with
/// `NETLINK_LISTEN_ALL_NSID` hears the namespaces that have an id, and each of their
/// events carries it. `nsid` -1 lets the kernel choose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NsidSet {
    /// The namespace (an fd of `/proc/PID/ns/net`, `/run/netns/NAME`, ...).
    pub fd: i32,
    /// Its id; -1: the kernel picks the lowest free one.
    pub nsid: i32,
}

impl Request for NsidSet {
    fn check(&self) -> Result<()> {
        if self.fd < 0 {
            return Err(Error::invalid(
                "namespace descriptor",
                self.fd,
                "not a descriptor",
            ));
        }
        if self.nsid < -1 {
            return Err(Error::invalid(
                "namespace id",
                self.nsid,
                "below -1 (-1 lets the kernel choose)",
            ));
        }
        Ok(())
    }

    /// As `ip netns set` sends it: an `rtgenmsg` (padded to 4 bytes), `NETNSA_FD`,
    /// `NETNSA_NSID`.
    fn emit(&self, buf: &mut [u8]) -> Result<usize, WireError> {
        let mut b = MsgBuilder::new(buf, RTM_NEWNSID, 0)?;
        b.raw(&[AF_UNSPEC, 0, 0, 0])?;
        b.attr_u32(NETNSA_FD, self.fd as u32)?;
        b.attr_i32(NETNSA_NSID, self.nsid)?;
        b.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Messages;

    /// A classic-BPF interpreter for the instructions [`EventFilter::program`]
    /// emits, with the kernel's semantics (big-endian loads, `SKF_AD_NLATTR`, a load
    /// out of bounds ends the program with 0).
    pub(crate) fn run(prog: &[SockFilter], pkt: &[u8]) -> u32 {
        let (mut a, mut x, mut pc) = (0u32, 0u32, 0usize);
        let load = |at: usize, n: usize| -> Option<u32> {
            let b = pkt.get(at..at + n)?;
            Some(b.iter().fold(0u32, |v, &c| v << 8 | u32::from(c)))
        };
        loop {
            let i = prog[pc];
            pc += 1;
            let size = match i.code & 0x18 {
                BPF_W => 4,
                BPF_H => 2,
                _ => 1,
            };
            match i.code {
                c if c == BPF_LD | BPF_W | BPF_ABS && i.k == SKF_AD_OFF + SKF_AD_NLATTR => {
                    let start = a as usize;
                    a = 0;
                    if let Some(attrs) = pkt.get(start..) {
                        let mut off = start;
                        for at in Attrs::new(attrs).map_while(|r| r.ok()) {
                            if at.ty == x as u16 {
                                a = off as u32;
                                break;
                            }
                            off += align4(at.value.len() + 4);
                        }
                    }
                }
                c if c & 0x07 == BPF_LD && c & 0xe0 == BPF_ABS => match load(i.k as usize, size) {
                    Some(v) => a = v,
                    None => return 0,
                },
                c if c & 0x07 == BPF_LD && c & 0xe0 == BPF_IND => {
                    match load(x as usize + i.k as usize, size) {
                        Some(v) => a = v,
                        None => return 0,
                    }
                }
                c if c == BPF_LD | BPF_IMM => a = i.k,
                c if c == BPF_LDX | BPF_W | BPF_IMM => x = i.k,
                c if c == BPF_MISC | BPF_TAX => x = a,
                c if c == BPF_JMP | BPF_JEQ | BPF_K => {
                    pc += usize::from(if a == i.k { i.jt } else { i.jf })
                }
                c if c == BPF_RET | BPF_K => return i.k,
                c => panic!("instruction {c:#x} not emitted by the generator"),
            }
        }
    }

    fn msg(ty: u16, pid: u32, header: &[u8], attrs: &[(u16, &[u8])]) -> Vec<u8> {
        let mut buf = vec![0u8; 256];
        let mut b = MsgBuilder::new(&mut buf, ty, 0).unwrap();
        b.raw(header).unwrap();
        for (t, v) in attrs {
            b.attr_bytes(*t, v).unwrap();
        }
        let n = b.finish().unwrap();
        buf.truncate(n);
        buf[12..16].copy_from_slice(&pid.to_ne_bytes());
        buf
    }

    fn samples() -> Vec<Vec<u8>> {
        let mut ifi = [0u8; 16];
        ifi[4..8].copy_from_slice(&7u32.to_ne_bytes());
        let mut ifi9 = ifi;
        ifi9[4..8].copy_from_slice(&9u32.to_ne_bytes());
        let mut ifa = [0u8; 8];
        ifa[0] = AF_INET6;
        ifa[4..8].copy_from_slice(&7u32.to_ne_bytes());
        let mut ifa4 = ifa;
        ifa4[0] = AF_INET;
        let mut rtm = [0u8; 12];
        rtm[0] = AF_INET;
        let mut nd = [0u8; 12];
        nd[0] = AF_INET;
        nd[4..8].copy_from_slice(&9u32.to_ne_bytes());
        let frh = [AF_INET6, 0, 0, 0, 254, 0, 0, 1, 0, 0, 0, 0];
        let nh = [AF_INET, 0, 0, 0, 0, 0, 0, 0];
        let seven = 7u32.to_ne_bytes();
        let nine = 9u32.to_ne_bytes();
        vec![
            msg(RTM_NEWLINK, 0, &ifi, &[(IFLA_MTU, &nine)]),
            msg(RTM_DELLINK, 1234, &ifi9, &[]),
            msg(RTM_NEWADDR, 0, &ifa, &[]),
            msg(RTM_DELADDR, 0, &ifa4, &[]),
            msg(
                RTM_NEWROUTE,
                0,
                &rtm,
                &[(RTA_TABLE, &nine), (RTA_OIF, &seven)],
            ),
            msg(RTM_NEWROUTE, 0, &rtm, &[(RTA_OIF, &nine)]),
            msg(RTM_DELROUTE, 0, &rtm, &[(RTA_TABLE, &nine)]),
            msg(RTM_NEWNEIGH, 0, &nd, &[]),
            msg(RTM_NEWRULE, 0, &frh, &[]),
            msg(
                RTM_NEWNEXTHOP,
                0,
                &nh,
                &[(NHA_ID, &nine), (NHA_OIF, &seven)],
            ),
            msg(RTM_NEWNETCONF, 0, &[AF_INET, 0, 0, 0], &[]),
            // Our own reply (port id 4242): always passes.
            msg(RTM_NEWLINK, 4242, &ifi9, &[]),
        ]
    }

    #[test]
    fn the_program_agrees_with_the_user_space_test_on_every_message() {
        let filters = [
            EventFilter::default(),
            EventFilter::types(&[RTM_NEWLINK, RTM_DELLINK]),
            EventFilter::types(&[RTM_NEWLINK, RTM_DELLINK]).index(7),
            EventFilter::default().index(7),
            EventFilter::default().index(9),
            EventFilter::default().family(Family::INET6),
            EventFilter::types(&[RTM_NEWROUTE, RTM_DELROUTE, RTM_NEWADDR])
                .index(7)
                .family(Family::INET),
            EventFilter::types(&[RTM_NEWNEXTHOP]).index(9),
            EventFilter::types(&[RTM_NEWNETCONF]),
        ];
        for f in &filters {
            let prog = f.program(4242).unwrap();
            for s in samples() {
                let m = Messages::new(&s).next().unwrap().unwrap();
                let want = m.header.nlmsg_pid == 4242 || f.matches(&m);
                assert_eq!(
                    run(&prog, &s) != 0,
                    want,
                    "{f:?} on {} ({s:02x?})",
                    msg_type_name(m.header.nlmsg_type)
                );
            }
        }
        // A few decisions spelt out.
        let f = EventFilter::types(&[RTM_NEWLINK, RTM_DELLINK]).index(7);
        let s = samples();
        let prog = f.program(4242).unwrap();
        assert_ne!(run(&prog, &s[0]), 0, "link 7 passes");
        assert_eq!(run(&prog, &s[1]), 0, "link 9 does not");
        assert_eq!(run(&prog, &s[2]), 0, "an address does not");
        assert_ne!(run(&prog, &s[11]), 0, "our own reply passes");
        let f = EventFilter::default().index(7);
        let prog = f.program(1).unwrap();
        assert_ne!(run(&prog, &s[4]), 0, "a route out of 7");
        assert_eq!(run(&prog, &s[5]), 0, "a route out of 9");
        assert_ne!(run(&prog, &s[6]), 0, "a route without RTA_OIF");
        assert_ne!(run(&prog, &s[10]), 0, "an unknown type passes");
    }

    #[test]
    fn the_program_survives_every_truncation() {
        let f = EventFilter::types(&[RTM_NEWROUTE, RTM_NEWLINK]).index(7);
        let prog = f.program(1).unwrap();
        for s in samples() {
            for n in 0..=s.len() {
                let _ = run(&prog, &s[..n]);
            }
        }
    }

    #[test]
    fn neighbour_fdb_and_rule_messages_are_their_families_views() {
        let mut nd = [0u8; 12];
        nd[0] = AF_INET;
        nd[4..8].copy_from_slice(&3u32.to_ne_bytes());
        nd[8..10].copy_from_slice(&0x80u16.to_ne_bytes());
        let s = msg(
            RTM_NEWNEIGH,
            0,
            &nd,
            &[(NDA_DST, &[10, 0, 0, 7]), (NDA_LLADDR, &[2, 0, 0, 0, 0, 7])],
        );
        let m = Messages::new(&s).next().unwrap().unwrap();
        let (c, o) = ObjectMsg::decode(&m).unwrap().unwrap();
        assert_eq!(c, Change::New);
        let ObjectMsg::Neighbour(n) = o else {
            panic!("{o:?}")
        };
        assert_eq!(
            (n.ifindex(), n.state()),
            (3, crate::wire::neigh::NeighState::PERMANENT)
        );
        assert_eq!(n.dst, Some("10.0.0.7".parse().unwrap()));
        assert_eq!(n.lladdr, Some(&[2u8, 0, 0, 0, 0, 7][..]));
        assert_eq!(o.index(), Some(3));
        let OwnedObject::Neighbour(owned) = o.to_owned().unwrap() else {
            panic!()
        };
        assert_eq!(owned, Neighbour::decode(&m).unwrap());

        // The same message of AF_BRIDGE is a bridge forwarding entry.
        let mut br = nd;
        br[0] = AF_BRIDGE;
        let s = msg(RTM_DELNEIGH, 0, &br, &[(NDA_LLADDR, &[2, 0, 0, 0, 0, 7])]);
        let m = Messages::new(&s).next().unwrap().unwrap();
        let (c, o) = ObjectMsg::decode(&m).unwrap().unwrap();
        assert_eq!((c, o.kind(), o.index()), (Change::Deleted, "fdb", Some(3)));
        let OwnedObject::Fdb(e) = o.to_owned().unwrap() else {
            panic!("{o:?}")
        };
        assert_eq!(e.mac, Some(crate::types::MacAddr([2, 0, 0, 0, 0, 7])));

        let frh = [AF_INET, 0, 16, 0, 100, 0, 0, 1, 0, 0, 0, 0];
        let s = msg(
            RTM_DELRULE,
            0,
            &frh,
            &[
                (FRA_SRC, &[10, 1, 0, 0]),
                (FRA_PRIORITY, &32765u32.to_ne_bytes()),
                (FRA_TABLE, &1000u32.to_ne_bytes()),
            ],
        );
        let m = Messages::new(&s).next().unwrap().unwrap();
        let (c, o) = ObjectMsg::decode(&m).unwrap().unwrap();
        assert_eq!(c, Change::Deleted);
        let ObjectMsg::Rule(r) = o else { panic!() };
        assert_eq!(
            (r.header.src_len, r.table, r.priority),
            (16, 1000, Some(32765))
        );
        assert_eq!(r.src, Some("10.1.0.0".parse().unwrap()));
        // Too short for its header: an error, not a panic.
        let s = msg(RTM_NEWRULE, 0, &frh[..8], &[]);
        let m = Messages::new(&s).next().unwrap().unwrap();
        assert_eq!(ObjectMsg::decode(&m), Err(WireError::Truncated));
        // Not an object.
        let s = msg(RTM_NEWNETCONF, 0, &[2, 0, 0, 0], &[]);
        let m = Messages::new(&s).next().unwrap().unwrap();
        assert_eq!(ObjectMsg::decode(&m), Ok(None));
    }

    #[test]
    fn group_dumps_are_what_iproute2_sends() {
        // `ip neigh show` and `ip -6 rule show` (strace, iproute2 6.1): a 12-byte
        // family header and nothing else.
        let mut buf = [0xa5u8; 64];
        let n = GroupDump(Group::NEIGH).emit(&mut buf).unwrap();
        assert_eq!(n, 28);
        assert_eq!(u16_at(&buf, 4), RTM_GETNEIGH);
        assert!(buf[16..28].iter().all(|&b| b == 0));
        let n = GroupDump(Group::IPV6_RULE).emit(&mut buf).unwrap();
        assert_eq!(n, 28);
        assert_eq!(u16_at(&buf, 4), RTM_GETRULE);
        assert_eq!(buf[16], AF_INET6);
        assert!(buf[17..28].iter().all(|&b| b == 0));
        for g in Group::OBJECTS {
            assert!(g.dump().is_some(), "{g}");
            assert!(!g.message_types().is_empty(), "{g}");
        }
        assert_eq!(Group(36).dump(), None);
        assert_eq!(Group(36).to_string(), "group 36");
        assert_eq!(Group::IPV6_ROUTE.to_string(), "route (IPv6)");
    }
}
