//! The monitor's requests, byte for byte as iproute2 sends them (captures in
//! `tests/fixtures/`, see `capture.sh`): the dumps a snapshot sends for neighbours and
//! rules (`GroupDump`; links, addresses, routes and nexthops reuse the dump filters
//! `tests/golden.rs` checks), and `ip netns set NS ID` (`NsidSet`, behind
//! `Handle::set_netns_id`). The exchange's flags are added as `Conn` adds them; the
//! sequence number and port id are masked, as is the namespace descriptor's number.

#[path = "fixtures_util/mod.rs"]
mod fx;

use rtnl::abi::*;
use rtnl::wire::event::{GroupDump, NsidSet};
use rtnl::wire::{patch_flags, Request};
use rtnl::Group;

/// The encoder's bytes with the exchange's flags, from a buffer of 0xa5 (nothing may
/// be left unwritten, nothing written past the end).
fn sent(flags: u16, req: &impl Request) -> Vec<u8> {
    let mut buf = [0xa5u8; 256];
    let n = req.emit(&mut buf).unwrap();
    assert!(
        buf[n..].iter().all(|&b| b == 0xa5),
        "wrote past the message"
    );
    assert_eq!(u32::from_ne_bytes(buf[..4].try_into().unwrap()) as usize, n);
    let mut m = buf[..n].to_vec();
    patch_flags(&mut m, 0, flags).unwrap();
    m
}

/// `got == want` but for seq and port id (bytes 8..16) and the `mask` ranges.
fn same(name: &str, got: &[u8], mask: &[(usize, usize)]) {
    let want = fx::bytes(name);
    assert_eq!(got.len(), want.len(), "{name}: length");
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        let masked = (8..16).contains(&i) || mask.iter().any(|&(a, b)| (a..b).contains(&i));
        assert!(
            masked || g == w,
            "{name}: byte {i}: {g:#04x}, iproute2 {w:#04x}\n{got:02x?}\n{want:02x?}"
        );
    }
}

#[test]
fn snapshot_dumps_of_neighbours_and_rules_are_what_ip_sends() {
    let dump = NLM_F_REQUEST | NLM_F_DUMP;
    // ip neigh show
    same("neigh_dump_req", &sent(dump, &GroupDump(Group::NEIGH)), &[]);
    // ip -4 rule show / ip -6 rule show
    same(
        "rule_dump_req",
        &sent(dump, &GroupDump(Group::IPV4_RULE)),
        &[],
    );
    same(
        "rule6_dump_req",
        &sent(dump, &GroupDump(Group::IPV6_RULE)),
        &[],
    );
}

#[test]
fn setting_a_namespace_id_is_what_ip_netns_set_sends() {
    // ip netns set rtnltest 5: NETNSA_FD (the descriptor ip opened: 6), NETNSA_NSID.
    let got = sent(NLM_F_REQUEST | NLM_F_ACK, &NsidSet { fd: 6, nsid: 5 });
    same("nsid_set", &got, &[]);
    // The kernel's choice: -1.
    let auto = sent(NLM_F_REQUEST | NLM_F_ACK, &NsidSet { fd: 6, nsid: -1 });
    assert_eq!(&auto[32..36], &(-1i32).to_ne_bytes());
    for bad in [NsidSet { fd: -1, nsid: 5 }, NsidSet { fd: 3, nsid: -2 }] {
        assert!(bad.check().unwrap_err().is_invalid_input(), "{bad:?}");
    }
}
