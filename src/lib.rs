//! # rtnl — blocking rtnetlink for Linux links, addresses and routes
//!
//! `rtnl` configures network links, addresses and routes by speaking rtnetlink over a
//! plain, blocking `AF_NETLINK` socket. No async runtime; two dependencies (`libc`,
//! `thiserror`); no allocation on the encode path; errors that carry what the kernel
//! said — errno *and* the extended-ACK text.
//!
//! ## Layers
//!
//! ```text
//! operations   link  addr  route  nexthop  bridge  guest   what users call; owned results
//!     |        Handle (one socket, reused)  + one-shot free functions
//! request      Conn: ACK / dump / batch; seq, port id, error and ext-ACK policy
//! socket       OwnedFd, bind + getsockname, send; dumps sized by MSG_PEEK, ACKs in one recv
//! wire         MsgBuilder + Messages/Attrs; per-family encoders; no syscalls, safe
//! abi          #[repr(C)] kernel structs + constants + compile-time layout asserts
//! side doors   ioctl  netns  sysctl — independent of the netlink stack
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
//! let err = h.add_link("d0", rtnl::LinkKind::Other("dummy")).unwrap_err();
//! // "RTM_NEWLINK: Operation not supported (os error 95): Unknown device type"
//! assert_eq!(err.errno(), Some(95));
//! # Ok::<(), rtnl::Error>(())
//! ```
//!
//! The free functions use a socket kept for the calling thread, checked before each
//! call against the process id and the thread's current network namespace (a forked
//! child, or a thread that called `setns`, gets a new one); [`release_thread_socket`]
//! closes it.
//!
//! On platforms other than Linux the crate still builds; every operation returns
//! [`Error::Unsupported`].

#![deny(missing_docs)]
#![deny(unsafe_code)]
#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]

pub mod abi;
pub mod wire;

mod error;
pub mod request;
#[allow(unsafe_code)]
pub mod socket;

mod addr;
mod bridge;
mod handle;
mod link;
mod nexthop;
mod oneshot;
mod route;
mod validate;

pub mod guest;
#[allow(unsafe_code)]
pub mod ioctl;
pub mod netns;
pub mod sysctl;

pub use addr::{
    add_address_to_link, add_address_to_link_by_name, flush_addresses_on_link_by_name, Address,
};
pub use bridge::{
    add_link_to_bridge, bridge_member_count, create_bridge, delete_bridge, set_bridge_stp,
};
pub use error::{Error, Result};
pub use handle::{Batch, Handle};
pub use link::{
    create_veth_pair, delete_link_by_name, link_exists, list_all_links,
    move_link_into_netns_and_rename, move_link_into_netns_fd_and_rename, set_link_address_by_name,
    set_link_mtu_by_name, set_link_up_by_name, Link, MacAddr, OperState,
};
pub use netns::{with_netns, with_netns_fd};
pub use nexthop::Nexthop;
pub use oneshot::release_thread_socket;
pub use request::{AckMode, BatchLimits, Conn};
pub use route::{
    add_default_route_via_dev, add_default_route_via_gateway, add_route_via_dev,
    delete_route_via_dev, replace_route_via_dev, Route, RouteFilter,
};
pub use socket::{Socket, Transport};
pub use sysctl::{read_sysctl, set_sysctl};
pub use validate::{check_ifname, check_prefix};
pub use wire::link::LinkKind;

/// The README's code snippets, compiled as doctests so that they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
