//! The exchange layer (`rtnl::Conn`) driven by a scripted fake kernel, in the manner
//! of mdlayher/netlink's `nltest`: a [`Transport`] that checks what is sent and hands
//! back canned datagrams built from the requests it saw (their sequence numbers are
//! not known in advance: `Conn` seeds them from ASLR-moved addresses, the pid and a counter).
//!
//! Every script ends with an error, never a block: when a test's exchange reads past
//! the end of its script the fake returns `"script exhausted"`, so a bug shows as a
//! wrong result, not a hang. Every test also checks that its script was consumed
//! exactly (no step left over).
//!
//! No kernel is needed: these tests run everywhere, as any user.

use rtnl::abi::*;
use rtnl::request::DUMP_ATTEMPTS;
use rtnl::wire::link::{LinkGet, LinkMsg, LinkRef};
use rtnl::wire::{Messages, MsgBuilder};
use rtnl::{
    AckMode, BatchLimits, Conn, Decode, Error, Link, LinkFilter, Object, Request, Route, Transport,
    Verb,
};
use std::collections::VecDeque;
use std::io;
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

/// Our fake socket's port id; the kernel addresses replies to it.
const PID: u32 = 4242;

/// What the fake has seen: every datagram sent, and every message header in them.
#[derive(Default, Debug)]
struct Log {
    /// Each successfully sent datagram, in order.
    sends: Vec<Vec<u8>>,
    /// Every `send` call, including the failed ones.
    send_calls: usize,
    /// Every `recv` call, including the failed ones (and those via `recv_small`).
    recv_calls: usize,
    /// The `recv_small` calls among them.
    small_recv_calls: usize,
}

impl Log {
    /// The headers of the messages of datagram `i`.
    fn headers(&self, i: usize) -> Vec<NlMsgHdr> {
        Messages::new(&self.sends[i])
            .map(|m| {
                m.expect("the fake only accepts well-formed requests")
                    .header
            })
            .collect()
    }
    /// The headers of the last datagram sent.
    fn last(&self) -> Vec<NlMsgHdr> {
        self.headers(self.sends.len() - 1)
    }
}

type Reply = Box<dyn FnMut(&Log) -> Vec<u8>>;

/// One step of the script.
enum Step {
    /// Expect a `send`; the datagram must parse and hold `n` messages.
    Send(usize),
    /// Fail the next `send` with this errno.
    SendErr(i32),
    /// Answer the next `recv` with the datagram the closure builds.
    Recv(Reply),
    /// Fail the next `recv` with this errno.
    RecvErr(i32),
}

struct Fake {
    script: VecDeque<Step>,
    log: Log,
    timeout: Option<Duration>,
}

fn exhausted(what: &str) -> io::Error {
    io::Error::other(format!("script exhausted at {what}"))
}

impl Fake {
    fn new(script: Vec<Step>) -> Fake {
        Fake {
            script: script.into(),
            log: Log::default(),
            timeout: Some(Duration::from_millis(250)),
        }
    }
}

impl Transport for Fake {
    fn send(&mut self, buf: &[u8]) -> io::Result<()> {
        self.log.send_calls += 1;
        match self.script.pop_front() {
            Some(Step::Send(n)) => {
                let msgs: Vec<_> = Messages::new(buf)
                    .collect::<Result<_, _>>()
                    .expect("Conn sent a malformed datagram");
                assert_eq!(msgs.len(), n, "messages in datagram");
                for m in &msgs {
                    assert_ne!(m.header.nlmsg_flags & NLM_F_REQUEST, 0, "NLM_F_REQUEST");
                    assert_ne!(m.header.nlmsg_seq, 0, "seq 0 is for notifications");
                }
                self.log.sends.push(buf.to_vec());
                Ok(())
            }
            Some(Step::SendErr(e)) => Err(io::Error::from_raw_os_error(e)),
            Some(Step::Recv(_)) | Some(Step::RecvErr(_)) => {
                panic!("the script expected a recv, Conn sent")
            }
            None => Err(exhausted("send")),
        }
    }

    fn recv(&mut self, buf: &mut Vec<u8>) -> io::Result<usize> {
        self.log.recv_calls += 1;
        match self.script.pop_front() {
            Some(Step::Recv(mut f)) => {
                let d = f(&self.log);
                // Like the real socket: the buffer grows to the datagram's size.
                if buf.len() < d.len() {
                    buf.resize(d.len().next_power_of_two(), 0);
                }
                buf[..d.len()].copy_from_slice(&d);
                Ok(d.len())
            }
            Some(Step::RecvErr(e)) => Err(io::Error::from_raw_os_error(e)),
            Some(Step::Send(_)) | Some(Step::SendErr(_)) => {
                panic!("the script expected a send, Conn received")
            }
            None => Err(exhausted("recv")),
        }
    }

    /// As the real socket's: no growing; a datagram that does not fit is an error.
    fn recv_small(&mut self, buf: &mut Vec<u8>) -> io::Result<usize> {
        self.log.small_recv_calls += 1;
        let had = buf.len();
        let n = self.recv(buf)?;
        if n > had {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{n}-byte datagram cut by a {had}-byte buffer"),
            ));
        }
        Ok(n)
    }

    fn port_id(&self) -> u32 {
        PID
    }

    fn recv_timeout(&self) -> Option<Duration> {
        self.timeout
    }
}

fn conn(script: Vec<Step>) -> Conn<Fake> {
    Conn::new(Fake::new(script))
}

