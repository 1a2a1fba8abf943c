//! Kernel tests of the address operations (`src/ops/addr.rs`), each in a fresh network
//! namespace, checked against `ip -j`.

mod common;
use common::*;

use rtnl::abi::*;
use rtnl::{AddrFlags, Address, Error, Handle, Scope};
use serde_json::Value;
use std::collections::BTreeSet;
use std::net::IpAddr;

fn ipa(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn veth(a: &str, b: &str) {
    ip(&["link", "add", a, "type", "veth", "peer", "name", b]);
}

/// The `ip addr` flag names for `IFA_F_*` bits (iproute2's `print_ifa_flags`);
/// `IFA_F_PERMANENT` shows as the absence of "dynamic".
fn ifa_flag_names(family_v4: bool, flags: u32) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    const NAMES: &[(u32, &str)] = &[
        (0x02, "nodad"),
        (0x04, "optimistic"),
        (0x08, "dadfailed"),
        (0x10, "home"),
        (0x20, "deprecated"),
        (0x40, "tentative"),
        (0x100, "mngtmpaddr"),
        (0x200, "noprefixroute"),
        (0x400, "autojoin"),
        (0x800, "stable-privacy"),
    ];
    if flags & 0x01 != 0 {
        out.insert(if family_v4 { "secondary" } else { "temporary" }.to_owned());
    }
    if flags & IFA_F_PERMANENT == 0 {
        out.insert("dynamic".to_owned());
    }
    for &(bit, name) in NAMES {
        if flags & bit != 0 {
            out.insert(name.to_owned());
        }
    }
    out
}

const IP_FLAG_KEYS: &[&str] = &[
    "secondary",
    "temporary",
    "dynamic",
    "nodad",
    "optimistic",
    "dadfailed",
    "home",
    "deprecated",
    "tentative",
    "mngtmpaddr",
    "noprefixroute",
    "autojoin",
    "stable-privacy",
];

/// (ifindex, local, prefixlen, scope, flags) per `ip -j -N addr show`.
type AddrView = (u64, String, u64, String, BTreeSet<String>);

fn view_of_ip(v: &Value) -> BTreeSet<AddrView> {
    let mut out = BTreeSet::new();
    for l in v.as_array().unwrap() {
        for a in l["addr_info"].as_array().unwrap() {
            let flags = IP_FLAG_KEYS
                .iter()
                .filter(|k| a[**k] == true)
                .map(|k| k.to_string())
                .collect();
            out.insert((
                l["ifindex"].as_u64().unwrap(),
                a["local"].as_str().unwrap().to_owned(),
                a["prefixlen"].as_u64().unwrap(),
                a["scope"].as_str().unwrap().to_owned(),
                flags,
            ));
        }
    }
    out
}

fn view_of_addresses(v: &[Address]) -> BTreeSet<AddrView> {
    v.iter()
        .map(|a| {
            (
                u64::from(a.index),
                a.address.to_string(),
                u64::from(a.prefix_len),
                // `-N`: ip prints the scope as a number.
                a.scope.0.to_string(),
                ifa_flag_names(a.address.is_ipv4(), a.flags.0),
            )
        })
        .collect()
}

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

/// The `addr_info` object of `local` on `dev`.
fn addr_info(dev: &str, local: &str) -> Option<Value> {
    let v = ip_json(&["addr", "show", "dev", dev]);
    v[0]["addr_info"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["local"] == local)
        .cloned()
}

