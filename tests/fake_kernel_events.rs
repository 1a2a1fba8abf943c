//! The monitor (`rtnl::Monitor`) driven by a scripted fake kernel, in the manner of
//! `tests/fake_kernel.rs`: an [`EventSource`] that checks what is sent and hands back
//! canned datagrams — replies built from the requests it saw (their sequence numbers
//! come from a seed) interleaved with notifications on the one socket, errors
//! (`ENOBUFS`), and the end of time (`EAGAIN`: an exhausted script is a deadline that
//! passed, never a hang).
//!
//! What the kernel cannot be made to do on demand is done here: notifications
//! arriving between the parts of a dump, an overrun in the middle of a snapshot, a
//! dump flagged inconsistent, a lookup whose answer was dropped, a datagram larger
//! than the buffer, a refused dump, a malformed datagram. No kernel needed.

use rtnl::abi::*;
use rtnl::socket::{RecvMeta, Wait};
use rtnl::wire::event::ObjectMsg;
use rtnl::wire::{Messages, MsgBuilder};
use rtnl::{
    Error, EventFilter, EventKind, EventSource, Group, LinkCondition, LinkMatch, Monitor,
    OwnedEventKind, RouteMatch, Snapshot, Transport,
};
use std::collections::VecDeque;
use std::io;
use std::time::{Duration, Instant};

/// Our fake socket's port id.
const PID: u32 = 4242;

/// What the fake saw.
#[derive(Default, Debug)]
struct Log {
    /// Every datagram sent.
    sends: Vec<Vec<u8>>,
    /// Groups joined and left (negative: left).
    groups: Vec<i64>,
    /// How each receive was asked to wait.
    waits: Vec<Wait>,
}

impl Log {
    /// The sequence number of the last request sent.
    fn seq(&self) -> u32 {
        let m = self.sends.last().expect("a request was sent");
        u32::from_ne_bytes(m[8..12].try_into().unwrap())
    }
    /// The message type of request `i`.
    fn sent_type(&self, i: usize) -> u16 {
        u16::from_ne_bytes(self.sends[i][4..6].try_into().unwrap())
    }
}

type Build = Box<dyn FnMut(&Log) -> Vec<u8>>;

enum Step {
    /// Expect a send.
    Send,
    /// Fail the next send with this errno.
    SendErr(i32),
    /// Answer the next receive with this datagram (and namespace id).
    Recv(Build, Option<i32>),
    /// Fail the next receive with this errno.
    RecvErr(i32),
}

struct Fake {
    script: VecDeque<Step>,
    log: Log,
    drops: u32,
}

impl Fake {
    fn new(script: Vec<Step>) -> Fake {
        Fake {
            script: script.into(),
            log: Log::default(),
            drops: 0,
        }
    }
}

impl Transport for Fake {
    fn send(&mut self, buf: &[u8]) -> io::Result<()> {
        match self.script.pop_front() {
            Some(Step::Send) => {
                let m = Messages::new(buf).next().unwrap().unwrap();
                assert_ne!(m.header.nlmsg_flags & NLM_F_REQUEST, 0);
                self.log.sends.push(buf.to_vec());
                Ok(())
            }
            Some(Step::SendErr(e)) => Err(io::Error::from_raw_os_error(e)),
            _ => panic!("the script did not expect a send here"),
        }
    }
    fn recv(&mut self, _buf: &mut Vec<u8>) -> io::Result<usize> {
        panic!("a monitor receives with recv_event")
    }
    fn port_id(&self) -> u32 {
        PID
    }
}

impl EventSource for Fake {
    fn join(&mut self, group: u32) -> io::Result<()> {
        self.log.groups.push(i64::from(group));
        Ok(())
    }
    fn leave(&mut self, group: u32) -> io::Result<()> {
        self.log.groups.push(-i64::from(group));
        Ok(())
    }
    fn recv_event(&mut self, buf: &mut [u8], wait: Wait) -> io::Result<RecvMeta> {
        self.log.waits.push(wait);
        match self.script.front() {
            Some(Step::Recv(..)) | Some(Step::RecvErr(_)) => {}
            // Nothing more will come: as a deadline that passes.
            _ => return Err(io::Error::from_raw_os_error(libc::EAGAIN)),
        }
        match self.script.pop_front() {
            Some(Step::Recv(mut f, nsid)) => {
                let d = f(&self.log);
                let n = d.len().min(buf.len());
                buf[..n].copy_from_slice(&d[..n]);
                Ok(RecvMeta {
                    len: d.len(),
                    truncated: d.len() > buf.len(),
                    nsid,
                    group: None,
                })
            }
            Some(Step::RecvErr(e)) => {
                if e == libc::ENOBUFS {
                    self.drops += 3;
                }
                Err(io::Error::from_raw_os_error(e))
            }
            _ => unreachable!(),
        }
    }
    fn drops(&self) -> Option<u32> {
        Some(self.drops)
    }
}

fn recv(f: impl FnMut(&Log) -> Vec<u8> + 'static) -> Step {
    Step::Recv(Box::new(f), None)
}

