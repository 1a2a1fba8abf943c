//! `ip addr show|add|del|flush`.

use crate::cli::{is_show, parse_prefix, print_bytes, show_dev_arg, usage, Args, Res};
use crate::link::{brief_head, is_named};
use rtnl::{AddrFilter, Address, Error, Family, Handle};
use std::io::Write as _;

pub fn run(h: &mut Handle, a: &mut Args<'_>, family: Family) -> Res {
    let cmd = a.next().unwrap_or("show");
    match cmd {
        c if is_show(c) => {
            let dev = show_dev_arg(a)?;
            show(h, dev, family)
        }
        "add" | "del" | "delete" => {
            let mut dev = None;
            let mut prefix = None;
            let mut peer = None;
            while let Some(x) = a.next() {
                match x {
                    "dev" => dev = Some(a.value("dev")?),
                    "local" => prefix = Some(a.value("local")?),
                    "peer" | "remote" => peer = Some(a.value(x)?),
                    x if prefix.is_none() => prefix = Some(x),
                    x => return usage(format!("unexpected \"{x}\"")),
                }
            }
            let (Some(dev), Some(prefix)) = (dev, prefix) else {
                return usage(format!("addr {cmd} needs ADDR[/PREFIX] and dev NAME"));
            };
            let (ip, mut len) = parse_prefix(prefix, family)?;
            let index = h.link_index(dev)?;
            let mut addr = Address::new(index, ip, len);
            if let Some(p) = peer {
                // `A peer P/LEN`: the prefix length goes with the peer.
                let (p, plen) = parse_prefix(p, Family::of(ip))?;
                if !prefix.contains('/') {
                    len = plen;
                }
                addr.prefix_len = len;
                addr.peer = Some(p);
            }
            if cmd == "add" {
                // ip addr add A/N dev X  →  Handle::add(&Address::new(X, A, N))
                h.add(&addr)?;
            } else {
                // ip addr del A/N dev X  →  Handle::delete(&Address::new(X, A, N))
                h.delete(&addr)?;
            }
            Ok(())
        }
        "flush" => {
            let dev = show_dev_arg(a)?;
            let Some(dev) = dev else {
                return usage("addr flush needs dev NAME");
            };
            // ip addr flush dev X  →  Handle::flush_addresses (one filtered dump, one batch)
            h.flush_addresses(dev)?;
            Ok(())
        }
        c => usage(format!("command \"{c}\" is unknown for addr")),
    }
}

/// `ip -br addr [show dev NAME]`: one line per link, its addresses in dump order.
fn show(h: &mut Handle, dev: Option<&str>, family: Family) -> Res {
    let links = h.links()?.into_vec();
    // ip addr show  →  Handle::addresses_matching (the kernel filters by family)
    let addrs = h.addresses_matching(&AddrFilter {
        family,
        index: None,
    })?;
    let mut out = Vec::new();
    let mut found = false;
    for l in &links {
        if dev.is_some_and(|d| !is_named(l, d)) {
            continue;
        }
        found = true;
        let mine: Vec<_> = addrs.iter().filter(|a| a.index == l.index).collect();
        // ip -4/-6 hides links without an address of that family.
        if family != Family::UNSPEC && mine.is_empty() {
            continue;
        }
        brief_head(&mut out, l, &links);
        for a in mine {
            let _ = write!(out, "{}", a.address);
            if let Some(peer) = a.peer {
                let _ = write!(out, " peer {peer}");
            }
            let _ = write!(out, "/{} ", a.prefix_len);
        }
        out.push(b'\n');
    }
    if let (Some(d), false) = (dev, found) {
        return Err(Error::NotFound {
            kind: "link",
            name: d.to_owned(),
        }
        .into());
    }
    print_bytes(&out);
    Ok(())
}
