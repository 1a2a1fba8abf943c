//! Layer `operations`: [`Handle`], the one call surface — one netlink socket reused
//! for every call — and [`Batch`], many requests per `sendmsg` with one result each,
//! which takes the same request values.
//!
//! Every write goes through one of two doors, shared by `Handle` and `Batch`: a verb
//! applied to an object (`add`, `replace`, `change`, `append`, `prepend`, `delete`:
//! [`Op`]), or any [`Request`]. Reads go through [`Handle::get_with`] (one message
//! back), [`Handle::dump`] (streamed) and [`Handle::collect_with`] (collected, retried
//! while the kernel says the dump was interrupted). The family files (`link.rs`,
//! `addr.rs`, `route.rs`, ...) build on these and never touch the connection.
//!
//! When the kernel or a sandbox refuses netlink itself, [`Handle::new`] still gives a
//! handle: setting a link's MAC, MTU, up and down then goes through `ioctl`s (on a
//! socket made where the handle lives), and every other operation returns
//! [`Error::NetlinkUnavailable`]. [`Handle::netlink_only`] and
//! [`Handle::set_ioctl_fallback`] opt out.

use crate::abi::Header;
use crate::error::{Error, Result};
use crate::request::{AckMode, BatchLimits, Conn};
use crate::sys::ioctl::IoctlSocket;
use crate::sys::socket::Socket;
use crate::types::IfName;
use crate::wire::link::{BasicChange, LinkRef};
use crate::wire::{Decode, DumpFilter, Message, Object, Op, Request, Verb, WireError};
use std::io;
use std::os::fd::BorrowedFd;
use std::time::Duration;

/// Size of the request buffer every handle keeps: the largest single request this
/// crate builds is well under it; a bigger one is built in a buffer of its own.
const TX_LEN: usize = 1024;

/// The most a batch buffer grows to, whatever [`BatchLimits::max_bytes`] says.
const MAX_BATCH_BUF: usize = 16 << 20;

/// One exchange on an encoded request (ack, get, dump, ...).
type Exchange<'a, R> = &'a mut dyn FnMut(&mut Conn<Socket>, &mut [u8]) -> Result<R>;

/// How the handle reaches the kernel.
#[derive(Debug)]
enum Backend {
    Netlink(Conn<Socket>),
    /// Netlink was refused: the errno it gave, and a socket for interface ioctls.
    Ioctl {
        errno: i32,
        io: IoctlSocket,
        /// Sets MAC, MTU, up or down by `ioctl`. Only [`Handle::open`] names it: a
        /// program that makes its handles with [`Handle::netlink_only`] or
        /// [`Handle::from_socket`] does not carry the `ioctl` code.
        ioctl_set: SetBasic,
    },
}

/// The `ioctl` side of [`Handle::set_link_up`] and its three siblings.
pub(crate) type SetBasic = fn(&IoctlSocket, LinkRef<'_>, BasicChange) -> Result<()>;

/// MAC, MTU, up or down by `ioctl` (`SIOCSIFHWADDR`, `SIOCSIFMTU`,
/// `SIOCGIFFLAGS`+`SIOCSIFFLAGS`): the fallback a [`Handle`] holds when netlink is
/// refused ([`crate::ops::handle::SetBasic`]).
fn set_basic_by_ioctl(io: &IoctlSocket, link: LinkRef<'_>, what: BasicChange) -> Result<()> {
    link.check()?;
    let name = match link {
        LinkRef::Name(n) => IfName::new(n)?,
        LinkRef::Index(i) => io.if_name(i)?,
    };
    let name = name
        .to_str()
        .ok_or_else(|| Error::invalid_bytes("interface name", name.as_bytes(), "not UTF-8"))?;
    match what {
        BasicChange::Up(up) => io.set_up(name, up),
        BasicChange::Mtu(mtu) => io.set_mtu(name, mtu),
        BasicChange::Mac(mac) => io.set_mac(name, mac),
    }
}

/// A connection to the kernel's routing subsystem, reused for every call: the API.
///
/// `Handle` is `Send`: create it in one thread, use it from another. It is not
/// `Clone` (it owns the socket). Each call is blocking and finishes before it returns.
///
/// ```no_run
/// let mut h = rtnl::Handle::new()?;
/// h.set_link_up("eth0")?;            // ip link set dev eth0 up
/// for l in h.links()?.iter() {       // ip link show
///     println!("{} {} mtu {:?}", l.index, l.name_str(), l.mtu);
/// }
/// # Ok::<(), rtnl::Error>(())
/// ```
#[derive(Debug)]
pub struct Handle {
    backend: Backend,
    fallback: bool,
    tx: Vec<u8>,
    batch_buf: Vec<u8>,
}

/// What a dump collected: the objects, and the messages that could not be decoded
/// (reported, never a reason to drop the others). Reads like a slice of the objects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listing<T> {
    items: Vec<T>,
    undecodable: Vec<(u16, WireError)>,
}

