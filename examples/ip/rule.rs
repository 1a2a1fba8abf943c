//! `ip rule show|add|del|flush`, and the name tables iproute2 reads for printing
//! (`/etc/iproute2/rt_dsfield`, `rt_realms`, `group`, `/etc/protocols`).

use crate::cli::{matches, parse_prefix, parse_table, print, table_name, usage, Args, Res};
use rtnl::{Family, Handle, IfName, Protocol, RouteType, Rule, RuleAction, RuleFilter, RuleFlags};
use std::fmt::Write as _;

pub fn run(h: &mut Handle, a: &mut Args<'_>, family: Family) -> Res {
    let cmd = a.next().unwrap_or("show");
    match cmd {
        c if matches(c, "list") || matches(c, "lst") || matches(c, "show") => show(h, a, family),
        c if matches(c, "add") || matches(c, "delete") => {
            let delete = matches(c, "delete");
            let r = parse_rule(a, family, delete)?;
            if delete {
                // ip rule del ...  →  Handle::delete(&Rule)
                h.delete(&r)?;
            } else {
                // ip rule add ...  →  Handle::add(&Rule)
                h.add(&r)?;
            }
            Ok(())
        }
        "flush" => {
            // ip rule flush  →  Handle::flush_rules(&RuleFilter)
            let fam = if family == Family::UNSPEC {
                Family::INET
            } else {
                family
            };
            let mut f = RuleFilter::family(fam);
            while let Some(x) = a.next() {
                match x {
                    x if matches(x, "table") || matches(x, "lookup") => {
                        f.table = Some(parse_table(a.value(x)?)?)
                    }
                    x if matches(x, "priority") || matches(x, "preference") => {
                        f.priority = Some(a.number(x)?)
                    }
                    x => return usage(format!("unexpected \"{x}\"")),
                }
            }
            h.flush_rules(&f)?;
            Ok(())
        }
        c => usage(format!("Command \"{c}\" is unknown, try \"ip rule help\".")),
    }
}

/// `A-B` (or `A` for `A-A` when `single`).
fn range<T: std::str::FromStr + Copy>(s: &str, single: bool) -> Res<(T, T)> {
    let (a, b) = match s.split_once('-') {
        Some((a, b)) => (a, b),
        None if single => (s, s),
        None => return usage(format!("invalid range \"{s}\"")),
    };
    match (a.parse(), b.parse()) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        _ => usage(format!("invalid range \"{s}\"")),
    }
}

/// A number as C's `strtoul(s, NULL, 0)` reads it (decimal, `0x` hex, `0` octal).
fn number(s: &str) -> Res<u32> {
    let r = if let Some(h) = s.strip_prefix("0x").or(s.strip_prefix("0X")) {
        u32::from_str_radix(h, 16)
    } else if s.len() > 1 && s.starts_with('0') {
        u32::from_str_radix(&s[1..], 8)
    } else {
        s.parse()
    };
    r.or_else(|_| usage(format!("invalid number \"{s}\"")))
}

/// Fills a `Rule` the way `ip rule add|del` fills its request: an add looks up
/// the main table unless told otherwise; a delete sends only what is given.
fn parse_rule(a: &mut Args<'_>, family: Family, delete: bool) -> Res<Rule> {
    let mut r = Rule::new(family);
    r.table = 0;
    r.action = if delete {
        RuleAction::UNSPEC
    } else {
        RuleAction::LOOKUP
    };
    let mut table_ok = false;
    while let Some(x) = a.next() {
        match x {
            "not" => r.flags |= RuleFlags::INVERT,
            "from" => {
                let (ip, len) = parse_prefix(a.value("from")?, family)?;
                r.src = Some(ip);
                r.src_len = len;
            }
            "to" => {
                let (ip, len) = parse_prefix(a.value("to")?, family)?;
                r.dst = Some(ip);
                r.dst_len = len;
            }
            x if matches(x, "preference") || matches(x, "order") || matches(x, "priority") => {
                r.priority = Some(number(a.value(x)?)?)
            }
            "tos" | "dsfield" => r.tos = number(a.value(x)?)? as u8,
            "fwmark" => {
                let v = a.value("fwmark")?;
                match v.split_once('/') {
                    Some((m, k)) => {
                        r.fwmark = Some(number(m)?);
                        r.fwmask = Some(number(k)?);
                    }
                    None => r.fwmark = Some(number(v)?),
                }
            }
            x if matches(x, "realms") => r.realms = Some(number(a.value(x)?)?),
            x if matches(x, "protocol") => {
                let p = a.value(x)?;
                r.protocol = Some(Protocol::from_name(p).map_or_else(
                    || usage(format!("\"protocol\" value is invalid \"{p}\"")),
                    Ok,
                )?);
            }
            x if matches(x, "table") || x == "lookup" => {
                r.table = parse_table(a.value(x)?)?;
                table_ok = true;
            }
            x if matches(x, "suppress_prefixlength") || x == "sup_pl" => {
                r.suppress_prefixlength = Some(a.number(x)?)
            }
            "dev" | "iif" => r.iif = Some(IfName::new(a.value(x)?)?),
            "oif" => r.oif = Some(IfName::new(a.value(x)?)?),
            "l3mdev" => {
                r.l3mdev = true;
                table_ok = true;
            }
            "uidrange" => r.uid_range = Some(range(a.value(x)?, false)?),
            "ipproto" => {
                let p = a.value(x)?;
                r.ip_proto = Some(match p.parse() {
                    Ok(n) => n,
                    Err(_) => proto_number(p)
                        .map_or_else(|| usage(format!("Invalid \"ipproto\" value \"{p}\"")), Ok)?,
                });
            }
            "sport" => r.sport = Some(range(a.value(x)?, true)?),
            "dport" => r.dport = Some(range(a.value(x)?, true)?),
            x if matches(x, "goto") => {
                r.action = RuleAction::GOTO;
                r.goto = Some(number(a.value(x)?)?);
                table_ok = true;
            }
            x if matches(x, "nop") => {
                r.action = RuleAction::NOP;
                table_ok = true;
            }
            "type" => {
                let t = a.value("type")?;
                r.action = RuleAction(type_of(t)?);
                table_ok = true;
            }
            t @ ("blackhole" | "unreachable" | "prohibit") => {
                r.action = RuleAction(type_of(t)?);
                table_ok = true;
            }
            x => return usage(format!("unexpected \"{x}\"")),
        }
    }
    if r.family == Family::UNSPEC {
        r.family = r.src.or(r.dst).map_or(Family::INET, Family::of);
    }
    if !table_ok && !delete {
        r.table = 254;
    }
    Ok(r)
}

