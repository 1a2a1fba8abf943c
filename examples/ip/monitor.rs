//! `ip monitor [link|address|route|neigh|nexthop|rule|all] [label] [all-nsid]`: prints
//! what iproute2's `ip monitor` prints for the same changes, line for line
//! (`tests/examples.rs` runs both side by side on one namespace and compares).
//!
//! One `rtnl::Monitor` (the groups of the objects asked for) and one `Handle` (a link
//! dump for the names, as `ip` keeps its link cache, and a lookup for a link it has
//! not heard of). `all` is every object with a `[LINK]`-style label, as `ip monitor
//! all` prints them (for these six objects; `ip` also has netconf, nsid, stats, ...);
//! no object is every object without labels.

use crate::cli::{matches, print, table_name, usage, Args, Names, Res};
use crate::link::{link_flags, ll_addr, OPER_STATES};
use crate::route::{flags as route_flags, line as route_line};
use rtnl::abi::NdMsg;
use rtnl::abi::*;
use rtnl::wire::event::ObjectMsg;
use rtnl::wire::rule::RuleMsg;
use rtnl::wire::Attrs;
use rtnl::{
    AddrFlags, Address, EventKind, Family, Group, Handle, Link, LinkFlags, Monitor, Nexthop,
    Protocol, Route, RouteType, Scope,
};
use std::collections::HashMap;
use std::fmt::Write as _;

/// What `ip monitor` listens to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Object {
    Link,
    Address,
    Route,
    Neigh,
    Nexthop,
    Rule,
}

const ALL: [Object; 6] = [
    Object::Link,
    Object::Address,
    Object::Route,
    Object::Neigh,
    Object::Nexthop,
    Object::Rule,
];

