//! A whole container attach, as a container runtime does it, against the real kernel:
//! a veth pair whose peer ends up in the container's namespace as `eth0`, addressed,
//! up, with a default route inside, a /32 route to it on the host, the host end in a
//! bridge with STP off — then a teardown that leaves nothing behind. Everything is
//! checked with `ip -j` run in each namespace.

mod common;
use common::*;

use rtnl::abi::*;
use rtnl::socket::{Socket, Transport};
use rtnl::wire::link::LinkMsg;
use rtnl::wire::Messages;
use rtnl::{
    AddrFlags, Address, Decode, Family, Handle, IfName, Link, LinkKind, Netns, Route, VethPeer,
};
use serde_json::Value;
use std::net::IpAddr;
use std::os::fd::{AsFd, OwnedFd};

fn ipa(s: &str) -> IpAddr {
    s.parse().unwrap()
}

/// Everything `ip -j` shows of a namespace: links, addresses, IPv4 and IPv6 routes.
fn snapshot() -> Vec<Value> {
    vec![
        ip_json(&["link", "show"]),
        ip_json(&["addr", "show"]),
        ip_json(&["-4", "route", "show", "table", "all"]),
        ip_json(&["-6", "route", "show", "table", "all"]),
    ]
}

fn run_in<T: Send>(ns: &OwnedFd, f: impl FnOnce() -> T + Send) -> T {
    rtnl::with_netns_fd(ns.try_clone().unwrap(), || Ok(f())).unwrap()
}

/// Every name announced by `RTM_NEWLINK` in a namespace, from a socket subscribed to
/// `RTNLGRP_LINK` there.
struct LinkWatch {
    sock: Socket,
    marker_mtu: u32,
}

impl LinkWatch {
    fn new(ns: &OwnedFd) -> LinkWatch {
        let sock = rtnl::netns::socket_in_netns(ns.as_fd()).unwrap();
        sock.add_membership(1 /* RTNLGRP_LINK */).unwrap();
        LinkWatch {
            sock,
            marker_mtu: 65000,
        }
    }

    /// Changes `lo`'s MTU in `ns` (the marker), then returns the names of every
    /// `RTM_NEWLINK` received before the marker's. Notifications arrive in order, so
    /// this sees all of them without waiting for anything.
    fn names_so_far(&mut self, ns: &OwnedFd) -> Vec<String> {
        let mut h = Handle::in_netns(ns.as_fd()).unwrap();
        self.marker_mtu -= 1;
        h.set_link_mtu("lo", self.marker_mtu).unwrap();
        let mut names = Vec::new();
        let mut buf = Vec::new();
        loop {
            let n = self.sock.recv(&mut buf).unwrap();
            for m in Messages::new(&buf[..n]) {
                let m = m.unwrap();
                if m.header.nlmsg_type != RTM_NEWLINK {
                    continue;
                }
                let l = LinkMsg::decode(&m).unwrap();
                let name = String::from_utf8_lossy(l.name.unwrap());
                if name == "lo" && l.mtu == Some(self.marker_mtu) {
                    h.set_link_mtu("lo", 65536).unwrap();
                    return names;
                }
                if name != "lo" {
                    names.push(name.into_owned());
                }
            }
        }
    }
}

fn has_flag(link: &Value, flag: &str) -> bool {
    link["flags"].as_array().unwrap().iter().any(|f| f == flag)
}

/// The main-table IPv4/IPv6 routes whose `dst` is `dst`, per `ip -j`.
fn routes_to(v6: bool, dst: &str) -> Vec<Value> {
    let fam = if v6 { "-6" } else { "-4" };
    ip_json(&[fam, "route", "show"])
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["dst"] == dst)
        .cloned()
        .collect()
}

/// Inside the container (through a handle whose socket is there): address, up,
/// default routes.
fn configure_inside(ns: &OwnedFd) {
    let mut h = Handle::in_netns(ns.as_fd()).unwrap();
    let eth0 = h.link_index("eth0").unwrap();
    h.add(&Address::new(eth0, ipa("10.88.0.2"), 16)).unwrap();
    // As the old add_address_by_name did for IPv6: no duplicate address detection.
    h.add(&Address::new(eth0, ipa("fd88::2"), 64).with_flags(AddrFlags::NODAD))
        .unwrap();
    h.set_link_up("eth0").unwrap();
    h.add(&Route::new(Family::INET).dev(eth0)).unwrap();
    h.add(&Route::new(Family::INET6).dev(eth0)).unwrap();
}

/// The host side: bridge with STP off, host end in it and up, /32 route to the
/// container.
fn configure_host(host_end: &str) {
    rtnl::create_bridge("cbr0").unwrap();
    rtnl::set_bridge_stp("cbr0", false).unwrap();
    rtnl::add_link_to_bridge(host_end, "cbr0").unwrap();
    rtnl::set_link_up_by_name(host_end).unwrap();
    rtnl::set_link_up_by_name("cbr0").unwrap();
    rtnl::add_route_via_dev(ipa("10.88.0.2"), 32, "cbr0").unwrap();
}

