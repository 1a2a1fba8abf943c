//! The event decoder (`src/wire/event.rs`) on notifications the kernel really sent:
//! `tests/fixtures/event_*.hex`, each one datagram received by `ip monitor` (under
//! strace) while `ip` made one change (see `capture.sh`, `capture.py notify`).
//!
//! - every capture decodes to the object and change it announces, field by field;
//! - links, addresses, routes and nexthops convert to the owned types, which emit a
//!   request that reads back the same (the round trip of `tests/decode.rs`);
//! - the user-space side of the kernel filter (`EventFilter::matches`) decides
//!   on the real messages as documented;
//! - every truncation and every bit flip of every capture gives `Ok` or `Err` from
//!   the decoder, the owned conversion and the filter, never a panic.
//!
//! No kernel needed.

#[path = "fixtures_util/mod.rs"]
mod fx;

use rtnl::abi::*;
use rtnl::wire::event::{Change, ObjectMsg, OwnedObject};
use rtnl::wire::{Decode, Message, Messages, Object, Verb};
use rtnl::{AddrFlags, Address, EventFilter, Family, Link, LinkFlags, Nexthop, Route, Scope};
use std::net::IpAddr;

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn one(b: &[u8]) -> Message<'_> {
    let mut it = Messages::new(b);
    let m = it.next().expect("one message").expect("well formed");
    assert!(it.next().is_none(), "one message per notification");
    m
}

/// The event fixtures, by name.
fn events() -> Vec<fx::Fixture> {
    let v: Vec<_> = fx::all()
        .into_iter()
        .filter(|f| f.name.starts_with("event_"))
        .collect();
    assert!(v.len() >= 16, "found only {} event fixtures", v.len());
    v
}

fn decode(name: &str) -> (Vec<u8>, Change) {
    let b = fx::bytes(name);
    let c = {
        let m = one(&b);
        ObjectMsg::decode(&m).unwrap().expect("an object").0
    };
    (b, c)
}

#[test]
fn links() {
    // event_link_new: `ip link add veth0 type veth peer name veth1`, the second
    // RTM_NEWLINK (veth0, index 3, its peer veth1 is 2).
    let (b, c) = decode("event_link_new");
    let m = one(&b);
    let Some((_, ObjectMsg::Link(l))) = ObjectMsg::decode(&m).unwrap() else {
        panic!()
    };
    assert_eq!(c, Change::New);
    assert_eq!(
        (l.index(), l.name_str(), l.kind_str(), l.link),
        (3, Some("veth0"), Some("veth"), Some(2))
    );
    assert_eq!(
        (l.mtu, l.carrier, l.operstate),
        (Some(1500), Some(0), Some(2))
    );
    assert!(!l.flags().contains(LinkFlags::UP));
    // Created by a request: the kernel sends it with seq 0 and port id 0.
    assert_eq!((m.header.nlmsg_seq, m.header.nlmsg_pid), (0, 0));

    // event_link_up: `ip link set dev veth0 up` with veth1 up; the last notification
    // is the kernel's own (seq 0, port id 0) for veth1, whose carrier came on.
    let (b, c) = decode("event_link_up");
    let m = one(&b);
    let Some((_, ObjectMsg::Link(l))) = ObjectMsg::decode(&m).unwrap() else {
        panic!()
    };
    assert_eq!(c, Change::New);
    assert_eq!(l.name_str(), Some("veth1"));
    assert!(
        l.flags().contains(LinkFlags::UP | LinkFlags::LOWER_UP),
        "{:?}",
        l.flags()
    );
    assert_eq!((l.carrier, l.operstate), (Some(1), Some(IF_OPER_UP)));

    // event_link_del: `ip link del veth0` also deletes veth1: its RTM_DELLINK.
    let (b, c) = decode("event_link_del");
    let m = one(&b);
    let Some((_, ObjectMsg::Link(l))) = ObjectMsg::decode(&m).unwrap() else {
        panic!()
    };
    assert_eq!(c, Change::Deleted);
    assert_eq!((l.index(), l.name_str()), (2, Some("veth1")));
}