pub fn run(h: &mut Handle, a: &mut Args<'_>, family: Family) -> Res {
    let mut objects = Vec::new();
    let mut label = false;
    let mut all_nsid = false;
    while let Some(x) = a.next() {
        match x {
            "all" => label = true,
            "all-nsid" => all_nsid = true,
            x if matches(x, "label") => label = true,
            x if matches(x, "link") => objects.push(Object::Link),
            x if matches(x, "address") => objects.push(Object::Address),
            x if matches(x, "route") => objects.push(Object::Route),
            x if matches(x, "neigh") => objects.push(Object::Neigh),
            x if matches(x, "nexthop") => objects.push(Object::Nexthop),
            x if matches(x, "rule") => objects.push(Object::Rule),
            x => return usage(format!("argument \"{x}\" is unknown for monitor")),
        }
    }
    if objects.is_empty() {
        objects = ALL.to_vec();
    }
    // The groups `ip monitor` joins, by family as `-4`/`-6` narrow them.
    let v4 = family != Family::INET6;
    let v6 = family != Family::INET;
    let mut groups = Vec::new();
    for o in &objects {
        let (g4, g6) = match o {
            Object::Link => (Some(Group::LINK), None),
            Object::Address => (Some(Group::IPV4_IFADDR), Some(Group::IPV6_IFADDR)),
            Object::Route => (Some(Group::IPV4_ROUTE), Some(Group::IPV6_ROUTE)),
            Object::Neigh => (Some(Group::NEIGH), None),
            Object::Nexthop => (Some(Group::NEXTHOP), None),
            Object::Rule => (Some(Group::IPV4_RULE), Some(Group::IPV6_RULE)),
        };
        let both = matches!(o, Object::Link | Object::Neigh | Object::Nexthop);
        groups.extend(g4.filter(|_| v4 || both));
        groups.extend(g6.filter(|_| v6));
    }
    // ip monitor ...  →  Monitor::builder().groups(..).build(), then Monitor::recv
    let mut m = Monitor::builder()
        .groups(&groups)
        .all_nsid(all_nsid)
        .build()?;
    // As `ip` does after joining: the links, for their names and flags.
    let mut links = Links::read(h)?;
    loop {
        let ev = match m.recv(None) {
            Ok(Some(ev)) => ev,
            Ok(None) => continue,
            Err(e) => {
                eprintln!("ip monitor: {e}");
                continue;
            }
        };
        let Some(msg) = ev.message else {
            if let EventKind::Overrun { .. } = ev.kind {
                eprintln!("Warning: kernel dropped notifications (receive buffer full)");
            }
            continue;
        };
        let mut out = String::new();
        if all_nsid {
            match ev.nsid {
                Some(n) => {
                    let _ = write!(out, "[nsid {n}]");
                }
                None => out.push_str("[nsid current]"),
            }
        }
        let deleted = matches!(ev.kind, EventKind::Deleted(_));
        let object = match ev.kind {
            EventKind::New(o) | EventKind::Deleted(o) | EventKind::Dumped(o) => o,
            // The kernel asking user space to resolve a neighbour (`app_probes`):
            // not a change, so not an object event; `ip` prints it as a miss.
            EventKind::Other if msg.header.nlmsg_type == RTM_GETNEIGH => {
                match rtnl::wire::Decode::decode(&msg) {
                    Ok(n) => ObjectMsg::Neighbour(n),
                    Err(_) => continue,
                }
            }
            _ => continue,
        };
        let head = |out: &mut String, l: &str| {
            if label {
                out.push_str(l);
            }
            if deleted {
                out.push_str("Deleted ");
            }
        };
        match object {
            ObjectMsg::Link(v) => {
                let l = Link::from(&v);
                links.remember(&l, deleted);
                // The peer's and the master's names, looked up when not known yet.
                for i in [l.link.filter(|_| l.link_netnsid.is_none()), l.master] {
                    if let Some(i) = i.filter(|i| *i != 0) {
                        links.name(h, i);
                    }
                }
                head(&mut out, "[LINK]");
                link(&mut out, &l, &links);
            }
            ObjectMsg::Address(v) => {
                let Ok(addr) = Address::try_from(&v) else {
                    continue;
                };
                head(&mut out, "[ADDR]");
                let name = links.name(h, addr.index);
                address(&mut out, &addr, &name);
            }
            ObjectMsg::Route(v) => {
                if v.header.rtm_flags & RTM_F_CLONED != 0 {
                    continue;
                }
                let r = Route::from(&v);
                head(&mut out, "[ROUTE]");
                for i in r
                    .oif
                    .into_iter()
                    .chain(r.multipath.iter().map(|hop| hop.oif))
                {
                    links.name(h, i);
                }
                route_line(&mut out, &r, true, &links.names);
                out.pop(); // its newline, put back below
            }
            // A bridge's forwarding entry is a neighbour message of AF_BRIDGE: `ip`
            // prints both with one function.
            ObjectMsg::Neighbour(_) | ObjectMsg::Fdb(_) => {
                let (header, dst, lladdr, attrs) = match object {
                    ObjectMsg::Neighbour(n) => (n.header, n.dst, n.lladdr, n.attrs),
                    ObjectMsg::Fdb(f) => {
                        const NDA_LLADDR: u16 = 2;
                        let ll = Attrs::new(f.attrs)
                            .flatten()
                            .find(|a| a.ty == NDA_LLADDR)
                            .map(|a| a.value);
                        (f.header, f.dst, ll, f.attrs)
                    }
                    _ => unreachable!(),
                };
                if family != Family::UNSPEC && header.ndm_family != family.0 {
                    continue;
                }
                head(&mut out, "[NEIGH]");
                if msg.header.nlmsg_type == RTM_GETNEIGH {
                    out.push_str("miss ");
                }
                neighbour(&mut out, &header, dst, lladdr, attrs, h, &mut links);
            }
            ObjectMsg::Nexthop(v) => {
                let nh = Nexthop::from(&v);
                head(&mut out, "[NEXTHOP]");
                if let Some(i) = nh.oif {
                    links.name(h, i);
                }
                nexthop(&mut out, &nh, &links.names);
            }
            ObjectMsg::Rule(r) => {
                head(&mut out, "[RULE]");
                rule(&mut out, &r);
            }
            _ => continue,
        }
        out.push('\n');
        print(&out);
    }
}

