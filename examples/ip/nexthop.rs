//! `ip nexthop show|add|replace|del`.

use crate::cli::{is_show, parse_ip, print, usage, Args, Names, Res};
use rtnl::{Error, Family, GroupMember, Handle, Nexthop, Protocol, Scope};
use std::fmt::Write as _;

pub fn run(h: &mut Handle, a: &mut Args<'_>, family: Family) -> Res {
    let cmd = a.next().unwrap_or("show");
    match cmd {
        c if is_show(c) => {
            let mut only = None;
            while let Some(x) = a.next() {
                match x {
                    "id" => only = Some(parse_nh_id(a.value("id")?)?),
                    x => return usage(format!("unexpected \"{x}\"")),
                }
            }
            show(h, family, only)
        }
        "add" | "replace" => {
            let mut n = Nexthop {
                family,
                ..Default::default()
            };
            while let Some(x) = a.next() {
                match x {
                    "id" => n.id = parse_nh_id(a.value("id")?)?,
                    "via" => n.gateway = Some(parse_ip(a.value("via")?)?),
                    "dev" => n.oif = Some(h.link_index(a.value("dev")?)?),
                    "blackhole" => n.blackhole = true,
                    "group" => n.group = parse_group(a.value("group")?)?,
                    x => return usage(format!("unexpected \"{x}\"")),
                }
            }
            if n.id == 0 {
                return usage("nexthop add needs an id");
            }
            if cmd == "add" {
                // ip nexthop add ...  →  Handle::add(&Nexthop)
                h.add(&n)?;
            } else {
                // ip nexthop replace ...  →  Handle::replace(&Nexthop)
                h.replace(&n)?;
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

pub fn parse_nh_id(s: &str) -> Res<u32> {
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
            match w.parse::<u32>() {
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
fn show(h: &mut Handle, family: Family, only: Option<u32>) -> Res {
    // ip nexthop show  →  Handle::nexthops()
    let all = h.nexthops()?;
    let names = Names::read(h)?;
    let mut out = String::new();
    for n in all.iter() {
        if only.is_some_and(|id| id != n.id) || (family != Family::UNSPEC && n.family != family) {
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
            let _ = write!(out, "dev {} ", names.dev(i));
        }
        if n.scope != Scope::UNIVERSE {
            let _ = write!(out, "scope {} ", n.scope);
        }
        if n.protocol != Protocol::UNSPEC {
            let _ = write!(out, "proto {} ", n.protocol);
        }
        out.push('\n');
    }
    if only.is_some() && out.is_empty() {
        return Err(Error::Kernel {
            op: "RTM_GETNEXTHOP",
            errno: libc::ENOENT,
            message: None,
            attr: None,
        }
        .into());
    }
    print(&out);
    Ok(())
}
