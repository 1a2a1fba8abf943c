//! Layer `operations`: [`Monitor`] — a blocking listener of the kernel's rtnetlink
//! notifications that never misses a change: it joins multicast groups, takes a
//! snapshot of the current state on the same socket (so every change after it is
//! seen, and none is lost between "look" and "listen"), reports a receive-buffer
//! overrun as an event and, if asked, takes a new snapshot after it. Events are
//! zero-copy views of the datagram just read ([`Event`]) that convert to the owned
//! types ([`OwnedEvent`]). The waits built on it are in `wait.rs`.
//!
//! # The stream
//!
//! [`Monitor::recv`] returns one [`Event`] at a time, in the order the kernel queued
//! them: notifications ([`EventKind::New`], [`EventKind::Deleted`]) and, between a
//! [`EventKind::SnapshotStart`] and its [`EventKind::SnapshotEnd`], the objects of a
//! snapshot ([`EventKind::Dumped`]) interleaved with the notifications that arrived
//! while it was taken. Applying everything in order gives the kernel's state: a
//! snapshot's data is queued behind the changes that came before it and ahead of
//! those that came after, and `SnapshotStart` is delivered right before the
//! snapshot's first message, so a consumer that starts afresh there (drops what it
//! knew of the snapshot's groups) is correct again at `SnapshotEnd`. A dump the
//! kernel flags inconsistent (`NLM_F_DUMP_INTR`) is taken again before its
//! `SnapshotEnd`.
//!
//! # Overruns
//!
//! When notifications come faster than they are read, the kernel drops them and the
//! next receive fails with `ENOBUFS`. That is [`EventKind::Overrun`] here, never an
//! error and never silent: the consumer's picture is stale from there. With
//! [`MonitorBuilder::resync`] the monitor then takes a new snapshot of every group it
//! joined by itself ([`Snapshot::resync`]); after its `SnapshotEnd` the picture is
//! right again. The receive buffer ([`MonitorBuilder::recv_buffer`], with
//! `SO_RCVBUFFORCE` when privileged) decides how large a burst is absorbed.
//!
//! # Integration
//!
//! A monitor is a socket: [`AsFd`] / [`AsRawFd`] give its descriptor for epoll or
//! mio, and in non-blocking mode ([`MonitorBuilder::nonblocking`]) `recv` returns
//! `Ok(None)` as soon as nothing is queued. It can be made in any network namespace
//! ([`MonitorBuilder::netns`], like [`Handle::in_netns`]), and with
//! `NETLINK_LISTEN_ALL_NSID` ([`MonitorBuilder::all_nsid`]) one socket hears every
//! namespace that has an id in its own ([`Handle::set_netns_id`]), each event
//! carrying that id ([`Event::nsid`]).
//!
//! # Limits
//!
//! A single datagram larger than the monitor's buffer (64 KiB, grown on demand: only
//! a link with hundreds of VFs comes close) is lost and reported as an overrun. Under
//! qemu-user (the emulator translates only link, address and route messages), a
//! receive of a notification of another type fails with `EINVAL` — an error from
//! [`Monitor::recv`] after which the monitor goes on — and requests of other types
//! (a neighbour or rule dump) fail with `EOPNOTSUPP`.

use crate::abi::*;
use crate::error::{Error, Result};
use crate::ops::handle::Handle;
use crate::request::{classify, kernel_error, Belongs, Conn, Event as Exchange, DUMP_ATTEMPTS};
use crate::socket::{EventSource, Socket, Wait};
#[cfg(rtnl_netlink)]
use crate::wire::event::NsidSet;
use crate::wire::event::{Change, EventFilter, Group, ObjectMsg, OwnedObject, RawMessage};
use crate::wire::{Message, Messages, Request, WireError};
use std::collections::VecDeque;
#[cfg(rtnl_netlink)]
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::time::Instant;

/// The receive buffer a datagram is read into at first: the kernel puts at most
/// 32 KiB into a dump datagram, notifications are one message each; a single
/// message larger than this (a link with hundreds of VFs) grows it (see
/// [`EventKind::Overrun`]).
const RX_LEN: usize = 64 << 10;

/// A snapshot: its id (what [`Monitor::snapshot`] or [`Monitor::query`] returned)
/// and whether the monitor took it by itself after an overrun.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Snapshot {
    /// Its id, counted from 1 per monitor.
    pub id: u64,
    /// Taken after an overrun ([`MonitorBuilder::resync`]).
    pub resync: bool,
}

