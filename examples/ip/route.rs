//! `ip route show|get|add|replace|append|del`.

use crate::cli::{
    is_show, parse_ip, parse_prefix, parse_table, print, table_name, usage, Args, Names, Res,
};
use crate::nexthop::parse_nh_id;
use rtnl::abi::{RTAX_CC_ALGO, RTAX_LOCK};
use rtnl::{
    Family, Handle, Hop, Protocol, Route, RouteFilter, RouteFlags, RouteGet, RouteType, Scope,
};
use std::fmt::Write as _;
use std::net::IpAddr;

pub fn run(h: &mut Handle, a: &mut Args<'_>, family: Family) -> Res {
    let cmd = a.next().unwrap_or("show");
    match cmd {
        c if is_show(c) => {
            let mut table = Some(254);
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
            let family = if family == Family::UNSPEC && table.is_some() {
                Family::INET
            } else {
                family
            };
            show(h, family, table)
        }
        "get" => get(h, a, family),
        "add" | "replace" | "append" | "prepend" | "change" | "del" | "delete" => {
            let delete = cmd.starts_with("del");
            let r = parse_route(h, a, family, delete)?;
            match cmd {
                // ip route add ...  →  Handle::add(&Route)
                "add" => h.add(&r)?,
                // ip route replace ...  →  Handle::replace(&Route)
                "replace" => h.replace(&r)?,
                // ip route append ...  →  Handle::append(&Route) (ECMP: one more path)
                "append" => h.append(&r)?,
                // ip route prepend ...  →  Handle::prepend(&Route)
                "prepend" => h.prepend(&r)?,
                // ip route change ...  →  Handle::change(&Route)
                "change" => h.change(&r)?,
                // ip route del ...  →  Handle::delete(&Route)
                _ => h.delete(&r)?,
            }
            Ok(())
        }
        c => usage(format!("command \"{c}\" is unknown for route")),
    }
}

/// Fills a `Route` the way `ip route add|replace|del` fills its `rtmsg`: protocol
/// `boot`, universe scope and unicast for add/replace, link scope when there is no
/// gateway; for delete protocol 0, scope `nowhere` and type 0, so that the kernel
/// matches any route to that destination.
fn parse_route(h: &mut Handle, a: &mut Args<'_>, family: Family, delete: bool) -> Res<Route> {
    let mut dst: Option<(Option<IpAddr>, u8)> = None;
    let mut kind = None;
    let mut r = Route::new(Family::UNSPEC);
    let mut dev = None;
    let mut via_family = false;
    while let Some(x) = a.next() {
        match x {
            "via" => {
                // `via inet6 GW`: a gateway of the other family, on purpose (RTA_VIA).
                let v = a.value("via")?;
                if v == "inet" || v == "inet6" {
                    via_family = true;
                    r.gateway = Some(parse_ip(a.value("via")?)?);
                } else {
                    r.gateway = Some(parse_ip(v)?);
                }
            }
            "nhid" => r.nexthop_id = Some(parse_nh_id(a.value("nhid")?)?),
            "dev" | "oif" => dev = Some(a.value(x)?),
            "src" => r.prefsrc = Some(parse_ip(a.value("src")?)?),
            "metric" | "priority" | "preference" => r.priority = Some(a.number(x)?),
            "table" => r.table = parse_table(a.value("table")?)?,
            "onlink" => r.flags |= RouteFlags::ONLINK,
            "nexthop" => {
                r.multipath = parse_hops(h, a)?;
                break;
            }
            "to" => dst = Some(parse_dst(a.value("to")?, family)?),
            t @ ("unicast" | "blackhole" | "unreachable" | "prohibit" | "throw" | "local"
            | "broadcast" | "anycast" | "multicast")
                if dst.is_none() =>
            {
                kind = RouteType::from_name(t)
            }
            x if dst.is_none() => dst = Some(parse_dst(x, family)?),
            x => return usage(format!("unexpected \"{x}\"")),
        }
    }
    let Some((d, dst_len)) = dst else {
        return usage("route needs a destination (PREFIX or default)");
    };
    let hop_gw = r.multipath.first().and_then(|h| h.gateway);
    let fam = d
        .or(r.gateway)
        .or(r.prefsrc)
        .or(hop_gw)
        .map(Family::of)
        .unwrap_or(if family == Family::UNSPEC {
            Family::INET
        } else {
            family
        });
    let gw = r.gateway.filter(|_| !via_family);
    for x in [d, gw, r.prefsrc].into_iter().flatten() {
        if Family::of(x) != fam {
            return usage(format!("{x} is not of the route's address family"));
        }
    }
    r.family = fam;
    r.dst = d;
    r.dst_len = dst_len;
    if let Some(k) = kind {
        r.kind = k;
    }
    if let Some(d) = dev {
        r.oif = Some(h.link_index(d)?);
    }
    if delete {
        r.protocol = Protocol::UNSPEC;
        r.kind = kind.unwrap_or(RouteType::UNSPEC);
        r.scope = if fam == Family::INET6 {
            Scope::UNIVERSE
        } else {
            Scope::NOWHERE
        };
    } else if r.gateway.is_none()
        && r.nexthop_id.is_none()
        && r.multipath.is_empty()
        && r.kind == RouteType::UNICAST
        && fam == Family::INET
    {
        r.scope = Scope::LINK;
    } else if r.kind == RouteType::LOCAL {
        r.scope = Scope::HOST;
    }
    Ok(r)
}

