//! A small `ip` for an initramfs: std and `rtnl` only, no argument-parsing crate.
//!
//! ```text
//! cargo run --example ip -- link show
//! cargo run --example ip -- link add br0 type bridge
//! cargo run --example ip -- link set dev br0 up mtu 1400
//! cargo run --example ip -- addr add 10.0.0.1/24 dev br0
//! cargo run --example ip -- route add default via 10.0.0.254
//! cargo run --example ip -- -6 route show
//! ```
//!
//! `link show`, `addr show`, `route show` and `nexthop show` print what `ip -br link`,
//! `ip -br addr`, `ip route show` and `ip nexthop show` print, byte for byte (`tests/examples.rs` compares them on
//! the same namespace). A kernel refusal prints the kernel's own text, e.g.
//! `ip: RTM_NEWLINK: Operation not supported (os error 95): Unknown device type`,
//! and exits with 2 (as `ip` does; also for a device that does not exist); a mistake
//! on the command line exits with 1.
//!
//! Every command maps to one `rtnl` call (see the table in the README): this file is
//! also a catalogue of the API.

use rtnl::abi::*;
use rtnl::wire::nexthop::{GroupMember, NexthopRequest};
use rtnl::wire::route::{RouteMsg, RouteRequest};
use rtnl::wire::Message;
use rtnl::{Error, Handle, LinkKind, MacAddr};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::net::IpAddr;
use std::process::ExitCode;

const USAGE: &str = "\
Usage: ip [-4|-6] OBJECT COMMAND
OBJECT and COMMAND:
  link show [dev NAME]
  link add [name] NAME type veth [peer name PEER]
  link add [name] NAME type bridge
  link add [name] NAME type KIND
  link del|delete [dev] NAME
  link set [dev] NAME { up | down | mtu MTU | address MAC | name NEW |
                        master BRIDGE | nomaster } ...
  addr show [dev NAME]
  addr add|del ADDR[/PREFIX] dev NAME
  addr flush dev NAME
  route show [table TABLE|all]
  route add|replace|del { DST[/PREFIX] | default } [via GW] [dev NAME]
                        [nhid ID] [src ADDR] [metric N] [table TABLE]
  nexthop show [id ID]
  nexthop add|replace id ID { [via GW] [dev NAME] | blackhole | group ID[,W]/... }
  nexthop del id ID
  help
Options: -4 (IPv4 only), -6 (IPv6 only); -br is accepted (output is always brief).
Exit status: 0 ok, 1 bad command line, 2 the kernel (or the system) refused.";

/// What went wrong: a bad command line (exit 1, with usage) or an error from rtnl
/// (exit 2 when the kernel refused, else 1).
enum Fail {
    Usage(String),
    Rtnl(Error),
}

impl From<Error> for Fail {
    fn from(e: Error) -> Fail {
        Fail::Rtnl(e)
    }
}

type Res<T = ()> = Result<T, Fail>;

fn usage<T>(msg: impl Into<String>) -> Res<T> {
    Err(Fail::Usage(msg.into()))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Fail::Usage(m)) => {
            eprintln!("ip: {m}\n{USAGE}");
            ExitCode::from(1)
        }
        Err(Fail::Rtnl(e)) => {
            // The Display of rtnl::Error: operation, errno text and the kernel's
            // extended-ACK message, e.g. "RTM_NEWLINK: Operation not supported
            // (os error 95): Unknown device type".
            eprintln!("ip: {e}");
            ExitCode::from(match e {
                Error::Kernel { .. }
                | Error::NotFound { .. }
                | Error::Io { .. }
                | Error::Timeout { .. } => 2,
                _ => 1,
            })
        }
    }
}

/// iproute2's `matches()`: `arg` is a non-empty prefix of `word`.
fn matches(arg: &str, word: &str) -> bool {
    !arg.is_empty() && word.starts_with(arg)
}

/// The command line, consumed left to right.
struct Args<'a> {
    v: &'a [String],
    i: usize,
}

impl<'a> Args<'a> {
    fn next(&mut self) -> Option<&'a str> {
        let a = self.v.get(self.i)?;
        self.i += 1;
        Some(a.as_str())
    }
    /// The value after a keyword.
    fn value(&mut self, after: &str) -> Res<&'a str> {
        match self.next() {
            Some(v) => Ok(v),
            None => usage(format!("\"{after}\" needs a value")),
        }
    }
}

fn run(argv: &[String]) -> Res {
    let mut a = Args { v: argv, i: 0 };
    let mut family = AF_UNSPEC;
    let object = loop {
        match a.next() {
            Some("-4") => family = AF_INET,
            Some("-6") => family = AF_INET6,
            Some("-br" | "-brief") => {}
            Some("-h" | "-help" | "--help" | "help") => {
                println!("{USAGE}");
                return Ok(());
            }
            Some(o) if o.starts_with('-') => return usage(format!("unknown option \"{o}\"")),
            Some(o) => break o,
            None => return usage("no object given"),
        }
    };
    let mut h = Handle::new()?;
    if matches(object, "link") {
        link(&mut h, &mut a)
    } else if matches(object, "address") || object == "addr" {
        addr(&mut h, &mut a, family)
    } else if matches(object, "route") {
        route(&mut h, &mut a, family)
    } else if matches(object, "nexthop") {
        nexthop(&mut h, &mut a, family)
    } else {
        usage(format!("object \"{object}\" is unknown"))
    }
}

