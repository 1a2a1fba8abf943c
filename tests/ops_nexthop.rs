//! Kernel tests of nexthop objects (`src/ops/nexthop.rs`, `ip nexthop`) and of routes that
//! use them (`Route::nexthop_id`, `ip route add DST nhid ID`), each in a fresh
//! network namespace, checked against `ip -j`.

mod common;
use common::*;

use rtnl::{Family, GroupMember, Handle, Nexthop, Route};
use serde_json::Value;
use std::net::{IpAddr, Ipv4Addr};

fn ipa(s: &str) -> IpAddr {
    s.parse().unwrap()
}

/// veth `a`/`b`, both up, 10.30.0.1/24 and fd30::1/64 on `a`; loopback up (a
/// blackhole nexthop lives on it).
fn setup(a: &str, b: &str) -> u32 {
    ip(&["link", "set", "lo", "up"]);
    ip(&["link", "add", a, "type", "veth", "peer", "name", b]);
    ip(&["link", "set", a, "up"]);
    ip(&["link", "set", b, "up"]);
    ip(&["addr", "add", "10.30.0.1/24", "dev", a]);
    ip(&["addr", "add", "fd30::1/64", "dev", a, "nodad"]);
    ip_link(a).unwrap()["ifindex"].as_u64().unwrap() as u32
}

/// Whether nexthop requests reach the kernel. Natively they always do. qemu-user
/// (`RTNL_QEMU_USER`, the aarch64 and s390x runs of `.ci/run`) translates only the
/// rtnetlink message types it knows — links, addresses, routes — and refuses any other
/// with `EOPNOTSUPP` before it reaches the kernel: under it, this proves that exact
/// failure, says loudly that the rest of the test cannot run there, and returns false.
/// The test runs in full on x86-64 (glibc and musl) and i686.
fn nexthops_reach_the_kernel(h: &mut Handle, oif: u32, test: &str) -> bool {
    let probe = Nexthop {
        id: 4242,
        oif: Some(oif),
        ..Default::default()
    };
    match (h.add(&probe), std::env::var("RTNL_QEMU_USER")) {
        (Ok(()), _) => {
            h.delete_nexthop(4242).unwrap();
            true
        }
        (Err(e), Ok(emu)) => {
            assert!(
                matches!(
                    &e,
                    rtnl::Error::Io {
                        op: "RTM_NEWNEXTHOP",
                        ..
                    }
                ) && e.errno() == Some(libc::EOPNOTSUPP),
                "under {emu}, expected qemu-user's EOPNOTSUPP for RTM_NEWNEXTHOP, got: {e}"
            );
            loud(&format!(
                "NOT RUN under {emu}: {test} — qemu-user does not translate RTM_NEWNEXTHOP \
                 (sendmsg fails with EOPNOTSUPP in the emulator, proven just now); the test \
                 runs natively on x86-64 and i686"
            ));
            false
        }
        (Err(e), Err(_)) => panic!("a nexthop on {oif}: {e}"),
    }
}

