//! `bridge fdb show|add|append|replace|del|flush`.

use crate::{link_names, matches, usage, Res};
use rtnl::abi::{NUD_NOARP, NUD_PERMANENT, NUD_REACHABLE, NUD_STALE};
use rtnl::{FdbEntry, FdbFilter, FdbFlush, FdbState, Handle, MacAddr, NeighFlags};
use std::fmt::Write as _;
use std::io::Write as _;
use std::net::IpAddr;

pub fn run(h: &mut Handle, args: &[&str]) -> Res {
    let (cmd, rest) = match args.split_first() {
        Some((c, r)) => (*c, r),
        None => ("show", &[][..]),
    };
    match cmd {
        c if matches(c, "show") || matches(c, "list") || matches(c, "lst") => show(h, rest),
        "flush" => flush(h, rest),
        c if matches(c, "add")
            || matches(c, "append")
            || matches(c, "replace")
            || matches(c, "delete") =>
        {
            let e = parse_entry(h, rest)?;
            if matches(c, "add") {
                // bridge fdb add ...  →  Handle::add(&FdbEntry)
                h.add(&e)?;
            } else if matches(c, "append") {
                // bridge fdb append ...  →  Handle::append(&FdbEntry): one more remote
                h.append(&e)?;
            } else if matches(c, "replace") {
                // bridge fdb replace ...  →  Handle::replace(&FdbEntry)
                h.replace(&e)?;
            } else {
                // bridge fdb del ...  →  Handle::delete(&FdbEntry)
                h.delete(&e)?;
            }
            Ok(())
        }
        c => usage(format!(
            "Command \"{c}\" is unknown, try \"bridge fdb help\"."
        )),
    }
}

/// The value after a keyword.
fn value<'a>(it: &mut std::slice::Iter<'a, &'a str>, after: &str) -> Res<&'a str> {
    match it.next() {
        Some(v) => Ok(v),
        None => usage(format!("\"{after}\" needs a value")),
    }
}

fn num<T: std::str::FromStr>(s: &str, what: &str) -> Res<T> {
    s.parse()
        .or_else(|_| usage(format!("invalid {what} \"{s}\"")))
}

fn index(h: &mut Handle, name: &str) -> Res<u32> {
    Ok(h.link_index(name)?)
}

/// `ADDR dev DEV [...]`, with iproute2's defaults: `self` unless `master`, permanent
/// unless `static` or `dynamic`.
fn parse_entry(h: &mut Handle, args: &[&str]) -> Res<FdbEntry> {
    let mut e = FdbEntry::default();
    let mut state = NUD_NOARP;
    let (mut addr, mut dev) = (None, None);
    let mut it = args.iter();
    while let Some(&x) = it.next() {
        match x {
            "dev" => dev = Some(value(&mut it, x)?),
            "dst" => e.dst = Some(num::<IpAddr>(value(&mut it, x)?, "dst")?),
            "nhid" => e.nexthop_id = Some(num(value(&mut it, x)?, "nhid")?),
            "port" => e.port = Some(num(value(&mut it, x)?, "port")?),
            "vni" => e.vni = Some(num(value(&mut it, x)?, "VNI")?),
            "src_vni" => e.src_vni = Some(num(value(&mut it, x)?, "src VNI")?),
            "via" => e.via = Some(index(h, value(&mut it, x)?)?),
            "self" => e.flags |= NeighFlags::SELF,
            x if matches(x, "master") => e.flags |= NeighFlags::MASTER,
            x if matches(x, "router") => e.flags |= NeighFlags::ROUTER,
            x if matches(x, "local") || matches(x, "permanent") => state |= NUD_PERMANENT,
            x if matches(x, "temp") || matches(x, "static") => state |= NUD_REACHABLE,
            x if matches(x, "dynamic") => state = (state | NUD_REACHABLE) & !NUD_NOARP,
            x if matches(x, "vlan") => e.vlan = Some(num(value(&mut it, x)?, "vlan")?),
            x if matches(x, "use") => e.flags |= NeighFlags::USE,
            x if matches(x, "extern_learn") => e.flags |= NeighFlags::EXT_LEARNED,
            x if matches(x, "sticky") => e.flags |= NeighFlags::STICKY,
            "to" => addr = Some(value(&mut it, x)?),
            x if addr.is_none() => addr = Some(x),
            x => return usage(format!("unexpected \"{x}\"")),
        }
    }
    let (Some(addr), Some(dev)) = (addr, dev) else {
        return usage("Device and address are required arguments.");
    };
    if !e.flags.intersects(NeighFlags::SELF | NeighFlags::MASTER) {
        e.flags |= NeighFlags::SELF;
    }
    if state & (NUD_PERMANENT | NUD_REACHABLE) == 0 {
        state |= NUD_PERMANENT;
    }
    e.state = [FdbState::Permanent, FdbState::Static, FdbState::Dynamic]
        .into_iter()
        .find(|s| s.to_ndm() == state)
        .unwrap_or(FdbState::Other(state));
    e.mac = Some(
        addr.parse::<MacAddr>()
            .or_else(|_| usage(format!("Invalid mac address {addr}")))?,
    );
    e.ifindex = index(h, dev)?;
    Ok(e)
}