// ---------------------------------------------------------------------------------
// link
// ---------------------------------------------------------------------------------

fn link(h: &mut Handle, a: &mut Args<'_>) -> Res {
    let cmd = a.next().unwrap_or("show");
    match cmd {
        c if matches(c, "show") || c == "list" || c == "lst" => {
            let dev = show_dev_arg(a)?;
            let links = dump_links(h)?;
            let mut out = String::new();
            for l in links.iter().filter(|l| dev.map_or(true, |d| d == l.name)) {
                brief_link(&mut out, l, &links);
            }
            if let Some(d) = dev {
                if out.is_empty() {
                    return Err(Error::NotFound {
                        kind: "link",
                        name: d.to_owned(),
                    }
                    .into());
                }
            }
            print(&out);
            Ok(())
        }
        "add" => link_add(h, a),
        c if matches(c, "delete") => {
            let mut name = None;
            while let Some(x) = a.next() {
                match x {
                    "dev" => name = Some(a.value("dev")?),
                    x if name.is_none() => name = Some(x),
                    x => return usage(format!("unexpected \"{x}\"")),
                }
            }
            let Some(name) = name else {
                return usage("link del needs a device name");
            };
            // ip link del NAME  →  Handle::delete_link
            h.delete_link(name)?;
            Ok(())
        }
        "set" => link_set(h, a),
        c => usage(format!("command \"{c}\" is unknown for link")),
    }
}

/// `[dev] NAME` after `show`, or nothing.
fn show_dev_arg<'a>(a: &mut Args<'a>) -> Res<Option<&'a str>> {
    let mut dev = None;
    while let Some(x) = a.next() {
        match x {
            "dev" => dev = Some(a.value("dev")?),
            x if dev.is_none() && !x.starts_with('-') => dev = Some(x),
            x => return usage(format!("unexpected \"{x}\"")),
        }
    }
    Ok(dev)
}

fn link_add(h: &mut Handle, a: &mut Args<'_>) -> Res {
    let mut name = None;
    let mut kind = None;
    let mut peer = None;
    while let Some(x) = a.next() {
        match x {
            "name" | "dev" => name = Some(a.value(x)?),
            "type" => kind = Some(a.value("type")?),
            "peer" if kind == Some("veth") => {
                let p = a.value("peer")?;
                // `peer name P` as ip spells it; `peer P` accepted too.
                peer = Some(if p == "name" {
                    a.value("peer name")?
                } else {
                    p
                });
            }
            x if name.is_none() => name = Some(x),
            x => return usage(format!("unexpected \"{x}\"")),
        }
    }
    let Some(name) = name else {
        return usage("link add needs a name");
    };
    let Some(kind) = kind else {
        return usage("link add needs \"type KIND\"");
    };
    match (kind, peer) {
        // ip link add NAME type veth peer name P  →  Handle::add_veth_pair
        ("veth", Some(p)) => h.add_veth_pair(name, p)?,
        // ip link add NAME type bridge  →  Handle::add_bridge
        ("bridge", _) => h.add_bridge(name)?,
        // ip link add NAME type KIND  →  Handle::add_link(NAME, LinkKind::Other(KIND))
        (k, _) => h.add_link(name, LinkKind::Other(k))?,
    }
    Ok(())
}

/// `ip link set dev NAME up mtu 1400 master br0 ...`: every change goes into ONE
/// `RTM_NEWLINK` (a `LinkRequest`), as ip sends it, so they apply together or not
/// at all.
fn link_set(h: &mut Handle, a: &mut Args<'_>) -> Res {
    let mut dev = None;
    let mut flags = 0u32;
    let mut change = 0u32;
    let mut mtu = None;
    let mut mac: Option<MacAddr> = None;
    let mut new_name = None;
    let mut master: Option<&str> = None;
    let mut nomaster = false;
    while let Some(x) = a.next() {
        match x {
            "dev" => dev = Some(a.value("dev")?),
            "up" => {
                flags |= IFF_UP;
                change |= IFF_UP;
            }
            "down" => {
                flags &= !IFF_UP;
                change |= IFF_UP;
            }
            "mtu" => {
                let v = a.value("mtu")?;
                match v.parse::<u32>() {
                    Ok(m) => mtu = Some(m),
                    Err(_) => return usage(format!("invalid mtu \"{v}\"")),
                }
            }
            "address" => mac = Some(a.value("address")?.parse()?),
            "name" => new_name = Some(a.value("name")?),
            "master" => master = Some(a.value("master")?),
            "nomaster" => nomaster = true,
            x if dev.is_none() => dev = Some(x),
            x => return usage(format!("unexpected \"{x}\"")),
        }
    }
    let Some(dev) = dev else {
        return usage("link set needs a device");
    };
    rtnl::check_ifname(dev)?;
    if let Some(n) = new_name {
        rtnl::check_ifname(n)?;
    }
    let master_index = match (master, nomaster) {
        (Some(m), _) => Some(h.link_index(m)?),
        (None, true) => Some(0),
        (None, false) => None,
    };
    let req = rtnl::wire::link::LinkRequest {
        flags,
        change,
        mtu,
        address: mac.as_ref().map(|m| &m.0[..]),
        master: master_index,
        ..Default::default()
    };
    match new_name {
        // A rename selects the link by index; IFLA_IFNAME carries the new name.
        Some(n) => {
            let index = h.link_index(dev)?;
            h.set_link_by_index(
                index,
                rtnl::wire::link::LinkRequest {
                    name: Some(n),
                    ..req
                },
            )?
        }
        None => h.set_link(dev, req)?,
    }
    Ok(())
}