fn type_of(t: &str) -> Res<u8> {
    match RouteType::from_name(t) {
        Some(k) => Ok(k.0),
        None => usage(format!("Failed to parse rule type \"{t}\"")),
    }
}

/// `ip [-6] rule show [table T] [pref N]`: one dump of the family, filtered here (the
/// kernel filters rules by family only).
fn show(h: &mut Handle, a: &mut Args<'_>, family: Family) -> Res {
    let mut f = RuleFilter::family(if family == Family::UNSPEC {
        Family::INET
    } else {
        family
    });
    while let Some(x) = a.next() {
        match x {
            x if matches(x, "table") || matches(x, "lookup") => {
                f.table = Some(parse_table(a.value(x)?)?)
            }
            x if matches(x, "preference") || matches(x, "priority") => {
                f.priority = Some(a.number(x)?)
            }
            x => return usage(format!("unexpected \"{x}\"")),
        }
    }
    let tables = Tables::read();
    let mut out = String::new();
    // ip rule show  →  Handle::rules(&RuleFilter)
    for r in h.rules(&f)?.iter() {
        line(&mut out, r, &tables);
    }
    print(&out);
    Ok(())
}

/// `%#llx` as C prints it: `0` for zero, `0x...` otherwise.
fn c_hex(v: u32) -> String {
    if v == 0 {
        "0".into()
    } else {
        format!("{v:#x}")
    }
}

/// One line as `ip rule show` prints it.
fn line(out: &mut String, r: &Rule, t: &Tables) {
    let host_len = if r.family == Family::INET6 { 128 } else { 32 };
    let _ = write!(out, "{}:\t", r.priority.unwrap_or(0));
    if r.flags.contains(RuleFlags::INVERT) {
        out.push_str("not ");
    }
    match r.src {
        Some(s) if r.src_len != host_len => {
            let _ = write!(out, "from {s}/{}", r.src_len);
        }
        Some(s) => {
            let _ = write!(out, "from {s}");
        }
        None if r.src_len != 0 => {
            let _ = write!(out, "from 0/{}", r.src_len);
        }
        None => out.push_str("from all"),
    }
    match r.dst {
        Some(d) if r.dst_len != host_len => {
            let _ = write!(out, " to {d}/{}", r.dst_len);
        }
        Some(d) => {
            let _ = write!(out, " to {d}");
        }
        None if r.dst_len != 0 => {
            let _ = write!(out, " to 0/{}", r.dst_len);
        }
        None => {}
    }
    if r.tos != 0 {
        let _ = write!(out, " tos {}", t.dsfield(r.tos));
    }
    if r.fwmark.is_some() || r.fwmask.is_some() {
        let mark = r.fwmark.unwrap_or(0);
        match r.fwmask {
            Some(k) if k != u32::MAX => {
                let _ = write!(out, " fwmark {}/{}", c_hex(mark), c_hex(k));
            }
            _ => {
                let _ = write!(out, " fwmark {}", c_hex(mark));
            }
        }
    }
    if let Some(i) = &r.iif {
        let _ = write!(out, " iif {i}");
        if r.flags.contains(RuleFlags::IIF_DETACHED) {
            out.push_str(" [detached]");
        }
    }
    if let Some(o) = &r.oif {
        let _ = write!(out, " oif {o}");
        if r.flags.contains(RuleFlags::OIF_DETACHED) {
            out.push_str(" [detached]");
        }
    }
    if r.l3mdev {
        out.push_str(" lookup [l3mdev-table]");
    }
    if let Some((a, b)) = r.uid_range {
        let _ = write!(out, " uidrange {a}-{b}");
    }
    if let Some(p) = r.ip_proto {
        let _ = write!(out, " ipproto {}", proto_name(p));
    }
    for (word, range) in [("sport", r.sport), ("dport", r.dport)] {
        match range {
            Some((a, b)) if a == b => {
                let _ = write!(out, " {word} {a}");
            }
            Some((a, b)) => {
                let _ = write!(out, " {word} {a}-{b}");
            }
            None => {}
        }
    }
    if let Some(id) = r.tun_id {
        let _ = write!(out, " tun_id {id}");
    }
    if r.table != 0 {
        let _ = write!(out, " lookup {}", table_name(r.table));
        if let Some(pl) = r.suppress_prefixlength.filter(|&p| p != u32::MAX) {
            let _ = write!(out, " suppress_prefixlength {}", pl as i32);
        }
        if let Some(g) = r.suppress_ifgroup.filter(|&g| g != u32::MAX) {
            let _ = write!(out, " suppress_ifgroup {}", t.group(g));
        }
    }
    if let Some(flow) = r.realms {
        let (from, to) = (flow >> 16, flow & 0xffff);
        if from != 0 {
            let _ = write!(out, " realms {}/", t.realm(from));
        } else {
            out.push_str(" realms ");
        }
        out.push_str(&t.realm(to));
    }
    match r.action {
        RuleAction::GOTO => {
            match r.goto {
                Some(g) => {
                    let _ = write!(out, " goto {g}");
                }
                None => out.push_str(" goto none"),
            }
            if r.flags.contains(RuleFlags::UNRESOLVED) {
                out.push_str(" [unresolved]");
            }
        }
        RuleAction::NOP => out.push_str(" nop"),
        RuleAction::LOOKUP => {}
        a => {
            let _ = write!(out, " {}", RouteType(a.0));
        }
    }
    if let Some(p) = r.protocol {
        if p.0 != 0 && p != Protocol::KERNEL {
            let _ = write!(out, " proto {p}");
        }
    }
    out.push('\n');
}

