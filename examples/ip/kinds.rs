//! `ip link add ... type KIND [OPTIONS]`: every kind's options in iproute2's syntax,
//! into one `rtnl::Link`.

use crate::cli::{parse_ip, usage, Args, Res};
use rtnl::{
    Bond, BondMode, Geneve, Handle, IpvlanFlags, IpvlanMode, Link, LinkKind, Macvlan, MacvlanMode,
    TunnelDf, Vlan, VlanProtocol, Vxlan,
};

fn on_off(a: &mut Args<'_>, what: &str) -> Res<bool> {
    match a.value(what)? {
        "on" | "1" => Ok(true),
        "off" | "0" => Ok(false),
        v => usage(format!("\"{what}\" takes on or off, not \"{v}\"")),
    }
}

fn need_parent(kind: &str, parent: Option<u32>) -> Res<u32> {
    match parent {
        Some(p) => Ok(p),
        None => usage(format!("type {kind} needs \"link DEV\"")),
    }
}

/// The link `ip link add [link PARENT] NAME type KIND ARGS...` makes.
pub fn parse(
    h: &mut Handle,
    kind: &str,
    name: &str,
    parent: Option<u32>,
    a: &mut Args<'_>,
) -> Res<Link> {
    Ok(match kind {
        // ip link add NAME type veth peer name P  →  Link::veth(NAME, P)
        "veth" => {
            let mut peer = None;
            while let Some(x) = a.next() {
                match x {
                    "peer" => {
                        let p = a.value("peer")?;
                        // `peer name P` as ip spells it; `peer P` accepted too.
                        peer = Some(if p == "name" {
                            a.value("peer name")?
                        } else {
                            p
                        });
                    }
                    x => return usage(format!("unexpected \"{x}\"")),
                }
            }
            match peer {
                Some(p) => Link::veth(name, p)?,
                None => Link::of_kind(name, "veth")?,
            }
        }
        // ip link add NAME type bridge [vlan_filtering 0|1] [vlan_default_pvid N]
        "bridge" => {
            let mut br = rtnl::Bridge::default();
            while let Some(x) = a.next() {
                match x {
                    "stp_state" => br.stp = Some(on_off(a, x)?),
                    "vlan_filtering" => br.vlan_filtering = Some(on_off(a, x)?),
                    "vlan_default_pvid" => br.default_pvid = Some(a.number(x)?),
                    x => return usage(format!("unexpected \"{x}\" for type bridge")),
                }
            }
            Link {
                kind: Some(LinkKind::Bridge(br)),
                ..Link::bridge(name)?
            }
        }
        // ip link add link P name N type vlan [protocol 802.1Q|802.1ad] id ID [flags]
        "vlan" => {
            let mut v = Vlan::default();
            while let Some(x) = a.next() {
                match x {
                    "id" => v.id = Some(a.number("id")?),
                    "protocol" => {
                        let p = a.value("protocol")?;
                        v.protocol = Some(match p.to_ascii_lowercase().as_str() {
                            "802.1q" => VlanProtocol::Dot1Q,
                            "802.1ad" => VlanProtocol::Dot1Ad,
                            _ => return usage(format!("unknown VLAN protocol \"{p}\"")),
                        });
                    }
                    "reorder_hdr" => v.reorder_hdr = Some(on_off(a, x)?),
                    "gvrp" => v.gvrp = Some(on_off(a, x)?),
                    "mvrp" => v.mvrp = Some(on_off(a, x)?),
                    "loose_binding" => v.loose_binding = Some(on_off(a, x)?),
                    "bridge_binding" => v.bridge_binding = Some(on_off(a, x)?),
                    "ingress-qos-map" => v.ingress_qos = qos_map(a, x)?,
                    "egress-qos-map" => v.egress_qos = qos_map(a, x)?,
                    x => return usage(format!("unexpected \"{x}\" for type vlan")),
                }
            }
            let Some(id) = v.id else {
                return usage("type vlan needs \"id ID\"");
            };
            Link {
                kind: Some(LinkKind::Vlan(v)),
                ..Link::vlan(name, need_parent(kind, parent)?, id)?
            }
        }
        // ip link add link P name N type macvlan|macvtap mode MODE [nopromisc] [nodst]
        "macvlan" | "macvtap" => {
            let mut m = Macvlan::default();
            while let Some(x) = a.next() {
                match x {
                    "mode" => {
                        let v = a.value("mode")?;
                        m.mode =
                            Some(MacvlanMode::from_name(v).map_or_else(
                                || usage(format!("unknown macvlan mode \"{v}\"")),
                                Ok,
                            )?);
                    }
                    "nopromisc" | "nodst" => {
                        let f = m.flags.get_or_insert_with(Default::default);
                        if x == "nopromisc" {
                            f.nopromisc = true;
                        } else {
                            f.nodst = true;
                        }
                    }
                    "bcqueuelen" => m.bc_queue_len = Some(a.number(x)?),
                    x => return usage(format!("unexpected \"{x}\" for type {kind}")),
                }
            }
            let p = need_parent(kind, parent)?;
            let mut l = Link::macvlan(name, p, MacvlanMode::Vepa)?;
            l.kind = Some(if kind == "macvlan" {
                LinkKind::Macvlan(m)
            } else {
                LinkKind::Macvtap(m)
            });
            l
        }
        // ip link add link P name N type ipvlan mode l2|l3|l3s [bridge|private|vepa]
        "ipvlan" => {
            let mut mode = None;
            let mut flags = IpvlanFlags::Bridge;
            while let Some(x) = a.next() {
                match x {
                    "mode" => {
                        let v = a.value("mode")?;
                        mode =
                            Some(IpvlanMode::from_name(v).map_or_else(
                                || usage(format!("unknown ipvlan mode \"{v}\"")),
                                Ok,
                            )?);
                    }
                    f => match IpvlanFlags::from_name(f) {
                        Some(fl) => flags = fl,
                        None => return usage(format!("unexpected \"{f}\" for type ipvlan")),
                    },
                }
            }
            let mut l = Link::ipvlan(
                name,
                need_parent(kind, parent)?,
                mode.unwrap_or(IpvlanMode::L2),
            )?;
            l.kind = Some(LinkKind::Ipvlan(rtnl::Ipvlan {
                mode,
                flags: Some(flags),
                other: Default::default(),
            }));
            l
        }
        // ip link add NAME type vxlan id VNI [remote|group A] [local A] [dev D] ...
        "vxlan" => {
            let mut v = Vxlan {
                learning: Some(true),
                ..Default::default()
            };
            while let Some(x) = a.next() {
                match x {
                    "id" | "vni" => v.vni = Some(a.number(x)?),
                    "remote" | "group" => v.remote = Some(parse_ip(a.value(x)?)?),
                    "local" => v.local = Some(parse_ip(a.value(x)?)?),
                    "dev" => v.link = Some(h.link_index(a.value("dev")?)?),
                    "dstport" => v.port = Some(a.number(x)?),
                    "srcport" | "port" => {
                        let lo = a.number(x)?;
                        v.port_range = Some((lo, a.number(x)?));
                    }
                    "ttl" | "hoplimit" => match a.value(x)? {
                        "inherit" => v.ttl_inherit = true,
                        "auto" => v.ttl = Some(0),
                        n => {
                            v.ttl = Some(
                                n.parse()
                                    .or_else(|_| usage(format!("invalid ttl \"{n}\"")))?,
                            )
                        }
                    },
                    "tos" => match a.value(x)? {
                        "inherit" => v.tos = Some(1),
                        n => {
                            v.tos = Some(
                                u8::from_str_radix(n.trim_start_matches("0x"), 16)
                                    .or_else(|_| usage(format!("invalid tos \"{n}\"")))?,
                            )
                        }
                    },
                    "df" => {
                        let d = a.value(x)?;
                        v.df = Some(
                            TunnelDf::from_name(d)
                                .map_or_else(|| usage(format!("invalid df \"{d}\"")), Ok)?,
                        );
                    }
                    "flowlabel" | "label" => v.label = Some(a.number(x)?),
                    "ageing" => v.ageing = Some(a.number(x)?),
                    "maxaddress" => v.limit = Some(a.number(x)?),
                    "learning" => v.learning = Some(true),
                    "nolearning" => v.learning = Some(false),
                    "proxy" | "noproxy" => v.proxy = Some(x == "proxy"),
                    "rsc" | "norsc" => v.rsc = Some(x == "rsc"),
                    "l2miss" | "nol2miss" => v.l2miss = Some(x == "l2miss"),
                    "l3miss" | "nol3miss" => v.l3miss = Some(x == "l3miss"),
                    "udpcsum" | "noudpcsum" => v.udp_csum = Some(x == "udpcsum"),
                    "external" | "noexternal" => v.external = Some(x == "external"),
                    "gbp" => v.gbp = true,
                    "gpe" => v.gpe = true,
                    x => return usage(format!("unexpected \"{x}\" for type vxlan")),
                }
            }
            Link::vxlan(name, v)?
        }
        // ip link add NAME type geneve id VNI remote ADDR [ttl N] [tos T] [dstport P]
        "geneve" => {
            let mut g = Geneve {
                ttl: Some(0),
                tos: Some(0),
                label: Some(0),
                ..Default::default()
            };
            while let Some(x) = a.next() {
                match x {
                    "id" | "vni" => g.vni = Some(a.number(x)?),
                    "remote" => g.remote = Some(parse_ip(a.value(x)?)?),
                    "ttl" => match a.value(x)? {
                        "inherit" => g.ttl_inherit = Some(true),
                        "auto" => g.ttl = Some(0),
                        n => {
                            g.ttl = Some(
                                n.parse()
                                    .or_else(|_| usage(format!("invalid ttl \"{n}\"")))?,
                            )
                        }
                    },
                    "tos" => {
                        let n = a.value(x)?;
                        g.tos = Some(
                            u8::from_str_radix(n.trim_start_matches("0x"), 16)
                                .or_else(|_| usage(format!("invalid tos \"{n}\"")))?,
                        )
                    }
                    "flowlabel" | "label" => g.label = Some(a.number(x)?),
                    "dstport" => g.port = Some(a.number(x)?),
                    "external" => g.external = true,
                    "udpcsum" | "noudpcsum" => g.udp_csum = Some(x == "udpcsum"),
                    x => return usage(format!("unexpected \"{x}\" for type geneve")),
                }
            }
            Link::geneve(name, g)?
        }
        // ip link add NAME type vrf table N
        "vrf" => {
            let mut table = None;
            while let Some(x) = a.next() {
                match x {
                    "table" => table = Some(crate::cli::parse_table(a.value(x)?)?),
                    x => return usage(format!("unexpected \"{x}\" for type vrf")),
                }
            }
            let Some(t) = table else {
                return usage("type vrf needs \"table N\"");
            };
            Link::vrf(name, t)?
        }
        // ip link add NAME type bond [mode M] [miimon MS] [updelay MS] ...
        "bond" => {
            let mut b = Bond::default();
            while let Some(x) = a.next() {
                match x {
                    "mode" => {
                        let m = a.value(x)?;
                        b.mode = Some(match BondMode::from_name(m) {
                            Some(m) => m,
                            None => BondMode::from_value(
                                m.parse()
                                    .or_else(|_| usage(format!("invalid mode \"{m}\"")))?,
                            ),
                        });
                    }
                    "miimon" => b.miimon = Some(a.number(x)?),
                    "updelay" => b.updelay = Some(a.number(x)?),
                    "downdelay" => b.downdelay = Some(a.number(x)?),
                    "min_links" => b.min_links = Some(a.number(x)?),
                    "use_carrier" => b.use_carrier = Some(on_off(a, x)?),
                    "arp_interval" => b.arp_interval = Some(a.number(x)?),
                    "arp_ip_target" => {
                        let v = a.value(x)?;
                        let t: Result<Vec<std::net::Ipv4Addr>, _> =
                            v.split(',').map(str::parse).collect();
                        b.arp_ip_targets = Some(t.or_else(|_| {
                            usage(format!("invalid arp_ip_target \"{v}\": ADDR[,ADDR...]"))
                        })?);
                    }
                    "arp_validate" => {
                        b.arp_validate = Some(named(a, x, rtnl::BondArpValidate::from_name)?)
                    }
                    "arp_all_targets" => {
                        b.arp_all_targets = Some(named(a, x, rtnl::BondArpAllTargets::from_name)?)
                    }
                    x => return usage(format!("unexpected \"{x}\" for type bond")),
                }
            }
            Link::bond(name, b)?
        }
        // ip link add NAME type dummy|ifb|wireguard (and any other kind, no options)
        k => {
            if let Some(x) = a.next() {
                return usage(format!("unexpected \"{x}\" for type {k}"));
            }
            let mut l = match k {
                "dummy" => Link::dummy(name)?,
                "ifb" => Link::ifb(name)?,
                "wireguard" => Link::wireguard(name)?,
                k => Link::of_kind(name, k)?,
            };
            l.link = parent;
            l
        }
    })
}

/// `FROM:TO [FROM:TO ...]` after `ingress-qos-map` / `egress-qos-map`: every following
/// argument that holds a `:`.
fn qos_map(a: &mut Args<'_>, after: &str) -> Res<Vec<rtnl::VlanQos>> {
    let mut m = Vec::new();
    while let Some(x) = a.peek().filter(|x| x.contains(':')) {
        a.next();
        let (f, t) = x.split_once(':').unwrap_or_default();
        match (f.parse(), t.parse()) {
            (Ok(f), Ok(t)) => m.push(rtnl::VlanQos::new(f, t)),
            _ => return usage(format!("invalid {after} entry \"{x}\": FROM:TO")),
        }
    }
    if m.is_empty() {
        return usage(format!("\"{after}\" needs FROM:TO entries"));
    }
    Ok(m)
}

/// The value after `after`, by the name `from` knows it.
fn named<T>(a: &mut Args<'_>, after: &str, from: fn(&str) -> Option<T>) -> Res<T> {
    let v = a.value(after)?;
    from(v).map_or_else(|| usage(format!("invalid {after} \"{v}\"")), Ok)
}