fn recv_from(nsid: i32, f: impl FnMut(&Log) -> Vec<u8> + 'static) -> Step {
    Step::Recv(Box::new(f), Some(nsid))
}

fn monitor(groups: &[Group], script: Vec<Step>) -> Monitor<Fake> {
    let mut m = Monitor::from_source(Fake::new(script));
    for g in groups {
        m.join(*g).unwrap();
    }
    m
}

fn consumed(m: &Monitor<Fake>) {
    assert!(
        m.source().script.is_empty(),
        "{} script steps left over",
        m.source().script.len()
    );
}

// ---- the kernel's messages ---------------------------------------------------------

/// A link message: `ty` (RTM_NEWLINK/DELLINK), index, name, up, operstate, carrier.
fn link(ty: u16, index: i32, name: &str, up: bool, oper: u8, seq: u32, pid: u32) -> Vec<u8> {
    let mut buf = vec![0u8; 256];
    let mut b = MsgBuilder::new(&mut buf, ty, 0).unwrap();
    b.header(&IfInfoMsg {
        ifi_index: index,
        ifi_flags: if up { IFF_UP } else { 0 },
        ..Default::default()
    })
    .unwrap();
    b.attr_str(IFLA_IFNAME, name).unwrap();
    b.attr_u8(IFLA_OPERSTATE, oper).unwrap();
    b.attr_u8(IFLA_CARRIER, u8::from(oper == IF_OPER_UP))
        .unwrap();
    b.attr_bytes(IFLA_ADDRESS, &[2, 0, 0, 0, 0, index as u8])
        .unwrap();
    let n = b.finish().unwrap();
    buf.truncate(n);
    stamp(&mut buf, seq, pid);
    buf
}

/// A notification about link `index` from another process (its port id 999, its
/// request's seq).
fn note(ty: u16, index: i32, name: &str, up: bool) -> Vec<u8> {
    link(
        ty,
        index,
        name,
        up,
        if up { IF_OPER_UP } else { 2 },
        77,
        999,
    )
}

/// A dump item answering the last request.
fn item(log: &Log, index: i32, name: &str) -> Vec<u8> {
    let mut v = link(RTM_NEWLINK, index, name, false, 2, log.seq(), PID);
    v[6..8].copy_from_slice(&NLM_F_MULTI.to_ne_bytes());
    v
}

fn stamp(buf: &mut [u8], seq: u32, pid: u32) {
    buf[8..12].copy_from_slice(&seq.to_ne_bytes());
    buf[12..16].copy_from_slice(&pid.to_ne_bytes());
}

/// `NLMSG_DONE` answering the last request (`flags`: `NLM_F_DUMP_INTR`).
fn done(log: &Log, flags: u16) -> Vec<u8> {
    let mut buf = vec![0u8; 20];
    buf[0..4].copy_from_slice(&20u32.to_ne_bytes());
    buf[4..6].copy_from_slice(&NLMSG_DONE.to_ne_bytes());
    buf[6..8].copy_from_slice(&(NLM_F_MULTI | flags).to_ne_bytes());
    stamp(&mut buf, log.seq(), PID);
    buf
}

/// `NLMSG_ERROR` with `errno` answering the last request.
fn error(log: &Log, errno: i32) -> Vec<u8> {
    let mut buf = vec![0u8; 64];
    let mut b = MsgBuilder::new(&mut buf, NLMSG_ERROR, NLM_F_CAPPED).unwrap();
    let req = rtnl::abi::NlMsgHdr::read_from(log.sends.last().unwrap()).unwrap();
    b.header(&NlMsgErr {
        error: -errno,
        msg: req,
    })
    .unwrap();
    let n = b.finish().unwrap();
    buf.truncate(n);
    stamp(&mut buf, log.seq(), PID);
    buf
}

fn cat(parts: &[Vec<u8>]) -> Vec<u8> {
    parts.concat()
}

/// Reads every event until the script ends, as short descriptions.
fn drain(m: &mut Monitor<Fake>) -> Vec<String> {
    let mut out = Vec::new();
    loop {
        match m.recv(None) {
            Ok(Some(ev)) => out.push(ev.describe()),
            Ok(None) => return out,
            Err(e) => out.push(format!("error: {e}")),
        }
    }
}

fn snap(id: u64) -> Snapshot {
    Snapshot { id, resync: false }
}

// ---- scenarios ---------------------------------------------------------------------