/// `ip`'s link cache: names (for `dev X`) and flags and types (for `M-DOWN` and
/// addresses), from a dump at the start, kept up to date from the link events, and
/// a lookup for a link it has not heard of (`ll_index_to_name`).
struct Links {
    names: Names,
    flags: HashMap<u32, (LinkFlags, u16)>,
}

impl Links {
    fn read(h: &mut Handle) -> Res<Links> {
        let mut l = Links {
            names: Names::read(h)?,
            flags: HashMap::new(),
        };
        for link in h.links()?.iter() {
            l.flags.insert(link.index, (link.flags, link.link_type));
        }
        Ok(l)
    }

    /// `ll_remember_index`: a new link or a change is remembered, a deleted one
    /// forgotten — before it is printed.
    fn remember(&mut self, l: &Link, deleted: bool) {
        if deleted {
            self.names.set(l.index, None);
            self.flags.remove(&l.index);
            return;
        }
        if self.names.get(l.index).is_none() {
            if let Some(n) = &l.name {
                self.names.set(l.index, Some(n.to_string()));
            }
        }
        self.flags.insert(l.index, (l.flags, l.link_type));
    }

    /// The name of link `index`, looked up once when not known (then `ifN`).
    fn name(&mut self, h: &mut Handle, index: u32) -> String {
        if index != 0 && self.names.get(index).is_none() {
            // ll_index_to_name  →  Handle::get_link(index)
            if let Ok(Some(l)) = h.get_link(index) {
                self.remember(&l, false);
            }
        }
        self.names.dev(index)
    }
}

/// `ip monitor link`: `print_linkinfo`, as `ip link show` prints a link (no details).
fn link(out: &mut String, l: &Link, links: &Links) {
    let raw = |t: u16| l.other.get(t);
    let _ = write!(out, "{}: ", l.index);
    out.push_str(&l.name_str());
    let mut m_down = false;
    match l.link {
        None => {}
        Some(0) => out.push_str("@NONE"),
        Some(i) if l.link_netnsid.is_some() => {
            let _ = write!(out, "@if{i}");
        }
        Some(i) => {
            let _ = write!(out, "@{}", links.names.dev(i));
            m_down = !links
                .flags
                .get(&i)
                .is_some_and(|(f, _)| f.contains(LinkFlags::UP));
        }
    }
    out.push_str(": ");
    let mut flags = Vec::new();
    link_flags(&mut flags, l.flags, m_down);
    out.push_str(&String::from_utf8_lossy(&flags));
    if let Some(mtu) = l.mtu {
        let _ = write!(out, "mtu {mtu} ");
    }
    if let Some(q) = raw(IFLA_QDISC) {
        let _ = write!(out, "qdisc {} ", String::from_utf8_lossy(q.bytes_z()));
    }
    if let Some(m) = l.master {
        let _ = write!(out, "master {} ", links.names.dev(m));
    }
    if let Some(s) = l.operstate.map(u8::from) {
        match OPER_STATES.get(usize::from(s)) {
            Some(name) => {
                let _ = write!(out, "state {name} ");
            }
            None => {
                let _ = write!(out, "state {s:#x}");
            }
        }
    }
    if let Some(g) = l.group {
        if g == 0 {
            out.push_str("group default ");
        } else {
            let _ = write!(out, "group {g} ");
        }
    }
    if let Some(e) = raw(IFLA_EVENT).and_then(|a| a.u32().ok()) {
        const EVENTS: [&str; 7] = [
            "NONE",
            "REBOOT",
            "FEATURE CHANGE",
            "BONDING FAILOVER",
            "NOTIFY PEERS",
            "RESEND IGMP",
            "BONDING OPTION",
        ];
        match EVENTS.get(e as usize) {
            Some(_) if e == 0 => {}
            Some(name) => {
                let _ = write!(out, "event {name} ");
            }
            None => {
                let _ = write!(out, "event {e} ");
            }
        }
    }
    out.push_str("\n    link/");
    out.push_str(&ll_type(l.link_type));
    out.push(' ');
    if let Some(a) = &l.address {
        out.push_str(&ll_addr(a.as_bytes(), l.link_type));
    }
    if let Some(b) = &l.broadcast {
        out.push_str(if l.flags.contains(LinkFlags::POINTOPOINT) {
            " peer "
        } else {
            " brd "
        });
        out.push_str(&ll_addr(b.as_bytes(), l.link_type));
    }
    if let Some(p) = &l.perm_address {
        if l.address.as_ref().map(|a| a.as_bytes()) != Some(p.as_bytes()) {
            out.push_str(" permaddr ");
            out.push_str(&ll_addr(p.as_bytes(), l.link_type));
        }
    }
    if let Some(id) = l.link_netnsid {
        if id >= 0 {
            let _ = write!(out, " link-netnsid {id}");
        } else {
            out.push_str(" link-netnsid unknown");
        }
    }
    if let Some(id) = raw(IFLA_NEW_NETNSID).and_then(|a| a.i32().ok()) {
        let _ = write!(out, " new-netnsid {id}");
    }
    if let Some(i) = raw(IFLA_NEW_IFINDEX).and_then(|a| a.i32().ok()) {
        let _ = write!(out, " new-ifindex {i}");
    }
    if raw(IFLA_PROTO_DOWN).and_then(|a| a.u8().ok()).unwrap_or(0) != 0 {
        out.push_str(" protodown on ");
    }
    for n in &l.alt_names {
        let _ = write!(out, "\n    altname {n}");
    }
}

