//! Side door (layer `sys`): interface `ioctl`s (`SIOCGIFINDEX`, `SIOC[GS]IFHWADDR`, `SIOC[GS]IFMTU`,
//! `SIOC[GS]IFFLAGS`) — independent of the netlink stack, for when `AF_NETLINK` is
//! refused (a seccomp sandbox, a kernel without it) or simply not wanted.
//!
//! The requests go over a datagram socket (`AF_INET`, or `AF_UNIX` where there is no
//! IPv4), one `ioctl` carrying a `struct ifreq` each. The kernel resolves the name in
//! the network namespace of that socket: an [`IoctlSocket`] keeps acting in the
//! namespace it was made in (a [`crate::Handle`] without netlink keeps one), and the
//! free functions open one per call in the calling thread's namespace (run them on a
//! thread that has joined another namespace, [`crate::netns::with_netns_fd`], to act
//! there).
//!
//! Names are checked with [`crate::check_ifname`] before any syscall. A missing link
//! (`ENODEV`) is [`Error::NotFound`]; any other refusal is [`Error::Io`] whose `op` is
//! the request name (`"SIOCSIFMTU"`) and whose source keeps the errno.
//!
//! On platforms other than Linux and Android every function returns
//! [`Error::Unsupported`] (after checking its arguments).

use crate::error::{Error, Result};
use crate::types::{check_ifname, IfName, MacAddr};
use libc::{c_int, c_short, c_ulong, c_ushort};

/// `IFNAMSIZ`: the name field of `struct ifreq`, NUL included.
const IFNAMSIZ: usize = 16;

/// `IFF_UP` (`linux/if.h`).
const IFF_UP: u32 = 0x1;

/// `ARPHRD_ETHER` (`linux/if_arp.h`): the `sa_family` of an Ethernet hardware address.
const ARPHRD_ETHER: u16 = 1;

/// `struct sockaddr` as the kernel uses it for hardware addresses: a family (`ARPHRD_*`)
/// and up to 14 address bytes.
#[repr(C)]
#[derive(Clone, Copy)]
struct SockAddr {
    sa_family: u16,
    sa_data: [u8; 14],
}

/// `struct ifmap` (`linux/if.h`): the union's largest member, and so what fixes the
/// size of `struct ifreq` — 24 bytes on 64-bit, 16 on 32-bit, with padding.
#[repr(C)]
#[derive(Clone, Copy)]
struct IfMap {
    mem_start: c_ulong,
    mem_end: c_ulong,
    base_addr: c_ushort,
    irq: u8,
    dma: u8,
    port: u8,
}

/// The `ifr_ifru` union of `struct ifreq`, with the members this module uses plus the
/// two that give it its size and alignment (`ifru_map`, `ifru_data`).
#[repr(C)]
#[derive(Clone, Copy)]
union IfrIfru {
    ifru_hwaddr: SockAddr,
    ifru_flags: c_short,
    /// `ifru_ivalue` / `ifru_mtu` / `ifr_ifindex`.
    ifru_ivalue: c_int,
    ifru_map: IfMap,
    ifru_data: *mut u8,
    /// Every byte of the union as whole words, so that it can be zeroed with no
    /// uninitialised padding left (as `memset` would in C).
    ifru_raw: [c_ulong; IFRU_WORDS],
}

/// The union's size in `unsigned long`s: `struct ifmap` is its largest member.
const IFRU_WORDS: usize = core::mem::size_of::<IfMap>() / core::mem::size_of::<c_ulong>();

/// `struct ifreq` (`linux/if.h`). The kernel copies `sizeof(struct ifreq)` bytes in and
/// out whatever the request, so this must be the full size: 40 bytes on 64-bit
/// targets, 32 on 32-bit ones.
#[repr(C)]
pub(crate) struct IfReq {
    pub(crate) ifr_name: [u8; IFNAMSIZ],
    ifr_ifru: IfrIfru,
}

#[cfg(target_pointer_width = "64")]
const _: () = {
    assert!(core::mem::size_of::<IfMap>() == 24);
    assert!(core::mem::size_of::<IfrIfru>() == 24);
    assert!(core::mem::size_of::<IfReq>() == 40);
    assert!(core::mem::align_of::<IfReq>() == 8);
};
#[cfg(target_pointer_width = "32")]
const _: () = {
    assert!(core::mem::size_of::<IfMap>() == 16);
    assert!(core::mem::size_of::<IfrIfru>() == 16);
    assert!(core::mem::size_of::<IfReq>() == 32);
    assert!(core::mem::align_of::<IfReq>() == 4);
};
const _: () = {
    assert!(core::mem::size_of::<SockAddr>() == 16);
    assert!(core::mem::size_of::<[c_ulong; IFRU_WORDS]>() == core::mem::size_of::<IfrIfru>());
    assert!(core::mem::offset_of!(IfReq, ifr_ifru) == IFNAMSIZ);
};

