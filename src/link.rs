//! Operations layer: links — `ip link show/add/del/set`. `impl Handle` methods on a
//! reused socket, and the one-shot free functions on the thread's socket
//! (`oneshot.rs`).
//!
//! Wherever the kernel accepts a name instead of an index (`RTM_NEWLINK`/`RTM_DELLINK`
//! with `ifi_index = 0` and `IFLA_IFNAME`), one request does the work: no lookup
//! round trip first.

use crate::abi::*;
use crate::error::{Error, Result};
use crate::handle::Handle;
use crate::oneshot::with_thread_handle;
use crate::validate::{check_ifname, check_unicast_mac};
use crate::wire::link::{emit_dump, LinkKind, LinkMsg, LinkRequest};
use crate::wire::{Message, WireError};
use std::fmt;
use std::os::fd::{AsRawFd, BorrowedFd};
use std::str::FromStr;

/// A 48-bit Ethernet MAC address; parses from and displays as `02:00:00:00:00:01`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct MacAddr(pub [u8; 6]);

impl fmt::Display for MacAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = self.0;
        write!(
            f,
            "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
            m[0], m[1], m[2], m[3], m[4], m[5]
        )
    }
}

impl FromStr for MacAddr {
    type Err = Error;
    fn from_str(s: &str) -> Result<MacAddr> {
        let bad = || {
            Error::invalid(
                "MAC address",
                s,
                "expected six hex bytes like 02:00:00:00:00:01",
            )
        };
        let mut out = [0u8; 6];
        let mut parts = s.split(':');
        for b in &mut out {
            let p = parts.next().ok_or_else(bad)?;
            if p.is_empty() || p.len() > 2 {
                return Err(bad());
            }
            *b = u8::from_str_radix(p, 16).map_err(|_| bad())?;
        }
        if parts.next().is_some() {
            return Err(bad());
        }
        Ok(MacAddr(out))
    }
}

/// `IFLA_OPERSTATE` (RFC 2863), as `ip link` shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OperState {
    /// `UNKNOWN`
    Unknown,
    /// `NOTPRESENT`
    NotPresent,
    /// `DOWN`
    Down,
    /// `LOWERLAYERDOWN`
    LowerLayerDown,
    /// `TESTING`
    Testing,
    /// `DORMANT`
    Dormant,
    /// `UP`
    Up,
    /// A value this crate does not know.
    Other(u8),
}

impl From<u8> for OperState {
    fn from(v: u8) -> Self {
        match v {
            IF_OPER_UNKNOWN => OperState::Unknown,
            IF_OPER_NOTPRESENT => OperState::NotPresent,
            IF_OPER_DOWN => OperState::Down,
            IF_OPER_LOWERLAYERDOWN => OperState::LowerLayerDown,
            IF_OPER_TESTING => OperState::Testing,
            IF_OPER_DORMANT => OperState::Dormant,
            IF_OPER_UP => OperState::Up,
            o => OperState::Other(o),
        }
    }
}

impl fmt::Display for OperState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            OperState::Unknown => "UNKNOWN",
            OperState::NotPresent => "NOTPRESENT",
            OperState::Down => "DOWN",
            OperState::LowerLayerDown => "LOWERLAYERDOWN",
            OperState::Testing => "TESTING",
            OperState::Dormant => "DORMANT",
            OperState::Up => "UP",
            OperState::Other(v) => return write!(f, "OPERSTATE({v})"),
        };
        f.write_str(s)
    }
}

/// A link as the kernel reports it (`ip link show`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    /// `ifindex`.
    pub index: u32,
    /// The name.
    pub name: String,
    /// `IFF_*` flags (`IFF_UP`, `IFF_LOWER_UP`, ...).
    pub flags: u32,
    /// The MTU.
    pub mtu: u32,
    /// The link-layer address (6 bytes for Ethernet; absent for some kinds).
    pub address: Option<Vec<u8>>,
    /// The master's index (a bridge this link is a port of).
    pub master: Option<u32>,
    /// The kind (`"veth"`, `"bridge"`, ...); `None` for physical devices and `lo`.
    pub kind: Option<String>,
    /// The operational state.
    pub operstate: OperState,
    /// `ARPHRD_*` link type.
    pub link_type: u16,
}