/// `ll_type_n2a`: the names `ip` gives `ARPHRD_*` types.
fn ll_type(t: u16) -> String {
    match t {
        0 => "netrom".into(),
        1 => "ether".into(),
        32 => "infiniband".into(),
        512 => "ppp".into(),
        768 => "ipip".into(),
        769 => "tunnel6".into(),
        772 => "loopback".into(),
        776 => "sit".into(),
        778 => "gre".into(),
        823 => "gre6".into(),
        824 => "netlink".into(),
        65534 => "none".into(),
        65535 => "void".into(),
        t => format!("[{t}]"),
    }
}

/// `ip monitor address`: `print_addrinfo` with `ip monitor`'s one-line prefix
/// (`INDEX: NAME`).
fn address(out: &mut String, a: &Address, name: &str) {
    let fam = a.family();
    let _ = write!(
        out,
        "{}: {name}    {} {}",
        a.index,
        if fam == Family::INET6 {
            "inet6"
        } else {
            "inet"
        },
        a.address
    );
    if let Some(p) = a.peer {
        let _ = write!(out, " peer {p}");
    }
    let _ = write!(out, "/{} ", a.prefix_len);
    if let Some(m) = a.metric {
        let _ = write!(out, "metric {m} ");
    }
    if let Some(b) = a.broadcast {
        let _ = write!(out, "brd {b} ");
    }
    if let Some(any) = a.other.get(IFA_ANYCAST).and_then(|x| x.ip().ok()) {
        let _ = write!(out, "any {any} ");
    }
    let _ = write!(out, "scope {} ", a.scope);
    // ip's order; `permanent` is shown as `dynamic` when absent.
    let mut f = a.flags.0;
    let table: [(u32, &str); 12] = [
        (IFA_F_SECONDARY, "secondary"),
        (IFA_F_NODAD, "nodad"),
        (IFA_F_OPTIMISTIC, "optimistic"),
        (IFA_F_DADFAILED, "dadfailed"),
        (IFA_F_HOMEADDRESS, "home"),
        (IFA_F_DEPRECATED, "deprecated"),
        (IFA_F_TENTATIVE, "tentative"),
        (IFA_F_PERMANENT, "permanent"),
        (IFA_F_MANAGETEMPADDR, "mngtmpaddr"),
        (IFA_F_NOPREFIXROUTE, "noprefixroute"),
        (IFA_F_MCAUTOJOIN, "autojoin"),
        (IFA_F_STABLE_PRIVACY, "stable-privacy"),
    ];
    for (bit, word) in table {
        if bit == IFA_F_PERMANENT {
            if f & bit == 0 {
                out.push_str("dynamic ");
            }
        } else if f & bit != 0 {
            if bit == IFA_F_SECONDARY && fam == Family::INET6 {
                out.push_str("temporary ");
            } else {
                let _ = write!(out, "{word} ");
            }
        }
        f &= !bit;
    }
    if f != 0 {
        let _ = write!(out, "flags {f:02x} ");
    }
    if let Some(l) = &a.label {
        out.push_str(l);
    }
    if let Some(lt) = a.lifetimes {
        out.push_str("\n       valid_lft ");
        if lt.valid == u32::MAX {
            out.push_str("forever");
        } else {
            let _ = write!(out, "{}sec", lt.valid);
        }
        out.push_str(" preferred_lft ");
        if lt.preferred == u32::MAX {
            out.push_str("forever");
        } else if a.flags.contains(AddrFlags::DEPRECATED) {
            let _ = write!(out, "{}sec", lt.preferred as i32);
        } else {
            let _ = write!(out, "{}sec", lt.preferred);
        }
    }
}

