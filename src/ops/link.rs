//! Layer `operations`: links — `ip link show|add|del|set` on a [`Handle`], and the
//! one-shot free functions of the seed API over the thread's handle.
//!
//! Wherever the kernel accepts a name instead of an index (`RTM_NEWLINK`/`RTM_DELLINK`
//! with `ifi_index = 0` and `IFLA_IFNAME`, or `IFLA_ALT_IFNAME` for an alternative
//! name), one request does the work: no lookup round trip first. MAC, MTU, up and
//! down fall back to `ioctl`s when netlink is unavailable (see [`Handle::new`]).

use crate::error::{Error, Result, ResultExt};
use crate::ops::handle::{Handle, Listing};
use crate::ops::oneshot::with_thread_handle;
use crate::types::{check_ifname, IfName, MacAddr};
use crate::wire::link::{Link, LinkFilter, LinkGet, LinkMsg, LinkRef, Netns};
use crate::wire::{Decode, Message, WireError};
use std::os::fd::BorrowedFd;

/// Maps `ENODEV` from a request that named a link into [`Error::NotFound`].
pub(crate) fn not_found<'a>(
    kind: &'static str,
    link: LinkRef<'a>,
) -> impl FnOnce(Error) -> Error + 'a {
    move |e| match e {
        Error::Kernel { errno, .. } if errno == libc::ENODEV => Error::NotFound {
            kind,
            name: link.describe(),
        },
        e => e,
    }
}

impl Handle {
    /// Every link (`ip link show`), from one dump, retried if the kernel reports it
    /// inconsistent. Statistics are left out (see [`LinkFilter::stats`]).
    pub fn links(&mut self) -> Result<Listing<Link>> {
        self.links_matching(&LinkFilter::default())
    }

    /// The links that pass `filter` (`ip link show master BR`, `ip link show type
    /// veth`), filtered by the kernel: on a host with 10,000 links, the ports of one
    /// bridge cost a dump of those ports.
    pub fn links_matching(&mut self, filter: &LinkFilter<'_>) -> Result<Listing<Link>> {
        self.collect_matching(filter, |v| Ok(Link::from_view(v, filter.stats)))
    }

    /// Visits the links that pass `filter` without collecting them (`ip link show`):
    /// zero-copy views, memory that does not grow with the number of links.
    pub fn for_each_link(
        &mut self,
        filter: &LinkFilter<'_>,
        f: impl FnMut(&LinkMsg<'_>),
    ) -> Result<()> {
        self.for_each_matching(filter, f)
    }

    /// One link by index, name or alternative name (`ip link show dev NAME`): one
    /// `RTM_GETLINK`, never a dump. `Ok(None)` when there is no such link. Read back
    /// whole: the kind with its typed options, the parent (`IFLA_LINK`) and the
    /// namespace id it lives in, alternative names, alias, txqueuelen, flags; not the
    /// statistics ([`get_link_stats`](Self::get_link_stats) has them).
    pub fn get_link<'a>(&mut self, link: impl Into<LinkRef<'a>>) -> Result<Option<Link>> {
        self.get_link_with(link, |m| {
            LinkMsg::decode(m).map(|v| Link::from_view(&v, false))
        })
    }

    /// One link, read by `read` from the reply in place (an index lookup allocates
    /// nothing). `Ok(None)` when there is no such link.
    pub fn get_link_with<'a, R>(
        &mut self,
        link: impl Into<LinkRef<'a>>,
        read: impl FnOnce(&Message<'_>) -> Result<R, WireError>,
    ) -> Result<Option<R>> {
        let req = LinkGet {
            link: link.into(),
            stats: false,
        };
        self.get_with(&req, read).or_absent().map(Option::flatten)
    }

