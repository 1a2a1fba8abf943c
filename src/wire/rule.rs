//! Layer `wire`: every `RTM_*RULE` message — policy routing rules (`ip rule`), IPv4
//! and IPv6. [`Rule`] is the one owned rule: what a dump returns and what `ip rule
//! add|del` send ([`Object`]), so a dumped rule can be deleted as it came. [`RuleMsg`]
//! is its zero-copy view, [`RuleFilter`] a dump.
//!
//! The kernel does not filter rule dumps: with strict checking it refuses any
//! attribute or header field in the request but the family ("Invalid data after
//! header in fib rule dump request", every kernel to this day), so a
//! [`RuleFilter`]'s table, priority and protocol are checked here, on the one dump of
//! the family.
//!
//! Attribute order follows iproute2's for `ip rule add [not] [from P] [to P] [pref N]
//! [tos T] [fwmark M[/K]] [realms R] [protocol P] [tun_id N] [table T]
//! [suppress_prefixlength N] [suppress_ifgroup G] [iif X] [oif X] [l3mdev] [uidrange
//! A-B] [ipproto P] [sport A[-B]] [dport A[-B]] [ACTION]` (its parser's order):
//! `FRA_SRC`, `FRA_DST`, `FRA_PRIORITY`, `FRA_FWMARK`, `FRA_FWMASK`, `FRA_FLOW`,
//! `FRA_PROTOCOL`, `FRA_TUN_ID`, `FRA_TABLE` (only for tables ≥ 256; smaller ids go in
//! the header), `FRA_SUPPRESS_PREFIXLEN`, `FRA_SUPPRESS_IFGROUP`, `FRA_IIFNAME`,
//! `FRA_OIFNAME`, `FRA_L3MDEV`, `FRA_UID_RANGE`, `FRA_IP_PROTO`, `FRA_SPORT_RANGE`,
//! `FRA_DPORT_RANGE`, `FRA_GOTO`.

use crate::abi::*;
use crate::error::{Error, Result};
use crate::types::{flag_set, named_number, Family, IfName, Protocol};
use crate::wire::{
    emit_raw, Attrs, Decode, Message, MsgBuilder, Object, RawAttrs, Request, Verb, WireError,
};
use std::fmt;
use std::net::IpAddr;

named_number! {
    /// What a rule does when it matches (`fib_rule_hdr.action`, `FR_ACT_*`).
    RuleAction(u8) {
        /// `FR_ACT_UNSPEC`: none given (a delete that matches any action).
        UNSPEC = FR_ACT_UNSPEC => "unspec",
        /// `FR_ACT_TO_TBL`: look the route up in [`Rule::table`] (`lookup T`).
        LOOKUP = FR_ACT_TO_TBL => "lookup",
        /// `FR_ACT_GOTO`: go on at the rule of priority [`Rule::goto`] (`goto N`).
        GOTO = FR_ACT_GOTO => "goto",
        /// `FR_ACT_NOP`: do nothing (`nop`).
        NOP = FR_ACT_NOP => "nop",
        /// `FR_ACT_BLACKHOLE`: drop silently (`blackhole`).
        BLACKHOLE = FR_ACT_BLACKHOLE => "blackhole",
        /// `FR_ACT_UNREACHABLE`: drop with "network unreachable" (`unreachable`).
        UNREACHABLE = FR_ACT_UNREACHABLE => "unreachable",
        /// `FR_ACT_PROHIBIT`: drop with "administratively prohibited" (`prohibit`).
        PROHIBIT = FR_ACT_PROHIBIT => "prohibit",
    }
}

flag_set! {
    /// A rule's flags (`fib_rule_hdr.flags`, `FIB_RULE_*`).
    RuleFlags(u32) {
        /// `FIB_RULE_PERMANENT` (reported): cannot be deleted.
        PERMANENT = FIB_RULE_PERMANENT => "permanent",
        /// `FIB_RULE_INVERT`: match what the selector does not (`not`).
        INVERT = FIB_RULE_INVERT => "not",
        /// `FIB_RULE_UNRESOLVED` (reported): a goto whose target does not exist.
        UNRESOLVED = FIB_RULE_UNRESOLVED => "unresolved",
        /// `FIB_RULE_IIF_DETACHED` (reported): the input device is gone.
        IIF_DETACHED = FIB_RULE_IIF_DETACHED => "iif_detached",
        /// `FIB_RULE_OIF_DETACHED` (reported): the output device is gone.
        OIF_DETACHED = FIB_RULE_OIF_DETACHED => "oif_detached",
        /// `FIB_RULE_FIND_SADDR`.
        FIND_SADDR = FIB_RULE_FIND_SADDR => "find_saddr",
    }
}

