//! Side door: `tun` and `tap` devices through `/dev/net/tun` (`ip tuntap add|del`).
//! The kernel refuses `RTM_NEWLINK` for them ("tun/tap creation via rtnetlink is not
//! supported"), so they are made with `ioctl`s on the character device: `TUNSETIFF`
//! (name, mode, `IFF_NO_PI`, `IFF_VNET_HDR`, `IFF_MULTI_QUEUE`), `TUNSETOWNER`,
//! `TUNSETGROUP`, `TUNSETPERSIST`.
//!
//! [`TunTap::create`] returns the device's name and one [`OwnedFd`] per queue: the
//! descriptors *are* the device's queues (read and write packets on them). A device
//! that is not [`persist`](TunTap::persist)ent goes away when the last of them is
//! closed; a persistent one stays until [`delete`] (`ip tuntap del`) or
//! [`crate::Handle::delete_link`]. Once made, the device is a link like any other:
//! `RTM_GETLINK` reads it back with its kind `tun` and its options
//! ([`crate::TunInfo`], Linux ≥ 4.15).
//!
//! The device is created in the network namespace of the thread that opens
//! `/dev/net/tun`: the calling thread's for [`TunTap::create`], the one behind a
//! namespace descriptor for [`TunTap::create_in`] (opened on a short-lived thread
//! that joins it; the caller never changes namespace). The queue descriptors work
//! from anywhere afterwards.
//!
//! Creation is exclusive (`IFF_TUN_EXCL`, as `ip tuntap add`): a name already taken,
//! by a `tun`/`tap` or by a link of another kind, is refused with `EBUSY` rather than
//! attached to.

use crate::abi::{IFF_MULTI_QUEUE, IFF_NO_PI, IFF_TAP, IFF_TUN, IFF_VNET_HDR};
use crate::error::{Error, Result};
use crate::types::IfName;
use crate::wire::link::TunMode;
use std::os::fd::{BorrowedFd, OwnedFd};

/// `_IOW('T', nr, int)`, in the encoding of the target's architecture.
const fn iow(nr: u32) -> u32 {
    const SIZE: u32 = 4; // sizeof(int)
    #[cfg(any(
        target_arch = "powerpc",
        target_arch = "powerpc64",
        target_arch = "mips",
        target_arch = "mips64",
        target_arch = "sparc",
        target_arch = "sparc64"
    ))]
    const WRITE: u32 = 4 << 29;
    #[cfg(not(any(
        target_arch = "powerpc",
        target_arch = "powerpc64",
        target_arch = "mips",
        target_arch = "mips64",
        target_arch = "sparc",
        target_arch = "sparc64"
    )))]
    const WRITE: u32 = 1 << 30;
    WRITE | (SIZE << 16) | ((b'T' as u32) << 8) | nr
}

/// `TUNSETIFF`.
pub const TUNSETIFF: u32 = iow(202);
/// `TUNSETPERSIST`.
pub const TUNSETPERSIST: u32 = iow(203);
/// `TUNSETOWNER`.
pub const TUNSETOWNER: u32 = iow(204);
/// `TUNSETGROUP`.
pub const TUNSETGROUP: u32 = iow(206);

/// A `tun` or `tap` device to create (`ip tuntap add dev NAME mode tun|tap [user U]
/// [group G] [pi] [vnet_hdr] [multi_queue]`).
///
/// ```no_run
/// use rtnl::tun::TunTap;
/// use rtnl::TunMode;
/// // ip tuntap add dev tap0 mode tap vnet_hdr multi_queue (4 queues), kept open
/// let dev = TunTap { vnet_hdr: true, queues: 4, ..TunTap::new("tap0", TunMode::Tap)? }
///     .create()?;
/// assert_eq!(dev.queues.len(), 4);
/// # Ok::<(), rtnl::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TunTap {
    /// The device's name.
    pub name: IfName,
    /// `mode tun` (IP packets) or `mode tap` (Ethernet frames).
    pub mode: TunMode,
    /// `pi`: prefix each packet with `struct tun_pi` (off: `IFF_NO_PI`, as `ip`).
    pub packet_info: bool,
    /// `vnet_hdr`: prefix each packet with a `struct virtio_net_hdr`
    /// (`IFF_VNET_HDR`), for a VM's virtio-net backend.
    pub vnet_hdr: bool,
    /// How many queues (descriptors) to open: 1, or up to 256 with
    /// `IFF_MULTI_QUEUE`, which more than one implies.
    pub queues: u16,
    /// `multi_queue`: `IFF_MULTI_QUEUE` even with one queue (more can attach later).
    pub multi_queue: bool,
    /// `user U`: the uid allowed to attach (`TUNSETOWNER`).
    pub owner: Option<u32>,
    /// `group G`: the gid allowed to attach (`TUNSETGROUP`).
    pub group: Option<u32>,
    /// Keep the device when its descriptors close (`TUNSETPERSIST`); `ip tuntap add`
    /// always does.
    pub persist: bool,
}

