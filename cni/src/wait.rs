//! Waiting for the kernel — a bridge port's operational state, IPv6 duplicate
//! address detection — with rtnl's event monitor and its waits
//! ([`Monitor::wait_link`], [`Monitor::wait_dad`]): each joins its group, asks for
//! the current state on the same socket and reads the notifications that follow, so
//! no change between "look" and "listen" is missed and nothing sleeps. A kernel-side
//! filter ([`EventFilter`]) keeps the notifications of every other link away: a host
//! with many containers coming and going does not wake the wait.

use crate::cni::{CniError, CniResultT};
use rtnl::abi::{RTM_DELADDR, RTM_DELLINK, RTM_NEWADDR, RTM_NEWLINK};
use rtnl::{
    AddrFilter, AddrFlags, EventFilter, Family, Handle, LinkCondition, LinkMatch, Monitor,
    OperState,
};
use std::os::fd::BorrowedFd;
use std::time::{Duration, Instant};

/// How long the reference waits for addresses to settle (`SettleAddresses(.., 10)`).
pub const DAD_TIMEOUT: Duration = Duration::from_secs(10);

/// How long the reference bridge waits for its port to be up (0+50+500+1000+1000 ms).
pub const PORT_UP_TIMEOUT: Duration = Duration::from_millis(2550);

/// Waits until link `index` of the calling thread's namespace is operationally up
/// (what the reference bridge waits for on its port before it sets the gateway);
/// `Ok(false)` on timeout, with the state it was left in (read once more through `h`
/// for the error message).
pub fn oper_up(h: &mut Handle, index: u32, timeout: Duration) -> CniResultT<(bool, OperState)> {
    let deadline = Instant::now() + timeout;
    let mut m = Monitor::builder()
        .filter(EventFilter::types(&[RTM_NEWLINK, RTM_DELLINK]).index(index))
        .build()
        .map_err(CniError::internal)?;
    match m.wait_link(LinkMatch::Index(index), LinkCondition::OperUp, deadline) {
        Ok(_) => Ok((true, OperState::Up)),
        Err(e) if e.is_timeout() => {
            let state = h
                .get_link(index)?
                .and_then(|l| l.operstate)
                .unwrap_or(OperState::Unknown);
            Ok((false, state))
        }
        Err(e) => Err(CniError::internal(e)),
    }
}

/// Waits until no address of link `index` in the container is tentative
/// (`ip.SettleAddresses` of the reference): the addresses still in duplicate address
/// detection are read once through `ch` (the container's handle), then each is
/// awaited with [`Monitor::wait_dad`] on a monitor in `netns` (the container's
/// namespace). `Ok(false)` on timeout, or when an address
/// failed DAD (the reference polls such an address until its timeout, then goes on
/// as here: its caller ignores the outcome).
pub fn addresses_settled(
    ch: &mut Handle,
    netns: BorrowedFd<'_>,
    index: u32,
    timeout: Duration,
) -> CniResultT<bool> {
    let deadline = Instant::now() + timeout;
    let addrs = ch.addresses_matching(&AddrFilter {
        family: Family::UNSPEC,
        index: Some(index),
    })?;
    let pending: Vec<_> = addrs
        .iter()
        .filter(|a| {
            a.flags
                .intersects(AddrFlags::TENTATIVE | AddrFlags::DADFAILED)
        })
        .map(|a| a.address)
        .collect();
    if pending.is_empty() {
        return Ok(true);
    }
    let mut m = Monitor::builder()
        .netns(netns)
        .filter(EventFilter::types(&[RTM_NEWADDR, RTM_DELADDR]).index(index))
        .build()
        .map_err(CniError::internal)?;
    for a in pending {
        match m.wait_dad(index, a, deadline) {
            Ok(_) => {}
            Err(e) if e.is_timeout() || matches!(e, rtnl::Error::DadFailed { .. }) => {
                return Ok(false)
            }
            Err(e) => return Err(CniError::internal(e)),
        }
    }
    Ok(true)
}
