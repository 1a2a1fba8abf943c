//! Operations layer: [`Handle`], one netlink socket reused for every call, and
//! [`Batch`], many requests per `sendmsg` with one result each.
//!
//! The operations themselves live with their concern — `link.rs`, `addr.rs`,
//! `route.rs`, `bridge.rs` — as `impl Handle` blocks next to their one-shot free
//! functions.

use crate::error::{Error, Result};
use crate::request::{AckMode, BatchLimits, Conn};
use crate::socket::Socket;
use crate::wire::WireError;
use std::os::fd::BorrowedFd;
use std::time::Duration;

/// Size of the request buffer every handle keeps: the largest single request this
/// crate builds (a veth pair with a peer namespace) is about 120 bytes.
const TX_LEN: usize = 1024;

/// The most a batch buffer grows to, whatever [`BatchLimits::max_bytes`] says.
const MAX_BATCH_BUF: usize = 16 << 20;

/// A netlink connection to the kernel's routing subsystem, reused for every call.
///
/// `Handle` is `Send`: create it in one thread, use it from another. It is not
/// `Clone` (it owns the socket). Each call is blocking and finishes before it returns.
///
/// ```no_run
/// let mut h = rtnl::Handle::new()?;
/// h.set_link_up("eth0")?;            // ip link set dev eth0 up
/// for l in h.links()? {              // ip link show
///     println!("{} {} mtu {}", l.index, l.name, l.mtu);
/// }
/// # Ok::<(), rtnl::Error>(())
/// ```
#[derive(Debug)]
pub struct Handle {
    pub(crate) conn: Conn<Socket>,
    pub(crate) tx: Vec<u8>,
    batch_buf: Vec<u8>,
}

impl Handle {
    /// Opens a handle in the calling thread's network namespace.
    pub fn new() -> Result<Handle> {
        let s = Socket::new().map_err(|e| Error::io("socket(AF_NETLINK)", e))?;
        Ok(Handle::from_socket(s))
    }

    /// Opens a handle whose socket lives in the network namespace behind `netns`
    /// (an fd of `/proc/PID/ns/net`, `/run/netns/NAME`, ...). The socket is created
    /// on a short-lived thread that joins the namespace; the calling thread never
    /// changes namespace. The handle then works from any thread.
    pub fn in_netns(netns: BorrowedFd<'_>) -> Result<Handle> {
        let s = crate::netns::socket_in_netns(netns)?;
        Ok(Handle::from_socket(s))
    }

    /// Wraps an already configured socket.
    pub fn from_socket(socket: Socket) -> Handle {
        Handle {
            conn: Conn::new(socket),
            tx: vec![0; TX_LEN],
            batch_buf: Vec::new(),
        }
    }

    /// Sets the receive timeout (default [`crate::socket::DEFAULT_TIMEOUT`]); `None`
    /// waits forever.
    pub fn set_timeout(&mut self, timeout: Option<Duration>) -> Result<()> {
        self.conn
            .transport_mut()
            .set_recv_timeout(timeout)
            .map_err(|e| Error::io("setsockopt(SO_RCVTIMEO)", e))
    }

    /// The underlying connection, to send messages the high-level API doesn't cover
    /// (build them with [`crate::wire::MsgBuilder`]).
    pub fn conn(&mut self) -> &mut Conn<Socket> {
        &mut self.conn
    }

    /// Encodes one request into the handle's buffer and waits for its ACK.
    pub(crate) fn ack_with(
        &mut self,
        op: &'static str,
        encode: impl FnOnce(&mut [u8]) -> Result<usize, WireError>,
    ) -> Result<()> {
        let n = encode(&mut self.tx).map_err(|source| Error::Encode { op, source })?;
        self.conn.ack(op, &mut self.tx[..n])
    }

