//! Issue #12 §3, routes: nothing the kernel says is lost. A rich table — multipath
//! (gateways, devices, weights, onlink, realms), IPv6 source prefixes, metrics (mtu,
//! advmss, hoplimit, congctl, locked metrics, features, ...), onlink, an IPv4 route
//! via an IPv6 gateway (`RTA_VIA`), realms and tos, blackhole/unreachable/prohibit for
//! both families, IPv6 routes with pref and expires, several tables above 255 — is
//! built with iproute2, dumped with `Handle::routes`, every route we made is deleted
//! by handing the dumped `Route` back unchanged and re-created from the same value,
//! and the dump after is the same table, field by field, and both dumps agree with
//! `ip -j -d -N route show table all`.

mod common;
mod reshape_common;
use common::*;
use reshape_common::*;

use rtnl::abi::*;
use rtnl::{Family, Handle, Protocol, Route, RouteFilter, RouteType};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

/// The table, as `ip` commands (run with `ip -batch -`).
const SETUP: &str = "\
link set lo up
link add rta type veth peer name rtb
link add rtc type veth peer name rtd
link set rta up
link set rtb up
link set rtc up
link set rtd up
addr add 10.40.0.1/24 dev rta
addr add 10.41.0.1/24 dev rtc
addr add fd40::1/64 dev rta nodad
addr add fd41::1/64 dev rtc nodad
route add 10.50.0.0/16 table 1000 nexthop via 10.40.0.2 dev rta weight 3 nexthop via 10.41.0.2 dev rtc weight 7 onlink
route add 10.51.0.0/16 via 10.40.0.2 dev rta table 1001 mtu lock 1400 advmss 1360 hoplimit 12 congctl cubic
route add 10.52.0.0/16 via 192.0.2.1 dev rta onlink table 1002 metric 50
route add blackhole 10.53.0.0/16 table 1000
route add unreachable 10.54.0.0/16 table 1001
route add prohibit 10.55.0.0/16 table 1002
route add 10.56.0.0/16 dev rta mtu lock 1300 rtt 100 window 5000 initcwnd 10 initrwnd 20 table 1003
route add 10.57.0.0/16 via 10.40.0.2 dev rta proto static table 300 tos 0x10 realms 5
route add 10.58.0.0/16 via inet6 fd40::2 dev rta table 1005
route add 10.59.0.0/16 table 1005 nexthop via 10.40.0.2 dev rta realms 3/4 nexthop dev rtc weight 2
route add 10.60.0.0/16 via 10.40.0.2 dev rta table 1005 features ecn quickack 1 rto_min 300ms fastopen_no_cookie 1 ssthresh 100 cwnd lock 20 reordering 3 rttvar 40
route add 10.61.0.0/16 dev rta src 10.40.0.1 proto static
route add fd50::/64 from fd60::/64 via fd40::2 dev rta table 1000
route add fd51::/64 via fd40::2 dev rta pref high expires 300 table 1001
route add fd52::/64 dev rtc pref low metric 7 table 1002 mtu 1350 hoplimit 3
route add blackhole fd53::/64 table 1003
route add unreachable fd54::/64 table 1003
route add prohibit fd55::/64 table 1003
route add fd56::/64 table 1004 nexthop via fd40::2 dev rta weight 2 nexthop via fd41::2 dev rtc weight 5
route add fd57::/64 from fd61::/48 dev rtc table 1004 expires 600
route add fd58::/64 via fd41::2 dev rtc proto static pref low
";

/// `ADDR` or `ADDR/LEN`, as iproute2 prints a prefix (no length for a host).
fn prefix(a: Option<IpAddr>, len: u8, family: Family) -> String {
    let host = if family == Family::INET { 32 } else { 128 };
    match a {
        None if len == 0 => "default".into(),
        None => panic!("a prefix of length {len} without an address"),
        Some(a) if len == host => a.to_string(),
        Some(a) => format!("{a}/{len}"),
    }
}