#[test]
fn addresses() {
    for (name, change, addr, len, index) in [
        ("event_addr_new_v4", Change::New, "10.0.0.1", 24, 3),
        ("event_addr_new_v6", Change::New, "fd00::1", 64, 3),
        ("event_addr_del_v4", Change::Deleted, "10.0.0.1", 24, 3),
    ] {
        let (b, c) = decode(name);
        let m = one(&b);
        let Some((_, ObjectMsg::Address(a))) = ObjectMsg::decode(&m).unwrap() else {
            panic!("{name}")
        };
        assert_eq!(c, change, "{name}");
        assert_eq!(
            (a.address, a.header.ifa_prefixlen, a.index()),
            (Some(ip(addr)), len, index),
            "{name}"
        );
        if addr.contains(':') {
            // `nodad`, and an address added by hand is permanent.
            assert!(
                a.flags().contains(AddrFlags::NODAD | AddrFlags::PERMANENT),
                "{name}"
            );
        }
    }
}

#[test]
fn routes() {
    let (b, c) = decode("event_route_new");
    let m = one(&b);
    let Some((_, ObjectMsg::Route(r))) = ObjectMsg::decode(&m).unwrap() else {
        panic!()
    };
    assert_eq!(c, Change::New);
    assert_eq!(
        (r.dst, r.dst_len(), r.gateway, r.oif, r.priority, r.table),
        (
            Some(ip("10.3.0.0")),
            24,
            Some(ip("10.0.0.254")),
            Some(3),
            Some(100),
            254
        )
    );
    // A change requested by `ip`: the notification carries its seq and port id, and
    // the request's NLM_F_CREATE|NLM_F_EXCL.
    assert_ne!(m.header.nlmsg_pid, 0);
    assert_eq!(m.header.nlmsg_flags, NLM_F_CREATE | NLM_F_EXCL);

    let (b, _) = decode("event_route6_new");
    let m = one(&b);
    let Some((_, ObjectMsg::Route(r))) = ObjectMsg::decode(&m).unwrap() else {
        panic!()
    };
    assert_eq!(
        (r.family(), r.dst, r.dst_len(), r.gateway),
        (Family::INET6, Some(ip("fd01::")), 64, Some(ip("fd00::fe")))
    );

    let (b, c) = decode("event_route_del");
    let m = one(&b);
    let Some((_, ObjectMsg::Route(r))) = ObjectMsg::decode(&m).unwrap() else {
        panic!()
    };
    assert_eq!(c, Change::Deleted);
    assert_eq!(
        (r.dst, r.dst_len(), r.oif),
        (Some(ip("10.1.0.0")), 16, Some(3))
    );
}