/// Panics unless the whole script was played.
fn assert_consumed(c: &Conn<Fake>) {
    assert!(
        c.transport().script.is_empty(),
        "{} script steps left over",
        c.transport().script.len()
    );
}

fn recv(f: impl FnMut(&Log) -> Vec<u8> + 'static) -> Step {
    Step::Recv(Box::new(f))
}

// ---- building the kernel's answers ------------------------------------------------

/// `NLMSG_ERROR` answering `req` (capped, as our sockets ask): errno 0 is the ACK.
fn error_msg(req: &NlMsgHdr, errno: i32, text: Option<&str>) -> Vec<u8> {
    error_msg_to(req, req.nlmsg_seq, PID, errno, text)
}

fn error_msg_to(req: &NlMsgHdr, seq: u32, pid: u32, errno: i32, text: Option<&str>) -> Vec<u8> {
    let mut buf = vec![0u8; 512];
    let mut flags = NLM_F_CAPPED;
    if text.is_some() {
        flags |= NLM_F_ACK_TLVS;
    }
    let mut b = MsgBuilder::new(&mut buf, NLMSG_ERROR, flags).unwrap();
    b.header(&NlMsgErr {
        error: -errno,
        msg: *req,
    })
    .unwrap();
    if let Some(t) = text {
        b.attr_str(NLMSGERR_ATTR_MSG, t).unwrap();
    }
    let n = b.finish().unwrap();
    buf.truncate(n);
    stamp(&mut buf, seq, pid);
    buf
}

fn ack(req: &NlMsgHdr) -> Vec<u8> {
    error_msg(req, 0, None)
}

/// `NLMSG_DONE` for `seq`, carrying `errno` (0: the plain end of a dump).
fn done(seq: u32, extra_flags: u16, errno: i32, text: Option<&str>) -> Vec<u8> {
    let mut buf = vec![0u8; 512];
    let mut flags = NLM_F_MULTI | extra_flags;
    if text.is_some() {
        flags |= NLM_F_ACK_TLVS;
    }
    let mut b = MsgBuilder::new(&mut buf, NLMSG_DONE, flags).unwrap();
    b.raw(&(-errno).to_ne_bytes()).unwrap();
    if let Some(t) = text {
        b.attr_str(NLMSGERR_ATTR_MSG, t).unwrap();
    }
    let n = b.finish().unwrap();
    buf.truncate(n);
    stamp(&mut buf, seq, PID);
    buf
}

/// An `RTM_NEWLINK` as the kernel sends it in a dump or in answer to a GET.
fn link(seq: u32, flags: u16, index: u32, name: &str) -> Vec<u8> {
    link_to(seq, PID, flags, index, name)
}

fn link_to(seq: u32, pid: u32, flags: u16, index: u32, name: &str) -> Vec<u8> {
    let mut buf = vec![0u8; 256];
    let mut b = MsgBuilder::new(&mut buf, RTM_NEWLINK, flags).unwrap();
    b.header(&IfInfoMsg {
        ifi_index: index as i32,
        ifi_type: 1,
        ..Default::default()
    })
    .unwrap();
    b.attr_str(IFLA_IFNAME, name).unwrap();
    b.attr_u32(IFLA_MTU, 1500).unwrap();
    let n = b.finish().unwrap();
    buf.truncate(n);
    stamp(&mut buf, seq, pid);
    buf
}

fn stamp(msg: &mut [u8], seq: u32, pid: u32) {
    rtnl::wire::set_seq_pid(msg, seq, pid).unwrap();
}

fn cat(parts: &[Vec<u8>]) -> Vec<u8> {
    parts.concat()
}

/// The seq of the only message of the last datagram.
fn seq_of(l: &Log) -> u32 {
    let h = l.last();
    assert_eq!(h.len(), 1);
    h[0].nlmsg_seq
}

// ---- requests -----------------------------------------------------------------------

/// `ip link set dev veth0 up` (flags as `emit` writes them: the exchange adds
/// `NLM_F_REQUEST` and `NLM_F_ACK`).
fn set_up_request() -> Vec<u8> {
    let mut buf = vec![0u8; 128];
    let n = Link::named("veth0")
        .unwrap()
        .up()
        .emit(Verb::Change, &mut buf)
        .unwrap();
    buf.truncate(n);
    buf
}

/// `RTM_GETLINK` for veth0 by name.
fn get_request() -> Vec<u8> {
    let mut buf = vec![0u8; 128];
    let n = LinkGet {
        link: LinkRef::from("veth0"),
        stats: false,
    }
    .emit(&mut buf)
    .unwrap();
    buf.truncate(n);
    buf
}

/// A link dump request (the exchange adds `NLM_F_REQUEST | NLM_F_DUMP`).
fn dump_request() -> Vec<u8> {
    let mut buf = vec![0u8; 128];
    let n = LinkFilter::default().emit(&mut buf).unwrap();
    buf.truncate(n);
    buf
}

/// `n` `RTM_NEWROUTE` requests packed back to back, as `Batch` packs them.
fn route_batch(n: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..n {
        // ip route add 10.9.i.0/24 dev <2> (link scope).
        let r = Route::to(IpAddr::V4(Ipv4Addr::new(10, 9, i as u8, 0)), 24)
            .unwrap()
            .dev(2);
        let mut buf = [0u8; 128];
        let len = r.emit(Verb::Add, &mut buf).unwrap();
        out.extend_from_slice(&buf[..align4(len)]);
    }
    out
}

