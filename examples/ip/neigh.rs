//! `ip neigh show|add|replace|change|del|flush|get`.

use crate::cli::{is_show, matches, parse_ip, print, usage, Args, Names, Res};
use rtnl::{
    Family, Handle, HwAddr, NeighExtFlags, NeighFilter, NeighFlags, NeighState, Neighbour, Protocol,
};
use std::fmt::Write as _;

/// iproute2's "all but NOARP" default of `ip neigh show`, and its bit for "no state".
const SHOW_DEFAULT: u32 = 0xff & !0x40;
const NONE_BIT: u32 = 0x100;

pub fn run(h: &mut Handle, a: &mut Args<'_>, family: Family) -> Res {
    let cmd = a.next().unwrap_or("show");
    match cmd {
        c if is_show(c) || c == "flush" => show_or_flush(h, a, family, c == "flush"),
        "get" => get(h, a, family),
        "add" | "replace" | "change" | "chg" | "del" | "delete" => {
            let n = parse_neighbour(h, a, family)?;
            match cmd {
                // ip neigh add ...  →  Handle::add(&Neighbour)
                "add" => h.add(&n)?,
                // ip neigh replace ...  →  Handle::replace(&Neighbour) (idempotent)
                "replace" => h.replace(&n)?,
                // ip neigh change ...  →  Handle::change(&Neighbour)
                "change" | "chg" => h.change(&n)?,
                // ip neigh del ...  →  Handle::delete(&Neighbour)
                _ => h.delete(&n)?,
            }
            Ok(())
        }
        c => usage(format!("neigh command \"{c}\" is unknown")),
    }
}

/// `nud STATE` as ip takes it.
fn parse_state(s: &str) -> Res<NeighState> {
    let st = match s {
        x if matches(x, "permanent") => NeighState::PERMANENT,
        x if matches(x, "reachable") => NeighState::REACHABLE,
        "noarp" => NeighState::NOARP,
        "none" => NeighState::NONE,
        "stale" => NeighState::STALE,
        "incomplete" => NeighState::INCOMPLETE,
        "delay" => NeighState::DELAY,
        "probe" => NeighState::PROBE,
        x if matches(x, "failed") => NeighState::FAILED,
        x => return usage(format!("nud state is bad \"{x}\"")),
    };
    Ok(st)
}

fn parse_neighbour(h: &mut Handle, a: &mut Args<'_>, family: Family) -> Res<Neighbour> {
    let mut n = Neighbour::default();
    let mut dst = None;
    let mut dev = None;
    while let Some(x) = a.next() {
        match x {
            x if matches(x, "lladdr") => {
                let v = a.value("lladdr")?;
                if v != "null" {
                    n.lladdr = Some(v.parse::<HwAddr>()?);
                }
            }
            "nud" => n.state = parse_state(a.value("nud")?)?,
            x if matches(x, "proxy") => {
                dst = Some(parse_ip(a.value("proxy")?)?);
                n.flags |= NeighFlags::PROXY;
            }
            "router" => n.flags |= NeighFlags::ROUTER,
            "use" => n.flags |= NeighFlags::USE,
            "managed" => {
                n.ext_flags |= NeighExtFlags::MANAGED;
                n.state = NeighState::NONE;
            }
            x if matches(x, "extern_learn") => n.flags |= NeighFlags::EXT_LEARNED,
            "dev" => dev = Some(a.value("dev")?),
            x if matches(x, "protocol") => {
                let p = a.value("protocol")?;
                n.protocol = Some(Protocol::from_name(p).map_or_else(
                    || usage(format!("\"protocol\" value is invalid \"{p}\"")),
                    Ok,
                )?);
            }
            "to" => dst = Some(parse_ip(a.value("to")?)?),
            x if dst.is_none() => dst = Some(parse_ip(x)?),
            x => return usage(format!("unexpected \"{x}\"")),
        }
    }
    let Some(dst) = dst else {
        return usage("Device and destination are required arguments.");
    };
    if family != Family::UNSPEC && Family::of(dst) != family {
        return usage(format!("{dst} is not of the requested family"));
    }
    n.family = Family::of(dst);
    n.dst = Some(dst);
    match dev {
        Some(d) => n.ifindex = h.link_index(d)?,
        None if n.flags.contains(NeighFlags::PROXY) => {}
        None => return usage("Device and destination are required arguments."),
    }
    Ok(n)
}