/// A policy routing rule (`ip rule show`), and what `ip rule add|del` send.
///
/// ```
/// use rtnl::{Family, Rule};
/// // ip rule add from 10.0.0.0/24 pref 100 table 100 (the CNI sbr plugin's rule)
/// let r = Rule::new(Family::INET)
///     .from_prefix("10.0.0.0".parse().unwrap(), 24)?
///     .priority(100)
///     .table(100);
/// // ip rule add fwmark 0x10/0xff pref 200 table 1000
/// let m = Rule::new(Family::INET).fwmark(0x10, 0xff).priority(200).table(1000);
/// # let _ = (r, m);
/// # Ok::<(), rtnl::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Rule {
    /// `family`: `AF_INET` or `AF_INET6` ([`Family::UNSPEC`]: that of the source or
    /// destination prefix, else IPv4, as `ip rule` defaults).
    pub family: Family,
    /// `FRA_PRIORITY` (`pref N`); `None`: the kernel picks one just before the first
    /// existing rule with a priority above 0.
    pub priority: Option<u32>,
    /// `FRA_SRC` (`from PREFIX`).
    pub src: Option<IpAddr>,
    /// `src_len`.
    pub src_len: u8,
    /// `FRA_DST` (`to PREFIX`).
    pub dst: Option<IpAddr>,
    /// `dst_len`.
    pub dst_len: u8,
    /// `tos` (`tos T` / `dsfield T`).
    pub tos: u8,
    /// `FRA_FWMARK` (`fwmark M`).
    pub fwmark: Option<u32>,
    /// `FRA_FWMASK` (`fwmark M/K`; the kernel takes all ones when only a mark is
    /// given).
    pub fwmask: Option<u32>,
    /// `FRA_FLOW` (`realms FROM/TO`).
    pub realms: Option<u32>,
    /// `FRA_PROTOCOL`: who installed it (`protocol P`).
    pub protocol: Option<Protocol>,
    /// `FRA_TUN_ID` (`tun_id N`; big-endian on the wire).
    pub tun_id: Option<u64>,
    /// The table of a [`RuleAction::LOOKUP`] rule (`table T`/`lookup T`): in the header
    /// below 256, else `FRA_TABLE`. 0: no table (other actions, `l3mdev`).
    pub table: u32,
    /// `FRA_SUPPRESS_PREFIXLEN` (`suppress_prefixlength N`): ignore lookup results of
    /// prefix length N or less.
    pub suppress_prefixlength: Option<u32>,
    /// `FRA_SUPPRESS_IFGROUP` (`suppress_ifgroup G`).
    pub suppress_ifgroup: Option<u32>,
    /// `FRA_IIFNAME` (`iif NAME`): packets arriving on this device (a name: the rule
    /// stays when the device goes, marked detached).
    pub iif: Option<IfName>,
    /// `FRA_OIFNAME` (`oif NAME`): packets sent from a socket bound to this device.
    pub oif: Option<IfName>,
    /// `FRA_L3MDEV` (`l3mdev`): look up the table of the VRF the packet's device
    /// belongs to.
    pub l3mdev: bool,
    /// `FRA_UID_RANGE` (`uidrange A-B`), inclusive.
    pub uid_range: Option<(u32, u32)>,
    /// `FRA_IP_PROTO` (`ipproto P`).
    pub ip_proto: Option<u8>,
    /// `FRA_SPORT_RANGE` (`sport A-B`), inclusive.
    pub sport: Option<(u16, u16)>,
    /// `FRA_DPORT_RANGE` (`dport A-B`), inclusive.
    pub dport: Option<(u16, u16)>,
    /// `action`.
    pub action: RuleAction,
    /// `FRA_GOTO`: the priority a [`RuleAction::GOTO`] rule jumps to.
    pub goto: Option<u32>,
    /// `flags` (`not`, and what the kernel reports).
    pub flags: RuleFlags,
    /// Attributes this crate does not model, as they came; sent back as they are.
    pub other: RawAttrs,
}