fn links_of(c: &mut Conn<Fake>) -> (rtnl::Result<()>, Vec<(u32, String)>) {
    let mut got = Vec::new();
    let r = c.dump(&mut dump_request(), |m| {
        let l = LinkMsg::decode(m).map_err(|source| Error::Malformed {
            op: "RTM_GETLINK",
            source,
        })?;
        got.push((l.index(), l.name_str().unwrap().to_owned()));
        Ok(())
    });
    (r, got)
}

fn is_io(e: &Error, errno: i32) -> bool {
    matches!(e, Error::Io { source, .. } if source.raw_os_error() == Some(errno))
}

// ---- single requests ------------------------------------------------------------------

#[test]
fn plain_ack_and_kernel_error_with_extack_text() {
    let mut c = conn(vec![
        Step::Send(1),
        recv(|l| ack(&l.last()[0])),
        Step::Send(1),
        recv(|l| error_msg(&l.last()[0], libc::EOPNOTSUPP, Some("Unknown device type"))),
    ]);
    c.ack(&mut set_up_request()).unwrap();
    // The request went out with NLM_F_ACK and our seq.
    let h = c.transport().log.headers(0)[0];
    assert_ne!(h.nlmsg_flags & NLM_F_ACK, 0);
    let e = c.ack(&mut set_up_request()).unwrap_err();
    assert!(
        matches!(&e, Error::Kernel { op: "RTM_NEWLINK", errno, message: Some(m), attr: None }
            if *errno == libc::EOPNOTSUPP && m == "Unknown device type"),
        "{e:?}"
    );
    assert_consumed(&c);
}

#[test]
fn replies_with_wrong_seq_or_port_id_are_skipped() {
    let mut c = conn(vec![
        Step::Send(1),
        // In one datagram: an error for the previous seq, an error addressed to another
        // port, a link for another seq; then the real ACK.
        recv(|l| {
            let h = l.last()[0];
            cat(&[
                error_msg_to(&h, h.nlmsg_seq.wrapping_sub(1), PID, libc::EEXIST, None),
                error_msg_to(&h, h.nlmsg_seq, PID + 1, libc::EEXIST, None),
                link(h.nlmsg_seq.wrapping_add(7), 0, 9, "other"),
                ack(&h),
            ])
        }),
        Step::Send(1),
        // The same, one per datagram.
        recv(|l| {
            let h = l.last()[0];
            error_msg_to(&h, h.nlmsg_seq.wrapping_add(1), PID, libc::EPERM, None)
        }),
        recv(|l| {
            let h = l.last()[0];
            error_msg_to(&h, h.nlmsg_seq, 77, libc::EPERM, None)
        }),
        recv(|l| ack(&l.last()[0])),
    ]);
    c.ack(&mut set_up_request()).unwrap();
    c.ack(&mut set_up_request()).unwrap();
    assert_consumed(&c);
}

#[test]
fn error_for_an_unknown_sequence_is_ignored() {
    let mut c = conn(vec![
        Step::Send(1),
        recv(|l| {
            let mut stray = l.last()[0];
            stray.nlmsg_seq = 0x1234_5678;
            error_msg_to(&stray, 0x1234_5678, PID, libc::ENOENT, Some("stray"))
        }),
        recv(|l| ack(&l.last()[0])),
    ]);
    c.ack(&mut set_up_request()).unwrap();
    assert_consumed(&c);
}

#[test]
fn ack_after_several_datagrams() {
    // A GET: the link in one datagram, noise in a second, the ACK in a third.
    let mut c = conn(vec![
        Step::Send(1),
        recv(|l| link(seq_of(l), 0, 3, "veth0")),
        recv(|l| link(seq_of(l).wrapping_sub(5), 0, 4, "stale")),
        recv(|l| ack(&l.last()[0])),
    ]);
    let mut got = Vec::new();
    c.request(&mut get_request(), |m| {
        let l = LinkMsg::decode(m).unwrap();
        got.push((l.index(), l.name_str().unwrap().to_owned()));
        Ok(())
    })
    .unwrap();
    assert_eq!(got, vec![(3, "veth0".to_owned())]);
    assert_consumed(&c);
}

#[test]
fn eintr_from_send_and_recv_is_restarted() {
    let mut c = conn(vec![
        Step::SendErr(libc::EINTR),
        Step::SendErr(libc::EINTR),
        Step::Send(1),
        Step::RecvErr(libc::EINTR),
        Step::RecvErr(libc::EINTR),
        Step::RecvErr(libc::EINTR),
        recv(|l| ack(&l.last()[0])),
    ]);
    c.ack(&mut set_up_request()).unwrap();
    assert_eq!(c.transport().log.send_calls, 3);
    assert_eq!(c.transport().log.recv_calls, 4);
    // The same datagram each time: one seq.
    assert_eq!(c.transport().log.sends.len(), 1);
    assert_consumed(&c);
}

#[test]
fn eagain_is_a_timeout_and_other_errors_keep_their_errno() {
    let mut c = conn(vec![
        Step::Send(1),
        Step::RecvErr(libc::EAGAIN),
        Step::Send(1),
        Step::RecvErr(libc::ENOBUFS),
        Step::SendErr(libc::EPERM),
        // The connection is still usable afterwards; the late ACK of the timed-out
        // request (and of the ENOBUFS one) is skipped.
        Step::Send(1),
        recv(|l| {
            let h0 = l.headers(0)[0];
            let h1 = l.headers(1)[0];
            cat(&[ack(&h0), ack(&h1), ack(&l.last()[0])])
        }),
    ]);
    let e = c.ack(&mut set_up_request()).unwrap_err();
    assert!(
        matches!(e, Error::Timeout { op: "RTM_NEWLINK", timeout } if timeout == Duration::from_millis(250)),
        "{e:?}"
    );
    let e = c.ack(&mut set_up_request()).unwrap_err();
    assert!(is_io(&e, libc::ENOBUFS), "{e:?}");
    assert!(e.to_string().contains("RTM_NEWLINK"), "{e}");
    let e = c.ack(&mut set_up_request()).unwrap_err();
    assert!(is_io(&e, libc::EPERM), "{e:?}");
    c.ack(&mut set_up_request()).unwrap();
    assert_consumed(&c);
}