impl IfReq {
    /// A zeroed request for `name`, which must have passed [`check_ifname`] (1 to 15
    /// bytes, no NUL), so the name is always NUL-terminated.
    pub(crate) fn new(name: &[u8]) -> IfReq {
        let mut ifr_name = [0u8; IFNAMSIZ];
        ifr_name[..name.len()].copy_from_slice(name);
        IfReq {
            ifr_name,
            // Zeroes every byte of the union.
            ifr_ifru: IfrIfru {
                ifru_raw: [0; IFRU_WORDS],
            },
        }
    }

    fn ivalue(&self) -> c_int {
        // SAFETY: every member of the union is plain data for which any bit pattern is
        // valid, and all of its bytes were initialised by `new`.
        unsafe { self.ifr_ifru.ifru_ivalue }
    }

    /// Sets `ifr_flags` (`TUNSETIFF` takes the device's flags there).
    #[cfg_attr(not(rtnl_netlink), allow(dead_code))]
    pub(crate) fn set_flags(&mut self, flags: u16) {
        self.ifr_ifru.ifru_flags = flags as c_short;
    }

    fn flags(&self) -> c_short {
        // SAFETY: as in `ivalue`.
        unsafe { self.ifr_ifru.ifru_flags }
    }

    fn hwaddr(&self) -> SockAddr {
        // SAFETY: as in `ivalue`.
        unsafe { self.ifr_ifru.ifru_hwaddr }
    }
}

/// The `ioctl` requests this module makes.
#[derive(Clone, Copy)]
enum Req {
    GetIndex,
    GetName,
    GetHwAddr,
    SetHwAddr,
    GetMtu,
    SetMtu,
    GetFlags,
    SetFlags,
}

impl Req {
    fn op(self) -> &'static str {
        match self {
            Req::GetIndex => "SIOCGIFINDEX",
            Req::GetName => "SIOCGIFNAME",
            Req::GetHwAddr => "SIOCGIFHWADDR",
            Req::SetHwAddr => "SIOCSIFHWADDR",
            Req::GetMtu => "SIOCGIFMTU",
            Req::SetMtu => "SIOCSIFMTU",
            Req::GetFlags => "SIOCGIFFLAGS",
            Req::SetFlags => "SIOCSIFFLAGS",
        }
    }

    #[cfg(rtnl_netlink)]
    fn number(self) -> u32 {
        match self {
            Req::GetIndex => 0x8933,
            Req::GetName => 0x8910,
            Req::GetHwAddr => 0x8927,
            Req::SetHwAddr => 0x8924,
            Req::GetMtu => 0x8921,
            Req::SetMtu => 0x8922,
            Req::GetFlags => 0x8913,
            Req::SetFlags => 0x8914,
        }
    }
}

#[cfg(rtnl_netlink)]
mod sys {
    use super::{IfReq, Req};
    use crate::error::{Error, Result};
    use std::io;
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

    fn socket(domain: libc::c_int) -> io::Result<OwnedFd> {
        // SAFETY: plain syscall with constant arguments; the result is checked.
        let raw = unsafe { libc::socket(domain, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) };
        if raw < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `raw` is a fresh descriptor that nothing else owns.
        Ok(unsafe { OwnedFd::from_raw_fd(raw) })
    }

    /// A socket to carry interface ioctls: `AF_INET`, or `AF_UNIX` on a kernel built
    /// without IPv4 (the kernel hands `SIOC*IF*` requests to the device layer for
    /// any socket family).
    pub(super) fn ioctl_socket() -> Result<OwnedFd> {
        socket(libc::AF_INET)
            .or_else(|_| socket(libc::AF_UNIX))
            .map_err(|source| Error::Io {
                op: "socket(AF_INET, SOCK_DGRAM)",
                source,
            })
    }

