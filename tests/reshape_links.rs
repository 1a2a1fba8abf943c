//! Issue #12 §3, links: the veth peer's index (`IFLA_LINK`) and, for a peer in
//! another namespace, that namespace's id (`IFLA_LINK_NETNSID`); the transmit queue
//! length, the alias and the group — set with rtnl, read back with rtnl (lookup and
//! dump), and compared with `ip -j -d link show`.

mod common;
use common::*;

use rtnl::{Handle, Link, LinkFilter, Netns};
use serde_json::json;
use std::os::fd::AsFd;

#[test]
fn veth_peer_in_another_namespace_txqlen_alias_and_group() {
    if !can_run_kernel_tests("veth_peer_in_another_namespace_txqlen_alias_and_group") {
        return;
    }
    in_netns(|| {
        let other = rtnl::netns::create().unwrap();
        let mut h = Handle::new().unwrap();
        let mut pair = Link::veth("lk0", "lk1")
            .unwrap()
            .peer_netns(Netns::fd(other.as_fd()));
        pair.txqlen = Some(700); // at creation, for this end
        if let Some(rtnl::LinkKind::Veth(p)) = &mut pair.kind {
            p.txqlen = Some(800); // and for the peer
        }
        h.add(&pair).unwrap();
        // A pair within this namespace, for comparison: no namespace id.
        h.add(&Link::veth("sm0", "sm1").unwrap()).unwrap();

        let mut there = Handle::in_netns(other.as_fd()).unwrap();
        let lk1 = there.get_link("lk1").unwrap().expect("lk1 was born there");
        assert_eq!(lk1.txqlen, Some(800));

        // Set and read back.
        let change = Link {
            txqlen: Some(5000),
            alias: Some("uplink to the other namespace".into()),
            group: Some(7),
            ..Default::default()
        };
        h.set_link("lk0", &change).unwrap();
        let lk0 = h.get_link("lk0").unwrap().unwrap();
        assert_eq!(lk0.txqlen, Some(5000));
        assert_eq!(lk0.alias.as_deref(), Some("uplink to the other namespace"));
        assert_eq!(lk0.group, Some(7));
        assert_eq!(
            lk0.link,
            Some(lk1.index),
            "IFLA_LINK: the peer's index there"
        );
        let nsid = lk0.link_netnsid.expect("IFLA_LINK_NETNSID");
        // Seen from there, the same pair the other way round.
        assert_eq!(lk1.link, Some(lk0.index));
        assert!(lk1.link_netnsid.is_some());
        // A dump says the same as the lookup.
        let dumped = h.links_matching(&LinkFilter::default()).unwrap();
        let d = dumped.iter().find(|l| l.index == lk0.index).unwrap();
        assert_eq!(
            (d.link, d.link_netnsid, d.txqlen, &d.alias, d.group),
            (
                lk0.link,
                lk0.link_netnsid,
                lk0.txqlen,
                &lk0.alias,
                lk0.group
            )
        );

        // iproute2 reads the same from the kernel.
        let j = ip_link("lk0").unwrap();
        assert_eq!(j["link_index"], json!(lk1.index));
        assert_eq!(j["link_netnsid"], json!(nsid));
        assert_eq!(j["txqlen"], json!(5000));
        assert_eq!(j["ifalias"], json!("uplink to the other namespace"));
        assert_eq!(j["group"], json!("7"));
        let jd = ip_json(&["-d", "link", "show", "dev", "lk0"]);
        assert_eq!(jd[0]["linkinfo"]["info_kind"], json!("veth"));
        assert_eq!(lk0.kind_name(), Some("veth"));

        let sm0 = h.get_link("sm0").unwrap().unwrap();
        let sm1 = h.get_link("sm1").unwrap().unwrap();
        assert_eq!((sm0.link, sm0.link_netnsid), (Some(sm1.index), None));
        let j = ip_link("sm0").unwrap();
        assert_eq!(j["link"], json!("sm1"));
        assert_eq!(j.get("link_netnsid"), None);
        assert_eq!(j["group"], json!("default"));
        assert_eq!(sm0.group, Some(0));
        assert_eq!(sm0.alias, None);
        assert_eq!(j.get("ifalias"), None);

        // An empty alias removes it; group and txqlen go back.
        let back = Link {
            txqlen: Some(1000),
            alias: Some(String::new()),
            group: Some(0),
            ..Default::default()
        };
        h.set_link("lk0", &back).unwrap();
        let lk0 = h.get_link("lk0").unwrap().unwrap();
        assert_eq!(
            (lk0.txqlen, lk0.alias.as_deref(), lk0.group),
            (Some(1000), None, Some(0))
        );
        let j = ip_link("lk0").unwrap();
        assert_eq!(j.get("ifalias"), None);
        assert_eq!(j["group"], json!("default"));
        assert_eq!(j["txqlen"], json!(1000));
    });
}

/// `set_link` by name with a change that carries that same name is a change (the name
/// selects the link: one request, no lookup first); another name renames the link;
/// an absent link is `NotFound`.
#[test]
fn set_link_by_name_with_its_own_name_changes_and_another_name_renames() {
    if !can_run_kernel_tests("set_link_by_name_with_its_own_name_changes_and_another_name_renames")
    {
        return;
    }
    in_netns(|| {
        let mut h = Handle::new().unwrap();
        h.add(&Link::veth("sn0", "sn1").unwrap()).unwrap();
        h.set_link("sn0", &Link::named("sn0").unwrap().up().mtu(1400))
            .unwrap();
        let l = ip_link("sn0").expect("still called sn0");
        assert_eq!(l["mtu"], 1400);
        assert!(
            l["flags"].as_array().unwrap().iter().any(|f| f == "UP"),
            "{l}"
        );
        h.set_link("sn0", &Link::named("sn9").unwrap()).unwrap();
        assert!(ip_link("sn0").is_none(), "renamed away");
        assert_eq!(ip_link("sn9").expect("renamed")["mtu"], 1400);
        let e = h
            .set_link("nope0", &Link::named("nope0").unwrap().up())
            .unwrap_err();
        assert!(e.is_not_found(), "{e}");
    });
}