#[test]
fn malformed_datagrams_are_errors_and_the_conn_recovers() {
    let mut c = conn(vec![
        // nlmsg_len past the end of the datagram.
        Step::Send(1),
        recv(|l| {
            let mut d = ack(&l.last()[0]);
            d[0..4].copy_from_slice(&4096u32.to_ne_bytes());
            d
        }),
        // An NLMSG_ERROR for our seq too short to hold a struct nlmsgerr.
        Step::Send(1),
        recv(|l| {
            let d = ack(&l.last()[0]);
            let mut short = d[..24].to_vec();
            short[0..4].copy_from_slice(&24u32.to_ne_bytes());
            short
        }),
        // A header cut short.
        Step::Send(1),
        recv(|l| ack(&l.last()[0])[..10].to_vec()),
        // Extended-ACK TLVs that run past the message.
        Step::Send(1),
        recv(|l| {
            let mut d = error_msg(&l.last()[0], libc::EINVAL, Some("Invalid"));
            // rta_len of the NLMSGERR_ATTR_MSG attribute: far too long.
            d[36..38].copy_from_slice(&200u16.to_ne_bytes());
            d
        }),
        // A dump whose datagram breaks off: the dump still reads to NLMSG_DONE.
        Step::Send(1),
        recv(|l| {
            let s = seq_of(l);
            let mut d = cat(&[link(s, NLM_F_MULTI, 1, "lo"), link(s, NLM_F_MULTI, 2, "x")]);
            d.truncate(d.len() - 9);
            d
        }),
        recv(|l| done(seq_of(l), 0, 0, None)),
        // Then a clean exchange.
        Step::Send(1),
        recv(|l| ack(&l.last()[0])),
    ]);
    for _ in 0..4 {
        let e = c.ack(&mut set_up_request()).unwrap_err();
        assert!(
            matches!(
                e,
                Error::Malformed {
                    op: "RTM_NEWLINK",
                    ..
                }
            ),
            "{e:?}"
        );
    }
    let (r, got) = links_of(&mut c);
    assert!(
        matches!(
            r,
            Err(Error::Malformed {
                op: "RTM_GETLINK",
                ..
            })
        ),
        "{r:?}"
    );
    assert_eq!(got, vec![(1, "lo".to_owned())]);
    c.ack(&mut set_up_request()).unwrap();
    assert_consumed(&c);
}

#[test]
fn an_exhausted_script_is_an_error_not_a_hang() {
    let mut c = conn(vec![Step::Send(1)]);
    let e = c.ack(&mut set_up_request()).unwrap_err();
    assert!(
        matches!(&e, Error::Io { source, .. } if source.to_string().contains("exhausted")),
        "{e:?}"
    );
}

#[test]
fn a_reply_bigger_than_the_receive_buffer_grows_it() {
    // Conn starts with 32 KiB; this dump datagram is ~300 KiB.
    const N: u32 = 8000;
    let mut c = conn(vec![
        Step::Send(1),
        recv(|l| {
            let s = seq_of(l);
            let mut d = Vec::new();
            for i in 0..N {
                d.extend(link(s, NLM_F_MULTI, i + 1, &format!("l{i}")));
            }
            assert!(d.len() > 256 << 10);
            d.extend(done(s, 0, 0, None));
            d
        }),
    ]);
    let (r, got) = links_of(&mut c);
    r.unwrap();
    assert_eq!(got.len(), N as usize);
    assert_eq!(got[N as usize - 1], (N, format!("l{}", N - 1)));
    // Dumps never use the no-growing `recv_small`, which would refuse this datagram.
    assert_eq!(c.transport().log.small_recv_calls, 0);
    assert_consumed(&c);
}

// ---- dumps --------------------------------------------------------------------------

#[test]
fn dump_over_several_datagrams_with_noise() {
    let mut c = conn(vec![
        Step::Send(1),
        recv(|l| {
            let s = seq_of(l);
            cat(&[
                link(s, NLM_F_MULTI, 1, "lo"),
                link(s.wrapping_sub(1), NLM_F_MULTI, 50, "stale"),
                link_to(s, 999, NLM_F_MULTI, 51, "foreign"),
            ])
        }),
        recv(|l| {
            let s = seq_of(l);
            cat(&[
                link(s, NLM_F_MULTI, 2, "veth1"),
                link(s, NLM_F_MULTI, 3, "veth0"),
            ])
        }),
        recv(|l| done(seq_of(l), 0, 0, None)),
    ]);
    let (r, got) = links_of(&mut c);
    r.unwrap();
    let names: Vec<_> = got.iter().map(|(_, n)| n.as_str()).collect();
    assert_eq!(names, ["lo", "veth1", "veth0"]);
    // The request asked for a dump.
    let h = c.transport().log.headers(0)[0];
    assert_eq!(h.nlmsg_flags & NLM_F_DUMP, NLM_F_DUMP);
    assert_consumed(&c);
}

