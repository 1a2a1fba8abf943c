//! Kernel tests of the bridge operations (`src/ops/bridge.rs`) and of moving links between
//! network namespaces (`src/ops/link.rs`, `src/sys/netns.rs`), each in a fresh namespace,
//! checked against `ip -j` run in the namespace concerned.

mod common;
use common::*;

use rtnl::{Error, Handle, IfName, Link, LinkKind, Netns, VethPeer};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::process::{Child, Command};

fn veth(a: &str, b: &str) {
    ip(&["link", "add", a, "type", "veth", "peer", "name", b]);
}

/// `ip link add NAME type veth peer name PEER netns NS`: the peer is born in `ns`.
fn veth_into(name: &str, peer: &str, ns: BorrowedFd<'_>) -> Link {
    Link {
        name: Some(IfName::new(name).unwrap()),
        kind: Some(LinkKind::Veth(VethPeer {
            name: Some(IfName::new(peer).unwrap()),
            netns: Some(Netns::fd(ns)),
            ..Default::default()
        })),
        ..Default::default()
    }
}

fn kind_of(name: &str) -> Option<String> {
    let v = ip_json(&["-d", "link", "show"]);
    v.as_array()
        .unwrap()
        .iter()
        .find(|l| l["ifname"] == name)
        .map(|l| l["linkinfo"]["info_kind"].as_str().unwrap_or("").to_owned())
}

fn master_of(name: &str) -> Option<String> {
    ip_link(name).unwrap()["master"].as_str().map(str::to_owned)
}

fn stp_state(bridge: &str) -> u64 {
    ip_json(&["-d", "link", "show", "dev", bridge])[0]["linkinfo"]["info_data"]["stp_state"]
        .as_u64()
        .unwrap()
}

/// Names of the ports of `bridge` per `ip -j link show master BRIDGE`, sorted.
fn ip_members(bridge: &str) -> Vec<String> {
    let mut v: Vec<String> = ip_json(&["link", "show", "master", bridge])
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["ifname"].as_str().unwrap().to_owned())
        .collect();
    v.sort();
    v
}

/// `ip_link_names()` run inside the namespace behind `ns`.
fn names_in(ns: &OwnedFd) -> Vec<String> {
    rtnl::with_netns_fd(ns.try_clone().unwrap(), || Ok(ip_link_names())).unwrap()
}

/// A `sleep` whose network namespace is `ns`; killed when dropped.
struct Sleeper(Child);

impl Sleeper {
    fn spawn_in(ns: &OwnedFd) -> Sleeper {
        // The child inherits the namespace of the thread that spawns it.
        let child = rtnl::with_netns_fd(ns.try_clone().unwrap(), || {
            Ok(Command::new("sleep").arg("600").spawn().unwrap())
        })
        .unwrap();
        Sleeper(child)
    }
}