// A snapshot on the socket that already listens: a change queued before the dump's
// first message comes before SnapshotStart; changes between its parts come between
// its items, in the kernel's order; SnapshotEnd after DONE.
#[test]
fn a_snapshot_interleaves_with_notifications_in_the_kernels_order() {
    let mut m = monitor(
        &[Group::LINK],
        vec![
            Step::Send,
            recv(|_| note(RTM_NEWLINK, 5, "early", true)),
            recv(|l| cat(&[item(l, 1, "lo"), item(l, 2, "a")])),
            recv(|_| note(RTM_DELLINK, 2, "a", false)),
            recv(|l| cat(&[item(l, 3, "b"), done(l, 0)])),
            recv(|_| note(RTM_NEWLINK, 3, "b", true)),
        ],
    );
    assert_eq!(m.snapshot().unwrap(), 1);
    assert_eq!(m.source().log.sent_type(0), RTM_GETLINK);
    assert_eq!(m.snapshots_pending(), 1);
    assert_eq!(
        drain(&mut m),
        [
            "new link early on 5",
            "snapshot 1 start",
            "dumped link lo on 1",
            "dumped link a on 2",
            "deleted link a on 2",
            "dumped link b on 3",
            "snapshot 1 end",
            "new link b on 3",
        ]
    );
    assert_eq!(m.snapshots_pending(), 0);
    assert_eq!(m.stats().datagrams, 5);
    assert_eq!(m.stats().events, 8);
    consumed(&m);
}

// A snapshot dumps every joined group in order, one dump after the other on the same
// socket; one the kernel refuses (here: as qemu-user refuses to send a neighbour
// dump) comes out as an error, and the snapshot goes on and ends.
#[test]
fn a_snapshot_dumps_each_group_and_survives_a_refused_one() {
    let mut m = monitor(
        &[Group::LINK, Group::NEIGH, Group::IPV4_ROUTE],
        vec![
            Step::Send,
            recv(|l| cat(&[item(l, 1, "lo"), done(l, 0)])),
            Step::SendErr(libc::EOPNOTSUPP),
            Step::Send,
            recv(|l| error(l, libc::EINVAL)),
        ],
    );
    let id = m.snapshot().unwrap();
    let mut seen = Vec::new();
    let mut errors = Vec::new();
    loop {
        match m.recv(None) {
            Ok(Some(ev)) => seen.push(ev.describe()),
            Ok(None) => break,
            Err(e) => errors.push(e),
        }
    }
    assert_eq!(
        seen,
        ["snapshot 1 start", "dumped link lo on 1", "snapshot 1 end"]
    );
    assert_eq!(id, 1);
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(errors[0].errno(), Some(libc::EOPNOTSUPP), "{}", errors[0]);
    assert!(
        matches!(&errors[1], Error::Kernel { op: "RTM_GETROUTE", errno, .. } if *errno == libc::EINVAL),
        "{}",
        errors[1]
    );
    let log = &m.source().log;
    assert_eq!(log.sent_type(0), RTM_GETLINK);
    assert_eq!(log.sent_type(1), RTM_GETROUTE);
    consumed(&m);
}

// ENOBUFS is an event, never an error; with resync on, the monitor takes a new
// snapshot of every joined group at once (the dump is sent while handling the
// overrun) and says so.
#[test]
fn an_overrun_is_an_event_and_resync_takes_a_new_snapshot() {
    let mut m = monitor(
        &[Group::LINK],
        vec![
            recv(|_| note(RTM_NEWLINK, 4, "x", true)),
            Step::RecvErr(libc::ENOBUFS),
            Step::Send,
            recv(|_| note(RTM_NEWLINK, 4, "x", false)),
            recv(|l| cat(&[item(l, 4, "x"), done(l, 0)])),
        ],
    );
    m.set_resync(true);
    let mut kinds = Vec::new();
    while let Some(ev) = m.recv(None).unwrap() {
        kinds.push(ev.to_owned().kind);
    }
    assert!(matches!(kinds[0], OwnedEventKind::New(_)));
    assert_eq!(kinds[1], OwnedEventKind::Overrun { dropped: Some(3) });
    // A notification queued before the resync's first answer: before its start.
    assert!(matches!(kinds[2], OwnedEventKind::New(_)));
    let resync = Snapshot {
        id: 1,
        resync: true,
    };
    assert_eq!(kinds[3], OwnedEventKind::SnapshotStart(resync));
    assert!(matches!(kinds[4], OwnedEventKind::Dumped(_)));
    assert_eq!(kinds[5], OwnedEventKind::SnapshotEnd(resync));
    assert_eq!(kinds.len(), 6);
    assert_eq!(m.stats().overruns, 1);
    assert_eq!(m.stats().dropped, 3);
    consumed(&m);

    // Without resync: the overrun alone, and nothing is sent.
    let mut m = monitor(&[Group::LINK], vec![Step::RecvErr(libc::ENOBUFS)]);
    assert_eq!(drain(&mut m), ["overrun (3 dropped)"]);
    consumed(&m);
}