#[test]
fn done_carrying_an_errno_is_a_kernel_error_with_its_text() {
    let mut c = conn(vec![
        Step::Send(1),
        recv(|l| link(seq_of(l), NLM_F_MULTI, 1, "lo")),
        recv(|l| {
            done(
                seq_of(l),
                0,
                libc::EINVAL,
                Some("Invalid header for link dump"),
            )
        }),
    ]);
    let (r, got) = links_of(&mut c);
    let e = r.unwrap_err();
    assert!(
        matches!(&e, Error::Kernel { op: "RTM_GETLINK", errno, message: Some(m), attr: None }
            if *errno == libc::EINVAL && m == "Invalid header for link dump"),
        "{e:?}"
    );
    assert_eq!(e.errno(), Some(libc::EINVAL));
    assert_eq!(got.len(), 1);
    assert_consumed(&c);
}

#[test]
fn a_dump_refused_with_nlmsg_error() {
    let mut c = conn(vec![
        Step::Send(1),
        recv(|l| error_msg(&l.last()[0], libc::EOPNOTSUPP, None)),
    ]);
    let (r, _) = links_of(&mut c);
    assert_eq!(r.unwrap_err().errno(), Some(libc::EOPNOTSUPP));
    assert_consumed(&c);
}

#[test]
fn dump_intr_is_reported_after_the_dump_is_read() {
    let mut c = conn(vec![
        Step::Send(1),
        recv(|l| {
            let s = seq_of(l);
            cat(&[
                link(s, NLM_F_MULTI, 1, "lo"),
                link(s, NLM_F_MULTI | NLM_F_DUMP_INTR, 2, "x"),
            ])
        }),
        recv(|l| done(seq_of(l), NLM_F_DUMP_INTR, 0, None)),
        // The socket is usable afterwards.
        Step::Send(1),
        recv(|l| ack(&l.last()[0])),
    ]);
    let (r, got) = links_of(&mut c);
    assert!(
        matches!(
            r,
            Err(Error::DumpInterrupted {
                op: "RTM_GETLINK",
                attempts: 1
            })
        ),
        "{r:?}"
    );
    assert_eq!(got.len(), 2);
    c.ack(&mut set_up_request()).unwrap();
    assert_consumed(&c);
}

/// A dump of `names` whose messages carry `extra` flags (`NLM_F_DUMP_INTR` or 0).
fn dump_steps(names: &'static [&'static str], extra: u16) -> Vec<Step> {
    vec![
        Step::Send(1),
        recv(move |l| {
            let s = seq_of(l);
            let mut d: Vec<u8> = names
                .iter()
                .enumerate()
                .flat_map(|(i, n)| link(s, NLM_F_MULTI | extra, i as u32 + 1, n))
                .collect();
            d.extend(done(s, extra, 0, None));
            d
        }),
    ]
}

fn consistent_links(c: &mut Conn<Fake>) -> (rtnl::Result<()>, Vec<String>, u32) {
    let out = std::cell::RefCell::new(Vec::new());
    let mut resets = 0;
    let r = c.dump_consistent(
        &mut dump_request(),
        || {
            resets += 1;
            out.borrow_mut().clear()
        },
        |m| {
            out.borrow_mut()
                .push(LinkMsg::decode(m).unwrap().name_str().unwrap().to_owned());
            Ok(())
        },
    );
    (r, out.into_inner(), resets)
}

#[test]
fn dump_consistent_retries_until_clean() {
    let mut script = dump_steps(&["lo", "a", "b"], NLM_F_DUMP_INTR);
    script.extend(dump_steps(&["lo", "b"], NLM_F_DUMP_INTR));
    script.extend(dump_steps(&["lo", "c"], 0));
    let mut c = conn(script);
    let (r, names, resets) = consistent_links(&mut c);
    r.unwrap();
    assert_eq!(names, ["lo", "c"]);
    assert_eq!(resets, 2);
    // Three requests, each with its own seq.
    let seqs: Vec<_> = (0..3)
        .map(|i| c.transport().log.headers(i)[0].nlmsg_seq)
        .collect();
    assert!(seqs[0] != seqs[1] && seqs[1] != seqs[2], "{seqs:?}");
    assert_consumed(&c);
}

#[test]
fn dump_consistent_gives_up_after_dump_attempts() {
    let mut script = Vec::new();
    for _ in 0..DUMP_ATTEMPTS {
        script.extend(dump_steps(&["lo", "a"], NLM_F_DUMP_INTR));
    }
    let mut c = conn(script);
    let (r, _, resets) = consistent_links(&mut c);
    assert!(
        matches!(
            r,
            Err(Error::DumpInterrupted { op: "RTM_GETLINK", attempts }) if attempts == DUMP_ATTEMPTS
        ),
        "{r:?}"
    );
    assert_eq!(resets, DUMP_ATTEMPTS - 1);
    assert_eq!(c.transport().log.sends.len(), DUMP_ATTEMPTS as usize);
    assert_consumed(&c);
}

#[test]
fn dump_consistent_does_not_retry_other_errors() {
    let mut c = conn(vec![
        Step::Send(1),
        recv(|l| done(seq_of(l), 0, libc::EMSGSIZE, None)),
    ]);
    let (r, _, resets) = consistent_links(&mut c);
    assert_eq!(r.unwrap_err().errno(), Some(libc::EMSGSIZE));
    assert_eq!(resets, 0);
    assert_consumed(&c);
}