/// A link as `ip -br link` needs it: `LinkMsg` plus `IFLA_LINK_NETNSID`.
struct L {
    index: u32,
    name: String,
    flags: u32,
    operstate: Option<u8>,
    address: Option<Vec<u8>>,
    link_type: u16,
    /// `IFLA_LINK` (a veth's peer) and whether it lives in another namespace.
    link: Option<(u32, bool)>,
}

/// `ip link show`: one `RTM_GETLINK` dump through the handle's connection, read with
/// `LinkMsg::parse` plus one attribute it doesn't keep (`IFLA_LINK_NETNSID`).
fn dump_links(h: &mut Handle) -> Res<Vec<L>> {
    let mut buf = [0u8; 64];
    let n = rtnl::wire::link::emit_dump(&mut buf).map_err(|source| Error::Encode {
        op: "RTM_GETLINK",
        source,
    })?;
    let mut out = Vec::new();
    h.conn()
        .dump("RTM_GETLINK", &mut buf[..n], |m: &Message<'_>| {
            let bad = |source| Error::Malformed {
                op: "RTM_GETLINK",
                source,
            };
            let l = rtnl::wire::link::LinkMsg::parse(m).map_err(bad)?;
            let (_, attrs) = m.split::<IfInfoMsg>().map_err(bad)?;
            let other_ns = attrs.find(IFLA_LINK_NETNSID).map_err(bad)?.is_some();
            out.push(L {
                index: l.index,
                name: l.name.to_owned(),
                flags: l.flags,
                operstate: l.operstate,
                address: l.address.map(<[u8]>::to_vec),
                link_type: l.link_type,
                link: l.link.map(|i| (i, other_ns)),
            });
            Ok(())
        })?;
    Ok(out)
}

const OPER_STATES: [&str; 7] = [
    "UNKNOWN",
    "NOTPRESENT",
    "DOWN",
    "LOWERLAYERDOWN",
    "TESTING",
    "DORMANT",
    "UP",
];

/// `NAME@PEER` as ip prints it, and whether to add `M-DOWN` (the peer, in this
/// namespace, is down).
fn name_and_link(l: &L, all: &[L]) -> (String, bool) {
    match l.link {
        None => (l.name.clone(), false),
        Some((0, _)) => (format!("{}@NONE", l.name), false),
        Some((i, true)) => (format!("{}@if{i}", l.name), false),
        Some((i, false)) => match all.iter().find(|p| p.index == i) {
            Some(p) => (format!("{}@{}", l.name, p.name), p.flags & IFF_UP == 0),
            None => (format!("{}@if{i}", l.name), true),
        },
    }
}

/// The name and operational state columns shared by `link show` and `addr show`.
fn brief_head(out: &mut String, l: &L, all: &[L]) -> bool {
    let (name, m_down) = name_and_link(l, all);
    let _ = write!(out, "{name:<16} ");
    match l.operstate {
        Some(s) if (s as usize) < OPER_STATES.len() => {
            let _ = write!(out, "{:<14} ", OPER_STATES[s as usize]);
        }
        Some(s) => {
            let _ = write!(out, "state {s:#x}");
        }
        None => {}
    }
    m_down
}

/// One line of `ip -br link`.
fn brief_link(out: &mut String, l: &L, all: &[L]) {
    let m_down = brief_head(out, l, all);
    if let Some(a) = &l.address {
        let _ = write!(out, "{} ", ll_addr(a, l.link_type));
    }
    link_flags(out, l.flags, m_down);
    out.push('\n');
}