// After an overrun the kernel drops everything for the socket, silently, until its
// queue has been read empty: the resync is sent only then (a send before would be
// refused by the script), after every event already queued was delivered.
#[test]
fn after_an_overrun_the_queue_is_drained_before_the_resync_is_sent() {
    let mut m = monitor(
        &[Group::LINK],
        vec![
            Step::RecvErr(libc::ENOBUFS),
            recv(|_| note(RTM_NEWLINK, 4, "queued", true)),
            recv(|_| note(RTM_NEWLINK, 5, "queued", true)),
            // (empty now: EAGAIN) then the resync goes out.
            Step::Send,
            recv(|l| cat(&[item(l, 4, "queued"), done(l, 0)])),
        ],
    );
    m.set_resync(true);
    assert_eq!(
        drain(&mut m),
        [
            "overrun (3 dropped)",
            "new link queued on 4",
            "new link queued on 5",
            "snapshot 1 start",
            "dumped link queued on 4",
            "snapshot 1 end",
        ]
    );
    let waits = &m.source().log.waits;
    assert_eq!(waits[3], Wait::No, "the drain does not wait: {waits:?}");
    consumed(&m);
}

// An overrun in the middle of a snapshot: the dump goes on (the kernel keeps a dump's
// parts, it drops only notifications), and a resync snapshot follows it.
#[test]
fn an_overrun_during_a_snapshot_queues_a_resync_after_it() {
    let mut m = monitor(
        &[Group::LINK],
        vec![
            Step::Send,
            recv(|l| item(l, 1, "lo")),
            Step::RecvErr(libc::ENOBUFS),
            recv(|l| cat(&[item(l, 2, "a"), done(l, 0)])),
            Step::Send,
            recv(|l| cat(&[item(l, 1, "lo"), item(l, 2, "a"), done(l, 0)])),
        ],
    );
    m.set_resync(true);
    m.snapshot().unwrap();
    assert_eq!(
        drain(&mut m),
        [
            "snapshot 1 start",
            "dumped link lo on 1",
            "overrun (3 dropped)",
            "dumped link a on 2",
            "snapshot 1 end",
            "snapshot 2 start",
            "dumped link lo on 1",
            "dumped link a on 2",
            "snapshot 2 end",
        ]
    );
    assert_eq!(m.snapshots_pending(), 0);
    consumed(&m);
}

// NLM_F_DUMP_INTR on a dump: it is taken again before the snapshot ends (a dump that
// raced with changes may have skipped an object no notification will name).
#[test]
fn an_inconsistent_dump_is_taken_again_before_the_snapshot_ends() {
    let mut m = monitor(
        &[Group::LINK],
        vec![
            Step::Send,
            recv(|l| cat(&[item(l, 1, "lo"), done(l, NLM_F_DUMP_INTR)])),
            Step::Send,
            recv(|l| cat(&[item(l, 1, "lo"), item(l, 2, "skipped"), done(l, 0)])),
        ],
    );
    m.snapshot().unwrap();
    assert_eq!(
        drain(&mut m),
        [
            "snapshot 1 start",
            "dumped link lo on 1",
            "dumped link lo on 1",
            "dumped link skipped on 2",
            "snapshot 1 end",
        ]
    );
    let log = &m.source().log;
    assert_ne!(
        u32::from_ne_bytes(log.sends[0][8..12].try_into().unwrap()),
        log.seq(),
        "sent again with a new sequence number"
    );
    consumed(&m);
}

// A lookup's answer can be dropped like a notification (the kernel drops unicast
// replies to a full socket too): after an overrun the lookup is sent again, and the
// answer to the first, if it comes after all, is not taken for a notification.
#[test]
fn a_lookup_in_flight_during_an_overrun_is_sent_again() {
    let first_seq = std::rc::Rc::new(std::cell::Cell::new(0u32));
    let s1 = first_seq.clone();
    let s2 = first_seq.clone();
    let mut m = monitor(
        &[Group::LINK],
        vec![
            Step::Send,
            Step::RecvErr(libc::ENOBUFS),
            Step::Send,
            // The first lookup's answer after all (its old seq): skipped.
            recv(move |l| {
                s1.set(u32::from_ne_bytes(l.sends[0][8..12].try_into().unwrap()));
                let mut v = link(RTM_NEWLINK, 7, "eth0", true, IF_OPER_UP, s2.get(), PID);
                stamp(&mut v, s1.get(), PID);
                v
            }),
            recv(|l| link(RTM_NEWLINK, 7, "eth0", true, IF_OPER_UP, l.seq(), PID)),
        ],
    );
    let get = rtnl::wire::link::LinkGet {
        link: "eth0".into(),
        stats: false,
    };
    let id = m.query(&get, false).unwrap();
    assert_eq!(
        drain(&mut m),
        [
            "overrun (3 dropped)",
            "snapshot 1 start",
            "dumped link eth0 on 7",
            "snapshot 1 end"
        ]
    );
    assert_eq!(id, 1);
    assert_ne!(first_seq.get(), 0);
    consumed(&m);
}

// A lookup of what does not exist (ENODEV) is an empty snapshot, not an error.
#[test]
fn a_lookup_of_nothing_is_an_empty_snapshot() {
    let mut m = monitor(
        &[Group::LINK],
        vec![Step::Send, recv(|l| error(l, libc::ENODEV))],
    );
    let get = rtnl::wire::link::LinkGet {
        link: "nope".into(),
        stats: false,
    };
    m.query(&get, false).unwrap();
    assert_eq!(drain(&mut m), ["snapshot 1 start", "snapshot 1 end"]);
    consumed(&m);
}