#[test]
fn dump_timeout_and_enobufs() {
    let mut c = conn(vec![
        Step::Send(1),
        recv(|l| link(seq_of(l), NLM_F_MULTI, 1, "lo")),
        Step::RecvErr(libc::EAGAIN),
        Step::Send(1),
        Step::RecvErr(libc::EINTR),
        Step::RecvErr(libc::ENOBUFS),
    ]);
    let (r, _) = links_of(&mut c);
    assert!(
        matches!(
            r,
            Err(Error::Timeout {
                op: "RTM_GETLINK",
                ..
            })
        ),
        "{r:?}"
    );
    let (r, _) = links_of(&mut c);
    assert!(is_io(&r.unwrap_err(), libc::ENOBUFS));
    assert_consumed(&c);
}

// ---- batches ------------------------------------------------------------------------

type Results = Vec<(usize, rtnl::Result<()>)>;

fn run_batch(
    c: &mut Conn<Fake>,
    n: usize,
    mode: AckMode,
    max_msgs: usize,
) -> (Results, rtnl::Result<()>) {
    let mut msgs = route_batch(n);
    let mut results = Vec::new();
    let r = c.batch(
        &mut msgs,
        mode,
        BatchLimits {
            max_bytes: 64 << 10,
            max_msgs,
        },
        |i, r| results.push((i, r)),
    );
    (results, r)
}

fn indices(results: &Results) -> Vec<usize> {
    results.iter().map(|(i, _)| *i).collect()
}

fn errno_at(results: &Results, i: usize) -> Option<i32> {
    results[i].1.as_ref().err().and_then(|e| e.errno())
}

#[test]
fn batch_ack_last_with_errors_in_the_middle() {
    let mut c = conn(vec![
        Step::Send(5),
        recv(|l| {
            let h = l.last();
            // Only the last asks for an ACK; the others have none unless refused.
            for (i, m) in h.iter().enumerate() {
                assert_eq!(m.nlmsg_flags & NLM_F_ACK != 0, i == 4, "ACK flag on #{i}");
            }
            cat(&[
                error_msg(&h[1], libc::EEXIST, Some("exists")),
                error_msg(&h[3], libc::ENETUNREACH, None),
            ])
        }),
        recv(|l| ack(&l.last()[4])),
    ]);
    let (res, r) = run_batch(&mut c, 5, AckMode::Last, 0);
    r.unwrap();
    assert_eq!(indices(&res), [0, 1, 2, 3, 4]);
    assert!(res[0].1.is_ok() && res[2].1.is_ok() && res[4].1.is_ok());
    let e = res[1].1.as_ref().unwrap_err();
    assert!(
        matches!(e, Error::Kernel { op: "RTM_NEWROUTE", errno, message: Some(m), attr: None }
            if *errno == libc::EEXIST && m == "exists"),
        "{e:?}"
    );
    assert!(e.is_exists());
    assert_eq!(errno_at(&res, 3), Some(libc::ENETUNREACH));
    assert_consumed(&c);
}

#[test]
fn batch_ack_every_with_errors_in_the_middle_and_out_of_order_noise() {
    let mut c = conn(vec![
        Step::Send(6),
        recv(|l| {
            let h = l.last();
            assert!(h.iter().all(|m| m.nlmsg_flags & NLM_F_ACK != 0));
            cat(&[
                ack(&h[0]),
                error_msg(&h[1], libc::EINVAL, Some("bad")),
                // Not ours: another port, a seq before the window.
                error_msg_to(&h[2], h[2].nlmsg_seq, PID + 1, libc::EPERM, None),
                error_msg_to(
                    &h[2],
                    h[0].nlmsg_seq.wrapping_sub(1),
                    PID,
                    libc::EPERM,
                    None,
                ),
                ack(&h[2]),
            ])
        }),
        recv(|l| {
            let h = l.last();
            cat(&[ack(&h[3]), error_msg(&h[4], libc::ENODEV, None)])
        }),
        recv(|l| ack(&l.last()[5])),
    ]);
    let (res, r) = run_batch(&mut c, 6, AckMode::Every, 0);
    r.unwrap();
    assert_eq!(indices(&res), [0, 1, 2, 3, 4, 5]);
    let errnos: Vec<_> = (0..6).map(|i| errno_at(&res, i)).collect();
    assert_eq!(
        errnos,
        [
            None,
            Some(libc::EINVAL),
            None,
            None,
            Some(libc::ENODEV),
            None
        ]
    );
    assert_eq!(res[1].1.as_ref().unwrap_err().kernel_message(), Some("bad"));
    assert_consumed(&c);
}

#[test]
fn batch_windows_split_by_max_msgs() {
    // 7 requests, 3 per datagram: 3 + 3 + 1, each window acknowledged by its last.
    let mut script = Vec::new();
    for (n, err_at) in [(3, Some(0)), (3, None), (1, Some(0))] {
        script.push(Step::Send(n));
        script.push(recv(move |l| {
            let h = l.last();
            let mut d = Vec::new();
            if let Some(i) = err_at {
                d.extend(error_msg(&h[i], libc::EEXIST, None));
            }
            if err_at != Some(n - 1) {
                d.extend(ack(&h[n - 1]));
            }
            d
        }));
    }
    let mut c = conn(script);
    let (res, r) = run_batch(&mut c, 7, AckMode::Last, 3);
    r.unwrap();
    assert_eq!(indices(&res), [0, 1, 2, 3, 4, 5, 6]);
    let errnos: Vec<_> = (0..7).map(|i| errno_at(&res, i)).collect();
    let x = Some(libc::EEXIST);
    assert_eq!(errnos, [x, None, None, None, None, None, x]);
    let log = &c.transport().log;
    assert_eq!(log.sends.len(), 3);
    // Sequence numbers run on across windows.
    let seqs: Vec<u32> = (0..3)
        .flat_map(|i| log.headers(i))
        .map(|h| h.nlmsg_seq)
        .collect();
    for w in seqs.windows(2) {
        assert_eq!(w[1], w[0].wrapping_add(1).max(1), "{seqs:?}");
    }
    assert_consumed(&c);
}