impl Link {
    /// `IFF_UP` is set (administratively up).
    pub fn is_up(&self) -> bool {
        self.flags & IFF_UP != 0
    }

    /// The address as a MAC, when it is 6 bytes long.
    pub fn mac(&self) -> Option<MacAddr> {
        let a = self.address.as_deref()?;
        <[u8; 6]>::try_from(a).ok().map(MacAddr)
    }

    /// Converts the zero-copy view into an owned value.
    pub fn from_msg(m: &LinkMsg<'_>) -> Link {
        Link {
            index: m.index,
            name: m.name.to_owned(),
            flags: m.flags,
            mtu: m.mtu.unwrap_or(0),
            address: m.address.map(<[u8]>::to_vec),
            master: m.master.filter(|&i| i != 0),
            kind: m.kind.map(str::to_owned),
            operstate: m
                .operstate
                .map(OperState::from)
                .unwrap_or(OperState::Unknown),
            link_type: m.link_type,
        }
    }
}

/// Maps `ENODEV` from a request that named a link into [`Error::NotFound`].
pub(crate) fn not_found_as<'a>(
    kind: &'static str,
    name: &'a str,
) -> impl FnOnce(Error) -> Error + 'a {
    move |e| match e {
        Error::Kernel { errno, .. } if errno == libc::ENODEV => Error::NotFound {
            kind,
            name: name.to_owned(),
        },
        e => e,
    }
}

const SET: u16 = NLM_F_REQUEST | NLM_F_ACK;
const CREATE: u16 = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;