impl<T> Listing<T> {
    /// The objects.
    pub fn into_vec(self) -> Vec<T> {
        self.items
    }

    /// The messages that could not be decoded: their type and why. Empty unless a
    /// message was malformed (a broken attribute chain, a truncated header); an
    /// attribute the decoder does not understand is kept raw instead.
    pub fn undecodable(&self) -> &[(u16, WireError)] {
        &self.undecodable
    }

    /// True when every message was decoded.
    pub fn is_complete(&self) -> bool {
        self.undecodable.is_empty()
    }
}

impl<T> std::ops::Deref for Listing<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.items
    }
}

impl<T> IntoIterator for Listing<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'a, T> IntoIterator for &'a Listing<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

impl<T> From<Listing<T>> for Vec<T> {
    fn from(l: Listing<T>) -> Vec<T> {
        l.items
    }
}

/// The verbs, written once for [`Handle`] (each returns when the kernel answered) and
/// for [`Batch`] (each queues and returns the request's index).
macro_rules! verbs {
    ($out:ty) => {
        /// `ip X add`: creates `object`; an existing one is an error for which
        /// [`Error::is_exists`] is true (`NLM_F_CREATE|NLM_F_EXCL`).
        #[doc(alias = "RTM_NEWLINK")]
        #[doc(alias = "RTM_NEWADDR")]
        #[doc(alias = "RTM_NEWROUTE")]
        #[doc(alias = "RTM_NEWNEXTHOP")]
        #[inline]
        pub fn add<T: Object>(&mut self, object: &T) -> Result<$out> {
            self.push_op(Verb::Add, object)
        }

        /// `ip X replace`: creates `object`, or replaces the existing one
        /// (`NLM_F_CREATE|NLM_F_REPLACE`).
        #[inline]
        pub fn replace<T: Object>(&mut self, object: &T) -> Result<$out> {
            self.push_op(Verb::Replace, object)
        }

        /// `ip X change` / `ip link set`: changes the existing `object` only.
        #[inline]
        pub fn change<T: Object>(&mut self, object: &T) -> Result<$out> {
            self.push_op(Verb::Change, object)
        }

        /// `ip route append` / `bridge fdb append`: adds `object` beside an existing one
        /// (`NLM_F_CREATE|NLM_F_APPEND`): another next hop of the same route, say.
        #[inline]
        pub fn append<T: Object>(&mut self, object: &T) -> Result<$out> {
            self.push_op(Verb::Append, object)
        }

        /// `ip route prepend`: creates `object`, first among equals (`NLM_F_CREATE`).
        #[inline]
        pub fn prepend<T: Object>(&mut self, object: &T) -> Result<$out> {
            self.push_op(Verb::Prepend, object)
        }

        /// `ip X del`: deletes `object` — as a dump returned it, unchanged, or built by
        /// hand. An absent one is an error for which [`Error::is_not_found`] is true.
        #[doc(alias = "RTM_DELLINK")]
        #[doc(alias = "RTM_DELADDR")]
        #[doc(alias = "RTM_DELROUTE")]
        #[doc(alias = "RTM_DELNEXTHOP")]
        #[inline]
        pub fn delete<T: Object>(&mut self, object: &T) -> Result<$out> {
            self.push_op(Verb::Delete, object)
        }

        #[inline]
        fn push_op<T: Object>(&mut self, verb: Verb, object: &T) -> Result<$out> {
            self.push(&Op::new(verb, object))
        }
    };
}