/// What one [`Event`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EventKind<'a> {
    /// A notification: the object was created or changed (`RTM_NEW*`: it is now as
    /// described).
    New(ObjectMsg<'a>),
    /// A notification: the object was deleted (`RTM_DEL*`).
    Deleted(ObjectMsg<'a>),
    /// An object as it is now: one item of a snapshot (a dump, or the answer to a
    /// lookup), between its [`SnapshotStart`](Self::SnapshotStart) and
    /// [`SnapshotEnd`](Self::SnapshotEnd).
    Dumped(ObjectMsg<'a>),
    /// A notification of a type this crate does not model (`RTM_NEWNETCONF`,
    /// `RTM_NEWNSID`, tc, ...): the raw message is [`Event::message`].
    Other,
    /// A message that could not be read (a truncated header, a broken attribute
    /// chain); [`Event::message`] holds it when its header could be read.
    Malformed(WireError),
    /// A snapshot begins: what comes next reflects the state from here. A consumer
    /// that keeps a picture of the snapshot's groups starts it afresh here.
    SnapshotStart(Snapshot),
    /// The snapshot is complete: the picture is the kernel's.
    SnapshotEnd(Snapshot),
    /// The kernel dropped notifications for this socket (`ENOBUFS`: its receive
    /// buffer was full), or one datagram was larger than the monitor's buffer (which
    /// then grows). What the consumer knows may be stale until the next snapshot —
    /// taken by the monitor itself with [`MonitorBuilder::resync`].
    Overrun {
        /// How many datagrams were lost since the last overrun (`SO_MEMINFO`), when
        /// known.
        dropped: Option<u32>,
    },
}

/// One thing the monitor read, borrowing its buffer until the next call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event<'a> {
    /// What it is.
    pub kind: EventKind<'a>,
    /// With `NETLINK_LISTEN_ALL_NSID` ([`MonitorBuilder::all_nsid`]): the id of the
    /// namespace it happened in, as the monitor's namespace knows it; `None` for the
    /// monitor's own namespace.
    pub nsid: Option<i32>,
    /// The message itself, for what the views do not model (`None` for the
    /// monitor's own events: snapshot bounds, overruns).
    pub message: Option<Message<'a>>,
}

impl<'a> Event<'a> {
    /// The object of a notification or snapshot item.
    pub fn object(&self) -> Option<&ObjectMsg<'a>> {
        match &self.kind {
            EventKind::New(o) | EventKind::Deleted(o) | EventKind::Dumped(o) => Some(o),
            _ => None,
        }
    }

    /// Whether the object exists after this event: `Some(true)` for
    /// [`New`](EventKind::New) and [`Dumped`](EventKind::Dumped), `Some(false)` for
    /// [`Deleted`](EventKind::Deleted), `None` for anything else.
    pub fn exists(&self) -> Option<bool> {
        match self.kind {
            EventKind::New(_) | EventKind::Dumped(_) => Some(true),
            EventKind::Deleted(_) => Some(false),
            _ => None,
        }
    }

    /// True for a change the kernel announced (not a snapshot item, not the
    /// monitor's own event).
    pub fn is_notification(&self) -> bool {
        matches!(
            self.kind,
            EventKind::New(_) | EventKind::Deleted(_) | EventKind::Other
        )
    }

    /// The event, owned (the views converted to the families' owned types; an
    /// address message without an address becomes [`OwnedEventKind::Malformed`]).
    pub fn to_owned(&self) -> OwnedEvent {
        let raw = || self.message.as_ref().map(RawMessage::from);
        let kind = match &self.kind {
            EventKind::New(o) | EventKind::Deleted(o) | EventKind::Dumped(o) => {
                match o.to_owned() {
                    Ok(x) => match self.kind {
                        EventKind::New(_) => OwnedEventKind::New(x),
                        EventKind::Deleted(_) => OwnedEventKind::Deleted(x),
                        _ => OwnedEventKind::Dumped(x),
                    },
                    Err(e) => OwnedEventKind::Malformed(e, raw()),
                }
            }
            EventKind::Other => match raw() {
                Some(r) => OwnedEventKind::Other(r),
                None => OwnedEventKind::Malformed(WireError::Truncated, None),
            },
            EventKind::Malformed(e) => OwnedEventKind::Malformed(*e, raw()),
            EventKind::SnapshotStart(s) => OwnedEventKind::SnapshotStart(*s),
            EventKind::SnapshotEnd(s) => OwnedEventKind::SnapshotEnd(*s),
            EventKind::Overrun { dropped } => OwnedEventKind::Overrun { dropped: *dropped },
        };
        OwnedEvent {
            kind,
            nsid: self.nsid,
        }
    }

    /// A short description, for logs and for the "last seen" of a wait's timeout
    /// (`"new link 3 veth0"`, `"snapshot 2 end"`).
    pub fn describe(&self) -> String {
        let what = |verb: &str, o: &ObjectMsg<'_>| {
            let name = match o {
                ObjectMsg::Link(l) => l.name_str().map(|n| format!(" {n}")),
                ObjectMsg::Address(a) => a.address.map(|a| format!(" {a}")),
                ObjectMsg::Route(r) => r.dst.map(|d| format!(" {d}/{}", r.dst_len())),
                ObjectMsg::Nexthop(n) => Some(format!(" id {}", n.id)),
                ObjectMsg::Neighbour(n) => n.dst.map(|d| format!(" {d}")),
                ObjectMsg::Fdb(f) => f.mac.map(|m| format!(" {m}")),
                ObjectMsg::Rule(r) => r.priority.map(|p| format!(" pref {p}")),
            };
            let index = o.index().map(|i| format!(" on {i}")).unwrap_or_default();
            format!("{verb} {}{}{index}", o.kind(), name.unwrap_or_default())
        };
        let mut s = match &self.kind {
            EventKind::New(o) => what("new", o),
            EventKind::Deleted(o) => what("deleted", o),
            EventKind::Dumped(o) => what("dumped", o),
            EventKind::Other => self
                .message
                .map_or("RTM_UNKNOWN", |m| msg_type_name(m.header.nlmsg_type))
                .to_string(),
            EventKind::Malformed(e) => format!("malformed message ({e})"),
            EventKind::SnapshotStart(s) => format!("snapshot {} start", s.id),
            EventKind::SnapshotEnd(s) => format!("snapshot {} end", s.id),
            EventKind::Overrun { dropped: Some(n) } => format!("overrun ({n} dropped)"),
            EventKind::Overrun { dropped: None } => "overrun".to_string(),
        };
        if let Some(n) = self.nsid {
            s.push_str(&format!(" (nsid {n})"));
        }
        s
    }
}

