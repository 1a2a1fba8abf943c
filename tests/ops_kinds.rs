//! Kernel tests of every kind of link this host's kernel has (veth with peer options,
//! bridge, macvlan, macvtap, vxlan, ifb), of the kinds it lacks (the refusal), of
//! creation directly in another namespace (and what the kernel does on a name
//! collision), of attributes composed into one request, of changes that can be
//! undone, of alternative names, lookups by MAC, statistics, bridge port options and
//! the bridge VLAN refusal — each test in a fresh network namespace, checked with
//! `ip -j -d link` and `bridge -j`. The kinds this kernel lacks (vlan, ipvlan, vrf,
//! bond, dummy, wireguard, geneve, bridge VLAN filtering) are tested inside the qemu
//! guest (`tests/qemu_guest.rs`, `guest_makes_every_kind`).

mod common;
use common::*;

use rtnl::{
    AltName, BridgePort, BridgeVlan, Handle, IpvlanMode, Link, LinkFilter, LinkKind, MacAddr,
    Macvlan, MacvlanMode, Netns, Vxlan,
};
use serde_json::Value;
use std::net::IpAddr;
use std::os::fd::{AsFd, OwnedFd};

fn ipa(s: &str) -> IpAddr {
    s.parse().unwrap()
}

/// `ip -j -d link show dev NAME`'s object.
fn ip_d(name: &str) -> Value {
    let v = ip_json(&["-d", "link", "show", "dev", name]);
    v[0].clone()
}

/// `ip -j ARGS` run in the namespace behind `ns` (from a thread that joined it).
fn ip_in(ns: &OwnedFd, args: &[&str]) -> Value {
    let fd = ns.try_clone().unwrap();
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    rtnl::with_netns_fd(fd, move || {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        Ok(ip_json(&a))
    })
    .unwrap()
}

fn names_in(ns: &OwnedFd) -> Vec<String> {
    ip_in(ns, &["link", "show"])
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["ifname"].as_str().unwrap().to_owned())
        .collect()
}

/// A veth pair `a`/`b`, down; returns `a`'s index.
fn veth(h: &mut Handle, a: &str, b: &str) -> u32 {
    h.add(&Link::veth(a, b).unwrap()).unwrap();
    h.link_index(a).unwrap()
}

/// Whether requests of type `op` reach the kernel here: natively always; under
/// qemu-user, which translates only the rtnetlink messages it knows, a refusal with
/// the emulator's EOPNOTSUPP is proven and said loudly, and the test stops.
fn reaches_kernel<T>(r: &rtnl::Result<T>, op: &str, test: &str) -> bool {
    match (r, std::env::var("RTNL_QEMU_USER")) {
        (Err(e), Ok(emu)) if e.errno() == Some(libc::EOPNOTSUPP) => {
            loud(&format!(
                "NOT RUN under {emu}: {test} — qemu-user does not translate {op} \
                 (EOPNOTSUPP from the emulator: {e}); the test runs natively on x86-64 and i686"
            ));
            false
        }
        _ => true,
    }
}

