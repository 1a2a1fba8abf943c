//! Waiting for the kernel — a link's operational state, IPv6 duplicate address
//! detection — through rtnetlink notifications, never with sleeps: subscribe first,
//! then read the state, then block on the notification socket (bounded by a receive
//! timeout) and read the state again after each notification that concerns the link.
//!
//! TODO(#13): replace the body of [`until`] with rtnl's event monitor and its waits
//! (`wait for link oper-up`, `wait for IPv6 DAD`) once that branch is merged; the two
//! public functions here are the only callers and keep their signatures.

use crate::cni::{CniError, CniResultT};
use crate::net::ContainerNs;
use rtnl::abi::{RTM_DELADDR, RTM_NEWADDR, RTM_NEWLINK, RTNLGRP_IPV6_IFADDR, RTNLGRP_LINK};
use rtnl::socket::Transport;
use rtnl::wire::Messages;
use rtnl::{AddrFilter, AddrFlags, Decode, Family, Handle, OperState, Socket};
use std::os::fd::AsFd;
use std::time::{Duration, Instant};

/// How long the reference waits for addresses to settle (`SettleAddresses(.., 10)`).
pub const DAD_TIMEOUT: Duration = Duration::from_secs(10);

/// How long the reference bridge waits for its port to be up (0+50+500+1000+1000 ms).
pub const PORT_UP_TIMEOUT: Duration = Duration::from_millis(2550);

/// Blocks until `ready()` is true, re-reading it after each notification of `groups`
/// on `sock` for which `relevant` holds; `Ok(false)` on timeout.
fn until(
    mut sock: Socket,
    groups: &[u32],
    timeout: Duration,
    mut relevant: impl FnMut(u16, &rtnl::wire::Message<'_>) -> bool,
    mut ready: impl FnMut() -> CniResultT<bool>,
) -> CniResultT<bool> {
    for g in groups {
        sock.add_membership(*g).map_err(CniError::internal)?;
    }
    if ready()? {
        return Ok(true);
    }
    let deadline = Instant::now() + timeout;
    let mut buf = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(false);
        }
        sock.set_recv_timeout(Some(left))
            .map_err(CniError::internal)?;
        let n = match sock.recv(&mut buf) {
            Ok(n) => n,
            Err(e) if matches!(e.raw_os_error(), Some(libc::EAGAIN) | Some(libc::ETIMEDOUT)) => {
                return Ok(false)
            }
            Err(e) if e.raw_os_error() == Some(libc::EINTR) => continue,
            // Notifications were lost (ENOBUFS): read the state again.
            Err(e) if e.raw_os_error() == Some(libc::ENOBUFS) => {
                if ready()? {
                    return Ok(true);
                }
                continue;
            }
            Err(e) => return Err(CniError::internal(e)),
        };
        let mut again = false;
        for m in Messages::new(&buf[..n]).flatten() {
            if relevant(m.header.nlmsg_type, &m) {
                again = true;
            }
        }
        if again && ready()? {
            return Ok(true);
        }
    }
}

/// Waits until link `index` of the calling thread's namespace is operationally up
/// (what the reference bridge waits for on its port before it sets the gateway);
/// `Ok(false)` on timeout, with the state it was left in.
pub fn oper_up(h: &mut Handle, index: u32, timeout: Duration) -> CniResultT<(bool, OperState)> {
    let sock = Socket::new().map_err(CniError::internal)?;
    let mut last = OperState::Unknown;
    let ok = until(
        sock,
        &[RTNLGRP_LINK],
        timeout,
        |ty, m| ty == RTM_NEWLINK && rtnl::wire::link::LinkMsg::decode_index(m) == Ok(index),
        || {
            let l = h.get_link(index)?;
            last = l.and_then(|l| l.operstate).unwrap_or(OperState::Unknown);
            Ok(last == OperState::Up)
        },
    )?;
    Ok((ok, last))
}

/// Waits until no address of link `index` in the container is tentative or has
/// failed duplicate address detection (`ip.SettleAddresses` of the reference);
/// `Ok(false)` on timeout.
pub fn addresses_settled(ns: &ContainerNs, index: u32, timeout: Duration) -> CniResultT<bool> {
    let sock = rtnl::netns::socket_in_netns(ns.fd.as_fd())?;
    let mut h = ns.handle()?;
    until(
        sock,
        &[RTNLGRP_IPV6_IFADDR],
        timeout,
        |ty, m| {
            (ty == RTM_NEWADDR || ty == RTM_DELADDR)
                && rtnl::wire::addr::AddrMsg::decode(m).is_ok_and(|a| a.index() == index)
        },
        || {
            let addrs = h.addresses_matching(&AddrFilter {
                family: Family::UNSPEC,
                index: Some(index),
            })?;
            Ok(!addrs.iter().any(|a| {
                a.flags
                    .intersects(AddrFlags::TENTATIVE | AddrFlags::DADFAILED)
            }))
        },
    )
}
