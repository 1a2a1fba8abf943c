//! Issue #12 §3, addresses: a peer (`IFA_ADDRESS` ≠ `IFA_LOCAL`), a broadcast
//! address, a label, the 32-bit `IFA_FLAGS` (`noprefixroute`), lifetimes
//! (`IFA_CACHEINFO`) and the prefix route's metric (`IFA_RT_PRIORITY`), written with
//! rtnl and read back with rtnl, each compared with `ip -j addr show`; IPv6 duplicate
//! address detection requested (no `NODAD`) shows `tentative` until it completes, and
//! with `NODAD` never does.

mod common;
mod reshape_common;
use common::*;
use reshape_common::*;

use rtnl::abi::INFINITY_LIFE_TIME;
use rtnl::{AddrFlags, Address, Family, Handle, Lifetimes, OperState};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::net::IpAddr;

fn ipa(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn lifetimes(valid: u32, preferred: u32) -> Option<Lifetimes> {
    Some(Lifetimes {
        preferred,
        valid,
        created: 0,
        updated: 0,
    })
}

/// What `ip -j addr show` prints for `a` (iproute2's `print_addrinfo`), from rtnl's
/// [`Address`] alone; lifetimes apart (they run down between two dumps).
fn ip_view(a: &Address) -> Value {
    let mut m = Map::new();
    let v6 = a.family() == Family::INET6;
    m.insert("family".into(), json!(if v6 { "inet6" } else { "inet" }));
    m.insert("local".into(), json!(a.address.to_string()));
    if let Some(p) = a.peer {
        m.insert("address".into(), json!(p.to_string()));
    }
    m.insert("prefixlen".into(), json!(a.prefix_len));
    if let Some(b) = a.broadcast {
        m.insert("broadcast".into(), json!(b.to_string()));
    }
    m.insert("scope".into(), json!(a.scope.to_string()));
    for name in a.flags.names() {
        match name {
            "permanent" => {}
            "secondary" if v6 => {
                m.insert("temporary".into(), json!(true));
            }
            n => {
                m.insert(n.into(), json!(true));
            }
        }
    }
    if !a.flags.contains(AddrFlags::PERMANENT) {
        m.insert("dynamic".into(), json!(true));
    }
    if let Some(l) = &a.label {
        m.insert("label".into(), json!(l));
    }
    if let Some(x) = a.metric {
        m.insert("metric".into(), json!(x));
    }
    Value::Object(m)
}

/// `ip -j addr show dev DEV`: `local -> (object without lifetimes, (valid, preferred))`.
fn ip_addrs_of(dev: &str) -> BTreeMap<String, (Value, (u64, u64))> {
    let v = ip_json(&["addr", "show", "dev", dev]);
    let mut out = BTreeMap::new();
    for a in v[0]["addr_info"].as_array().unwrap() {
        let mut a = a.as_object().unwrap().clone();
        let valid = a.remove("valid_life_time").unwrap().as_u64().unwrap();
        let pref = a.remove("preferred_life_time").unwrap().as_u64().unwrap();
        // iproute2 6.1 does not print IFA_PROTO; rtnl's view of it is checked apart.
        a.remove("protocol");
        let local = a["local"].as_str().unwrap().to_owned();
        out.insert(local, (Value::Object(a), (valid, pref)));
    }
    out
}

/// `have` is `want` less the seconds that passed (a few at most); forever stays.
fn runs_down(have: u64, want: u32) -> bool {
    if want == INFINITY_LIFE_TIME {
        return have == u64::from(INFINITY_LIFE_TIME);
    }
    have <= u64::from(want) && have + 3 >= u64::from(want)
}

#[test]
fn addresses_keep_peer_broadcast_label_flags_lifetimes_and_metric() {
    if !can_run_kernel_tests("addresses_keep_peer_broadcast_label_flags_lifetimes_and_metric") {
        return;
    }
    in_netns(|| {
        quiet_ipv6();
        ip_batch("link add ad0 type veth peer name ad1\nlink set ad0 up\nlink set ad1 up\n");
        let mut h = Handle::new().unwrap();
        let idx = h.link_index("ad0").unwrap();

        let mut peer = Address::new(idx, ipa("10.70.0.1"), 32);
        peer.peer = Some(ipa("10.70.0.2"));
        peer.label = Some("ad0:p".into());

        let mut bcast = Address::new(idx, ipa("10.71.0.1"), 24);
        bcast.broadcast = Some(ipa("10.71.0.255"));
        bcast.label = Some("ad0:b".into());
        bcast.flags = AddrFlags::NOPREFIXROUTE; // above 0xff: only in IFA_FLAGS
        bcast.lifetimes = lifetimes(600, 300);

        let mut metric = Address::new(idx, ipa("10.72.0.1"), 24);
        metric.metric = Some(77);
        metric.proto = Some(99);

        let mut v6 = Address::new(idx, ipa("fd70::1"), 64)
            .with_flags(AddrFlags::NODAD | AddrFlags::NOPREFIXROUTE);
        v6.lifetimes = lifetimes(900, 800);

        let mut v6peer = Address::new(idx, ipa("fd72::1"), 128).with_flags(AddrFlags::NODAD);
        v6peer.peer = Some(ipa("fd72::2"));

        let made = [&peer, &bcast, &metric, &v6, &v6peer];
        for a in made {
            h.add(a).unwrap_or_else(|e| panic!("add {a:?}: {e}"));
        }

        let have = h.addresses_of("ad0").unwrap();
        assert!(have.is_complete());
        let ipv = ip_addrs_of("ad0");
        assert_eq!(have.len(), made.len(), "{have:#?}");
        assert_eq!(ipv.len(), made.len(), "{ipv:#?}");
        for want in made {
            let got = have
                .iter()
                .find(|a| a.address == want.address)
                .unwrap_or_else(|| panic!("{} not dumped", want.address));
            // What was written is read back.
            assert_eq!(got.index, idx);
            assert_eq!(got.prefix_len, want.prefix_len);
            assert_eq!(got.peer, want.peer, "{got:?}");
            assert_eq!(got.broadcast, want.broadcast);
            // (The kernel labels an IPv4 address with the device's name by default.)
            let label =
                (want.label.clone()).or_else(|| want.address.is_ipv4().then(|| "ad0".to_owned()));
            assert_eq!(got.label, label);
            assert_eq!(got.metric, want.metric);
            assert_eq!(got.proto, want.proto);
            assert!(
                got.flags.contains(want.flags),
                "{:?} ⊉ {:?}",
                got.flags,
                want.flags
            );
            let lt = got.lifetimes.expect("IFA_CACHEINFO");
            let (valid, pref) = want
                .lifetimes
                .map_or((INFINITY_LIFE_TIME, INFINITY_LIFE_TIME), |l| {
                    (l.valid, l.preferred)
                });
            assert!(runs_down(u64::from(lt.valid), valid), "{lt:?}");
            assert!(runs_down(u64::from(lt.preferred), pref), "{lt:?}");
            assert!(!got.is_tentative(), "{got:?}");
            // And iproute2 reads the same from the kernel.
            let (ip_obj, (ip_valid, ip_pref)) = &ipv[&want.address.to_string()];
            assert_eq!(&ip_view(got), ip_obj);
            assert!(runs_down(*ip_valid, lt.valid), "{ip_valid} vs {lt:?}");
            assert!(runs_down(*ip_pref, lt.preferred), "{ip_pref} vs {lt:?}");
        }
        // The 32-bit flag did its work: no prefix route for 10.71.0.0/24 and fd70::/64.
        let routes = ip(&["route", "show", "table", "all"]) + &ip(&["-6", "route"]);
        assert!(!routes.contains("10.71.0.0/24"), "{routes}");
        assert!(!routes.contains("fd70::/64"), "{routes}");
        assert!(routes.contains("10.72.0.0/24"), "{routes}");
        // The metric went to the prefix route.
        assert!(
            ip(&["route", "show", "10.72.0.0/24"]).contains("metric 77"),
            "{routes}"
        );

        // Each dumped address deleted as it came back (the peer ones too).
        for a in &have {
            h.delete(a).unwrap_or_else(|e| panic!("delete {a:?}: {e}"));
        }
        assert!(h.addresses_of("ad0").unwrap().is_empty());
        assert!(ip_addrs_of("ad0").is_empty());
    });
}

#[test]
fn ipv6_dad_requested_shows_tentative_and_nodad_does_not() {
    if !can_run_kernel_tests("ipv6_dad_requested_shows_tentative_and_nodad_does_not") {
        return;
    }
    in_netns(|| {
        quiet_ipv6();
        ip_batch("link add dd0 type veth peer name dd1\nlink set dd0 up\nlink set dd1 up\n");
        let mut h = Handle::new().unwrap();
        // DAD runs only once the link is operationally up: wait for it (events).
        wait_until("dd0 up", || {
            h.get_link("dd0").unwrap().unwrap().operstate == Some(OperState::Up)
        });
        let idx = h.link_index("dd0").unwrap();
        let dad = Address::new(idx, ipa("fd80::1"), 64);
        assert!(!dad.flags.contains(AddrFlags::NODAD), "DAD is the default");
        let nodad = Address::new(idx, ipa("fd81::1"), 64).with_flags(AddrFlags::NODAD);
        h.add(&dad).unwrap();
        h.add(&nodad).unwrap();

        let find = |h: &mut Handle, a: &str| {
            h.addresses_of("dd0")
                .unwrap()
                .into_vec()
                .into_iter()
                .find(|x| x.address == ipa(a))
                .unwrap()
        };
        let ipv = ip_addrs_of("dd0");
        let d = find(&mut h, "fd80::1");
        assert!(d.is_tentative(), "{d:?}");
        assert!(!d.flags.contains(AddrFlags::NODAD));
        assert_eq!(ipv["fd80::1"].0["tentative"], json!(true));
        let n = find(&mut h, "fd81::1");
        assert!(!n.is_tentative(), "{n:?}");
        assert!(n.flags.contains(AddrFlags::NODAD));
        assert_eq!(ipv["fd81::1"].0.get("tentative"), None);
        assert_eq!(ipv["fd81::1"].0["nodad"], json!(true));

        // The detection completes (nobody else has the address): tentative goes.
        wait_until("DAD of fd80::1", || !find(&mut h, "fd80::1").is_tentative());
        assert_eq!(ip_addrs_of("dd0")["fd80::1"].0.get("tentative"), None);
    });
}