/// iproute2's `ll_addr_n2a`: tunnels show an IP address, everything else hex bytes.
fn ll_addr(a: &[u8], link_type: u16) -> String {
    const ARPHRD_TUNNEL: u16 = 768;
    const ARPHRD_TUNNEL6: u16 = 769;
    const ARPHRD_SIT: u16 = 776;
    const ARPHRD_IPGRE: u16 = 778;
    const ARPHRD_IP6GRE: u16 = 823;
    if let Ok(v4) = <[u8; 4]>::try_from(a) {
        if matches!(link_type, ARPHRD_TUNNEL | ARPHRD_SIT | ARPHRD_IPGRE) {
            return std::net::Ipv4Addr::from(v4).to_string();
        }
    }
    if let Ok(v6) = <[u8; 16]>::try_from(a) {
        if matches!(link_type, ARPHRD_TUNNEL6 | ARPHRD_IP6GRE) {
            return std::net::Ipv6Addr::from(v6).to_string();
        }
    }
    a.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// `<BROADCAST,MULTICAST,UP,LOWER_UP> `, in ip's order and spelling.
fn link_flags(out: &mut String, mut flags: u32, m_down: bool) {
    const NAMES: [(u32, &str); 18] = [
        (IFF_LOOPBACK, "LOOPBACK"),
        (IFF_BROADCAST, "BROADCAST"),
        (IFF_POINTOPOINT, "POINTOPOINT"),
        (IFF_MULTICAST, "MULTICAST"),
        (IFF_NOARP, "NOARP"),
        (IFF_ALLMULTI, "ALLMULTI"),
        (IFF_PROMISC, "PROMISC"),
        (IFF_MASTER, "MASTER"),
        (IFF_SLAVE, "SLAVE"),
        (IFF_DEBUG, "DEBUG"),
        (0x8000, "DYNAMIC"),
        (0x4000, "AUTOMEDIA"),
        (0x2000, "PORTSEL"),
        (IFF_NOTRAILERS, "NOTRAILERS"),
        (IFF_UP, "UP"),
        (IFF_LOWER_UP, "LOWER_UP"),
        (IFF_DORMANT, "DORMANT"),
        (0x40000, "ECHO"),
    ];
    out.push('<');
    if flags & IFF_UP != 0 && flags & IFF_RUNNING == 0 {
        out.push_str("NO-CARRIER,");
    }
    flags &= !IFF_RUNNING;
    for (bit, name) in NAMES {
        if flags & bit != 0 {
            flags &= !bit;
            out.push_str(name);
            if flags != 0 {
                out.push(',');
            }
        }
    }
    if flags != 0 {
        let _ = write!(out, "{flags:x}");
    }
    if m_down {
        out.push_str(",M-DOWN");
    }
    out.push_str("> ");
}

// ---------------------------------------------------------------------------------
// addr
// ---------------------------------------------------------------------------------

fn addr(h: &mut Handle, a: &mut Args<'_>, family: u8) -> Res {
    let cmd = a.next().unwrap_or("show");
    match cmd {
        c if matches(c, "show") || c == "list" || c == "lst" => {
            let dev = show_dev_arg(a)?;
            addr_show(h, dev, family)
        }
        "add" | "del" | "delete" => {
            let mut dev = None;
            let mut prefix = None;
            while let Some(x) = a.next() {
                match x {
                    "dev" => dev = Some(a.value("dev")?),
                    "local" => prefix = Some(a.value("local")?),
                    x if prefix.is_none() => prefix = Some(x),
                    x => return usage(format!("unexpected \"{x}\"")),
                }
            }
            let (Some(dev), Some(prefix)) = (dev, prefix) else {
                return usage(format!("addr {cmd} needs ADDR[/PREFIX] and dev NAME"));
            };
            let (ip, len) = parse_prefix(prefix, family)?;
            let index = h.link_index(dev)?;
            if cmd == "add" {
                // ip addr add A/N dev X  →  Handle::add_address
                h.add_address(index, ip, len)?;
            } else {
                // ip addr del A/N dev X  →  Handle::delete_address
                h.delete_address(index, ip, len)?;
            }
            Ok(())
        }
        "flush" => {
            let dev = show_dev_arg(a)?;
            let Some(dev) = dev else {
                return usage("addr flush needs dev NAME");
            };
            // ip addr flush dev X  →  Handle::flush_addresses (one batch)
            h.flush_addresses(dev)?;
            Ok(())
        }
        c => usage(format!("command \"{c}\" is unknown for addr")),
    }
}

/// `ip -br addr [show dev NAME]`: one line per link, its addresses in dump order.
fn addr_show(h: &mut Handle, dev: Option<&str>, family: u8) -> Res {
    let links = dump_links(h)?;
    // ip addr show  →  Handle::for_each_address (streamed dump)
    let mut addrs: Vec<rtnl::wire::addr::AddrMsg> = Vec::new();
    h.for_each_address(AF_UNSPEC, |m| addrs.push(*m))?;
    let mut out = String::new();
    let mut found = false;
    for l in &links {
        if dev.is_some_and(|d| d != l.name) {
            continue;
        }
        found = true;
        let mine: Vec<_> = addrs.iter().filter(|m| m.index == l.index).collect();
        let wanted: Vec<_> = mine
            .iter()
            .filter(|m| family == AF_UNSPEC || m.family == family)
            .collect();
        // ip -4/-6 hides links without an address of that family.
        if family != AF_UNSPEC && wanted.is_empty() {
            continue;
        }
        brief_head(&mut out, l, &links);
        for m in wanted {
            let Some(local) = m.address else { continue };
            let _ = write!(out, "{local}");
            if let Some(peer) = m.peer.filter(|p| *p != local) {
                let _ = write!(out, " peer {peer}");
            }
            let _ = write!(out, "/{} ", m.prefix_len);
        }
        out.push('\n');
    }
    if let (Some(d), false) = (dev, found) {
        return Err(Error::NotFound {
            kind: "link",
            name: d.to_owned(),
        }
        .into());
    }
    print(&out);
    Ok(())
}

/// `ADDR[/LEN]`; without `/LEN` a host prefix (32 or 128), as ip does.
fn parse_prefix(s: &str, family: u8) -> Res<(IpAddr, u8)> {
    let (a, l) = match s.split_once('/') {
        Some((a, l)) => (a, Some(l)),
        None => (s, None),
    };
    let Ok(ip) = a.parse::<IpAddr>() else {
        return usage(format!("invalid address \"{a}\""));
    };
    let fam = if ip.is_ipv4() { AF_INET } else { AF_INET6 };
    if family != AF_UNSPEC && family != fam {
        return usage(format!("\"{a}\" is not of the requested family"));
    }
    let max = if ip.is_ipv4() { 32 } else { 128 };
    let len = match l {
        None => max,
        Some(l) => match l.parse::<u8>() {
            Ok(n) => n,
            Err(_) => return usage(format!("invalid prefix length in \"{s}\"")),
        },
    };
    // A prefix longer than the address is refused by rtnl before any syscall.
    rtnl::check_prefix(ip, len)?;
    Ok((ip, len))
}

// ---------------------------------------------------------------------------------
// route
// ---------------------------------------------------------------------------------

fn route(h: &mut Handle, a: &mut Args<'_>, family: u8) -> Res {
    let cmd = a.next().unwrap_or("show");
    match cmd {
        c if matches(c, "show") || c == "list" || c == "lst" => {
            let mut table = Some(RT_TABLE_MAIN as u32);
            while let Some(x) = a.next() {
                match x {
                    "table" => {
                        let t = a.value("table")?;
                        table = if t == "all" {
                            None
                        } else {
                            Some(parse_table(t)?)
                        };
                    }
                    x => return usage(format!("unexpected \"{x}\"")),
                }
            }
            // `ip route show` is IPv4 only unless -6 is given; `table all` shows both.
            let family = if family == AF_UNSPEC && table.is_some() {
                AF_INET
            } else {
                family
            };
            route_show(h, family, table)
        }
        "add" | "replace" | "del" | "delete" => {
            let delete = cmd.starts_with("del");
            let r = route_request(h, a, family, delete)?;
            match cmd {
                // ip route add ...  →  Handle::add_route(&RouteRequest)
                "add" => h.add_route(&r)?,
                // ip route replace ...  →  Handle::replace_route
                "replace" => h.replace_route(&r)?,
                // ip route del ...  →  Handle::delete_route
                _ => h.delete_route(&r)?,
            }
            Ok(())
        }
        c => usage(format!("command \"{c}\" is unknown for route")),
    }
}

/// Fills a `RouteRequest` the way `ip route add|replace|del` fills its `rtmsg`:
/// protocol `boot`, universe scope and unicast for add/replace, link scope when
/// there is no gateway; for delete protocol 0, scope `nowhere` and type 0, so that
/// the kernel matches any route to that destination.
fn route_request(h: &mut Handle, a: &mut Args<'_>, family: u8, delete: bool) -> Res<RouteRequest> {
    let mut dst: Option<(Option<IpAddr>, u8)> = None;
    let mut via = None;
    let mut dev = None;
    let mut src = None;
    let mut metric = None;
    let mut table = RT_TABLE_MAIN as u32;
    let mut nhid = None;
    while let Some(x) = a.next() {
        match x {
            "via" => via = Some(parse_ip(a.value("via")?)?),
            "nhid" => nhid = Some(parse_nh_id(a.value("nhid")?)?),
            "dev" | "oif" => dev = Some(a.value(x)?),
            "src" => src = Some(parse_ip(a.value("src")?)?),
            "metric" | "priority" | "preference" => {
                let v = a.value(x)?;
                match v.parse::<u32>() {
                    Ok(m) => metric = Some(m),
                    Err(_) => return usage(format!("invalid metric \"{v}\"")),
                }
            }
            "table" => table = parse_table(a.value("table")?)?,
            "to" => dst = Some(parse_dst(a.value("to")?, family)?),
            x if dst.is_none() => dst = Some(parse_dst(x, family)?),
            x => return usage(format!("unexpected \"{x}\"")),
        }
    }
    let Some((dst, dst_len)) = dst else {
        return usage("route needs a destination (PREFIX or default)");
    };
    let fam_of = |a: IpAddr| if a.is_ipv4() { AF_INET } else { AF_INET6 };
    let fam = dst
        .or(via)
        .or(src)
        .map(fam_of)
        .unwrap_or(if family == AF_UNSPEC { AF_INET } else { family });
    for x in [dst, via, src].into_iter().flatten() {
        if fam_of(x) != fam {
            return usage(format!("{x} is not of the route's address family"));
        }
    }
    let mut r = RouteRequest::new(fam);
    r.dst = dst;
    r.dst_len = dst_len;
    r.gateway = via;
    r.prefsrc = src;
    r.priority = metric;
    r.table = table;
    r.nexthop_id = nhid;
    if let Some(d) = dev {
        r.oif = Some(h.link_index(d)?);
    }
    if delete {
        r.protocol = RTPROT_UNSPEC;
        r.kind = RTN_UNSPEC;
        r.scope = if fam == AF_INET6 {
            RT_SCOPE_UNIVERSE
        } else {
            RT_SCOPE_NOWHERE
        };
    } else if via.is_none() && nhid.is_none() && fam == AF_INET {
        r.scope = RT_SCOPE_LINK;
    }
    Ok(r)
}

fn parse_ip(s: &str) -> Res<IpAddr> {
    match s.parse() {
        Ok(a) => Ok(a),
        Err(_) => usage(format!("invalid address \"{s}\"")),
    }
}

/// `default` or `ADDR[/LEN]`, host bits cleared (the kernel refuses them set).
fn parse_dst(s: &str, family: u8) -> Res<(Option<IpAddr>, u8)> {
    if s == "default" || s == "all" || s == "any" {
        return Ok((None, 0));
    }
    let (ip, len) = parse_prefix(s, family)?;
    let masked = match ip {
        IpAddr::V4(v) => {
            let m = if len == 0 { 0 } else { u32::MAX << (32 - len) };
            IpAddr::V4((u32::from(v) & m).into())
        }
        IpAddr::V6(v) => {
            let m = if len == 0 {
                0
            } else {
                u128::MAX << (128 - len)
            };
            IpAddr::V6((u128::from(v) & m).into())
        }
    };
    if masked != ip {
        return usage(format!(
            "invalid prefix \"{s}\": host bits set (did you mean {masked}/{len}?)"
        ));
    }
    Ok((if len == 0 { None } else { Some(ip) }, len))
}

fn parse_table(s: &str) -> Res<u32> {
    match s {
        "main" => Ok(RT_TABLE_MAIN as u32),
        "local" => Ok(RT_TABLE_LOCAL as u32),
        "default" => Ok(RT_TABLE_DEFAULT as u32),
        n => match n.parse::<u32>() {
            Ok(t) if t != 0 => Ok(t),
            _ => usage(format!("invalid table \"{s}\"")),
        },
    }
}

/// The attributes of one route that `ip route show` prints, beyond `RouteMsg`.
#[derive(Default)]
struct Extra {
    src: Option<(IpAddr, u8)>,
    nhid: Option<u32>,
    pref: Option<u8>,
    expires: i32,
    error: u32,
    metrics: Vec<(u16, u32, Option<String>)>,
    lock: u32,
    multipath: bool,
}

fn route_extra(m: &Message<'_>) -> Result<Extra, rtnl::wire::WireError> {
    let (h, attrs) = m.split::<RtMsg>()?;
    let mut e = Extra::default();
    for a in attrs {
        let a = a?;
        match a.ty {
            RTA_SRC => e.src = Some((a.ip()?, h.rtm_src_len)),
            RTA_NH_ID => e.nhid = Some(a.u32()?),
            RTA_PREF => e.pref = Some(a.u8()?),
            RTA_MULTIPATH => e.multipath = true,
            RTA_CACHEINFO if a.value.len() >= 16 => {
                // struct rta_cacheinfo: clntref, lastuse, expires (s32), error, ...
                e.expires = i32::from_ne_bytes(a.value[8..12].try_into().unwrap_or([0; 4]));
                e.error = u32::from_ne_bytes(a.value[12..16].try_into().unwrap_or([0; 4]));
            }
            RTA_METRICS => {
                for mx in a.nested() {
                    let mx = mx?;
                    match mx.ty {
                        1 => e.lock = mx.u32()?,
                        16 => e.metrics.push((16, 0, Some(mx.str()?.to_owned()))),
                        t => e.metrics.push((t, mx.u32()?, None)),
                    }
                }
            }
            _ => {}
        }
    }
    Ok(e)
}

/// `ip [-6] route show [table T]`: one `RTM_GETROUTE` dump, printed as ip prints it.
fn route_show(h: &mut Handle, family: u8, table: Option<u32>) -> Res {
    let names: HashMap<u32, String> = dump_links(h)?
        .into_iter()
        .map(|l| (l.index, l.name))
        .collect();
    let mut buf = [0u8; 64];
    let n = rtnl::wire::route::emit_dump(&mut buf, family, table, None).map_err(|source| {
        Error::Encode {
            op: "RTM_GETROUTE",
            source,
        }
    })?;
    let mut out = String::new();
    h.conn()
        .dump("RTM_GETROUTE", &mut buf[..n], |m: &Message<'_>| {
            let bad = |source| Error::Malformed {
                op: "RTM_GETROUTE",
                source,
            };
            let r = RouteMsg::parse(m).map_err(bad)?;
            if (family != AF_UNSPEC && r.family != family)
                || table.is_some_and(|t| t != r.table)
                || r.flags & RTM_F_CLONED != 0
            {
                return Ok(());
            }
            let e = route_extra(m).map_err(bad)?;
            route_line(&mut out, &r, &e, table.is_none(), &names);
            Ok(())
        })?;
    print(&out);
    Ok(())
}