/// An [`Event`], owned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnedEvent {
    /// What it is.
    pub kind: OwnedEventKind,
    /// See [`Event::nsid`].
    pub nsid: Option<i32>,
}

/// What one [`OwnedEvent`] is; see [`EventKind`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum OwnedEventKind {
    /// A notification: created or changed.
    New(OwnedObject),
    /// A notification: deleted.
    Deleted(OwnedObject),
    /// A snapshot item.
    Dumped(OwnedObject),
    /// A message of a type this crate does not model.
    Other(RawMessage),
    /// A message that could not be read, and the message when its header could be.
    Malformed(WireError, Option<RawMessage>),
    /// A snapshot begins.
    SnapshotStart(Snapshot),
    /// A snapshot is complete.
    SnapshotEnd(Snapshot),
    /// Notifications were lost.
    Overrun {
        /// How many, when known.
        dropped: Option<u32>,
    },
}

/// What the monitor counted so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MonitorStats {
    /// Datagrams received (each one a wake-up of a blocking reader).
    pub datagrams: u64,
    /// Events delivered.
    pub events: u64,
    /// Overruns reported.
    pub overruns: u64,
    /// Datagrams the kernel said it dropped (`SO_MEMINFO`), summed over the
    /// overruns.
    pub dropped: u64,
}

/// One state query: a dump or a lookup, encoded once, stamped at each send.
#[derive(Debug)]
struct Query {
    msg: Vec<u8>,
    dump: bool,
}

/// Queries whose answers form one snapshot.
#[derive(Debug)]
struct Batch {
    id: u64,
    resync: bool,
    queries: VecDeque<Query>,
    /// The sequence number of the front query, while it is in flight.
    seq: Option<u32>,
    /// `SnapshotStart` was delivered.
    started: bool,
    /// The front query's dump was flagged inconsistent.
    interrupted: bool,
    /// How many times the front query was sent.
    attempts: u32,
}

/// Something to deliver before reading on.
#[derive(Debug)]
enum Pending {
    Start(Snapshot),
    End(Snapshot),
    Overrun(Option<u32>),
    Error(Error),
}

/// How a message at the read position is delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tag {
    Notification,
    Dumped,
}

/// A listener of rtnetlink notifications on its own socket; see the module docs of
/// [`crate::wire::event`] for what it reads and [`Monitor::recv`] for the stream.
///
/// ```no_run
/// use rtnl::{EventKind, Group, Monitor};
/// use rtnl::wire::event::ObjectMsg;
/// // ip monitor link address, starting with what is there now
/// let mut m = Monitor::builder()
///     .groups(&[Group::LINK, Group::IPV4_IFADDR, Group::IPV6_IFADDR])
///     .snapshot(true)
///     .resync(true)
///     .build()?;
/// while let Some(ev) = m.recv(None)? {
///     match ev.kind {
///         EventKind::New(ObjectMsg::Link(l)) | EventKind::Dumped(ObjectMsg::Link(l)) => {
///             println!("link {} {:?} is {:?}", l.index(), l.name_str(), l.flags())
///         }
///         EventKind::Deleted(ObjectMsg::Link(l)) => println!("link {} gone", l.index()),
///         EventKind::Overrun { .. } => println!("lost some; a resync follows"),
///         _ => {}
///     }
/// }
/// # Ok::<(), rtnl::Error>(())
/// ```
#[derive(Debug)]
pub struct Monitor<S: EventSource = Socket> {
    conn: Conn<S>,
    joined: Vec<Group>,
    rx: Vec<u8>,
    len: usize,
    pos: usize,
    nsid: Option<i32>,
    pending: VecDeque<Pending>,
    batches: VecDeque<Batch>,
    next_id: u64,
    resync: bool,
    filter: Option<EventFilter>,
    drops_seen: Option<u32>,
    stats: MonitorStats,
    /// Snapshots queued or in flight whose `SnapshotEnd` was not delivered yet.
    open: usize,
    /// After an overrun, until the socket's queue has been seen empty: nothing is
    /// sent (see [`Monitor::overrun`]).
    draining: bool,
}

/// How a [`Monitor`] is made: [`Monitor::builder`].
#[derive(Debug, Default)]
pub struct MonitorBuilder<'f> {
    groups: Vec<Group>,
    recv_buffer: Option<usize>,
    all_nsid: bool,
    nonblocking: bool,
    resync: bool,
    snapshot: bool,
    filter: Option<EventFilter>,
    #[cfg(rtnl_netlink)]
    netns: Option<BorrowedFd<'f>>,
    #[cfg(not(rtnl_netlink))]
    #[allow(dead_code)]
    netns: Option<std::marker::PhantomData<&'f ()>>,
}

impl<'f> MonitorBuilder<'f> {
    /// Joins `group` (`ip monitor link` joins [`Group::LINK`]).
    pub fn group(mut self, group: Group) -> Self {
        if !self.groups.contains(&group) {
            self.groups.push(group);
        }
        self
    }

    /// Joins every group of `groups`.
    pub fn groups(mut self, groups: &[Group]) -> Self {
        for g in groups {
            self = self.group(*g);
        }
        self
    }

    /// Joins the groups of every kind of object this crate models
    /// ([`Group::OBJECTS`]: links, addresses, routes, nexthops, neighbours, rules).
    pub fn all_objects(self) -> Self {
        self.groups(&Group::OBJECTS)
    }

