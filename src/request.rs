//! Layer `request`: the exchanges over a [`Transport`] — one request and its ACK, a
//! lookup answered by one message, a dump streamed to a callback, a batch with one
//! result per request — and the protocol that goes with them, owned here and nowhere
//! else: `NLM_F_REQUEST`, `NLM_F_ACK` and `NLM_F_DUMP` set per exchange (a request
//! names only its verb), per-socket sequence numbers from a non-constant seed,
//! replies with another sequence number or port id set aside, `NLMSG_ERROR` 0 as the
//! ACK, `NLMSG_DONE` that may carry an errno, `NLM_F_DUMP_INTR` reported, `EINTR`
//! restarted, a receive timeout turned into [`Error::Timeout`], and the kernel's
//! extended ACK carried into [`Error::Kernel`] — its text, and the attribute it
//! pointed at, named by walking the request that was sent ([`crate::wire::attr_path`]).
//!
//! Every exchange goes through one reply dispatcher ([`Conn::dispatch`], after
//! libmnl's `mnl_cb_run`): it reads datagrams, checks each message's sequence number
//! and port id against the window of requests in flight, decodes `NLMSG_ERROR` and
//! `NLMSG_DONE`, and hands each event to the exchange. Messages that belong to no
//! request in flight (notifications, on a socket that joined a group) go to a side
//! callback instead of being lost.
//!
//! The operation's name in errors is its message type (`"RTM_NEWLINK"`), derived from
//! the request itself.

use crate::abi::*;
use crate::error::{Error, Result};
use crate::sys::socket::Transport;
use crate::wire::{
    attr_path, parse_done, parse_error, patch_flags, set_seq_pid, AckMsg, Message, Messages,
    WireError,
};
use std::time::Duration;

/// How many times a dump interrupted by concurrent changes is retried.
pub const DUMP_ATTEMPTS: u32 = 5;

/// When the kernel should acknowledge the requests of a batch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AckMode {
    /// Only the last request of each datagram asks for an ACK. Errors are always
    /// reported by the kernel and it answers in order, so once the last ACK is in, a
    /// request without an error has succeeded: still one result per request, at a
    /// fraction of the kernel's work.
    #[default]
    Last,
    /// Every request asks for its own ACK (`NLM_F_ACK` on each).
    Every,
}

/// Limits of one batch datagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BatchLimits {
    /// Bytes per `sendmsg`. The kernel refuses a datagram longer than the socket's
    /// send buffer (less 32 bytes): a socket grows its buffer to fit
    /// (`SO_SNDBUFFORCE` when privileged, else up to twice `net.core.wmem_max`) and,
    /// where it cannot, datagrams are cut to what it takes.
    pub max_bytes: usize,
    /// Requests per `sendmsg`; replies to them must fit the receive buffer, or the
    /// kernel drops them (`ENOBUFS`): a socket grows its buffer to 1 KiB per request
    /// where allowed. `0` derives it from the receive buffer (4 MiB where allowed:
    /// 4,096 requests).
    pub max_msgs: usize,
}

impl Default for BatchLimits {
    fn default() -> Self {
        BatchLimits {
            max_bytes: 64 << 10,
            max_msgs: 0,
        }
    }
}

/// A netlink connection: a transport, its sequence counter and its receive buffer.
#[derive(Debug)]
pub struct Conn<T: Transport> {
    t: T,
    seq: u32,
    rx: Vec<u8>,
}

/// A starting sequence number that differs between processes and between the
/// connections of one process: the addresses of a stack slot and of a fresh heap
/// block (both moved by ASLR), the process id and a per-process counter, mixed.
/// Not the clock: `SystemTime::now` would pull `io::Error`'s `Debug` formatting into
/// every binary (its `unwrap`), a few KiB that a guest's init pays for nothing.
fn seed() -> u32 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let local = 0u8;
    let stack = &local as *const u8 as usize as u64;
    let heap = Box::new(0u8);
    let heap = std::hint::black_box(&*heap) as *const u8 as usize as u64;
    let mut x = stack ^ heap.rotate_left(21) ^ u64::from(std::process::id()).rotate_left(40);
    x = x.wrapping_add(u64::from(n).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    // A 64-bit finaliser (splitmix64) so that every input bit moves the result.
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    (x ^ (x >> 31)) as u32
}