impl Drop for Sleeper {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn create_and_delete_bridge_are_idempotent() {
    if !can_run_kernel_tests("create_and_delete_bridge_are_idempotent") {
        return;
    }
    in_netns(|| {
        rtnl::create_bridge("cb0").unwrap();
        assert_eq!(kind_of("cb0").as_deref(), Some("bridge"));
        let index = ip_link("cb0").unwrap()["ifindex"].clone();
        rtnl::create_bridge("cb0").unwrap();
        assert_eq!(ip_link("cb0").unwrap()["ifindex"], index);
        assert_eq!(ip_link_names(), vec!["lo", "cb0"]);
        // An existing link of that name, even of another kind, is Ok and untouched.
        veth("cbv0", "cbv1");
        rtnl::create_bridge("cbv0").unwrap();
        assert_eq!(kind_of("cbv0").as_deref(), Some("veth"));

        rtnl::delete_bridge("cb0").unwrap();
        assert!(ip_link("cb0").is_none());
        rtnl::delete_bridge("cb0").unwrap();
        rtnl::delete_bridge("never0").unwrap();
        assert!(rtnl::create_bridge("").unwrap_err().is_invalid_input());
        assert!(rtnl::delete_bridge("a b").unwrap_err().is_invalid_input());
        assert_eq!(ip_link_names(), vec!["lo", "cbv1", "cbv0"]);
    });
}

#[test]
fn add_link_to_bridge_and_not_found() {
    if !can_run_kernel_tests("add_link_to_bridge_and_not_found") {
        return;
    }
    in_netns(|| {
        ip(&["link", "add", "ab0", "type", "bridge"]);
        veth("abv0", "abv1");
        veth("abv2", "abv3");
        rtnl::add_link_to_bridge("abv0", "ab0").unwrap();
        assert_eq!(master_of("abv0").as_deref(), Some("ab0"));
        // Again: no change, no error.
        rtnl::add_link_to_bridge("abv0", "ab0").unwrap();
        assert_eq!(ip_members("ab0"), vec!["abv0"]);

        let e = rtnl::add_link_to_bridge("abv2", "absentbr").unwrap_err();
        assert!(
            matches!(&e, Error::NotFound { name, .. } if name == "absentbr"),
            "{e:?}"
        );
        let e = rtnl::add_link_to_bridge("absent0", "ab0").unwrap_err();
        assert!(
            matches!(&e, Error::NotFound { name, .. } if name == "absent0"),
            "{e:?}"
        );
        assert_eq!(master_of("abv2"), None);
        assert_eq!(ip_members("ab0"), vec!["abv0"]);
        // A master that is not a bridge: the kernel refuses.
        let e = rtnl::add_link_to_bridge("abv2", "abv1").unwrap_err();
        assert!(matches!(e, Error::Kernel { .. }), "{e:?}");
        assert_eq!(master_of("abv2"), None);

        let mut h = Handle::new().unwrap();
        h.set_link_master("abv2", "ab0").unwrap();
        assert_eq!(ip_members("ab0"), vec!["abv0", "abv2"]);
        h.set_link_nomaster("abv0").unwrap();
        assert_eq!(master_of("abv0"), None);
        assert_eq!(ip_members("ab0"), vec!["abv2"]);
        assert!(h.set_link_nomaster("absent0").unwrap_err().is_not_found());
        // Deleting the bridge releases its ports, which stay.
        rtnl::delete_bridge("ab0").unwrap();
        assert!(ip_link("ab0").is_none());
        assert_eq!(master_of("abv2"), None);
        assert_eq!(ip_link_names(), vec!["lo", "abv1", "abv0", "abv3", "abv2"]);
    });
}

#[test]
fn set_bridge_stp_through_netlink() {
    if !can_run_kernel_tests("set_bridge_stp_through_netlink") {
        return;
    }
    in_netns(|| {
        ip(&["link", "add", "st0", "type", "bridge"]);
        assert_eq!(stp_state("st0"), 0);
        rtnl::set_bridge_stp("st0", true).unwrap();
        assert_ne!(stp_state("st0"), 0);
        let mut h = Handle::new().unwrap();
        assert!(h.get_link("st0").unwrap().unwrap().kind_name() == Some("bridge"));
        rtnl::set_bridge_stp("st0", false).unwrap();
        assert_eq!(stp_state("st0"), 0);
        rtnl::set_bridge_stp("st0", false).unwrap();
        assert_eq!(stp_state("st0"), 0);

        let e = rtnl::set_bridge_stp("absent0", true).unwrap_err();
        assert!(
            matches!(&e, Error::NotFound { name, .. } if name == "absent0"),
            "{e:?}"
        );
        assert!(ip_link("absent0").is_none());
        // Not a bridge: the kernel refuses, the veth is unchanged.
        veth("stv0", "stv1");
        let e = rtnl::set_bridge_stp("stv0", true).unwrap_err();
        assert!(matches!(e, Error::Kernel { .. }), "{e:?}");
        assert_eq!(kind_of("stv0").as_deref(), Some("veth"));
        assert!(rtnl::set_bridge_stp("st/0", true)
            .unwrap_err()
            .is_invalid_input());
    });
}

#[test]
fn bridge_member_count_matches_ip() {
    if !can_run_kernel_tests("bridge_member_count_matches_ip") {
        return;
    }
    in_netns(|| {
        ip(&["link", "add", "mc0", "type", "bridge"]);
        ip(&["link", "add", "mc1", "type", "bridge"]);
        assert_eq!(rtnl::bridge_member_count("mc0").unwrap(), 0);
        for i in 0..5 {
            veth(&format!("mcv{i}"), &format!("mcp{i}"));
            ip(&["link", "set", &format!("mcv{i}"), "master", "mc0"]);
        }
        ip(&["link", "set", "mcp0", "master", "mc1"]);
        assert_eq!(
            rtnl::bridge_member_count("mc0").unwrap(),
            ip_members("mc0").len()
        );
        assert_eq!(rtnl::bridge_member_count("mc0").unwrap(), 5);
        assert_eq!(rtnl::bridge_member_count("mc1").unwrap(), 1);
        assert_eq!(rtnl::bridge_member_count("absent0").unwrap(), 0);
        // Not a bridge: no ports.
        assert_eq!(rtnl::bridge_member_count("mcp1").unwrap(), 0);

        let mut h = Handle::new().unwrap();
        let mut names: Vec<String> = h
            .bridge_ports("mc0")
            .unwrap()
            .into_iter()
            .map(|l| l.name_str())
            .collect();
        names.sort();
        assert_eq!(names, ip_members("mc0"));
        let mc0 = h.link_index("mc0").unwrap();
        assert!(h
            .bridge_ports("mc0")
            .unwrap()
            .iter()
            .all(|l| l.master == Some(mc0)));
        let e = h.bridge_ports("absent0").unwrap_err();
        assert!(e.is_not_found(), "{e:?}");

        ip(&["link", "del", "mcv3"]);
        ip(&["link", "set", "mcv1", "nomaster"]);
        assert_eq!(rtnl::bridge_member_count("mc0").unwrap(), 3);
        assert_eq!(ip_members("mc0").len(), 3);
    });
}

#[test]
fn move_link_into_netns_fd_and_rename_is_atomic() {
    if !can_run_kernel_tests("move_link_into_netns_fd_and_rename_is_atomic") {
        return;
    }
    in_netns(|| {
        let ns = rtnl::netns::create().unwrap();
        assert_eq!(names_in(&ns), vec!["lo"]);
        veth("mv0", "mv1");
        rtnl::move_link_into_netns_fd_and_rename("mv1", ns.as_fd(), "eth0").unwrap();
        assert_eq!(names_in(&ns), vec!["lo", "eth0"]);
        assert_eq!(ip_link_names(), vec!["lo", "mv0"]);
        // The host end still has its peer, now in the other namespace.
        let inside = rtnl::with_netns_fd(ns.try_clone().unwrap(), || {
            Ok(ip_json(&["-d", "link", "show", "dev", "eth0"]))
        })
        .unwrap();
        assert_eq!(inside[0]["linkinfo"]["info_kind"], "veth");

        // Onto a name taken in the target: EEXIST, and the link did not move.
        veth("mv2", "mv3");
        let e = rtnl::move_link_into_netns_fd_and_rename("mv3", ns.as_fd(), "eth0").unwrap_err();
        assert!(e.is_exists(), "{e:?}");
        assert_eq!(ip_link_names(), vec!["lo", "mv0", "mv3", "mv2"]);
        assert_eq!(names_in(&ns), vec!["lo", "eth0"]);

        let e =
            rtnl::move_link_into_netns_fd_and_rename("absent0", ns.as_fd(), "eth1").unwrap_err();
        assert!(
            matches!(&e, Error::NotFound { name, .. } if name == "absent0"),
            "{e:?}"
        );
        assert!(
            rtnl::move_link_into_netns_fd_and_rename("mv3", ns.as_fd(), "eth0/1")
                .unwrap_err()
                .is_invalid_input()
        );
        assert_eq!(names_in(&ns), vec!["lo", "eth0"]);
        assert_eq!(ip_link_names(), vec!["lo", "mv0", "mv3", "mv2"]);
    });
}

#[test]
fn move_link_into_netns_by_pid_and_with_netns() {
    if !can_run_kernel_tests("move_link_into_netns_by_pid_and_with_netns") {
        return;
    }
    in_netns(|| {
        let ns = rtnl::netns::create().unwrap();
        let sleeper = Sleeper::spawn_in(&ns);
        let pid = sleeper.0.id();
        veth("pv0", "pv1");
        rtnl::move_link_into_netns_and_rename("pv1", pid, "eth7").unwrap();
        assert_eq!(ip_link_names(), vec!["lo", "pv0"]);
        // with_netns(pid) sees what with_netns_fd(ns) sees.
        assert_eq!(
            rtnl::with_netns(pid, || Ok(ip_link_names())).unwrap(),
            vec!["lo", "eth7"]
        );
        assert_eq!(names_in(&ns), vec!["lo", "eth7"]);
        // rtnl itself works inside the closure.
        assert!(rtnl::with_netns(pid, || rtnl::link_exists("eth7")).unwrap());
        assert!(!rtnl::link_exists("eth7").unwrap());

        // Onto a name taken there: EEXIST, and nothing moved.
        veth("pv2", "pv3");
        let e = rtnl::move_link_into_netns_and_rename("pv3", pid, "eth7").unwrap_err();
        assert!(e.is_exists(), "{e:?}");
        assert_eq!(ip_link_names(), vec!["lo", "pv0", "pv3", "pv2"]);
        assert_eq!(names_in(&ns), vec!["lo", "eth7"]);
        ip(&["link", "del", "pv2"]);

        let e = rtnl::move_link_into_netns_and_rename("pv0", 0, "eth8").unwrap_err();
        assert!(e.is_invalid_input(), "{e:?}");
        // A pid that does not exist: opening /proc/PID/ns/net fails.
        let e = rtnl::move_link_into_netns_and_rename("pv0", u32::MAX, "eth8").unwrap_err();
        assert!(matches!(e, Error::Io { .. }), "{e:?}");
        assert!(rtnl::with_netns(u32::MAX, || Ok(())).is_err());
        assert_eq!(ip_link_names(), vec!["lo", "pv0"]);
        drop(sleeper);
    });
}

#[test]
fn handle_in_netns_and_move_without_rename() {
    if !can_run_kernel_tests("handle_in_netns_and_move_without_rename") {
        return;
    }
    in_netns(|| {
        let ns = rtnl::netns::create().unwrap();
        let mut inside = Handle::in_netns(ns.as_fd()).unwrap();
        let mut here = Handle::new().unwrap();
        // The handle's socket is in the other namespace, whatever thread uses it.
        inside.add(&Link::veth("in0", "in1").unwrap()).unwrap();
        assert_eq!(names_in(&ns), vec!["lo", "in1", "in0"]);
        assert_eq!(ip_link_names(), vec!["lo"]);
        let theirs: Vec<String> = inside
            .links()
            .unwrap()
            .into_iter()
            .map(|l| l.name_str())
            .collect();
        assert_eq!(theirs, names_in(&ns));

        // Move one end here, keeping its name.
        let me = rtnl::netns::current().unwrap();
        inside.move_link_to_netns("in1", me.as_fd(), None).unwrap();
        assert_eq!(ip_link_names(), vec!["lo", "in1"]);
        assert_eq!(names_in(&ns), vec!["lo", "in0"]);
        assert!(here.get_link("in1").unwrap().is_some());
        assert!(inside.get_link("in1").unwrap().is_none());
        let e = inside
            .move_link_to_netns("in1", me.as_fd(), None)
            .unwrap_err();
        assert!(e.is_not_found(), "{e:?}");

        // And back with a new name, via the Handle method.
        here.move_link_to_netns("in1", ns.as_fd(), Some("eth0"))
            .unwrap();
        assert_eq!(ip_link_names(), vec!["lo"]);
        let mut got = names_in(&ns);
        got.sort();
        assert_eq!(got, vec!["eth0", "in0", "lo"]);
    });
}

#[test]
fn add_veth_pair_into_netns_births_the_peer_there() {
    if !can_run_kernel_tests("add_veth_pair_into_netns_births_the_peer_there") {
        return;
    }
    in_netns(|| {
        let ns = rtnl::netns::create().unwrap();
        let mut h = Handle::new().unwrap();
        h.add(&veth_into("bv0", "eth0", ns.as_fd())).unwrap();
        assert_eq!(ip_link_names(), vec!["lo", "bv0"]);
        assert_eq!(names_in(&ns), vec!["lo", "eth0"]);
        // A name taken in the target: EEXIST, and no host end is left behind.
        let e = h.add(&veth_into("bv1", "eth0", ns.as_fd())).unwrap_err();
        assert!(e.is_exists(), "{e:?}");
        assert_eq!(ip_link_names(), vec!["lo", "bv0"]);
        assert_eq!(names_in(&ns), vec!["lo", "eth0"]);
        // The same name on both sides is fine: they are different namespaces.
        h.add(&veth_into("eth1", "eth1", ns.as_fd())).unwrap();
        assert_eq!(ip_link_names(), vec!["lo", "bv0", "eth1"]);
        assert_eq!(names_in(&ns), vec!["lo", "eth0", "eth1"]);
    });
}