    /// Asks for a receive buffer of `bytes` (`SO_RCVBUFFORCE` when privileged, else
    /// `SO_RCVBUF` capped by `net.core.rmem_max`); the kernel doubles the value for
    /// its bookkeeping. The default is the system's (`net.core.rmem_default`, about
    /// 208 KiB: some 600 route notifications).
    pub fn recv_buffer(mut self, bytes: usize) -> Self {
        self.recv_buffer = Some(bytes);
        self
    }

    /// Hears every namespace that has an id in the monitor's own
    /// (`NETLINK_LISTEN_ALL_NSID`), each event carrying it ([`Event::nsid`]).
    pub fn all_nsid(mut self, on: bool) -> Self {
        self.all_nsid = on;
        self
    }

    /// Non-blocking receives: [`Monitor::recv`] returns `Ok(None)` at once when
    /// nothing is queued (for epoll, mio and other event loops).
    pub fn nonblocking(mut self, on: bool) -> Self {
        self.nonblocking = on;
        self
    }

    /// After an overrun, take a new snapshot of every joined group by itself.
    pub fn resync(mut self, on: bool) -> Self {
        self.resync = on;
        self
    }

    /// Start with a snapshot of every joined group (taken after joining them: no
    /// change is missed in between).
    pub fn snapshot(mut self, on: bool) -> Self {
        self.snapshot = on;
        self
    }

    /// Installs a kernel-side filter ([`EventFilter`]) before joining the groups.
    pub fn filter(mut self, filter: EventFilter) -> Self {
        self.filter = Some(filter);
        self
    }

    /// Makes the socket in the network namespace behind `netns` (an fd of
    /// `/proc/PID/ns/net`, `/run/netns/NAME`, ...), on a short-lived thread: the
    /// calling thread never changes namespace.
    #[cfg(rtnl_netlink)]
    pub fn netns(mut self, netns: BorrowedFd<'f>) -> Self {
        self.netns = Some(netns);
        self
    }

    /// Opens the socket and configures it in this order: receive buffer,
    /// `NETLINK_LISTEN_ALL_NSID`, filter, groups, non-blocking mode; then sends the
    /// first snapshot's first dump if asked for.
    pub fn build(self) -> Result<Monitor> {
        #[cfg(rtnl_netlink)]
        let socket = match self.netns {
            Some(fd) => crate::netns::socket_in_netns(fd)?,
            None => Socket::new().map_err(Error::netlink_socket)?,
        };
        #[cfg(not(rtnl_netlink))]
        let socket = Socket::new().map_err(Error::netlink_socket)?;
        self.configure(socket)
    }

    #[cfg(rtnl_netlink)]
    fn configure(self, mut socket: Socket) -> Result<Monitor> {
        socket
            .set_recv_timeout(None)
            .map_err(|e| Error::io("setsockopt(SO_RCVTIMEO)", e))?;
        if let Some(b) = self.recv_buffer {
            socket
                .set_recv_buffer(b)
                .map_err(|e| Error::io("setsockopt(SO_RCVBUF)", e))?;
        }
        if self.all_nsid {
            socket
                .set_netlink_option(NETLINK_LISTEN_ALL_NSID, true)
                .map_err(|e| Error::io("setsockopt(NETLINK_LISTEN_ALL_NSID)", e))?;
        }
        let mut m = Monitor::from_source(socket);
        m.resync = self.resync;
        if let Some(f) = self.filter {
            m.set_filter(Some(f))?;
        }
        for g in self.groups {
            m.join(g)?;
        }
        if self.nonblocking {
            m.set_nonblocking(true)?;
        }
        if self.snapshot {
            m.snapshot()?;
        }
        Ok(m)
    }

    #[cfg(not(rtnl_netlink))]
    fn configure(self, _socket: Socket) -> Result<Monitor> {
        Err(Error::Unsupported { op: "Monitor" })
    }
}

impl Monitor {
    /// How to make a monitor: groups, buffer, namespace, filter, snapshot, resync.
    pub fn builder() -> MonitorBuilder<'static> {
        MonitorBuilder::default()
    }

    /// A blocking monitor in the calling thread's namespace that joined `groups`
    /// (`ip monitor`), without a snapshot.
    pub fn new(groups: &[Group]) -> Result<Monitor> {
        Monitor::builder().groups(groups).build()
    }

    /// A monitor whose socket lives in the namespace behind `netns` (see
    /// [`MonitorBuilder::netns`]).
    #[cfg(rtnl_netlink)]
    pub fn in_netns(netns: BorrowedFd<'_>, groups: &[Group]) -> Result<Monitor> {
        MonitorBuilder {
            netns: Some(netns),
            ..Default::default()
        }
        .groups(groups)
        .build()
    }

    /// A monitor in the network namespace of `h`'s socket (found with `SIOCGSKNS`;
    /// a handle made with [`Handle::in_netns`] included), joined to `groups`.
    #[cfg(rtnl_netlink)]
    pub fn for_handle(h: &mut Handle, groups: &[Group]) -> Result<Monitor> {
        let ns = h
            .conn("SIOCGSKNS")?
            .transport()
            .netns()
            .map_err(|e| Error::io("ioctl(SIOCGSKNS)", e))?;
        Monitor::in_netns(ns.as_fd(), groups)
    }

    /// Switches non-blocking mode on or off (see [`MonitorBuilder::nonblocking`]).
    #[cfg(rtnl_netlink)]
    pub fn set_nonblocking(&mut self, on: bool) -> Result<()> {
        self.conn
            .transport_mut()
            .set_nonblocking(on)
            .map_err(|e| Error::io("fcntl(O_NONBLOCK)", e))
    }

    /// Asks for a receive buffer of `bytes` (see [`MonitorBuilder::recv_buffer`]);
    /// returns what the kernel granted.
    #[cfg(rtnl_netlink)]
    pub fn set_recv_buffer(&mut self, bytes: usize) -> Result<usize> {
        self.conn
            .transport_mut()
            .set_recv_buffer(bytes)
            .map_err(|e| Error::io("setsockopt(SO_RCVBUF)", e))
    }
}

