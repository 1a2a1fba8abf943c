//! The foundation against the real kernel: ACKs, errors with extended-ACK text, big
//! dumps, batches (one result per request, failures in the middle, several
//! datagrams, 100,000 requests), sequence numbers and timeouts.
//!
//! Every test runs in a fresh network namespace (`common::in_netns`) and checks the
//! kernel's view with `ip -j`, run from the test's thread.

mod common;

use common::*;
use rtnl::abi::*;
use rtnl::wire::link::{LinkGet, LinkMsg};
use rtnl::wire::MsgBuilder;
use rtnl::{
    AckMode, BatchLimits, Conn, Decode, Error, Family, Handle, Link, LinkFilter, Object, Request,
    Route, Socket, Transport, Verb,
};
use std::collections::BTreeSet;
use std::io;
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

/// A real socket that counts the datagrams sent and received.
struct Counting {
    inner: Socket,
    sends: usize,
    recvs: usize,
}

impl Counting {
    fn new() -> Counting {
        Counting {
            inner: Socket::new().expect("socket"),
            sends: 0,
            recvs: 0,
        }
    }
}

impl Transport for Counting {
    fn send(&mut self, buf: &[u8]) -> io::Result<()> {
        self.sends += 1;
        self.inner.send(buf)
    }
    fn recv(&mut self, buf: &mut Vec<u8>) -> io::Result<usize> {
        let n = self.inner.recv(buf)?;
        self.recvs += 1;
        Ok(n)
    }
    fn port_id(&self) -> u32 {
        self.inner.port_id()
    }
    fn recv_timeout(&self) -> Option<Duration> {
        self.inner.recv_timeout()
    }
    fn prepare_batch(&mut self, datagram: usize, replies: usize) -> usize {
        self.inner.prepare_batch(datagram, replies)
    }
    fn recv_buffer(&self) -> usize {
        self.inner.recv_buffer()
    }
}

fn encode(f: impl FnOnce(&mut [u8]) -> Result<usize, rtnl::wire::WireError>) -> Vec<u8> {
    let mut buf = vec![0u8; 512];
    let n = f(&mut buf).expect("encode");
    buf.truncate(n);
    buf
}

fn is_up(name: &str) -> bool {
    ip_link(name).expect("link exists")["flags"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f == "UP")
}

/// Creates the veth pair `a`/`b`, both up; returns `a`'s index.
fn veth_up(h: &mut Handle, a: &str, b: &str) -> u32 {
    h.add(&Link::veth(a, b).unwrap()).unwrap();
    h.set_link_up(a).unwrap();
    h.set_link_up(b).unwrap();
    h.link_index(a).unwrap()
}

/// The i-th /32 route: 10.64.0.0 + i, link scope via `oif`, in `table`.
fn host_route(i: u32, oif: u32, table: u32) -> Route {
    Route::to(IpAddr::V4(Ipv4Addr::from(0x0a40_0000 + i)), 32)
        .unwrap()
        .dev(oif)
        .table(table)
}

/// The destinations of the routes in `table` through `dev`, per `ip -j route show`.
fn ip_route_dsts(table: u32, dev: &str) -> BTreeSet<String> {
    let t = table.to_string();
    ip_json(&["route", "show", "table", &t, "dev", dev])
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["dst"].as_str().unwrap().to_owned())
        .collect()
}

fn dst_string(i: u32) -> String {
    Ipv4Addr::from(0x0a40_0000 + i).to_string()
}

// ------------------------------------------------------------------ ACKs

// A request built with the wire encoder and sent through Conn::ack: the kernel's ACK
// is Ok, and the change is visible to `ip`.
#[test]
fn ack_of_a_simple_request() {
    if !can_run_kernel_tests("ack_of_a_simple_request") {
        return;
    }
    in_netns(|| {
        let mut h = Handle::new().unwrap();
        assert!(!is_up("lo"), "lo starts down in a new namespace");
        let mut msg = encode(|b| Link::with_index(1).up().emit(Verb::Change, b));
        h.conn("test").unwrap().ack(&mut msg).unwrap();
        assert!(is_up("lo"));
        // The request was stamped in place with a non-zero sequence number.
        assert_ne!(u32::from_ne_bytes(msg[8..12].try_into().unwrap()), 0);
    });
}