impl Default for Rule {
    fn default() -> Rule {
        Rule::new(Family::INET)
    }
}

/// The largest port a rule's range may hold: the kernel refuses 65535
/// (`fib_rule_port_range_valid`: "Invalid sport range").
const PORT_MAX: u16 = 0xfffe;

impl Rule {
    /// What `ip rule add` fills in before reading its arguments: lookup in the main
    /// table, no selector (`from all`), the kernel's choice of priority.
    pub const fn new(family: Family) -> Rule {
        Rule {
            family,
            priority: None,
            src: None,
            src_len: 0,
            dst: None,
            dst_len: 0,
            tos: 0,
            fwmark: None,
            fwmask: None,
            realms: None,
            protocol: None,
            tun_id: None,
            table: RT_TABLE_MAIN as u32,
            suppress_prefixlength: None,
            suppress_ifgroup: None,
            iif: None,
            oif: None,
            l3mdev: false,
            uid_range: None,
            ip_proto: None,
            sport: None,
            dport: None,
            action: RuleAction::LOOKUP,
            goto: None,
            flags: RuleFlags::EMPTY,
            other: RawAttrs::new(),
        }
    }

    /// `from PREFIX`; a prefix past the family's maximum is refused.
    pub fn from_prefix(mut self, src: IpAddr, len: u8) -> Result<Rule> {
        crate::validate::check_prefix(src, len)?;
        self.src = Some(src);
        self.src_len = len;
        Ok(self)
    }

    /// `to PREFIX`; a prefix past the family's maximum is refused.
    pub fn to_prefix(mut self, dst: IpAddr, len: u8) -> Result<Rule> {
        crate::validate::check_prefix(dst, len)?;
        self.dst = Some(dst);
        self.dst_len = len;
        Ok(self)
    }

    /// `pref N`.
    pub fn priority(mut self, priority: u32) -> Rule {
        self.priority = Some(priority);
        self
    }

    /// `table T` (a lookup).
    pub fn table(mut self, table: u32) -> Rule {
        self.table = table;
        self.action = RuleAction::LOOKUP;
        self
    }

    /// `fwmark MARK/MASK`.
    pub fn fwmark(mut self, mark: u32, mask: u32) -> Rule {
        self.fwmark = Some(mark);
        self.fwmask = Some(mask);
        self
    }

    /// `iif NAME`; a name the kernel would refuse is refused.
    pub fn iif(mut self, name: &str) -> Result<Rule> {
        self.iif = Some(IfName::new(name)?);
        Ok(self)
    }

    /// `oif NAME`; a name the kernel would refuse is refused.
    pub fn oif(mut self, name: &str) -> Result<Rule> {
        self.oif = Some(IfName::new(name)?);
        Ok(self)
    }

    /// `goto N`: go on at the rule of priority `target` (which must come later).
    pub fn goto(mut self, target: u32) -> Rule {
        self.action = RuleAction::GOTO;
        self.goto = Some(target);
        self.table = 0;
        self
    }

    /// `blackhole`, `unreachable`, `prohibit`, `nop`: an action without a table.
    pub fn action(mut self, action: RuleAction) -> Rule {
        self.action = action;
        if action != RuleAction::LOOKUP {
            self.table = 0;
        }
        self
    }

    /// `l3mdev`: look up the table of the packet's VRF (no table of its own).
    pub fn l3mdev(mut self) -> Rule {
        self.l3mdev = true;
        self.table = 0;
        self
    }

    /// `not`: invert the selector.
    pub fn invert(mut self) -> Rule {
        self.flags |= RuleFlags::INVERT;
        self
    }

    /// The family a request sends: as set, else that of the prefixes, else IPv4 (as
    /// `ip rule` defaults).
    pub fn wire_family(&self) -> Family {
        if self.family != Family::UNSPEC {
            return self.family;
        }
        self.src.or(self.dst).map_or(Family::INET, Family::of)
    }