    /// One link with its 64-bit statistics (`ip -s link show dev NAME`), still without
    /// a dump.
    pub fn get_link_stats<'a>(&mut self, link: impl Into<LinkRef<'a>>) -> Result<Option<Link>> {
        let req = LinkGet {
            link: link.into(),
            stats: true,
        };
        self.get_with(&req, decode_link)
            .or_absent()
            .map(Option::flatten)
    }

    /// The index of a link; [`Error::NotFound`] when absent.
    pub fn link_index<'a>(&mut self, link: impl Into<LinkRef<'a>>) -> Result<u32> {
        let link = link.into();
        match link {
            LinkRef::Index(i) => {
                // Still a question for the kernel: does it exist?
                self.get_link_with(link, LinkMsg::decode_index)?
                    .ok_or_else(|| not_found_error(link))
                    .map(|_| i)
            }
            LinkRef::Name(_) => self
                .get_link_with(link, LinkMsg::decode_index)?
                .ok_or_else(|| not_found_error(link)),
        }
    }

    /// `ip link del NAME`: by index, name or alternative name, in one request.
    /// [`Error::NotFound`] when absent (`.or_absent()` for idempotence). Deleting one
    /// end of a veth pair removes both.
    pub fn delete_link<'a>(&mut self, link: impl Into<LinkRef<'a>>) -> Result<()> {
        let link = link.into();
        // (checked with the request, before anything is sent)
        self.push(&LinkSelect {
            link,
            change: None,
            verb_delete: true,
        })
        .map_err(not_found("link", link))
    }

    /// Applies `change` to `link` (`ip link set dev LINK ...`: every attribute of
    /// `change` in one `RTM_NEWLINK`, e.g. `up mtu 1400 master BR txqueuelen 5000
    /// alias TEXT`). `change.index` is ignored; `change.name`, if set and not the
    /// name `link` gives, renames the link (which then needs its index: one lookup
    /// first when `link` is a name).
    pub fn set_link<'a>(&mut self, link: impl Into<LinkRef<'a>>, change: &Link) -> Result<()> {
        let mut link = link.into();
        // `link` is checked with the request (or by the lookup), before anything is sent.
        if let (LinkRef::Name(n), Some(new)) = (link, change.name) {
            if new.as_bytes() != n {
                link = LinkRef::Index(self.link_index(link)?);
            }
        }
        self.push(&LinkSelect {
            link,
            change: Some(change),
            verb_delete: false,
        })
        .map_err(not_found("link", link))
    }

    /// MAC, MTU, up or down: one `RTM_NEWLINK`, or the `ioctl` that does the same
    /// when netlink is unavailable. One function for the four (a guest's binary pays
    /// for it once).
    #[inline(never)]
    fn set_basic(&mut self, link: LinkRef<'_>, what: Basic) -> Result<()> {
        if let Some((io, set)) = self.ioctl_set_basic() {
            return set(io, link, what);
        }
        self.push(&BasicSelect { link, what })
            .map_err(not_found("link", link))
    }

    /// `ip link set dev LINK up`. Without netlink: `SIOCGIFFLAGS` + `SIOCSIFFLAGS`.
    pub fn set_link_up<'a>(&mut self, link: impl Into<LinkRef<'a>>) -> Result<()> {
        self.set_basic(link.into(), Basic::Up(true))
    }

    /// `ip link set dev LINK down`. Without netlink: `SIOCGIFFLAGS` + `SIOCSIFFLAGS`.
    pub fn set_link_down<'a>(&mut self, link: impl Into<LinkRef<'a>>) -> Result<()> {
        self.set_basic(link.into(), Basic::Up(false))
    }

    /// `ip link set dev LINK mtu MTU`. The kernel refuses values outside the device's
    /// range with its own text ("mtu greater than device maximum"). Without netlink:
    /// `SIOCSIFMTU`.
    pub fn set_link_mtu<'a>(&mut self, link: impl Into<LinkRef<'a>>, mtu: u32) -> Result<()> {
        self.set_basic(link.into(), Basic::Mtu(mtu))
    }

    /// `ip link set dev LINK address MAC`. All-zero and multicast addresses are
    /// refused before any syscall. Without netlink: `SIOCSIFHWADDR`.
    pub fn set_link_address<'a>(
        &mut self,
        link: impl Into<LinkRef<'a>>,
        mac: MacAddr,
    ) -> Result<()> {
        mac.check_unicast()?;
        self.set_basic(link.into(), Basic::Mac(mac))
    }

    /// `ip link set dev LINK master MASTER`. [`Error::NotFound`] names whichever of the
    /// two is absent.
    pub fn set_link_master<'a, 'b>(
        &mut self,
        link: impl Into<LinkRef<'a>>,
        master: impl Into<LinkRef<'b>>,
    ) -> Result<()> {
        let link = link.into();
        link.check()?;
        let master = self.link_index(master)?;
        self.set_link(
            link,
            &Link {
                master: Some(master),
                ..Default::default()
            },
        )
    }

    /// `ip link set dev LINK nomaster`.
    pub fn set_link_nomaster<'a>(&mut self, link: impl Into<LinkRef<'a>>) -> Result<()> {
        self.set_link(
            link,
            &Link {
                master: Some(0),
                ..Default::default()
            },
        )
    }

    /// `ip link set dev LINK name NEW`.
    pub fn rename_link<'a>(&mut self, link: impl Into<LinkRef<'a>>, new_name: &str) -> Result<()> {
        let change = Link::named(new_name)?;
        self.set_link(link, &change)
    }

    /// `ip link set dev LINK netns NS [name NEW]`: one request carrying
    /// `IFLA_NET_NS_FD` (and `IFLA_IFNAME`), so by the time it returns the link is in
    /// the target under its new name, and no other request ran in between.
    ///
    /// It is not atomic for observers, though: the kernel moves first and renames
    /// after (it uses the new name during the move only when the old one is taken in
    /// the target), so a listener on `RTNLGRP_LINK` in the target is told of the old
    /// name, then of the rename. A link that must only ever carry its final name
    /// there is better created there (a veth's peer with [`crate::VethPeer::netns`]).
    /// And as a rename refused *after* the move would leave the link in the target
    /// under its old name, a new name already taken there is refused (`EEXIST`)
    /// before anything moves.
    pub fn move_link_to_netns<'a>(
        &mut self,
        link: impl Into<LinkRef<'a>>,
        netns: BorrowedFd<'_>,
        new_name: Option<&str>,
    ) -> Result<()> {
        let link = link.into();
        link.check()?;
        let name = new_name.map(IfName::new).transpose()?;
        if let Some(new) = new_name {
            if Handle::in_netns(netns)?.get_link(new)?.is_some() {
                return Err(Error::Kernel {
                    op: "RTM_NEWLINK",
                    errno: libc::EEXIST,
                    message: Some(format!(
                        "a link named {new:?} already exists in the target namespace"
                    )),
                    attr: Some("IFLA_IFNAME".into()),
                });
            }
        }
        self.set_link(
            link,
            &Link {
                name,
                netns: Some(Netns::fd(netns)),
                ..Default::default()
            },
        )
    }
}