/// `ip -j nexthop show` as (id, gateway, dev, blackhole) tuples, sorted by id.
fn ip_nexthops() -> Vec<(u64, Option<String>, Option<String>, bool)> {
    let mut v: Vec<_> = ip_json(&["nexthop", "show"])
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["id"].as_u64().unwrap(),
                n["gateway"].as_str().map(str::to_owned),
                n["dev"].as_str().map(str::to_owned),
                n.get("blackhole").is_some(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn nexthops_are_created_listed_replaced_and_deleted() {
    if !can_run_kernel_tests("nexthops_are_created_listed_replaced_and_deleted") {
        return;
    }
    in_netns(|| {
        let oif = setup("nh0", "nh1");
        let mut h = Handle::new().unwrap();
        if !nexthops_reach_the_kernel(
            &mut h,
            oif,
            "nexthops_are_created_listed_replaced_and_deleted",
        ) {
            return;
        }
        h.add(&Nexthop::via(7, Some(ipa("10.30.0.254")), oif))
            .unwrap();
        h.add(&Nexthop {
            id: 8,
            oif: Some(oif),
            ..Default::default()
        })
        .unwrap();
        h.add(&Nexthop {
            id: 9,
            blackhole: true,
            ..Default::default()
        })
        .unwrap();
        // The family comes from the gateway.
        h.add(&Nexthop::via(10, Some(ipa("fd30::fe")), oif))
            .unwrap();
        let want = vec![
            (7, Some("10.30.0.254".into()), Some("nh0".into()), false),
            (8, None, Some("nh0".into()), false),
            (9, None, None, true),
            (10, Some("fd30::fe".into()), Some("nh0".into()), false),
        ];
        assert_eq!(ip_nexthops(), want);

        // Read back through rtnl's own dump: the same four.
        let mut got: Vec<_> = h
            .nexthops()
            .unwrap()
            .iter()
            .map(|n| (n.id, n.gateway, n.oif, n.blackhole, n.family))
            .collect();
        got.sort_unstable_by_key(|n| n.0);
        assert_eq!(
            got,
            vec![
                (7, Some(ipa("10.30.0.254")), Some(oif), false, Family::INET),
                (8, None, Some(oif), false, Family::INET),
                (9, None, None, true, Family::INET),
                (10, Some(ipa("fd30::fe")), Some(oif), false, Family::INET6),
            ]
        );

        // Same id again: EEXIST; replace is fine.
        let e = h
            .add(&Nexthop::via(7, Some(ipa("10.30.0.253")), oif))
            .unwrap_err();
        assert!(e.is_exists(), "{e}");
        h.replace(&Nexthop {
            id: 7,
            gateway: Some(ipa("10.30.0.253")),
            oif: Some(oif),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(ip_nexthops()[0].1.as_deref(), Some("10.30.0.253"));

        h.delete_nexthop(7).unwrap();
        let e = h.delete_nexthop(7).unwrap_err();
        assert!(e.is_not_found(), "{e}");
        assert_eq!(ip_nexthops().len(), 3);
    });
}

#[test]
fn routes_through_a_nexthop_go_with_it() {
    if !can_run_kernel_tests("routes_through_a_nexthop_go_with_it") {
        return;
    }
    in_netns(|| {
        let oif = setup("nr0", "nr1");
        let mut h = Handle::new().unwrap();
        if !nexthops_reach_the_kernel(&mut h, oif, "routes_through_a_nexthop_go_with_it") {
            return;
        }
        // Nexthops and the routes that use them in one batch: the kernel handles a
        // datagram's requests in order.
        let mut results = Vec::new();
        let mut b = h.batch(|i, r| results.push((i, r)));
        b.add(&Nexthop {
            id: 1,
            oif: Some(oif),
            ..Default::default()
        })
        .unwrap();
        b.add(&Nexthop {
            id: 2,
            gateway: Some(ipa("10.30.0.254")),
            oif: Some(oif),
            ..Default::default()
        })
        .unwrap();
        for i in 0..1000u32 {
            let mut r = Route::new(Family::INET);
            r.dst = Some(IpAddr::V4(Ipv4Addr::from((11 << 24) | i)));
            r.dst_len = 32;
            r.nexthop_id = Some(1 + i % 2);
            b.add(&r).unwrap();
        }
        b.finish().unwrap();
        assert_eq!(results.len(), 1002);
        assert!(results.iter().all(|(_, r)| r.is_ok()));

        let routes = ip_json(&["route", "show", "table", "main"]);
        let via: Vec<&Value> = routes
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["dst"].as_str().unwrap().starts_with("11."))
            .collect();
        assert_eq!(via.len(), 1000);
        for r in &via {
            let last: u32 = r["dst"]
                .as_str()
                .unwrap()
                .rsplit('.')
                .next()
                .unwrap()
                .parse()
                .unwrap();
            let id = r["nhid"].as_u64().unwrap();
            assert_eq!(id, 1 + u64::from(last % 2), "{r}");
            assert_eq!(r["dev"], "nr0");
            if id == 2 {
                assert_eq!(r["gateway"], "10.30.0.254");
            }
        }
        // rtnl's dump reports the id too.
        let mut ids = std::collections::BTreeMap::new();
        h.for_each_route(
            &rtnl::RouteFilter {
                family: Family::INET,
                table: Some(254),
                ..Default::default()
            },
            |r| {
                if let Some(id) = r.nexthop_id {
                    *ids.entry(id).or_insert(0) += 1;
                }
            },
        )
        .unwrap();
        assert_eq!(ids, [(1, 500), (2, 500)].into_iter().collect());
        // And so do the owned routes.
        let owned = h
            .routes(&rtnl::RouteFilter {
                family: Family::INET,
                table: Some(254),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(
            owned.iter().filter(|r| r.nexthop_id.is_some()).count(),
            1000
        );

        // Deleting a nexthop object deletes the routes that use it.
        h.delete_nexthop(2).unwrap();
        let left = ip_json(&["route", "show", "table", "main"])
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["dst"].as_str().unwrap().starts_with("11."))
            .count();
        assert_eq!(left, 500);
    });
}

#[test]
fn nexthop_mistakes_are_refused() {
    if !can_run_kernel_tests("nexthop_mistakes_are_refused") {
        return;
    }
    in_netns(|| {
        let oif = setup("nm0", "nm1");
        let mut h = Handle::new().unwrap();
        if !nexthops_reach_the_kernel(&mut h, oif, "nexthop_mistakes_are_refused") {
            return;
        }
        // Caught before any syscall.
        for (what, r) in [
            (
                "id 0",
                Nexthop {
                    oif: Some(oif),
                    ..Default::default()
                },
            ),
            (
                "blackhole with a device",
                Nexthop {
                    id: 5,
                    blackhole: true,
                    oif: Some(oif),
                    ..Default::default()
                },
            ),
            (
                "neither gateway, device nor blackhole",
                Nexthop {
                    id: 5,
                    ..Default::default()
                },
            ),
            (
                "IPv6 gateway in an IPv4 nexthop",
                Nexthop {
                    id: 5,
                    family: Family::INET,
                    gateway: Some(ipa("fd30::fe")),
                    oif: Some(oif),
                    ..Default::default()
                },
            ),
        ] {
            let e = h.add(&r).unwrap_err();
            assert!(e.is_invalid_input(), "{what}: {e}");
        }
        assert!(h.delete_nexthop(0).unwrap_err().is_invalid_input());
        assert!(ip_nexthops().is_empty(), "nothing reached the kernel");

        // The kernel's own refusals, with its text.
        let mut r = Route::new(Family::INET);
        r.dst = Some(ipa("11.0.0.1"));
        r.dst_len = 32;
        r.nexthop_id = Some(99);
        let e = h.add(&r).unwrap_err();
        assert_eq!(e.errno(), Some(libc::EINVAL), "{e}");
        assert!(
            e.kernel_message().is_some_and(|m| m.contains("exist")),
            "the kernel says the nexthop id does not exist: {e}"
        );
        h.add(&Nexthop::via(3, Some(ipa("10.30.0.254")), oif))
            .unwrap();
        // A route with its own gateway and a nexthop id: rtnl refuses both before any
        // syscall ...
        r.nexthop_id = Some(3);
        r.gateway = Some(ipa("10.30.0.254"));
        let e = h.add(&r).unwrap_err();
        assert!(e.is_invalid_input(), "{e}");
        // ... and so does the kernel, with its text, when the same bytes are sent anyway.
        let mut buf = [0u8; 256];
        let n = rtnl::Object::emit(&r, rtnl::Verb::Add, &mut buf).unwrap();
        let e = h.push(&rtnl::wire::RawRequest(&buf[..n])).unwrap_err();
        assert_eq!(e.errno(), Some(libc::EINVAL), "{e}");
        assert!(e.kernel_message().is_some(), "{e}");
        // A gateway the device cannot reach.
        let e = h
            .add(&Nexthop::via(4, Some(ipa("192.0.2.1")), oif))
            .unwrap_err();
        assert!(e.errno().is_some() && e.kernel_message().is_some(), "{e}");
        assert_eq!(ip_nexthops().len(), 1);
    });
}

#[test]
fn groups_spread_a_route_over_their_members() {
    if !can_run_kernel_tests("groups_spread_a_route_over_their_members") {
        return;
    }
    in_netns(|| {
        let oif = setup("ng0", "ng1");
        let mut h = Handle::new().unwrap();
        if !nexthops_reach_the_kernel(&mut h, oif, "groups_spread_a_route_over_their_members") {
            return;
        }
        h.add(&Nexthop::via(1, Some(ipa("10.30.0.254")), oif))
            .unwrap();
        h.add(&Nexthop::via(2, Some(ipa("10.30.0.253")), oif))
            .unwrap();
        let members = [
            GroupMember { id: 1, weight: 1 },
            GroupMember { id: 2, weight: 5 },
        ];
        h.add(&Nexthop {
            id: 3,
            group: members.to_vec(),
            ..Default::default()
        })
        .unwrap();
        let mut r = Route::new(Family::INET);
        r.dst = Some(ipa("12.0.0.0"));
        r.dst_len = 24;
        r.nexthop_id = Some(3);
        h.add(&r).unwrap();

        // The kernel's view: the group, and the route spread over both gateways.
        let g = ip_json(&["nexthop", "show", "id", "3"]);
        let g = &g.as_array().unwrap()[0]["group"];
        assert_eq!(g[0]["id"], 1);
        assert!(g[0].get("weight").is_none(), "weight 1 is not printed: {g}");
        assert_eq!(
            (&g[1]["id"], &g[1]["weight"]),
            (&Value::from(2), &Value::from(5))
        );
        let route = ip_json(&["route", "show", "12.0.0.0/24"]);
        let hops = route.as_array().unwrap()[0]["nexthops"].as_array().unwrap();
        let mut seen: Vec<(String, u64)> = hops
            .iter()
            .map(|n| {
                (
                    n["gateway"].as_str().unwrap().to_owned(),
                    n["weight"].as_u64().unwrap(),
                )
            })
            .collect();
        seen.sort();
        assert_eq!(
            seen,
            vec![("10.30.0.253".to_owned(), 5), ("10.30.0.254".to_owned(), 1)]
        );

        // rtnl's dump: the members with their weights.
        let listed = h.nexthops().unwrap();
        let group = listed.iter().find(|n| n.id == 3).unwrap();
        assert_eq!(group.group, members);
        assert_eq!(
            (group.family, group.gateway, group.oif),
            (Family::UNSPEC, None, None)
        );

        // Mistakes: caught before any syscall ...
        for (what, m, oif_too) in [
            ("weight 0", [GroupMember { id: 1, weight: 0 }], false),
            // Weights go up to 65536 now (Linux 6.12's weight_high byte): past that.
            (
                "weight 65537",
                [GroupMember {
                    id: 1,
                    weight: 65537,
                }],
                false,
            ),
            ("member 0", [GroupMember { id: 0, weight: 1 }], false),
            ("itself", [GroupMember { id: 4, weight: 1 }], false),
            ("a device too", [GroupMember { id: 1, weight: 1 }], true),
        ] {
            let e = h
                .add(&Nexthop {
                    id: 4,
                    group: m.to_vec(),
                    oif: oif_too.then_some(oif),
                    ..Default::default()
                })
                .unwrap_err();
            assert!(e.is_invalid_input(), "{what}: {e}");
        }
        // ... and by the kernel, with its text: a member that does not exist.
        let e = h
            .add(&Nexthop {
                id: 4,
                group: vec![GroupMember { id: 99, weight: 1 }],
                ..Default::default()
            })
            .unwrap_err();
        assert_eq!(e.errno(), Some(libc::EINVAL), "{e}");
        assert!(e.kernel_message().is_some(), "{e}");
        assert_eq!(ip_nexthops().len(), 3, "nothing else was created");

        // Deleting a member shrinks the group; the route keeps the other.
        h.delete_nexthop(2).unwrap();
        let route = ip_json(&["route", "show", "12.0.0.0/24"]);
        let r0 = &route.as_array().unwrap()[0];
        let gateways: Vec<&str> = match r0["nexthops"].as_array() {
            Some(hops) => hops
                .iter()
                .map(|n| n["gateway"].as_str().unwrap())
                .collect(),
            None => vec![r0["gateway"].as_str().unwrap()],
        };
        assert_eq!(gateways, vec!["10.30.0.254"], "{route}");
    });
}
