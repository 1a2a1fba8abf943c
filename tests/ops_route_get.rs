//! Kernel tests of route lookups (`Handle::route_get`, `ip route get [fibmatch]`;
//! `Handle::default_route`) and of the route and nexthop encodings that came with the
//! reshape — multipath routes with weights, `append` (the ECMP add of CNI's IPAM),
//! source prefixes with `pref` and `expires`, metrics with `lock` and `onlink`,
//! resilient nexthop groups with 16-bit weights — each in a fresh network namespace,
//! checked against `ip -j route get`, `ip -j route show` and `ip -j nexthop show`.
//!
//! qemu-user translates route messages, so everything here but the nexthop test runs
//! under it too; that one proves qemu's `EOPNOTSUPP` for `RTM_NEWNEXTHOP` and says
//! loudly that it did not run.

mod common;
use common::*;

use rtnl::abi::{ICMPV6_ROUTER_PREF_HIGH, RTAX_ADVMSS, RTAX_LOCK, RTAX_MTU};
use rtnl::wire::nexthop::GROUP_RES;
use rtnl::{
    Family, GroupMember, Handle, Hop, Metric, Nexthop, Resilient, Route, RouteFilter, RouteFlags,
    RouteGet, Rule,
};
use serde_json::Value;
use std::net::IpAddr;

fn ipa(s: &str) -> IpAddr {
    s.parse().unwrap()
}

/// veth `a`/`b`, both up, 10.50.0.1/24 and fd50::1/64 on `a`, lo up; `a`'s index.
fn setup(a: &str, b: &str) -> u32 {
    ip(&["link", "set", "lo", "up"]);
    ip(&["link", "add", a, "type", "veth", "peer", "name", b]);
    ip(&["link", "set", a, "up"]);
    ip(&["link", "set", b, "up"]);
    ip(&["addr", "add", "10.50.0.1/24", "dev", a]);
    ip(&["addr", "add", "fd50::1/64", "dev", a, "nodad"]);
    ip_link(a).unwrap()["ifindex"].as_u64().unwrap() as u32
}

/// `ip -j route get ARGS`, its one object.
fn ip_get(args: &[&str]) -> Value {
    let mut a = vec!["route", "get"];
    a.extend_from_slice(args);
    ip_json(&a)[0].clone()
}