/// Bytes a queued reply costs in the receive buffer, as the kernel counts it
/// (`skb->truesize` of a small ACK or error is well under 1 KiB; 1 KiB is safe).
const REPLY_TRUESIZE: usize = 1024;

/// What one message means to the exchange in flight. `pos` is the position, in the
/// window of requests in flight, of the request it answers (0 for a single request).
#[derive(Debug)]
pub enum Event<'m, 'a> {
    /// A message that is not a control message: the object a lookup returns, one
    /// item of a dump, or a reply inside a batch.
    Reply {
        /// The request it answers.
        pos: usize,
        /// The message.
        msg: &'m Message<'a>,
    },
    /// `NLMSG_ERROR` with error 0: the request succeeded.
    Ack {
        /// The request it answers.
        pos: usize,
    },
    /// `NLMSG_ERROR` with an errno: the kernel refused the request.
    Refused {
        /// The request it answers.
        pos: usize,
        /// The errno and the extended ACK.
        ack: AckMsg<'a>,
    },
    /// `NLMSG_DONE`: a dump ended (with an errno if it failed midway).
    Done {
        /// The request it answers.
        pos: usize,
        /// The errno (0: complete) and the extended ACK.
        ack: AckMsg<'a>,
    },
    /// A datagram could not be read any further (its remaining messages are lost).
    Malformed(WireError),
}

/// What the exchange does after an event: read on, or finish with a result.
pub type Flow = Option<Result<()>>;

impl<T: Transport> Conn<T> {
    /// Wraps a transport.
    pub fn new(t: T) -> Self {
        Conn {
            t,
            seq: seed(),
            rx: vec![0; 32 << 10],
        }
    }

    /// Wraps a transport, numbering requests from `seq + 1` (0 is skipped) instead of a
    /// clock-derived seed: for reproducible exchanges and tests.
    pub fn with_seq(t: T, seq: u32) -> Self {
        let mut c = Conn::new(t);
        c.seq = seq;
        c
    }

    /// The transport.
    pub fn transport(&self) -> &T {
        &self.t
    }

    /// The transport, mutably (to change timeouts, ...).
    pub fn transport_mut(&mut self) -> &mut T {
        &mut self.t
    }

    /// The next sequence number (never 0, which the kernel uses for notifications).
    #[inline]
    pub fn next_seq(&mut self) -> u32 {
        self.seq = self.seq.wrapping_add(1);
        if self.seq == 0 {
            self.seq = 1;
        }
        self.seq
    }

    /// The number [`next_seq`](Self::next_seq) will give.
    #[inline]
    fn peek_seq(&self) -> u32 {
        match self.seq.wrapping_add(1) {
            0 => 1,
            s => s,
        }
    }

    fn timeout(&self, op: &'static str) -> Error {
        Error::Timeout {
            op,
            timeout: self.t.recv_timeout().unwrap_or(Duration::ZERO),
        }
    }

    /// Sends one datagram (`EINTR` restarted).
    pub fn send(&mut self, op: &'static str, buf: &[u8]) -> Result<()> {
        loop {
            match self.t.send(buf) {
                Ok(()) => return Ok(()),
                Err(e) if e.raw_os_error() == Some(libc::EINTR) => continue,
                Err(e) => return Err(Error::io(op, e)),
            }
        }
    }

    /// Receives one datagram into `self.rx`. `small`: only ACKs/errors for our own
    /// requests are expected, which the transport may receive without sizing first.
    fn recv(&mut self, op: &'static str, small: bool) -> Result<usize> {
        loop {
            let r = if small {
                self.t.recv_small(&mut self.rx)
            } else {
                self.t.recv(&mut self.rx)
            };
            match r {
                Ok(n) => return Ok(n.min(self.rx.len())),
                // By errno, not `ErrorKind`: decoding kinds would cost a guest's
                // binary ~0.5 KiB (the `Transport` contract says errnos).
                Err(e) if e.raw_os_error() == Some(libc::EINTR) => continue,
                Err(e)
                    if e.raw_os_error().is_some_and(|n| {
                        n == libc::EAGAIN || n == libc::EWOULDBLOCK || n == libc::ETIMEDOUT
                    }) =>
                {
                    return Err(self.timeout(op))
                }
                Err(e) => return Err(Error::io(op, e)),
            }
        }
    }