/// `RTA_FLOW` as iproute2 prints realms with `-N`: `{"from": F, "to": T}`, no `from`
/// when 0.
fn realms(flow: u32) -> Value {
    let mut m = Map::new();
    if flow >> 16 != 0 {
        m.insert("from".into(), json!((flow >> 16).to_string()));
    }
    m.insert("to".into(), json!((flow & 0xffff).to_string()));
    Value::Object(m)
}

fn flags(f: rtnl::RouteFlags) -> Value {
    Value::Array(f.names().map(|n| json!(n)).collect())
}

/// What `ip -j -d -N route show` prints for `r`, built from rtnl's [`Route`] alone
/// (iproute2's `print_route` and `print_rta_metrics`, as far as this table needs). An
/// expiry is replaced by `"set"` (the seconds are compared apart: they run down).
fn ip_view(r: &Route, names: &BTreeMap<u32, String>) -> Value {
    let mut m = Map::new();
    let dev = |i: u32| json!(names.get(&i).unwrap_or_else(|| panic!("no link {i}")));
    m.insert("type".into(), json!(r.kind.0.to_string()));
    m.insert("dst".into(), json!(prefix(r.dst, r.dst_len, r.family)));
    if r.src_len != 0 {
        m.insert("from".into(), json!(prefix(r.src, r.src_len, r.family)));
    }
    if r.tos != 0 {
        m.insert("tos".into(), json!(format!("{:#x}", r.tos)));
    }
    match r.gateway {
        Some(g) if Family::of(g) == r.family => {
            m.insert("gateway".into(), json!(g.to_string()));
        }
        Some(g) => {
            let fam = if g.is_ipv4() { "inet" } else { "inet6" };
            m.insert("via".into(), json!({"family": fam, "host": g.to_string()}));
        }
        None => {}
    }
    if let Some(o) = r.oif {
        m.insert("dev".into(), dev(o));
    }
    m.insert("table".into(), json!(r.table.to_string()));
    m.insert("protocol".into(), json!(r.protocol.0.to_string()));
    m.insert("scope".into(), json!(r.scope.0.to_string()));
    if let Some(p) = r.priority {
        m.insert("metric".into(), json!(p));
    }
    if let Some(s) = r.prefsrc {
        m.insert("prefsrc".into(), json!(s.to_string()));
    }
    m.insert("flags".into(), flags(r.flags));
    if let Some(f) = r.other.get(RTA_FLOW) {
        m.insert("flow".into(), realms(f.u32().unwrap()));
    }
    let mut mx = Map::new();
    let lock = r.metric_value(RTAX_LOCK).unwrap_or(0);
    for x in &r.metrics {
        let v = x.value;
        let (name, v) = match x.kind {
            RTAX_LOCK => continue,
            RTAX_MTU => ("mtu", json!(v)),
            RTAX_WINDOW => ("window", json!(v)),
            RTAX_RTT => ("rtt", json!(v / 8)),
            RTAX_RTTVAR => ("rttvar", json!(v / 4)),
            RTAX_SSTHRESH => ("ssthresh", json!(v)),
            RTAX_CWND => ("cwnd", json!(v)),
            RTAX_ADVMSS => ("advmss", json!(v)),
            RTAX_REORDERING => ("reordering", json!(v)),
            RTAX_HOPLIMIT => ("hoplimit", json!(v)),
            RTAX_INITCWND => ("initcwnd", json!(v)),
            RTAX_FEATURES if v == 1 => ("ecn", Value::Null),
            RTAX_RTO_MIN => ("rto_min", json!(v)),
            RTAX_INITRWND => ("initrwnd", json!(v)),
            RTAX_QUICKACK => ("quickack", json!(v)),
            RTAX_FASTOPEN_NO_COOKIE => ("fastopen_no_cookie", json!(v)),
            k => panic!("metric {k} = {v}: not in this table"),
        };
        let _ = lock; // locks are not in iproute2's JSON; checked against its text
        mx.insert(name.into(), v);
    }
    if let Some(c) = &r.congctl {
        mx.insert("congestion".into(), json!(c));
    }
    if !mx.is_empty() {
        m.insert("metrics".into(), Value::Array(vec![Value::Object(mx)]));
    }
    if !r.multipath.is_empty() {
        let hops = r
            .multipath
            .iter()
            .map(|h| {
                let mut o = Map::new();
                if let Some(g) = h.gateway {
                    o.insert("gateway".into(), json!(g.to_string()));
                }
                if let Some(f) = h.realms {
                    o.insert("flow".into(), realms(f));
                }
                o.insert("dev".into(), dev(h.oif));
                o.insert("weight".into(), json!(h.weight));
                o.insert("flags".into(), flags(h.flags));
                Value::Object(o)
            })
            .collect();
        m.insert("nexthops".into(), Value::Array(hops));
    }
    if r.expires.is_some() {
        m.insert("expires".into(), json!("set"));
    }
    if let Some(p) = r.pref {
        let p = match p {
            ICMPV6_ROUTER_PREF_LOW => "low",
            ICMPV6_ROUTER_PREF_MEDIUM => "medium",
            ICMPV6_ROUTER_PREF_HIGH => "high",
            p => panic!("pref {p}"),
        };
        m.insert("pref".into(), json!(p));
    }
    Value::Object(m)
}

