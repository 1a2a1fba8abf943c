//! Layer `operations` (guest): waiting instead of polling. An init that needs its
//! NIC starts listening before the driver is loaded ([`NicWait::start`]: the group is
//! joined and the current links asked for on the same socket), loads it, and waits
//! ([`NicWait::wait`]) — by name, by MAC (whatever the kernel calls the NIC), or for
//! the first link that is not a loopback. Nothing sleeps; the NIC is seen the moment
//! the kernel announces it. [`wait_for_dad`] waits for an IPv6 address to finish
//! duplicate address detection.

use crate::error::{Error, Result};
use crate::ops::monitor::{EventKind, Monitor};
use crate::ops::wait::LinkMatch;
use crate::types::{LinkFlags, MacAddr};
use crate::wire::addr::Address;
use crate::wire::event::{Group, ObjectMsg};
use crate::wire::link::{Link, LinkFilter, LinkGet, LinkMsg, LinkRef};
use std::fmt;
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// The NIC a guest waits for.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Nic {
    /// By name (`eth0`).
    Name(String),
    /// By MAC: the address the hypervisor gave the NIC, whatever the kernel names it.
    Mac(MacAddr),
    /// The first link that is not a loopback (a VM's only NIC).
    Any,
}

impl fmt::Display for Nic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Nic::Name(n) => write!(f, "network interface {n}"),
            Nic::Mac(m) => write!(f, "network interface with MAC {m}"),
            Nic::Any => f.write_str("a network interface other than lo"),
        }
    }
}

impl Nic {
    fn link_match(&self) -> LinkMatch<'_> {
        match self {
            Nic::Name(n) => LinkMatch::Name(n),
            Nic::Mac(m) => LinkMatch::Mac(*m),
            Nic::Any => LinkMatch::NotLoopback,
        }
    }

    fn matches(&self, l: &LinkMsg<'_>) -> bool {
        match self.link_match() {
            LinkMatch::Name(n) => l.name == Some(n.as_bytes()),
            LinkMatch::Mac(m) => l.address == Some(&m.0[..]),
            _ => !l.flags().contains(LinkFlags::LOOPBACK) && l.header.ifi_type != 772,
        }
    }
}

/// The NIC, and how it was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NicFound {
    /// The link as the kernel described it then.
    pub link: Link,
    /// True when it appeared after the wait began (a notification); false when it
    /// was already there (the first lookup).
    pub by_event: bool,
    /// From [`NicWait::start`] to the moment it was seen.
    pub waited: Duration,
    /// Datagrams read meanwhile (each one a wake-up).
    pub wakeups: u64,
}

/// A wait for a NIC, started before what makes it appear (loading its driver, a
/// hot-plug): the link group is joined and the current links are asked for at once,
/// so whatever happens next is seen.
#[derive(Debug)]
pub struct NicWait {
    monitor: Monitor,
    nic: Nic,
    started: Instant,
}

impl NicWait {
    /// Starts waiting for `nic` in the calling thread's namespace.
    pub fn start(nic: Nic) -> Result<NicWait> {
        if let Nic::Name(n) = &nic {
            LinkRef::from(n.as_str()).check()?;
        }
        let started = Instant::now();
        let mut monitor = Monitor::new(&[Group::LINK])?;
        query(&mut monitor, &nic)?;
        Ok(NicWait {
            monitor,
            nic,
            started,
        })
    }

    /// Waits up to `timeout` for the NIC; [`Error::WaitTimeout`] names it and the
    /// links that were seen.
    pub fn wait(mut self, timeout: Duration) -> Result<NicFound> {
        let deadline = Instant::now() + timeout;
        let mut others: Vec<String> = Vec::new();
        loop {
            let again = match self.monitor.recv(Some(deadline))? {
                None => break,
                Some(ev) => {
                    if let (
                        EventKind::New(ObjectMsg::Link(l)) | EventKind::Dumped(ObjectMsg::Link(l)),
                        None,
                    ) = (ev.kind, ev.nsid)
                    {
                        if self.nic.matches(&l) {
                            return Ok(NicFound {
                                link: Link::from(&l),
                                by_event: matches!(ev.kind, EventKind::New(_)),
                                waited: self.started.elapsed(),
                                wakeups: self.monitor.stats().datagrams,
                            });
                        }
                        let name = l.name_str().unwrap_or("?").to_owned();
                        if !others.contains(&name) {
                            others.push(name);
                        }
                    }
                    matches!(ev.kind, EventKind::Overrun { .. })
                }
            };
            if again {
                query(&mut self.monitor, &self.nic)?;
            }
        }
        Err(Error::WaitTimeout {
            awaited: self.nic.to_string(),
            last_seen: if others.is_empty() {
                "absent; no other link seen".into()
            } else {
                format!("absent; links seen: {}", others.join(", "))
            },
            waited: self.started.elapsed(),
        })
    }
}

/// The lookup that gives the current state: one `RTM_GETLINK` by name, else a dump.
fn query(m: &mut Monitor, nic: &Nic) -> Result<u64> {
    match nic {
        Nic::Name(n) => m.query(
            &LinkGet {
                link: LinkRef::from(n.as_str()),
                stats: false,
            },
            false,
        ),
        _ => m.query(&LinkFilter::default(), true),
    }
}

/// Waits up to `timeout` for `nic` to be there ([`NicWait::start`] then
/// [`NicWait::wait`]): replaces a loop that reads `/sys/class/net` and sleeps.
pub fn wait_for_nic(nic: Nic, timeout: Duration) -> Result<Link> {
    NicWait::start(nic)?.wait(timeout).map(|f| f.link)
}

/// Waits up to `timeout` for `address` on link `index` to finish duplicate address
/// detection (see [`Monitor::wait_dad`]); [`Error::DadFailed`] when another node
/// uses it.
pub fn wait_for_dad(index: u32, address: IpAddr, timeout: Duration) -> Result<Address> {
    Monitor::new(&[])?.wait_dad(index, address, Instant::now() + timeout)
}