fn route_line(out: &mut String, r: &RouteMsg, e: &Extra, all: bool, names: &HashMap<u32, String>) {
    let host_len = if r.family == AF_INET { 32 } else { 128 };
    if r.kind != RTN_UNICAST {
        let _ = write!(out, "{} ", rtn_name(r.kind));
    }
    match r.dst {
        Some(d) if r.dst_len != host_len => {
            let _ = write!(out, "{d}/{} ", r.dst_len);
        }
        Some(d) => {
            let _ = write!(out, "{d} ");
        }
        None if r.dst_len != 0 => {
            let _ = write!(out, "0/{}  ", r.dst_len);
        }
        None => out.push_str("default "),
    }
    if let Some((s, l)) = e.src {
        if l != host_len {
            let _ = write!(out, "from {s}/{l} ");
        } else {
            let _ = write!(out, "from {s} ");
        }
    }
    if let Some(id) = e.nhid {
        let _ = write!(out, "nhid {id} ");
    }
    if let Some(g) = r.gateway {
        let _ = write!(out, "via {g} ");
    }
    if let Some(o) = r.oif {
        match names.get(&o) {
            Some(n) => {
                let _ = write!(out, "dev {n} ");
            }
            None => {
                let _ = write!(out, "dev if{o} ");
            }
        }
    }
    if all && r.table != RT_TABLE_MAIN as u32 {
        let _ = write!(out, "table {} ", table_name(r.table));
    }
    if r.flags & RTM_F_CLONED == 0 {
        if r.protocol != RTPROT_BOOT {
            let _ = write!(out, "proto {} ", proto_name(r.protocol));
        }
        if r.scope != RT_SCOPE_UNIVERSE {
            let _ = write!(out, "scope {} ", scope_name(r.scope));
        }
    }
    if let Some(s) = r.prefsrc {
        let _ = write!(out, "src {s} ");
    }
    if let Some(p) = r.priority {
        let _ = write!(out, "metric {p} ");
    }
    const RT_FLAGS: [(u32, &str); 11] = [
        (1, "dead"),
        (4, "onlink"),
        (2, "pervasive"),
        (8, "offload"),
        (0x40, "trap"),
        (RTM_F_NOTIFY, "notify"),
        (0x10, "linkdown"),
        (0x20, "unresolved"),
        (RTM_F_OFFLOAD, "rt_offload"),
        (RTM_F_TRAP, "rt_trap"),
        (0x2000_0000, "rt_offload_failed"),
    ];
    for (bit, name) in RT_FLAGS {
        if r.flags & bit != 0 {
            let _ = write!(out, "{name} ");
        }
    }
    // USER_HZ is 100 on every Linux ABI.
    if e.expires != 0 {
        let _ = write!(out, "expires {}sec ", e.expires / 100);
    }
    if e.error != 0 {
        let _ = write!(out, "error {} ", e.error);
    }
    metrics(out, e);
    if let Some(p) = e.pref {
        match p {
            3 => out.push_str("pref low"),
            0 => out.push_str("pref medium"),
            1 => out.push_str("pref high"),
            p => {
                let _ = write!(out, "{p}");
            }
        }
    }
    if e.multipath {
        out.push_str("(multipath next hops not shown by this example)");
    }
    out.push('\n');
}