/// `ip -j -d -N route show table all`, both families, each route with its expiry
/// replaced by `"set"`; and the expiries, by destination.
fn ip_table() -> (BTreeSet<String>, BTreeMap<String, u64>) {
    let mut set = BTreeSet::new();
    let mut exp = BTreeMap::new();
    for fam in ["-4", "-6"] {
        for mut r in ip_json(&["-d", "-N", fam, "route", "show", "table", "all"])
            .as_array()
            .unwrap()
            .clone()
        {
            let o = r.as_object_mut().unwrap();
            if let Some(e) = o.get("expires").and_then(Value::as_u64) {
                exp.insert(o["dst"].as_str().unwrap().to_owned(), e);
                o.insert("expires".into(), json!("set"));
            }
            set.insert(r.to_string());
        }
    }
    (set, exp)
}

fn rtnl_table(routes: &[Route]) -> BTreeSet<String> {
    let names = link_names();
    routes
        .iter()
        .map(|r| ip_view(r, &names).to_string())
        .collect()
}

/// The routes this test made: everything but what the kernel made itself
/// (`proto kernel`: the prefix routes of addresses, the local/broadcast routes of the
/// `local` table, IPv6 link-local and multicast routes). Those belong to the
/// addresses and links: deleting them would take the addresses' routes away, and
/// re-adding them as `proto kernel` would fake the kernel's own bookkeeping.
fn ours(r: &Route) -> bool {
    r.protocol != Protocol::KERNEL
}

/// Sorted, with what legitimately changes cleared: `RTA_CACHEINFO` (use counters,
/// `rta_error`, the expiry in ticks) and the expiry seconds (checked apart).
fn normalized(routes: &[Route]) -> Vec<Route> {
    let mut v: Vec<Route> = routes
        .iter()
        .cloned()
        .map(|mut r| {
            r.cache = None;
            r.expires = r.expires.map(|_| 0);
            r
        })
        .collect();
    v.sort_by_key(|r| format!("{r:?}"));
    v
}

fn expiries(routes: &[Route]) -> BTreeMap<String, u32> {
    routes
        .iter()
        .filter_map(|r| Some((prefix(r.dst, r.dst_len, r.family), r.expires?)))
        .collect()
}