    /// Issues `req` on `fd`. `ENODEV` becomes [`Error::NotFound`] naming `what`.
    pub(super) fn ioctl(
        fd: &OwnedFd,
        req: Req,
        what: &dyn Fn() -> String,
        ifr: &mut IfReq,
    ) -> Result<()> {
        // SAFETY: `fd` is a live socket; `ifr` is a valid, exclusively borrowed
        // `struct ifreq` of the full size the kernel copies in and out for these
        // requests, with a NUL-terminated name.
        let r = unsafe { libc::ioctl(fd.as_raw_fd(), req.number() as _, ifr as *mut IfReq) };
        if r < 0 {
            let source = io::Error::last_os_error();
            if source.raw_os_error() == Some(libc::ENODEV) {
                return Err(Error::NotFound {
                    kind: "link",
                    name: what(),
                });
            }
            return Err(Error::Io {
                op: req.op(),
                source,
            });
        }
        Ok(())
    }
}

#[cfg(not(rtnl_netlink))]
mod sys {
    use super::{IfReq, Req};
    use crate::error::{Error, Result};
    use std::os::fd::OwnedFd;

    pub(super) fn ioctl_socket() -> Result<OwnedFd> {
        Err(Error::Unsupported {
            op: "socket(AF_INET, SOCK_DGRAM)",
        })
    }

    pub(super) fn ioctl(
        _fd: &OwnedFd,
        req: Req,
        _what: &dyn Fn() -> String,
        _ifr: &mut IfReq,
    ) -> Result<()> {
        Err(Error::Unsupported { op: req.op() })
    }
}

fn bad_reply(op: &'static str, what: &'static str) -> Error {
    Error::Io {
        op,
        source: std::io::Error::new(std::io::ErrorKind::InvalidData, what),
    }
}

/// A datagram socket that carries interface `ioctl`s, in the network namespace it was
/// made in (the kernel resolves names in the socket's namespace, whatever thread
/// asks). Closed when dropped.
#[derive(Debug)]
pub struct IoctlSocket {
    fd: std::os::fd::OwnedFd,
}

impl IoctlSocket {
    /// A socket in the calling thread's network namespace.
    pub fn new() -> Result<IoctlSocket> {
        Ok(IoctlSocket {
            fd: sys::ioctl_socket()?,
        })
    }

    /// Checks `name`, then runs `req` with a request for it prepared by `fill`.
    fn call(&self, req: Req, name: &str, fill: impl FnOnce(&mut IfReq)) -> Result<IfReq> {
        check_ifname(name)?;
        let mut ifr = IfReq::new(name.as_bytes());
        fill(&mut ifr);
        sys::ioctl(&self.fd, req, &|| name.to_owned(), &mut ifr)?;
        Ok(ifr)
    }

    /// The index of the link called `name` (`SIOCGIFINDEX`).
    #[doc(alias = "SIOCGIFINDEX")]
    pub fn if_index(&self, name: &str) -> Result<u32> {
        let ifr = self.call(Req::GetIndex, name, |_| {})?;
        u32::try_from(ifr.ivalue()).map_err(|_| bad_reply("SIOCGIFINDEX", "negative ifindex"))
    }

    /// The name of the link with index `index` (`SIOCGIFNAME`).
    #[doc(alias = "SIOCGIFNAME")]
    pub fn if_name(&self, index: u32) -> Result<IfName> {
        let v = c_int::try_from(index)
            .ok()
            .filter(|&v| v > 0)
            .ok_or_else(|| Error::invalid("link index", index, "not a link index"))?;
        let mut ifr = IfReq::new(b"");
        ifr.ifr_ifru.ifru_ivalue = v;
        sys::ioctl(
            &self.fd,
            Req::GetName,
            &|| format!("index {index}"),
            &mut ifr,
        )?;
        let len = ifr
            .ifr_name
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(IFNAMSIZ);
        IfName::from_kernel(&ifr.ifr_name[..len])
            .ok_or_else(|| bad_reply("SIOCGIFNAME", "empty name"))
    }

    /// The first six bytes of the hardware address of `name` (`SIOCGIFHWADDR`): `lo`
    /// gives all zeros, and so does a link without a 6-byte address (a `tun`, say).
    #[doc(alias = "SIOCGIFHWADDR")]
    pub fn get_mac(&self, name: &str) -> Result<MacAddr> {
        let ifr = self.call(Req::GetHwAddr, name, |_| {})?;
        let mut mac = [0u8; 6];
        mac.copy_from_slice(&ifr.hwaddr().sa_data[..6]);
        Ok(MacAddr(mac))
    }