/// iproute2's name tables, read as it reads them (`/etc/iproute2/<name>`, then
/// `/usr/share/iproute2/<name>`): `NUMBER NAME` per line, `#` comments.
pub struct Tables {
    dsfield: Vec<(u32, String)>,
    realms: Vec<(u32, String)>,
    groups: Vec<(u32, String)>,
}

fn table_file(name: &str) -> Vec<(u32, String)> {
    let text = std::fs::read_to_string(format!("/etc/iproute2/{name}"))
        .or_else(|_| std::fs::read_to_string(format!("/usr/share/iproute2/{name}")))
        .unwrap_or_default();
    text.lines()
        .filter_map(|l| {
            let l = l.trim();
            if l.starts_with('#') {
                return None;
            }
            let mut it = l.split_whitespace();
            let (n, name) = (it.next()?, it.next()?);
            let v = match n.strip_prefix("0x").or(n.strip_prefix("0X")) {
                Some(h) => u32::from_str_radix(h, 16).ok()?,
                None => n.parse().ok()?,
            };
            Some((v, name.to_owned()))
        })
        .collect()
}

impl Tables {
    pub fn read() -> Tables {
        Tables {
            dsfield: table_file("rt_dsfield"),
            realms: table_file("rt_realms"),
            groups: table_file("group"),
        }
    }

    fn find(t: &[(u32, String)], v: u32) -> Option<&str> {
        t.iter().find(|(n, _)| *n == v).map(|(_, s)| s.as_str())
    }

    /// `rtnl_dsfield_n2a`: a name, else `0x%02x`.
    pub fn dsfield(&self, v: u8) -> String {
        Tables::find(&self.dsfield, u32::from(v)).map_or_else(|| format!("{v:#04x}"), str::to_owned)
    }

    fn realm(&self, v: u32) -> String {
        Tables::find(&self.realms, v).map_or_else(|| v.to_string(), str::to_owned)
    }

    fn group(&self, v: u32) -> String {
        Tables::find(&self.groups, v).map_or_else(|| v.to_string(), str::to_owned)
    }
}

/// `/etc/protocols`: (number, name) of each entry.
fn protocols() -> Vec<(u8, String)> {
    std::fs::read_to_string("/etc/protocols")
        .unwrap_or_default()
        .lines()
        .filter_map(|l| {
            let l = l.split('#').next()?;
            let mut it = l.split_whitespace();
            let name = it.next()?;
            let n = it.next()?.parse().ok()?;
            Some((n, name.to_owned()))
        })
        .collect()
}

/// `inet_proto_n2a`: the name `/etc/protocols` gives, else `ipproto-N`.
fn proto_name(p: u8) -> String {
    protocols()
        .into_iter()
        .find(|(n, _)| *n == p)
        .map_or_else(|| format!("ipproto-{p}"), |(_, s)| s)
}

/// `inet_proto_a2n`.
fn proto_number(s: &str) -> Option<u8> {
    protocols()
        .into_iter()
        .find(|(_, n)| n == s)
        .map(|(n, _)| n)
}