impl Handle {
    /// Opens a handle in the calling thread's network namespace.
    ///
    /// If netlink itself is refused (a seccomp sandbox, a kernel without it), the
    /// handle is still made: [`set_link_up`](Self::set_link_up),
    /// [`set_link_down`](Self::set_link_down), [`set_link_mtu`](Self::set_link_mtu)
    /// and [`set_link_address`](Self::set_link_address) then use `ioctl`s, and every
    /// other operation returns [`Error::NetlinkUnavailable`].
    pub fn new() -> Result<Handle> {
        Handle::open(Socket::new(), IoctlSocket::new)
    }

    /// Opens a handle that needs netlink: [`Error::NetlinkUnavailable`] at once when
    /// it is refused, no `ioctl` fallback.
    pub fn netlink_only() -> Result<Handle> {
        let s = Socket::new().map_err(Error::netlink_socket)?;
        Ok(Handle::from_socket(s))
    }

    /// Opens a handle whose socket lives in the network namespace behind `netns`
    /// (an fd of `/proc/PID/ns/net`, `/run/netns/NAME`, ...). The socket is created
    /// on a short-lived thread that joins the namespace; the calling thread never
    /// changes namespace. The handle then works from any thread. Without netlink
    /// there, the `ioctl` socket of the fallback is made there too.
    pub fn in_netns(netns: BorrowedFd<'_>) -> Result<Handle> {
        let (nl, io) = crate::sys::netns::sockets_in_netns(netns)?;
        Handle::open(nl, move || {
            io.unwrap_or_else(|| Err(Error::invalid("netns", "", "no ioctl socket was made")))
        })
    }

    fn open(
        netlink: io::Result<Socket>,
        ioctl: impl FnOnce() -> Result<IoctlSocket>,
    ) -> Result<Handle> {
        match netlink.map_err(Error::netlink_socket) {
            Ok(s) => Ok(Handle::from_socket(s)),
            Err(Error::NetlinkUnavailable { source, .. }) => Ok(Handle {
                backend: Backend::Ioctl {
                    errno: source.raw_os_error().unwrap_or(libc::EPERM),
                    io: ioctl()?,
                    ioctl_set: set_basic_by_ioctl,
                },
                fallback: true,
                tx: Vec::new(),
                batch_buf: Vec::new(),
            }),
            Err(e) => Err(e),
        }
    }

    /// Wraps an already configured socket.
    pub fn from_socket(socket: Socket) -> Handle {
        Handle {
            backend: Backend::Netlink(Conn::new(socket)),
            fallback: true,
            tx: vec![0; TX_LEN],
            batch_buf: Vec::new(),
        }
    }

    /// Whether setting MAC, MTU, up and down falls back to `ioctl`s when netlink is
    /// unavailable (the default). Off, those operations return the netlink error
    /// ([`Error::NetlinkUnavailable`]) like every other.
    pub fn set_ioctl_fallback(&mut self, on: bool) {
        self.fallback = on;
    }

    /// True when this handle has a netlink socket (false: netlink was refused and only
    /// the `ioctl` fallback works).
    pub fn has_netlink(&self) -> bool {
        matches!(self.backend, Backend::Netlink(_))
    }