/// `RTA_METRICS` as ip prints them (`mtu 1400 `, `mtu lock 1400 `, `rtt 3ms `...).
fn metrics(out: &mut String, e: &Extra) {
    const NAMES: [&str; 18] = [
        "",
        "",
        "mtu",
        "window",
        "rtt",
        "rttvar",
        "ssthresh",
        "cwnd",
        "advmss",
        "reordering",
        "hoplimit",
        "initcwnd",
        "features",
        "rto_min",
        "initrwnd",
        "quickack",
        "congctl",
        "fastopen_no_cookie",
    ];
    for i in 2u16..18 {
        let m = e.metrics.iter().find(|m| m.0 == i);
        let locked = e.lock & (1 << i) != 0;
        if m.is_none() && !locked {
            continue;
        }
        let val = m.map_or(0, |m| m.1);
        if i == 10 && val as i32 == -1 {
            continue;
        }
        let _ = write!(out, "{} ", NAMES[i as usize]);
        if locked {
            out.push_str("lock ");
        }
        match i {
            12 if val & 1 != 0 => {
                out.push_str("ecn ");
                if val & !1 != 0 {
                    let _ = write!(out, "{:#x} ", val & !1);
                }
            }
            12 => {
                let _ = write!(out, "{val:#x} ");
            }
            4 | 5 | 13 => {
                let v = match i {
                    4 => val / 8,
                    5 => val / 4,
                    _ => val,
                };
                if v >= 1000 {
                    let _ = write!(out, "{}s ", f64::from(v) / 1e3);
                } else {
                    let _ = write!(out, "{v}ms ");
                }
            }
            16 => {
                let _ = write!(out, "{} ", m.and_then(|m| m.2.as_deref()).unwrap_or(""));
            }
            _ => {
                let _ = write!(out, "{val} ");
            }
        }
    }
}