/// `nexthop via GW dev X weight W [onlink] nexthop ...`: the rest of the line.
fn parse_hops(h: &mut Handle, a: &mut Args<'_>) -> Res<Vec<Hop>> {
    let mut hops = vec![Hop {
        weight: 1,
        ..Default::default()
    }];
    while let Some(x) = a.next() {
        let hop = hops.last_mut().expect("one hop at least");
        match x {
            "nexthop" => hops.push(Hop {
                weight: 1,
                ..Default::default()
            }),
            "via" => hop.gateway = Some(parse_ip(a.value("via")?)?),
            "dev" => hop.oif = h.link_index(a.value("dev")?)?,
            "weight" => hop.weight = a.number("weight")?,
            "onlink" => hop.flags |= RouteFlags::ONLINK,
            x => return usage(format!("unexpected \"{x}\" in nexthop")),
        }
    }
    Ok(hops)
}

/// `default` or `ADDR[/LEN]`; host bits set are refused, as ip does.
fn parse_dst(s: &str, family: Family) -> Res<(Option<IpAddr>, u8)> {
    if s == "default" || s == "all" || s == "any" {
        return Ok((None, 0));
    }
    let (ip, len) = parse_prefix(s, family)?;
    let masked = match Route::to(ip, len)?.dst {
        Some(m) => m,
        None => return Ok((None, 0)),
    };
    if masked != ip {
        return usage(format!(
            "invalid prefix \"{s}\": host bits set (did you mean {masked}/{len}?)"
        ));
    }
    Ok((Some(ip), len))
}

/// `ip [-6] route show [table T]`: one `RTM_GETROUTE` dump the kernel filters by
/// table, printed as ip prints it.
fn show(h: &mut Handle, family: Family, table: Option<u32>) -> Res {
    let names = Names::read(h)?;
    // ip route show table T  →  Handle::routes(&RouteFilter { family, table, .. })
    let routes = h.routes(&RouteFilter {
        family,
        table,
        ..Default::default()
    })?;
    let mut out = String::new();
    for r in routes.iter() {
        if r.flags.contains(RouteFlags::CLONED) {
            continue;
        }
        line(&mut out, r, table.is_none(), &names);
    }
    print(&out);
    Ok(())
}