impl Handle {
    /// Visits every link without collecting them (`ip link show`). The dump is
    /// streamed: memory use does not grow with the number of links.
    pub fn for_each_link(&mut self, mut f: impl FnMut(&LinkMsg<'_>)) -> Result<()> {
        let n = emit_dump(&mut self.tx).map_err(|source| Error::Encode {
            op: "RTM_GETLINK",
            source,
        })?;
        self.conn.dump("RTM_GETLINK", &mut self.tx[..n], |m| {
            let l = LinkMsg::parse(m).map_err(|source| Error::Malformed {
                op: "RTM_GETLINK",
                source,
            })?;
            f(&l);
            Ok(())
        })
    }

    /// Every link (`ip link show`), from one dump, retried if the kernel reports it
    /// inconsistent.
    pub fn links(&mut self) -> Result<Vec<Link>> {
        let n = emit_dump(&mut self.tx).map_err(|source| Error::Encode {
            op: "RTM_GETLINK",
            source,
        })?;
        self.conn
            .dump_collect("RTM_GETLINK", &mut self.tx[..n], |m| {
                let l = LinkMsg::parse(m).map_err(|source| Error::Malformed {
                    op: "RTM_GETLINK",
                    source,
                })?;
                Ok(Some(Link::from_msg(&l)))
            })
    }

    /// One link by name (`ip link show dev NAME`): one `RTM_GETLINK` carrying
    /// `IFLA_IFNAME`, never a dump. `Ok(None)` when there is no such link.
    pub fn get_link(&mut self, name: &str) -> Result<Option<Link>> {
        self.lookup(name, |m| LinkMsg::parse(m).map(|l| Link::from_msg(&l)))
    }

    /// One `RTM_GETLINK` by name; `read` decodes the reply in place (so an index
    /// lookup allocates nothing and reads no attribute). `Ok(None)` when there is no
    /// such link.
    fn lookup<R>(
        &mut self,
        name: &str,
        read: impl FnOnce(&Message<'_>) -> std::result::Result<R, WireError>,
    ) -> Result<Option<R>> {
        check_ifname(name)?;
        let op = "RTM_GETLINK";
        let req = LinkRequest {
            name: Some(name),
            ext_mask: Some(RTEXT_FILTER_SKIP_STATS),
            ..Default::default()
        };
        let n = req
            .emit(&mut self.tx, RTM_GETLINK, NLM_F_REQUEST)
            .map_err(|source| Error::Encode { op, source })?;
        let mut read = Some(read);
        let mut found = None;
        let r = self.conn.get(op, &mut self.tx[..n], |m| {
            if let Some(read) = read.take() {
                found = Some(read(m).map_err(|source| Error::Malformed { op, source })?);
            }
            Ok(())
        });
        match r {
            Ok(()) => Ok(found),
            Err(Error::Kernel { errno, .. }) if errno == libc::ENODEV => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The index of the link called `name`; [`Error::NotFound`] when absent.
    pub fn link_index(&mut self, name: &str) -> Result<u32> {
        self.lookup(name, LinkMsg::parse_index)?
            .ok_or_else(|| Error::NotFound {
                kind: "link",
                name: name.to_owned(),
            })
    }

    /// Creates a link of `kind` (`ip link add NAME type KIND ...`). An existing link
    /// of that name is an error for which [`Error::is_exists`] is true.
    #[doc(alias = "RTM_NEWLINK")]
    pub fn add_link(&mut self, name: &str, kind: LinkKind<'_>) -> Result<()> {
        check_ifname(name)?;
        match kind {
            LinkKind::Veth { peer, .. } => check_ifname(peer)?,
            LinkKind::Other(k) if k.is_empty() || k.contains('\0') => {
                return Err(Error::invalid("link kind", k, "empty or contains NUL"))
            }
            _ => {}
        }
        let req = LinkRequest {
            name: Some(name),
            kind: Some(kind),
            ..Default::default()
        };
        self.ack_with("RTM_NEWLINK", |b| req.emit(b, RTM_NEWLINK, CREATE))
    }

    /// `ip link add NAME type veth peer name PEER`: one `RTM_NEWLINK` with the peer
    /// nested in `VETH_INFO_PEER`.
    pub fn add_veth_pair(&mut self, name: &str, peer: &str) -> Result<()> {
        self.add_link(
            name,
            LinkKind::Veth {
                peer,
                peer_netns_fd: None,
            },
        )
    }

    /// `ip link add NAME type veth peer name PEER netns NS`: the peer is born inside
    /// the namespace behind `peer_netns`, already under its final name (for a
    /// container: `PEER = "eth0"`), so no separate move or rename is needed.
    pub fn add_veth_pair_into_netns(
        &mut self,
        name: &str,
        peer: &str,
        peer_netns: BorrowedFd<'_>,
    ) -> Result<()> {
        self.add_link(
            name,
            LinkKind::Veth {
                peer,
                peer_netns_fd: Some(peer_netns.as_raw_fd()),
            },
        )
    }

    /// `ip link add NAME type bridge`.
    pub fn add_bridge(&mut self, name: &str) -> Result<()> {
        self.add_link(name, LinkKind::Bridge { stp: None })
    }

    /// `ip link del NAME`, by name in one request. [`Error::NotFound`] when absent.
    #[doc(alias = "RTM_DELLINK")]
    pub fn delete_link(&mut self, name: &str) -> Result<()> {
        check_ifname(name)?;
        let req = LinkRequest {
            name: Some(name),
            ..Default::default()
        };
        self.ack_with("RTM_DELLINK", |b| req.emit(b, RTM_DELLINK, SET))
            .map_err(not_found_as("link", name))
    }

    /// Applies `req` to the link called `name` (its `index` and `name` fields are
    /// overwritten): one `RTM_NEWLINK` selecting the link by name.
    pub fn set_link<'a>(&mut self, name: &'a str, mut req: LinkRequest<'a>) -> Result<()> {
        check_ifname(name)?;
        req.index = 0;
        req.name = Some(name);
        self.ack_with("RTM_NEWLINK", |b| req.emit(b, RTM_NEWLINK, SET))
            .map_err(not_found_as("link", name))
    }

    /// Applies `req` to the link with index `index` (`req.name`, if set, renames it).
    pub fn set_link_by_index(&mut self, index: u32, mut req: LinkRequest<'_>) -> Result<()> {
        if let Some(n) = req.name {
            check_ifname(n)?;
        }
        req.index = index;
        self.ack_with("RTM_NEWLINK", |b| req.emit(b, RTM_NEWLINK, SET))
    }

    /// `ip link set dev NAME up`.
    pub fn set_link_up(&mut self, name: &str) -> Result<()> {
        self.set_link(
            name,
            LinkRequest {
                flags: IFF_UP,
                change: IFF_UP,
                ..Default::default()
            },
        )
    }

    /// `ip link set dev NAME down`.
    pub fn set_link_down(&mut self, name: &str) -> Result<()> {
        self.set_link(
            name,
            LinkRequest {
                flags: 0,
                change: IFF_UP,
                ..Default::default()
            },
        )
    }

    /// `ip link set dev NAME mtu MTU`. The kernel refuses values outside the device's
    /// range with its own text (e.g. "mtu less than device minimum").
    pub fn set_link_mtu(&mut self, name: &str, mtu: u32) -> Result<()> {
        self.set_link(
            name,
            LinkRequest {
                mtu: Some(mtu),
                ..Default::default()
            },
        )
    }

    /// `ip link set dev NAME address MAC`. All-zero and multicast addresses are
    /// refused before any syscall.
    pub fn set_link_address(&mut self, name: &str, mac: MacAddr) -> Result<()> {
        check_unicast_mac(mac.0)?;
        self.set_link(
            name,
            LinkRequest {
                address: Some(&mac.0),
                ..Default::default()
            },
        )
    }

    /// `ip link set dev NAME master BRIDGE`. [`Error::NotFound`] names whichever of the
    /// two is absent.
    pub fn set_link_master(&mut self, name: &str, master: &str) -> Result<()> {
        check_ifname(name)?;
        check_ifname(master)?;
        let idx = self.link_index(master)?;
        self.set_link(
            name,
            LinkRequest {
                master: Some(idx),
                ..Default::default()
            },
        )
    }

    /// `ip link set dev NAME nomaster`.
    pub fn set_link_nomaster(&mut self, name: &str) -> Result<()> {
        self.set_link(
            name,
            LinkRequest {
                master: Some(0),
                ..Default::default()
            },
        )
    }

    /// `ip link set dev NAME name NEW`.
    pub fn rename_link(&mut self, name: &str, new_name: &str) -> Result<()> {
        check_ifname(name)?;
        check_ifname(new_name)?;
        let index = self.link_index(name)?;
        self.set_link_by_index(
            index,
            LinkRequest {
                name: Some(new_name),
                ..Default::default()
            },
        )
    }

    /// `ip link set dev NAME netns NS [name NEW]`: one request carrying
    /// `IFLA_NET_NS_FD` (and `IFLA_IFNAME`), so by the time it returns the link is in
    /// the target under its new name, and no other request ran in between.
    ///
    /// It is not atomic for observers, though: the kernel moves first and renames
    /// after (it uses the new name during the move only when the old one is taken in
    /// the target), so a listener on `RTNLGRP_LINK` in the target is told of the old
    /// name, then of the rename. A link that must only ever carry its final name
    /// there is better created there ([`Handle::add_veth_pair_into_netns`]). And as a
    /// rename refused *after* the move would leave the link in the target under its
    /// old name, a new name already taken there is refused (`EEXIST`) before
    /// anything moves.
    pub fn move_link_to_netns(
        &mut self,
        name: &str,
        netns: BorrowedFd<'_>,
        new_name: Option<&str>,
    ) -> Result<()> {
        check_ifname(name)?;
        if let Some(n) = new_name {
            check_ifname(n)?;
        }
        let req = LinkRequest {
            netns_fd: Some(netns.as_raw_fd()),
            ..Default::default()
        };
        match new_name {
            // Renaming needs the index: IFLA_IFNAME then carries the new name.
            Some(new) => {
                let index = self.link_index(name)?;
                if Handle::in_netns(netns)?.get_link(new)?.is_some() {
                    return Err(Error::Kernel {
                        op: "RTM_NEWLINK",
                        errno: libc::EEXIST,
                        message: Some(format!(
                            "a link named {new:?} already exists in the target namespace"
                        )),
                    });
                }
                self.set_link_by_index(
                    index,
                    LinkRequest {
                        name: Some(new),
                        ..req
                    },
                )
            }
            None => self.set_link(name, req),
        }
    }
}

/// Whether a link called `name` exists (`ip link show dev NAME`); `ENODEV` is
/// `Ok(false)`.
pub fn link_exists(name: &str) -> Result<bool> {
    check_ifname(name)?;
    with_thread_handle(|h| Ok(h.get_link(name)?.is_some()))
}

/// `(index, name)` of every link, from one dump (`ip link show`).
pub fn list_all_links() -> Result<Vec<(u32, String)>> {
    with_thread_handle(|h| {
        let n = emit_dump(&mut h.tx).map_err(|source| Error::Encode {
            op: "RTM_GETLINK",
            source,
        })?;
        h.conn.dump_collect("RTM_GETLINK", &mut h.tx[..n], |m| {
            let l = LinkMsg::parse(m).map_err(|source| Error::Malformed {
                op: "RTM_GETLINK",
                source,
            })?;
            Ok(Some((l.index, l.name.to_owned())))
        })
    })
}

/// `ip link add HOST type veth peer name PEER`. An existing name gives an error for
/// which [`Error::is_exists`] is true.
pub fn create_veth_pair(host: &str, peer: &str) -> Result<()> {
    check_ifname(host)?;
    check_ifname(peer)?;
    with_thread_handle(|h| h.add_veth_pair(host, peer))
}

/// `ip link del NAME`; idempotent: an absent link is `Ok`.
pub fn delete_link_by_name(name: &str) -> Result<()> {
    check_ifname(name)?;
    with_thread_handle(|h| match h.delete_link(name) {
        Err(e) if e.is_not_found() => Ok(()),
        r => r,
    })
}

/// `ip link set dev NAME up`; [`Error::NotFound`] when absent.
///
/// One round trip. If netlink is unavailable (refused by a seccomp filter or
/// missing), falls back to `SIOCGIFFLAGS`/`SIOCSIFFLAGS`.
pub fn set_link_up_by_name(name: &str) -> Result<()> {
    check_ifname(name)?;
    match with_thread_handle(|h| h.set_link_up(name)) {
        Err(e) if e.is_netlink_unavailable() => crate::ioctl::set_up(name),
        r => r,
    }
}

/// `ip link set dev NAME mtu MTU`; [`Error::NotFound`] when absent. Falls back to
/// `SIOCSIFMTU` when netlink is unavailable.
pub fn set_link_mtu_by_name(name: &str, mtu: u32) -> Result<()> {
    check_ifname(name)?;
    match with_thread_handle(|h| h.set_link_mtu(name, mtu)) {
        Err(e) if e.is_netlink_unavailable() => crate::ioctl::set_mtu(name, mtu),
        r => r,
    }
}

/// `ip link set dev NAME address MAC`; [`Error::NotFound`] when absent. All-zero and
/// multicast addresses are refused before any syscall. Falls back to `SIOCSIFHWADDR`
/// when netlink is unavailable.
pub fn set_link_address_by_name(name: &str, mac: MacAddr) -> Result<()> {
    check_ifname(name)?;
    check_unicast_mac(mac.0)?;
    match with_thread_handle(|h| h.set_link_address(name, mac)) {
        Err(e) if e.is_netlink_unavailable() => crate::ioctl::set_mac(name, mac),
        r => r,
    }
}

/// `ip link set dev LINK netns NS name NEW`: one request carrying `IFLA_NET_NS_FD`
/// and `IFLA_IFNAME` (see [`Handle::move_link_to_netns`] for what a listener in the
/// target sees); a `NEW` already taken in the target is refused before anything moves.
pub fn move_link_into_netns_fd_and_rename(
    link: &str,
    ns_fd: BorrowedFd<'_>,
    new_name: &str,
) -> Result<()> {
    check_ifname(link)?;
    check_ifname(new_name)?;
    with_thread_handle(|h| h.move_link_to_netns(link, ns_fd, Some(new_name)))
}

/// `ip link set dev LINK netns PID name NEW`: opens `/proc/PID/ns/net`, then as
/// [`move_link_into_netns_fd_and_rename`].
pub fn move_link_into_netns_and_rename(link: &str, pid: u32, new_name: &str) -> Result<()> {
    use std::os::fd::AsFd;
    check_ifname(link)?;
    check_ifname(new_name)?;
    let ns = crate::netns::open_pid(pid)?;
    move_link_into_netns_fd_and_rename(link, ns.as_fd(), new_name)
}