    /// Starts a batch: requests are packed into datagrams of up to 64 KiB, sent with
    /// one `sendmsg` each, and every request's result is passed to `on_result(index,
    /// result)` in order (index counts from 0 in the order of
    /// [`Batch::push`]). See [`Batch`].
    pub fn batch<F: FnMut(usize, Result<()>)>(&mut self, on_result: F) -> Batch<'_, F> {
        let limits = BatchLimits::default();
        let mut buf = std::mem::take(&mut self.batch_buf);
        buf.resize(limits.max_bytes, 0);
        Batch {
            h: self,
            buf,
            len: 0,
            queued: 0,
            base: 0,
            mode: AckMode::Last,
            limits,
            on_result,
            failed: None,
        }
    }

    /// Runs a batch built by `fill` and returns every request's result, in order.
    ///
    /// ```no_run
    /// use rtnl::wire::route::RouteRequest;
    /// let mut h = rtnl::Handle::new()?;
    /// let oif = h.link_index("eth0")?;
    /// let results = h.batch_collect(|b| {
    ///     for i in 0..=255u8 {
    ///         let mut r = RouteRequest::new(rtnl::abi::AF_INET);
    ///         r.dst = Some([10, 9, i, 0].into());
    ///         r.dst_len = 24;
    ///         r.scope = rtnl::abi::RT_SCOPE_LINK;
    ///         r.oif = Some(oif);
    ///         b.add_route(&r)?;
    ///     }
    ///     Ok(())
    /// })?;
    /// assert!(results.iter().all(|r| r.is_ok()));
    /// # Ok::<(), rtnl::Error>(())
    /// ```
    pub fn batch_collect(
        &mut self,
        fill: impl FnOnce(&mut Batch<'_, &mut dyn FnMut(usize, Result<()>)>) -> Result<()>,
    ) -> Result<Vec<Result<()>>> {
        let mut out: Vec<Result<()>> = Vec::new();
        let mut push = |i: usize, r: Result<()>| {
            debug_assert_eq!(i, out.len());
            out.push(r);
        };
        let mut b = self.batch(&mut push as &mut dyn FnMut(usize, Result<()>));
        fill(&mut b)?;
        b.finish_inner()?;
        drop(b);
        Ok(out)
    }
}

/// Many requests sent back-to-back, one result each. Created by [`Handle::batch`].
///
/// Requests are encoded straight into a 64 KiB buffer; when it is full it is sent
/// (one `sendmsg`) and the results of its requests are reported before `push`
/// returns. [`finish`](Self::finish) sends the rest. A request the kernel refuses does
/// not stop the others. By default only the last request of each datagram asks for
/// an ACK ([`AckMode::Last`]); the kernel always reports errors, so every request
/// still gets its own result.
///
/// Requests still queued when a `Batch` is dropped without [`finish`](Self::finish)
/// are discarded, never sent (those already sent because the buffer filled up have
/// had their results reported).
pub struct Batch<'h, F: FnMut(usize, Result<()>)> {
    h: &'h mut Handle,
    buf: Vec<u8>,
    len: usize,
    queued: usize,
    base: usize,
    mode: AckMode,
    limits: BatchLimits,
    on_result: F,
    failed: Option<Error>,
}

impl<F: FnMut(usize, Result<()>)> std::fmt::Debug for Batch<'_, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batch")
            .field("queued", &self.queued)
            .field("sent", &self.base)
            .field("mode", &self.mode)
            .finish()
    }
}