#[test]
fn a_rich_table_survives_delete_and_re_create_from_its_dump() {
    if !can_run_kernel_tests("a_rich_table_survives_delete_and_re_create_from_its_dump") {
        return;
    }
    in_netns(|| {
        quiet_ipv6();
        ip_batch(SETUP);
        let mut h = Handle::new().unwrap();
        // The kernel finishes the IPv6 side of the links after they come up (the
        // carrier is seen asynchronously): wait for the multicast routes of the four
        // veths and the local routes of the two addresses.
        wait_until("the IPv6 routes of the links", || {
            let v6 = h.routes(&RouteFilter::family(Family::INET6)).unwrap();
            let n = |k: RouteType| v6.iter().filter(|r| r.kind == k).count();
            n(RouteType::MULTICAST) == 4 && n(RouteType::LOCAL) == 3
        });
        let all = RouteFilter::default();
        let before = h.routes(&all).unwrap();
        assert!(before.is_complete(), "{:?}", before.undecodable());
        let before = before.into_vec();

        // rtnl's dump is iproute2's, field by field.
        let (ip_before, ip_exp) = ip_table();
        assert_eq!(rtnl_table(&before), ip_before);

        let mine: Vec<Route> = before.iter().filter(|r| ours(r)).cloned().collect();
        assert_eq!(mine.len(), 21, "every route of SETUP: {mine:#?}");
        let by_dst = |d: &str| {
            mine.iter()
                .find(|r| r.dst == Some(d.parse().unwrap()))
                .unwrap_or_else(|| panic!("no route to {d}"))
        };

        // A few spot checks of what §3 names, on the decoded values themselves.
        let mp = by_dst("10.50.0.0");
        assert_eq!(mp.table, 1000);
        assert_eq!(mp.multipath.len(), 2);
        assert_eq!(mp.multipath[0].weight, 3);
        assert_eq!(mp.multipath[1].weight, 7);
        assert!(mp.multipath[1].flags.contains(rtnl::RouteFlags::ONLINK));
        let m = by_dst("10.51.0.0");
        assert_eq!(m.metric_value(RTAX_MTU), Some(1400));
        assert_eq!(m.metric_value(RTAX_ADVMSS), Some(1360));
        assert_eq!(m.metric_value(RTAX_HOPLIMIT), Some(12));
        assert_eq!(m.metric_value(RTAX_LOCK), Some(1 << RTAX_MTU));
        assert_eq!(m.congctl.as_deref(), Some("cubic"));
        let l = by_dst("10.60.0.0");
        // (iproute2 locks rto_min whenever it sets it: the kernel uses a route's rto_min
        // only when it is locked.)
        assert_eq!(
            l.metric_value(RTAX_LOCK),
            Some(1 << RTAX_CWND | 1 << RTAX_RTO_MIN)
        );
        assert_eq!(l.metric_value(RTAX_FEATURES), Some(1));
        // Locks are not in iproute2's JSON: its text says which.
        let text = ip(&["route", "show", "table", "all"]);
        for (dst, lock) in [
            ("10.51.0.0/16", "mtu lock 1400"),
            ("10.56.0.0/16", "mtu lock 1300"),
            ("10.60.0.0/16", "cwnd lock 20"),
        ] {
            let line = text.lines().find(|l| l.starts_with(dst)).unwrap();
            assert!(line.contains(lock), "{line}");
        }
        assert!(by_dst("10.52.0.0").flags.contains(rtnl::RouteFlags::ONLINK));
        assert_eq!(by_dst("10.53.0.0").kind, RouteType::BLACKHOLE);
        assert_eq!(by_dst("10.54.0.0").kind, RouteType::UNREACHABLE);
        assert_eq!(by_dst("10.55.0.0").kind, RouteType::PROHIBIT);
        assert_eq!(by_dst("fd54::").kind, RouteType::UNREACHABLE);
        assert_eq!(by_dst("10.57.0.0").tos, 0x10);
        assert_eq!(
            by_dst("10.58.0.0").gateway,
            Some("fd40::2".parse().unwrap())
        );
        assert_eq!(by_dst("10.59.0.0").multipath[0].realms, Some(0x0003_0004));
        let s = by_dst("fd50::");
        assert_eq!((s.src, s.src_len), (Some("fd60::".parse().unwrap()), 64));
        let p = by_dst("fd51::");
        assert_eq!(p.pref, Some(ICMPV6_ROUTER_PREF_HIGH));
        assert!(matches!(p.expires, Some(1..=300)), "{:?}", p.expires);
        assert_eq!(by_dst("fd52::").pref, Some(ICMPV6_ROUTER_PREF_LOW));
        assert_eq!(by_dst("fd56::").multipath.len(), 2);
        assert_eq!(by_dst("fd58::").table, RT_TABLE_MAIN as u32);
        for t in [300, 1000, 1001, 1002, 1003, 1004, 1005] {
            assert!(mine.iter().any(|r| r.table == t), "table {t}");
        }
        // iproute2's expiries are ours, give or take the seconds between the dumps.
        for (dst, e) in expiries(&before) {
            let theirs = ip_exp[&dst];
            assert!(u64::from(e).abs_diff(theirs) <= 2, "{dst}: {e} vs {theirs}");
        }

        // Delete each by handing the dumped value back, unchanged.
        for r in &mine {
            h.delete(r).unwrap_or_else(|e| panic!("delete {r:?}: {e}"));
        }
        let between = h.routes(&all).unwrap().into_vec();
        assert!(
            !between.iter().any(ours),
            "left after delete: {:#?}",
            between.iter().filter(|r| ours(r)).collect::<Vec<_>>()
        );
        assert_eq!(
            normalized(&between),
            normalized(
                &before
                    .iter()
                    .filter(|r| !ours(r))
                    .cloned()
                    .collect::<Vec<_>>()
            ),
            "the kernel's own routes were left alone"
        );

        // Re-create each from its dumped value, unchanged.
        for r in &mine {
            h.add(r).unwrap_or_else(|e| panic!("add {r:?}: {e}"));
        }
        let after = h.routes(&all).unwrap();
        assert!(after.is_complete());
        let after = after.into_vec();
        assert_eq!(normalized(&after), normalized(&before));
        let (eb, ea) = (expiries(&before), expiries(&after));
        assert_eq!(eb.keys().collect::<Vec<_>>(), ea.keys().collect::<Vec<_>>());
        for (dst, b) in &eb {
            assert!(
                ea[dst] <= *b && ea[dst] + 5 >= *b,
                "{dst}: {b} then {}",
                ea[dst]
            );
        }
        let (ip_after, _) = ip_table();
        assert_eq!(rtnl_table(&after), ip_after);
        assert_eq!(ip_after, ip_before, "iproute2 sees the same table");
    });
}