#[cfg(rtnl_netlink)]
impl AsFd for Monitor {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.conn.transport().as_fd()
    }
}

#[cfg(rtnl_netlink)]
impl AsRawFd for Monitor {
    fn as_raw_fd(&self) -> RawFd {
        self.conn.transport().as_raw_fd()
    }
}

impl<S: EventSource> Monitor<S> {
    /// A monitor over any [`EventSource`] (a scripted fake kernel in tests), joined
    /// to nothing yet.
    pub fn from_source(source: S) -> Monitor<S> {
        Monitor {
            conn: Conn::new(source),
            joined: Vec::new(),
            rx: vec![0; RX_LEN],
            len: 0,
            pos: 0,
            nsid: None,
            pending: VecDeque::new(),
            batches: VecDeque::new(),
            next_id: 1,
            resync: false,
            filter: None,
            drops_seen: None,
            stats: MonitorStats::default(),
            open: 0,
            draining: false,
        }
    }

    /// The socket (or fake) underneath.
    pub fn source(&self) -> &S {
        self.conn.transport()
    }

    /// The socket (or fake) underneath, mutably.
    pub fn source_mut(&mut self) -> &mut S {
        self.conn.transport_mut()
    }

    /// Joins a multicast group; joining one twice is not an error.
    pub fn join(&mut self, group: Group) -> Result<()> {
        if self.joined.contains(&group) {
            return Ok(());
        }
        if group.0 == 0 {
            return Err(Error::invalid("group", 0, "0 is no group"));
        }
        self.conn
            .transport_mut()
            .join(group.0)
            .map_err(|e| Error::io("setsockopt(NETLINK_ADD_MEMBERSHIP)", e))?;
        self.joined.push(group);
        Ok(())
    }

    /// Leaves a multicast group (notifications already queued are still read).
    pub fn leave(&mut self, group: Group) -> Result<()> {
        if let Some(i) = self.joined.iter().position(|g| *g == group) {
            self.conn
                .transport_mut()
                .leave(group.0)
                .map_err(|e| Error::io("setsockopt(NETLINK_DROP_MEMBERSHIP)", e))?;
            self.joined.remove(i);
        }
        Ok(())
    }

    /// The groups joined.
    pub fn groups(&self) -> &[Group] {
        &self.joined
    }

    /// Turns the automatic snapshot after an overrun on or off (see
    /// [`MonitorBuilder::resync`]).
    pub fn set_resync(&mut self, on: bool) {
        self.resync = on;
    }

    /// Installs (`Some`) or removes (`None`) the kernel-side filter: a classic-BPF
    /// program generated from `filter` ([`EventFilter::program`]), attached with
    /// `SO_ATTACH_FILTER`. Notifications it refuses are never queued. The same test
    /// is also applied to what is read, so a filter means the same on any socket.
    pub fn set_filter(&mut self, filter: Option<EventFilter>) -> Result<()> {
        let filter = filter.filter(|f| !f.is_empty());
        let program = match &filter {
            Some(f) => Some(
                f.program(self.conn.transport().port_id())
                    .map_err(|source| Error::Encode {
                        op: "SO_ATTACH_FILTER",
                        source,
                    })?,
            ),
            None => None,
        };
        let r = self.conn.transport_mut().set_filter(program.as_deref());
        match r {
            Ok(()) => {}
            // A source without kernel filters (a fake): the user-space test stands.
            Err(e) if e.raw_os_error() == Some(libc::EOPNOTSUPP) => {}
            Err(e) => return Err(Error::io("setsockopt(SO_ATTACH_FILTER)", e)),
        }
        self.filter = filter;
        Ok(())
    }

    /// The filter in place.
    pub fn filter(&self) -> Option<&EventFilter> {
        self.filter.as_ref()
    }

    /// What was counted so far: datagrams (wake-ups), events, overruns, drops.
    pub fn stats(&self) -> MonitorStats {
        self.stats
    }

    /// Takes a snapshot of every joined group that has one ([`Group::dump`]):
    /// their dumps are sent one after the other on the monitor's socket and their
    /// objects come as [`EventKind::Dumped`] events between a
    /// [`EventKind::SnapshotStart`] and an [`EventKind::SnapshotEnd`] carrying the
    /// returned id, interleaved with the notifications that arrive meanwhile (see
    /// the module docs). The first dump is sent now; a dump the kernel refuses
    /// comes out of [`recv`](Self::recv) as its error, and the snapshot goes on.
    pub fn snapshot(&mut self) -> Result<u64> {
        let groups = self.joined.clone();
        let mut queries = VecDeque::new();
        for g in groups {
            if let Some(d) = g.dump() {
                queries.push_back(encode(&d, true)?);
            }
        }
        Ok(self.push_batch(queries, false))
    }

    /// Queries part of the state: `req` is a dump (`dump`: `NLM_F_DUMP` is set) or
    /// a lookup answered by one object (`ip link show dev X`: an absent object is
    /// an empty answer, not an error). Its answer comes as a snapshot of its own
    /// (the returned id), ordered with the notifications like any snapshot. This is
    /// how the waits check the current state without a gap.
    pub fn query(&mut self, req: &impl Request, dump: bool) -> Result<u64> {
        let q = encode(req, dump)?;
        Ok(self.push_batch(VecDeque::from([q]), false))
    }