#[test]
fn macvlan_macvtap_vxlan_ifb_are_created_and_read_back() {
    if !can_run_kernel_tests("macvlan_macvtap_vxlan_ifb_are_created_and_read_back") {
        return;
    }
    in_netns(|| {
        let mut h = Handle::new().unwrap();
        let parent = veth(&mut h, "kp0", "kp1");
        for (name, mode) in [
            ("mv-priv", MacvlanMode::Private),
            ("mv-vepa", MacvlanMode::Vepa),
            ("mv-br", MacvlanMode::Bridge),
        ] {
            h.add(&Link::macvlan(name, parent, mode).unwrap()).unwrap();
            let j = ip_d(name);
            assert_eq!(j["link"], "kp0", "{j}");
            assert_eq!(j["linkinfo"]["info_kind"], "macvlan");
            assert_eq!(j["linkinfo"]["info_data"]["mode"], mode.to_string());
            let l = h.get_link(name).unwrap().unwrap();
            assert_eq!(l.link, Some(parent));
            match &l.kind {
                Some(LinkKind::Macvlan(m)) => assert_eq!(m.mode, Some(mode)),
                k => panic!("{name}: {k:?}"),
            }
        }
        // A kind's options change in place, without the parent a creation needs
        // (`ip link set dev mv-vepa type macvlan mode bridge`).
        let change = Link {
            kind: Some(LinkKind::Macvlan(Macvlan::new(MacvlanMode::Bridge))),
            ..Default::default()
        };
        h.set_link("mv-vepa", &change).unwrap();
        assert_eq!(ip_d("mv-vepa")["linkinfo"]["info_data"]["mode"], "bridge");

        // A macvtap in source mode with its MACs, on the other end.
        let other = h.link_index("kp1").unwrap();
        let src = Macvlan {
            source_macs: Some(vec!["02:00:00:00:00:0a".parse().unwrap()]),
            ..Macvlan::new(MacvlanMode::Source)
        };
        let l = Link {
            kind: Some(LinkKind::Macvtap(src)),
            ..Link::macvtap("mt-src", other, MacvlanMode::Source).unwrap()
        };
        h.add(&l).unwrap();
        let j = ip_d("mt-src");
        assert_eq!(j["linkinfo"]["info_kind"], "macvtap");
        assert_eq!(j["linkinfo"]["info_data"]["mode"], "source");
        match h.get_link("mt-src").unwrap().unwrap().kind {
            Some(LinkKind::Macvtap(m)) => {
                assert_eq!(
                    m.source_macs,
                    Some(vec!["02:00:00:00:00:0a".parse().unwrap()])
                )
            }
            k => panic!("{k:?}"),
        }

        // vxlan: unicast IPv4 remote with every option ip shows, IPv6, multicast group.
        let v = Vxlan {
            link: Some(parent),
            ttl: Some(64),
            remote: Some(ipa("10.0.0.2")),
            local: Some(ipa("10.0.0.1")),
            port: Some(4789),
            port_range: Some((1000, 2000)),
            learning: Some(false),
            ..Vxlan::new(42)
        };
        h.add(&Link::vxlan("vx-k4", v.clone()).unwrap()).unwrap();
        let d = &ip_d("vx-k4")["linkinfo"]["info_data"];
        assert_eq!(d["id"], 42);
        assert_eq!(d["remote"], "10.0.0.2");
        assert_eq!(d["local"], "10.0.0.1");
        assert_eq!(d["link"], "kp0");
        assert_eq!(d["port"], 4789);
        assert_eq!(d["port_range"]["low"], 1000);
        assert_eq!(d["ttl"], 64);
        assert_eq!(d["learning"], false);
        let back = h.get_link("vx-k4").unwrap().unwrap();
        let Some(LinkKind::Vxlan(got)) = &back.kind else {
            panic!("{:?}", back.kind)
        };
        for (field, ok) in [
            ("vni", got.vni == v.vni),
            ("remote", got.remote == v.remote),
            ("local", got.local == v.local),
            ("link", got.link == v.link),
            ("port", got.port == v.port),
            ("port_range", got.port_range == v.port_range),
            ("ttl", got.ttl == v.ttl),
            ("learning", got.learning == v.learning),
        ] {
            assert!(ok, "vxlan {field}: {got:?}");
        }
        let v6 = Vxlan {
            remote: Some(ipa("fd00::2")),
            local: Some(ipa("fd00::1")),
            port: Some(4789),
            ..Vxlan::new(7)
        };
        h.add(&Link::vxlan("vx-k6", v6).unwrap()).unwrap();
        let d = &ip_d("vx-k6")["linkinfo"]["info_data"];
        assert_eq!(
            (d["remote6"].as_str(), d["local6"].as_str()),
            (Some("fd00::2"), Some("fd00::1"))
        );
        let g = Vxlan {
            remote: Some(ipa("239.1.1.1")),
            link: Some(parent),
            port: Some(4789),
            ..Vxlan::new(16_777_215)
        };
        h.add(&Link::vxlan("vx-kg", g).unwrap()).unwrap();
        let d = &ip_d("vx-kg")["linkinfo"]["info_data"];
        assert_eq!(
            (d["group"].as_str(), d["id"].as_u64()),
            (Some("239.1.1.1"), Some(16_777_215))
        );

        h.add(&Link::ifb("ifb-k").unwrap()).unwrap();
        assert_eq!(ip_d("ifb-k")["linkinfo"]["info_kind"], "ifb");
        assert_eq!(
            h.get_link("ifb-k").unwrap().unwrap().kind,
            Some(LinkKind::Ifb)
        );

        // A kind filter in the kernel: the three macvlans.
        let f = LinkFilter {
            kind: Some("macvlan"),
            ..Default::default()
        };
        assert_eq!(h.links_matching(&f).unwrap().len(), 3);

        // Deleting the parent takes its children with it.
        h.delete_link("kp0").unwrap();
        for n in ["mv-priv", "mv-vepa", "mv-br", "mt-src"] {
            assert!(ip_link(n).is_none(), "{n} outlived its parent");
        }
    });
}