/// A device made by [`TunTap::create`]: its name and its queues.
#[derive(Debug)]
pub struct TunDevice {
    /// The name the kernel gave it.
    pub name: IfName,
    /// One descriptor per queue, in the order they were attached.
    pub queues: Vec<OwnedFd>,
}

impl TunTap {
    /// A single-queue device `name` of `mode`, without packet information, not
    /// persistent (it lives as long as its descriptor).
    pub fn new(name: &str, mode: TunMode) -> Result<TunTap> {
        Ok(TunTap {
            name: IfName::new(name)?,
            mode,
            packet_info: false,
            vnet_hdr: false,
            queues: 1,
            multi_queue: false,
            owner: None,
            group: None,
            persist: false,
        })
    }

    /// What `ip tuntap add dev NAME mode MODE` makes: persistent, no descriptor kept.
    pub fn persistent(name: &str, mode: TunMode) -> Result<TunTap> {
        Ok(TunTap {
            persist: true,
            ..TunTap::new(name, mode)?
        })
    }

    /// Checks the request before any syscall.
    pub fn check(&self) -> Result<()> {
        if let TunMode::Other(m) = self.mode {
            return Err(Error::invalid("tun mode", m, "not tun or tap"));
        }
        if self.queues == 0 || self.queues > 256 {
            return Err(Error::invalid(
                "tun queues",
                self.queues,
                "must be 1 to 256 (MAX_TAP_QUEUES)",
            ));
        }
        if self.owner == Some(u32::MAX) || self.group == Some(u32::MAX) {
            return Err(Error::invalid(
                "tun owner",
                u32::MAX,
                "-1 means no owner: leave the field None",
            ));
        }
        Ok(())
    }

    /// `ifr_flags` of `TUNSETIFF`.
    #[cfg_attr(not(rtnl_netlink), allow(dead_code))]
    fn flags(&self) -> u16 {
        let mut f = match self.mode {
            TunMode::Tun => IFF_TUN,
            _ => IFF_TAP,
        };
        if !self.packet_info {
            f |= IFF_NO_PI;
        }
        if self.vnet_hdr {
            f |= IFF_VNET_HDR;
        }
        if self.multi_queue || self.queues > 1 {
            f |= IFF_MULTI_QUEUE;
        }
        f
    }

    /// Creates the device in the calling thread's network namespace and opens its
    /// queues. On any error nothing is left behind (a persistent device made before
    /// the error is deleted again).
    #[doc(alias = "TUNSETIFF")]
    pub fn create(&self) -> Result<TunDevice> {
        self.check()?;
        sys::create(self)
    }

    /// Creates the device in the network namespace behind `netns` (opened there on a
    /// short-lived thread), under its final name: it never appears in the caller's
    /// namespace.
    pub fn create_in(&self, netns: BorrowedFd<'_>) -> Result<TunDevice> {
        self.check()?;
        crate::netns::run_in("TunTap::create_in", netns, || sys::create(self))?
    }
}

/// `ip tuntap del dev NAME mode MODE`: attaches to the persistent device (as a
/// multi-queue one when it is) and clears its persistence; it goes away when the last
/// descriptor closes — at once, unless a program still holds one (a child that
/// another thread of this process is forking holds copies of every descriptor until
/// it execs: the device may outlive this call by that long). Idempotent, as `ip tuntap del` is: for a name no link
/// has, `/dev/net/tun` makes a device that goes again with the descriptor, and the
/// call returns `Ok`. A link of another kind, or a device of the other mode, is
/// refused (`EINVAL`). `RTM_DELLINK` ([`crate::Handle::delete_link`]) deletes a
/// device whatever holds it.
pub fn delete(name: &str, mode: TunMode) -> Result<()> {
    let t = TunTap {
        multi_queue: false,
        ..TunTap::new(name, mode)?
    };
    t.check()?;
    sys::delete(&t)
}

#[cfg(rtnl_netlink)]
mod sys {
    use super::*;
    use crate::abi::IFF_TUN_EXCL;
    use crate::ioctl::IfReq;
    use std::io;
    use std::os::fd::{AsRawFd, FromRawFd};

    fn open() -> Result<OwnedFd> {
        let path = c"/dev/net/tun";
        // SAFETY: `path` is a valid NUL-terminated string; the result is checked.
        let fd = unsafe { libc::open(path.as_ptr(), libc::O_RDWR | libc::O_CLOEXEC) };
        if fd < 0 {
            return Err(Error::io("open(/dev/net/tun)", io::Error::last_os_error()));
        }
        // SAFETY: `fd` is a fresh descriptor that nothing else owns.
        Ok(unsafe { OwnedFd::from_raw_fd(fd) })
    }