    /// How many snapshots are queued or in flight (their `SnapshotEnd` not read
    /// yet): 0 when the picture built from the events is the kernel's, as far as
    /// the events read so far tell.
    pub fn snapshots_pending(&self) -> usize {
        self.open
    }

    fn push_batch(&mut self, queries: VecDeque<Query>, resync: bool) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.open += 1;
        self.batches.push_back(Batch {
            id,
            resync,
            queries,
            seq: None,
            started: false,
            interrupted: false,
            attempts: 0,
        });
        self.kick();
        id
    }

    /// Sends the next query when none is in flight; ends the batches that have no
    /// query left.
    fn kick(&mut self) {
        if self.draining {
            return;
        }
        while let Some(b) = self.batches.front_mut() {
            if b.seq.is_some() {
                return;
            }
            let Some(q) = b.queries.front_mut() else {
                let b = self.batches.pop_front().expect("front exists");
                let s = Snapshot {
                    id: b.id,
                    resync: b.resync,
                };
                if !b.started {
                    self.pending.push_back(Pending::Start(s));
                }
                self.pending.push_back(Pending::End(s));
                continue;
            };
            let flags = if q.dump { NLM_F_DUMP } else { 0 };
            match self.conn.send_request(&mut q.msg, flags) {
                Ok(seq) => {
                    b.seq = Some(seq);
                    b.attempts += 1;
                    return;
                }
                Err(e) => {
                    b.queries.pop_front();
                    b.attempts = 0;
                    self.pending.push_back(Pending::Error(e));
                }
            }
        }
    }

    /// The front query is answered (`err`: refused, or failed): sends it again if
    /// its dump was flagged inconsistent, else goes on with the next.
    fn finish_query(&mut self, mut err: Option<Error>) {
        let Some(b) = self.batches.front_mut() else {
            return;
        };
        b.seq = None;
        if b.interrupted && err.is_none() {
            b.interrupted = false;
            if b.attempts < DUMP_ATTEMPTS {
                self.kick();
                return;
            }
            let op = b
                .queries
                .front()
                .map_or("RTM_UNKNOWN", |q| request_op(&q.msg));
            err = Some(Error::DumpInterrupted {
                op,
                attempts: b.attempts,
            });
        }
        b.queries.pop_front();
        b.attempts = 0;
        b.interrupted = false;
        if let Some(e) = err {
            self.pending.push_back(Pending::Error(e));
        }
        self.kick();
    }

    /// An overrun: reported, a lookup in flight to be sent again (its answer may be
    /// what was dropped: the kernel drops unicast replies to a full socket too), and
    /// with resync on, a new snapshot of every joined group queued.
    ///
    /// Nothing is sent until the socket's queue has been read empty (`draining`):
    /// after an overrun the kernel marks the socket congested and drops *every*
    /// notification (and unicast reply) for it, without reporting `ENOBUFS` again,
    /// until its queue is empty once. A snapshot taken before that — its own parts
    /// keeping the queue from emptying — would miss the changes made meanwhile. So
    /// the queue is drained first (every event before it delivered), then the
    /// snapshot is sent; any loss after that is reported anew.
    fn overrun(&mut self, dropped: Option<u32>, congested: bool) {
        self.stats.overruns += 1;
        self.stats.dropped += u64::from(dropped.unwrap_or(0));
        self.pending.push_back(Pending::Overrun(dropped));
        self.draining |= congested;
        if let Some(b) = self.batches.front_mut() {
            if b.seq.is_some() && b.queries.front().is_some_and(|q| !q.dump) {
                b.seq = None;
                b.attempts = 0;
                self.kick();
            }
        }
        if self.resync && !self.batches.iter().any(|b| b.resync && !b.started) {
            let mut queries = VecDeque::new();
            for g in self.joined.clone() {
                if let Some(d) = g.dump() {
                    if let Ok(q) = encode(&d, true) {
                        queries.push_back(q);
                    }
                }
            }
            self.push_batch(queries, true);
        }
    }

    /// How many datagrams the kernel dropped since the last look (`SO_MEMINFO`).
    fn dropped_since(&mut self) -> Option<u32> {
        let now = self.conn.transport().drops()?;
        let before = self.drops_seen.replace(now).unwrap_or(0);
        Some(now.wrapping_sub(before))
    }

    /// Receives the next event, waiting until `deadline` (`None`: as long as it
    /// takes; a non-blocking monitor never waits). `Ok(None)` when nothing came in
    /// time. The event borrows the monitor's buffer until the next call. Errors are
    /// failed syscalls and the kernel's refusals of a snapshot's dumps (the
    /// snapshot goes on without them); an overrun is an event, not an error.
    pub fn recv(&mut self, deadline: Option<Instant>) -> Result<Option<Event<'_>>> {
        self.next(match deadline {
            Some(d) => Wait::Until(d),
            None => Wait::Forever,
        })
    }

    /// The next event already queued, without waiting: `Ok(None)` when there is
    /// none.
    pub fn try_recv(&mut self) -> Result<Option<Event<'_>>> {
        self.next(Wait::No)
    }

    fn next(&mut self, wait: Wait) -> Result<Option<Event<'_>>> {
        loop {
            if let Some(p) = self.pending.pop_front() {
                let kind = match p {
                    Pending::Start(s) => EventKind::SnapshotStart(s),
                    Pending::End(s) => {
                        self.open -= 1;
                        EventKind::SnapshotEnd(s)
                    }
                    Pending::Overrun(dropped) => EventKind::Overrun { dropped },
                    Pending::Error(e) => return Err(e),
                };
                self.stats.events += 1;
                return Ok(Some(Event {
                    kind,
                    nsid: None,
                    message: None,
                }));
            }
            if self.pos < self.len {
                match self.step() {
                    Step::Deliver(start, end, tag) => {
                        self.stats.events += 1;
                        return Ok(Some(self.event_at(start, end, tag)));
                    }
                    Step::Malformed(e) => {
                        self.stats.events += 1;
                        return Ok(Some(Event {
                            kind: EventKind::Malformed(e),
                            nsid: self.nsid,
                            message: None,
                        }));
                    }
                    Step::Again => continue,
                }
            }
            // After an overrun: read what is queued without waiting; once the queue
            // is empty the socket is no longer congested, and what was held back
            // (a resync, a lookup to send again) goes out.
            let r = if self.draining {
                match self.conn.transport_mut().recv_event(&mut self.rx, Wait::No) {
                    Err(e) if e.raw_os_error() == Some(libc::EAGAIN) => {
                        self.draining = false;
                        self.kick();
                        continue;
                    }
                    r => r,
                }
            } else {
                self.conn.transport_mut().recv_event(&mut self.rx, wait)
            };
            match r {
                Ok(meta) if meta.truncated => {
                    // The datagram is lost; the next one of that size fits.
                    self.stats.datagrams += 1;
                    let want = meta.len.next_power_of_two().min(16 << 20);
                    if self.rx.len() < want {
                        self.rx.resize(want, 0);
                    }
                    if let Some(b) = self.batches.front_mut() {
                        b.interrupted |= b.seq.is_some();
                    }
                    self.overrun(Some(1), false);
                }
                Ok(meta) => {
                    self.stats.datagrams += 1;
                    self.len = meta.len.min(self.rx.len());
                    self.pos = 0;
                    self.nsid = meta.nsid;
                }
                Err(e) => match e.raw_os_error() {
                    Some(libc::EAGAIN) => return Ok(None),
                    Some(libc::EINTR) => continue,
                    Some(libc::ENOBUFS) => {
                        let d = self.dropped_since();
                        self.overrun(d, true);
                    }
                    _ => return Err(Error::io("recvmsg", e)),
                },
            }
        }
    }

    /// Looks at the message at the read position and decides what it is.
    fn step(&mut self) -> Step {
        let pid = self.conn.transport().port_id();
        let rest = &self.rx[self.pos..self.len];
        let m = match Messages::new(rest).next() {
            None => {
                self.pos = self.len;
                return Step::Again;
            }
            Some(Err(e)) => {
                self.pos = self.len;
                return Step::Malformed(e);
            }
            Some(Ok(m)) => m,
        };
        let start = self.pos;
        let end = start + NlMsgHdr::LEN + m.payload.len();
        let next = (start + align4(end - start)).min(self.len);
        // Our requests and their answers live in our own namespace; from another
        // (`NETLINK_LISTEN_ALL_NSID`) everything is a notification, whatever its port
        // id (port ids are per namespace).
        let own = self.nsid.is_none();
        let in_flight = self.batches.front().and_then(|b| b.seq).filter(|_| own);
        let class = match in_flight {
            Some(seq) => classify(&m, pid, seq, 1),
            None => Belongs::Other,
        };
        // What the exchange says, without holding on to the buffer.
        enum Out {
            Item(bool),
            Done(Option<(i32, Option<String>)>, bool),
            Ack,
            Refused(i32, Option<String>, Option<u32>),
            Bad(WireError),
            Control,
            Other,
        }
        let out = match class {
            Belongs::Exchange(Exchange::Reply { msg, .. }) => {
                Out::Item(msg.header.nlmsg_flags & NLM_F_DUMP_INTR != 0)
            }
            Belongs::Exchange(Exchange::Done { ack, .. }) => Out::Done(
                (ack.error != 0).then(|| (ack.error, ack.message.map(str::to_owned))),
                ack.request.nlmsg_flags & NLM_F_DUMP_INTR != 0,
            ),
            Belongs::Exchange(Exchange::Ack { .. }) => Out::Ack,
            Belongs::Exchange(Exchange::Refused { ack, .. }) => {
                Out::Refused(ack.error, ack.message.map(str::to_owned), ack.offset)
            }
            Belongs::Exchange(Exchange::Malformed(e)) => Out::Bad(e),
            Belongs::Control => Out::Control,
            Belongs::Other => Out::Other,
        };
        let header = m.header;
        let passes = match &self.filter {
            Some(f) => f.matches(&m),
            None => true,
        };
        if !matches!(out, Out::Other | Out::Control) {
            let b = self.batches.front_mut().expect("a query is in flight");
            if !b.started {
                // Everything before this message came before the snapshot.
                b.started = true;
                self.pending.push_back(Pending::Start(Snapshot {
                    id: b.id,
                    resync: b.resync,
                }));
                return Step::Again;
            }
        }
        match out {
            Out::Item(intr) => {
                self.pos = next;
                let mut lookup = false;
                if let Some(b) = self.batches.front_mut() {
                    b.interrupted |= intr;
                    lookup = b.queries.front().is_some_and(|q| !q.dump);
                }
                if lookup {
                    // A lookup is answered by its one object (no ACK was asked for).
                    self.finish_query(None);
                }
                Step::Deliver(start, end, Tag::Dumped)
            }
            Out::Done(err, intr) => {
                self.pos = next;
                if let Some(b) = self.batches.front_mut() {
                    b.interrupted |= intr;
                }
                let err = err.map(|(errno, message)| self.refusal(errno, message, None));
                self.finish_query(err);
                Step::Again
            }
            Out::Ack => {
                self.pos = next;
                self.finish_query(None);
                Step::Again
            }
            Out::Refused(errno, message, offset) => {
                self.pos = next;
                let e = self.refusal(errno, message, offset);
                let lookup = self
                    .batches
                    .front()
                    .and_then(|b| b.queries.front())
                    .is_some_and(|q| !q.dump);
                // A lookup of something absent: an empty answer.
                self.finish_query(if lookup && e.is_not_found() {
                    None
                } else {
                    Some(e)
                });
                Step::Again
            }
            Out::Bad(e) => {
                // The rest of the datagram is unreadable; the query stays in flight.
                self.pos = self.len;
                self.pending.push_back(Pending::Error(Error::Malformed {
                    op: "recvmsg",
                    source: e,
                }));
                Step::Again
            }
            Out::Control => {
                self.pos = next;
                Step::Again
            }
            Out::Other => {
                self.pos = next;
                // A stale reply to one of our own earlier requests (a lookup sent
                // again after an overrun): not a notification.
                if own && header.nlmsg_pid == pid && header.nlmsg_seq != 0 {
                    return Step::Again;
                }
                if !passes {
                    return Step::Again;
                }
                Step::Deliver(start, end, Tag::Notification)
            }
        }
    }

    /// The kernel's refusal of the front query.
    fn refusal(&self, errno: i32, message: Option<String>, offset: Option<u32>) -> Error {
        let req = self
            .batches
            .front()
            .and_then(|b| b.queries.front())
            .map_or(&[][..], |q| &q.msg[..]);
        kernel_error(
            req,
            &crate::wire::AckMsg {
                error: errno,
                request: NlMsgHdr::default(),
                message: message.as_deref(),
                offset,
                missing_type: None,
            },
        )
    }

    /// The event for the message in `rx[start..end]`.
    fn event_at(&self, start: usize, end: usize, tag: Tag) -> Event<'_> {
        let m = match Messages::new(&self.rx[start..end]).next() {
            Some(Ok(m)) => m,
            Some(Err(e)) => {
                return Event {
                    kind: EventKind::Malformed(e),
                    nsid: self.nsid,
                    message: None,
                }
            }
            None => {
                return Event {
                    kind: EventKind::Malformed(WireError::Truncated),
                    nsid: self.nsid,
                    message: None,
                }
            }
        };
        let kind = match (ObjectMsg::decode(&m), tag) {
            (Ok(Some((Change::New, o))), Tag::Dumped) => EventKind::Dumped(o),
            (Ok(Some((Change::New, o))), Tag::Notification) => EventKind::New(o),
            (Ok(Some((Change::Deleted, o))), _) => EventKind::Deleted(o),
            (Ok(None), _) => EventKind::Other,
            (Err(e), _) => EventKind::Malformed(e),
        };
        Event {
            kind,
            nsid: self.nsid,
            message: Some(m),
        }
    }

    /// The events as an iterator of owned values, blocking for each (a
    /// non-blocking monitor's iterator ends when nothing is queued).
    pub fn iter(&mut self) -> Events<'_, S> {
        Events {
            m: self,
            deadline: None,
        }
    }

    /// The events as an iterator of owned values, ending at `deadline`.
    pub fn iter_until(&mut self, deadline: Instant) -> Events<'_, S> {
        Events {
            m: self,
            deadline: Some(deadline),
        }
    }
}