#[test]
fn batch_windows_split_by_max_bytes() {
    let msgs = route_batch(5);
    let one = msgs.len() / 5;
    let mut c = conn(vec![
        Step::Send(2),
        recv(|l| ack(&l.last()[1])),
        Step::Send(2),
        recv(|l| ack(&l.last()[1])),
        Step::Send(1),
        recv(|l| ack(&l.last()[0])),
    ]);
    let mut results = Vec::new();
    let mut buf = msgs.clone();
    c.batch(
        &mut buf,
        AckMode::Last,
        BatchLimits {
            max_bytes: 2 * one + one / 2,
            max_msgs: 0,
        },
        |i, r| results.push((i, r)),
    )
    .unwrap();
    assert_eq!(results.len(), 5);
    assert!(results.iter().all(|(_, r)| r.is_ok()));
    assert_consumed(&c);
}

#[test]
fn batch_enobufs_fails_every_unanswered_request() {
    let mut c = conn(vec![
        Step::Send(5),
        recv(|l| error_msg(&l.last()[1], libc::EEXIST, None)),
        Step::RecvErr(libc::ENOBUFS),
    ]);
    let (res, r) = run_batch(&mut c, 5, AckMode::Last, 0);
    assert!(is_io(&r.unwrap_err(), libc::ENOBUFS));
    assert_eq!(indices(&res), [0, 1, 2, 3, 4]);
    let errnos: Vec<_> = (0..5).map(|i| errno_at(&res, i)).collect();
    let nb = Some(libc::ENOBUFS);
    assert_eq!(errnos, [nb, Some(libc::EEXIST), nb, nb, nb]);
    assert!(matches!(res[1].1, Err(Error::Kernel { .. })));
    assert!(matches!(res[0].1, Err(Error::Io { .. })));
    assert_consumed(&c);
}

#[test]
fn batch_timeout_in_one_window_later_windows_still_run() {
    let mut c = conn(vec![
        Step::Send(2),
        Step::RecvErr(libc::EAGAIN),
        Step::Send(2),
        // The late ACK of window 1 arrives first and is skipped.
        recv(|l| cat(&[ack(&l.headers(0)[1]), ack(&l.last()[1])])),
    ]);
    let (res, r) = run_batch(&mut c, 4, AckMode::Last, 2);
    assert!(matches!(r, Err(Error::Timeout { .. })), "{r:?}");
    assert_eq!(indices(&res), [0, 1, 2, 3]);
    assert!(matches!(res[0].1, Err(Error::Timeout { .. })));
    assert!(matches!(res[1].1, Err(Error::Timeout { .. })));
    assert!(res[2].1.is_ok() && res[3].1.is_ok());
    assert_consumed(&c);
}

#[test]
fn batch_send_failure_and_malformed_reply() {
    let mut c = conn(vec![
        Step::SendErr(libc::EINTR),
        Step::SendErr(libc::EMSGSIZE),
        Step::Send(2),
        recv(|l| {
            let mut d = ack(&l.last()[1]);
            d[0..4].copy_from_slice(&3u32.to_ne_bytes());
            d
        }),
    ]);
    let (res, r) = run_batch(&mut c, 4, AckMode::Every, 2);
    assert!(is_io(&r.unwrap_err(), libc::EMSGSIZE));
    assert_eq!(indices(&res), [0, 1, 2, 3]);
    assert!(is_io(res[0].1.as_ref().unwrap_err(), libc::EMSGSIZE));
    assert!(is_io(res[1].1.as_ref().unwrap_err(), libc::EMSGSIZE));
    assert!(matches!(res[2].1, Err(Error::Malformed { .. })));
    assert!(matches!(res[3].1, Err(Error::Malformed { .. })));
    assert_consumed(&c);
}

#[test]
fn batch_whose_last_request_is_refused() {
    // In AckMode::Last the refusal of the last request is its only answer.
    let mut c = conn(vec![
        Step::Send(3),
        recv(|l| error_msg(&l.last()[2], libc::EEXIST, None)),
    ]);
    let (res, r) = run_batch(&mut c, 3, AckMode::Last, 0);
    r.unwrap();
    let errnos: Vec<_> = (0..3).map(|i| errno_at(&res, i)).collect();
    assert_eq!(errnos, [None, None, Some(libc::EEXIST)]);
    assert_consumed(&c);
}

#[test]
fn batch_across_the_sequence_number_wrap() {
    // Sequence numbers skip 0. Start the counter just below the wrap so that a window
    // spans it, and check every result lands on the right index.
    for start in [u32::MAX - 2, u32::MAX - 1, u32::MAX] {
        let mut c = Conn::with_seq(
            Fake::new(vec![
                Step::Send(4),
                recv(|l| {
                    let h = l.last();
                    cat(&[
                        error_msg(&h[0], libc::EEXIST, None),
                        error_msg(&h[2], libc::ENODEV, None),
                        ack(&h[3]),
                    ])
                }),
            ]),
            start,
        );
        let (res, r) = run_batch(&mut c, 4, AckMode::Last, 0);
        r.unwrap();
        let seqs: Vec<_> = c
            .transport()
            .log
            .headers(0)
            .iter()
            .map(|h| h.nlmsg_seq)
            .collect();
        assert!(!seqs.contains(&0), "{seqs:?}");
        let errnos: Vec<_> = (0..4).map(|i| errno_at(&res, i)).collect();
        assert_eq!(
            errnos,
            [Some(libc::EEXIST), None, Some(libc::ENODEV), None],
            "start {start}, seqs {seqs:?}"
        );
        assert_consumed(&c);
    }
}