    /// True when `other` is the same rule as far as the kernel's matching goes:
    /// family, priority, selectors, action, table and goto target, with the kernel's
    /// defaults filled in (a mark without a mask has the mask all ones; the full UID
    /// range is no range). What the kernel only reports (flags other than `not`,
    /// the protocol) is ignored.
    pub fn same_rule(&self, other: &Rule) -> bool {
        fn norm(r: &Rule) -> impl PartialEq + '_ {
            let mask = r.fwmask.or(r.fwmark.map(|_| u32::MAX));
            let mark = r.fwmark.filter(|&m| m != 0 || mask.is_some_and(|k| k != 0));
            let uid = r.uid_range.filter(|&u| u != (0, u32::MAX));
            (
                (r.wire_family(), r.priority.unwrap_or(0), r.src, r.src_len),
                (
                    r.dst,
                    r.dst_len,
                    r.tos,
                    mark,
                    mask.filter(|_| mark.is_some()),
                ),
                (
                    r.realms,
                    r.tun_id,
                    r.table,
                    r.suppress_prefixlength.filter(|&s| s != u32::MAX),
                ),
                (
                    r.suppress_ifgroup.filter(|&g| g != u32::MAX),
                    r.iif,
                    r.oif,
                    r.l3mdev,
                ),
                (uid, r.ip_proto.filter(|&p| p != 0), r.sport, r.dport),
                (r.action, r.goto, r.flags.contains(RuleFlags::INVERT)),
            )
        }
        norm(self) == norm(other)
    }
}

impl Object for Rule {
    const NEW: u16 = RTM_NEWRULE;
    const DEL: u16 = RTM_DELRULE;
    const VERBS: &'static [Verb] = &[Verb::Add, Verb::Delete];

    /// Refuses, before any syscall: a family other than IPv4/IPv6, prefixes past the
    /// family's maximum or of the other family, a prefix length without its address;
    /// and for an add: a lookup in table 0 (the kernel would allocate an empty table
    /// and point the rule at it), `l3mdev` with a table, a goto without a target or
    /// backwards (to a priority not after the rule's own), a target without goto, no
    /// action, port ranges the kernel refuses (0, 65535, reversed), a reversed UID
    /// range, a `suppress_prefixlength` past the family's maximum, IPv4 TOS bits
    /// outside the TOS field.
    fn check(&self, verb: Verb) -> Result<()> {
        let family = self.wire_family();
        let Some(max) = family.max_prefix() else {
            return Err(Error::invalid(
                "rule family",
                family,
                "rules are IPv4 or IPv6",
            ));
        };
        for (what, a, len) in [
            ("rule source", self.src, self.src_len),
            ("rule destination", self.dst, self.dst_len),
        ] {
            if len > max {
                return Err(Error::invalid(
                    "prefix length",
                    len,
                    if max == 32 {
                        "IPv4 prefixes are at most 32"
                    } else {
                        "IPv6 prefixes are at most 128"
                    },
                ));
            }
            match a {
                Some(a) if Family::of(a) != family => {
                    return Err(Error::wrong_family(
                        what,
                        a,
                        "address family differs from the rule's",
                    ))
                }
                None if len > 0 => {
                    return Err(Error::invalid(
                        what,
                        format!("/{len}"),
                        "a prefix length needs its address",
                    ))
                }
                _ => {}
            }
        }
        if verb == Verb::Delete {
            return Ok(());
        }
        match self.action {
            RuleAction::LOOKUP if self.l3mdev && self.table != 0 => {
                return Err(Error::invalid(
                    "rule table",
                    self.table,
                    "an l3mdev rule looks up its VRF's table: no table of its own",
                ))
            }
            RuleAction::LOOKUP if !self.l3mdev && self.table == 0 => {
                return Err(Error::invalid(
                    "rule table",
                    0,
                    "table 0 is not a table (the kernel would create an empty one)",
                ))
            }
            RuleAction::GOTO => match (self.goto, self.priority) {
                (None, _) => {
                    return Err(Error::invalid(
                        "rule goto",
                        "none",
                        "a goto rule needs its target priority",
                    ))
                }
                (Some(t), Some(p)) if t <= p => {
                    return Err(Error::invalid(
                        "rule goto",
                        t,
                        "a goto jumps forward: its target must come after the rule's priority",
                    ))
                }
                _ => {}
            },
            RuleAction::UNSPEC => {
                return Err(Error::invalid(
                    "rule action",
                    "unspec",
                    "an added rule needs an action (lookup, goto, blackhole, ...)",
                ))
            }
            _ => {}
        }
        if self.goto.is_some() && self.action != RuleAction::GOTO {
            return Err(Error::invalid(
                "rule goto",
                self.goto.unwrap_or(0),
                "a goto target belongs to a goto rule",
            ));
        }
        for (what, r) in [
            ("source port range", self.sport),
            ("destination port range", self.dport),
        ] {
            if let Some((a, b)) = r {
                if a == 0 || a > b || b > PORT_MAX {
                    return Err(Error::invalid(
                        what,
                        format!("{a}-{b}"),
                        "ports go from 1 to 65534, the first not above the last",
                    ));
                }
            }
        }
        if let Some((a, b)) = self.uid_range {
            if a > b {
                return Err(Error::invalid(
                    "UID range",
                    format!("{a}-{b}"),
                    "the first UID is not above the last",
                ));
            }
        }
        if let Some(s) = self.suppress_prefixlength {
            if s > u32::from(max) && s != u32::MAX {
                return Err(Error::invalid(
                    "suppress_prefixlength",
                    s,
                    if max == 32 {
                        "IPv4 prefixes are at most 32"
                    } else {
                        "IPv6 prefixes are at most 128"
                    },
                ));
            }
        }
        if family == Family::INET && self.tos & !0x1e != 0 {
            return Err(Error::invalid(
                "rule tos",
                format!("{:#x}", self.tos),
                "IPv4 rules match the TOS bits only (mask 0x1e)",
            ));
        }
        Ok(())
    }