fn rtn_name(t: u8) -> String {
    const N: [&str; 12] = [
        "unspec",
        "unicast",
        "local",
        "broadcast",
        "anycast",
        "multicast",
        "blackhole",
        "unreachable",
        "prohibit",
        "throw",
        "nat",
        "xresolve",
    ];
    N.get(t as usize).map_or(t.to_string(), |s| (*s).to_owned())
}

// ---------------------------------------------------------------------------------
// nexthop
// ---------------------------------------------------------------------------------

fn nexthop(h: &mut Handle, a: &mut Args<'_>, family: u8) -> Res {
    let cmd = a.next().unwrap_or("show");
    match cmd {
        c if matches(c, "show") || c == "list" || c == "lst" => {
            let mut only = None;
            while let Some(x) = a.next() {
                match x {
                    "id" => only = Some(parse_nh_id(a.value("id")?)?),
                    x => return usage(format!("unexpected \"{x}\"")),
                }
            }
            nexthop_show(h, family, only)
        }
        "add" | "replace" => {
            let mut id = None;
            let mut via = None;
            let mut dev = None;
            let mut blackhole = false;
            let mut group = Vec::new();
            while let Some(x) = a.next() {
                match x {
                    "id" => id = Some(parse_nh_id(a.value("id")?)?),
                    "via" => via = Some(parse_ip(a.value("via")?)?),
                    "dev" => dev = Some(a.value("dev")?),
                    "blackhole" => blackhole = true,
                    "group" => group = parse_group(a.value("group")?)?,
                    x => return usage(format!("unexpected \"{x}\"")),
                }
            }
            let Some(id) = id else {
                return usage("nexthop add needs an id");
            };
            let oif = match dev {
                Some(d) => Some(h.link_index(d)?),
                None => None,
            };
            // -4/-6 or, without them, the gateway's family (rtnl checks they agree).
            let r = NexthopRequest {
                family,
                id,
                gateway: via,
                oif,
                blackhole,
                group: &group,
                ..Default::default()
            };
            if cmd == "add" {
                // ip nexthop add ...  →  Handle::add_nexthop(&NexthopRequest)
                h.add_nexthop(&r)?;
            } else {
                // ip nexthop replace ...  →  Handle::replace_nexthop(&NexthopRequest)
                h.replace_nexthop(&r)?;
            }
            Ok(())
        }
        "del" | "delete" => {
            if a.next() != Some("id") {
                return usage("nexthop del needs: id ID");
            }
            // ip nexthop del id ID  →  Handle::delete_nexthop(id)
            let id = parse_nh_id(a.value("id")?)?;
            h.delete_nexthop(id)?;
            Ok(())
        }
        c => usage(format!("nexthop command \"{c}\" is unknown")),
    }
}

