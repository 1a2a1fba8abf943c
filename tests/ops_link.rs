//! Kernel tests of the link operations (`src/ops/link.rs`): the one-shot free functions and
//! the `Handle` methods, each in a fresh network namespace, checked against `ip -j`.

mod common;
use common::*;

use rtnl::abi::*;
use rtnl::{Error, Handle, Link, MacAddr, OperState};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// The flag names `ip link` prints for `flags` (iproute2's `print_link_flags`).
fn ip_flag_names(flags: u32) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    if flags & IFF_UP != 0 && flags & IFF_RUNNING == 0 {
        out.insert("NO-CARRIER".to_owned());
    }
    const NAMES: &[(u32, &str)] = &[
        (0x8, "LOOPBACK"),
        (0x2, "BROADCAST"),
        (0x10, "POINTOPOINT"),
        (0x1000, "MULTICAST"),
        (0x80, "NOARP"),
        (0x200, "ALLMULTI"),
        (0x100, "PROMISC"),
        (0x20, "NOTRAILERS"),
        (0x4, "DEBUG"),
        (0x8000, "DYNAMIC"),
        (0x4000, "AUTOMEDIA"),
        (0x2000, "PORTSEL"),
        (0x400, "MASTER"),
        (0x800, "SLAVE"),
        (0x1, "UP"),
        (0x10000, "LOWER_UP"),
        (0x20000, "DORMANT"),
        (0x40000, "ECHO"),
    ];
    for &(bit, name) in NAMES {
        if flags & bit != 0 {
            out.insert(name.to_owned());
        }
    }
    out
}

/// One link reduced to the fields both `ip -j -d -N link show` and [`Link`] carry.
type LinkView = BTreeMap<&'static str, String>;