/// The changes that fall back to `ioctl`s.
use crate::wire::link::BasicChange as Basic;

/// One of those changes to the link `link` selects.
struct BasicSelect<'a> {
    link: LinkRef<'a>,
    what: Basic,
}

impl crate::wire::Request for BasicSelect<'_> {
    fn check(&self) -> Result<()> {
        self.link.check()
    }

    fn emit(&self, buf: &mut [u8]) -> std::result::Result<usize, WireError> {
        self.what.emit_for(self.link, buf)
    }
}

/// [`Link::decode`] for any message lifetime (what a lookup's reader needs).
fn decode_link(m: &Message<'_>) -> std::result::Result<Link, WireError> {
    Link::decode(m)
}

fn not_found_error(link: LinkRef<'_>) -> Error {
    Error::NotFound {
        kind: "link",
        name: link.describe(),
    }
}

/// An `RTM_NEWLINK` change or `RTM_DELLINK` of the link `link` selects (see
/// [`Link::emit_for`]).
struct LinkSelect<'a> {
    link: LinkRef<'a>,
    change: Option<&'a Link>,
    verb_delete: bool,
}

impl crate::wire::Request for LinkSelect<'_> {
    fn check(&self) -> Result<()> {
        self.link.check()?;
        match self.change {
            // The selector names the link: check the change as the options it is.
            Some(c) => c.check_options(crate::wire::Verb::Change),
            None => Ok(()),
        }
    }

    #[inline]
    fn emit(&self, buf: &mut [u8]) -> std::result::Result<usize, WireError> {
        use crate::wire::Verb;
        match (self.change, self.verb_delete) {
            (Some(c), false) => c.emit_for(self.link, Verb::Change, buf),
            _ => Link::emit_delete(self.link, buf),
        }
    }
}