/// `ip neigh get ADDR dev X`.
fn get(h: &mut Handle, a: &mut Args<'_>, family: Family) -> Res {
    let (mut dst, mut dev) = (None, None);
    while let Some(x) = a.next() {
        match x {
            "dev" => dev = Some(a.value("dev")?),
            "to" => dst = Some(parse_ip(a.value("to")?)?),
            x if dst.is_none() => dst = Some(parse_ip(x)?),
            x => return usage(format!("unexpected \"{x}\"")),
        }
    }
    let (Some(dst), Some(dev)) = (dst, dev) else {
        return usage("Device and address are required arguments.");
    };
    let _ = family;
    let names = Names::read(h)?;
    let oif = h.link_index(dev)?;
    // ip neigh get ADDR dev X  →  Handle::get_neighbour(ifindex, addr)
    match h.get_neighbour(oif, dst)? {
        Some(n) => {
            let mut out = String::new();
            line(&mut out, &n, true, &names);
            print(&out);
            Ok(())
        }
        None => Err(rtnl::Error::NotFound {
            kind: "neighbour",
            name: dst.to_string(),
        }
        .into()),
    }
}

/// `ip neigh show|flush [dev X] [master BR] [proxy] [nud STATE|all] [to PREFIX]`.
fn show_or_flush(h: &mut Handle, a: &mut Args<'_>, family: Family, flush: bool) -> Res {
    let mut f = NeighFilter::family(family);
    let mut states: Option<u32> = None;
    let mut dev = None;
    while let Some(x) = a.next() {
        match x {
            "dev" => dev = Some(a.value("dev")?),
            "master" => f.master = Some(h.link_index(a.value("master")?)?),
            "proxy" => f.proxy = true,
            "nud" => {
                let v = a.value("nud")?;
                let bits = if v == "all" {
                    if flush {
                        !0x40
                    } else {
                        !0
                    }
                } else {
                    match u32::from(parse_state(v)?.0) {
                        0 => NONE_BIT,
                        b => b,
                    }
                };
                states = Some(states.unwrap_or(0) | bits);
            }
            x => return usage(format!("unexpected \"{x}\"")),
        }
    }
    if flush && dev.is_none() && f.master.is_none() && !f.proxy && states.is_none() {
        return usage("Flush requires arguments.");
    }
    if let Some(d) = dev {
        f.ifindex = Some(h.link_index(d)?);
    }
    if flush {
        // ip neigh flush dev X  →  Handle::flush_neighbours(&NeighFilter)
        if let Some(s) = states {
            f.states = Some(NeighState(s as u16));
        }
        h.flush_neighbours(&f)?;
        return Ok(());
    }
    let want = states.unwrap_or(SHOW_DEFAULT);
    let names = Names::read(h)?;
    let mut out = String::new();
    // ip neigh show ...  →  Handle::for_each_neighbour(&NeighFilter, |view| ...)
    h.for_each_neighbour(&f, |v| {
        let n = Neighbour::from(v);
        let st = u32::from(n.state.0);
        // ip's state filter: a state asked for, a proxy or externally learnt entry,
        // or no state when "none" was asked for.
        let shown = want & st != 0
            || n.flags
                .intersects(NeighFlags::PROXY | NeighFlags::EXT_LEARNED)
            || (st == 0 && want & NONE_BIT != 0);
        if shown {
            line(&mut out, &n, f.ifindex.is_none(), &names);
        }
    })?;
    print(&out);
    Ok(())
}

/// One line as `ip neigh show` prints it.
fn line(out: &mut String, n: &Neighbour, with_dev: bool, names: &Names) {
    if let Some(d) = n.dst {
        let _ = write!(out, "{d} ");
    }
    if with_dev && n.ifindex != 0 {
        let _ = write!(out, "dev {} ", names.dev(n.ifindex));
    }
    if let Some(l) = n.lladdr {
        let _ = write!(out, "lladdr {l} ");
    }
    for (bit, word) in [
        (n.flags.contains(NeighFlags::ROUTER), "router"),
        (n.flags.contains(NeighFlags::PROXY), "proxy"),
        (n.ext_flags.contains(NeighExtFlags::MANAGED), "managed"),
        (n.flags.contains(NeighFlags::EXT_LEARNED), "extern_learn"),
        (n.flags.contains(NeighFlags::OFFLOADED), "offload"),
    ] {
        if bit {
            let _ = write!(out, "{word} ");
        }
    }
    for s in n.state.ip_names() {
        let _ = write!(out, "{s} ");
    }
    if let Some(p) = n.protocol.filter(|p| p.0 != 0) {
        let _ = write!(out, "proto {p} ");
    }
    out.push('\n');
}