    fn set_iff(fd: &OwnedFd, ifr: &mut IfReq) -> Result<()> {
        // SAFETY: `fd` is open on /dev/net/tun; `ifr` is a full-size `struct ifreq`
        // with a NUL-terminated name, which the kernel reads and writes back.
        let r = unsafe { libc::ioctl(fd.as_raw_fd(), TUNSETIFF as _, ifr as *mut IfReq) };
        if r < 0 {
            return Err(Error::io("TUNSETIFF", io::Error::last_os_error()));
        }
        Ok(())
    }

    fn set_value(fd: &OwnedFd, req: u32, op: &'static str, v: libc::c_ulong) -> Result<()> {
        // SAFETY: `fd` is open on /dev/net/tun; these requests take their argument
        // by value, not as a pointer.
        let r = unsafe { libc::ioctl(fd.as_raw_fd(), req as _, v) };
        if r < 0 {
            return Err(Error::io(op, io::Error::last_os_error()));
        }
        Ok(())
    }

    pub(super) fn create(t: &TunTap) -> Result<TunDevice> {
        let first = open()?;
        let mut ifr = IfReq::new(t.name.as_bytes());
        ifr.set_flags(t.flags() | IFF_TUN_EXCL);
        set_iff(&first, &mut ifr)?;
        let len = ifr.ifr_name.iter().position(|&b| b == 0).unwrap_or(16);
        let name = IfName::from_kernel(&ifr.ifr_name[..len]).unwrap_or(t.name);
        let mut dev = TunDevice {
            name,
            queues: vec![first],
        };
        let r = (|| {
            let q = &dev.queues[0];
            if let Some(uid) = t.owner {
                set_value(q, TUNSETOWNER, "TUNSETOWNER", uid as libc::c_ulong)?;
            }
            if let Some(gid) = t.group {
                set_value(q, TUNSETGROUP, "TUNSETGROUP", gid as libc::c_ulong)?;
            }
            if t.persist {
                set_value(q, TUNSETPERSIST, "TUNSETPERSIST", 1)?;
            }
            for _ in 1..t.queues {
                let fd = open()?;
                let mut ifr = IfReq::new(dev.name.as_bytes());
                ifr.set_flags(t.flags());
                set_iff(&fd, &mut ifr)?;
                dev.queues.push(fd);
            }
            Ok(())
        })();
        if let Err(e) = r {
            if t.persist {
                let _ = set_value(&dev.queues[0], TUNSETPERSIST, "TUNSETPERSIST", 0);
            }
            return Err(e);
        }
        Ok(dev)
    }

    pub(super) fn delete(t: &TunTap) -> Result<()> {
        let fd = open()?;
        let mut ifr = IfReq::new(t.name.as_bytes());
        ifr.set_flags(t.flags());
        if let Err(e) = set_iff(&fd, &mut ifr) {
            // A multi-queue device is attached to only with IFF_MULTI_QUEUE.
            if e.errno() != Some(libc::EINVAL) {
                return Err(e);
            }
            let mut ifr = IfReq::new(t.name.as_bytes());
            ifr.set_flags(t.flags() | IFF_MULTI_QUEUE);
            set_iff(&fd, &mut ifr).map_err(|_| e)?;
        }
        set_value(&fd, TUNSETPERSIST, "TUNSETPERSIST", 0)
    }
}

#[cfg(not(rtnl_netlink))]
mod sys {
    use super::*;

    pub(super) fn create(_t: &TunTap) -> Result<TunDevice> {
        Err(Error::Unsupported { op: "TUNSETIFF" })
    }

    pub(super) fn delete(_t: &TunTap) -> Result<()> {
        Err(Error::Unsupported { op: "TUNSETIFF" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ioctl_numbers_are_the_kernels() {
        #[cfg(any(target_arch = "x86_64", target_arch = "aarch64", target_arch = "s390x"))]
        {
            assert_eq!(TUNSETIFF, 0x4004_54ca);
            assert_eq!(TUNSETPERSIST, 0x4004_54cb);
            assert_eq!(TUNSETOWNER, 0x4004_54cc);
            assert_eq!(TUNSETGROUP, 0x4004_54ce);
        }
    }

    #[test]
    fn flags_and_checks() {
        let t = TunTap::new("tap0", TunMode::Tap).unwrap();
        assert_eq!(t.flags(), IFF_TAP | IFF_NO_PI);
        let t = TunTap {
            vnet_hdr: true,
            queues: 2,
            packet_info: true,
            ..TunTap::new("tun0", TunMode::Tun).unwrap()
        };
        assert_eq!(t.flags(), IFF_TUN | IFF_VNET_HDR | IFF_MULTI_QUEUE);
        assert!(TunTap {
            queues: 0,
            ..t.clone()
        }
        .check()
        .is_err());
        assert!(TunTap {
            queues: 257,
            ..t.clone()
        }
        .check()
        .is_err());
        assert!(TunTap::new("a/b", TunMode::Tap).is_err());
        assert!(TunTap {
            mode: TunMode::Other(9),
            ..t
        }
        .check()
        .is_err());
    }
}