    fn emit_body(&self, _verb: Verb, b: &mut MsgBuilder<'_>) -> Result<(), WireError> {
        let small_table = self.table < 256;
        b.header(&FibRuleHdr {
            family: self.wire_family().0,
            dst_len: self.dst_len,
            src_len: self.src_len,
            tos: self.tos,
            table: if small_table { self.table as u8 } else { 0 },
            action: self.action.0,
            flags: self.flags.0,
            ..Default::default()
        })?;
        if let Some(s) = self.src {
            b.attr_ip(FRA_SRC, s)?;
        }
        if let Some(d) = self.dst {
            b.attr_ip(FRA_DST, d)?;
        }
        if let Some(p) = self.priority {
            b.attr_u32(FRA_PRIORITY, p)?;
        }
        if let Some(m) = self.fwmark {
            b.attr_u32(FRA_FWMARK, m)?;
        }
        if let Some(m) = self.fwmask {
            b.attr_u32(FRA_FWMASK, m)?;
        }
        if let Some(r) = self.realms {
            b.attr_u32(FRA_FLOW, r)?;
        }
        if let Some(p) = self.protocol {
            b.attr_u8(FRA_PROTOCOL, p.0)?;
        }
        if let Some(t) = self.tun_id {
            b.attr_bytes(FRA_TUN_ID, &t.to_be_bytes())?;
        }
        if !small_table {
            b.attr_u32(FRA_TABLE, self.table)?;
        }
        if let Some(s) = self.suppress_prefixlength {
            b.attr_u32(FRA_SUPPRESS_PREFIXLEN, s)?;
        }
        if let Some(g) = self.suppress_ifgroup {
            b.attr_u32(FRA_SUPPRESS_IFGROUP, g)?;
        }
        if let Some(i) = &self.iif {
            b.attr_ifname(FRA_IIFNAME, i)?;
        }
        if let Some(o) = &self.oif {
            b.attr_ifname(FRA_OIFNAME, o)?;
        }
        if self.l3mdev {
            b.attr_u8(FRA_L3MDEV, 1)?;
        }
        if let Some((start, end)) = self.uid_range {
            b.attr_bytes(FRA_UID_RANGE, &range_bytes(&FibRuleUidRange { start, end }))?;
        }
        if let Some(p) = self.ip_proto {
            b.attr_u8(FRA_IP_PROTO, p)?;
        }
        for (ty, r) in [(FRA_SPORT_RANGE, self.sport), (FRA_DPORT_RANGE, self.dport)] {
            if let Some((start, end)) = r {
                b.attr_bytes(ty, &range_bytes(&FibRulePortRange { start, end }))?;
            }
        }
        if let Some(g) = self.goto {
            b.attr_u32(FRA_GOTO, g)?;
        }
        emit_raw(b, &self.other)
    }
}