// ---------------------------------------------------------------------------------
// One-shot free functions (the seed API): the thread's handle, plus idempotence
// where documented.
// ---------------------------------------------------------------------------------

/// Whether a link called `name` exists (`ip link show dev NAME`); `ENODEV` is
/// `Ok(false)`.
pub fn link_exists(name: &str) -> Result<bool> {
    LinkRef::from(name).check()?;
    with_thread_handle(|h| Ok(h.get_link_with(name, LinkMsg::decode_index)?.is_some()))
}

/// `(index, name)` of every link, from one dump (`ip link show`). A name that is not
/// UTF-8 is given with `\xNN` for its other bytes.
pub fn list_all_links() -> Result<Vec<(u32, String)>> {
    with_thread_handle(|h| {
        let mut out = Vec::new();
        h.for_each_link(&LinkFilter::default(), |l| {
            let name = l
                .name
                .and_then(IfName::from_kernel)
                .map(|n| n.to_string())
                .unwrap_or_default();
            out.push((l.index(), name));
        })?;
        Ok(out)
    })
}

/// `ip link add HOST type veth peer name PEER`. An existing name gives an error for
/// which [`Error::is_exists`] is true.
pub fn create_veth_pair(host: &str, peer: &str) -> Result<()> {
    let pair = Link::veth(host, peer)?;
    with_thread_handle(|h| h.add(&pair))
}

/// `ip link del NAME`; idempotent: an absent link is `Ok`.
pub fn delete_link_by_name(name: &str) -> Result<()> {
    check_ifname(name)?;
    with_thread_handle(|h| h.delete_link(name))
        .or_absent()
        .map(drop)
}

/// `ip link set dev NAME up`; [`Error::NotFound`] when absent. One round trip; when
/// netlink is unavailable (refused by a seccomp filter, or missing),
/// `SIOCGIFFLAGS`/`SIOCSIFFLAGS`.
pub fn set_link_up_by_name(name: &str) -> Result<()> {
    check_ifname(name)?;
    with_thread_handle(|h| h.set_link_up(name))
}

/// `ip link set dev NAME mtu MTU`; [`Error::NotFound`] when absent. `SIOCSIFMTU` when
/// netlink is unavailable.
pub fn set_link_mtu_by_name(name: &str, mtu: u32) -> Result<()> {
    check_ifname(name)?;
    with_thread_handle(|h| h.set_link_mtu(name, mtu))
}

/// `ip link set dev NAME address MAC`; [`Error::NotFound`] when absent. All-zero and
/// multicast addresses are refused before any syscall. `SIOCSIFHWADDR` when netlink
/// is unavailable.
pub fn set_link_address_by_name(name: &str, mac: MacAddr) -> Result<()> {
    check_ifname(name)?;
    mac.check_unicast()?;
    with_thread_handle(|h| h.set_link_address(name, mac))
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
    let ns = crate::sys::netns::open_pid(pid)?;
    move_link_into_netns_fd_and_rename(link, ns.as_fd(), new_name)
}

// ---------------------------------------------------------------------------------
// Every kind, created where it belongs; alternative names; lookups by MAC; changes
// that can be undone.
// ---------------------------------------------------------------------------------