#[test]
fn add_address_v4_and_v6_and_exists() {
    if !can_run_kernel_tests("add_address_v4_and_v6_and_exists") {
        return;
    }
    in_netns(|| {
        veth("ad0", "ad1");
        rtnl::add_address_to_link_by_name("ad0", ipa("10.1.0.1"), 24).unwrap();
        rtnl::add_address_to_link_by_name("ad0", ipa("fd01::1"), 64).unwrap();
        rtnl::add_address_to_link("ad0", ipa("10.2.0.1"), 16).unwrap();
        let mut got = ip_addrs("ad0");
        got.sort();
        assert_eq!(
            got,
            vec![
                ("10.1.0.1".into(), 24),
                ("10.2.0.1".into(), 16),
                ("fd01::1".into(), 64)
            ]
        );
        let v4 = addr_info("ad0", "10.1.0.1").unwrap();
        assert_eq!(v4["family"], "inet");
        assert_eq!(v4["scope"], "global");
        // IFA_ADDRESS equal to IFA_LOCAL: ip shows no separate peer "address".
        assert!(v4.get("address").is_none(), "{v4}");
        let v6 = addr_info("ad0", "fd01::1").unwrap();
        assert_eq!(v6["nodad"], true, "IPv6 must be added with IFA_F_NODAD");
        assert_eq!(v6["scope"], "global");

        // Exactly the same again: EEXIST, still one copy of each.
        for (a, p) in [("10.1.0.1", 24), ("fd01::1", 64)] {
            let e = rtnl::add_address_to_link_by_name("ad0", ipa(a), p).unwrap_err();
            assert!(e.is_exists(), "{a}: {e:?}");
        }
        assert_eq!(ip_addrs("ad0").len(), 3);

        // Absent link: NotFound, and nothing was added anywhere.
        let e = rtnl::add_address_to_link_by_name("absent0", ipa("10.3.0.1"), 24).unwrap_err();
        assert!(
            matches!(&e, Error::NotFound { name, .. } if name == "absent0"),
            "{e:?}"
        );
        let all = ip_json(&["addr", "show"]);
        assert!(!all.to_string().contains("10.3.0.1"));

        // Prefix too long: refused before any syscall.
        for (a, p) in [("10.4.0.1", 33), ("fd04::1", 129)] {
            let e = rtnl::add_address_to_link_by_name("ad0", ipa(a), p).unwrap_err();
            assert!(e.is_invalid_input(), "{e:?}");
        }
        assert_eq!(ip_addrs("ad0").len(), 3);
    });
}

#[test]
fn flush_addresses_removes_v4_and_v6() {
    if !can_run_kernel_tests("flush_addresses_removes_v4_and_v6") {
        return;
    }
    in_netns(|| {
        veth("fl0", "fl1");
        ip(&["link", "set", "fl0", "up"]);
        ip(&["link", "set", "fl1", "up"]);
        for a in ["10.5.0.1/24", "10.5.0.2/24", "10.6.0.1/8"] {
            ip(&["addr", "add", a, "dev", "fl0"]);
        }
        for a in ["fd05::1/64", "fd05::2/64"] {
            ip(&["addr", "add", a, "dev", "fl0", "nodad"]);
        }
        ip(&["addr", "add", "10.7.0.1/24", "dev", "fl1"]);
        // 10.5.0.2 is a secondary of 10.5.0.1. The link-local fe80:: comes when the
        // kernel has seen the carrier (asynchronously): wait for it, so that it is
        // flushed too and not added after the flush.
        let has_link_local = || ip_addrs("fl0").iter().any(|(a, _)| a.starts_with("fe80"));
        let mut tries = 0;
        while !has_link_local() {
            tries += 1;
            assert!(tries < 100_000, "no IPv6 link-local address on fl0");
            std::thread::yield_now();
        }
        let before = ip_addrs("fl0");
        assert!(before.len() >= 5, "{before:?}");
        assert!(addr_info("fl0", "10.5.0.2").unwrap()["secondary"] == true);

        rtnl::flush_addresses_on_link_by_name("fl0").unwrap();
        assert_eq!(ip_addrs("fl0"), vec![]);
        // The other link keeps its address.
        assert_eq!(ip_addrs("fl1")[0], ("10.7.0.1".into(), 24));
        // Second flush and an absent link: Ok.
        rtnl::flush_addresses_on_link_by_name("fl0").unwrap();
        rtnl::flush_addresses_on_link_by_name("absent0").unwrap();
        assert!(rtnl::flush_addresses_on_link_by_name("a/b")
            .unwrap_err()
            .is_invalid_input());

        // The Handle method counts, and says NotFound for an absent link.
        let mut h = Handle::new().unwrap();
        ip(&["addr", "add", "10.8.0.1/24", "dev", "fl0"]);
        ip(&["addr", "add", "fd08::1/64", "dev", "fl0", "nodad"]);
        let n = h.flush_addresses("fl0").unwrap();
        assert!(n >= 2, "{n}");
        assert_eq!(ip_addrs("fl0"), vec![]);
        assert_eq!(h.flush_addresses("fl0").unwrap(), 0);
        let e = h.flush_addresses("absent0").unwrap_err();
        assert!(
            matches!(&e, Error::NotFound { name, .. } if name == "absent0"),
            "{e:?}"
        );
    });
}