impl<F: FnMut(usize, Result<()>)> Batch<'_, F> {
    /// Chooses when the kernel acknowledges (default [`AckMode::Last`]).
    pub fn ack_mode(&mut self, mode: AckMode) -> &mut Self {
        self.mode = mode;
        self
    }

    /// Changes the datagram limits (bytes per `sendmsg`, requests per `sendmsg`).
    /// The batch buffer grows to `max_bytes`, but no further than 16 MiB (the kernel
    /// refuses datagrams larger than the socket's send buffer anyway).
    pub fn limits(&mut self, limits: BatchLimits) -> &mut Self {
        self.limits = limits;
        let want = limits.max_bytes.min(MAX_BATCH_BUF);
        if self.buf.len() < want {
            self.buf.resize(want, 0);
        }
        self
    }

    /// Queues one request: `encode` writes it into the slice it is given and returns
    /// its length (any [`crate::wire`] encoder fits). Returns the request's index.
    pub fn push(
        &mut self,
        encode: impl Fn(&mut [u8]) -> Result<usize, WireError>,
    ) -> Result<usize> {
        let cap = self.limits.max_bytes.min(self.buf.len());
        if self.len > cap {
            // The limits shrank below what is already queued: send that first.
            self.flush()?;
        }
        // An encoder that claims more bytes than it was given is refused, not trusted.
        let too_long = Error::Encode {
            op: "batch",
            source: WireError::BadLength,
        };
        let room = cap - self.len;
        match encode(&mut self.buf[self.len..cap]) {
            Ok(n) if n <= room => self.len += crate::abi::align4(n).min(room),
            Ok(_) => return Err(too_long),
            Err(WireError::BufferTooSmall) if self.len > 0 => {
                self.flush()?;
                let n = encode(&mut self.buf[..cap]).map_err(|source| Error::Encode {
                    op: "batch",
                    source,
                })?;
                if n > cap {
                    return Err(too_long);
                }
                self.len = crate::abi::align4(n).min(cap);
            }
            Err(source) => {
                return Err(Error::Encode {
                    op: "batch",
                    source,
                })
            }
        }
        self.queued += 1;
        Ok(self.base + self.queued - 1)
    }

    /// Queues an `RTM_NEWROUTE` (`ip route add`, create-exclusive).
    pub fn add_route(&mut self, r: &crate::wire::route::RouteRequest) -> Result<usize> {
        use crate::abi::*;
        self.push(|b| r.emit(b, RTM_NEWROUTE, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL))
    }

    /// Queues an `RTM_NEWROUTE` with `NLM_F_REPLACE` (`ip route replace`).
    pub fn replace_route(&mut self, r: &crate::wire::route::RouteRequest) -> Result<usize> {
        use crate::abi::*;
        self.push(|b| {
            r.emit(
                b,
                RTM_NEWROUTE,
                NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE,
            )
        })
    }

    /// Queues an `RTM_DELROUTE` (`ip route del`).
    pub fn delete_route(&mut self, r: &crate::wire::route::RouteRequest) -> Result<usize> {
        use crate::abi::*;
        self.push(|b| r.emit(b, RTM_DELROUTE, NLM_F_REQUEST))
    }

    /// Queues an `RTM_NEWADDR` (`ip addr add`).
    pub fn add_address(&mut self, a: &crate::wire::addr::AddrRequest) -> Result<usize> {
        use crate::abi::*;
        self.push(|b| a.emit(b, RTM_NEWADDR, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL))
    }

    /// Queues an `RTM_DELADDR` (`ip addr del`).
    pub fn delete_address(&mut self, a: &crate::wire::addr::AddrRequest) -> Result<usize> {
        use crate::abi::*;
        self.push(|b| a.emit(b, RTM_DELADDR, NLM_F_REQUEST))
    }

    /// Queues an `RTM_NEWLINK` that creates a link (`ip link add`, create-exclusive),
    /// e.g. a veth pair: `LinkRequest { name, kind: Some(LinkKind::Veth { .. }), .. }`.
    pub fn add_link(&mut self, l: &crate::wire::link::LinkRequest<'_>) -> Result<usize> {
        use crate::abi::*;
        self.push(|b| l.emit(b, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL))
    }

    /// Queues an `RTM_NEWLINK` change of an existing link (`ip link set`).
    pub fn set_link(&mut self, l: &crate::wire::link::LinkRequest<'_>) -> Result<usize> {
        use crate::abi::*;
        self.push(|b| l.emit(b, RTM_NEWLINK, NLM_F_REQUEST))
    }

    fn flush(&mut self) -> Result<()> {
        if self.len == 0 {
            return Ok(());
        }
        let base = self.base;
        let on_result = &mut self.on_result;
        let r = self.h.conn.batch(
            "batch",
            &mut self.buf[..self.len],
            self.mode,
            self.limits,
            |i, r| on_result(base + i, r),
        );
        self.base += self.queued;
        self.queued = 0;
        self.len = 0;
        if let Err(e) = r {
            // Every result was reported; remember the first transport failure.
            self.failed.get_or_insert(e);
        }
        Ok(())
    }

    fn finish_inner(&mut self) -> Result<()> {
        self.flush()?;
        match self.failed.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Sends what is queued and reports the remaining results. `Err` only when the
    /// exchange itself failed (a timeout, `ENOBUFS`): the requests concerned were
    /// reported with that error too. Refusals by the kernel are reported per request,
    /// not here.
    pub fn finish(mut self) -> Result<()> {
        self.finish_inner()
    }
}

impl<F: FnMut(usize, Result<()>)> Drop for Batch<'_, F> {
    fn drop(&mut self) {
        // Give the buffer back for the next batch.
        self.h.batch_buf = std::mem::take(&mut self.buf);
    }
}
