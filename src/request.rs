//! Layer `request`: the exchanges over a [`Transport`] — one request and its ACK, a
//! dump streamed to a callback, a batch with one result per request — and the policy
//! that goes with them: per-socket sequence numbers from a non-constant seed, replies
//! with another sequence number or port id skipped, `NLMSG_ERROR` 0 as the ACK,
//! `NLMSG_DONE` that may carry an errno, `NLM_F_DUMP_INTR` reported, `EINTR`
//! restarted, a receive timeout turned into [`Error::Timeout`], and the kernel's
//! extended-ACK text carried into [`Error::Kernel`].
//!
//! The caller encodes each request (with [`crate::wire`]) into a buffer; `Conn`
//! patches in the sequence number and port id and does the rest.

use crate::abi::*;
use crate::error::{Error, Result};
use crate::socket::Transport;
use crate::wire::{parse_done, parse_error, set_seq_pid, AckMsg, Message, Messages};
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
    /// Bytes per `sendmsg` (the kernel refuses more than `SO_SNDBUF`).
    pub max_bytes: usize,
    /// Requests per `sendmsg`; replies to them must fit the receive buffer, or the
    /// kernel drops them (`ENOBUFS`). `0` derives it from the receive buffer.
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

    fn timeout(&self, op: &'static str) -> Error {
        Error::Timeout {
            op,
            timeout: self.t.recv_timeout().unwrap_or(Duration::ZERO),
        }
    }

    fn send(&mut self, op: &'static str, buf: &[u8]) -> Result<()> {
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

    /// Receives datagrams until `on_msg` ends the exchange by returning `Some`.
    /// Messages with another sequence number or port id (someone else's, or stale
    /// replies) are skipped; a malformed datagram is passed as `Err` (the iterator
    /// yields nothing more from that datagram).
    fn receive_until(
        &mut self,
        op: &'static str,
        seq: u32,
        small: bool,
        mut on_msg: impl FnMut(Result<&Message<'_>, Error>) -> Option<Result<()>>,
    ) -> Result<()> {
        let pid = self.t.port_id();
        loop {
            let n = self.recv(op, small)?;
            let rx = std::mem::take(&mut self.rx);
            let mut done = None;
            for m in Messages::new(&rx[..n]) {
                let r = match m {
                    Ok(m) => {
                        let h = m.header;
                        if h.nlmsg_seq != seq || (h.nlmsg_pid != pid && h.nlmsg_pid != 0) {
                            continue;
                        }
                        on_msg(Ok(&m))
                    }
                    Err(source) => on_msg(Err(Error::Malformed { op, source })),
                };
                if r.is_some() {
                    done = r;
                    break;
                }
            }
            self.rx = rx;
            if let Some(r) = done {
                return r;
            }
        }
    }

    /// The result an `NLMSG_ERROR` carries: `Ok` for an ACK, the kernel's refusal
    /// otherwise.
    fn ack_result(op: &'static str, m: &Message<'_>) -> Result<()> {
        match parse_error(m) {
            Ok(a) if a.error == 0 => Ok(()),
            Ok(a) => Err(Self::kernel_error(op, &a)),
            Err(source) => Err(Error::Malformed { op, source }),
        }
    }

    fn kernel_error(op: &'static str, ack: &AckMsg<'_>) -> Error {
        Error::Kernel {
            op,
            errno: ack.errno(),
            message: ack.message.map(str::to_owned),
        }
    }

    /// Prepares a single request: sets `NLM_F_REQUEST | extra` (and `NLM_F_ACK` only
    /// if `extra` has it: a GET or a dump answered by its replies must not draw an
    /// extra ACK), sequence number and port id; returns the sequence number.
    fn stamp(&mut self, op: &'static str, msg: &mut [u8], extra: u16) -> Result<u32> {
        if msg.len() < NlMsgHdr::LEN {
            return Err(Error::Encode {
                op,
                source: crate::wire::WireError::Truncated,
            });
        }
        let seq = self.next_seq();
        let flags = (u16::from_ne_bytes([msg[6], msg[7]]) & !NLM_F_ACK) | NLM_F_REQUEST | extra;
        msg[6..8].copy_from_slice(&flags.to_ne_bytes());
        set_seq_pid(msg, seq, 0).map_err(|source| Error::Encode { op, source })?;
        Ok(seq)
    }

    /// Sends one request with `NLM_F_ACK` and waits for its ACK. Replies that are not
    /// the ACK (e.g. the object a GET returns) go to `on_reply`.
    pub fn request(
        &mut self,
        op: &'static str,
        msg: &mut [u8],
        on_reply: impl FnMut(&Message<'_>) -> Result<()>,
    ) -> Result<()> {
        self.exchange(op, msg, false, on_reply)
    }

    fn exchange(
        &mut self,
        op: &'static str,
        msg: &mut [u8],
        small: bool,
        mut on_reply: impl FnMut(&Message<'_>) -> Result<()>,
    ) -> Result<()> {
        let seq = self.stamp(op, msg, NLM_F_ACK)?;
        self.send(op, msg)?;
        let mut first_err: Option<Error> = None;
        self.receive_until(op, seq, small, |m| {
            let m = match m {
                Ok(m) => m,
                Err(e) => return Some(Err(e)),
            };
            match m.header.nlmsg_type {
                NLMSG_ERROR => Some(Self::ack_result(op, m)),
                NLMSG_NOOP | NLMSG_OVERRUN | NLMSG_DONE => None,
                _ => {
                    if first_err.is_none() {
                        first_err = on_reply(m).err();
                    }
                    None
                }
            }
        })?;
        match first_err {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Sends one GET request *without* `NLM_F_ACK` (as iproute2 does for lookups) and
    /// passes its single reply to `on_reply`: the reply itself is the answer, or an
    /// `NLMSG_ERROR` is. One datagram back instead of two. For requests whose answer
    /// is one message (`RTM_GETLINK` by name or index, `RTM_GETROUTE` of one route).
    pub fn get(
        &mut self,
        op: &'static str,
        msg: &mut [u8],
        mut on_reply: impl FnMut(&Message<'_>) -> Result<()>,
    ) -> Result<()> {
        let seq = self.stamp(op, msg, 0)?;
        self.send(op, msg)?;
        self.receive_until(op, seq, false, |m| {
            let m = match m {
                Ok(m) => m,
                Err(e) => return Some(Err(e)),
            };
            match m.header.nlmsg_type {
                // An ACK without a reply: nothing was found to report.
                NLMSG_ERROR => Some(Self::ack_result(op, m)),
                NLMSG_NOOP | NLMSG_OVERRUN | NLMSG_DONE => None,
                _ => Some(on_reply(m)),
            }
        })
    }

    /// Sends one request and waits for its ACK, ignoring any other reply.
    #[inline]
    pub fn ack(&mut self, op: &'static str, msg: &mut [u8]) -> Result<()> {
        self.exchange(op, msg, true, |_| Ok(()))
    }

    /// Sends a dump request (`NLM_F_DUMP` is added) and streams every reply message
    /// to `on_msg` until `NLMSG_DONE`. An error from `on_msg` stops delivery; the dump
    /// is still read to its end (so the socket stays usable) and the error returned.
    /// If the kernel flagged the dump inconsistent (`NLM_F_DUMP_INTR`), the result is
    /// [`Error::DumpInterrupted`] after the dump was read — callers that collect can
    /// start again, see [`dump_consistent`](Self::dump_consistent).
    pub fn dump(
        &mut self,
        op: &'static str,
        msg: &mut [u8],
        mut on_msg: impl FnMut(&Message<'_>) -> Result<()>,
    ) -> Result<()> {
        let seq = self.stamp(op, msg, NLM_F_DUMP)?;
        self.send(op, msg)?;
        let mut first_err: Option<Error> = None;
        let mut interrupted = false;
        self.receive_until(op, seq, false, |m| {
            let m = match m {
                Ok(m) => m,
                Err(e) => {
                    // The rest of this datagram is unreadable; the dump goes on.
                    first_err.get_or_insert(e);
                    return None;
                }
            };
            if m.header.nlmsg_flags & NLM_F_DUMP_INTR != 0 {
                interrupted = true;
            }
            match m.header.nlmsg_type {
                NLMSG_DONE => Some(match parse_done(m) {
                    Ok(a) if a.error == 0 => Ok(()),
                    Ok(a) => Err(Self::kernel_error(op, &a)),
                    Err(source) => Err(Error::Malformed { op, source }),
                }),
                // A dump refused outright (or an ACK for it): ends the dump.
                NLMSG_ERROR => Some(Self::ack_result(op, m)),
                NLMSG_NOOP | NLMSG_OVERRUN => None,
                _ => {
                    if first_err.is_none() {
                        first_err = on_msg(m).err();
                    }
                    None
                }
            }
        })?;
        if let Some(e) = first_err {
            return Err(e);
        }
        if interrupted {
            return Err(Error::DumpInterrupted { op, attempts: 1 });
        }
        Ok(())
    }

    /// A dump that is retried from the start (up to [`DUMP_ATTEMPTS`] times) while the
    /// kernel flags it inconsistent; `reset` is called before each new attempt so the
    /// caller can drop what it collected. `build` encodes the request into the buffer
    /// it is given and returns its length.
    pub fn dump_consistent(
        &mut self,
        op: &'static str,
        msg: &mut [u8],
        mut reset: impl FnMut(),
        mut on_msg: impl FnMut(&Message<'_>) -> Result<()>,
    ) -> Result<()> {
        for attempt in 1..=DUMP_ATTEMPTS {
            match self.dump(op, msg, &mut on_msg) {
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

    /// A consistent dump collected into a `Vec`: [`dump_consistent`](Self::dump_consistent)
    /// with `parse` turning each message into an item (`None` skips it); a retried dump
    /// starts from an empty `Vec`.
    pub fn dump_collect<I>(
        &mut self,
        op: &'static str,
        msg: &mut [u8],
        mut parse: impl FnMut(&Message<'_>) -> Result<Option<I>>,
    ) -> Result<Vec<I>> {
        let out = std::cell::RefCell::new(Vec::new());
        self.dump_consistent(
            op,
            msg,
            || out.borrow_mut().clear(),
            |m| {
                out.borrow_mut().extend(parse(m)?);
                Ok(())
            },
        )?;
        Ok(out.into_inner())
    }

    /// Sends the requests packed back-to-back in `msgs` — as few datagrams as
    /// [`BatchLimits`] allow — and reports one result per request, in order, to
    /// `on_result(index, result)`. A refused request does not stop the others: the
    /// kernel goes on with the next one, and so does the report. `op` names the
    /// requests in transport errors; a kernel refusal is named by the refused request's
    /// own message type (e.g. `"RTM_NEWROUTE"`).
    ///
    /// If the exchange itself fails (timeout, `ENOBUFS`, a socket error), every request
    /// whose fate is unknown is reported with that error, and the first such error is
    /// also returned.
    pub fn batch(
        &mut self,
        op: &'static str,
        msgs: &mut [u8],
        mode: AckMode,
        limits: BatchLimits,
        mut on_result: impl FnMut(usize, Result<()>),
    ) -> Result<()> {
        self.t.prepare_batch();
        let max_msgs = if limits.max_msgs == 0 {
            (self.t.recv_buffer() / REPLY_TRUESIZE).max(1)
        } else {
            limits.max_msgs
        };
        let max_bytes = limits.max_bytes.max(NlMsgHdr::LEN);
        let mut index = 0usize; // index of the first request of this window
        let mut off = 0usize;
        let mut errors: Vec<(usize, Error)> = Vec::new();
        let mut result = Ok(());
        while off < msgs.len() {
            // Cut one window: whole messages, within both limits.
            let start = off;
            let mut count = 0usize;
            // The number `next_seq` will give (it skips 0).
            let first_seq = match self.seq.wrapping_add(1) {
                0 => 1,
                s => s,
            };
            let mut last_at = start;
            while off < msgs.len() && count < max_msgs {
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
                            source: crate::wire::WireError::BadLength,
                        })
                    }
                };
                if count > 0 && off + len - start > max_bytes {
                    break;
                }
                let ack = match mode {
                    AckMode::Every => NLM_F_ACK,
                    AckMode::Last => 0,
                };
                let m = &mut msgs[off..off + len];
                let flags = (u16::from_ne_bytes([m[6], m[7]]) & !NLM_F_ACK) | NLM_F_REQUEST | ack;
                m[6..8].copy_from_slice(&flags.to_ne_bytes());
                let seq = self.next_seq();
                set_seq_pid(m, seq, 0).map_err(|source| Error::Encode { op, source })?;
                last_at = off;
                off += len;
                count += 1;
            }
            // The last request of the window always asks for an ACK.
            let f = u16::from_ne_bytes([msgs[last_at + 6], msgs[last_at + 7]]) | NLM_F_ACK;
            msgs[last_at + 6..last_at + 8].copy_from_slice(&f.to_ne_bytes());

            let outcome = self
                .send(op, &msgs[start..off])
                .and_then(|()| self.collect_window(op, first_seq, count, &mut errors));
            errors.sort_unstable_by_key(|(i, _)| *i);
            let mut errs = errors.drain(..).peekable();
            match outcome {
                Ok(()) => {
                    for i in 0..count {
                        match errs.peek() {
                            Some((j, _)) if *j == i => {
                                let (_, e) = errs.next().expect("peeked");
                                on_result(index + i, Err(e));
                            }
                            _ => on_result(index + i, Ok(())),
                        }
                    }
                }
                Err(fail) => {
                    // Known errors stand; the rest is unknown: report the failure.
                    for i in 0..count {
                        match errs.peek() {
                            Some((j, _)) if *j == i => {
                                let (_, e) = errs.next().expect("peeked");
                                on_result(index + i, Err(e));
                            }
                            _ => on_result(index + i, Err(fail.duplicate())),
                        }
                    }
                    if result.is_ok() {
                        result = Err(fail);
                    }
                    // Later windows are still tried: the socket may recover (a
                    // timeout), and each request deserves its own answer.
                }
            }
            drop(errs);
            index += count;
        }
        result
    }

    /// Reads replies for the window `first_seq .. first_seq + count` until the last
    /// one is answered; errors go to `errors` by position.
    fn collect_window(
        &mut self,
        op: &'static str,
        first_seq: u32,
        count: usize,
        errors: &mut Vec<(usize, Error)>,
    ) -> Result<()> {
        let pid = self.t.port_id();
        let last = count - 1;
        loop {
            let n = self.recv(op, true)?;
            let rx = std::mem::take(&mut self.rx);
            let mut finished = false;
            let mut bad = None;
            for m in Messages::new(&rx[..n]) {
                let m = match m {
                    Ok(m) => m,
                    Err(source) => {
                        bad = Some(Error::Malformed { op, source });
                        break;
                    }
                };
                let h = m.header;
                let pos = window_pos(first_seq, h.nlmsg_seq);
                if pos >= count || (h.nlmsg_pid != pid && h.nlmsg_pid != 0) {
                    continue;
                }
                if h.nlmsg_type != NLMSG_ERROR {
                    continue; // a GET's reply inside a batch: not a result
                }
                match parse_error(&m) {
                    Ok(a) if a.error == 0 => {}
                    Ok(a) => {
                        // Name the refused request by its own type, echoed back.
                        let name = msg_type_name(a.request.nlmsg_type);
                        let op = if name == "RTM_UNKNOWN" { op } else { name };
                        errors.push((pos, Self::kernel_error(op, &a)))
                    }
                    Err(source) => errors.push((pos, Error::Malformed { op, source })),
                }
                if pos == last {
                    finished = true;
                }
            }
            self.rx = rx;
            if let Some(e) = bad {
                return Err(e);
            }
            if finished {
                return Ok(());
            }
        }
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