    /// Sets the receive timeout (default [`crate::sys::socket::DEFAULT_TIMEOUT`]); `None`
    /// waits forever.
    pub fn set_timeout(&mut self, timeout: Option<Duration>) -> Result<()> {
        self.conn("setsockopt(SO_RCVTIMEO)")?
            .transport_mut()
            .set_recv_timeout(timeout)
            .map_err(|e| Error::io("setsockopt(SO_RCVTIMEO)", e))
    }

    /// The underlying connection, to run exchanges the API does not cover; `op` names
    /// the operation in the error when netlink is unavailable.
    pub fn conn(&mut self, op: &'static str) -> Result<&mut Conn<Socket>> {
        match &mut self.backend {
            Backend::Netlink(c) => Ok(c),
            Backend::Ioctl { errno, .. } => Err(Error::NetlinkUnavailable {
                op,
                source: io::Error::from_raw_os_error(*errno),
            }),
        }
    }

    /// The `ioctl` socket to fall back on, when netlink is unavailable and the
    /// fallback is on.
    pub(crate) fn ioctl_fallback(&self) -> Option<&IoctlSocket> {
        self.ioctl_set_basic().map(|(io, _)| io)
    }

    /// [`ioctl_fallback`](Self::ioctl_fallback) with the function that sets MAC,
    /// MTU, up or down through it.
    pub(crate) fn ioctl_set_basic(&self) -> Option<(&IoctlSocket, SetBasic)> {
        match &self.backend {
            Backend::Ioctl { io, ioctl_set, .. } if self.fallback => Some((io, *ioctl_set)),
            _ => None,
        }
    }

    /// Checks `req` and encodes it into the handle's buffer (or, for a request larger
    /// than that, into one of its own); returns the length. The buffer is
    /// `self.tx` unless `big` was needed.
    fn encode(&mut self, req: &dyn Request, big: &mut Vec<u8>) -> Result<usize> {
        req.check()?;
        match req.emit(&mut self.tx) {
            Ok(n) => Ok(n),
            Err(WireError::BufferTooSmall) => {
                big.resize(MAX_BATCH_BUF.min(64 << 10), 0);
                let n = req.emit(big).map_err(|source| encode_error(big, source))?;
                Ok(n)
            }
            Err(source) => Err(encode_error(&self.tx, source)),
        }
    }

    /// Runs `exchange` on the encoded request. Not generic over the request: one copy
    /// of the exchange serves every family (what a guest's binary pays for).
    fn exchange<R>(&mut self, req: &dyn Request, exchange: Exchange<'_, R>) -> Result<R> {
        let mut big = Vec::new();
        let n = self.encode(req, &mut big)?;
        let Handle { backend, tx, .. } = self;
        let buf = if big.is_empty() {
            &mut tx[..n]
        } else {
            &mut big[..n]
        };
        let conn = match backend {
            Backend::Netlink(c) => c,
            Backend::Ioctl { errno, .. } => {
                // Named from the request itself (a handle without netlink keeps no
                // request buffer of its own: the request is in `big`).
                return Err(Error::NetlinkUnavailable {
                    op: request_op(buf),
                    source: io::Error::from_raw_os_error(*errno),
                });
            }
        };
        exchange(conn, buf)
    }

    /// Sends any request and waits for its ACK (`NLM_F_ACK` is set here).
    #[inline]
    pub fn push(&mut self, req: &impl Request) -> Result<()> {
        self.push_dyn(req)
    }

    fn push_dyn(&mut self, req: &dyn Request) -> Result<()> {
        self.exchange(req, &mut |c, m| c.ack(m))
    }