fn view_of_ip(v: &Value) -> BTreeMap<u64, LinkView> {
    let mut out = BTreeMap::new();
    for l in v.as_array().unwrap() {
        let flags: BTreeSet<String> = l["flags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap().to_owned())
            // "M-DOWN" is iproute2's own: the IFLA_LINK peer is down. Not a flag.
            .filter(|f| f != "M-DOWN")
            .collect();
        let mut m = LinkView::new();
        m.insert("name", l["ifname"].as_str().unwrap().to_owned());
        m.insert("flags", format!("{flags:?}"));
        m.insert("mtu", l["mtu"].to_string());
        m.insert("operstate", l["operstate"].as_str().unwrap().to_owned());
        // `-N` prints the ARPHRD number as "[1]".
        m.insert("link_type", l["link_type"].as_str().unwrap().to_owned());
        m.insert(
            "address",
            l["address"].as_str().unwrap_or("none").to_owned(),
        );
        m.insert("master", l["master"].as_str().unwrap_or("none").to_owned());
        m.insert(
            "kind",
            l["linkinfo"]["info_kind"]
                .as_str()
                .unwrap_or("none")
                .to_owned(),
        );
        out.insert(l["ifindex"].as_u64().unwrap(), m);
    }
    out
}

fn view_of_links(links: &[Link]) -> BTreeMap<u64, LinkView> {
    let names: BTreeMap<u32, String> = links.iter().map(|l| (l.index, l.name_str())).collect();
    let mut out = BTreeMap::new();
    for l in links {
        let mut m = LinkView::new();
        m.insert("name", l.name_str());
        m.insert("flags", format!("{:?}", ip_flag_names(l.flags.0)));
        m.insert("mtu", l.mtu.unwrap_or(0).to_string());
        m.insert(
            "operstate",
            l.operstate.unwrap_or(OperState::Unknown).to_string(),
        );
        m.insert("link_type", format!("[{}]", l.link_type));
        m.insert(
            "address",
            l.mac().map_or("none".to_owned(), |m| m.to_string()),
        );
        m.insert(
            "master",
            l.master.map_or("none".to_owned(), |i| names[&i].clone()),
        );
        m.insert("kind", l.kind_name().unwrap_or("none").to_owned());
        out.insert(u64::from(l.index), m);
    }
    out
}

/// Reads `ip`'s view, ours, then `ip`'s again, until the two `ip` views agree (link
/// state such as carrier settles asynchronously); then ours must equal them.
fn assert_agrees<T: PartialEq + std::fmt::Debug>(ip: impl Fn() -> T, mut ours: impl FnMut() -> T) {
    for _ in 0..100 {
        let a = ip();
        let o = ours();
        let b = ip();
        if a == b {
            assert_eq!(o, a, "rtnl's read-back differs from ip -j");
            return;
        }
    }
    panic!("the kernel's state never settled");
}

fn is_up(name: &str) -> bool {
    ip_link(name).unwrap()["flags"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f == "UP")
}

#[test]
fn link_exists_reports_presence_and_absence() {
    if !can_run_kernel_tests("link_exists_reports_presence_and_absence") {
        return;
    }
    in_netns(|| {
        assert!(rtnl::link_exists("lo").unwrap());
        assert!(!rtnl::link_exists("le0").unwrap());
        ip(&["link", "add", "le0", "type", "veth", "peer", "name", "le1"]);
        assert!(rtnl::link_exists("le0").unwrap());
        assert!(rtnl::link_exists("le1").unwrap());
        ip(&["link", "del", "le0"]);
        assert!(!rtnl::link_exists("le0").unwrap());
        assert!(!rtnl::link_exists("le1").unwrap());
        assert!(rtnl::link_exists("bad/name")
            .unwrap_err()
            .is_invalid_input());
    });
}

#[test]
fn list_all_links_matches_ip() {
    if !can_run_kernel_tests("list_all_links_matches_ip") {
        return;
    }
    in_netns(|| {
        for i in 0..20 {
            ip(&[
                "link",
                "add",
                &format!("la{i}"),
                "type",
                "veth",
                "peer",
                "name",
                &format!("lb{i}"),
            ]);
        }
        let mut ours = rtnl::list_all_links().unwrap();
        ours.sort();
        let mut theirs: Vec<(u32, String)> = ip_json(&["link", "show"])
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                (
                    l["ifindex"].as_u64().unwrap() as u32,
                    l["ifname"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        theirs.sort();
        assert_eq!(ours.len(), 41);
        assert_eq!(ours, theirs);
    });
}

#[test]
fn create_veth_pair_and_exists_error() {
    if !can_run_kernel_tests("create_veth_pair_and_exists_error") {
        return;
    }
    in_netns(|| {
        rtnl::create_veth_pair("cv0", "cv1").unwrap();
        let v = ip_json(&["-d", "link", "show"]);
        let host = v.as_array().unwrap().iter().find(|l| l["ifname"] == "cv0");
        let peer = v.as_array().unwrap().iter().find(|l| l["ifname"] == "cv1");
        let (host, peer) = (host.unwrap(), peer.unwrap());
        assert_eq!(host["linkinfo"]["info_kind"], "veth");
        assert_eq!(peer["linkinfo"]["info_kind"], "veth");
        // Each end names the other as its peer (IFLA_LINK).
        assert_eq!(host["link"], "cv1");
        assert_eq!(peer["link"], "cv0");

        // The same pair again: EEXIST, and nothing changed.
        let before = ip_link_names();
        let e = rtnl::create_veth_pair("cv0", "cv1").unwrap_err();
        assert!(e.is_exists(), "{e}");
        assert_eq!(e.errno(), Some(libc::EEXIST));
        // A new host name whose peer name is taken: EEXIST too, and the host end was
        // not created on its own.
        let e = rtnl::create_veth_pair("cv2", "cv1").unwrap_err();
        assert!(e.is_exists(), "{e}");
        assert_eq!(ip_link_names(), before);
        assert!(ip_link("cv2").is_none());
    });
}

#[test]
fn delete_link_by_name_is_idempotent() {
    if !can_run_kernel_tests("delete_link_by_name_is_idempotent") {
        return;
    }
    in_netns(|| {
        ip(&["link", "add", "dl0", "type", "veth", "peer", "name", "dl1"]);
        rtnl::delete_link_by_name("dl0").unwrap();
        // Deleting one end of a veth removes both.
        assert_eq!(ip_link_names(), vec!["lo".to_owned()]);
        rtnl::delete_link_by_name("dl0").unwrap();
        rtnl::delete_link_by_name("dl1").unwrap();
        rtnl::delete_link_by_name("never0").unwrap();
        assert_eq!(ip_link_names(), vec!["lo".to_owned()]);

        // The Handle method is not idempotent: it says NotFound.
        let mut h = Handle::new().unwrap();
        let e = h.delete_link("dl0").unwrap_err();
        assert!(
            matches!(&e, Error::NotFound { kind: "link", name } if name == "dl0"),
            "{e:?}"
        );
        assert!(e.is_not_found());
    });
}

#[test]
fn set_link_up_by_name_and_not_found() {
    if !can_run_kernel_tests("set_link_up_by_name_and_not_found") {
        return;
    }
    in_netns(|| {
        ip(&["link", "add", "up0", "type", "veth", "peer", "name", "up1"]);
        assert!(!is_up("up0"));
        rtnl::set_link_up_by_name("up0").unwrap();
        assert!(is_up("up0"));
        assert!(!is_up("up1"));
        // Again: still up, no error.
        rtnl::set_link_up_by_name("up0").unwrap();
        assert!(is_up("up0"));

        let e = rtnl::set_link_up_by_name("absent0").unwrap_err();
        assert!(
            matches!(&e, Error::NotFound { name, .. } if name == "absent0"),
            "{e:?}"
        );
        assert!(ip_link("absent0").is_none());

        let mut h = Handle::new().unwrap();
        h.set_link_down("up0").unwrap();
        assert!(!is_up("up0"));
        assert!(h.set_link_down("absent0").unwrap_err().is_not_found());
    });
}

#[test]
fn set_link_mtu_by_name_and_not_found() {
    if !can_run_kernel_tests("set_link_mtu_by_name_and_not_found") {
        return;
    }
    in_netns(|| {
        ip(&["link", "add", "mt0", "type", "veth", "peer", "name", "mt1"]);
        rtnl::set_link_mtu_by_name("mt0", 1280).unwrap();
        assert_eq!(ip_link("mt0").unwrap()["mtu"], 1280);
        assert_eq!(ip_link("mt1").unwrap()["mtu"], 1500);
        rtnl::set_link_mtu_by_name("mt0", 9000).unwrap();
        assert_eq!(ip_link("mt0").unwrap()["mtu"], 9000);
        let e = rtnl::set_link_mtu_by_name("absent0", 1400).unwrap_err();
        assert!(
            matches!(&e, Error::NotFound { name, .. } if name == "absent0"),
            "{e:?}"
        );
        assert_eq!(ip_link("mt0").unwrap()["mtu"], 9000);
    });
}

#[test]
fn handle_links_agree_with_ip_field_by_field() {
    if !can_run_kernel_tests("handle_links_agree_with_ip_field_by_field") {
        return;
    }
    in_netns(|| {
        ip(&["link", "add", "ag0", "type", "veth", "peer", "name", "ag1"]);
        ip(&["link", "add", "ag2", "type", "veth", "peer", "name", "ag3"]);
        ip(&["link", "add", "agbr", "type", "bridge"]);
        ip(&["link", "set", "ag2", "master", "agbr"]);
        ip(&["link", "set", "ag0", "up"]);
        ip(&["link", "set", "ag1", "up"]);
        ip(&["link", "set", "ag2", "up"]); // peer down: NO-CARRIER, LOWERLAYERDOWN
        ip(&["link", "set", "lo", "up"]);
        ip(&[
            "link",
            "set",
            "ag3",
            "mtu",
            "1300",
            "address",
            "02:00:00:00:00:33",
        ]);
        ip(&["link", "set", "ag1", "promisc", "on"]);
        let mut h = Handle::new().unwrap();
        assert_agrees(
            || view_of_ip(&ip_json(&["-d", "-N", "link", "show"])),
            || view_of_links(&h.links().unwrap()),
        );
        // get_link agrees with the dump, for every link.
        let links = h.links().unwrap();
        assert_eq!(links.len(), 6);
        for l in &links {
            let name = l.name.as_ref().unwrap();
            let one = h.get_link(name).unwrap().unwrap();
            assert_eq!(one.index, l.index);
            assert_eq!(one.name, l.name);
            assert_eq!(one.mtu, l.mtu);
            assert_eq!(one.address, l.address);
            assert_eq!(one.master, l.master);
            assert_eq!(one.kind, l.kind);
            assert_eq!(h.link_index(name).unwrap(), l.index);
        }
        assert_eq!(h.get_link("absent0").unwrap(), None);
        let e = h.link_index("absent0").unwrap_err();
        assert!(
            matches!(&e, Error::NotFound { name, .. } if name == "absent0"),
            "{e:?}"
        );
        let ag3 = h.get_link("ag3").unwrap().unwrap();
        assert_eq!(ag3.mtu, Some(1300));
        assert_eq!(ag3.mac(), Some(MacAddr([2, 0, 0, 0, 0, 0x33])));
        assert_eq!(ag3.kind_name(), Some("veth"));
        assert!(!ag3.is_up());
        assert!(h.get_link("ag0").unwrap().unwrap().is_up());
    });
}

#[test]
fn handle_set_link_address() {
    if !can_run_kernel_tests("handle_set_link_address") {
        return;
    }
    in_netns(|| {
        ip(&["link", "add", "ma0", "type", "veth", "peer", "name", "ma1"]);
        let mut h = Handle::new().unwrap();
        let mac: MacAddr = "02:12:34:56:78:9a".parse().unwrap();
        h.set_link_address("ma0", mac).unwrap();
        assert_eq!(ip_link("ma0").unwrap()["address"], "02:12:34:56:78:9a");
        assert_eq!(h.get_link("ma0").unwrap().unwrap().mac(), Some(mac));
        let e = h.set_link_address("absent0", mac).unwrap_err();
        assert!(e.is_not_found(), "{e:?}");
        // Refused before any syscall; the address stays.
        let e = h.set_link_address("ma0", MacAddr([0; 6])).unwrap_err();
        assert!(e.is_invalid_input(), "{e:?}");
        assert_eq!(ip_link("ma0").unwrap()["address"], "02:12:34:56:78:9a");
    });
}

#[test]
fn handle_rename_link() {
    if !can_run_kernel_tests("handle_rename_link") {
        return;
    }
    in_netns(|| {
        ip(&["link", "add", "rn0", "type", "veth", "peer", "name", "rn1"]);
        let index = ip_link("rn0").unwrap()["ifindex"].as_u64().unwrap();
        let mut h = Handle::new().unwrap();
        h.rename_link("rn0", "renamed0").unwrap();
        assert!(ip_link("rn0").is_none());
        assert_eq!(ip_link("renamed0").unwrap()["ifindex"], index);

        // Onto a taken name: EEXIST, and neither link changed.
        let e = h.rename_link("renamed0", "rn1").unwrap_err();
        assert!(e.is_exists(), "{e:?}");
        assert_eq!(ip_link("renamed0").unwrap()["ifindex"], index);
        assert!(ip_link("rn1").is_some());

        let e = h.rename_link("absent0", "x0").unwrap_err();
        assert!(
            matches!(&e, Error::NotFound { name, .. } if name == "absent0"),
            "{e:?}"
        );
        assert!(ip_link("x0").is_none());
        assert!(h
            .rename_link("renamed0", "bad name")
            .unwrap_err()
            .is_invalid_input());
        assert_eq!(ip_link("renamed0").unwrap()["ifindex"], index);
    });
}

#[test]
fn handle_add_link_exists_and_delete() {
    if !can_run_kernel_tests("handle_add_link_exists_and_delete") {
        return;
    }
    in_netns(|| {
        let mut h = Handle::new().unwrap();
        h.add(&Link::veth("hv0", "hv1").unwrap()).unwrap();
        assert!(h
            .add(&Link::veth("hv0", "hv9").unwrap())
            .unwrap_err()
            .is_exists());
        assert!(ip_link("hv9").is_none());
        h.add(&Link::bridge("hbr0").unwrap()).unwrap();
        assert!(h
            .add(&Link::bridge("hbr0").unwrap())
            .unwrap_err()
            .is_exists());
        assert_eq!(
            ip_json(&["-d", "link", "show", "dev", "hbr0"])[0]["linkinfo"]["info_kind"],
            "bridge"
        );
        h.delete_link("hv1").unwrap();
        h.delete_link("hbr0").unwrap();
        assert_eq!(ip_link_names(), vec!["lo".to_owned()]);
    });
}