fn parse_nh_id(s: &str) -> Res<u32> {
    match s.parse::<u32>() {
        Ok(n) if n > 0 => Ok(n),
        _ => usage(format!("invalid nexthop id \"{s}\"")),
    }
}

/// `ID[,WEIGHT]/ID[,WEIGHT]/...`, as iproute2 reads it.
fn parse_group(s: &str) -> Res<Vec<GroupMember>> {
    s.split('/')
        .map(|m| {
            let (id, w) = m.split_once(',').unwrap_or((m, "1"));
            match w.parse::<u16>() {
                Ok(weight) => Ok(GroupMember {
                    id: parse_nh_id(id)?,
                    weight,
                }),
                Err(_) => usage(format!("invalid weight \"{w}\"")),
            }
        })
        .collect()
}

/// `ip nexthop show`: `id ID` then the group, or `via`/`dev`/`scope`, or
/// `blackhole`; then `proto` unless 0; every field followed by a space.
fn nexthop_show(h: &mut Handle, family: u8, only: Option<u32>) -> Res {
    // ip nexthop show  →  Handle::nexthops()
    let all = h.nexthops()?;
    let names: HashMap<u32, String> = h.links()?.into_iter().map(|l| (l.index, l.name)).collect();
    let mut out = String::new();
    for n in &all {
        if only.is_some_and(|id| id != n.id) || (family != AF_UNSPEC && n.family != family) {
            continue;
        }
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
        if let Some(g) = n.gateway {
            let _ = write!(out, "via {g} ");
        }
        if n.blackhole {
            out.push_str("blackhole ");
        }
        if let Some(i) = n.oif {
            match names.get(&i) {
                Some(name) => {
                    let _ = write!(out, "dev {name} ");
                }
                None => {
                    let _ = write!(out, "dev if{i} ");
                }
            }
        }
        if n.scope != RT_SCOPE_UNIVERSE {
            let _ = write!(out, "scope {} ", scope_name(n.scope));
        }
        if n.protocol != 0 {
            let _ = write!(out, "proto {} ", proto_name(n.protocol));
        }
        out.push('\n');
    }
    if only.is_some() && out.is_empty() {
        return Err(Fail::Rtnl(Error::Kernel {
            op: "RTM_GETNEXTHOP",
            errno: libc::ENOENT,
            message: None,
        }));
    }
    print(&out);
    Ok(())
}

fn proto_name(p: u8) -> String {
    let s = match p {
        0 => "unspec",
        1 => "redirect",
        2 => "kernel",
        3 => "boot",
        4 => "static",
        8 => "gated",
        9 => "ra",
        10 => "mrt",
        11 => "zebra",
        12 => "bird",
        13 => "dnrouted",
        14 => "xorp",
        15 => "ntk",
        16 => "dhcp",
        18 => "keepalived",
        42 => "babel",
        99 => "openr",
        186 => "bgp",
        187 => "isis",
        188 => "ospf",
        189 => "rip",
        192 => "eigrp",
        p => return p.to_string(),
    };
    s.to_owned()
}

fn scope_name(s: u8) -> String {
    match s {
        RT_SCOPE_UNIVERSE => "global".into(),
        RT_SCOPE_SITE => "site".into(),
        RT_SCOPE_LINK => "link".into(),
        RT_SCOPE_HOST => "host".into(),
        RT_SCOPE_NOWHERE => "nowhere".into(),
        s => s.to_string(),
    }
}

fn table_name(t: u32) -> String {
    match t {
        253 => "default".into(),
        254 => "main".into(),
        255 => "local".into(),
        t => t.to_string(),
    }
}

/// Writes `s` to stdout; a closed pipe (`| head`) is not an error.
fn print(s: &str) {
    let _ = std::io::stdout().lock().write_all(s.as_bytes());
}
