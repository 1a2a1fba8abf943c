//! `ip link show|add|del|set`.

use crate::cli::{is_show, matches, print_bytes, show_dev_arg, usage, Args, Res};
use rtnl::{Error, Handle, Link, LinkFlags, MacAddr};
use std::io::Write as _;

pub fn run(h: &mut Handle, a: &mut Args<'_>) -> Res {
    let cmd = a.next().unwrap_or("show");
    match cmd {
        c if is_show(c) => {
            let dev = show_dev_arg(a)?;
            // ip link show  →  Handle::links
            let links = h.links()?.into_vec();
            let mut out = Vec::new();
            for l in links
                .iter()
                .filter(|l| dev.map_or(true, |d| is_named(l, d)))
            {
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
            print_bytes(&out);
            Ok(())
        }
        "add" => add(h, a),
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
        "set" => set(h, a),
        c if matches(c, "property") => property(h, a),
        c => usage(format!("command \"{c}\" is unknown for link")),
    }
}

/// `on` or `off` after `what`.
fn on_off(a: &mut Args<'_>, what: &str) -> Res<bool> {
    match a.value(what)? {
        "on" => Ok(true),
        "off" => Ok(false),
        v => usage(format!("\"{what}\" takes on or off, not \"{v}\"")),
    }
}

/// Whether `l` is the link called `name`.
pub fn is_named(l: &Link, name: &str) -> bool {
    l.name.is_some_and(|n| n.as_bytes() == name.as_bytes())
}

fn add(h: &mut Handle, a: &mut Args<'_>) -> Res {
    let mut name = None;
    let mut kind = None;
    let mut parent = None;
    let mut base = Link::default();
    let mut netns = None;
    while let Some(x) = a.next() {
        match x {
            "name" | "dev" => name = Some(a.value(x)?),
            "link" => parent = Some(a.value("link")?),
            "address" => base.address = Some(a.value("address")?.parse::<MacAddr>()?.into()),
            "mtu" => base.mtu = Some(a.number("mtu")?),
            "txqueuelen" | "txqlen" => base.txqlen = Some(a.number(x)?),
            "netns" => netns = Some(crate::cli::netns(a.value("netns")?)?),
            // Everything after `type KIND` is the kind's own (`ip`'s rule too).
            "type" => {
                kind = Some(a.value("type")?);
                break;
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
    // `link DEV`: the parent, looked up here (before any namespace move).
    let parent = parent.map(|p| h.link_index(p)).transpose()?;
    let mut link = crate::kinds::parse(h, kind, name, parent, a)?;
    link.address = base.address.or(link.address);
    link.mtu = base.mtu.or(link.mtu);
    link.txqlen = base.txqlen.or(link.txqlen);
    if let Some(ns) = &netns {
        use std::os::fd::AsFd;
        link.netns = Some(rtnl::Netns::fd(ns.as_fd()));
    }
    // ip link add ... [netns NS] type KIND ...  →  Handle::add_in_netns(&Link)
    h.add_in_netns(&link)?;
    Ok(())
}

/// `ip link property add|del dev NAME altname ALT`.
fn property(h: &mut Handle, a: &mut Args<'_>) -> Res {
    let cmd = a.value("property")?;
    let mut dev = None;
    let mut alt = Vec::new();
    while let Some(x) = a.next() {
        match x {
            "dev" => dev = Some(a.value("dev")?),
            "altname" => alt.push(a.value("altname")?),
            x if dev.is_none() => dev = Some(x),
            x => return usage(format!("unexpected \"{x}\"")),
        }
    }
    let Some(dev) = dev else {
        return usage("link property needs a device");
    };
    if alt.is_empty() {
        return usage("link property needs \"altname NAME\"");
    }
    for n in alt {
        match cmd {
            // ip link property add dev DEV altname ALT  →  Handle::add_altname
            "add" => h.add_altname(dev, n)?,
            // ip link property del dev DEV altname ALT  →  Handle::delete_altname
            c if matches(c, "delete") => h.delete_altname(dev, n)?,
            c => return usage(format!("command \"{c}\" is unknown for link property")),
        }
    }
    Ok(())
}

/// `ip link set dev NAME up mtu 1400 master br0 ...`: every change goes into ONE
/// `RTM_NEWLINK` (one `Link` value), as ip sends it, so they apply together or not
/// at all.
fn set(h: &mut Handle, a: &mut Args<'_>) -> Res {
    let mut dev = None;
    let mut change = Link::default();
    let mut master: Option<&str> = None;
    while let Some(x) = a.next() {
        match x {
            "dev" => dev = Some(a.value("dev")?),
            "up" => change = change.up(),
            "down" => change = change.down(),
            "mtu" => change.mtu = Some(a.number("mtu")?),
            "address" => change.address = Some(a.value("address")?.parse::<MacAddr>()?.into()),
            "name" => change.name = Some(rtnl::IfName::new(a.value("name")?)?),
            "master" => master = Some(a.value("master")?),
            "nomaster" => change.master = Some(0),
            "promisc" => change = change.promisc(on_off(a, "promisc")?),
            "allmulticast" | "allmulti" => change = change.allmulti(on_off(a, x)?),
            "arp" => change = change.arp(on_off(a, "arp")?),
            "txqueuelen" | "txqlen" => change.txqlen = Some(a.number(x)?),
            "alias" => change.alias = Some(a.value("alias")?.to_owned()),
            "group" => change.group = Some(crate::cli::group(a.value("group")?)?),
            x if dev.is_none() => dev = Some(x),
            x => return usage(format!("unexpected \"{x}\"")),
        }
    }
    let Some(dev) = dev else {
        return usage("link set needs a device");
    };
    rtnl::check_ifname(dev)?;
    if let Some(m) = master {
        change.master = Some(h.link_index(m)?);
    }
    // ip link set dev NAME ...  →  Handle::set_link(NAME, &Link { .. })
    h.set_link(dev, &change)?;
    Ok(())
}

pub const OPER_STATES: [&str; 7] = [
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
fn name_and_link(out: &mut Vec<u8>, l: &Link, all: &[Link]) -> bool {
    let start = out.len();
    out.extend_from_slice(l.name.as_ref().map_or(&b""[..], |n| n.as_bytes()));
    let m_down = match l.link {
        None => false,
        Some(0) => {
            out.extend_from_slice(b"@NONE");
            false
        }
        Some(i) if l.link_netnsid.is_some() => {
            let _ = write!(out, "@if{i}");
            false
        }
        Some(i) => match all.iter().find(|p| p.index == i) {
            Some(p) => {
                out.push(b'@');
                out.extend_from_slice(p.name.as_ref().map_or(&b""[..], |n| n.as_bytes()));
                !p.is_up()
            }
            None => {
                let _ = write!(out, "@if{i}");
                true
            }
        },
    };
    // `%-16s`: pad to 16 bytes.
    let width = out.len() - start;
    out.extend(std::iter::repeat(b' ').take(16usize.saturating_sub(width) + 1));
    m_down
}

/// The name and operational state columns shared by `link show` and `addr show`.
pub fn brief_head(out: &mut Vec<u8>, l: &Link, all: &[Link]) -> bool {
    let m_down = name_and_link(out, l, all);
    match l.operstate.map(u8::from) {
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
fn brief_link(out: &mut Vec<u8>, l: &Link, all: &[Link]) {
    let m_down = brief_head(out, l, all);
    if let Some(a) = &l.address {
        let _ = write!(out, "{} ", ll_addr(a.as_bytes(), l.link_type));
    }
    link_flags(out, l.flags, m_down);
    out.push(b'\n');
}

/// iproute2's `ll_addr_n2a`: tunnels show an IP address, everything else hex bytes.
pub fn ll_addr(a: &[u8], link_type: u16) -> String {
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
pub fn link_flags(out: &mut Vec<u8>, flags: LinkFlags, m_down: bool) {
    const ORDER: [LinkFlags; 18] = [
        LinkFlags::LOOPBACK,
        LinkFlags::BROADCAST,
        LinkFlags::POINTOPOINT,
        LinkFlags::MULTICAST,
        LinkFlags::NOARP,
        LinkFlags::ALLMULTI,
        LinkFlags::PROMISC,
        LinkFlags::MASTER,
        LinkFlags::SLAVE,
        LinkFlags::DEBUG,
        LinkFlags::DYNAMIC,
        LinkFlags::AUTOMEDIA,
        LinkFlags::PORTSEL,
        LinkFlags::NOTRAILERS,
        LinkFlags::UP,
        LinkFlags::LOWER_UP,
        LinkFlags::DORMANT,
        LinkFlags::ECHO,
    ];
    let mut flags = flags;
    out.push(b'<');
    if flags.contains(LinkFlags::UP) && !flags.contains(LinkFlags::RUNNING) {
        out.extend_from_slice(b"NO-CARRIER,");
    }
    flags = flags & !LinkFlags::RUNNING;
    for f in ORDER {
        if flags.contains(f) {
            flags = flags & !f;
            out.extend_from_slice(f.names().next().unwrap_or("").as_bytes());
            if flags != LinkFlags::EMPTY {
                out.push(b',');
            }
        }
    }
    if flags != LinkFlags::EMPTY {
        let _ = write!(out, "{:x}", flags.0);
    }
    if m_down {
        out.extend_from_slice(b",M-DOWN");
    }
    out.extend_from_slice(b"> ");
}