// A datagram larger than the buffer is lost, reported as an overrun, and the buffer
// grows so the next one of that size fits.
#[test]
fn a_datagram_larger_than_the_buffer_is_an_overrun_and_the_buffer_grows() {
    let big = |_: &Log| {
        let mut buf = vec![0u8; 100 << 10];
        let mut b = MsgBuilder::new(&mut buf, RTM_NEWLINK, 0).unwrap();
        b.header(&IfInfoMsg {
            ifi_index: 9,
            ..Default::default()
        })
        .unwrap();
        for _ in 0..1500 {
            b.attr_bytes(IFLA_VFINFO_LIST, &[0u8; 60]).unwrap();
        }
        let n = b.finish().unwrap();
        buf.truncate(n);
        buf
    };
    let mut m = monitor(&[Group::LINK], vec![recv(big), recv(big)]);
    assert_eq!(drain(&mut m), ["overrun (1 dropped)", "new link on 9"]);
    consumed(&m);
}

// A datagram that cannot be read is an event; the monitor goes on.
#[test]
fn a_malformed_datagram_is_an_event_and_the_monitor_goes_on() {
    let mut m = monitor(
        &[Group::LINK],
        vec![
            recv(|_| vec![0xff; 10]),
            recv(|_| {
                let mut v = note(RTM_NEWLINK, 4, "x", true);
                v.truncate(20); // nlmsg_len says more
                v
            }),
            recv(|_| note(RTM_NEWLINK, 4, "x", true)),
        ],
    );
    assert_eq!(
        drain(&mut m),
        [
            "malformed message (truncated header)",
            "malformed message (length field out of bounds)",
            "new link x on 4"
        ]
    );
    consumed(&m);
}

// A message of a type not modelled is delivered raw; a modelled type that cannot be
// read is Malformed with its message.
#[test]
fn unmodelled_and_unreadable_messages_keep_their_bytes() {
    let mut m = monitor(
        &[Group(RTNLGRP_IPV4_NETCONF)],
        vec![
            recv(|_| {
                let mut buf = vec![0u8; 64];
                let mut b = MsgBuilder::new(&mut buf, RTM_NEWNETCONF, 0).unwrap();
                b.raw(&[AF_INET, 0, 0, 0]).unwrap();
                b.attr_u32(1, 7).unwrap();
                let n = b.finish().unwrap();
                buf.truncate(n);
                buf
            }),
            recv(|_| {
                let mut buf = vec![0u8; 64];
                let mut b = MsgBuilder::new(&mut buf, RTM_NEWADDR, 0).unwrap();
                b.raw(&[AF_INET, 24]).unwrap(); // an ifaddrmsg cut short
                let n = b.finish().unwrap();
                buf.truncate(n);
                buf
            }),
        ],
    );
    let ev = m.recv(None).unwrap().unwrap();
    assert_eq!(ev.kind, EventKind::Other);
    assert_eq!(ev.message.unwrap().header.nlmsg_type, RTM_NEWNETCONF);
    assert!(ev.is_notification());
    let OwnedEventKind::Other(raw) = ev.to_owned().kind else {
        panic!()
    };
    assert_eq!(raw.payload.len(), 12);
    let ev = m.recv(None).unwrap().unwrap();
    assert!(matches!(ev.kind, EventKind::Malformed(_)), "{ev:?}");
    assert_eq!(ev.message.unwrap().header.nlmsg_type, RTM_NEWADDR);
    assert!(m.recv(None).unwrap().is_none());
    consumed(&m);
}

// With NETLINK_LISTEN_ALL_NSID each event carries its namespace's id; a message from
// another namespace is a notification even when its port id and seq look like the
// answer to our request (port ids are per namespace).
#[test]
fn events_of_other_namespaces_carry_their_id_and_are_never_taken_for_answers() {
    let mut m = monitor(
        &[Group::LINK],
        vec![
            Step::Send,
            recv_from(7, |l| item(l, 1, "lo")),
            recv(|l| cat(&[item(l, 1, "lo"), done(l, 0)])),
        ],
    );
    m.snapshot().unwrap();
    let ev = m.recv(None).unwrap().unwrap();
    assert_eq!(ev.nsid, Some(7));
    assert!(matches!(ev.kind, EventKind::New(_)), "{ev:?}");
    assert_eq!(
        drain(&mut m),
        ["snapshot 1 start", "dumped link lo on 1", "snapshot 1 end"]
    );
    consumed(&m);
}

