//! # rtnl — blocking rtnetlink for Linux links, addresses and routes (the crate root: layers and exports)
//!
//! `rtnl` configures network links, addresses and routes by speaking rtnetlink over a
//! plain, blocking `AF_NETLINK` socket. No async runtime; two dependencies (`libc`,
//! `thiserror`); no allocation on the encode path; errors that carry what the kernel
//! said — errno, extended-ACK text, and the attribute it pointed at.
//!
//! ## One API, one type per object
//!
//! [`Handle`] is the API: every operation exists there once. Each object the kernel
//! keeps is one owned type that parses and emits — [`Link`], [`Address`], [`Route`],
//! [`Nexthop`], [`Neighbour`], [`FdbEntry`], [`Rule`] — so what a dump returns can be
//! handed back unchanged:
//!
//! ```no_run
//! use rtnl::{Family, Route, RouteFilter};
//! let mut h = rtnl::Handle::new()?;
//! // ip route show table 300 ... then ip route del each
//! for r in h.routes(&RouteFilter { table: Some(300), ..Default::default() })? {
//!     h.delete(&r)?;
//! }
//! // ip route add 10.1.0.0/16 via 10.0.0.254
//! h.add(&Route::to("10.1.0.0".parse().unwrap(), 16)?.via("10.0.0.254".parse().unwrap()))?;
//! # Ok::<(), rtnl::Error>(())
//! ```
//!
//! The verbs (`add`, `replace`, `change`, `append`, `prepend`, `delete`) take any
//! object; a [`Batch`] takes the same values, many per `sendmsg`, one result each.
//!
//! ## Layers
//!
//! ```text
//! guest        guest/: a VM's whole bring-up, planned once, run by netlink or ioctls
//! operations   ops/: Handle + Batch (the one call surface), one file per family,
//!              oneshot (the seed-named free functions over a per-thread handle),
//!              Monitor (notifications, snapshots, waits: a socket of its own)
//! request      Conn: one reply dispatcher for ACK / get / dump / batch; seq, port id,
//!              NLM_F_* flags, errors and extended ACK
//! socket       sys/socket: OwnedFd, bind + getsockname, send; dumps sized by MSG_PEEK
//! wire         each message's encoding in one place: owned objects, zero-copy
//!              views, dump filters; MsgBuilder + Messages/Attrs; no syscalls, safe
//! abi, types,  #[repr(C)] kernel structs + constants + layout asserts; value types
//! error        (MacAddr, IfName, Family, Scope, ...); typed errors
//! side doors   sys/: ioctl, netns, sysctl, tun (/dev/net/tun) — beside the netlink stack
//! ```
//!
//! Dependencies point down only. `wire` never sees a file descriptor, so it is
//! golden-tested against iproute2's bytes and fuzzed without a kernel.
//!
//! ## Example
//!
//! ```no_run
//! use std::net::{IpAddr, Ipv4Addr};
//! // ip link add veth0 type veth peer name veth1
//! rtnl::create_veth_pair("veth0", "veth1")?;
//! // ip addr add 10.0.0.1/24 dev veth0
//! rtnl::add_address_to_link_by_name("veth0", IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)), 24)?;
//! // ip link set dev veth0 up
//! rtnl::set_link_up_by_name("veth0")?;
//! # Ok::<(), rtnl::Error>(())
//! ```
//!
//! A kernel refusal reads like this:
//!
//! ```no_run
//! let mut h = rtnl::Handle::new()?;
//! let err = h.add(&rtnl::Link::of_kind("d0", "dummy")?).unwrap_err();
//! // "RTM_NEWLINK: Operation not supported (os error 95): Unknown device type"
//! assert_eq!(err.errno(), Some(95));
//! # Ok::<(), rtnl::Error>(())
//! ```
//!
//! The free functions use a socket kept for the calling thread
//! ([`with_thread_handle`]), checked before each call against the process id and the
//! thread's current network namespace (a forked child, or a thread that called
//! `setns`, gets a new one); [`release_thread_socket`] closes it.
//!
//! On platforms other than Linux the crate still builds; every operation returns
//! [`Error::Unsupported`].