#[test]
fn nexthops_neighbours_and_rules() {
    for (name, change) in [
        ("event_nexthop_new", Change::New),
        ("event_nexthop_del", Change::Deleted),
    ] {
        let (b, c) = decode(name);
        let m = one(&b);
        let Some((_, ObjectMsg::Nexthop(n))) = ObjectMsg::decode(&m).unwrap() else {
            panic!()
        };
        assert_eq!(c, change);
        assert_eq!(
            (n.id, n.gateway, n.oif),
            (7, Some(ip("10.0.0.254")), Some(3)),
            "{name}"
        );
    }

    let (b, c) = decode("event_neigh_new");
    let m = one(&b);
    let Some((_, ObjectMsg::Neighbour(n))) = ObjectMsg::decode(&m).unwrap() else {
        panic!()
    };
    assert_eq!(c, Change::New);
    assert_eq!(
        (n.family(), n.ifindex(), n.dst, n.lladdr),
        (
            Family::INET,
            3,
            Some(ip("10.0.0.7")),
            Some(&[2u8, 0, 0, 0, 0, 7][..])
        )
    );
    assert_eq!(n.state(), rtnl::NeighState::PERMANENT);
    // What is not modelled is there, raw.
    assert!(rtnl::wire::Attrs::new(n.attrs).flatten().count() >= 2);

    let (b, c) = decode("event_neigh_del");
    let m = one(&b);
    let Some((_, ObjectMsg::Neighbour(n))) = ObjectMsg::decode(&m).unwrap() else {
        panic!()
    };
    assert_eq!(c, Change::Deleted);
    assert_eq!(
        (n.ifindex(), n.dst, n.lladdr),
        (3, Some(ip("10.0.0.7")), None)
    );

    for (name, change, family, pref) in [
        ("event_rule_new", Change::New, AF_INET, 1000),
        ("event_rule6_new", Change::New, AF_INET6, 1001),
        ("event_rule_del", Change::Deleted, AF_INET, 1000),
    ] {
        let (b, c) = decode(name);
        let m = one(&b);
        let Some((_, ObjectMsg::Rule(r))) = ObjectMsg::decode(&m).unwrap() else {
            panic!()
        };
        assert_eq!(c, change, "{name}");
        assert_eq!(
            (r.header.family, r.priority, r.table, r.action()),
            (family, Some(pref), 100, rtnl::RuleAction::LOOKUP),
            "{name}"
        );
        if family == AF_INET {
            assert_eq!(
                (r.src, r.header.src_len),
                (Some(ip("10.1.0.0")), 16),
                "{name}"
            );
        } else {
            assert_eq!(
                (r.dst, r.header.dst_len),
                (Some(ip("fd01::")), 64),
                "{name}"
            );
        }
        // Owned: the rule family's own type, as its dump reads it.
        let Ok(OwnedObject::Rule(rule)) = ObjectMsg::decode(&m).unwrap().unwrap().1.to_owned()
        else {
            panic!()
        };
        assert_eq!(rule, rtnl::Rule::decode(&m).unwrap(), "{name}");
    }
}

/// Emits `obj` as an `ip X add` would and reads the message back.
fn re_emit<'b, T: Object>(obj: &T, buf: &'b mut [u8]) -> Message<'b> {
    let n = obj.emit(Verb::Add, buf).expect("re-encodes");
    one(&buf[..n])
}

// A notification's object, owned, is a request that reads back the same (what a
// request carries: the reported-only fields aside, as in tests/decode.rs).
#[test]
fn owned_objects_of_notifications_round_trip_through_requests() {
    let mut n = 0;
    for f in events() {
        let m = one(&f.bytes);
        let Some((_, o)) = ObjectMsg::decode(&m).unwrap() else {
            panic!("{}", f.name)
        };
        let mut buf = vec![0u8; 4096];
        match o.to_owned().unwrap() {
            OwnedObject::Link(l) => {
                let back = Link::decode(&re_emit(&l, &mut buf)).unwrap();
                let want = Link {
                    link_type: 0,
                    carrier: None,
                    promiscuity: None,
                    min_mtu: None,
                    max_mtu: None,
                    perm_address: None,
                    alt_names: Vec::new(),
                    stats: None,
                    port_kind: None,
                    port_data: None,
                    ..l.clone()
                };
                assert_eq!(back, want, "{}", f.name);
            }
            OwnedObject::Address(a) => {
                let back = Address::decode(&re_emit(&a, &mut buf)).unwrap();
                let want = Address {
                    lifetimes: a.lifetimes.map(|l| rtnl::Lifetimes {
                        created: 0,
                        updated: 0,
                        ..l
                    }),
                    ..a.clone()
                };
                assert_eq!(back, want, "{}", f.name);
            }
            OwnedObject::Route(r) => {
                let back = Route::decode(&re_emit(&r, &mut buf)).unwrap();
                assert_eq!(back, Route { cache: None, ..r }, "{}", f.name);
            }
            OwnedObject::Nexthop(nh) => {
                let back = Nexthop::decode(&re_emit(&nh, &mut buf)).unwrap();
                assert_eq!(
                    back,
                    Nexthop {
                        scope: Scope::UNIVERSE,
                        ..nh
                    },
                    "{}",
                    f.name
                );
            }
            OwnedObject::Neighbour(nb) => {
                let back = rtnl::Neighbour::decode(&re_emit(&nb, &mut buf)).unwrap();
                // Probes and cache information are reported, never sent.
                let want = rtnl::Neighbour {
                    probes: None,
                    cache: None,
                    ..nb.clone()
                };
                assert_eq!(back, want, "{}", f.name);
            }
            OwnedObject::Rule(r) => {
                let back = rtnl::Rule::decode(&re_emit(&r, &mut buf)).unwrap();
                assert_eq!(back, r, "{}", f.name);
            }
            other => panic!("{}: {other:?}", f.name),
        }
        n += 1;
    }
    assert_eq!(n, events().len());
}