/// A range struct's bytes (at most 8).
fn range_bytes<H: Header>(h: &H) -> Vec8 {
    let mut v = Vec8 {
        b: [0; 8],
        n: H::LEN,
    };
    h.write_to(&mut v.b[..H::LEN]);
    v
}

/// Up to 8 bytes on the stack (the encode path does not allocate).
struct Vec8 {
    b: [u8; 8],
    n: usize,
}

impl std::ops::Deref for Vec8 {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.b[..self.n]
    }
}

impl From<&RuleMsg<'_>> for Rule {
    /// Everything the view's message holds, owned.
    fn from(m: &RuleMsg<'_>) -> Rule {
        let h = m.header;
        let mut r = Rule {
            family: Family(h.family),
            priority: m.priority,
            src: m.src,
            src_len: h.src_len,
            dst: m.dst,
            dst_len: h.dst_len,
            tos: h.tos,
            table: m.table,
            action: RuleAction(h.action),
            flags: RuleFlags(h.flags),
            ..Rule::new(Family(h.family))
        };
        for a in Attrs::new(m.attrs).flatten() {
            let n = a.value.len();
            let u32v = if n == 4 { a.u32().ok() } else { None };
            match a.ty {
                FRA_SRC if r.src.is_some() => {}
                FRA_DST if r.dst.is_some() => {}
                FRA_PRIORITY if r.priority.is_some() => {}
                FRA_TABLE if u32v.is_some() => {}
                FRA_FWMARK if u32v.is_some() => r.fwmark = u32v,
                FRA_FWMASK if u32v.is_some() => r.fwmask = u32v,
                FRA_FLOW if u32v.is_some() => r.realms = u32v,
                FRA_PROTOCOL if n == 1 => r.protocol = a.u8().ok().map(Protocol),
                FRA_TUN_ID if n == 8 => r.tun_id = a.fixed::<8>().ok().map(u64::from_be_bytes),
                FRA_SUPPRESS_PREFIXLEN if u32v.is_some() => r.suppress_prefixlength = u32v,
                FRA_SUPPRESS_IFGROUP if u32v.is_some() => r.suppress_ifgroup = u32v,
                FRA_IIFNAME if IfName::from_kernel(a.bytes_z()).is_some() => {
                    r.iif = IfName::from_kernel(a.bytes_z())
                }
                FRA_OIFNAME if IfName::from_kernel(a.bytes_z()).is_some() => {
                    r.oif = IfName::from_kernel(a.bytes_z())
                }
                FRA_L3MDEV if n == 1 => r.l3mdev = a.u8().unwrap_or(0) != 0,
                FRA_UID_RANGE if n == FibRuleUidRange::LEN => {
                    r.uid_range = FibRuleUidRange::read_from(a.value).map(|u| (u.start, u.end))
                }
                FRA_IP_PROTO if n == 1 => r.ip_proto = a.u8().ok(),
                FRA_SPORT_RANGE if n == FibRulePortRange::LEN => {
                    r.sport = FibRulePortRange::read_from(a.value).map(|p| (p.start, p.end))
                }
                FRA_DPORT_RANGE if n == FibRulePortRange::LEN => {
                    r.dport = FibRulePortRange::read_from(a.value).map(|p| (p.start, p.end))
                }
                FRA_GOTO if u32v.is_some() => r.goto = u32v,
                _ => r.other.push_attr(&a),
            }
        }
        r
    }
}

impl<'a> Decode<'a> for Rule {
    fn decode(msg: &Message<'a>) -> Result<Self, WireError> {
        RuleMsg::decode(msg).map(|v| Rule::from(&v))
    }
}

