//! Kernel tests of the route operations (`src/ops/route.rs`), each in a fresh network
//! namespace, checked against `ip -j`.

mod common;
use common::*;

use rtnl::abi::*;
use rtnl::{Error, Family, Handle, Route, RouteFilter, Scope};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

fn ipa(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn veth(a: &str, b: &str) {
    ip(&["link", "add", a, "type", "veth", "peer", "name", b]);
}

/// A veth pair, both ends up, with 10.20.0.1/24 and fd20::1/64 on `a`.
fn addressed_veth(a: &str, b: &str) {
    veth(a, b);
    ip(&["link", "set", a, "up"]);
    ip(&["link", "set", b, "up"]);
    ip(&["addr", "add", "10.20.0.1/24", "dev", a]);
    ip(&["addr", "add", "fd20::1/64", "dev", a, "nodad"]);
}

/// Routes per `ip -d -N -j [-4|-6] route show table all ...`, as a set of
/// `field -> value` maps (with `-d`, `ip` prints every field, default or not).
fn ip_routes(args: &[&str]) -> BTreeSet<BTreeMap<String, String>> {
    let mut a = vec!["-d", "-N"];
    a.extend_from_slice(args);
    let keys = [
        "type", "dst", "gateway", "dev", "table", "protocol", "scope", "prefsrc", "metric",
    ];
    ip_json(&a)
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            keys.iter()
                .filter_map(|k| {
                    r.get(*k).map(|v| {
                        let s = match v {
                            Value::String(s) => s.clone(),
                            v => v.to_string(),
                        };
                        (k.to_string(), s)
                    })
                })
                .collect()
        })
        .collect()
}