/// `ip monitor neigh`: `print_neigh`.
fn neighbour(
    out: &mut String,
    n: &NdMsg,
    dst: Option<std::net::IpAddr>,
    lladdr: Option<&[u8]>,
    attrs: &[u8],
    h: &mut Handle,
    links: &mut Links,
) {
    const NDA_PROTOCOL: u16 = 12;
    const NDA_FLAGS_EXT: u16 = 15;
    const NTF_PROXY: u8 = 0x08;
    const NTF_EXT_LEARNED: u8 = 0x10;
    const NTF_OFFLOADED: u8 = 0x20;
    const NTF_ROUTER: u8 = 0x80;
    const NTF_EXT_MANAGED: u32 = 0x01;
    let attr = |t: u16| Attrs::new(attrs).flatten().find(|a| a.ty == t);
    if let Some(d) = dst {
        let _ = write!(out, "{d} ");
    }
    let index = n.ndm_ifindex as u32;
    if index != 0 {
        let _ = write!(out, "dev {} ", links.name(h, index));
    }
    if let Some(ll) = lladdr {
        let t = links.flags.get(&index).map_or(1, |(_, t)| *t);
        let _ = write!(out, "lladdr {} ", ll_addr(ll, t));
    }
    let ext = attr(NDA_FLAGS_EXT).and_then(|a| a.u32().ok()).unwrap_or(0);
    for (on, word) in [
        (n.ndm_flags & NTF_ROUTER != 0, "router"),
        (n.ndm_flags & NTF_PROXY != 0, "proxy"),
        (ext & NTF_EXT_MANAGED != 0, "managed"),
        (n.ndm_flags & NTF_EXT_LEARNED != 0, "extern_learn"),
        (n.ndm_flags & NTF_OFFLOADED != 0, "offload"),
    ] {
        if on {
            let _ = write!(out, "{word} ");
        }
    }
    for (bit, word) in [
        (0x01, "INCOMPLETE"),
        (0x02, "REACHABLE"),
        (0x04, "STALE"),
        (0x08, "DELAY"),
        (0x10, "PROBE"),
        (0x20, "FAILED"),
        (0x40, "NOARP"),
        (0x80, "PERMANENT"),
    ] {
        if n.ndm_state & bit != 0 {
            let _ = write!(out, "{word} ");
        }
    }
    if let Some(p) = attr(NDA_PROTOCOL).and_then(|a| a.u8().ok()) {
        if p != 0 {
            let _ = write!(out, "proto {} ", Protocol(p));
        }
    }
}