    /// Sends any request and waits for its ACK, handing every other reply (an object
    /// echoed back with `NLM_F_ECHO`, say) to `on_reply`.
    pub fn request_with(
        &mut self,
        req: &impl Request,
        mut on_reply: impl FnMut(&Message<'_>) -> Result<()>,
    ) -> Result<()> {
        self.exchange(req, &mut |c, m| c.request(m, &mut on_reply))
    }

    verbs!(());

    /// One lookup: sends `req` without `NLM_F_ACK` and decodes its one reply with
    /// `read`. `Ok(None)` when the kernel answered with an ACK and no object.
    pub fn get_with<R>(
        &mut self,
        req: &impl Request,
        read: impl FnOnce(&Message<'_>) -> Result<R, WireError>,
    ) -> Result<Option<R>> {
        let mut read = Some(read);
        let mut found = None;
        self.exchange(req, &mut |c, m| {
            c.get(m, |reply| {
                if let Some(read) = read.take() {
                    let op = crate::abi::msg_type_name(reply.header.nlmsg_type);
                    found = Some(read(reply).map_err(|source| Error::Malformed { op, source })?);
                }
                Ok(())
            })
        })?;
        Ok(found)
    }

    /// A dump (`NLM_F_DUMP` is set here), streamed: `f` sees every message as it is
    /// read, and memory does not grow with the dump. A message `f` cannot decode does
    /// not stop the others: the first such failure is returned after the dump ends.
    pub fn dump(
        &mut self,
        req: &impl Request,
        mut f: impl FnMut(&Message<'_>) -> Result<(), WireError>,
    ) -> Result<()> {
        let mut bad = None;
        self.exchange(req, &mut |c, m| {
            c.dump(m, |msg| {
                if let Err(source) = f(msg) {
                    let op = crate::abi::msg_type_name(msg.header.nlmsg_type);
                    bad.get_or_insert(Error::Malformed { op, source });
                }
                Ok(())
            })
        })?;
        bad.map_or(Ok(()), Err)
    }

    /// Visits the replies of `filter`'s dump that pass it (checked here too), as the
    /// family's zero-copy views: memory that does not grow with the table. Each
    /// family's `for_each_*` is this.
    pub fn for_each_matching<F: DumpFilter>(
        &mut self,
        filter: &F,
        mut f: impl FnMut(&F::View<'_>),
    ) -> Result<()> {
        self.dump(filter, |m| {
            let v = F::View::decode(m)?;
            if filter.matches(&v) {
                f(&v);
            }
            Ok(())
        })
    }

    /// The replies of `filter`'s dump that pass it (checked here too), each turned
    /// into its owned form by `own` — what each family's listing (`routes`,
    /// `neighbours`, ...) is. Retried while the kernel reports the dump interrupted,
    /// as [`collect_with`](Self::collect_with).
    pub fn collect_matching<F: DumpFilter, T>(
        &mut self,
        filter: &F,
        mut own: impl FnMut(&F::View<'_>) -> std::result::Result<T, WireError>,
    ) -> Result<Listing<T>> {
        self.collect_with(filter, |m| {
            let v = F::View::decode(m)?;
            if !filter.matches(&v) {
                return Ok(None);
            }
            own(&v).map(Some)
        })
    }

    /// A dump, collected: `decode` turns each message into an item (`None` skips it).
    /// Retried from the start (up to [`crate::request::DUMP_ATTEMPTS`] times) while
    /// the kernel reports it interrupted by concurrent changes. A message `decode`
    /// cannot read is reported in the [`Listing`], and the rest are kept.
    pub fn collect_with<T>(
        &mut self,
        req: &impl Request,
        mut decode: impl FnMut(&Message<'_>) -> Result<Option<T>, WireError>,
    ) -> Result<Listing<T>> {
        let out = std::cell::RefCell::new(Listing {
            items: Vec::new(),
            undecodable: Vec::new(),
        });
        self.exchange(req, &mut |c, m| {
            c.dump_consistent(
                m,
                || {
                    let mut o = out.borrow_mut();
                    o.items.clear();
                    o.undecodable.clear();
                },
                |msg| {
                    let mut o = out.borrow_mut();
                    match decode(msg) {
                        Ok(item) => o.items.extend(item),
                        Err(e) => o.undecodable.push((msg.header.nlmsg_type, e)),
                    }
                    Ok(())
                },
            )
        })?;
        Ok(out.into_inner())
    }

    /// Starts a batch: requests are packed into datagrams of up to 64 KiB, sent with
    /// one `sendmsg` each, and every request's result is passed to `on_result(index,
    /// result)` in order (index counts from 0 in the order requests were queued). See
    /// [`Batch`].
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
    /// use rtnl::Route;
    /// let mut h = rtnl::Handle::new()?;
    /// let oif = h.link_index("eth0")?;
    /// let results = h.batch_collect(|b| {
    ///     for i in 0..=255u8 {
    ///         b.add(&Route::to([10, 9, i, 0].into(), 24)?.dev(oif))?;
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

/// The name of the request in `buf` (its message type), for errors.
fn request_op(buf: &[u8]) -> &'static str {
    crate::abi::NlMsgHdr::read_from(buf)
        .map_or("RTM_UNKNOWN", |h| crate::abi::msg_type_name(h.nlmsg_type))
}

fn encode_error(buf: &[u8], source: WireError) -> Error {
    Error::Encode {
        op: request_op(buf),
        source,
    }
}

/// Many requests sent back-to-back, one result each. Created by [`Handle::batch`].
///
/// A batch takes the same request values as a [`Handle`]: the same verbs (`add`,
/// `replace`, `change`, `append`, `prepend`, `delete`) on the same objects, and any
/// [`Request`] through [`push`](Self::push). Requests are encoded straight into a
/// 64 KiB buffer; when it is full it is sent (one `sendmsg`) and the results of its
/// requests are reported before the call returns. [`finish`](Self::finish) sends the
/// rest. A request the kernel refuses does not stop the others. By default only the
/// last request of each datagram asks for an ACK ([`AckMode::Last`]); the kernel
/// always reports errors, so every request still gets its own result. A request that
/// its own checks refuse is not queued: the call returns the error, and the batch
/// goes on.
///
/// The kernel handles a datagram's requests in order, so a request may use what an
/// earlier one in the same batch created (a route using a nexthop object, a port
/// joining a bridge).
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
    /// The batch buffer grows to `max_bytes`, but no further than 16 MiB; the socket
    /// grows its send and receive buffers to match where it is allowed to (see
    /// [`BatchLimits`]). `BatchLimits { max_bytes: 1 << 20, max_msgs: 10_000 }` sends
    /// 10,000 neighbours in one `sendmsg` as root.
    pub fn limits(&mut self, limits: BatchLimits) -> &mut Self {
        self.limits = limits;
        let want = limits.max_bytes.min(MAX_BATCH_BUF);
        if self.buf.len() < want {
            self.buf.resize(want, 0);
        }
        self
    }

    /// Queues any request (checked first; refused ones are not queued). Returns the
    /// request's index.
    #[inline]
    pub fn push(&mut self, req: &impl Request) -> Result<usize> {
        req.check()?;
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
        match req.emit(&mut self.buf[self.len..cap]) {
            Ok(n) if n <= room => self.len += crate::abi::align4(n).min(room),
            Ok(_) => return Err(too_long),
            Err(WireError::BufferTooSmall) if self.len > 0 => {
                self.flush()?;
                let n = req
                    .emit(&mut self.buf[..cap])
                    .map_err(|source| Error::Encode {
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

    verbs!(usize);

    fn flush(&mut self) -> Result<()> {
        if self.len == 0 {
            return Ok(());
        }
        let base = self.base;
        let queued = self.queued;
        let on_result = &mut self.on_result;
        let r = match self.h.conn("batch") {
            Ok(conn) => conn.batch(&mut self.buf[..self.len], self.mode, self.limits, |i, r| {
                on_result(base + i, r)
            }),
            Err(e) => {
                for i in 0..queued {
                    on_result(base + i, Err(e.duplicate()));
                }
                Err(e)
            }
        };
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