#[test]
fn kinds_this_kernel_lacks_are_refused_with_its_text() {
    if !can_run_kernel_tests("kinds_this_kernel_lacks_are_refused_with_its_text") {
        return;
    }
    in_netns(|| {
        let mut h = Handle::new().unwrap();
        let parent = veth(&mut h, "kr0", "kr1");
        let missing = [
            Link::vlan("kr-vlan", parent, 5).unwrap(),
            Link::ipvlan("kr-ipv", parent, IpvlanMode::L2).unwrap(),
            Link::vrf("kr-vrf", 10).unwrap(),
            Link::dummy("kr-dummy").unwrap(),
            Link::bond("kr-bond", rtnl::Bond::new(rtnl::BondMode::ActiveBackup)).unwrap(),
            Link::wireguard("kr-wg").unwrap(),
            Link::geneve("kr-gnv", rtnl::Geneve::new(5, ipa("10.0.0.2"))).unwrap(),
        ];
        // Skip a kind this kernel happens to have (a module loaded since): the guest
        // test covers them all.
        let have: Vec<String> = std::fs::read_to_string("/proc/modules")
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
            .collect();
        for l in missing {
            let kind = l.kind_name().unwrap().to_owned();
            let module = match kind.as_str() {
                "vlan" => "8021q",
                "bond" => "bonding",
                k => k,
            };
            if have.iter().any(|m| m == module) {
                loud(&format!(
                    "NOTE: {kind} is loaded on this host; its refusal not tested"
                ));
                continue;
            }
            let e = h.add(&l).unwrap_err();
            assert_eq!(e.errno(), Some(libc::EOPNOTSUPP), "{kind}: {e}");
            assert_eq!(
                e.kernel_message(),
                Some("Unknown device type"),
                "{kind}: {e}"
            );
            assert_eq!(
                e.to_string(),
                "RTM_NEWLINK: Operation not supported (os error 95): Unknown device type"
            );
            assert!(ip_link(l.name.unwrap().to_str().unwrap()).is_none());
        }
    });
}

