mod common;
use common::*;

#[test]
fn veth_pair_up_and_dummy_error() {
    if !can_run_kernel_tests("veth_pair_up_and_dummy_error") {
        return;
    }
    in_netns(|| {
        let mut h = rtnl::Handle::new().unwrap();
        h.add(&rtnl::Link::veth("va", "vb").unwrap()).unwrap();
        h.set_link_up("va").unwrap();
        h.set_link_mtu("va", 1400).unwrap();
        let l = ip_link("va").unwrap();
        assert_eq!(l["mtu"], 1400);
        assert!(l["flags"].as_array().unwrap().iter().any(|f| f == "UP"));
        let e = h
            .add(&rtnl::Link::of_kind("d0", "dummy").unwrap())
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "RTM_NEWLINK: Operation not supported (os error 95): Unknown device type"
        );
        let links = h.links().unwrap();
        assert_eq!(links.len(), 3);
        let va = h.link_index("va").unwrap();
        h.add(&rtnl::Address::new(va, "10.0.0.1".parse().unwrap(), 24))
            .unwrap();
        h.add(
            &rtnl::Address::new(va, "fd00::1".parse().unwrap(), 64)
                .with_flags(rtnl::AddrFlags::NODAD),
        )
        .unwrap();
        assert!(ip_addrs("va").contains(&("10.0.0.1".into(), 24)));
        assert!(ip_addrs("va").contains(&("fd00::1".into(), 64)));
        let routes = h.routes(&rtnl::RouteFilter::default()).unwrap();
        assert!(!routes.is_empty());
    });
}