/// `ip monitor nexthop`: `__print_nexthop_entry`.
fn nexthop(out: &mut String, n: &Nexthop, names: &Names) {
    let _ = write!(out, "id {} ", n.id);
    if !n.group.is_empty() {
        out.push_str("group ");
        for (i, m) in n.group.iter().enumerate() {
            if i > 0 {
                out.push('/');
            }
            let _ = write!(out, "{}", m.id);
            if m.weight != 1 {
                let _ = write!(out, ",{}", m.weight);
            }
        }
        out.push(' ');
    }
    if n.resilient.is_some() {
        out.push_str("type resilient ");
    }
    if let Some(g) = n.gateway {
        let _ = write!(out, "via {g} ");
    }
    if let Some(i) = n.oif {
        let _ = write!(out, "dev {} ", names.dev(i));
    }
    if n.scope != Scope::UNIVERSE {
        let _ = write!(out, "scope {} ", n.scope);
    }
    if n.blackhole {
        out.push_str("blackhole ");
    }
    if n.protocol != Protocol::UNSPEC {
        let _ = write!(out, "proto {} ", n.protocol);
    }
    route_flags(out, n.flags);
    if n.fdb {
        out.push_str("fdb");
    }
}

/// `ip monitor rule`: `print_rule`.
fn rule(out: &mut String, r: &RuleMsg<'_>) {
    const FRA_IFNAME: u16 = 3;
    const FRA_GOTO: u16 = 4;
    const FRA_FWMARK: u16 = 10;
    const FRA_FLOW: u16 = 11;
    const FRA_TUN_ID: u16 = 12;
    const FRA_SUPPRESS_IFGROUP: u16 = 13;
    const FRA_SUPPRESS_PREFIXLEN: u16 = 14;
    const FRA_FWMASK: u16 = 16;
    const FRA_OIFNAME: u16 = 17;
    const FRA_L3MDEV: u16 = 19;
    const FRA_UID_RANGE: u16 = 20;
    const FRA_PROTOCOL: u16 = 21;
    const FRA_IP_PROTO: u16 = 22;
    const FRA_SPORT_RANGE: u16 = 23;
    const FRA_DPORT_RANGE: u16 = 24;
    const FIB_RULE_INVERT: u32 = 0x02;
    const FIB_RULE_UNRESOLVED: u32 = 0x04;
    const FIB_RULE_IIF_DETACHED: u32 = 0x08;
    const FIB_RULE_OIF_DETACHED: u32 = 0x10;
    const FR_ACT_TO_TBL: u8 = 1;
    const FR_ACT_GOTO: u8 = 2;
    const FR_ACT_NOP: u8 = 3;
    const RTN_NAT: u8 = 10;
    let attr = |t: u16| Attrs::new(r.attrs).flatten().find(|a| a.ty == t);
    let host = if r.header.family == AF_INET6 { 128 } else { 32 };
    let _ = write!(out, "{}:\t", r.priority.unwrap_or(0));
    if r.header.flags & FIB_RULE_INVERT != 0 {
        out.push_str("not ");
    }
    match r.src {
        Some(s) => {
            let _ = write!(out, "from {s}");
            if r.header.src_len != host {
                let _ = write!(out, "/{}", r.header.src_len);
            }
        }
        None if r.header.src_len != 0 => {
            let _ = write!(out, "from 0/{}", r.header.src_len);
        }
        None => out.push_str("from all"),
    }
    match r.dst {
        Some(d) => {
            let _ = write!(out, " to {d}");
            if r.header.dst_len != host {
                let _ = write!(out, "/{}", r.header.dst_len);
            }
        }
        None if r.header.dst_len != 0 => {
            let _ = write!(out, " to 0/{}", r.header.dst_len);
        }
        None => {}
    }
    if r.header.tos != 0 {
        let _ = write!(out, " tos 0x{:02x}", r.header.tos);
    }
    let mark = attr(FRA_FWMARK).and_then(|a| a.u32().ok());
    let mask = attr(FRA_FWMASK).and_then(|a| a.u32().ok());
    if mark.is_some() || mask.is_some() {
        let _ = write!(out, " fwmark {:#x}", mark.unwrap_or(0));
        if let Some(m) = mask.filter(|m| *m != u32::MAX) {
            let _ = write!(out, "/{m:#x}");
        }
    }
    if let Some(i) = attr(FRA_IFNAME) {
        let _ = write!(out, " iif {}", String::from_utf8_lossy(i.bytes_z()));
        if r.header.flags & FIB_RULE_IIF_DETACHED != 0 {
            out.push_str(" [detached]");
        }
    }
    if let Some(o) = attr(FRA_OIFNAME) {
        let _ = write!(out, " oif {}", String::from_utf8_lossy(o.bytes_z()));
        if r.header.flags & FIB_RULE_OIF_DETACHED != 0 {
            out.push_str(" [detached]");
        }
    }
    if attr(FRA_L3MDEV).and_then(|a| a.u8().ok()).unwrap_or(0) != 0 {
        out.push_str(" lookup [l3mdev-table]");
    }
    if let Some(u) = attr(FRA_UID_RANGE).and_then(|a| a.fixed::<8>().ok()) {
        let start = u32::from_ne_bytes([u[0], u[1], u[2], u[3]]);
        let end = u32::from_ne_bytes([u[4], u[5], u[6], u[7]]);
        let _ = write!(out, " uidrange {start}-{end}");
    }
    if let Some(p) = attr(FRA_IP_PROTO).and_then(|a| a.u8().ok()) {
        match p {
            1 => out.push_str(" ipproto icmp"),
            6 => out.push_str(" ipproto tcp"),
            17 => out.push_str(" ipproto udp"),
            58 => out.push_str(" ipproto ipv6-icmp"),
            p => {
                let _ = write!(out, " ipproto {p}");
            }
        }
    }
    for (t, word) in [(FRA_SPORT_RANGE, "sport"), (FRA_DPORT_RANGE, "dport")] {
        if let Some(p) = attr(t).and_then(|a| a.fixed::<4>().ok()) {
            let start = u16::from_ne_bytes([p[0], p[1]]);
            let end = u16::from_ne_bytes([p[2], p[3]]);
            if start == end {
                let _ = write!(out, " {word} {start}");
            } else {
                let _ = write!(out, " {word} {start}-{end}");
            }
        }
    }
    if let Some(t) = attr(FRA_TUN_ID).and_then(|a| a.fixed::<8>().ok()) {
        let _ = write!(out, " tun_id {}", u64::from_be_bytes(t));
    }
    if r.table != 0 {
        let _ = write!(out, " lookup {}", table_name(r.table));
        if let Some(pl) = attr(FRA_SUPPRESS_PREFIXLEN).and_then(|a| a.i32().ok()) {
            if pl != -1 {
                let _ = write!(out, " suppress_prefixlength {pl}");
            }
        }
        if let Some(g) = attr(FRA_SUPPRESS_IFGROUP).and_then(|a| a.i32().ok()) {
            if g != -1 {
                if g == 0 {
                    out.push_str(" suppress_ifgroup default");
                } else {
                    let _ = write!(out, " suppress_ifgroup {g}");
                }
            }
        }
    }
    if let Some(flow) = attr(FRA_FLOW).and_then(|a| a.u32().ok()) {
        let (from, to) = (flow >> 16, flow & 0xffff);
        if from != 0 {
            let _ = write!(out, " realms {from}/");
        } else {
            out.push_str(" realms ");
        }
        let _ = write!(out, "{to}");
    }
    match r.header.action {
        RTN_NAT => out.push_str(" masquerade"),
        FR_ACT_GOTO => {
            match attr(FRA_GOTO).and_then(|a| a.u32().ok()) {
                Some(g) => {
                    let _ = write!(out, " goto {g}");
                }
                None => out.push_str(" goto none"),
            }
            if r.header.flags & FIB_RULE_UNRESOLVED != 0 {
                out.push_str(" [unresolved]");
            }
        }
        FR_ACT_NOP => out.push_str(" nop"),
        FR_ACT_TO_TBL => {}
        a => {
            let _ = write!(out, " {}", RouteType(a));
        }
    }
    if let Some(p) = attr(FRA_PROTOCOL).and_then(|a| a.u8().ok()) {
        if p != 0 && p != 2 {
            let _ = write!(out, " proto {}", Protocol(p));
        }
    }
}