fn check_attached(ns: &OwnedFd, host_end: &str) {
    // Host side.
    assert_eq!(ip_link_names(), vec!["lo", host_end, "cbr0"]);
    let h = ip_link(host_end).unwrap();
    assert_eq!(h["master"], "cbr0");
    assert!(has_flag(&h, "UP"));
    let br = ip_json(&["-d", "link", "show", "dev", "cbr0"]);
    assert_eq!(br[0]["linkinfo"]["info_kind"], "bridge");
    assert_eq!(br[0]["linkinfo"]["info_data"]["stp_state"], 0);
    assert_eq!(rtnl::bridge_member_count("cbr0").unwrap(), 1);
    let r = routes_to(false, "10.88.0.2");
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!(r[0]["dev"], "cbr0");
    assert_eq!(r[0]["scope"], "link");

    // Container side.
    run_in(ns, || {
        assert_eq!(ip_link_names(), vec!["lo", "eth0"]);
        let e = ip_link("eth0").unwrap();
        assert!(has_flag(&e, "UP"));
        let mut a = ip_addrs("eth0");
        a.retain(|(l, _)| !l.starts_with("fe80"));
        a.sort();
        assert_eq!(
            a,
            vec![("10.88.0.2".to_owned(), 16), ("fd88::2".to_owned(), 64)]
        );
        for v6 in [false, true] {
            let d = routes_to(v6, "default");
            assert_eq!(d.len(), 1, "{d:?}");
            assert_eq!(d[0]["dev"], "eth0");
            assert!(d[0].get("gateway").is_none());
        }
    });
}

fn teardown(host_end: &str) {
    rtnl::delete_route_via_dev(ipa("10.88.0.2"), 32, "cbr0").unwrap();
    rtnl::delete_route_via_dev(ipa("10.88.0.2"), 32, "cbr0").unwrap();
    // Deleting the host end deletes its peer, eth0, inside the container.
    rtnl::delete_link_by_name(host_end).unwrap();
    rtnl::delete_link_by_name(host_end).unwrap();
    rtnl::delete_bridge("cbr0").unwrap();
    rtnl::delete_bridge("cbr0").unwrap();
}

#[test]
fn container_attach_by_move_and_rename() {
    if !can_run_kernel_tests("container_attach_by_move_and_rename") {
        return;
    }
    in_netns(|| {
        let ns = rtnl::netns::create().unwrap();
        let host_before = snapshot();
        let ns_before = run_in(&ns, snapshot);
        let mut watch = LinkWatch::new(&ns);

        rtnl::create_veth_pair("vh0", "vc0").unwrap();
        assert_eq!(watch.names_so_far(&ns), Vec::<String>::new());
        // One request: IFLA_NET_NS_FD and IFLA_IFNAME together.
        rtnl::move_link_into_netns_fd_and_rename("vc0", ns.as_fd(), "eth0").unwrap();
        assert!(!rtnl::link_exists("vc0").unwrap());
        assert!(!rtnl::link_exists("eth0").unwrap());
        run_in(&ns, || {
            assert!(ip_link("vc0").is_none());
            assert!(ip_link("eth0").is_some());
        });
        // What a listener inside was told: the kernel moves first and renames after
        // (in the same request), so it may announce "vc0" before "eth0" — but never
        // anything else, and "eth0" last.
        let seen = watch.names_so_far(&ns);
        assert_eq!(seen.last().map(String::as_str), Some("eth0"), "{seen:?}");
        assert!(seen.iter().all(|n| n == "vc0" || n == "eth0"), "{seen:?}");

        configure_inside(&ns);
        configure_host("vh0");
        check_attached(&ns, "vh0");
        // Nothing ever carried the old name inside after the move settled.
        run_in(&ns, || assert!(!rtnl::link_exists("vc0").unwrap()));

        teardown("vh0");
        assert_eq!(snapshot(), host_before);
        assert_eq!(run_in(&ns, snapshot), ns_before);
    });
}

#[test]
fn container_attach_with_peer_born_in_netns() {
    if !can_run_kernel_tests("container_attach_with_peer_born_in_netns") {
        return;
    }
    in_netns(|| {
        let ns = rtnl::netns::create().unwrap();
        let host_before = snapshot();
        let ns_before = run_in(&ns, snapshot);
        let mut watch = LinkWatch::new(&ns);

        let mut h = Handle::new().unwrap();
        h.add(&Link {
            name: Some(IfName::new("vh1").unwrap()),
            kind: Some(LinkKind::Veth(VethPeer {
                name: Some(IfName::new("eth0").unwrap()),
                netns: Some(Netns::fd(ns.as_fd())),
                ..Default::default()
            })),
            ..Default::default()
        })
        .unwrap();
        // The peer was born inside under its final name: no other name ever showed
        // up there, and it never existed on the host.
        let seen = watch.names_so_far(&ns);
        assert!(!seen.is_empty());
        assert!(seen.iter().all(|n| n == "eth0"), "{seen:?}");
        assert_eq!(ip_link_names(), vec!["lo", "vh1"]);

        configure_inside(&ns);
        configure_host("vh1");
        check_attached(&ns, "vh1");
        let seen = watch.names_so_far(&ns);
        assert!(seen.iter().all(|n| n == "eth0"), "{seen:?}");

        teardown("vh1");
        assert_eq!(snapshot(), host_before);
        assert_eq!(run_in(&ns, snapshot), ns_before);
    });
}