// A filter means the same with or without a kernel to run it: a source without
// SO_ATTACH_FILTER (this fake) gets the same test in user space.
#[test]
fn the_filter_also_applies_in_user_space() {
    let mut m = monitor(
        &[Group::LINK],
        vec![
            Step::Send,
            recv(|_| note(RTM_NEWLINK, 4, "other", true)),
            recv(|_| note(RTM_NEWLINK, 5, "mine", true)),
            recv(|l| cat(&[item(l, 4, "other"), done(l, 0)])),
        ],
    );
    m.set_filter(Some(EventFilter::types(&[RTM_NEWLINK]).index(5)))
        .unwrap();
    assert_eq!(m.filter().unwrap().index, Some(5));
    // Replies to our own requests always pass.
    m.snapshot().unwrap();
    assert_eq!(
        drain(&mut m),
        [
            "new link mine on 5",
            "snapshot 1 start",
            "dumped link other on 4",
            "snapshot 1 end"
        ]
    );
    consumed(&m);
}

// The owned iterator, and the wait each receive is asked for.
#[test]
fn the_iterator_yields_owned_events_until_the_deadline() {
    let mut m = monitor(
        &[Group::LINK],
        vec![
            recv(|_| note(RTM_NEWLINK, 4, "a", true)),
            recv(|_| note(RTM_DELLINK, 4, "a", false)),
        ],
    );
    let deadline = Instant::now() + Duration::from_secs(5);
    let evs: Vec<_> = m.iter_until(deadline).collect::<Result<_, _>>().unwrap();
    assert_eq!(evs.len(), 2);
    let OwnedEventKind::New(rtnl::wire::event::OwnedObject::Link(l)) = &evs[0].kind else {
        panic!("{evs:?}")
    };
    assert_eq!(l.name_str(), "a");
    assert!(matches!(evs[1].kind, OwnedEventKind::Deleted(_)));
    assert!(m
        .source()
        .log
        .waits
        .iter()
        .all(|w| *w == Wait::Until(deadline)));
    assert!(m.try_recv().unwrap().is_none());
    assert_eq!(m.source().log.waits.last(), Some(&Wait::No));
}

// ---- waits -------------------------------------------------------------------------

fn soon() -> Instant {
    Instant::now() + Duration::from_secs(5)
}

// wait_link: the lookup says "down", a notification brings it up: returned then,
// owned. The group is joined first, then the lookup is sent.
#[test]
fn wait_link_looks_then_listens() {
    let mut m = monitor(
        &[],
        vec![
            Step::Send,
            recv(|_| note(RTM_NEWLINK, 3, "other", true)),
            recv(|l| link(RTM_NEWLINK, 7, "eth0", false, 2, l.seq(), PID)),
            recv(|_| note(RTM_NEWLINK, 7, "eth0", true)),
        ],
    );
    let l = m
        .wait_link(LinkMatch::Name("eth0"), LinkCondition::OperUp, soon())
        .unwrap();
    assert_eq!((l.index, l.name_str().as_str()), (7, "eth0"));
    assert_eq!(m.source().log.groups, [i64::from(RTNLGRP_LINK)]);
    assert_eq!(m.source().log.sent_type(0), RTM_GETLINK);
    consumed(&m);
}

// By MAC: a dump, then the NIC appears (a driver still probing).
#[test]
fn wait_link_by_mac_sees_a_nic_appear() {
    let mut m = monitor(
        &[],
        vec![
            Step::Send,
            recv(|l| cat(&[item(l, 1, "lo"), done(l, 0)])),
            recv(|_| note(RTM_NEWLINK, 2, "eth0", false)),
        ],
    );
    let mac = rtnl::MacAddr([2, 0, 0, 0, 0, 2]);
    let l = m
        .wait_link(LinkMatch::Mac(mac), LinkCondition::Exists, soon())
        .unwrap();
    assert_eq!(l.name_str(), "eth0");
    consumed(&m);
}

// The overrun path of a wait: it asks again, so a change it lost is still seen.
#[test]
fn wait_link_asks_again_after_an_overrun() {
    let mut m = monitor(
        &[],
        vec![
            Step::Send,
            recv(|l| link(RTM_NEWLINK, 7, "eth0", false, 2, l.seq(), PID)),
            Step::RecvErr(libc::ENOBUFS),
            Step::Send,
            recv(|l| link(RTM_NEWLINK, 7, "eth0", true, IF_OPER_UP, l.seq(), PID)),
        ],
    );
    let l = m
        .wait_link(LinkMatch::Index(7), LinkCondition::Up, soon())
        .unwrap();
    assert!(l.is_up());
    consumed(&m);
}