#![deny(missing_docs)]
#![deny(unsafe_code)]
#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]

pub mod abi;
mod error;
mod types;
mod validate;
pub mod wire;

#[allow(unsafe_code)]
mod sys {
    //! Layer `sys`: the files that make syscalls — the netlink socket, and the side
    //! doors beside the netlink stack (interface ioctls, namespaces, sysctls).
    pub mod ioctl;
    pub mod netns;
    pub mod socket;
    #[deny(unsafe_code)]
    pub mod sysctl;
    pub mod tun;
}
pub use sys::tun;
pub use sys::{ioctl, netns, socket, sysctl};

pub mod request;

mod ops;

pub mod guest;

pub use error::{Error, Result, ResultExt, WireError};
pub use netns::{with_netns, with_netns_fd};
pub use ops::addr::{
    add_address_to_link, add_address_to_link_by_name, flush_addresses_on_link_by_name,
};
pub use ops::bridge::{
    add_link_to_bridge, bridge_member_count, create_bridge, delete_bridge, set_bridge_stp,
};
pub use ops::fdb::FdbFlushed;
pub use ops::handle::{Batch, Handle, Listing};
pub use ops::link::{
    create_veth_pair, delete_link_by_name, link_exists, list_all_links,
    move_link_into_netns_and_rename, move_link_into_netns_fd_and_rename, set_link_address_by_name,
    set_link_mtu_by_name, set_link_up_by_name,
};
pub use ops::oneshot::{release_thread_socket, with_thread_handle};
pub use ops::route::{
    add_default_route_via_dev, add_default_route_via_gateway, add_route_via_dev,
    delete_route_via_dev, replace_route_via_dev,
};
pub use ops::tc::Hook;
pub use request::{AckMode, BatchLimits, Conn};
pub use socket::{Socket, Transport};
pub use sysctl::{read_sysctl, set_sysctl};
pub use types::{
    check_altname, check_ifname, AddrFlags, Family, HwAddr, IfName, LinkFlags, MacAddr, OperState,
    Protocol, RouteFlags, RouteType, Scope,
};
pub use validate::check_prefix;
pub use wire::addr::{AddrFilter, Address, Lifetimes};
pub use wire::bridge::{BridgeVlan, PortChange};
pub use wire::fdb::{FdbEntry, FdbFilter, FdbFlush, FdbState};
pub use wire::link::{
    AltName, Bond, BondArpAllTargets, BondArpValidate, BondMode, BridgePort, Geneve, Ipvlan,
    IpvlanFlags, IpvlanMode, Macvlan, MacvlanFlags, MacvlanMode, TunInfo, TunMode, TunnelDf, Vlan,
    VlanProtocol, VlanQos, Vrf, Vxlan,
};
pub use wire::link::{Bridge, Link, LinkFilter, LinkKind, LinkRef, LinkStats, Netns, VethPeer};
pub use wire::neigh::{NeighExtFlags, NeighFilter, NeighFlags, NeighState, Neighbour};
pub use wire::nexthop::{GroupMember, Nexthop, NexthopFilter, Resilient};
pub use wire::route::RouteGet;
pub use wire::route::{Hop, Metric, Route, RouteFilter};
pub use wire::rule::{Rule, RuleAction, RuleFilter, RuleFlags};
pub use wire::tc::{
    Action, ActionKind, Direction, Filter, FilterKind, Matchall, Mirred, MirredAction, Qdisc,
    QdiscKind, U32Key, U32Sel, U32,
};
pub use wire::{Decode, DumpFilter, Object, Op, Request, Verb};

pub use ops::monitor::{
    Event, EventKind, Events, Monitor, MonitorBuilder, MonitorStats, OwnedEvent, OwnedEventKind,
    Snapshot,
};

pub use ops::wait::{LinkCondition, LinkMatch, RouteMatch};
pub use socket::EventSource;
pub use wire::event::{EventFilter, Group};

/// The README's code snippets, compiled as doctests so that they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