    /// Sets the Ethernet address of `name` (`SIOCSIFHWADDR`). All-zero and multicast
    /// addresses are refused before any syscall; the kernel refuses links that are not
    /// Ethernet (`EINVAL`) or cannot change their address (`EOPNOTSUPP`, or `EBUSY`
    /// while up for some drivers).
    #[doc(alias = "SIOCSIFHWADDR")]
    pub fn set_mac(&self, name: &str, mac: MacAddr) -> Result<()> {
        check_ifname(name)?;
        mac.check_unicast()?;
        self.call(Req::SetHwAddr, name, |ifr| {
            let mut sa_data = [0u8; 14];
            sa_data[..6].copy_from_slice(&mac.0);
            ifr.ifr_ifru.ifru_hwaddr = SockAddr {
                sa_family: ARPHRD_ETHER,
                sa_data,
            };
        })
        .map(drop)
    }

    /// The MTU of `name` (`SIOCGIFMTU`).
    #[doc(alias = "SIOCGIFMTU")]
    pub fn get_mtu(&self, name: &str) -> Result<u32> {
        let ifr = self.call(Req::GetMtu, name, |_| {})?;
        u32::try_from(ifr.ivalue()).map_err(|_| bad_reply("SIOCGIFMTU", "negative MTU"))
    }

    /// Sets the MTU of `name` (`SIOCSIFMTU`). Values above `i32::MAX` (the field is a C
    /// `int`) are [`Error::InvalidInput`]; the kernel refuses values outside the
    /// device's range with `EINVAL`.
    #[doc(alias = "SIOCSIFMTU")]
    pub fn set_mtu(&self, name: &str, mtu: u32) -> Result<()> {
        check_ifname(name)?;
        let v = c_int::try_from(mtu)
            .map_err(|_| Error::invalid("MTU", mtu, "larger than i32::MAX (ifr_mtu is an int)"))?;
        self.call(Req::SetMtu, name, |ifr| ifr.ifr_ifru.ifru_ivalue = v)
            .map(drop)
    }

    /// The low 16 `IFF_*` flags of `name` (`SIOCGIFFLAGS`; `ifr_flags` is a C
    /// `short`, so `IFF_LOWER_UP` and above are never reported).
    #[doc(alias = "SIOCGIFFLAGS")]
    pub fn get_flags(&self, name: &str) -> Result<u32> {
        let ifr = self.call(Req::GetFlags, name, |_| {})?;
        Ok(u32::from(ifr.flags() as u16))
    }

    /// Sets the `IFF_*` flags of `name` to `flags` (`SIOCSIFFLAGS`): this replaces
    /// every flag. Flags above the low 16 bits are [`Error::InvalidInput`].
    #[doc(alias = "SIOCSIFFLAGS")]
    pub fn set_flags(&self, name: &str, flags: u32) -> Result<()> {
        check_ifname(name)?;
        let v = u16::try_from(flags).map_err(|_| {
            Error::invalid(
                "interface flags",
                format!("{flags:#x}"),
                "only the low 16 bits fit ifr_flags (a C short)",
            )
        })?;
        self.call(Req::SetFlags, name, |ifr| {
            ifr.ifr_ifru.ifru_flags = v as c_short
        })
        .map(drop)
    }

    /// `ip link set dev NAME up|down`: `SIOCGIFFLAGS`, then `SIOCSIFFLAGS` with `IFF_UP`
    /// set or cleared. Not atomic: a flag changed by someone else between the two
    /// calls is overwritten.
    pub fn set_up(&self, name: &str, up: bool) -> Result<()> {
        let flags = self.get_flags(name)?;
        self.set_flags(name, if up { flags | IFF_UP } else { flags & !IFF_UP })
    }
}

/// The index of the link called `name` (`SIOCGIFINDEX`; `ip link show dev NAME`, the
/// number before the name), on a socket made for this call.
#[doc(alias = "SIOCGIFINDEX")]
pub fn if_index(name: &str) -> Result<u32> {
    check_ifname(name)?;
    IoctlSocket::new()?.if_index(name)
}

/// The hardware address of `name` (`SIOCGIFHWADDR`; the `link/ether` field of `ip
/// link show dev NAME`): see [`IoctlSocket::get_mac`].
#[doc(alias = "SIOCGIFHWADDR")]
pub fn get_mac(name: &str) -> Result<MacAddr> {
    check_ifname(name)?;
    IoctlSocket::new()?.get_mac(name)
}