pub fn line(out: &mut String, r: &Route, all: bool, names: &Names) {
    let host_len = if r.family == Family::INET { 32 } else { 128 };
    if r.kind != RouteType::UNICAST {
        let _ = write!(out, "{} ", r.kind);
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
    if let Some(s) = r.src {
        if r.src_len != host_len {
            let _ = write!(out, "from {s}/{} ", r.src_len);
        } else {
            let _ = write!(out, "from {s} ");
        }
    }
    if let Some(id) = r.nexthop_id {
        let _ = write!(out, "nhid {id} ");
    }
    if let Some(g) = r.gateway {
        let _ = write!(out, "via {g} ");
    }
    if let Some(o) = r.oif {
        let _ = write!(out, "dev {} ", names.dev(o));
    }
    if all && r.table != 254 {
        let _ = write!(out, "table {} ", table_name(r.table));
    }
    if !r.flags.contains(RouteFlags::CLONED) {
        if r.protocol != Protocol::BOOT {
            let _ = write!(out, "proto {} ", r.protocol);
        }
        if r.scope != Scope::UNIVERSE {
            let _ = write!(out, "scope {} ", r.scope);
        }
    }
    if let Some(s) = r.prefsrc {
        let _ = write!(out, "src {s} ");
    }
    if let Some(p) = r.priority {
        let _ = write!(out, "metric {p} ");
    }
    flags(out, r.flags);
    if let Some(m) = r.mark.filter(|&m| m != 0) {
        if m >= 16 {
            let _ = write!(out, "mark {m:#x} ");
        } else {
            let _ = write!(out, "mark {m} ");
        }
    }
    if let Some(u) = r.uid {
        let _ = write!(out, "uid {u} ");
    }
    if r.family == Family::INET && r.flags.contains(RouteFlags::CLONED) {
        cache_flags(out, r.flags.0);
    }
    // USER_HZ is 100 on every Linux ABI.
    if let Some(c) = r.cache {
        if c.rta_expires != 0 {
            let _ = write!(out, "expires {}sec ", c.rta_expires / 100);
        }
        if c.rta_error != 0 {
            let _ = write!(out, "error {} ", c.rta_error);
        }
        if c.rta_id != 0 {
            let _ = write!(out, "ipid {:#06x} ", c.rta_id);
        }
        if c.rta_ts != 0 || c.rta_tsage != 0 {
            let _ = write!(out, "ts {:#x}tsage {}sec ", c.rta_ts, c.rta_tsage);
        }
    }
    metrics(out, r);
    if let Some(i) = r.iif {
        let _ = write!(out, "iif {} ", names.dev(i));
    }
    if let Some(p) = r.pref {
        match p {
            3 => out.push_str("pref low"),
            0 => out.push_str("pref medium"),
            1 => out.push_str("pref high"),
            p => {
                let _ = write!(out, "{p}");
            }
        }
    }
    for hop in &r.multipath {
        out.push_str("\n\tnexthop ");
        if let Some(g) = hop.gateway {
            let _ = write!(out, "via {g} ");
        }
        if hop.oif != 0 {
            let _ = write!(out, "dev {} ", names.dev(hop.oif));
        }
        let _ = write!(out, "weight {} ", hop.weight);
        flags(out, hop.flags);
    }
    out.push('\n');
}

/// `ip route get [fibmatch] ADDR [from ADDR] [iif DEV] [oif DEV] [mark N] [uid N]
/// [tos T] [ipproto P] [sport N] [dport N]`: one `RTM_GETROUTE`, printed as ip prints
/// the answer.
fn get(h: &mut Handle, a: &mut Args<'_>, family: Family) -> Res {
    let mut dst = None;
    let (mut src, mut iif, mut oif) = (None, None, None);
    let (mut mark, mut uid, mut tos, mut fib) = (None, None, 0u8, false);
    let (mut ip_proto, mut sport, mut dport) = (None, None, None);
    while let Some(x) = a.next() {
        match x {
            "tos" | "dsfield" => tos = a.number(x)?,
            "from" => src = Some(parse_ip(a.value(x)?.split('/').next().unwrap_or(""))?),
            "iif" => iif = Some(a.value(x)?),
            "oif" | "dev" => oif = Some(a.value(x)?),
            "mark" => mark = Some(a.number(x)?),
            "uid" => uid = Some(a.number(x)?),
            "fibmatch" => fib = true,
            "ipproto" => {
                ip_proto = Some(match a.value(x)? {
                    "tcp" => 6,
                    "udp" => 17,
                    "icmp" => 1,
                    "ipv6-icmp" => 58,
                    v => v
                        .parse()
                        .or_else(|_| usage(format!("Invalid \"ipproto\" value \"{v}\"")))?,
                })
            }
            "sport" => sport = Some(a.number(x)?),
            "dport" => dport = Some(a.number(x)?),
            "to" => dst = Some(parse_dst_addr(a.value(x)?)?),
            x if dst.is_none() => dst = Some(parse_dst_addr(x)?),
            x => return usage(format!("unexpected \"{x}\"")),
        }
    }
    let Some(dst) = dst else {
        return usage("need at least a destination address");
    };
    if family != Family::UNSPEC && Family::of(dst) != family {
        return usage(format!("{dst} is not of the requested family"));
    }
    let mut req = RouteGet::to(dst);
    req.fib_match = fib;
    req.src = src;
    req.mark = mark;
    req.uid = uid;
    req.tos = tos;
    req.ip_proto = ip_proto;
    req.sport = sport;
    req.dport = dport;
    if let Some(d) = iif {
        req.iif = Some(h.link_index(d)?);
    }
    if let Some(d) = oif {
        req.oif = Some(h.link_index(d)?);
    }
    let names = Names::read(h)?;
    // ip route get ...  →  Handle::route_get(&RouteGet)
    let r = h.route_get(&req)?;
    let mut out = String::new();
    line(&mut out, &r, true, &names);
    print(&out);
    Ok(())
}

/// `ADDR[/LEN]` of `ip route get` (the length is ignored, as ip warns).
fn parse_dst_addr(s: &str) -> Res<IpAddr> {
    parse_ip(s.split('/').next().unwrap_or(""))
}

/// The `RTCF_*` flags of a cached IPv4 route, as ip prints them after `cache`.
fn cache_flags(out: &mut String, flags: u32) {
    const ORDER: [(u32, &str); 14] = [
        (0x8000_0000, "local"),
        (0x4000_0000, "reject"),
        (0x2000_0000, "mc"),
        (0x1000_0000, "brd"),
        (0x0800_0000, "dst-nat"),
        (0x0080_0000, "src-nat"),
        (0x0040_0000, "masq"),
        (0x0002_0000, "dst-direct"),
        (0x0400_0000, "src-direct"),
        (0x0004_0000, "redirected"),
        (0x0100_0000, "redirect"),
        (0x0020_0000, "fastroute"),
        (0x0001_0000, "notify"),
        (0x0008_0000, "proxy"),
    ];
    let mut f = flags & !0xffff;
    out.push_str("\n    cache ");
    if f == 0 {
        return;
    }
    out.push('<');
    for (bit, name) in ORDER {
        if f & bit != 0 {
            f &= !bit;
            out.push_str(name);
            out.push_str(if f != 0 { "," } else { "> " });
        }
    }
    if f != 0 {
        let _ = write!(out, "{f:x}>");
    }
}

/// The route's (or a next hop's) flags, in ip's order.
pub fn flags(out: &mut String, f: RouteFlags) {
    const ORDER: [(RouteFlags, &str); 11] = [
        (RouteFlags::DEAD, "dead"),
        (RouteFlags::ONLINK, "onlink"),
        (RouteFlags::PERVASIVE, "pervasive"),
        (RouteFlags::OFFLOAD, "offload"),
        (RouteFlags::TRAP, "trap"),
        (RouteFlags::NOTIFY, "notify"),
        (RouteFlags::LINKDOWN, "linkdown"),
        (RouteFlags::UNRESOLVED, "unresolved"),
        (RouteFlags::RTM_OFFLOAD, "rt_offload"),
        (RouteFlags::RTM_TRAP, "rt_trap"),
        (RouteFlags(0x2000_0000), "rt_offload_failed"),
    ];
    for (bit, name) in ORDER {
        if f.contains(bit) {
            let _ = write!(out, "{name} ");
        }
    }
}

/// `RTA_METRICS` as ip prints them (`mtu 1400 `, `mtu lock 1400 `, `rtt 3ms `...).
fn metrics(out: &mut String, r: &Route) {
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
    let lock = r.metric_value(RTAX_LOCK).unwrap_or(0);
    for i in 2u16..18 {
        let v = if i == RTAX_CC_ALGO {
            r.congctl.as_ref().map(|_| 0)
        } else {
            r.metric_value(i)
        };
        let locked = lock & (1 << i) != 0;
        if v.is_none() && !locked {
            continue;
        }
        let val = v.unwrap_or(0);
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
                let _ = write!(out, "{} ", r.congctl.as_deref().unwrap_or(""));
            }
            _ => {
                let _ = write!(out, "{val} ");
            }
        }
    }
}