#[test]
fn links_are_created_in_another_namespace_under_their_final_name() {
    if !can_run_kernel_tests("links_are_created_in_another_namespace_under_their_final_name") {
        return;
    }
    let target = rtnl::netns::create().unwrap();
    in_netns(|| {
        let mut h = Handle::new().unwrap();
        let parent = veth(&mut h, "nsp0", "nsp1");
        let mut there = Handle::in_netns(target.as_fd()).unwrap();
        let ns = Netns::fd(target.as_fd());

        // 1. A name free in both: one request, the link only ever exists there.
        h.add(
            &Link::macvlan("eth0", parent, MacvlanMode::Bridge)
                .unwrap()
                .netns(ns),
        )
        .unwrap();
        assert!(ip_link("eth0").is_none());
        let j = ip_in(&target, &["-d", "link", "show", "dev", "eth0"]);
        assert_eq!(j[0]["linkinfo"]["info_data"]["mode"], "bridge");
        assert!(j[0]["link_netnsid"].is_number(), "{j}");
        let l = there.get_link("eth0").unwrap().unwrap();
        assert_eq!(l.link, Some(parent), "the parent's index, in its namespace");
        assert!(l.link_netnsid.is_some());

        // 2. Taken in the target: EEXIST, and nothing is created anywhere.
        let before_here = ip_link_names();
        let before_there = names_in(&target);
        let e = h
            .add(
                &Link::macvlan("eth0", parent, MacvlanMode::Bridge)
                    .unwrap()
                    .netns(ns),
            )
            .unwrap_err();
        assert!(e.is_exists(), "{e}");
        assert_eq!(e.errno(), Some(libc::EEXIST));
        let e = h
            .add_in_netns(
                &Link::macvlan("eth0", parent, MacvlanMode::Bridge)
                    .unwrap()
                    .netns(ns),
            )
            .unwrap_err();
        assert!(e.is_exists(), "{e}");
        assert_eq!(ip_link_names(), before_here);
        assert_eq!(names_in(&target), before_there);

        // 3. Taken here (nsp1) but free there: this kernel looks the name up in the
        // target and creates it in one request (Linux 6.1 refuses with EEXIST there;
        // add_in_netns then renames, see the guest test).
        h.add_in_netns(
            &Link::macvlan("nsp1", parent, MacvlanMode::Private)
                .unwrap()
                .netns(ns),
        )
        .unwrap();
        let j = ip_in(&target, &["-d", "link", "show", "dev", "nsp1"]);
        assert_eq!(j[0]["linkinfo"]["info_data"]["mode"], "private");
        assert_eq!(
            ip_d("nsp1")["linkinfo"]["info_kind"],
            "veth",
            "ours untouched"
        );
        assert!(
            !names_in(&target).iter().any(|n| n.starts_with("rtnl")),
            "no temporary name was needed"
        );

        // Every kind this kernel has, there in one request: vxlan, ifb, veth (both
        // ends there, the peer by namespace too).
        h.add(&Link::vxlan("vx-ns", Vxlan::new(5)).unwrap().netns(ns))
            .unwrap();
        h.add(&Link::ifb("ifb-ns").unwrap().netns(ns)).unwrap();
        h.add(&Link::veth("vn0", "vn1").unwrap().netns(ns).peer_netns(ns))
            .unwrap();
        let there_names = names_in(&target);
        for n in ["vx-ns", "ifb-ns", "vn0", "vn1"] {
            assert!(there_names.iter().any(|x| x == n), "{n} in {there_names:?}");
            assert!(ip_link(n).is_none(), "{n} appeared here");
        }
        h.delete_link("nsp0").unwrap();
    });
}