#[test]
fn route_get_answers_as_ip_route_get_does() {
    if !can_run_kernel_tests("route_get_answers_as_ip_route_get_does") {
        return;
    }
    in_netns(|| {
        let oif = setup("rg0", "rg1");
        ip(&["route", "add", "default", "via", "10.50.0.254"]);
        ip(&["-6", "route", "add", "default", "via", "fd50::fe"]);
        let mut h = Handle::new().unwrap();

        let r = h.route_get(&RouteGet::to(ipa("192.0.2.1"))).unwrap();
        let j = ip_get(&["192.0.2.1"]);
        assert_eq!(
            r.gateway.map(|g| g.to_string()),
            j["gateway"].as_str().map(str::to_owned)
        );
        assert_eq!(
            r.prefsrc.map(|g| g.to_string()),
            j["prefsrc"].as_str().map(str::to_owned)
        );
        assert_eq!(j["dev"], "rg0");
        assert_eq!(
            (r.oif, r.table, r.dst),
            (Some(oif), 254, Some(ipa("192.0.2.1")))
        );
        assert!(r.flags.contains(RouteFlags::CLONED));

        // Policy: packets marked 7, or sent by uid 1000, use table 100.
        ip(&[
            "route",
            "add",
            "default",
            "via",
            "10.50.0.253",
            "table",
            "100",
        ]);
        let mut m = Rule::new(Family::INET).priority(100).table(100);
        m.fwmark = Some(7);
        let mut u = Rule::new(Family::INET).priority(101).table(100);
        u.uid_range = Some((1000, 1000));
        // Rules are not translated by qemu-user: added with ip there.
        ip(&["rule", "add", "pref", "100", "fwmark", "7", "table", "100"]);
        ip(&[
            "rule",
            "add",
            "pref",
            "101",
            "uidrange",
            "1000-1000",
            "table",
            "100",
        ]);
        let _ = (m, u);
        let r = h
            .route_get(&RouteGet::to(ipa("192.0.2.1")).mark(7))
            .unwrap();
        assert_eq!(
            (r.gateway, r.table, r.mark),
            (Some(ipa("10.50.0.253")), 100, Some(7))
        );
        assert_eq!(
            ip_get(&["192.0.2.1", "mark", "7"])["gateway"],
            "10.50.0.253"
        );
        let r = h
            .route_get(&RouteGet::to(ipa("192.0.2.1")).uid(1000))
            .unwrap();
        assert_eq!((r.gateway, r.uid), (Some(ipa("10.50.0.253")), Some(1000)));
        let r = h
            .route_get(&RouteGet::to(ipa("192.0.2.1")).uid(1001))
            .unwrap();
        assert_eq!(r.gateway, Some(ipa("10.50.0.254")));

        // A source address and an output device.
        let r = h
            .route_get(
                &RouteGet::to(ipa("10.50.0.9"))
                    .from(ipa("10.50.0.1"))
                    .oif(oif),
            )
            .unwrap();
        assert_eq!(
            (r.gateway, r.oif, r.src),
            (None, Some(oif), Some(ipa("10.50.0.1")))
        );

        // fibmatch: the FIB entry, not the resolved route.
        let f = h.route_get(&RouteGet::fibmatch(ipa("192.0.2.1"))).unwrap();
        assert!(f.is_default());
        assert_eq!((f.gateway, f.oif), (Some(ipa("10.50.0.254")), Some(oif)));
        assert!(!f.flags.contains(RouteFlags::CLONED));
        assert_eq!(ip_get(&["fibmatch", "192.0.2.1"])["dst"], "default");

        // IPv6.
        let r = h.route_get(&RouteGet::to(ipa("2001:db8::1"))).unwrap();
        let j = ip_get(&["2001:db8::1"]);
        assert_eq!(
            r.gateway.map(|g| g.to_string()).as_deref(),
            j["gateway"].as_str()
        );
        assert_eq!((r.oif, r.prefsrc), (Some(oif), Some(ipa("fd50::1"))));

        // No route: the kernel's refusal, typed.
        ip(&["route", "del", "default"]);
        ip(&["rule", "del", "pref", "101"]);
        let e = h.route_get(&RouteGet::to(ipa("192.0.2.1"))).unwrap_err();
        assert_eq!(e.errno(), Some(libc::ENETUNREACH), "{e}");
        // A source of the other family: refused before any syscall.
        let bad = RouteGet::to(ipa("192.0.2.1")).from(ipa("fd50::1"));
        assert!(h.route_get(&bad).unwrap_err().is_invalid_input());
    });
}

// The CNI macvlan plugin's question — which device has the default route — in one
// RTM_GETROUTE instead of a dump of every route.
#[test]
fn default_route_in_one_round_trip() {
    if !can_run_kernel_tests("default_route_in_one_round_trip") {
        return;
    }
    in_netns(|| {
        let oif = setup("rd0", "rd1");
        let mut h = Handle::new().unwrap();
        assert_eq!(h.default_route(Family::INET).unwrap(), None);
        assert_eq!(h.default_route(Family::INET6).unwrap(), None);
        ip(&["route", "add", "default", "via", "10.50.0.254"]);
        ip(&["-6", "route", "add", "default", "via", "fd50::fe"]);
        // A more specific route elsewhere changes nothing.
        ip(&["route", "add", "192.0.2.0/24", "via", "10.50.0.2"]);
        let d = h.default_route(Family::INET).unwrap().unwrap();
        assert_eq!(
            (d.dst_len, d.gateway, d.oif),
            (0, Some(ipa("10.50.0.254")), Some(oif))
        );
        let d6 = h.default_route(Family::INET6).unwrap().unwrap();
        assert_eq!((d6.gateway, d6.oif), (Some(ipa("fd50::fe")), Some(oif)));
        // What the dump would have said.
        let dumped = h
            .routes(&RouteFilter {
                table: Some(254),
                ..RouteFilter::family(Family::INET)
            })
            .unwrap();
        let from_dump = dumped.iter().find(|r| r.is_default()).unwrap();
        assert_eq!(from_dump.oif, d.oif);
        assert!(h
            .default_route(Family::BRIDGE)
            .unwrap_err()
            .is_invalid_input());
    });
}