/// `bridge fdb flush dev DEV ...`.
fn flush(h: &mut Handle, args: &[&str]) -> Res {
    let mut f = FdbFlush::device(0);
    f.table = NeighFlags::EMPTY;
    let mut it = args.iter();
    while let Some(&x) = it.next() {
        let flag = |w: &str| match w {
            "extern_learn" => Some(NeighFlags::EXT_LEARNED),
            "sticky" => Some(NeighFlags::STICKY),
            "offloaded" => Some(NeighFlags::OFFLOADED),
            "added_by_user" => Some(NeighFlags::USE),
            _ => None,
        };
        match x {
            "dev" => f.dev = index(h, value(&mut it, x)?)?,
            "master" => f.table |= NeighFlags::MASTER,
            "self" => f.table |= NeighFlags::SELF,
            "permanent" => f.state = Some(FdbState::Permanent),
            "static" => f.state = Some(FdbState::Static),
            "dynamic" => f.state = Some(FdbState::Dynamic),
            "brport" => f.port = Some(index(h, value(&mut it, x)?)?),
            "vlan" => f.vlan = Some(num(value(&mut it, x)?, "vlan")?),
            x if flag(x).is_some() => f.with |= flag(x).unwrap_or_default(),
            x if x.strip_prefix("no").and_then(flag).is_some() => {
                f.without |= x.strip_prefix("no").and_then(flag).unwrap_or_default()
            }
            x => {
                return usage(format!(
                    "unexpected \"{x}\" (nopermanent, nostatic and nodynamic are not supported)"
                ))
            }
        }
    }
    if f.dev == 0 {
        return usage("Device is a required argument.");
    }
    if !f.table.intersects(NeighFlags::SELF | NeighFlags::MASTER) {
        f.table |= NeighFlags::SELF;
    }
    // bridge fdb flush ...  →  Handle::flush_fdb(&FdbFlush) (NLM_F_BULK, or one
    // delete per entry where the kernel has no bulk delete)
    h.flush_fdb(&f)?;
    Ok(())
}

/// `bridge fdb show [br BR] [brport DEV] [vlan V] [state S] [dynamic]`.
fn show(h: &mut Handle, args: &[&str]) -> Res {
    let mut f = FdbFilter::default();
    let (mut state_mask, mut dynamic) = (0u16, false);
    let mut it = args.iter();
    while let Some(&x) = it.next() {
        match x {
            "brport" | "dev" => f.port = Some(index(h, value(&mut it, x)?)?),
            "br" => f.bridge = Some(index(h, value(&mut it, x)?)?),
            "vlan" => f.vlan = Some(num(value(&mut it, x)?, "vlan")?),
            "state" => {
                let s = value(&mut it, x)?;
                state_mask |= match s {
                    s if matches(s, "permanent") => NUD_PERMANENT,
                    s if matches(s, "static") || matches(s, "temp") => NUD_NOARP,
                    s if matches(s, "stale") => NUD_STALE,
                    s if matches(s, "reachable") || matches(s, "dynamic") => NUD_REACHABLE,
                    "all" => !0,
                    s => num(s, "state")?,
                };
            }
            "dynamic" => dynamic = true,
            x => return usage(format!("unexpected \"{x}\"")),
        }
    }
    let names = link_names(h)?;
    let name = |i: u32| names.get(&i).cloned().unwrap_or_else(|| format!("if{i}"));
    let mut out = String::new();
    // bridge fdb show ...  →  Handle::for_each_fdb(&FdbFilter, |view| ...)
    h.for_each_fdb(&f, |v| {
        let st = v.header.ndm_state;
        if (state_mask != 0 && st & state_mask == 0) || (dynamic && st & NUD_PERMANENT != 0) {
            return;
        }
        let e = FdbEntry::from(v);
        line(&mut out, &e, st, f.port.is_none(), &name);
    })?;
    let _ = std::io::stdout().lock().write_all(out.as_bytes());
    Ok(())
}

/// One line as `bridge fdb show` prints it.
fn line(out: &mut String, e: &FdbEntry, state: u16, with_dev: bool, name: &dyn Fn(u32) -> String) {
    if let Some(m) = e.mac {
        let _ = write!(out, "{m} ");
    }
    if with_dev && e.ifindex != 0 {
        let _ = write!(out, "dev {} ", name(e.ifindex));
    }
    if let Some(d) = e.dst {
        let _ = write!(out, "dst {d} ");
    }
    if let Some(v) = e.vlan.filter(|&v| v != 0) {
        let _ = write!(out, "vlan {v} ");
    }
    if let Some(p) = e.port {
        let _ = write!(out, "port {p} ");
    }
    if let Some(v) = e.vni {
        let _ = write!(out, "vni {v} ");
    }
    if let Some(v) = e.src_vni {
        let _ = write!(out, "src_vni {v} ");
    }
    if let Some(i) = e.via {
        if e.link_netnsid.is_some() {
            let _ = write!(out, "via ifindex {i} ");
        } else {
            let _ = write!(out, "via {} ", name(i));
        }
    }
    if let Some(n) = e.nexthop_id {
        let _ = write!(out, "nhid {n} ");
    }
    if let Some(n) = e.link_netnsid {
        let _ = write!(out, "link-netnsid {n} ");
    }
    for (bit, word) in [
        (NeighFlags::SELF, "self"),
        (NeighFlags::ROUTER, "router"),
        (NeighFlags::EXT_LEARNED, "extern_learn"),
        (NeighFlags::OFFLOADED, "offload"),
        (NeighFlags::MASTER, "master"),
        (NeighFlags::STICKY, "sticky"),
    ] {
        if e.flags.contains(bit) {
            let _ = write!(out, "{word} ");
        }
    }
    if let Some(m) = e.master {
        let _ = write!(out, "master {} ", name(m));
    }
    match FdbState::from_ndm(state) {
        FdbState::Other(0) => out.push_str("state=0"),
        FdbState::Other(s) => {
            let _ = write!(out, "state={s:#x}");
        }
        s => out.push_str(s.as_str()),
    }
    out.push('\n');
}