#[test]
fn veth_peers_get_their_options_and_namespace_by_fd_and_by_pid() {
    if !can_run_kernel_tests("veth_peers_get_their_options_and_namespace_by_fd_and_by_pid") {
        return;
    }
    let target = rtnl::netns::create().unwrap();
    // A process living in the target namespace (spawned from a thread that joined it).
    let child = rtnl::with_netns_fd(target.try_clone().unwrap(), || {
        Ok(std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap())
    })
    .unwrap();
    let pid = child.id();
    in_netns(|| {
        let mut h = Handle::new().unwrap();
        let mut pair = Link::veth("vp0", "vp1")
            .unwrap()
            .address("02:00:00:00:00:01".parse().unwrap())
            .mtu(1400)
            .txqlen(500);
        if let Some(LinkKind::Veth(peer)) = &mut pair.kind {
            peer.address = Some(MacAddr([2, 0, 0, 0, 0, 2]).into());
            peer.mtu = Some(1300);
            peer.txqlen = Some(600);
            peer.netns = Some(Netns::fd(target.as_fd()));
        }
        h.add(&pair).unwrap();
        let here = ip_d("vp0");
        assert_eq!(here["address"], "02:00:00:00:00:01");
        assert_eq!(
            (here["mtu"].as_u64(), here["txqlen"].as_u64()),
            (Some(1400), Some(500))
        );
        assert!(ip_link("vp1").is_none());
        let peer = &ip_in(&target, &["link", "show", "dev", "vp1"])[0];
        assert_eq!(peer["address"], "02:00:00:00:00:02");
        assert_eq!(
            (peer["mtu"].as_u64(), peer["txqlen"].as_u64()),
            (Some(1300), Some(600))
        );

        // By pid: the namespace of a process.
        h.add(
            &Link::veth("vq0", "vq1")
                .unwrap()
                .peer_netns(Netns::Pid(pid)),
        )
        .unwrap();
        assert!(ip_link("vq1").is_none());
        assert_eq!(
            ip_in(&target, &["link", "show", "dev", "vq1"])[0]["ifname"],
            "vq1"
        );
        // Read back: the peer's index and the namespace id it lives in.
        let l = h.get_link("vq0").unwrap().unwrap();
        assert!(l.link.is_some() && l.link_netnsid.is_some(), "{l:?}");
        h.delete_link("vp0").unwrap();
        h.delete_link("vq0").unwrap();
    });
    let mut child = child;
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn attributes_compose_into_one_request_and_can_be_undone() {
    if !can_run_kernel_tests("attributes_compose_into_one_request_and_can_be_undone") {
        return;
    }
    in_netns(|| {
        let mut h = Handle::new().unwrap();
        let idx = veth(&mut h, "ca0", "ca1");
        h.add(&Link::bridge("cabr").unwrap()).unwrap();
        let br = h.link_index("cabr").unwrap();
        let before = ip_d("ca0");
        // Everything at once, in one RTM_NEWLINK.
        let change = Link::default()
            .address("02:aa:00:00:00:01".parse().unwrap())
            .mtu(1400)
            .txqlen(77)
            .group(9)
            .alias("uplink to the rack")
            .promisc(true)
            .allmulti(true)
            .arp(false)
            .master(br)
            .up();
        let undo = h.set_link_undoable("ca0", &change).unwrap();
        let j = ip_d("ca0");
        assert_eq!(j["address"], "02:aa:00:00:00:01");
        assert_eq!(
            (j["mtu"].as_u64(), j["txqlen"].as_u64()),
            (Some(1400), Some(77))
        );
        assert_eq!(j["group"], "9");
        assert_eq!(j["ifalias"], "uplink to the rack");
        assert_eq!(j["master"], "cabr");
        let flags: Vec<&str> = j["flags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap())
            .collect();
        for f in ["PROMISC", "ALLMULTI", "NOARP", "UP"] {
            assert!(flags.contains(&f), "{f} in {flags:?}");
        }
        // rtnl reads it all back.
        let l = h.get_link(idx).unwrap().unwrap();
        assert!(l.is_promisc() && l.is_allmulti() && !l.has_arp() && l.is_up());
        assert_eq!(l.alias.as_deref(), Some("uplink to the rack"));
        assert_eq!((l.txqlen, l.group, l.master), (Some(77), Some(9), Some(br)));

        // The undo puts every one of them back.
        assert_eq!(undo.index, idx);
        h.change(&undo).unwrap();
        let j = ip_d("ca0");
        for key in ["address", "mtu", "txqlen", "group", "flags"] {
            assert_eq!(j[key], before[key], "{key}");
        }
        assert!(j.get("ifalias").is_none() || j["ifalias"] == "", "{j}");
        assert!(j.get("master").is_none(), "{j}");

        // A rename with netns is not undoable; a rename alone is, by index.
        let undo = h
            .set_link_undoable("ca0", &Link::named("renamed0").unwrap())
            .unwrap();
        assert!(ip_link("renamed0").is_some());
        h.change(&undo).unwrap();
        assert!(ip_link("ca0").is_some() && ip_link("renamed0").is_none());
        let ns = rtnl::netns::create().unwrap();
        let e = h
            .set_link_undoable("ca0", &Link::default().netns(Netns::fd(ns.as_fd())))
            .unwrap_err();
        assert!(e.is_invalid_input(), "{e}");
        assert!(ip_link("ca0").is_some(), "nothing was sent");
    });
}

#[test]
fn alternative_names_are_added_looked_up_and_deleted() {
    if !can_run_kernel_tests("alternative_names_are_added_looked_up_and_deleted") {
        return;
    }
    in_netns(|| {
        let mut h = Handle::new().unwrap();
        let idx = veth(&mut h, "an0", "an1");
        let long = "an-uplink-with-a-name-longer-than-ifnamsiz";
        let r = h.add_altname("an0", long);
        if !reaches_kernel(
            &r,
            "RTM_NEWLINKPROP",
            "alternative_names_are_added_looked_up_and_deleted",
        ) {
            return;
        }
        r.unwrap();
        h.add(&AltName::new(idx, "an0-short")).unwrap();
        let j = ip_d("an0");
        let alts: Vec<&str> = j["altnames"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        assert_eq!(alts, [long, "an0-short"]);
        // Looked up by either, with one RTM_GETLINK.
        assert_eq!(h.link_index(long).unwrap(), idx);
        assert_eq!(h.link_index("an0-short").unwrap(), idx);
        let l = h.get_link(long).unwrap().unwrap();
        assert_eq!(l.alt_names, [long, "an0-short"]);
        // Taken: by this link or another.
        assert!(h.add_altname("an1", long).unwrap_err().is_exists());
        // Deleted; then absent.
        h.delete_altname(idx, long).unwrap();
        assert!(h.get_link(long).unwrap().is_none());
        let e = h.delete_altname("an0", long).unwrap_err();
        assert!(e.is_not_found(), "{e}");
        // Refused before any syscall.
        assert!(h
            .add_altname("an0", &"x".repeat(128))
            .unwrap_err()
            .is_invalid_input());
        // A link is deleted by an alternative name too.
        h.delete_link("an0-short").unwrap();
        assert!(ip_link("an0").is_none());
    });
}

#[test]
fn links_are_found_by_mac_and_statistics_come_only_when_asked() {
    if !can_run_kernel_tests("links_are_found_by_mac_and_statistics_come_only_when_asked") {
        return;
    }
    in_netns(|| {
        let mut h = Handle::new().unwrap();
        let idx = veth(&mut h, "bm0", "bm1");
        let mac: MacAddr = "02:bb:00:00:00:07".parse().unwrap();
        h.set_link_address("bm0", mac).unwrap();
        let l = h.link_by_mac(mac).unwrap().unwrap();
        assert_eq!((l.index, l.name_str().as_str()), (idx, "bm0"));
        assert!(h
            .link_by_mac("02:bb:00:00:00:08".parse().unwrap())
            .unwrap()
            .is_none());

        // Dumps leave statistics out unless asked; one link's come without a dump.
        assert!(h.links().unwrap().iter().all(|l| l.stats.is_none()));
        let f = LinkFilter {
            stats: true,
            ..Default::default()
        };
        assert!(h
            .links_matching(&f)
            .unwrap()
            .iter()
            .all(|l| l.stats.is_some()));
        assert!(h.get_link("bm0").unwrap().unwrap().stats.is_none());
        let s = h.get_link_stats("bm0").unwrap().unwrap().stats.unwrap();
        let j = ip_json(&["-s", "link", "show", "dev", "bm0"]);
        assert_eq!(
            s.tx_packets,
            j[0]["stats64"]["tx"]["packets"].as_u64().unwrap()
        );
        assert_eq!(s.rx_bytes, j[0]["stats64"]["rx"]["bytes"].as_u64().unwrap());
    });
}

#[test]
fn bridge_port_options_are_set_in_one_request_and_vlans_refused_here() {
    if !can_run_kernel_tests("bridge_port_options_are_set_in_one_request_and_vlans_refused_here") {
        return;
    }
    in_netns(|| {
        let mut h = Handle::new().unwrap();
        let idx = veth(&mut h, "bp0", "bp1");
        h.add(&Link::bridge("bpbr").unwrap()).unwrap();
        h.set_link_master("bp0", "bpbr").unwrap();
        let port = BridgePort {
            hairpin: Some(true),
            isolated: Some(true),
            learning: Some(false),
            flooding: Some(false),
            guard: Some(true),
            ..Default::default()
        };
        let r = h.set_bridge_port("bp0", &port);
        if !reaches_kernel(
            &r,
            "AF_BRIDGE RTM_SETLINK",
            "bridge_port_options_are_set_in_one_request_and_vlans_refused_here",
        ) {
            return;
        }
        r.unwrap();
        let j = &ip_json(&["-d", "link", "show", "dev", "bp0"])[0]["linkinfo"]["info_slave_data"];
        assert_eq!(j["hairpin"], true, "{j}");
        assert_eq!(j["isolated"], true);
        assert_eq!(j["learning"], false);
        assert_eq!(j["flood"], false);
        assert_eq!(j["guard"], true);
        let b = std::process::Command::new("bridge")
            .args(["-d", "-j", "link", "show", "dev", "bp0"])
            .output()
            .unwrap();
        let b: Value = serde_json::from_slice(&b.stdout).unwrap();
        assert_eq!(
            (b[0]["hairpin"].as_bool(), b[0]["isolated"].as_bool()),
            (Some(true), Some(true))
        );
        // Read back through rtnl.
        let got = h.get_link(idx).unwrap().unwrap().bridge_port().unwrap();
        for (f, a, w) in [
            ("hairpin", got.hairpin, Some(true)),
            ("isolated", got.isolated, Some(true)),
            ("learning", got.learning, Some(false)),
            ("flooding", got.flooding, Some(false)),
            ("guard", got.guard, Some(true)),
        ] {
            assert_eq!(a, w, "{f}");
        }

        // This kernel has no bridge VLAN filtering: refused, and listed as none.
        let e = h
            .set_bridge_vlan_filtering("bpbr", true, Some(10))
            .unwrap_err();
        assert_eq!(e.errno(), Some(libc::EOPNOTSUPP), "{e}");
        let e = h
            .add(&BridgeVlan {
                pvid: true,
                untagged: true,
                ..BridgeVlan::new(idx, 10)
            })
            .unwrap_err();
        assert_eq!(e.errno(), Some(libc::EOPNOTSUPP), "{e}");
        assert_eq!(h.bridge_vlans(None).unwrap(), vec![]);
        // The bridge says so too.
        assert_eq!(ip_d("bpbr")["linkinfo"]["info_data"]["vlan_filtering"], 0);
    });
}

/// `set_bridge_port` by index sends the request as it is (the kernel takes the port by
/// index); an absent index is the kernel's `ENODEV`, reported as `Error::NotFound`.
#[test]
fn bridge_port_by_index_and_absent_port() {
    if !can_run_kernel_tests("bridge_port_by_index_and_absent_port") {
        return;
    }
    in_netns(|| {
        let mut h = Handle::new().unwrap();
        let idx = veth(&mut h, "bx0", "bx1");
        h.add(&Link::bridge("bxbr").unwrap()).unwrap();
        h.set_link_master("bx0", "bxbr").unwrap();
        let on = BridgePort {
            hairpin: Some(true),
            ..Default::default()
        };
        let r = h.set_bridge_port(idx, &on);
        if !reaches_kernel(
            &r,
            "AF_BRIDGE RTM_SETLINK",
            "bridge_port_by_index_and_absent_port",
        ) {
            return;
        }
        r.unwrap();
        let j = &ip_d("bx0")["linkinfo"]["info_slave_data"];
        assert_eq!(j["hairpin"], true, "{j}");
        let e = h.set_bridge_port(idx + 1000, &on).unwrap_err();
        assert!(
            matches!(&e, rtnl::Error::NotFound { kind: "link", .. }),
            "{e:?}"
        );
        assert!(e.is_not_found());
        let e = h.set_bridge_port("bx-absent", &on).unwrap_err();
        assert!(matches!(&e, rtnl::Error::NotFound { .. }), "{e:?}");
    });
}