    /// The reply dispatcher: reads datagrams until `on_event` ends the exchange by
    /// returning `Some`. A message answers the window of `count` requests numbered
    /// from `first_seq` when its sequence number falls in it and its port id is ours
    /// (or the kernel's, 0); anything else — a notification, a stale reply — goes to
    /// `on_other`. `small`: only ACKs and errors are expected (see
    /// [`Transport::recv_small`]).
    pub fn dispatch(
        &mut self,
        op: &'static str,
        first_seq: u32,
        count: usize,
        small: bool,
        mut on_event: impl FnMut(Event<'_, '_>) -> Flow,
        mut on_other: impl FnMut(&Message<'_>),
    ) -> Result<()> {
        let pid = self.t.port_id();
        loop {
            let n = self.recv(op, small)?;
            let rx = std::mem::take(&mut self.rx);
            let mut done = None;
            for m in Messages::new(&rx[..n]) {
                let m = match m {
                    Ok(m) => m,
                    Err(e) => {
                        done = on_event(Event::Malformed(e));
                        break;
                    }
                };
                let ev = match classify(&m, pid, first_seq, count) {
                    Belongs::Exchange(ev) => ev,
                    Belongs::Control => continue,
                    Belongs::Other => {
                        on_other(&m);
                        continue;
                    }
                };
                if let Some(r) = on_event(ev) {
                    done = Some(r);
                    break;
                }
            }
            self.rx = rx;
            if let Some(r) = done {
                return r;
            }
        }
    }

    /// Stamps the request in `msg` as [`request`](Self::request) and the others do
    /// (`NLM_F_REQUEST | flags`, the next sequence number, port id 0) and sends it,
    /// without reading anything: for an exchange whose answer the caller reads itself,
    /// interleaved with notifications (a [`crate::Monitor`]'s snapshot), classifying
    /// each message with [`classify`]. Returns the sequence number.
    pub fn send_request(&mut self, msg: &mut [u8], flags: u16) -> Result<u32> {
        let (seq, op) = self.stamp(msg, flags)?;
        self.send(op, msg)?;
        Ok(seq)
    }

    /// Sets `NLM_F_REQUEST | set` (clearing a stray `NLM_F_ACK` unless `set` has it),
    /// the next sequence number and port id 0 on the request in `msg`; returns the
    /// sequence number and the op name.
    fn stamp(&mut self, msg: &mut [u8], set: u16) -> Result<(u32, &'static str)> {
        let op = request_name(msg);
        if msg.len() < NlMsgHdr::LEN {
            return Err(Error::Encode {
                op,
                source: WireError::Truncated,
            });
        }
        let seq = self.next_seq();
        patch_flags(msg, NLM_F_ACK, NLM_F_REQUEST | set)
            .and_then(|()| set_seq_pid(msg, seq, 0))
            .map_err(|source| Error::Encode { op, source })?;
        Ok((seq, op))
    }

    /// One request in flight, numbered and sent here: the kernel's refusal or a
    /// malformed answer ends it with that error; `on` decides about the rest.
    /// One copy for every caller (`on` is dynamic): the exchange's code is not
    /// repeated per kind of reply.
    #[inline(never)]
    fn one(
        &mut self,
        msg: &mut [u8],
        set: u16,
        small: bool,
        on: &mut dyn FnMut(Event<'_, '_>) -> Flow,
    ) -> Result<()> {
        let (seq, op) = self.stamp(msg, set)?;
        self.send(op, msg)?;
        let msg = &*msg;
        self.dispatch(
            op,
            seq,
            1,
            small,
            |ev| match ev {
                Event::Refused { ack, .. } => Some(Err(kernel_error(msg, &ack))),
                Event::Malformed(source) => Some(Err(Error::Malformed { op, source })),
                ev => on(ev),
            },
            |_| {},
        )
    }

    /// Sends the request in `msg` with `NLM_F_ACK` and waits for its ACK. Replies that
    /// are not the ACK (an `NLM_F_ECHO`'d object, say) go to `on_reply`.
    pub fn request(
        &mut self,
        msg: &mut [u8],
        mut on_reply: impl FnMut(&Message<'_>) -> Result<()>,
    ) -> Result<()> {
        let mut first_err: Option<Error> = None;
        self.one(msg, NLM_F_ACK, false, &mut |ev| match ev {
            Event::Ack { .. } => Some(first_err.take().map_or(Ok(()), Err)),
            Event::Reply { msg, .. } => {
                if first_err.is_none() {
                    first_err = on_reply(msg).err();
                }
                None
            }
            _ => None,
        })
    }

    /// Sends the request in `msg` with `NLM_F_ACK` and waits for its ACK, ignoring any
    /// other reply. The ACK is received without sizing the datagram first (one
    /// syscall).
    #[inline]
    pub fn ack(&mut self, msg: &mut [u8]) -> Result<()> {
        self.one(msg, NLM_F_ACK, true, &mut |ev| {
            matches!(ev, Event::Ack { .. }).then_some(Ok(()))
        })
    }

    /// Sends a lookup *without* `NLM_F_ACK` (as iproute2 does) and passes its single
    /// reply to `on_reply`: the reply itself is the answer, or an `NLMSG_ERROR` is.
    /// One datagram back instead of two. For requests whose answer is one message
    /// (`RTM_GETLINK` by name or index, `ip route get`).
    pub fn get(
        &mut self,
        msg: &mut [u8],
        mut on_reply: impl FnMut(&Message<'_>) -> Result<()>,
    ) -> Result<()> {
        self.one(msg, 0, false, &mut |ev| match ev {
            Event::Reply { msg, .. } => Some(on_reply(msg)),
            // An ACK without a reply: nothing was found to report.
            Event::Ack { .. } => Some(Ok(())),
            _ => None,
        })
    }

    /// Sends a dump request (`NLM_F_DUMP` is added) and streams every reply message to
    /// `on_msg` until `NLMSG_DONE`. An error from `on_msg` stops delivery; the dump is
    /// still read to its end (so the socket stays usable) and the error returned. If
    /// the kernel flagged the dump inconsistent (`NLM_F_DUMP_INTR`), the result is
    /// [`Error::DumpInterrupted`] after the dump was read — callers that collect can
    /// start again, see [`dump_consistent`](Self::dump_consistent). Messages that are
    /// not part of the dump (notifications) go to `on_other`.
    pub fn dump_with(
        &mut self,
        msg: &mut [u8],
        mut on_msg: impl FnMut(&Message<'_>) -> Result<()>,
        on_other: impl FnMut(&Message<'_>),
    ) -> Result<()> {
        let (seq, op) = self.stamp(msg, NLM_F_DUMP)?;
        self.send(op, msg)?;
        let mut first_err: Option<Error> = None;
        let mut interrupted = false;
        let msg = &*msg;
        self.dispatch(
            op,
            seq,
            1,
            false,
            |ev| match ev {
                Event::Reply { msg, .. } => {
                    interrupted |= msg.header.nlmsg_flags & NLM_F_DUMP_INTR != 0;
                    if first_err.is_none() {
                        first_err = on_msg(msg).err();
                    }
                    None
                }
                Event::Done { ack, .. } => {
                    interrupted |= ack.request.nlmsg_flags & NLM_F_DUMP_INTR != 0;
                    Some(if ack.error == 0 {
                        Ok(())
                    } else {
                        Err(kernel_error(msg, &ack))
                    })
                }
                // A dump refused outright (or an ACK for it): ends the dump.
                Event::Ack { .. } => Some(Ok(())),
                Event::Refused { ack, .. } => Some(Err(kernel_error(msg, &ack))),
                Event::Malformed(source) => {
                    // The rest of this datagram is unreadable; the dump goes on.
                    first_err.get_or_insert(Error::Malformed { op, source });
                    None
                }
            },
            on_other,
        )?;
        if let Some(e) = first_err {
            return Err(e);
        }
        if interrupted {
            return Err(Error::DumpInterrupted { op, attempts: 1 });
        }
        Ok(())
    }

    /// [`dump_with`](Self::dump_with), skipping messages that are not part of the
    /// dump.
    pub fn dump(
        &mut self,
        msg: &mut [u8],
        on_msg: impl FnMut(&Message<'_>) -> Result<()>,
    ) -> Result<()> {
        self.dump_with(msg, on_msg, |_| {})
    }

    /// A dump that is retried from the start (up to [`DUMP_ATTEMPTS`] times) while the
    /// kernel flags it inconsistent; `reset` is called before each new attempt so the
    /// caller can drop what it collected.
    pub fn dump_consistent(
        &mut self,
        msg: &mut [u8],
        mut reset: impl FnMut(),
        mut on_msg: impl FnMut(&Message<'_>) -> Result<()>,
    ) -> Result<()> {
        for attempt in 1..=DUMP_ATTEMPTS {
            match self.dump(msg, &mut on_msg) {
                Err(Error::DumpInterrupted { .. }) if attempt < DUMP_ATTEMPTS => reset(),
                Err(Error::DumpInterrupted { op, .. }) => {
                    return Err(Error::DumpInterrupted {
                        op,
                        attempts: attempt,
                    })
                }
                r => return r,
            }
        }
        unreachable!("the loop returns on its last attempt")
    }

    /// Sends the requests packed back-to-back in `msgs` — as few datagrams as
    /// [`BatchLimits`] allow — and reports one result per request, in order, to
    /// `on_result(index, result)`. A refused request does not stop the others: the
    /// kernel goes on with the next one, and so does the report. A kernel refusal is
    /// named by the refused request's own message type (e.g. `"RTM_NEWROUTE"`) and
    /// points at its attribute when the kernel said which.
    ///
    /// If the exchange itself fails (timeout, `ENOBUFS`, a socket error), every request
    /// whose fate is unknown is reported with that error, and the first such error is
    /// also returned.
    pub fn batch(
        &mut self,
        msgs: &mut [u8],
        mode: AckMode,
        limits: BatchLimits,
        mut on_result: impl FnMut(usize, Result<()>),
    ) -> Result<()> {
        let op = "batch";
        // Room for a refusal of every request (no more than this batch can hold).
        let replies = limits
            .max_msgs
            .min(msgs.len() / NlMsgHdr::LEN)
            .saturating_mul(REPLY_TRUESIZE);
        let max_bytes = self
            .t
            // No buffer grows past what this batch holds.
            .prepare_batch(limits.max_bytes.min(msgs.len()).max(NlMsgHdr::LEN), replies)
            .max(NlMsgHdr::LEN);
        let max_msgs = if limits.max_msgs == 0 {
            (self.t.recv_buffer() / REPLY_TRUESIZE).max(1)
        } else {
            limits.max_msgs
        };
        let ack = match mode {
            AckMode::Every => NLM_F_ACK,
            AckMode::Last => 0,
        };
        let mut index = 0usize; // index of the first request of this window
        let mut off = 0usize;
        let mut starts: Vec<usize> = Vec::new();
        let mut errors: Vec<(usize, Error)> = Vec::new();
        let mut result = Ok(());
        while off < msgs.len() {
            // Cut one window: whole messages, within both limits.
            let start = off;
            let first_seq = self.peek_seq();
            starts.clear();
            while off < msgs.len() && starts.len() < max_msgs {
                let rest = &msgs[off..];
                let len = match NlMsgHdr::read_from(rest) {
                    Some(h)
                        if (h.nlmsg_len as usize) >= NlMsgHdr::LEN
                            && h.nlmsg_len as usize <= rest.len() =>
                    {
                        align4(h.nlmsg_len as usize).min(rest.len())
                    }
                    _ => {
                        return Err(Error::Encode {
                            op,
                            source: WireError::BadLength,
                        })
                    }
                };
                if !starts.is_empty() && off + len - start > max_bytes {
                    break;
                }
                let seq = self.next_seq();
                let m = &mut msgs[off..off + len];
                patch_flags(m, NLM_F_ACK, NLM_F_REQUEST | ack)
                    .and_then(|()| set_seq_pid(m, seq, 0))
                    .map_err(|source| Error::Encode { op, source })?;
                starts.push(off);
                off += len;
            }
            let count = starts.len();
            // The last request of the window always asks for an ACK.
            let last_at = starts[count - 1];
            patch_flags(&mut msgs[last_at..], 0, NLM_F_ACK)
                .map_err(|source| Error::Encode { op, source })?;

            let outcome = self.send(op, &msgs[start..off]).and_then(|()| {
                let window = &msgs[..off];
                let starts = &starts;
                let last = count - 1;
                let errors = &mut errors;
                self.dispatch(
                    op,
                    first_seq,
                    count,
                    true,
                    |ev| match ev {
                        Event::Ack { pos } => (pos == last).then_some(Ok(())),
                        Event::Refused { pos, ack } => {
                            errors.push((pos, kernel_error(&window[starts[pos]..], &ack)));
                            (pos == last).then_some(Ok(()))
                        }
                        Event::Malformed(source) => Some(Err(Error::Malformed { op, source })),
                        // A GET's reply inside a batch, or a DONE: not a result.
                        Event::Reply { .. } | Event::Done { .. } => None,
                    },
                    |_| {},
                )
            });
            errors.sort_unstable_by_key(|(i, _)| *i);
            let mut errs = errors.drain(..).peekable();
            for i in 0..count {
                let r = match errs.peek() {
                    Some((j, _)) if *j == i => Err(errs.next().expect("peeked").1),
                    // Known errors stand; without a failure the rest succeeded, with
                    // one their fate is unknown: report the failure.
                    _ => match &outcome {
                        Ok(()) => Ok(()),
                        Err(fail) => Err(fail.duplicate()),
                    },
                };
                on_result(index + i, r);
            }
            drop(errs);
            if let Err(fail) = outcome {
                // Later windows are still tried: the socket may recover (a timeout),
                // and each request deserves its own answer.
                if result.is_ok() {
                    result = Err(fail);
                }
            }
            index += count;
        }
        result
    }
}

/// What a received message is to an exchange: the rule [`Conn::dispatch`] applies to
/// every message, for callers that read datagrams themselves.
#[derive(Debug)]
pub enum Belongs<'m, 'a> {
    /// It answers the window of requests in flight.
    Exchange(Event<'m, 'a>),
    /// `NLMSG_NOOP` or `NLMSG_OVERRUN` inside the window: nothing to do.
    Control,
    /// It belongs to no request in flight: a notification, a stale reply.
    Other,
}

/// Classifies `m` against the window of `count` requests numbered from `first_seq`
/// on the socket with port id `pid`: it answers one of them when its sequence number
/// falls in the window and its port id is ours (or the kernel's, 0). `NLMSG_ERROR`
/// 0 is the ACK; `NLMSG_DONE` may carry an errno.
#[inline]
pub fn classify<'m, 'a>(
    m: &'m Message<'a>,
    pid: u32,
    first_seq: u32,
    count: usize,
) -> Belongs<'m, 'a> {
    let h = m.header;
    let pos = window_pos(first_seq, h.nlmsg_seq);
    if pos >= count || (h.nlmsg_pid != pid && h.nlmsg_pid != 0) {
        return Belongs::Other;
    }
    Belongs::Exchange(match h.nlmsg_type {
        NLMSG_ERROR => match parse_error(m) {
            Ok(a) if a.error == 0 => Event::Ack { pos },
            Ok(ack) => Event::Refused { pos, ack },
            Err(e) => Event::Malformed(e),
        },
        NLMSG_DONE => match parse_done(m) {
            Ok(ack) => Event::Done { pos, ack },
            Err(e) => Event::Malformed(e),
        },
        NLMSG_NOOP | NLMSG_OVERRUN => return Belongs::Control,
        _ => Event::Reply { pos, msg: m },
    })
}

/// The name of the request at the start of `msg` (its message type).
fn request_name(msg: &[u8]) -> &'static str {
    NlMsgHdr::read_from(msg).map_or("RTM_UNKNOWN", |h| msg_type_name(h.nlmsg_type))
}

/// The refusal of `request` (the bytes that were sent) that `ack` reports: named by
/// the request's message type, with the kernel's text and, when it sent an offset,
/// the attribute it pointed at.
pub fn kernel_error(request: &[u8], ack: &AckMsg<'_>) -> Error {
    Error::Kernel {
        op: request_name(request),
        errno: ack.errno(),
        message: ack.message.map(str::to_owned),
        attr: ack.offset.and_then(|o| attr_path(request, o)),
    }
}

/// The position of `seq` in a batch window that starts at `first`: sequence numbers
/// skip 0, so in a window that crosses the wrap the numbers after it are one closer
/// to `first` than their difference says. Anything not in the window (0, a stale or
/// a foreign number) maps to a position past any window's end.
fn window_pos(first: u32, seq: u32) -> usize {
    let d = seq.wrapping_sub(first) as usize;
    if seq == 0 {
        usize::MAX
    } else if seq < first {
        d - 1
    } else {
        d
    }
}