/// What [`Monitor::step`] found.
enum Step {
    Deliver(usize, usize, Tag),
    Malformed(WireError),
    Again,
}

/// Encodes a query once.
fn encode(req: &(impl Request + ?Sized), dump: bool) -> Result<Query> {
    req.check()?;
    let mut buf = vec![0u8; 1024];
    let n = req.emit(&mut buf).map_err(|source| Error::Encode {
        op: "query",
        source,
    })?;
    buf.truncate(n);
    Ok(Query { msg: buf, dump })
}

fn request_op(msg: &[u8]) -> &'static str {
    NlMsgHdr::read_from(msg).map_or("RTM_UNKNOWN", |h| msg_type_name(h.nlmsg_type))
}

/// [`Monitor::iter`]: owned events, one per call.
#[derive(Debug)]
pub struct Events<'m, S: EventSource = Socket> {
    m: &'m mut Monitor<S>,
    deadline: Option<Instant>,
}

impl<S: EventSource> Iterator for Events<'_, S> {
    type Item = Result<OwnedEvent>;

    fn next(&mut self) -> Option<Result<OwnedEvent>> {
        match self.m.recv(self.deadline) {
            Ok(Some(ev)) => Some(Ok(ev.to_owned())),
            Ok(None) => None,
            Err(e) => Some(Err(e)),
        }
    }
}

impl Handle {
    /// `ip netns set NAME NSID`: gives the namespace behind `netns` an id in this
    /// handle's namespace (`None`: the kernel picks one). A monitor with
    /// [`MonitorBuilder::all_nsid`] hears the namespaces that have an id, each event
    /// carrying it. An id already given is refused (`EEXIST`).
    #[doc(alias = "RTM_NEWNSID")]
    #[cfg(rtnl_netlink)]
    pub fn set_netns_id(&mut self, netns: BorrowedFd<'_>, nsid: Option<i32>) -> Result<()> {
        self.push(&NsidSet {
            fd: netns.as_raw_fd(),
            nsid: nsid.unwrap_or(-1),
        })
    }
}