// `ip link add d0 type dummy` on a kernel without the dummy driver: EOPNOTSUPP with the
// kernel's extended-ACK text, in the error and its Display.
#[test]
fn unknown_device_type_error() {
    if !can_run_kernel_tests("unknown_device_type_error") {
        return;
    }
    in_netns(|| {
        let mut h = Handle::new().unwrap();
        let e = h.add(&Link::of_kind("d0", "dummy").unwrap()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "RTM_NEWLINK: Operation not supported (os error 95): Unknown device type"
        );
        assert_eq!(e.errno(), Some(95));
        assert_eq!(e.kernel_message(), Some("Unknown device type"));
        assert!(
            matches!(&e, Error::Kernel { op: "RTM_NEWLINK", errno: 95, message: Some(m), attr: None } if m == "Unknown device type"),
            "{e:?}"
        );
        assert!(!e.is_exists() && !e.is_not_found());
        assert!(ip_link("d0").is_none());
        // The handle is still usable after the refusal.
        h.add(&Link::veth("e0", "e1").unwrap()).unwrap();
        assert!(ip_link("e0").is_some() && ip_link("e1").is_some());
    });
}

// ------------------------------------------------------------------ dumps

// 1,000 veth pairs (created with one batch) = 2,001 links with lo. Handle::links(),
// rtnl::list_all_links() and a dump over a counting socket all see every one of them,
// with the same names and indexes as `ip -j link show`; the dump spans many datagrams.
#[test]
fn dump_of_2000_links_arrives_complete() {
    if !can_run_kernel_tests("dump_of_2000_links_arrives_complete") {
        return;
    }
    in_netns(|| {
        let mut h = Handle::new().unwrap();
        let names: Vec<(String, String)> = (0..1000)
            .map(|i| (format!("v{i}a"), format!("v{i}b")))
            .collect();
        let results = h
            .batch_collect(|b| {
                for (a, p) in &names {
                    b.add(&Link::veth(a, p)?)?;
                }
                Ok(())
            })
            .unwrap();
        assert_eq!(results.len(), 1000);
        for (i, r) in results.iter().enumerate() {
            assert!(r.is_ok(), "veth pair {i}: {r:?}");
        }

        let mut want: Vec<(u32, String)> = ip_json(&["link", "show"])
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                (
                    l["ifindex"].as_u64().unwrap() as u32,
                    l["ifname"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        want.sort();
        assert_eq!(want.len(), 2001, "ip sees lo + 2,000 veths");
        let ip_names: BTreeSet<&str> = want.iter().map(|(_, n)| n.as_str()).collect();
        assert!(ip_names.contains("lo"));
        for (a, p) in &names {
            assert!(ip_names.contains(a.as_str()) && ip_names.contains(p.as_str()));
        }

        let links = h.links().unwrap();
        assert_eq!(links.len(), 2001);
        let mut got: Vec<(u32, String)> = links.iter().map(|l| (l.index, l.name_str())).collect();
        got.sort();
        assert_eq!(got, want);

        let mut all = rtnl::list_all_links().unwrap();
        all.sort();
        assert_eq!(all, want);

        // The same dump over a counting socket: many datagrams, every link once, and
        // each veth's peer index is the index `ip` gives the peer.
        let mut c = Conn::new(Counting::new());
        let mut req = encode(|b| LinkFilter::default().emit(b));
        let mut seen = Vec::new();
        let mut peers = Vec::new();
        c.dump(&mut req, |m| {
            let l = LinkMsg::decode(m).unwrap();
            let name = l.name_str().unwrap().to_owned();
            if let (Some(peer), Some("veth")) = (l.link, l.kind_str()) {
                peers.push((name.clone(), peer));
            }
            seen.push((l.index(), name));
            Ok(())
        })
        .unwrap();
        seen.sort();
        assert_eq!(seen, want);
        assert!(
            c.transport().recvs > 2,
            "a 2,001-link dump in {} datagrams",
            c.transport().recvs
        );
        let index_of: std::collections::HashMap<&str, u32> =
            want.iter().map(|(i, n)| (n.as_str(), *i)).collect();
        assert_eq!(peers.len(), 2000);
        for (name, peer) in &peers {
            let other = if let Some(s) = name.strip_suffix('a') {
                format!("{s}b")
            } else {
                format!("{}a", name.strip_suffix('b').unwrap())
            };
            assert_eq!(*peer, index_of[other.as_str()], "{name}");
        }
    });
}

// ------------------------------------------------------------------ batches

/// 1,000 route adds where #500 duplicates #499: exactly that one fails (EEXIST), every
/// other result is Ok, and the kernel holds the 999 distinct routes.
fn batch_with_one_failure(mode: AckMode) {
    in_netns(|| {
        let mut h = Handle::new().unwrap();
        let oif = veth_up(&mut h, "rt0", "rt1");
        let routes: Vec<Route> = (0..1000u32)
            .map(|i| host_route(if i == 500 { 499 } else { i }, oif, 254))
            .collect();
        let results = h
            .batch_collect(|b| {
                b.ack_mode(mode);
                for r in &routes {
                    b.add(r)?;
                }
                Ok(())
            })
            .unwrap();
        assert_eq!(results.len(), 1000);
        for (i, r) in results.iter().enumerate() {
            if i == 500 {
                let e = r.as_ref().unwrap_err();
                assert!(e.is_exists(), "{mode:?} #{i}: {e:?}");
                assert!(
                    matches!(
                        e,
                        Error::Kernel {
                            op: "RTM_NEWROUTE",
                            errno: 17,
                            ..
                        }
                    ),
                    "{e:?}"
                );
            } else {
                assert!(r.is_ok(), "{mode:?} #{i}: {r:?}");
            }
        }
        let want: BTreeSet<String> = (0..1000).filter(|&i| i != 500).map(dst_string).collect();
        assert_eq!(ip_route_dsts(254, "rt0"), want, "{mode:?}");
    });
}

#[test]
fn batch_of_1000_with_one_failure_ack_last() {
    if !can_run_kernel_tests("batch_of_1000_with_one_failure_ack_last") {
        return;
    }
    batch_with_one_failure(AckMode::Last);
}

#[test]
fn batch_of_1000_with_one_failure_ack_every() {
    if !can_run_kernel_tests("batch_of_1000_with_one_failure_ack_every") {
        return;
    }
    batch_with_one_failure(AckMode::Every);
}

// The 1,000 requests again, #500 with an output link that does not exist (ENODEV).
#[test]
fn batch_failure_with_a_missing_link() {
    if !can_run_kernel_tests("batch_failure_with_a_missing_link") {
        return;
    }
    in_netns(|| {
        let mut h = Handle::new().unwrap();
        let oif = veth_up(&mut h, "rt0", "rt1");
        let results = h
            .batch_collect(|b| {
                for i in 0..1000u32 {
                    let dev = if i == 500 { 999_999 } else { oif };
                    b.add(&host_route(i, dev, 254))?;
                }
                Ok(())
            })
            .unwrap();
        for (i, r) in results.iter().enumerate() {
            if i == 500 {
                assert_eq!(r.as_ref().unwrap_err().errno(), Some(libc::ENODEV));
            } else {
                assert!(r.is_ok(), "#{i}: {r:?}");
            }
        }
        let want: BTreeSet<String> = (0..1000).filter(|&i| i != 500).map(dst_string).collect();
        assert_eq!(ip_route_dsts(254, "rt0"), want);
    });
}

// 20,000 routes (880,000 bytes) cannot go in one 64 KiB datagram. Through the Handle's
// Batch, every 1,000th request (#500, #1500, ...) fails: each datagram holds at most
// 1,489 of these 44-byte requests, so each contains a failure. Then the same through
// Conn::batch over a counting socket, with the failures placed on the first and the
// last request of every datagram (the last one is the one asking for the ACK).
#[test]
fn batch_across_datagrams_with_failures_in_each() {
    if !can_run_kernel_tests("batch_across_datagrams_with_failures_in_each") {
        return;
    }
    in_netns(|| {
        const N: u32 = 20_000;
        let mut h = Handle::new().unwrap();
        let oif = veth_up(&mut h, "rt0", "rt1");
        let fails = |i: u32| i % 1000 == 500;
        let results = h
            .batch_collect(|b| {
                for i in 0..N {
                    let j = if fails(i) { i - 1 } else { i };
                    b.add(&host_route(j, oif, 254))?;
                }
                Ok(())
            })
            .unwrap();
        assert_eq!(results.len(), N as usize);
        for (i, r) in results.iter().enumerate() {
            if fails(i as u32) {
                assert!(r.as_ref().unwrap_err().is_exists(), "#{i}: {r:?}");
            } else {
                assert!(r.is_ok(), "#{i}: {r:?}");
            }
        }
        let want: BTreeSet<String> = (0..N).filter(|&i| !fails(i)).map(dst_string).collect();
        assert_eq!(ip_route_dsts(254, "rt0"), want);

        // Conn::batch with explicit limits, table 100.
        let msg_len = encode(|b| host_route(0, oif, 100).emit(Verb::Add, b)).len();
        assert_eq!(msg_len, 44);
        let limits = BatchLimits {
            max_bytes: 64 << 10,
            max_msgs: 0,
        };
        let per_dgram = limits.max_bytes / msg_len; // 1,489
                                                    // Failures duplicate route #0 (which never fails).
        let fails = |i: usize| i > 0 && (i % per_dgram == 0 || i % per_dgram == per_dgram - 1);
        for mode in [AckMode::Last, AckMode::Every] {
            let table = if mode == AckMode::Last { 100 } else { 101 };
            let mut buf = Vec::with_capacity(N as usize * msg_len);
            for i in 0..N as usize {
                let j = if fails(i) { 0 } else { i };
                buf.extend(encode(|b| {
                    host_route(j as u32, oif, table).emit(Verb::Add, b)
                }));
            }
            let mut c = Conn::new(Counting::new());
            let mut results = Vec::new();
            c.batch(&mut buf, mode, limits, |i, r| results.push((i, r)))
                .unwrap();
            let datagrams = (N as usize).div_ceil(per_dgram);
            assert_eq!(c.transport().sends, datagrams, "{mode:?}");
            assert_eq!(results.len(), N as usize);
            let mut failed = 0;
            for (k, (i, r)) in results.iter().enumerate() {
                assert_eq!(*i, k, "results in order");
                if fails(k) {
                    assert!(r.as_ref().unwrap_err().is_exists(), "{mode:?} #{k}: {r:?}");
                    failed += 1;
                } else {
                    assert!(r.is_ok(), "{mode:?} #{k}: {r:?}");
                }
            }
            // Two failures per datagram after the first (which has only its last).
            assert_eq!(failed, 2 * datagrams - 2);
            let want: BTreeSet<String> = (0..N as usize)
                .filter(|&i| !fails(i))
                .map(|i| dst_string(i as u32))
                .collect();
            assert_eq!(ip_route_dsts(table, "rt0"), want, "{mode:?}");
        }
    });
}

// 100,000 /32 routes with an ACK for every one: the batch sizes its windows so that
// the ACKs never overflow the receive buffer (no ENOBUFS), and every result is Ok.
// The receive buffer is shrunk to 128 KiB first, so that it — not the 64 KiB
// datagram limit — bounds the window (128 requests of 44 bytes, 128 ACKs of a
// kernel-counted ~1 KiB or less each).
#[test]
fn batch_of_100000_routes_with_every_ack() {
    if !can_run_kernel_tests("batch_of_100000_routes_with_every_ack") {
        return;
    }
    in_netns(|| {
        const N: u32 = 100_000;
        let mut h = Handle::new().unwrap();
        let oif = veth_up(&mut h, "rt0", "rt1");
        let granted = h
            .conn("test")
            .unwrap()
            .transport_mut()
            .set_recv_buffer(64 << 10)
            .unwrap();
        assert_eq!(granted, 128 << 10, "the kernel doubles SO_RCVBUF(FORCE)");
        let results = h
            .batch_collect(|b| {
                b.ack_mode(AckMode::Every);
                for i in 0..N {
                    b.add(&host_route(i, oif, 100))?;
                }
                Ok(())
            })
            .unwrap();
        assert_eq!(results.len(), N as usize);
        let bad: Vec<_> = results
            .iter()
            .enumerate()
            .filter(|(_, r)| r.is_err())
            .take(5)
            .collect();
        assert!(bad.is_empty(), "failed: {bad:?}");
        assert_eq!(ip_route_dsts(100, "rt0").len(), N as usize);
        // rtnl's own dump agrees.
        let filter = rtnl::RouteFilter {
            family: Family::INET,
            table: Some(100),
            oif: Some(oif),
            ..Default::default()
        };
        let mut n = 0;
        h.for_each_route(&filter, |_| n += 1).unwrap();
        assert_eq!(n, N as usize);
    });
}

// ------------------------------------------------------- request/reply pairing

// A GET with NLM_F_ACK (Conn::request always asks for one): the reply goes to the
// callback, the ACK ends the request, and nothing is left unread on the socket.
#[test]
fn get_with_ack_returns_the_reply_and_the_ack() {
    if !can_run_kernel_tests("get_with_ack_returns_the_reply_and_the_ack") {
        return;
    }
    in_netns(|| {
        let mut h = Handle::new().unwrap();
        // By name, without statistics (IFLA_EXT_MASK).
        let mut msg = encode(|b| {
            LinkGet {
                link: "lo".into(),
                stats: false,
            }
            .emit(b)
        });
        let mut replies = Vec::new();
        h.conn("test")
            .unwrap()
            .request(&mut msg, |m| {
                let l = LinkMsg::decode(m).unwrap();
                replies.push((
                    l.index(),
                    l.name_str().unwrap().to_owned(),
                    m.header.nlmsg_type,
                ));
                Ok(())
            })
            .unwrap();
        assert_eq!(replies, [(1, "lo".to_owned(), RTM_NEWLINK)]);
        let flags = u16::from_ne_bytes([msg[6], msg[7]]);
        assert_eq!(flags, NLM_F_REQUEST | NLM_F_ACK, "the ACK was asked for");
        // The ACK was consumed: the socket is empty now.
        let t = h.conn("test").unwrap().transport_mut();
        t.set_recv_timeout(Some(Duration::from_millis(50))).unwrap();
        let mut buf = Vec::new();
        let e = t.recv(&mut buf).unwrap_err();
        assert!(
            matches!(
                e.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
            ),
            "{e:?}"
        );
        // A GET for a missing link (by name only, statistics not excluded): the
        // kernel's ENODEV, no reply.
        let mut msg = encode(|b| {
            LinkGet {
                link: "nosuchlink".into(),
                stats: true,
            }
            .emit(b)
        });
        let mut n = 0;
        let e = h
            .conn("test")
            .unwrap()
            .request(&mut msg, |_| {
                n += 1;
                Ok(())
            })
            .unwrap_err();
        assert_eq!((e.errno(), n), (Some(libc::ENODEV), 0));
    });
}

/// Sends `req` on `h`'s socket with sequence number `seq` and the exchange's flags
/// `flags` (`NLM_F_REQUEST | ...`: `emit` leaves them to the exchange), bypassing the
/// handle, and does not read the answer: it waits in the socket, as a late answer to
/// an earlier request would.
fn leave_stale(h: &mut Handle, mut req: Vec<u8>, seq: u32, flags: u16) {
    rtnl::wire::patch_flags(&mut req, 0, flags).unwrap();
    rtnl::wire::set_seq_pid(&mut req, seq, 0).unwrap();
    h.conn("test").unwrap().transport_mut().send(&req).unwrap();
}

/// A link dump (several messages and a DONE) left unread.
fn stale_dump(h: &mut Handle) {
    let seq = h.conn("test").unwrap().next_seq();
    let req = encode(|b| LinkFilter::default().emit(b));
    leave_stale(h, req, seq, NLM_F_REQUEST | NLM_F_DUMP);
}

/// A refusal (ENODEV) left unread.
fn stale_error(h: &mut Handle) {
    let req = encode(|b| Link::with_index(999_999).mtu(1400).emit(Verb::Change, b));
    let seq = h.conn("test").unwrap().next_seq();
    leave_stale(h, req, seq, NLM_F_REQUEST | NLM_F_ACK);
}

/// A success ACK left unread.
fn stale_ack(h: &mut Handle) {
    let req = encode(|b| Link::with_index(1).up().emit(Verb::Change, b));
    let seq = h.conn("test").unwrap().next_seq();
    leave_stale(h, req, seq, NLM_F_REQUEST | NLM_F_ACK);
}

// Two handles used in turn, each with a late answer to an earlier request pending on
// its socket (sent with the sequence number just before the handle's next one): a
// stale error before a request that succeeds, a stale ACK before one that fails, a
// stale dump of 3 links before a dump of 5. Each answer goes to its own request.
#[test]
fn two_handles_interleaved_with_stale_replies() {
    if !can_run_kernel_tests("two_handles_interleaved_with_stale_replies") {
        return;
    }
    in_netns(|| {
        let mut h1 = Handle::new().unwrap();
        let mut h2 = Handle::new().unwrap();
        assert_ne!(
            h1.conn("test").unwrap().transport().port_id(),
            h2.conn("test").unwrap().transport().port_id()
        );
        h1.add(&Link::veth("s1a", "s1b").unwrap()).unwrap();
        stale_dump(&mut h2); // lo, s1a, s1b
        h2.add(&Link::veth("s2a", "s2b").unwrap()).unwrap();

        stale_error(&mut h1);
        h1.set_link_mtu("s2a", 1400).unwrap();
        assert_eq!(
            h2.links().unwrap().len(),
            5,
            "the dump of now, not the stale one"
        );
        stale_ack(&mut h2);
        let e = h2.add(&Link::veth("s1a", "x").unwrap()).unwrap_err();
        assert!(e.is_exists(), "{e:?}");
        stale_error(&mut h2);
        assert_eq!(h2.get_link("s1b").unwrap().unwrap().name.unwrap(), "s1b");
        stale_dump(&mut h1);
        assert!(h1.get_link("nosuch").unwrap().is_none());
        h1.set_link_mtu("s1a", 1300).unwrap();
        assert_eq!(h1.links().unwrap().len(), 5);

        assert_eq!(ip_link("s2a").unwrap()["mtu"], 1400);
        assert_eq!(ip_link("s1a").unwrap()["mtu"], 1300);
        assert!(ip_link("x").is_none());
        assert_eq!(ip_link_names().len(), 5);
    });
}

// A handle closed with an answer still pending, then new sockets (which may get the
// same port id): they see none of the old replies. And a handle reused after it left
// replies unread still pairs each answer with its request.
#[test]
fn closed_then_reused_handle() {
    if !can_run_kernel_tests("closed_then_reused_handle") {
        return;
    }
    in_netns(|| {
        let mut h = Handle::new().unwrap();
        h.add(&Link::veth("c0", "c1").unwrap()).unwrap();
        stale_error(&mut h);
        stale_dump(&mut h);
        drop(h);

        let mut h = Handle::new().unwrap();
        let mut c = Conn::new(Counting::new());
        let mut req = encode(|b| Link::with_index(1).up().emit(Verb::Change, b));
        c.ack(&mut req).unwrap();
        assert_eq!(c.transport().recvs, 1, "only the ACK arrived");
        assert!(is_up("lo"));
        let names: BTreeSet<String> = h
            .links()
            .unwrap()
            .into_iter()
            .map(|l| l.name_str())
            .collect();
        let want: BTreeSet<String> = ip_link_names().into_iter().collect();
        assert_eq!(names, want);

        // The same handle, reused after leaving answers unread.
        stale_error(&mut h);
        h.set_link_mtu("c0", 1280).unwrap();
        assert_eq!(ip_link("c0").unwrap()["mtu"], 1280);
        stale_dump(&mut h);
        h.add(&Link::veth("c2", "c3").unwrap()).unwrap();
        assert_eq!(h.links().unwrap().len(), 5);
    });
}

// ------------------------------------------------------------------ timeouts

/// A real socket whose sends drop `NLM_F_ACK`: the kernel carries out the request and,
/// having succeeded, answers nothing.
struct NoAck(Socket);

impl Transport for NoAck {
    fn send(&mut self, buf: &[u8]) -> io::Result<()> {
        let mut b = buf.to_vec();
        let flags = u16::from_ne_bytes([b[6], b[7]]) & !NLM_F_ACK;
        b[6..8].copy_from_slice(&flags.to_ne_bytes());
        self.0.send(&b)
    }
    fn recv(&mut self, buf: &mut Vec<u8>) -> io::Result<usize> {
        self.0.recv(buf)
    }
    fn port_id(&self) -> u32 {
        self.0.port_id()
    }
    fn recv_timeout(&self) -> Option<Duration> {
        self.0.recv_timeout()
    }
}

// No reply within the receive timeout: Error::Timeout naming the request and the
// timeout, and the handle works afterwards. Provoked two ways: through
// Handle::set_timeout with a message whose nlmsg_len runs past the datagram (the
// kernel drops such a message silently), and through a transport that strips the
// ACK request from a valid change (the kernel applies it and says nothing).
#[test]
fn timeout_when_no_reply_comes() {
    if !can_run_kernel_tests("timeout_when_no_reply_comes") {
        return;
    }
    in_netns(|| {
        let short = Duration::from_millis(200);
        let mut h = Handle::new().unwrap();
        h.set_timeout(Some(short)).unwrap();
        let mut msg = [0u8; 16];
        MsgBuilder::new(&mut msg, RTM_GETLINK, NLM_F_REQUEST)
            .unwrap()
            .finish()
            .unwrap();
        msg[0..4].copy_from_slice(&64u32.to_ne_bytes()); // claims 64 bytes, has 16
        let e = h.conn("test").unwrap().ack(&mut msg).unwrap_err();
        assert!(
            matches!(e, Error::Timeout { op: "RTM_GETLINK", timeout } if timeout == short),
            "{e:?}"
        );
        assert!(e.to_string().contains("no reply"), "{e}");
        // Still usable, with a longer timeout again.
        h.set_timeout(Some(Duration::from_secs(5))).unwrap();
        assert_eq!(h.get_link("lo").unwrap().unwrap().index, 1);

        let mut s = Socket::new().unwrap();
        s.set_recv_timeout(Some(short)).unwrap();
        let mut c = Conn::new(NoAck(s));
        let mut req = encode(|b| Link::with_index(1).mtu(1400).emit(Verb::Change, b));
        let e = c.ack(&mut req).unwrap_err();
        assert!(
            matches!(
                e,
                Error::Timeout {
                    op: "RTM_NEWLINK",
                    ..
                }
            ),
            "{e:?}"
        );
        assert_eq!(
            ip_link("lo").unwrap()["mtu"],
            1400,
            "the kernel did apply it"
        );
        // A refusal is always answered, ACK requested or not.
        let mut bad = encode(|b| Link::with_index(999_999).mtu(1400).emit(Verb::Change, b));
        let e = c.ack(&mut bad).unwrap_err();
        assert_eq!(e.errno(), Some(libc::ENODEV), "{e:?}");
    });
}

// 10,000 routes, 10,000 neighbours, 10,000 bridge FDB entries and 10,000 rules, each
// set in ONE sendmsg: limits of 1 MiB and 10,000 requests make the socket grow its send buffer
// (SO_SNDBUFFORCE) and receive buffer (room for 10,000 refusals), and every request
// still gets its own result — the two planted duplicates fail, the rest land.
#[test]
fn ten_thousand_routes_neighbours_fdb_entries_and_rules_in_one_sendmsg_each() {
    const TEST: &str = "ten_thousand_routes_neighbours_fdb_entries_and_rules_in_one_sendmsg_each";
    if !can_run_kernel_tests(TEST) {
        return;
    }
    in_netns(|| {
        const N: u32 = 10_000;
        let dup = |i: u32| i == 4_000 || i == N - 1;
        let mut h = Handle::new().unwrap();
        let oif = veth_up(&mut h, "nb0", "nb1");
        h.add(&Link::bridge("br0").unwrap()).unwrap();
        h.set_link_master("nb1", "br0").unwrap();
        let port = h.link_index("nb1").unwrap();
        let limits = BatchLimits {
            max_bytes: 1 << 20,
            max_msgs: N as usize,
        };
        let mac = |i: u32| {
            let b = i.to_be_bytes();
            rtnl::MacAddr([0x02, 0x42, b[0], b[1], b[2], b[3]])
        };
        let ip4 = |i: u32| IpAddr::V4(Ipv4Addr::from(0x0a50_0000 + i));
        // Whether the batch ran (false: qemu-user refused the message type, proven).
        let run = |what: &str, emit: &dyn Fn(u32, &mut [u8]) -> usize| -> bool {
            let mut buf = Vec::new();
            let mut one = vec![0u8; 256];
            for i in 0..N {
                let j = if dup(i) { i - 1 } else { i };
                let n = emit(j, &mut one);
                buf.extend_from_slice(&one[..n]);
            }
            assert!(
                buf.len() > 212_992,
                "{what}: more than a default send buffer"
            );
            let mut c = Conn::new(Counting::new());
            let mut results = Vec::new();
            let sent = c.batch(&mut buf, AckMode::Last, limits, |i, r| {
                assert_eq!(i, results.len(), "{what}: results in order");
                results.push(r)
            });
            if let (Err(e), Ok(emu)) = (&sent, std::env::var("RTNL_QEMU_USER")) {
                // qemu-user refuses the rtnetlink types it does not translate.
                assert_eq!(e.errno(), Some(libc::EOPNOTSUPP), "{what} under {emu}: {e}");
                loud(&format!(
                    "NOT RUN under {emu}: {TEST} ({what}) — qemu-user does not translate \
                     these messages (EOPNOTSUPP, proven just now); it runs natively"
                ));
                return false;
            }
            sent.unwrap_or_else(|e| panic!("{what}: {e}"));
            assert_eq!(c.transport().sends, 1, "{what}: one sendmsg");
            assert_eq!(results.len(), N as usize, "{what}");
            for (i, r) in results.iter().enumerate() {
                if dup(i as u32) {
                    assert!(r.as_ref().unwrap_err().is_exists(), "{what} #{i}: {r:?}");
                } else {
                    assert!(r.is_ok(), "{what} #{i}: {r:?}");
                }
            }
            true
        };
        assert!(run("routes", &|i, b| host_route(i, oif, 100)
            .emit(Verb::Add, b)
            .unwrap()));
        let want: BTreeSet<String> = (0..N).filter(|&i| !dup(i)).map(dst_string).collect();
        assert_eq!(ip_route_dsts(100, "nb0"), want);
        let neighbours = run("neighbours", &|i, b| {
            rtnl::Neighbour::permanent(oif, ip4(i), mac(i))
                .emit(Verb::Add, b)
                .unwrap()
        });
        if !neighbours {
            return;
        }
        run("fdb", &|i, b| {
            rtnl::FdbEntry::master(port, mac(i))
                .state(rtnl::FdbState::Static)
                .emit(Verb::Add, b)
                .unwrap()
        });
        run("rules", &|i, b| {
            rtnl::Rule::new(Family::INET)
                .from_prefix(ip4(i), 32)
                .unwrap()
                .priority(1_000 + i)
                .table(100)
                .emit(Verb::Add, b)
                .unwrap()
        });

        // The kernel's view: every distinct entry, once.
        let neigh = ip_json(&["neigh", "show", "dev", "nb0", "nud", "permanent"]);
        assert_eq!(neigh.as_array().unwrap().len(), (N - 2) as usize);
        let rules = ip_json(&["rule", "show", "table", "100"]);
        assert_eq!(rules.as_array().unwrap().len(), (N - 2) as usize);
        let out = std::process::Command::new("bridge")
            .args(["-j", "fdb", "show", "br", "br0", "brport", "nb1"])
            .output()
            .expect("bridge");
        let fdb: serde_json::Value = serde_json::from_slice(&out.stdout).expect("bridge -j");
        let ours = fdb
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["mac"].as_str().is_some_and(|m| m.starts_with("02:42:")))
            .filter(|e| e["state"].as_str() == Some("static"))
            .count();
        assert_eq!(ours, (N - 2) as usize);
    });
}