// Timeouts name what was awaited and the last state seen.
#[test]
fn wait_timeouts_name_what_was_awaited_and_the_last_state() {
    let mut m = monitor(
        &[],
        vec![
            Step::Send,
            recv(|l| link(RTM_NEWLINK, 7, "eth0", true, 2, l.seq(), PID)),
        ],
    );
    let e = m
        .wait_link(LinkMatch::Name("eth0"), LinkCondition::Carrier, soon())
        .unwrap_err();
    let Error::WaitTimeout {
        awaited, last_seen, ..
    } = &e
    else {
        panic!("{e}")
    };
    assert_eq!(awaited, "link eth0 to have carrier");
    assert_eq!(last_seen, "link eth0 (index 7): up, state DOWN, no carrier");
    assert!(e.is_timeout());
    assert!(e.to_string().starts_with("timed out after "), "{e}");

    // Absent: the lookup answered ENODEV.
    let mut m = monitor(&[], vec![Step::Send, recv(|l| error(l, libc::ENODEV))]);
    let e = m
        .wait_link(LinkMatch::Name("eth9"), LinkCondition::Exists, soon())
        .unwrap_err();
    assert!(
        matches!(&e, Error::WaitTimeout { last_seen, awaited, .. }
            if last_seen == "absent" && awaited == "link eth9 to exist"),
        "{e}"
    );

    // Deleted while waited for.
    let mut m = monitor(
        &[],
        vec![
            Step::Send,
            recv(|l| link(RTM_NEWLINK, 7, "eth0", false, 2, l.seq(), PID)),
            recv(|_| note(RTM_DELLINK, 7, "eth0", false)),
        ],
    );
    let e = m
        .wait_link(LinkMatch::Index(7), LinkCondition::Up, soon())
        .unwrap_err();
    assert!(
        matches!(&e, Error::WaitTimeout { last_seen, .. } if last_seen.starts_with("absent (deleted: link eth0")),
        "{e}"
    );

    // No answer at all (the lookup's answer never came).
    let mut m = monitor(&[], vec![Step::Send]);
    let e = m
        .wait_route(
            &RouteMatch::to("10.1.0.0".parse().unwrap(), 16).unwrap(),
            soon(),
        )
        .unwrap_err();
    assert!(
        matches!(&e, Error::WaitTimeout { awaited, last_seen, .. }
            if awaited == "route 10.1.0.0/16 table 254 to appear" && last_seen.starts_with("nothing yet")),
        "{e}"
    );

    // wait_until: the last event read.
    let mut m = monitor(&[], vec![recv(|_| note(RTM_NEWLINK, 4, "x", true))]);
    let e = m
        .wait_until("a miracle", soon(), |_| None::<()>)
        .unwrap_err();
    assert!(
        matches!(&e, Error::WaitTimeout { awaited, last_seen, .. }
            if awaited == "a miracle" && last_seen == "new link x on 4"),
        "{e}"
    );
}

// Invalid input is refused before anything is sent.
#[test]
fn waits_refuse_invalid_input_before_any_syscall() {
    let mut m = monitor(&[], vec![]);
    for e in [
        m.wait_link(LinkMatch::Name("a b"), LinkCondition::Up, soon())
            .unwrap_err(),
        m.wait_link(LinkMatch::Index(0), LinkCondition::Up, soon())
            .unwrap_err(),
        m.wait_dad(0, "fd00::1".parse().unwrap(), soon())
            .unwrap_err(),
        RouteMatch::to("10.1.2.3".parse().unwrap(), 16).unwrap_err(),
        RouteMatch::to("10.1.2.3".parse().unwrap(), 33).unwrap_err(),
    ] {
        assert!(e.is_invalid_input(), "{e}");
    }
    assert!(m.source().log.sends.is_empty());
    assert!(m.join(Group(0)).unwrap_err().is_invalid_input());
}

// wait_dad: tentative, then tentative cleared; dadfailed is an error naming it.
#[test]
fn wait_dad_returns_when_tentative_clears_and_fails_on_dadfailed() {
    fn addr(ty: u16, flags: u32, seq: u32, pid: u32) -> Vec<u8> {
        let mut buf = vec![0u8; 128];
        let mut b = MsgBuilder::new(&mut buf, ty, 0).unwrap();
        b.header(&IfAddrMsg {
            ifa_family: AF_INET6,
            ifa_prefixlen: 64,
            ifa_flags: flags as u8,
            ifa_scope: 0,
            ifa_index: 3,
        })
        .unwrap();
        b.attr_ip(IFA_ADDRESS, "fd00::1".parse().unwrap()).unwrap();
        b.attr_u32(IFA_FLAGS, flags).unwrap();
        let n = b.finish().unwrap();
        buf.truncate(n);
        stamp(&mut buf, seq, pid);
        if pid == PID {
            buf[6..8].copy_from_slice(&NLM_F_MULTI.to_ne_bytes());
        }
        buf
    }
    let a: std::net::IpAddr = "fd00::1".parse().unwrap();
    let mut m = monitor(
        &[],
        vec![
            Step::Send,
            recv(|l| cat(&[addr(RTM_NEWADDR, IFA_F_TENTATIVE, l.seq(), PID), done(l, 0)])),
            recv(|_| addr(RTM_NEWADDR, IFA_F_PERMANENT, 0, 0)),
        ],
    );
    let got = m.wait_dad(3, a, soon()).unwrap();
    assert_eq!(got.address, a);
    assert!(!got.is_tentative());
    assert_eq!(m.source().log.sent_type(0), RTM_GETADDR);
    assert_eq!(m.source().log.groups, [i64::from(RTNLGRP_IPV6_IFADDR)]);
    consumed(&m);

    let mut m = monitor(
        &[],
        vec![
            Step::Send,
            recv(|l| cat(&[addr(RTM_NEWADDR, IFA_F_TENTATIVE, l.seq(), PID), done(l, 0)])),
            recv(|_| addr(RTM_NEWADDR, IFA_F_TENTATIVE | IFA_F_DADFAILED, 0, 0)),
        ],
    );
    let e = m.wait_dad(3, a, soon()).unwrap_err();
    assert!(
        matches!(e, Error::DadFailed { address, index: 3, .. } if address == a),
        "{e}"
    );
    assert!(e.to_string().contains("fd00::1"), "{e}");

    // Still tentative at the deadline.
    let mut m = monitor(
        &[],
        vec![
            Step::Send,
            recv(|l| cat(&[addr(RTM_NEWADDR, IFA_F_TENTATIVE, l.seq(), PID), done(l, 0)])),
        ],
    );
    let e = m.wait_dad(3, a, soon()).unwrap_err();
    assert!(
        matches!(&e, Error::WaitTimeout { last_seen, .. } if last_seen == "present, flags tentative"),
        "{e}"
    );
}