/// A route dumped while its device has no carrier carries the kernel's `linkdown`
/// flag (on the route and on each next hop); the kernel refuses that flag in a request
/// ("Invalid rtm_flags - can not contain DEAD or LINKDOWN"), so the dumped value is
/// re-created without it — and comes back with it, the same route.
#[test]
fn a_route_dumped_while_its_link_has_no_carrier_is_re_created_unchanged() {
    if !can_run_kernel_tests("a_route_dumped_while_its_link_has_no_carrier_is_re_created_unchanged")
    {
        return;
    }
    in_netns(|| {
        quiet_ipv6();
        // xb stays down: xa has no carrier.
        ip_batch(
            "link add xa type veth peer name xb
link set xa up
addr add 10.1.0.1/24 dev xa
addr add fd01::1/64 dev xa nodad
route add 10.9.0.0/16 via 10.1.0.2 table 500
route add 10.8.0.0/16 table 500 nexthop via 10.1.0.2 dev xa weight 2 nexthop via 10.1.0.3 dev xa
route add fd09::/64 via fd01::2 table 500
",
        );
        let mut h = Handle::new().unwrap();
        let t500 = RouteFilter {
            table: Some(500),
            ..Default::default()
        };
        let before = h.routes(&t500).unwrap().into_vec();
        assert_eq!(before.len(), 3);
        let v4: Vec<&Route> = before.iter().filter(|r| r.family == Family::INET).collect();
        for r in &v4 {
            assert!(r.flags.contains(rtnl::RouteFlags::LINKDOWN), "{r:?}");
            for hop in &r.multipath {
                assert!(hop.flags.contains(rtnl::RouteFlags::LINKDOWN), "{hop:?}");
            }
        }
        for r in &before {
            h.delete(r).unwrap_or_else(|e| panic!("delete {r:?}: {e}"));
        }
        assert!(h.routes(&t500).unwrap().is_empty());
        for r in &before {
            h.add(r).unwrap_or_else(|e| panic!("add {r:?}: {e}"));
        }
        let after = h.routes(&t500).unwrap().into_vec();
        assert_eq!(normalized(&after), normalized(&before));
        let text = ip(&["route", "show", "table", "500"]);
        assert_eq!(text.matches("linkdown").count(), 4, "{text}");
    });
}
