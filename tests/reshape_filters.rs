//! Issue #12 §4: the kernel filters. Every message a dump delivers is counted as it
//! arrives ([`Handle::dump`] hands each one over before anything in user space looks
//! at it), so a filtered dump that delivers only the matching objects proves that the
//! kernel did the filtering: addresses of one link (`ifa_index`), routes by table,
//! output device, protocol and type, links by master and by kind.

mod common;
mod reshape_common;
use common::*;
use reshape_common::*;

use rtnl::abi::*;
use rtnl::wire::{MsgBuilder, RawRequest, Request};
use rtnl::{AddrFilter, Family, Handle, LinkFilter, Protocol, RouteFilter, RouteType};

/// How many messages the dump of `req` delivers.
fn delivered(h: &mut Handle, req: &impl Request) -> usize {
    let mut n = 0;
    h.dump(req, |_| {
        n += 1;
        Ok(())
    })
    .unwrap();
    n
}

#[test]
fn address_dumps_of_one_link_are_filtered_by_the_kernel() {
    if !can_run_kernel_tests("address_dumps_of_one_link_are_filtered_by_the_kernel") {
        return;
    }
    in_netns(|| {
        quiet_ipv6();
        let mut cmds = String::from("link set lo up\n");
        for i in 0..4 {
            cmds += &format!("link add fa{i} type veth peer name fb{i}\n");
            for j in 1..=3 {
                cmds += &format!("addr add 10.{i}.{j}.1/24 dev fa{i}\n");
            }
            cmds += &format!("addr add fd0{i}::1/64 dev fa{i} nodad\n");
        }
        ip_batch(&cmds);
        let mut h = Handle::new().unwrap();
        let fa2 = h.link_index("fa2").unwrap();

        // By hand: an RTM_GETADDR without an index — everything (lo: 2 addresses).
        let mut buf = [0u8; 64];
        let mut b = MsgBuilder::new(&mut buf, RTM_GETADDR, 0).unwrap();
        b.header(&IfAddrMsg::default()).unwrap();
        let n = b.finish().unwrap();
        assert_eq!(delivered(&mut h, &RawRequest(&buf[..n])), 4 * 4 + 2);
        // rtnl's filter carries ifa_index: only fa2's four arrive.
        let one = AddrFilter {
            family: Family::UNSPEC,
            index: Some(fa2),
        };
        assert_eq!(delivered(&mut h, &one), 4);
        let v4 = AddrFilter {
            family: Family::INET,
            index: Some(fa2),
        };
        assert_eq!(delivered(&mut h, &v4), 3);
        // The same request by hand, to show it is the index that does it.
        let mut b = MsgBuilder::new(&mut buf, RTM_GETADDR, 0).unwrap();
        b.header(&IfAddrMsg {
            ifa_index: fa2,
            ..Default::default()
        })
        .unwrap();
        let n = b.finish().unwrap();
        assert_eq!(delivered(&mut h, &RawRequest(&buf[..n])), 4);
        // And what the handle collects, and ip, agree.
        let mine = h.addresses_of("fa2").unwrap();
        assert_eq!(mine.len(), 4);
        assert_eq!(ip_addrs("fa2").len(), 4);
        assert_eq!(h.flush_addresses("fa2").unwrap(), 4);
        assert_eq!(delivered(&mut h, &one), 0);
        assert_eq!(delivered(&mut h, &AddrFilter::default()), 3 * 4 + 2);
    });
}