// wait_route_gone: the snapshot says what is there; it returns when the last match
// is deleted, and at once when there is none.
#[test]
fn wait_route_gone_tracks_what_is_left() {
    fn route(ty: u16, gw: u8, seq: u32, pid: u32) -> Vec<u8> {
        let mut buf = vec![0u8; 128];
        let mut b = MsgBuilder::new(&mut buf, ty, 0).unwrap();
        b.header(&RtMsg {
            rtm_family: AF_INET,
            rtm_dst_len: 16,
            rtm_table: RT_TABLE_MAIN,
            rtm_type: RTN_UNICAST,
            ..Default::default()
        })
        .unwrap();
        b.attr_u32(RTA_TABLE, 254).unwrap();
        b.attr_ip(RTA_DST, "10.1.0.0".parse().unwrap()).unwrap();
        b.attr_u32(RTA_PRIORITY, u32::from(gw)).unwrap();
        b.attr_ip(RTA_GATEWAY, [10, 0, 0, gw].into()).unwrap();
        let n = b.finish().unwrap();
        buf.truncate(n);
        stamp(&mut buf, seq, pid);
        buf
    }
    let want = RouteMatch::to("10.1.0.0".parse().unwrap(), 16).unwrap();
    let mut m = monitor(
        &[],
        vec![
            Step::Send,
            recv(|l| {
                cat(&[
                    route(RTM_NEWROUTE, 1, l.seq(), PID),
                    route(RTM_NEWROUTE, 2, l.seq(), PID),
                    done(l, 0),
                ])
            }),
            recv(|_| route(RTM_DELROUTE, 1, 5, 999)),
            recv(|_| route(RTM_DELROUTE, 2, 6, 999)),
        ],
    );
    m.wait_route_gone(&want, soon()).unwrap();
    assert_eq!(m.source().log.sent_type(0), RTM_GETROUTE);
    consumed(&m);

    let mut m = monitor(&[], vec![Step::Send, recv(|l| done(l, 0))]);
    m.wait_route_gone(&want, soon()).unwrap();
    consumed(&m);

    let mut m = monitor(
        &[],
        vec![
            Step::Send,
            recv(|l| cat(&[route(RTM_NEWROUTE, 1, l.seq(), PID), done(l, 0)])),
        ],
    );
    let e = m.wait_route_gone(&want, soon()).unwrap_err();
    assert!(
        matches!(&e, Error::WaitTimeout { last_seen, awaited, .. }
            if last_seen == "still there: 10.1.0.0/16 via 10.0.0.1 table 254 metric 1"
               && awaited == "route 10.1.0.0/16 table 254 to go away"),
        "{e}"
    );

    // wait_route: appears through a notification.
    let mut m = monitor(
        &[],
        vec![
            Step::Send,
            recv(|l| done(l, 0)),
            recv(|_| route(RTM_NEWROUTE, 9, 5, 999)),
        ],
    );
    let r = m
        .wait_route(&want.via([10, 0, 0, 9].into()), soon())
        .unwrap();
    assert_eq!(r.priority, Some(9));
    consumed(&m);
}

#[test]
fn the_event_of_a_snapshot_reads_as_a_snapshot() {
    let mut m = monitor(
        &[Group::LINK],
        vec![Step::Send, recv(|l| cat(&[item(l, 1, "lo"), done(l, 0)]))],
    );
    m.snapshot().unwrap();
    let ev = m.recv(None).unwrap().unwrap();
    assert_eq!(ev.kind, EventKind::SnapshotStart(snap(1)));
    assert_eq!((ev.object(), ev.exists(), ev.message), (None, None, None));
    let ev = m.recv(None).unwrap().unwrap();
    assert!(matches!(ev.object(), Some(ObjectMsg::Link(_))));
    assert_eq!(ev.exists(), Some(true));
    assert!(!ev.is_notification());
    let ev = m.recv(None).unwrap().unwrap();
    assert_eq!(ev.kind, EventKind::SnapshotEnd(snap(1)));
    consumed(&m);
}