/// Sets the Ethernet address of `name` (`SIOCSIFHWADDR`; `ip link set dev NAME
/// address MAC`): see [`IoctlSocket::set_mac`].
#[doc(alias = "SIOCSIFHWADDR")]
pub fn set_mac(name: &str, mac: MacAddr) -> Result<()> {
    check_ifname(name)?;
    mac.check_unicast()?;
    IoctlSocket::new()?.set_mac(name, mac)
}

/// The MTU of `name` (`SIOCGIFMTU`; the `mtu` field of `ip link show dev NAME`).
#[doc(alias = "SIOCGIFMTU")]
pub fn get_mtu(name: &str) -> Result<u32> {
    check_ifname(name)?;
    IoctlSocket::new()?.get_mtu(name)
}

/// Sets the MTU of `name` (`SIOCSIFMTU`; `ip link set dev NAME mtu MTU`): see
/// [`IoctlSocket::set_mtu`].
#[doc(alias = "SIOCSIFMTU")]
pub fn set_mtu(name: &str, mtu: u32) -> Result<()> {
    check_ifname(name)?;
    c_int::try_from(mtu)
        .map_err(|_| Error::invalid("MTU", mtu, "larger than i32::MAX (ifr_mtu is an int)"))?;
    IoctlSocket::new()?.set_mtu(name, mtu)
}

/// The `IFF_*` flags of `name` (`SIOCGIFFLAGS`; the `<UP,BROADCAST,...>` list of
/// `ip link show dev NAME`). Only the low 16 bits exist here — `ifr_flags` is a C
/// `short` — so `IFF_LOWER_UP`, `IFF_DORMANT` and `IFF_ECHO` are never reported; use
/// [`crate::Handle::get_link`] for those.
#[doc(alias = "SIOCGIFFLAGS")]
pub fn get_flags(name: &str) -> Result<u32> {
    check_ifname(name)?;
    IoctlSocket::new()?.get_flags(name)
}

/// Sets the `IFF_*` flags of `name` to `flags` (`SIOCSIFFLAGS`; `ip link set dev NAME
/// up|down|arp on|...`). This replaces every flag: read them with [`get_flags`] first.
/// Flags above the low 16 bits are [`Error::InvalidInput`] (`ifr_flags` is a C
/// `short`); the kernel ignores those it does not let user space change.
#[doc(alias = "SIOCSIFFLAGS")]
pub fn set_flags(name: &str, flags: u32) -> Result<()> {
    check_ifname(name)?;
    if flags > 0xffff {
        return Err(Error::invalid(
            "interface flags",
            format!("{flags:#x}"),
            "only the low 16 bits fit ifr_flags (a C short)",
        ));
    }
    IoctlSocket::new()?.set_flags(name, flags)
}

/// `ip link set dev NAME up`, by `SIOCGIFFLAGS` then `SIOCSIFFLAGS` with `IFF_UP` added.
/// Not atomic: a flag changed by someone else between the two calls is overwritten.
pub fn set_up(name: &str) -> Result<()> {
    check_ifname(name)?;
    IoctlSocket::new()?.set_up(name, true)
}

/// `ip link set dev NAME down`, by `SIOCGIFFLAGS` then `SIOCSIFFLAGS` with `IFF_UP`
/// removed. Not atomic, as [`set_up`].
pub fn set_down(name: &str) -> Result<()> {
    check_ifname(name)?;
    IoctlSocket::new()?.set_up(name, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ifreq_carries_a_terminated_name_and_zeroed_union() {
        let r = IfReq::new(b"abcdefghijklmno");
        assert_eq!(&r.ifr_name[..15], b"abcdefghijklmno");
        assert_eq!(r.ifr_name[15], 0);
        assert_eq!(r.ivalue(), 0);
        assert_eq!(r.hwaddr().sa_data, [0; 14]);
    }

    #[test]
    fn arguments_are_checked_before_any_syscall() {
        for bad in ["", "a/b", "abcdefghijklmnop", "a b", "x\0"] {
            assert!(if_index(bad).unwrap_err().is_invalid_input(), "{bad:?}");
            assert!(set_up(bad).unwrap_err().is_invalid_input(), "{bad:?}");
        }
        assert!(set_mtu("eth0", u32::MAX).unwrap_err().is_invalid_input());
        assert!(set_flags("eth0", 0x1_0000).unwrap_err().is_invalid_input());
        assert!(set_mac("eth0", MacAddr([0; 6]))
            .unwrap_err()
            .is_invalid_input());
        assert!(set_mac("eth0", MacAddr([0xff; 6]))
            .unwrap_err()
            .is_invalid_input());
    }
}