#[test]
fn route_dumps_are_filtered_by_the_kernel() {
    if !can_run_kernel_tests("route_dumps_are_filtered_by_the_kernel") {
        return;
    }
    in_netns(|| {
        ip_batch(
            "link add ra0 type veth peer name rb0
link add ra1 type veth peer name rb1
link set ra0 up
link set ra1 up
addr add 10.10.0.1/24 dev ra0
addr add 10.11.0.1/24 dev ra1
route add 10.20.0.0/16 via 10.10.0.2 table 300
route add 10.21.0.0/16 via 10.10.0.2 table 300 proto static
route add 10.22.0.0/16 via 10.11.0.2 table 300 proto static
route add blackhole 10.23.0.0/16 table 300
route add 10.24.0.0/16 via 10.11.0.2 table 301
route add 10.25.0.0/16 via 10.11.0.2 proto static
route add unreachable 10.26.0.0/16
",
        );
        let mut h = Handle::new().unwrap();
        let ra0 = h.link_index("ra0").unwrap();
        let ra1 = h.link_index("ra1").unwrap();
        let v4 = |f: RouteFilter| RouteFilter {
            family: Family::INET,
            ..f
        };
        let all = delivered(&mut h, &v4(RouteFilter::default()));
        let ip_all = ip_json(&["-4", "route", "show", "table", "all"])
            .as_array()
            .unwrap()
            .len();
        assert_eq!(all, ip_all);
        let cases = [
            (
                RouteFilter {
                    table: Some(300),
                    ..Default::default()
                },
                4,
            ),
            (
                RouteFilter {
                    table: Some(301),
                    ..Default::default()
                },
                1,
            ),
            (
                RouteFilter {
                    oif: Some(ra1),
                    ..Default::default()
                },
                // 10.22/16, 10.24/16, 10.25/16, and ra1's own prefix, local and
                // broadcast routes.
                6,
            ),
            (
                RouteFilter {
                    table: Some(300),
                    oif: Some(ra0),
                    ..Default::default()
                },
                2,
            ),
            (
                RouteFilter {
                    protocol: Some(Protocol::STATIC),
                    ..Default::default()
                },
                3,
            ),
            (
                RouteFilter {
                    table: Some(300),
                    protocol: Some(Protocol::STATIC),
                    ..Default::default()
                },
                2,
            ),
            (
                RouteFilter {
                    kind: Some(RouteType::BLACKHOLE),
                    ..Default::default()
                },
                1,
            ),
            (
                RouteFilter {
                    kind: Some(RouteType::UNREACHABLE),
                    ..Default::default()
                },
                1,
            ),
            (
                RouteFilter {
                    table: Some(RT_TABLE_MAIN as u32),
                    ..Default::default()
                },
                4,
            ),
        ];
        for (f, want) in cases {
            let f = v4(f);
            assert_eq!(delivered(&mut h, &f), want, "{f:?}");
            // What routes() collects is the same, and so is ip's view.
            assert_eq!(h.routes(&f).unwrap().len(), want, "{f:?}");
            assert!(want < all);
        }
        let ip_300 = ip_json(&["-4", "route", "show", "table", "300"]);
        assert_eq!(ip_300.as_array().unwrap().len(), 4);
        let ip_static = ip_json(&["-4", "route", "show", "table", "all", "proto", "static"]);
        assert_eq!(ip_static.as_array().unwrap().len(), 3);
    });
}

#[test]
fn link_dumps_are_filtered_by_master_and_kind_in_the_kernel() {
    if !can_run_kernel_tests("link_dumps_are_filtered_by_master_and_kind_in_the_kernel") {
        return;
    }
    in_netns(|| {
        let mut cmds = String::from("link add lbr0 type bridge\nlink add lbr1 type bridge\n");
        for i in 0..5 {
            cmds += &format!("link add lv{i} type veth peer name lp{i}\n");
        }
        for i in 0..3 {
            cmds += &format!("link set lv{i} master lbr0\n");
        }
        cmds += "link set lv3 master lbr1\nlink add lifb0 type ifb\n";
        ip_batch(&cmds);
        let mut h = Handle::new().unwrap();
        let lbr0 = h.link_index("lbr0").unwrap();
        let all = delivered(&mut h, &LinkFilter::default());
        assert_eq!(all, 1 + 2 + 10 + 1);
        let ports = LinkFilter {
            master: Some(lbr0),
            ..Default::default()
        };
        assert_eq!(delivered(&mut h, &ports), 3);
        let veths = LinkFilter {
            kind: Some("veth"),
            ..Default::default()
        };
        assert_eq!(delivered(&mut h, &veths), 10);
        let bridges = LinkFilter {
            kind: Some("bridge"),
            ..Default::default()
        };
        assert_eq!(delivered(&mut h, &bridges), 2);
        let veth_ports = LinkFilter {
            master: Some(lbr0),
            kind: Some("veth"),
            ..Default::default()
        };
        assert_eq!(delivered(&mut h, &veth_ports), 3);
        // What links_matching collects, and ip's view, agree.
        let names: Vec<String> = h
            .links_matching(&ports)
            .unwrap()
            .iter()
            .map(|l| l.name_str())
            .collect();
        assert_eq!(names, vec!["lv0", "lv1", "lv2"]);
        let ip_ports = ip_json(&["link", "show", "master", "lbr0"]);
        assert_eq!(ip_ports.as_array().unwrap().len(), 3);
        let ip_veth = ip_json(&["link", "show", "type", "veth"]);
        assert_eq!(ip_veth.as_array().unwrap().len(), 10);
    });
}