// The user-space test of the kernel filter on real messages: by type, by link (a
// link's index, an address's, a route's RTA_OIF, a nexthop's NHA_OIF, a neighbour's)
// and by family; rules name no link and pass an index test.
#[test]
fn the_filter_decides_on_real_notifications_as_documented() {
    let on3 = EventFilter::default().index(3);
    let on2 = EventFilter::default().index(2);
    let v6 = EventFilter::default().family(Family::INET6);
    let links = EventFilter::types(&[RTM_NEWLINK, RTM_DELLINK]);
    for f in events() {
        let m = one(&f.bytes);
        let ty = m.header.nlmsg_type;
        let is_link = ty == RTM_NEWLINK || ty == RTM_DELLINK;
        assert_eq!(links.matches(&m), is_link, "{}", f.name);
        let rule = ty == RTM_NEWRULE || ty == RTM_DELRULE;
        let index = match ObjectMsg::decode(&m).unwrap().unwrap().1.index() {
            Some(i) => i,
            None => {
                assert!(rule, "{}", f.name);
                assert!(on3.matches(&m) && on2.matches(&m), "{}", f.name);
                continue;
            }
        };
        assert_eq!(on3.matches(&m), index == 3, "{}", f.name);
        assert_eq!(on2.matches(&m), index == 2, "{}", f.name);
        let family = m.payload[0];
        if !is_link {
            assert_eq!(v6.matches(&m), family == AF_INET6, "{}", f.name);
        } else {
            assert!(v6.matches(&m), "{}: links have no family", f.name);
        }
    }
}

/// Everything the event layer does with a message.
fn read_all(b: &[u8]) -> usize {
    let filters = [
        EventFilter::default().index(3),
        EventFilter::types(&[RTM_NEWROUTE, RTM_NEWNEXTHOP])
            .index(2)
            .family(Family::INET),
    ];
    let mut n = 0;
    for m in Messages::new(b).flatten() {
        for f in &filters {
            n += usize::from(f.matches(&m));
        }
        if let Ok(Some((_, o))) = ObjectMsg::decode(&m) {
            n += o.index().unwrap_or(0) as usize;
            n += usize::from(o.to_owned().is_ok());
        }
    }
    n
}

#[test]
fn every_truncation_and_bit_flip_is_ok_or_err() {
    let mut variants = 0;
    for f in events() {
        let b = &f.bytes;
        read_all(b);
        for len in 0..=b.len() {
            read_all(&b[..len]);
            variants += 1;
        }
        let mut buf = b.clone();
        for i in 0..buf.len() {
            for bit in 0..8 {
                buf[i] ^= 1 << bit;
                read_all(&buf);
                buf[i] ^= 1 << bit;
                variants += 1;
            }
        }
    }
    assert!(variants > 30_000, "{variants}");
}