/// A rule as the kernel describes it in `RTM_NEWRULE`/`RTM_DELRULE`, borrowing the
/// datagram: the fields dumps are filtered on, in one pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleMsg<'a> {
    /// The message's `fib_rule_hdr`.
    pub header: FibRuleHdr,
    /// `FRA_PRIORITY` (absent for priority 0).
    pub priority: Option<u32>,
    /// `FRA_TABLE` when present, else the header's table.
    pub table: u32,
    /// `FRA_SRC`.
    pub src: Option<IpAddr>,
    /// `FRA_DST`.
    pub dst: Option<IpAddr>,
    /// `FRA_PROTOCOL`.
    pub protocol: Option<Protocol>,
    /// All the attributes, raw.
    pub attrs: &'a [u8],
}

impl RuleMsg<'_> {
    /// `family`.
    pub fn family(&self) -> Family {
        Family(self.header.family)
    }
    /// `action`.
    pub fn action(&self) -> RuleAction {
        RuleAction(self.header.action)
    }
}

impl<'a> Decode<'a> for RuleMsg<'a> {
    /// Reads an `RTM_NEWRULE` or `RTM_DELRULE` message. Unknown attributes are
    /// skipped; a broken attribute chain is an error.
    fn decode(msg: &Message<'a>) -> Result<Self, WireError> {
        let ty = msg.header.nlmsg_type;
        if ty != RTM_NEWRULE && ty != RTM_DELRULE {
            return Err(WireError::UnexpectedType(ty));
        }
        let (h, attrs) = msg.split::<FibRuleHdr>()?;
        let mut r = RuleMsg {
            header: h,
            priority: None,
            table: u32::from(h.table),
            src: None,
            dst: None,
            protocol: None,
            attrs: msg.payload.get(align4(FibRuleHdr::LEN)..).unwrap_or(&[]),
        };
        for a in attrs {
            let a = a?;
            match a.ty {
                FRA_PRIORITY if a.value.len() == 4 => r.priority = a.u32().ok(),
                FRA_TABLE if a.value.len() == 4 => r.table = a.u32().unwrap_or(r.table),
                FRA_SRC => r.src = a.ip_of(h.family).ok(),
                FRA_DST => r.dst = a.ip_of(h.family).ok(),
                FRA_PROTOCOL if a.value.len() == 1 => r.protocol = a.u8().ok().map(Protocol),
                _ => {}
            }
        }
        Ok(r)
    }
}

/// An `RTM_GETRULE` dump (`ip [-6] rule show [table T] [pref N] [protocol P]`). The
/// kernel filters by family only (it refuses any other filter), so the table,
/// priority and protocol are checked here by [`matches`](Self::matches).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RuleFilter {
    /// `AF_INET`, `AF_INET6`, or [`Family::UNSPEC`] for both.
    pub family: Family,
    /// Only rules that look up this table.
    pub table: Option<u32>,
    /// Only rules of this priority.
    pub priority: Option<u32>,
    /// Only rules of this protocol.
    pub protocol: Option<Protocol>,
}

crate::wire::dump_filter!(RuleFilter, RuleMsg);

impl RuleFilter {
    /// Every rule of `family`.
    pub fn family(family: Family) -> RuleFilter {
        RuleFilter {
            family,
            ..Default::default()
        }
    }

    /// Every rule of `family` that looks up `table`.
    pub fn table(family: Family, table: u32) -> RuleFilter {
        RuleFilter {
            family,
            table: Some(table),
            ..Default::default()
        }
    }

    /// Whether `r` passes.
    pub fn matches(&self, r: &RuleMsg<'_>) -> bool {
        (self.family == Family::UNSPEC || self.family.0 == r.header.family)
            && self.table.map_or(true, |t| t == r.table)
            && self.priority.map_or(true, |p| p == r.priority.unwrap_or(0))
            && self.protocol.map_or(true, |p| Some(p) == r.protocol)
    }
}

