//! Issue #12 §6: errors that say where. Real refusals by the kernel whose extended ACK
//! carries `NLMSGERR_ATTR_OFFS`, each request built by hand ([`MsgBuilder`], sent with
//! [`RawRequest`]) so that exactly one attribute is wrong: the error names that
//! attribute by its path from the top of the request, in [`Error::kernel_attr`] and in
//! its `Display` — top-level, nested in a link's kind data, inside a veth peer, inside
//! a next hop of `RTA_MULTIPATH`, and inside a batch. And what the kernel does *not*
//! point at (`mtu greater than device maximum`) is not made up.
//!
//! Which refusals carry an offset was found by trying them on Linux 6.18: policy
//! violations (an attribute of the wrong size, a string too long) do; checks made by
//! hand in the kernel's code (`mtu greater than device maximum`, `Invalid IPv4 address
//! in RTA_GATEWAY` of a next hop, a bad `IFLA_ADDRESS` length) do not.

mod common;
mod reshape_common;
use common::*;
use reshape_common::*;

use rtnl::abi::*;
use rtnl::wire::{MsgBuilder, RawRequest};
use rtnl::{Error, Handle};

/// `ip link add NAME type KIND` with `build` writing inside `IFLA_INFO_DATA`.
fn link_with_data(name: &str, kind: &[u8], build: impl FnOnce(&mut MsgBuilder<'_>)) -> Vec<u8> {
    let mut buf = vec![0u8; 512];
    let mut b = MsgBuilder::new(&mut buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL).unwrap();
    b.header(&IfInfoMsg::default()).unwrap();
    b.attr_str(IFLA_IFNAME, name).unwrap();
    let li = b.begin_nested(IFLA_LINKINFO).unwrap();
    b.attr_bytes(IFLA_INFO_KIND, kind).unwrap();
    let d = b.begin_nested(IFLA_INFO_DATA).unwrap();
    build(&mut b);
    b.end_nested(d).unwrap();
    b.end_nested(li).unwrap();
    let n = b.finish().unwrap();
    buf.truncate(n);
    buf
}

/// `ip link set dev <index>` with one attribute `ty` = `value`.
fn set_link_attr(index: u32, ty: u16, value: &[u8]) -> Vec<u8> {
    let mut buf = vec![0u8; 256];
    let mut b = MsgBuilder::new(&mut buf, RTM_NEWLINK, 0).unwrap();
    b.header(&IfInfoMsg {
        ifi_index: index as i32,
        ..Default::default()
    })
    .unwrap();
    b.attr_bytes(ty, value).unwrap();
    let n = b.finish().unwrap();
    buf.truncate(n);
    buf
}

/// `ip route add 10.9.0.0/16 ...` with `build` writing the rest.
fn route_add(build: impl FnOnce(&mut MsgBuilder<'_>)) -> Vec<u8> {
    let mut buf = vec![0u8; 512];
    let mut b = MsgBuilder::new(&mut buf, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL).unwrap();
    b.header(&RtMsg {
        rtm_family: AF_INET,
        rtm_dst_len: 16,
        rtm_table: RT_TABLE_MAIN,
        rtm_protocol: RTPROT_BOOT,
        rtm_type: RTN_UNICAST,
        ..Default::default()
    })
    .unwrap();
    b.attr_ipv4(RTA_DST, [10, 9, 0, 0].into()).unwrap();
    build(&mut b);
    let n = b.finish().unwrap();
    buf.truncate(n);
    buf
}

/// The refusal of `req`: the kernel's own words and the attribute it pointed at.
fn refusal(h: &mut Handle, req: &[u8]) -> Error {
    h.push(&RawRequest(req)).expect_err("the kernel refuses it")
}

/// `e` is the kernel's policy refusal pointing at `path`, and says so when printed.
fn assert_points_at(e: &Error, op: &str, path: &str) {
    assert!(matches!(e, Error::Kernel { .. }), "{e:?}");
    assert_eq!(e.errno(), Some(libc::ERANGE), "{e}");
    assert_eq!(
        e.kernel_message(),
        Some("Attribute failed policy validation"),
        "{e}"
    );
    assert_eq!(e.kernel_attr(), Some(path), "{e}");
    assert_eq!(
        e.to_string(),
        format!(
            "{op}: Numerical result out of range (os error 34): \
             Attribute failed policy validation (at {path})"
        )
    );
}

fn setup() -> (Handle, u32) {
    ip_batch(
        "link add er0 type veth peer name er1
link set er0 up
addr add 10.1.0.1/24 dev er0
",
    );
    let mut h = Handle::new().unwrap();
    let idx = h.link_index("er0").unwrap();
    (h, idx)
}

#[test]
fn a_refusal_names_a_top_level_attribute() {
    if !can_run_kernel_tests("a_refusal_names_a_top_level_attribute") {
        return;
    }
    in_netns(|| {
        let (mut h, er0) = setup();
        // An MTU of 2 bytes (IFLA_MTU is a u32).
        let e = refusal(&mut h, &set_link_attr(er0, IFLA_MTU, &[0xdc, 0x05]));
        assert_points_at(&e, "RTM_NEWLINK", "IFLA_MTU");
        // A name of 26 bytes (IFNAMSIZ is 16).
        let e = refusal(
            &mut h,
            &set_link_attr(er0, IFLA_IFNAME, b"abcdefghijklmnopqrstuvwxyz\0"),
        );
        assert_points_at(&e, "RTM_NEWLINK", "IFLA_IFNAME");
        // A route's output device of 2 bytes (RTA_OIF is a u32).
        let e = refusal(
            &mut h,
            &route_add(|b| b.attr_bytes(RTA_OIF, &[1, 0]).unwrap()),
        );
        assert_points_at(&e, "RTM_NEWROUTE", "RTA_OIF");
        // An address's 32-bit flags in one byte.
        let mut buf = [0u8; 128];
        let mut b = MsgBuilder::new(&mut buf, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL).unwrap();
        b.header(&IfAddrMsg {
            ifa_family: AF_INET,
            ifa_prefixlen: 24,
            ifa_index: er0,
            ..Default::default()
        })
        .unwrap();
        b.attr_ipv4(IFA_LOCAL, [10, 3, 0, 1].into()).unwrap();
        b.attr_bytes(IFA_FLAGS, &[1]).unwrap();
        let n = b.finish().unwrap();
        let e = refusal(&mut h, &buf[..n]);
        assert_points_at(&e, "RTM_NEWADDR", "IFA_FLAGS");
        // Nothing was changed.
        assert_eq!(ip_link("er0").unwrap()["mtu"], 1500);
        assert!(!ip(&["route"]).contains("10.9.0.0"));
    });
}

#[test]
fn a_refusal_names_a_nested_attribute_by_its_path() {
    if !can_run_kernel_tests("a_refusal_names_a_nested_attribute_by_its_path") {
        return;
    }
    in_netns(|| {
        let (mut h, _) = setup();
        // ip link add br9 type bridge stp_state ... with a 1-byte value (a u32).
        let req = link_with_data("br9", b"bridge", |b| {
            b.attr_bytes(IFLA_BR_STP_STATE, &[1]).unwrap()
        });
        let e = refusal(&mut h, &req);
        assert_points_at(
            &e,
            "RTM_NEWLINK",
            "IFLA_LINKINFO/IFLA_INFO_DATA/IFLA_BR_STP_STATE",
        );
        // Another bridge attribute, to show that the offset is the kernel's, not a
        // guess: forward_delay of 2 bytes.
        let req = link_with_data("br9", b"bridge", |b| {
            b.attr_u32(IFLA_BR_STP_STATE, 1).unwrap();
            b.attr_bytes(IFLA_BR_FORWARD_DELAY, &[1, 2]).unwrap();
        });
        let e = refusal(&mut h, &req);
        assert_points_at(
            &e,
            "RTM_NEWLINK",
            "IFLA_LINKINFO/IFLA_INFO_DATA/IFLA_BR_FORWARD_DELAY",
        );
        assert!(ip_link("br9").is_none());
    });
}

#[test]
fn a_refusal_inside_a_veth_peer_names_the_peer_attribute() {
    if !can_run_kernel_tests("a_refusal_inside_a_veth_peer_names_the_peer_attribute") {
        return;
    }
    in_netns(|| {
        let (mut h, _) = setup();
        let peer = |ty: u16, value: &'static [u8]| {
            link_with_data("vz0", b"veth", move |b| {
                let p = b.begin_nested(VETH_INFO_PEER).unwrap();
                b.header(&IfInfoMsg::default()).unwrap();
                b.attr_bytes(ty, value).unwrap();
                b.end_nested(p).unwrap();
            })
        };
        let e = refusal(&mut h, &peer(IFLA_IFNAME, b"a-peer-name-far-too-long\0"));
        assert_points_at(
            &e,
            "RTM_NEWLINK",
            "IFLA_LINKINFO/IFLA_INFO_DATA/VETH_INFO_PEER/IFLA_IFNAME",
        );
        let e = refusal(&mut h, &peer(IFLA_MTU, &[1, 0]));
        assert_points_at(
            &e,
            "RTM_NEWLINK",
            "IFLA_LINKINFO/IFLA_INFO_DATA/VETH_INFO_PEER/IFLA_MTU",
        );
        assert!(ip_link("vz0").is_none());
    });
}

/// Inside `RTA_MULTIPATH`, 6.18 checks a next hop's gateway by hand ("Invalid IPv4
/// address in RTA_GATEWAY", no offset); what it validates by policy, with an offset, is
/// a next hop's lightweight tunnel (`RTA_ENCAP`, parsed with the tunnel's policy).
#[test]
fn a_refusal_inside_a_multipath_next_hop_names_the_hop_and_attribute() {
    if !can_run_kernel_tests("a_refusal_inside_a_multipath_next_hop_names_the_hop_and_attribute") {
        return;
    }
    in_netns(|| {
        let (mut h, er0) = setup();
        let hops = |bad_gw: bool| {
            route_add(move |b| {
                let mp = b.begin_nested(RTA_MULTIPATH).unwrap();
                for i in 0..2 {
                    let at = b
                        .begin_sized(&RtNexthop {
                            rtnh_len: 0,
                            rtnh_flags: 0,
                            rtnh_hops: 0,
                            rtnh_ifindex: er0 as i32,
                        })
                        .unwrap();
                    b.attr_ipv4(RTA_GATEWAY, [10, 1, 0, 2 + i].into()).unwrap();
                    if i == 1 && bad_gw {
                        b.attr_bytes(RTA_FLOW, &[1]).unwrap();
                    }
                    if i == 1 && !bad_gw {
                        // encap ip id <2 bytes> (LWTUNNEL_IP_ID is a u64)
                        b.attr_u16(RTA_ENCAP_TYPE, 2).unwrap();
                        let e = b.begin_nested(RTA_ENCAP).unwrap();
                        b.attr_bytes(1, &[1, 2]).unwrap();
                        b.end_nested(e).unwrap();
                    }
                    b.end_sized(at).unwrap();
                }
                b.end_nested(mp).unwrap();
            })
        };
        let e = refusal(&mut h, &hops(false));
        assert_points_at(
            &e,
            "RTM_NEWROUTE",
            "RTA_MULTIPATH/1/RTA_ENCAP/LWTUNNEL_IP_ID",
        );
        // A check the kernel makes by hand: its text, and no attribute made up.
        let e = refusal(&mut h, &hops(true));
        assert_eq!(e.errno(), Some(libc::EINVAL), "{e}");
        assert_eq!(e.kernel_message(), Some("Invalid RTA_FLOW"), "{e}");
        assert_eq!(e.kernel_attr(), None, "{e}");
        assert!(!ip(&["route"]).contains("10.9.0.0"));
    });
}

#[test]
fn a_refused_request_in_a_batch_names_its_attribute() {
    if !can_run_kernel_tests("a_refused_request_in_a_batch_names_its_attribute") {
        return;
    }
    in_netns(|| {
        let (mut h, er0) = setup();
        let good = |third: u8| {
            route_add(move |b| {
                b.attr_ipv4(RTA_GATEWAY, [10, 1, 0, third].into()).unwrap();
                b.attr_u32(RTA_TABLE, 300 + u32::from(third)).unwrap();
            })
        };
        let bad_route = route_add(|b| b.attr_bytes(RTA_PRIORITY, &[7]).unwrap());
        let bad_link = link_with_data("br8", b"bridge", |b| {
            b.attr_bytes(IFLA_BR_STP_STATE, &[1]).unwrap()
        });
        let bad_mtu = set_link_attr(er0, IFLA_MTU, &[1]);
        let (g2, g3) = (good(2), good(3));
        let results = h
            .batch_collect(|b| {
                b.push(&RawRequest(&g2))?;
                b.push(&RawRequest(&bad_route))?;
                b.push(&RawRequest(&bad_link))?;
                b.push(&RawRequest(&g3))?;
                b.push(&RawRequest(&bad_mtu))?;
                Ok(())
            })
            .unwrap();
        assert_eq!(results.len(), 5);
        assert!(results[0].is_ok(), "{:?}", results[0]);
        assert_points_at(
            results[1].as_ref().unwrap_err(),
            "RTM_NEWROUTE",
            "RTA_PRIORITY",
        );
        assert_points_at(
            results[2].as_ref().unwrap_err(),
            "RTM_NEWLINK",
            "IFLA_LINKINFO/IFLA_INFO_DATA/IFLA_BR_STP_STATE",
        );
        assert!(results[3].is_ok(), "{:?}", results[3]);
        assert_points_at(results[4].as_ref().unwrap_err(), "RTM_NEWLINK", "IFLA_MTU");
        // The good ones happened, the bad ones did not.
        let all = ip(&["route", "show", "table", "all"]);
        assert!(all.contains("table 302"), "{all}");
        assert!(all.contains("table 303"), "{all}");
        let main = ip(&["route", "show", "table", "main"]);
        assert!(!main.contains("10.9.0.0"), "{main}");
        assert_eq!(ip_link("er0").unwrap()["mtu"], 1500);
        assert!(ip_link("br8").is_none());
    });
}

/// The example shows `(at IFLA_MTU)` for "mtu greater than device maximum".
/// Linux 6.18 refuses that MTU with its text only (`dev_validate_mtu` sets the message
/// without an attribute), so no attribute is named: none is made up.
#[test]
fn mtu_greater_than_device_maximum_carries_no_offset() {
    if !can_run_kernel_tests("mtu_greater_than_device_maximum_carries_no_offset") {
        return;
    }
    in_netns(|| {
        let (mut h, _) = setup();
        let e = h.set_link_mtu("er0", 70_000).unwrap_err();
        assert_eq!(e.errno(), Some(libc::EINVAL));
        assert_eq!(e.kernel_message(), Some("mtu greater than device maximum"));
        assert_eq!(e.kernel_attr(), None);
        assert_eq!(
            e.to_string(),
            "RTM_NEWLINK: Invalid argument (os error 22): mtu greater than device maximum"
        );
        let e = h.set_link_mtu("er0", 10).unwrap_err();
        assert_eq!(e.kernel_message(), Some("mtu less than device minimum"));
        assert_eq!(e.kernel_attr(), None);
    });
}