#[test]
fn request_and_dump_across_the_sequence_number_wrap() {
    let mut c = Conn::with_seq(
        Fake::new(vec![
            Step::Send(1),
            recv(|l| ack(&l.last()[0])),
            Step::Send(1),
            recv(|l| error_msg(&l.last()[0], libc::ENODEV, None)),
            Step::Send(1),
            recv(|l| {
                let s = seq_of(l);
                cat(&[link(s, NLM_F_MULTI, 1, "lo"), done(s, 0, 0, None)])
            }),
        ]),
        u32::MAX - 1,
    );
    c.ack(&mut set_up_request()).unwrap();
    assert_eq!(
        c.ack(&mut set_up_request()).unwrap_err().errno(),
        Some(libc::ENODEV)
    );
    let (r, got) = links_of(&mut c);
    r.unwrap();
    assert_eq!(got.len(), 1);
    let seqs: Vec<_> = (0..3)
        .map(|i| c.transport().log.headers(i)[0].nlmsg_seq)
        .collect();
    assert_eq!(seqs, [u32::MAX, 1, 2]);
    assert_consumed(&c);
}

#[test]
fn a_callback_error_stops_delivery_but_the_dump_is_read_to_its_end() {
    let mut c = conn(vec![
        Step::Send(1),
        recv(|l| {
            let s = seq_of(l);
            cat(&[
                link(s, NLM_F_MULTI, 1, "lo"),
                link(s, NLM_F_MULTI, 2, "a"),
                link(s, NLM_F_MULTI, 3, "b"),
            ])
        }),
        recv(|l| {
            let s = seq_of(l);
            cat(&[link(s, NLM_F_MULTI, 4, "c"), done(s, 0, 0, None)])
        }),
        Step::Send(1),
        recv(|l| ack(&l.last()[0])),
    ]);
    let mut seen = 0;
    let r = c.dump(&mut dump_request(), |_| {
        seen += 1;
        if seen == 2 {
            return Err(Error::NotFound {
                kind: "link",
                name: "a".into(),
            });
        }
        Ok(())
    });
    assert!(matches!(r, Err(Error::NotFound { .. })), "{r:?}");
    assert_eq!(seen, 2);
    c.ack(&mut set_up_request()).unwrap();
    assert_consumed(&c);
}

#[test]
fn a_malformed_batch_buffer_is_an_encode_error_not_a_panic() {
    for bad in [
        vec![1u8; 7], // shorter than a header
        {
            let mut m = route_batch(2);
            m[0..4].copy_from_slice(&4u32.to_ne_bytes()); // nlmsg_len < 16
            m
        },
        {
            let mut m = route_batch(1);
            m[0..4].copy_from_slice(&1000u32.to_ne_bytes()); // past the end
            m
        },
    ] {
        let mut c = conn(vec![]);
        let mut buf = bad;
        let mut n = 0;
        let r = c.batch(&mut buf, AckMode::Last, BatchLimits::default(), |_, _| {
            n += 1
        });
        assert!(matches!(r, Err(Error::Encode { .. })), "{r:?}");
        assert_eq!(n, 0);
        assert_eq!(c.transport().log.send_calls, 0);
    }
}

#[test]
fn get_without_ack_reply_error_noise_and_malformed() {
    let mut c = conn(vec![
        // The object, after a stale reply and a foreign one.
        Step::Send(1),
        recv(|l| {
            let s = seq_of(l);
            cat(&[
                link(s.wrapping_sub(1), 0, 9, "stale"),
                link_to(s, PID + 1, 0, 8, "foreign"),
                link(s, 0, 3, "veth0"),
            ])
        }),
        // A refusal.
        Step::Send(1),
        recv(|l| error_msg(&l.last()[0], libc::ENODEV, None)),
        // A reply cut short.
        Step::Send(1),
        recv(|l| link(seq_of(l), 0, 3, "veth0")[..20].to_vec()),
        // EINTR, then the object in a later datagram.
        Step::Send(1),
        Step::RecvErr(libc::EINTR),
        recv(|l| done(seq_of(l).wrapping_add(3), 0, 0, None)),
        recv(|l| link(seq_of(l), 0, 4, "veth1")),
    ]);
    let get = |c: &mut Conn<Fake>| {
        let mut got = Vec::new();
        let r = c.get(&mut get_request(), |m| {
            let l = LinkMsg::decode(m).map_err(|source| Error::Malformed {
                op: "RTM_GETLINK",
                source,
            })?;
            got.push((l.index(), l.name_str().unwrap().to_owned()));
            Ok(())
        });
        (r, got)
    };
    let (r, got) = get(&mut c);
    r.unwrap();
    assert_eq!(got, [(3, "veth0".to_owned())]);
    // No ACK was asked for.
    assert_eq!(c.transport().log.headers(0)[0].nlmsg_flags & NLM_F_ACK, 0);
    let (r, got) = get(&mut c);
    assert_eq!(r.unwrap_err().errno(), Some(libc::ENODEV));
    assert!(got.is_empty());
    let (r, _) = get(&mut c);
    assert!(matches!(r, Err(Error::Malformed { .. })), "{r:?}");
    let (r, got) = get(&mut c);
    r.unwrap();
    assert_eq!(got, [(4, "veth1".to_owned())]);
    assert_consumed(&c);
}