impl Request for RuleFilter {
    fn emit(&self, buf: &mut [u8]) -> Result<usize, WireError> {
        let mut b = MsgBuilder::new(buf, RTM_GETRULE, 0)?;
        b.header(&FibRuleHdr {
            family: self.family.0,
            ..Default::default()
        })?;
        b.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Messages;

    fn round_trip(r: &Rule) -> Rule {
        let mut buf = [0xa5u8; 512];
        let n = r.emit(Verb::Add, &mut buf).unwrap();
        let m = Messages::new(&buf[..n]).next().unwrap().unwrap();
        Rule::decode(&m).unwrap()
    }

    #[test]
    fn rules_round_trip() {
        let mut r = Rule::new(Family::INET)
            .from_prefix("10.0.0.0".parse().unwrap(), 24)
            .unwrap()
            .to_prefix("10.1.0.0".parse().unwrap(), 16)
            .unwrap()
            .priority(200)
            .fwmark(0x10, 0xff)
            .table(1000)
            .iif("veth0")
            .unwrap()
            .oif("veth1")
            .unwrap()
            .invert();
        r.tos = 0x10;
        r.realms = Some(5);
        r.protocol = Some(Protocol::STATIC);
        r.tun_id = Some(0x0102_0304_0506_0708);
        r.suppress_prefixlength = Some(0);
        r.suppress_ifgroup = Some(3);
        r.uid_range = Some((1000, 2000));
        r.ip_proto = Some(6);
        r.sport = Some((1000, 2000));
        r.dport = Some((443, 443));
        r.other.push(250, &[9, 9, 9, 9]).unwrap();
        assert_eq!(round_trip(&r), r);
        let g = Rule::new(Family::INET6).priority(600).goto(700);
        assert_eq!(round_trip(&g), g);
        let l = Rule::new(Family::INET).priority(1000).l3mdev();
        assert_eq!(round_trip(&l), l);
        assert!(r.same_rule(&round_trip(&r)));
        assert!(!r.same_rule(&g));
        // A mark without a mask is the mark with the mask all ones.
        let a = Rule::new(Family::INET).priority(5);
        let mut b = a.clone();
        b.fwmark = Some(1);
        let mut c = b.clone();
        c.fwmask = Some(u32::MAX);
        assert!(b.same_rule(&c));
        assert!(!a.same_rule(&b));
    }

    #[test]
    fn mistakes_are_refused() {
        let base = Rule::new(Family::INET).priority(10);
        assert!(base
            .clone()
            .table(0)
            .check(Verb::Add)
            .unwrap_err()
            .is_invalid_input());
        assert!(base.clone().table(0).check(Verb::Delete).is_ok());
        let mut l = base.clone().l3mdev();
        l.table = 5;
        assert!(l.check(Verb::Add).is_err());
        assert!(base.clone().goto(10).check(Verb::Add).is_err());
        assert!(base.clone().goto(5).check(Verb::Add).is_err());
        base.clone().goto(11).check(Verb::Add).unwrap();
        let mut g = base.clone();
        g.goto = Some(20);
        assert!(g.check(Verb::Add).is_err());
        let mut p = base.clone();
        p.dport = Some((1, 65535));
        assert!(p.check(Verb::Add).is_err());
        p.dport = Some((0, 5));
        assert!(p.check(Verb::Add).is_err());
        p.dport = Some((6, 5));
        assert!(p.check(Verb::Add).is_err());
        let mut s = base.clone();
        s.src = Some("fd00::".parse().unwrap());
        s.src_len = 64;
        assert!(s.check(Verb::Add).is_err());
        let mut s = base.clone();
        s.src_len = 33;
        s.src = Some("10.0.0.0".parse().unwrap());
        assert!(s.check(Verb::Add).is_err());
        assert!(Rule::new(Family::INET)
            .from_prefix("10.0.0.0".parse().unwrap(), 33)
            .is_err());
        let mut s = base.clone();
        s.suppress_prefixlength = Some(33);
        assert!(s.check(Verb::Add).is_err());
        let mut t = base.clone();
        t.tos = 0x20;
        assert!(t.check(Verb::Add).is_err());
        let mut u = base.clone();
        u.uid_range = Some((5, 4));
        assert!(u.check(Verb::Add).is_err());
        let mut f = base;
        f.family = Family::BRIDGE;
        assert!(f.check(Verb::Add).is_err());
    }
}