fn link_names() -> BTreeMap<u32, String> {
    ip_json(&["link", "show"])
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["ifindex"].as_u64().unwrap() as u32,
                l["ifname"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The same view built from rtnl's [`Route`]s, formatted the way iproute2 does.
fn view_of_routes(routes: &[Route]) -> BTreeSet<BTreeMap<String, String>> {
    let names = link_names();
    routes
        .iter()
        .map(|r| {
            let mut m = BTreeMap::new();
            let host_len = if r.family == Family::INET { 32 } else { 128 };
            let dst = match r.dst {
                Some(d) if r.dst_len == host_len => d.to_string(),
                Some(d) => format!("{d}/{}", r.dst_len),
                None if r.dst_len == 0 => "default".to_owned(),
                None => format!("0/{}", r.dst_len),
            };
            m.insert("dst".to_owned(), dst);
            // `-N`: ip prints type, protocol and scope as numbers.
            m.insert("type".to_owned(), r.kind.0.to_string());
            m.insert("table".to_owned(), r.table.to_string());
            m.insert("protocol".to_owned(), r.protocol.0.to_string());
            m.insert("scope".to_owned(), r.scope.0.to_string());
            if let Some(g) = r.gateway {
                m.insert("gateway".to_owned(), g.to_string());
            }
            if let Some(o) = r.oif {
                m.insert("dev".to_owned(), names[&o].clone());
            }
            if let Some(s) = r.prefsrc {
                m.insert("prefsrc".to_owned(), s.to_string());
            }
            if let Some(p) = r.priority {
                m.insert("metric".to_owned(), p.to_string());
            }
            m
        })
        .collect()
}

/// Reads `ip`'s view, ours, then `ip`'s again, until the two `ip` views agree (IPv6
/// link-local routes appear when the carrier does, asynchronously); then ours must
/// equal them.
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

/// The routes of table `table` among `ip -d -N -j route show table all` (with a
/// specific table, `ip` leaves the `table` field out).
fn table_routes(fam: &str, table: &str) -> BTreeSet<BTreeMap<String, String>> {
    ip_routes(&[fam, "route", "show", "table", "all"])
        .into_iter()
        .filter(|r| r.get("table").map(String::as_str) == Some(table))
        .collect()
}

/// The main-table route to `dst` (as `ip` prints it) per `ip -d -N -j route show`.
fn main_route(v6: bool, dst: &str) -> Option<BTreeMap<String, String>> {
    let fam = if v6 { "-6" } else { "-4" };
    ip_routes(&[fam, "route", "show", "table", "main"])
        .into_iter()
        .find(|r| r.get("dst").map(String::as_str) == Some(dst))
}

fn count_main(v6: bool, dst: &str) -> usize {
    let fam = if v6 { "-6" } else { "-4" };
    ip_routes(&[fam, "route", "show", "table", "main"])
        .iter()
        .filter(|r| r.get("dst").map(String::as_str) == Some(dst))
        .count()
}

#[test]
fn default_route_via_dev_v4_and_v6() {
    if !can_run_kernel_tests("default_route_via_dev_v4_and_v6") {
        return;
    }
    in_netns(|| {
        veth("dd0", "dd1");
        ip(&["link", "set", "dd0", "up"]);
        rtnl::add_default_route_via_dev("dd0", false).unwrap();
        rtnl::add_default_route_via_dev("dd0", true).unwrap();
        let r4 = main_route(false, "default").unwrap();
        assert_eq!(r4["dev"], "dd0");
        assert_eq!(r4["scope"], RT_SCOPE_LINK.to_string());
        assert!(!r4.contains_key("gateway"), "{r4:?}");
        let r6 = main_route(true, "default").unwrap();
        assert_eq!(r6["dev"], "dd0");
        assert!(!r6.contains_key("gateway"), "{r6:?}");
        // A second one is a plain add: EEXIST.
        assert!(rtnl::add_default_route_via_dev("dd0", false)
            .unwrap_err()
            .is_exists());
        assert_eq!(count_main(false, "default"), 1);
        let e = rtnl::add_default_route_via_dev("absent0", false).unwrap_err();
        assert!(
            matches!(&e, Error::NotFound { name, .. } if name == "absent0"),
            "{e:?}"
        );
    });
}

#[test]
fn default_route_via_gateway_v4_and_v6() {
    if !can_run_kernel_tests("default_route_via_gateway_v4_and_v6") {
        return;
    }
    in_netns(|| {
        addressed_veth("gw0", "gw1");
        rtnl::add_default_route_via_gateway(ipa("10.20.0.254")).unwrap();
        rtnl::add_default_route_via_gateway(ipa("fd20::fe")).unwrap();
        let r4 = main_route(false, "default").unwrap();
        assert_eq!(r4["gateway"], "10.20.0.254");
        assert_eq!(r4["dev"], "gw0");
        assert_eq!(r4["scope"], RT_SCOPE_UNIVERSE.to_string());
        let r6 = main_route(true, "default").unwrap();
        assert_eq!(r6["gateway"], "fd20::fe");
        assert_eq!(r6["dev"], "gw0");
        assert!(rtnl::add_default_route_via_gateway(ipa("10.20.0.254"))
            .unwrap_err()
            .is_exists());
        // An unreachable gateway: the kernel refuses, nothing is added.
        let before = ip_routes(&["-4", "route", "show", "table", "all"]);
        let e = rtnl::add_default_route_via_gateway(ipa("192.0.2.1")).unwrap_err();
        assert!(matches!(e, Error::Kernel { .. }), "{e:?}");
        assert_eq!(ip_routes(&["-4", "route", "show", "table", "all"]), before);
    });
}

#[test]
fn add_route_via_dev_and_exists() {
    if !can_run_kernel_tests("add_route_via_dev_and_exists") {
        return;
    }
    in_netns(|| {
        addressed_veth("ar0", "ar1");
        // Host bits are cleared, as the kernel requires.
        rtnl::add_route_via_dev(ipa("10.30.1.2"), 16, "ar0").unwrap();
        rtnl::add_route_via_dev(ipa("10.31.0.9"), 32, "ar0").unwrap();
        rtnl::add_route_via_dev(ipa("fd30::1"), 48, "ar0").unwrap();
        let r = main_route(false, "10.30.0.0/16").unwrap();
        assert_eq!(r["dev"], "ar0");
        assert_eq!(r["scope"], RT_SCOPE_LINK.to_string());
        assert_eq!(r["protocol"], RTPROT_BOOT.to_string());
        assert!(main_route(false, "10.31.0.9").is_some());
        assert_eq!(main_route(true, "fd30::/48").unwrap()["dev"], "ar0");

        let e = rtnl::add_route_via_dev(ipa("10.30.0.0"), 16, "ar0").unwrap_err();
        assert!(e.is_exists(), "{e:?}");
        let e = rtnl::add_route_via_dev(ipa("fd30::"), 48, "ar0").unwrap_err();
        assert!(e.is_exists(), "{e:?}");
        assert_eq!(count_main(false, "10.30.0.0/16"), 1);
        assert_eq!(count_main(true, "fd30::/48"), 1);

        // IPv4 only: IPv6 link-local state on the up links settles asynchronously.
        let before = ip_routes(&["-4", "route", "show", "table", "all"]);
        let e = rtnl::add_route_via_dev(ipa("10.32.0.0"), 16, "absent0").unwrap_err();
        assert!(
            matches!(&e, Error::NotFound { name, .. } if name == "absent0"),
            "{e:?}"
        );
        assert!(rtnl::add_route_via_dev(ipa("10.32.0.0"), 33, "ar0")
            .unwrap_err()
            .is_invalid_input());
        assert!(rtnl::add_route_via_dev(ipa("fd32::"), 129, "ar0")
            .unwrap_err()
            .is_invalid_input());
        assert_eq!(ip_routes(&["-4", "route", "show", "table", "all"]), before);
        assert!(!ip(&["-6", "route", "show", "table", "all"]).contains("fd32"));
    });
}

#[test]
fn replace_route_via_dev_with_source() {
    if !can_run_kernel_tests("replace_route_via_dev_with_source") {
        return;
    }
    in_netns(|| {
        addressed_veth("rp0", "rp1");
        ip(&["addr", "add", "10.21.0.1/24", "dev", "rp1"]);
        ip(&["addr", "add", "fd21::1/64", "dev", "rp1", "nodad"]);
        // Creates when absent.
        rtnl::replace_route_via_dev(ipa("10.40.0.0"), 24, "rp0", None).unwrap();
        let r = main_route(false, "10.40.0.0/24").unwrap();
        assert_eq!(r["dev"], "rp0");
        assert_eq!(r["scope"], RT_SCOPE_LINK.to_string());
        assert!(!r.contains_key("prefsrc"));
        // Replaces in place: new source, then new device; always one route.
        rtnl::replace_route_via_dev(ipa("10.40.0.0"), 24, "rp0", Some(ipa("10.20.0.1"))).unwrap();
        assert_eq!(
            main_route(false, "10.40.0.0/24").unwrap()["prefsrc"],
            "10.20.0.1"
        );
        rtnl::replace_route_via_dev(ipa("10.40.0.0"), 24, "rp1", Some(ipa("10.21.0.1"))).unwrap();
        let r = main_route(false, "10.40.0.0/24").unwrap();
        assert_eq!(
            (r["dev"].as_str(), r["prefsrc"].as_str()),
            ("rp1", "10.21.0.1")
        );
        assert_eq!(count_main(false, "10.40.0.0/24"), 1);

        rtnl::replace_route_via_dev(ipa("fd40::"), 64, "rp0", Some(ipa("fd20::1"))).unwrap();
        rtnl::replace_route_via_dev(ipa("fd40::"), 64, "rp0", Some(ipa("fd21::1"))).unwrap();
        let r = main_route(true, "fd40::/64").unwrap();
        assert_eq!(
            (r["dev"].as_str(), r["prefsrc"].as_str()),
            ("rp0", "fd21::1")
        );
        assert_eq!(count_main(true, "fd40::/64"), 1);

        // Family mismatch: refused before any syscall, nothing changed.
        // IPv4 only: IPv6 link-local state on the up links settles asynchronously.
        let before = ip_routes(&["-4", "route", "show", "table", "all"]);
        for (d, s) in [("10.41.0.0", "fd20::1"), ("fd41::", "10.20.0.1")] {
            let e = rtnl::replace_route_via_dev(ipa(d), 24, "rp0", Some(ipa(s))).unwrap_err();
            assert!(
                matches!(
                    e,
                    Error::InvalidInput {
                        what: "source address",
                        ..
                    }
                ),
                "{e:?}"
            );
        }
        // A source that is not a local address: the kernel refuses.
        let e = rtnl::replace_route_via_dev(ipa("10.42.0.0"), 24, "rp0", Some(ipa("10.99.0.1")))
            .unwrap_err();
        assert_eq!(e.errno(), Some(libc::EINVAL), "{e:?}");
        let e = rtnl::replace_route_via_dev(ipa("10.42.0.0"), 24, "absent0", None).unwrap_err();
        assert!(e.is_not_found(), "{e:?}");
        assert_eq!(ip_routes(&["-4", "route", "show", "table", "all"]), before);
        assert!(!ip(&["-6", "route", "show", "table", "all"]).contains("fd41"));
    });
}

#[test]
fn delete_route_via_dev_is_idempotent() {
    if !can_run_kernel_tests("delete_route_via_dev_is_idempotent") {
        return;
    }
    in_netns(|| {
        addressed_veth("dr0", "dr1");
        ip(&["route", "add", "10.50.0.0/16", "dev", "dr0"]);
        ip(&["route", "add", "10.50.0.0/16", "dev", "dr1", "metric", "7"]);
        ip(&["route", "add", "fd50::/64", "dev", "dr0"]);
        rtnl::delete_route_via_dev(ipa("10.50.0.0"), 16, "dr0").unwrap();
        // Only the route out of dr0 went; the one out of dr1 stays.
        let left = main_route(false, "10.50.0.0/16").unwrap();
        assert_eq!(
            (left["dev"].as_str(), left["metric"].as_str()),
            ("dr1", "7")
        );
        rtnl::delete_route_via_dev(ipa("fd50::"), 64, "dr0").unwrap();
        assert!(main_route(true, "fd50::/64").is_none());
        // Again: ESRCH is Ok. Absent device: Ok.
        rtnl::delete_route_via_dev(ipa("10.50.0.0"), 16, "dr0").unwrap();
        rtnl::delete_route_via_dev(ipa("fd50::"), 64, "dr0").unwrap();
        rtnl::delete_route_via_dev(ipa("10.50.0.0"), 16, "absent0").unwrap();
        assert_eq!(count_main(false, "10.50.0.0/16"), 1);
        rtnl::delete_route_via_dev(ipa("10.50.0.0"), 16, "dr1").unwrap();
        assert!(main_route(false, "10.50.0.0/16").is_none());
        assert!(rtnl::delete_route_via_dev(ipa("10.50.0.0"), 33, "dr1")
            .unwrap_err()
            .is_invalid_input());
        assert!(rtnl::delete_route_via_dev(ipa("10.50.0.0"), 16, "")
            .unwrap_err()
            .is_invalid_input());
    });
}

#[test]
fn handle_routes_agree_with_ip_field_by_field() {
    if !can_run_kernel_tests("handle_routes_agree_with_ip_field_by_field") {
        return;
    }
    in_netns(|| {
        addressed_veth("rr0", "rr1");
        ip(&["link", "set", "lo", "up"]);
        ip(&["route", "add", "default", "via", "10.20.0.254"]);
        ip(&[
            "route",
            "add",
            "10.60.0.0/16",
            "dev",
            "rr0",
            "src",
            "10.20.0.1",
        ]);
        ip(&[
            "route",
            "add",
            "10.61.0.1",
            "dev",
            "rr1",
            "table",
            "1000",
            "metric",
            "5",
        ]);
        ip(&[
            "route",
            "add",
            "10.62.0.0/24",
            "via",
            "10.20.0.2",
            "proto",
            "static",
        ]);
        ip(&[
            "-6",
            "route",
            "add",
            "fd60::/64",
            "dev",
            "rr0",
            "metric",
            "9",
        ]);
        ip(&[
            "-6", "route", "add", "default", "via", "fd20::fe", "table", "7",
        ]);
        let mut h = Handle::new().unwrap();
        for (fam, args) in [
            (Family::INET, ["-4", "route", "show", "table", "all"]),
            (Family::INET6, ["-6", "route", "show", "table", "all"]),
        ] {
            let filter = RouteFilter {
                family: fam,
                ..Default::default()
            };
            let ours = h.routes(&filter).unwrap();
            assert!(ours.iter().all(|r| r.family == fam));
            assert_agrees(
                || ip_routes(&args),
                || view_of_routes(&h.routes(&filter).unwrap()),
            );
        }
        // Both families at once.
        let both_ip = || {
            let mut theirs = ip_routes(&["-4", "route", "show", "table", "all"]);
            theirs.extend(ip_routes(&["-6", "route", "show", "table", "all"]));
            theirs
        };
        assert_agrees(both_ip, || {
            view_of_routes(&h.routes(&RouteFilter::default()).unwrap())
        });

        // Filters: one table; one output link.
        let t1000 = h
            .routes(&RouteFilter {
                family: Family::INET,
                table: Some(1000),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(view_of_routes(&t1000), table_routes("-4", "1000"));
        assert_eq!(t1000.len(), 1);
        let rr1 = h.link_index("rr1").unwrap();
        let filter = RouteFilter {
            family: Family::UNSPEC,
            oif: Some(rr1),
            ..Default::default()
        };
        let out_rr1 = h.routes(&filter).unwrap();
        assert!(!out_rr1.is_empty());
        assert!(out_rr1.iter().all(|r| r.oif == Some(rr1)));
        // (With `dev`, ip leaves the `dev` field out: filter the full dumps instead.)
        assert_agrees(
            || {
                let mut theirs = both_ip();
                theirs.retain(|r| r.get("dev").map(String::as_str) == Some("rr1"));
                theirs
            },
            || view_of_routes(&h.routes(&filter).unwrap()),
        );

        // for_each_route visits the same routes.
        assert_agrees(
            || {
                ip_json(&["-4", "route", "show", "table", "all"])
                    .as_array()
                    .unwrap()
                    .len()
                    + ip_json(&["-6", "route", "show", "table", "all"])
                        .as_array()
                        .unwrap()
                        .len()
            },
            || {
                let mut n = 0;
                h.for_each_route(&RouteFilter::default(), |_| n += 1)
                    .unwrap();
                n
            },
        );
    });
}

#[test]
fn handle_add_replace_delete_route_requests() {
    if !can_run_kernel_tests("handle_add_replace_delete_route_requests") {
        return;
    }
    in_netns(|| {
        addressed_veth("rq0", "rq1");
        let mut h = Handle::new().unwrap();
        let rq0 = h.link_index("rq0").unwrap();
        let rq1 = h.link_index("rq1").unwrap();
        let mut r = Route::new(Family::INET);
        r.dst = Some(ipa("10.70.0.0"));
        r.dst_len = 16;
        r.table = 1000; // above 255: goes in RTA_TABLE
        r.priority = Some(42);
        r.scope = Scope::LINK;
        r.oif = Some(rq0);
        h.add(&r).unwrap();
        let show = || table_routes("-4", "1000");
        let got = show();
        assert_eq!(got.len(), 1);
        let g = got.iter().next().unwrap();
        assert_eq!(g["dst"], "10.70.0.0/16");
        assert_eq!(g["table"], "1000");
        assert_eq!(g["metric"], "42");
        assert_eq!(g["dev"], "rq0");
        assert!(h.add(&r).unwrap_err().is_exists());
        assert_eq!(show().len(), 1);

        // Replace moves it to rq1 (same key: dst, table, metric).
        let mut r2 = r.clone();
        r2.oif = Some(rq1);
        h.replace(&r2).unwrap();
        let got = show();
        assert_eq!(got.len(), 1);
        assert_eq!(got.iter().next().unwrap()["dev"], "rq1");

        h.delete(&r2).unwrap();
        assert!(show().is_empty());
        let e = h.delete(&r2).unwrap_err();
        assert!(e.is_not_found(), "{e:?}");
        assert_eq!(e.errno(), Some(libc::ESRCH));

        // IPv6 in table 7 with a gateway.
        let mut r6 = Route::new(Family::INET6);
        r6.dst = Some(ipa("fd70::"));
        r6.dst_len = 64;
        r6.table = 7;
        r6.gateway = Some(ipa("fd20::fe"));
        h.add(&r6).unwrap();
        let got = table_routes("-6", "7");
        assert_eq!(got.len(), 1);
        let g = got.iter().next().unwrap();
        assert_eq!(g["gateway"], "fd20::fe");
        assert_eq!(g["dst"], "fd70::/64");
        let ours = h
            .routes(&RouteFilter {
                family: Family::INET6,
                table: Some(7),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(ours.len(), 1);
        assert_eq!(ours[0].gateway, Some(ipa("fd20::fe")));
        assert_eq!(ours[0].oif, Some(rq0));
        assert_eq!(view_of_routes(&ours), got);
        h.delete(&r6).unwrap();
        assert!(table_routes("-6", "7").is_empty());
    });
}