#[test]
fn handle_addresses_agree_with_ip_field_by_field() {
    if !can_run_kernel_tests("handle_addresses_agree_with_ip_field_by_field") {
        return;
    }
    in_netns(|| {
        veth("aa0", "aa1");
        ip(&["link", "set", "lo", "up"]);
        ip(&["link", "set", "aa0", "up"]);
        ip(&["link", "set", "aa1", "up"]);
        ip(&["addr", "add", "10.9.0.1/24", "dev", "aa0"]);
        ip(&["addr", "add", "10.9.0.2/24", "dev", "aa0"]); // secondary
        ip(&["addr", "add", "10.9.1.1/32", "dev", "aa1", "scope", "link"]);
        ip(&["addr", "add", "fd09::1/64", "dev", "aa0", "nodad"]);
        ip(&[
            "addr",
            "add",
            "fd09::2/64",
            "dev",
            "aa1",
            "nodad",
            "noprefixroute",
        ]);
        ip(&[
            "addr",
            "add",
            "fd09::3/64",
            "dev",
            "aa1",
            "valid_lft",
            "1000",
            "preferred_lft",
            "0",
        ]);
        let mut h = Handle::new().unwrap();
        assert_agrees(
            || view_of_ip(&ip_json(&["-N", "addr", "show"])),
            || view_of_addresses(&h.addresses().unwrap()),
        );
        // The dump really covered the interesting cases.
        let all = h.addresses().unwrap();
        let find = |s: &str| all.iter().find(|a| a.address == ipa(s)).unwrap();
        assert_eq!(find("127.0.0.1").scope, Scope::HOST);
        assert!(find("10.9.0.2").flags.contains(AddrFlags::SECONDARY));
        assert_eq!(find("10.9.1.1").scope, Scope::LINK);
        assert!(find("fd09::1").flags.contains(AddrFlags::NODAD));
        assert!(find("fd09::2").flags.contains(AddrFlags::NOPREFIXROUTE));
        assert!(!find("fd09::3").flags.intersects(AddrFlags::PERMANENT));

        // addresses_of: just that link's, the same as ip addr show dev.
        let aa1 = h.link_index("aa1").unwrap();
        let of = h.addresses_of("aa1").unwrap();
        assert!(of.iter().all(|a| a.index == aa1));
        assert_agrees(
            || view_of_ip(&ip_json(&["-N", "addr", "show", "dev", "aa1"])),
            || view_of_addresses(&h.addresses_of("aa1").unwrap()),
        );
        let e = h.addresses_of("absent0").unwrap_err();
        assert!(e.is_not_found(), "{e:?}");
    });
}

#[test]
fn handle_add_and_delete_address() {
    if !can_run_kernel_tests("handle_add_and_delete_address") {
        return;
    }
    in_netns(|| {
        veth("hd0", "hd1");
        let mut h = Handle::new().unwrap();
        let i = h.link_index("hd0").unwrap();
        let a4 = Address::new(i, ipa("10.10.0.1"), 24);
        let a6 = Address::new(i, ipa("fd10::1"), 64);
        h.add(&a4).unwrap();
        h.add(&a6).unwrap();
        assert!(h.add(&a4).unwrap_err().is_exists());
        let hd1 = h.link_index("hd1").unwrap();
        h.add(&Address::new(hd1, ipa("10.10.0.2"), 24)).unwrap();
        assert_eq!(ip_addrs("hd1"), vec![("10.10.0.2".into(), 24)]);

        h.delete(&a4).unwrap();
        h.delete(&a6).unwrap();
        assert_eq!(ip_addrs("hd0"), vec![]);
        // Deleting again: the kernel's EADDRNOTAVAIL, a not-found error.
        let e = h.delete(&a4).unwrap_err();
        assert!(e.is_not_found(), "{e:?}");
        assert_eq!(e.errno(), Some(libc::EADDRNOTAVAIL));
        assert!(h.delete(&a6).unwrap_err().is_not_found());
        assert_eq!(ip_addrs("hd1"), vec![("10.10.0.2".into(), 24)]);
    });
}