impl Handle {
    /// Creates `link` directly in the namespace its [`Link::netns`] names, under its
    /// final name, in one request when the kernel allows it (`ip link add link PARENT
    /// name NAME netns NS type KIND ...`: `IFLA_NET_NS_FD` or `IFLA_NET_NS_PID` on
    /// `RTM_NEWLINK`). The parent ([`Link::link`]) is resolved in *this* handle's
    /// namespace; the link never appears here. A link without `netns` is simply
    /// added.
    ///
    /// What the kernel does when the name is taken (tested on Linux 6.1 and 6.18,
    /// `tests/ops_kinds.rs` and `tests/qemu_guest.rs`):
    /// - taken in the **target**: `EEXIST` ("File exists"), on every kernel, and
    ///   nothing is created anywhere. This function returns that error
    ///   ([`Error::is_exists`]).
    /// - taken **here** (in the creating namespace) but free in the target: Linux 6.1
    ///   looks the name up here, finds the local link and refuses with `EEXIST`
    ///   (`NLM_F_EXCL`; it never touches that link). Newer kernels (6.18 here) look it
    ///   up in the target and create the link in one request. On the old behaviour
    ///   this function falls back to what the CNI plugins always do: it creates the
    ///   link in the target under a temporary name (`rtnl` + 8 hex digits, one more
    ///   request) and renames it there (a handle in the target, one request); if the
    ///   rename fails the temporary link is deleted. The link then is briefly visible
    ///   in the target under the temporary name.
    ///
    /// So: with a name that is free in both namespaces (the common case for a
    /// container's `eth0` made from a host without one), one request on every kernel.
    pub fn add_in_netns(&mut self, link: &Link) -> Result<()> {
        let Some(ns) = link.netns else {
            return self.add(link);
        };
        let err = match self.add(link) {
            Err(e) if e.is_exists() => e,
            r => return r,
        };
        let Some(name) = link.name else {
            return Err(err);
        };
        let ns_fd = match ns {
            Netns::Fd(fd) => crate::netns::open_path(format!("/proc/self/fd/{fd}"))?,
            Netns::Pid(pid) => crate::netns::open_pid(pid)?,
        };
        use std::os::fd::AsFd;
        let mut there = Handle::in_netns(ns_fd.as_fd())?;
        if there.get_link(&name)?.is_some() || self.get_link(&name)?.is_none() {
            // Taken in the target (or gone from here meanwhile): the kernel's answer.
            return Err(err);
        }
        let tmp = temporary_name()?;
        let mut t = link.clone();
        t.name = Some(tmp);
        self.add(&t)?;
        match there.set_link(&tmp, &Link::named(&name.to_string())?) {
            Ok(()) => Ok(()),
            Err(e) => {
                let _ = there.delete_link(&tmp);
                Err(e)
            }
        }
    }