// Multipath with weights; `append` as CNI's IPAM adds a second path (IPv6 merges the
// routes into one with two next hops); a source prefix with pref and expires; metrics
// with a lock, and onlink.
#[test]
fn multipath_append_source_prefix_and_metrics_reach_the_kernel() {
    if !can_run_kernel_tests("multipath_append_source_prefix_and_metrics_reach_the_kernel") {
        return;
    }
    in_netns(|| {
        let oif = setup("rm0", "rm1");
        let mut h = Handle::new().unwrap();
        let hop = |gw: &str, weight| Hop {
            gateway: Some(ipa(gw)),
            oif,
            weight,
            ..Default::default()
        };
        h.add(&Route {
            multipath: vec![hop("10.50.0.2", 1), hop("10.50.0.3", 3)],
            ..Route::to(ipa("10.55.0.0"), 16).unwrap()
        })
        .unwrap();
        let j = ip_json(&["route", "show", "10.55.0.0/16"]);
        let hops: Vec<_> = j[0]["nexthops"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| {
                (
                    n["gateway"].as_str().unwrap().to_owned(),
                    n["weight"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            hops,
            [("10.50.0.2".to_owned(), 1), ("10.50.0.3".to_owned(), 3)]
        );

        // ECMP by append (IPv6): one route, two next hops.
        let path = |gw: &str| {
            Route::to(ipa("2001:db8:7::"), 64)
                .unwrap()
                .via(ipa(gw))
                .dev(oif)
        };
        h.add(&path("fd50::2")).unwrap();
        h.append(&path("fd50::3")).unwrap();
        let j = ip_json(&["-6", "route", "show", "2001:db8:7::/64"]);
        assert_eq!(j.as_array().unwrap().len(), 1);
        assert_eq!(j[0]["nexthops"].as_array().unwrap().len(), 2);
        let got = h.routes(&RouteFilter::family(Family::INET6)).unwrap();
        let ecmp = got
            .iter()
            .find(|r| r.dst == Some(ipa("2001:db8:7::")))
            .unwrap();
        let gws: Vec<_> = ecmp.multipath.iter().map(|h| h.gateway.unwrap()).collect();
        assert_eq!(gws, [ipa("fd50::2"), ipa("fd50::3")]);
        // IPv4 append: a second route to the same prefix.
        let v4 = |gw: &str| {
            Route::to(ipa("10.56.0.0"), 16)
                .unwrap()
                .via(ipa(gw))
                .dev(oif)
        };
        h.add(&v4("10.50.0.3")).unwrap();
        h.append(&v4("10.50.0.2")).unwrap();
        assert_eq!(
            ip_json(&["route", "show", "10.56.0.0/16"])
                .as_array()
                .unwrap()
                .len(),
            2
        );

        // Source routing, router preference and expiry (IPv6).
        let mut from = Route::to(ipa("2001:db8:5::"), 64)
            .unwrap()
            .via(ipa("fd50::fe"))
            .dev(oif);
        from.src = Some(ipa("2001:db8:1::"));
        from.src_len = 64;
        from.pref = Some(ICMPV6_ROUTER_PREF_HIGH);
        from.expires = Some(300);
        h.add(&from).unwrap();
        let j = ip_json(&["-6", "route", "show", "2001:db8:5::/64"]);
        assert_eq!(j[0]["from"], "2001:db8:1::/64");
        assert_eq!(j[0]["pref"], "high");
        let left = j[0]["expires"].as_u64().unwrap();
        assert!((290..=300).contains(&left), "{left}");
        let got = h.routes(&RouteFilter::family(Family::INET6)).unwrap();
        let r = got
            .iter()
            .find(|r| r.dst == Some(ipa("2001:db8:5::")))
            .unwrap();
        assert_eq!(
            (r.src, r.src_len, r.pref),
            (Some(ipa("2001:db8:1::")), 64, Some(ICMPV6_ROUTER_PREF_HIGH))
        );
        assert!(r.expires.is_some_and(|e| (290..=300).contains(&e)));

        // Metrics with a lock, onlink through a gateway outside the subnet.
        let mut m = Route::to(ipa("10.57.0.0"), 16)
            .unwrap()
            .via(ipa("192.0.2.1"))
            .dev(oif);
        m.flags = RouteFlags::ONLINK;
        m.metrics = vec![
            Metric {
                kind: RTAX_MTU,
                value: 1400,
            },
            Metric {
                kind: RTAX_ADVMSS,
                value: 1360,
            },
            Metric {
                kind: RTAX_LOCK,
                value: 1 << RTAX_MTU,
            },
        ];
        h.add(&m).unwrap();
        let j = ip_json(&["route", "show", "10.57.0.0/16"]);
        assert_eq!(j[0]["flags"][0], "onlink");
        assert_eq!(j[0]["metrics"][0]["mtu"], 1400);
        assert_eq!(j[0]["metrics"][0]["advmss"], 1360);
        assert!(ip(&["route", "show", "10.57.0.0/16"]).contains("mtu lock 1400"));
        let got = h.routes(&RouteFilter::family(Family::INET)).unwrap();
        let r = got
            .iter()
            .find(|r| r.dst == Some(ipa("10.57.0.0")))
            .unwrap();
        assert!(r.flags.contains(RouteFlags::ONLINK));
        assert_eq!(r.metric_value(RTAX_MTU), Some(1400));
        assert_eq!(r.metric_value(RTAX_LOCK), Some(1 << RTAX_MTU));
        // A weight outside 1..=256 is refused before any syscall.
        let bad = Route {
            multipath: vec![hop("10.50.0.2", 0)],
            ..Route::to(ipa("10.58.0.0"), 16).unwrap()
        };
        assert!(h.add(&bad).unwrap_err().is_invalid_input());
    });
}

// A resilient group (`ip nexthop add id 5 group 1/2,3 type resilient buckets 8
// idle_timer 60 unbalanced_timer 30`), and 16-bit weights (Linux ≥ 6.12).
#[test]
fn resilient_nexthop_groups_and_wide_weights() {
    let test = "resilient_nexthop_groups_and_wide_weights";
    if !can_run_kernel_tests(test) {
        return;
    }
    in_netns(|| {
        let oif = setup("rn0", "rn1");
        let mut h = Handle::new().unwrap();
        match (
            h.add(&Nexthop::via(1, Some(ipa("10.50.0.2")), oif)),
            std::env::var("RTNL_QEMU_USER"),
        ) {
            (Ok(()), _) => {}
            (Err(e), Ok(emu)) => {
                assert_eq!(e.errno(), Some(libc::EOPNOTSUPP), "{e}");
                loud(&format!(
                    "NOT RUN under {emu}: {test} — qemu-user does not translate RTM_NEWNEXTHOP"
                ));
                return;
            }
            (Err(e), Err(_)) => panic!("{e}"),
        }
        h.add(&Nexthop::via(2, Some(ipa("10.50.0.3")), oif))
            .unwrap();
        let mut g = Nexthop::group(
            5,
            &[
                GroupMember { id: 1, weight: 1 },
                GroupMember { id: 2, weight: 3 },
            ],
        );
        g.group_type = Some(GROUP_RES);
        g.resilient = Some(Resilient {
            buckets: Some(8),
            idle_timer: Some(6000),
            unbalanced_timer: Some(3000),
            unbalanced_time: None,
        });
        h.add(&g).unwrap();
        let j = ip_json(&["nexthop", "show", "id", "5"]);
        assert_eq!(j[0]["type"], "resilient");
        let a = &j[0]["resilient_args"];
        assert_eq!(
            (
                a["buckets"].as_u64(),
                a["idle_timer"].as_u64(),
                a["unbalanced_timer"].as_u64()
            ),
            (Some(8), Some(60), Some(30))
        );
        assert_eq!(j[0]["group"][1]["weight"], 3);
        let got = h.nexthops().unwrap();
        let back = got.iter().find(|n| n.id == 5).unwrap();
        assert_eq!(back.group, g.group);
        let r = back.resilient.unwrap();
        assert_eq!(
            (r.buckets, r.idle_timer, r.unbalanced_timer),
            (Some(8), Some(6000), Some(3000))
        );
        // A route through the group.
        h.add(&Route {
            nexthop_id: Some(5),
            ..Route::to(ipa("10.59.0.0"), 16).unwrap()
        })
        .unwrap();
        assert_eq!(ip_json(&["route", "show", "10.59.0.0/16"])[0]["nhid"], 5);

        // Weights above 256 (a second weight byte, Linux 6.12+): read back exactly.
        let wide = Nexthop::group(
            6,
            &[
                GroupMember { id: 1, weight: 300 },
                GroupMember {
                    id: 2,
                    weight: 65535,
                },
            ],
        );
        match h.add(&wide) {
            Ok(()) => {
                let got = h.nexthops().unwrap();
                let w: Vec<_> = got.iter().find(|n| n.id == 6).unwrap().group.clone();
                assert_eq!(w, wide.group);
            }
            Err(e) => loud(&format!(
                "{test}: this kernel refuses weights above 256 ({e}); Linux 6.12 added them"
            )),
        }
        // 65536 (0xffff on the wire) is refused here; the kernel would refuse it too.
        let heavy = Nexthop::group(
            7,
            &[GroupMember {
                id: 1,
                weight: 65536,
            }],
        );
        assert!(h.add(&heavy).unwrap_err().is_invalid_input());
    });
}