    /// `ip link property add dev LINK altname NAME`: one `RTM_NEWLINKPROP`. A name
    /// taken (by this link or another) is an error for which [`Error::is_exists`] is
    /// true. The link is then found by that name too ([`Handle::get_link`]).
    #[doc(alias = "RTM_NEWLINKPROP")]
    pub fn add_altname<'a>(&mut self, link: impl Into<LinkRef<'a>>, name: &str) -> Result<()> {
        let link = link.into();
        self.add(&crate::wire::link::AltName::new(link, name))
            .map_err(not_found("link", link))
    }

    /// `ip link property del dev LINK altname NAME`: one `RTM_DELLINKPROP`; a name the
    /// link does not have is an error for which [`Error::is_not_found`] is true.
    #[doc(alias = "RTM_DELLINKPROP")]
    pub fn delete_altname<'a>(&mut self, link: impl Into<LinkRef<'a>>, name: &str) -> Result<()> {
        let link = link.into();
        self.delete(&crate::wire::link::AltName::new(link, name))
            .map_err(not_found("link", link))
    }

    /// The link whose address is `mac` (`ip -br link | grep MAC`): one streamed dump,
    /// scanned in place (zero-copy views, nothing allocated until the match, which is
    /// returned owned). Links that share a MAC (a VLAN and its parent, ipvlans, bond
    /// ports) come in index order: the first one, usually the parent, is returned.
    pub fn link_by_mac(&mut self, mac: MacAddr) -> Result<Option<Link>> {
        let mut found = None;
        self.for_each_link(&LinkFilter::default(), |l| {
            if found.is_none() && l.address == Some(&mac.0[..]) {
                found = Some(Link::from_view(l, false));
            }
        })?;
        Ok(found)
    }

    /// Applies `change` to `link` as [`set_link`](Self::set_link) does (one
    /// `RTM_NEWLINK`), and returns the change that undoes it: the values `change`
    /// replaced, read with one `RTM_GETLINK` first, selecting the link by index (so
    /// that it still applies after a rename). Send it with [`Handle::change`] to roll
    /// back:
    ///
    /// ```no_run
    /// use rtnl::Link;
    /// let mut h = rtnl::Handle::new()?;
    /// // ip link set dev eth0 mtu 9000 promisc on name uplink alias "trunk"
    /// let change = Link::default().mtu(9000).promisc(true).alias("trunk");
    /// let undo = h.set_link_undoable("eth0", &change)?;
    /// // ... something later fails: put eth0 back as it was
    /// h.change(&undo)?;
    /// # Ok::<(), rtnl::Error>(())
    /// ```
    ///
    /// Undone: name, address, broadcast, MTU, txqueuelen, group, alias (a link without
    /// one gets an empty alias, which removes it), master (`nomaster` when there was
    /// none), and the flags in `change.change` (up, promisc, allmulticast, arp, ...).
    /// Not undoable, refused before any syscall: a namespace move (undo it with
    /// [`move_link_to_netns`](Self::move_link_to_netns) from a handle in the target),
    /// kind options, queue counts, and raw attributes. The read and the change are two
    /// requests: a change made by someone else in between is not seen.
    pub fn set_link_undoable<'a>(
        &mut self,
        link: impl Into<LinkRef<'a>>,
        change: &Link,
    ) -> Result<Link> {
        let link = link.into();
        link.check()?;
        change.check_options(crate::wire::Verb::Change)?;
        let refuse = |what| {
            Err(Error::invalid(
                "undoable link change",
                what,
                "cannot be undone by a link change",
            ))
        };
        if change.netns.is_some() {
            return refuse("netns");
        }
        if change.kind.is_some() {
            return refuse("kind options");
        }
        if change.num_tx_queues.is_some() || change.num_rx_queues.is_some() {
            return refuse("queue counts");
        }
        if !change.other.is_empty() || change.link.is_some() || change.link_netnsid.is_some() {
            return refuse("raw attributes, parent or link-netnsid");
        }
        let cur = self.get_link(link)?.ok_or_else(|| not_found_error(link))?;
        let mut undo = Link::with_index(cur.index);
        if change.name.is_some() {
            undo.name = cur.name;
        }
        if change.address.is_some() {
            undo.address = cur.address;
        }
        if change.broadcast.is_some() {
            undo.broadcast = cur.broadcast;
        }
        if change.mtu.is_some() {
            undo.mtu = cur.mtu;
        }
        if change.txqlen.is_some() {
            undo.txqlen = cur.txqlen;
        }
        if change.group.is_some() {
            undo.group = Some(cur.group.unwrap_or(0));
        }
        if change.alias.is_some() {
            undo.alias = Some(cur.alias.clone().unwrap_or_default());
        }
        if change.operstate.is_some() {
            undo.operstate = cur.operstate;
        }
        if change.linkmode.is_some() {
            undo.linkmode = cur.linkmode;
        }
        if change.master.is_some() {
            undo.master = Some(cur.master.unwrap_or(0));
        }
        undo.change = change.change;
        undo.flags = cur.flags & change.change;
        self.set_link(LinkRef::Index(cur.index), change)?;
        Ok(undo)
    }
}

/// A name for a link on its way to its final one: `rtnl` and 8 hex digits.
fn temporary_name() -> Result<IfName> {
    use std::time::{SystemTime, UNIX_EPOCH};
    let t = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let local = 0u8;
    let seed = t ^ (u64::from(std::process::id()) << 32) ^ (&local as *const u8 as u64);
    let mixed = (seed ^ (seed >> 29)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    let name = format!("rtnl{:08x}", (mixed >> 32) as u32);
    IfName::new(&name)
}
