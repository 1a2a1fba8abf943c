//! Layer `socket`: the blocking `AF_NETLINK` socket — the only place netlink syscalls
//! are made. An [`OwnedFd`] opened with `SOCK_CLOEXEC`, bound, its port id learned
//! with `getsockname`. Dumps and GET replies are received whole, the buffer sized by
//! peeking (`MSG_PEEK | MSG_TRUNC`, as iproute2 does) so nothing is ever truncated;
//! ACKs for our own requests, which are small, take one `recv` with `MSG_TRUNC` into a
//! buffer of at least 32 KiB (a cut would be detected and reported, never silent).
//! Datagrams not sent by the kernel (port id 0) are dropped.
//!
//! The exchange logic (sequence numbers, ACKs, dumps, batches) lives in `request` and
//! talks to a socket through the [`Transport`] trait, so it can be driven by a
//! scripted fake kernel in tests.

use std::io;
#[cfg(rtnl_netlink)]
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use std::time::{Duration, Instant};

/// What the exchange layer needs from a netlink socket.
pub trait Transport {
    /// Sends one buffer (one or more messages) as a single datagram.
    fn send(&mut self, buf: &[u8]) -> io::Result<()>;
    /// Receives one whole datagram into `buf`, growing it as needed; returns the
    /// datagram's length. Errors are errnos (`io::Error::from_raw_os_error`): a
    /// receive timeout is `EAGAIN`/`EWOULDBLOCK` or `ETIMEDOUT`, a signal `EINTR`
    /// (retried); any other is the caller's error.
    fn recv(&mut self, buf: &mut Vec<u8>) -> io::Result<usize>;
    /// Receives one datagram known to be small (an ACK or error answering our own
    /// request): implementations may skip sizing it first. A datagram that does not
    /// fit must be an error (`ErrorKind::InvalidData`), never silently cut. The
    /// default is [`recv`](Self::recv).
    fn recv_small(&mut self, buf: &mut Vec<u8>) -> io::Result<usize> {
        self.recv(buf)
    }
    /// This socket's netlink port id (the kernel addresses replies to it).
    fn port_id(&self) -> u32;
    /// The receive timeout, for error messages.
    fn recv_timeout(&self) -> Option<Duration> {
        None
    }
    /// The receive buffer size in bytes (bounds how many replies may be pending).
    fn recv_buffer(&self) -> usize {
        212_992
    }
    /// Called before a batch of datagrams of up to `datagram` bytes whose replies may
    /// take up to `replies` bytes of receive buffer (0: as many as it holds). A
    /// transport may enlarge its buffers then (sockets skip that cost for single
    /// requests). Returns the largest datagram it can send, at most `datagram`.
    fn prepare_batch(&mut self, datagram: usize, replies: usize) -> usize {
        let _ = replies;
        datagram
    }
}

/// How long a receive may wait.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wait {
    /// Not at all: what is queued, or `EAGAIN`.
    No,
    /// Until this instant, then `EAGAIN`.
    Until(Instant),
    /// Until a datagram arrives (a non-blocking socket still returns `EAGAIN` at once).
    Forever,
}

/// What came with one received datagram.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RecvMeta {
    /// The datagram's length. When it is larger than the buffer (`truncated`), this is
    /// its real length and the rest of it is lost.
    pub len: usize,
    /// The datagram did not fit the buffer.
    pub truncated: bool,
    /// `NETLINK_LISTEN_ALL_NSID`: the id (in the socket's namespace) of the namespace
    /// the notification comes from; `None` for the socket's own namespace.
    pub nsid: Option<i32>,
    /// `NETLINK_PKTINFO`: the multicast group the datagram was sent to (`None`: a
    /// unicast reply, or the option is off).
    pub group: Option<u32>,
}

/// What a [`crate::Monitor`] needs from a socket beyond [`Transport`]: multicast
/// groups, datagrams with their ancillary data, receives bounded by a deadline, a
/// kernel-side filter. [`Socket`] implements it; the tests implement it for a scripted
/// fake kernel.
pub trait EventSource: Transport {
    /// Joins a multicast group (`RTNLGRP_*`).
    fn join(&mut self, group: u32) -> io::Result<()>;
    /// Leaves a multicast group.
    fn leave(&mut self, group: u32) -> io::Result<()>;
    /// Receives one datagram into `buf`, waiting as `wait` says. A datagram not sent
    /// by the kernel is skipped. Errors are errnos: `EAGAIN` when nothing came in
    /// time, `ENOBUFS` when the kernel dropped notifications because the receive
    /// buffer was full (the next receive goes on with what is queued).
    fn recv_event(&mut self, buf: &mut [u8], wait: Wait) -> io::Result<RecvMeta>;
    /// Installs (`Some`) or removes (`None`) a classic-BPF socket filter.
    fn set_filter(&mut self, program: Option<&[crate::abi::SockFilter]>) -> io::Result<()> {
        let _ = program;
        Err(io::Error::from_raw_os_error(libc::EOPNOTSUPP))
    }
    /// How many datagrams the kernel has dropped for this socket so far
    /// (`SO_MEMINFO`), when known.
    fn drops(&self) -> Option<u32> {
        None
    }
}

/// The default receive timeout: a reply that never comes is an error, not a hang.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// The receive buffer this crate asks for (root may exceed `rmem_max`).
pub const WANTED_RCVBUF: usize = 4 << 20;

/// The smallest buffer a datagram is received into: the kernel puts at most 32 KiB
/// into one dump datagram (more only for a single message that is larger).
#[cfg(rtnl_netlink)]
const MIN_RECV_BUF: usize = 32 << 10;

/// A blocking `NETLINK_ROUTE` socket.
#[derive(Debug)]
#[cfg_attr(not(rtnl_netlink), allow(dead_code))]
pub struct Socket {
    #[cfg(rtnl_netlink)]
    fd: OwnedFd,
    port_id: u32,
    timeout: Option<Duration>,
    rcvbuf: usize,
    /// `SO_SNDBUF` as the kernel reports it (twice what was asked); 0 until a batch
    /// needs it.
    sndbuf: usize,
    nonblocking: bool,
    /// Ancillary data was asked for (`NETLINK_LISTEN_ALL_NSID`, `NETLINK_PKTINFO`):
    /// receives go through `recvmsg`; without, `recvfrom` is enough (and cheaper).
    cmsgs: bool,
}

#[cfg(rtnl_netlink)]
fn cvt(r: libc::c_int) -> io::Result<libc::c_int> {
    if r < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(r)
    }
}

#[cfg(rtnl_netlink)]
fn setsockopt_int(fd: BorrowedFd<'_>, level: i32, name: i32, v: libc::c_int) -> io::Result<()> {
    // SAFETY: `fd` is a live descriptor; the option value points to a c_int of the
    // stated size that outlives the call.
    let r = unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            level,
            name,
            (&v as *const libc::c_int).cast(),
            core::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    cvt(r).map(drop)
}

#[cfg(rtnl_netlink)]
fn getsockopt_int(fd: BorrowedFd<'_>, level: i32, name: i32) -> io::Result<libc::c_int> {
    let mut v: libc::c_int = 0;
    let mut len = core::mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: `v` and `len` are valid for writes of the sizes given.
    let r = unsafe {
        libc::getsockopt(
            fd.as_raw_fd(),
            level,
            name,
            (&mut v as *mut libc::c_int).cast(),
            &mut len,
        )
    };
    cvt(r).map(|_| v)
}

#[cfg(rtnl_netlink)]
impl Socket {
    /// Opens, configures and binds a `NETLINK_ROUTE` socket in the calling thread's
    /// network namespace: close-on-exec, extended ACKs on, ACKs capped (the kernel does
    /// not echo our request back), strict checking of dump requests where the kernel
    /// has it, [`DEFAULT_TIMEOUT`]. The first batch enlarges the receive buffer to
    /// 4 MiB where allowed ([`WANTED_RCVBUF`]); single requests don't need it.
    pub fn new() -> io::Result<Socket> {
        Self::with_protocol(crate::abi::NETLINK_ROUTE)
    }

    fn with_protocol(protocol: i32) -> io::Result<Socket> {
        // SAFETY: plain syscall with constant arguments; the result is checked.
        let raw = unsafe {
            libc::socket(
                libc::AF_NETLINK,
                libc::SOCK_RAW | libc::SOCK_CLOEXEC,
                protocol,
            )
        };
        let raw = cvt(raw)?;
        // SAFETY: `raw` is a fresh descriptor that nothing else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        use crate::abi::{NETLINK_CAP_ACK, NETLINK_EXT_ACK, NETLINK_GET_STRICT_CHK, SOL_NETLINK};
        // Older kernels lack these options; the socket still works without them.
        let _ = setsockopt_int(fd.as_fd(), SOL_NETLINK, NETLINK_EXT_ACK, 1);
        let _ = setsockopt_int(fd.as_fd(), SOL_NETLINK, NETLINK_CAP_ACK, 1);
        let _ = setsockopt_int(fd.as_fd(), SOL_NETLINK, NETLINK_GET_STRICT_CHK, 1);
        let mut s = Socket {
            fd,
            port_id: 0,
            timeout: None,
            rcvbuf: 0,
            sndbuf: 0,
            nonblocking: false,
            cmsgs: false,
        };
        // SAFETY: sockaddr_nl is plain data; all-zero is a valid value.
        let mut addr: libc::sockaddr_nl = unsafe { core::mem::zeroed() };
        addr.nl_family = libc::AF_NETLINK as libc::sa_family_t;
        let len = core::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t;
        // SAFETY: `addr` is a valid sockaddr_nl of `len` bytes.
        let r = unsafe {
            libc::bind(
                s.fd.as_raw_fd(),
                (&addr as *const libc::sockaddr_nl).cast(),
                len,
            )
        };
        cvt(r)?;
        let mut got = len;
        // SAFETY: `addr`/`got` are valid for writes of a sockaddr_nl.
        let r = unsafe {
            libc::getsockname(
                s.fd.as_raw_fd(),
                (&mut addr as *mut libc::sockaddr_nl).cast(),
                &mut got,
            )
        };
        cvt(r)?;
        s.port_id = addr.nl_pid;
        s.set_recv_timeout(Some(DEFAULT_TIMEOUT))?;
        Ok(s)
    }

    /// Sets (or with `None` removes) the receive timeout.
    pub fn set_recv_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        let tv = match timeout {
            Some(d) => libc::timeval {
                tv_sec: d.as_secs().min(i32::MAX as u64) as _,
                tv_usec: d.subsec_micros() as _,
            },
            None => libc::timeval {
                tv_sec: 0,
                tv_usec: 0,
            },
        };
        // SAFETY: `tv` is a valid timeval of the size given, alive during the call.
        let r = unsafe {
            libc::setsockopt(
                self.fd.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_RCVTIMEO,
                (&tv as *const libc::timeval).cast(),
                core::mem::size_of::<libc::timeval>() as libc::socklen_t,
            )
        };
        cvt(r)?;
        self.timeout = timeout;
        Ok(())
    }

    /// Asks for a receive buffer of `bytes` (with `SO_RCVBUFFORCE` when privileged,
    /// else `SO_RCVBUF`, which `net.core.rmem_max` caps); returns what the kernel
    /// granted.
    pub fn set_recv_buffer(&mut self, bytes: usize) -> io::Result<usize> {
        let want = bytes.min(i32::MAX as usize) as libc::c_int;
        if setsockopt_int(
            self.fd.as_fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVBUFFORCE,
            want,
        )
        .is_err()
        {
            setsockopt_int(self.fd.as_fd(), libc::SOL_SOCKET, libc::SO_RCVBUF, want)?;
        }
        self.rcvbuf = getsockopt_int(self.fd.as_fd(), libc::SOL_SOCKET, libc::SO_RCVBUF)? as usize;
        Ok(self.rcvbuf)
    }

    /// Asks for a send buffer of `bytes` (with `SO_SNDBUFFORCE` when privileged, else
    /// `SO_SNDBUF`, which `net.core.wmem_max` caps); returns what the kernel granted.
    /// A datagram may be up to that minus 32 bytes long (the kernel's rule for
    /// netlink); a batch grows the buffer itself when its limits ask for more.
    pub fn set_send_buffer(&mut self, bytes: usize) -> io::Result<usize> {
        let want = bytes.min(i32::MAX as usize / 2) as libc::c_int;
        if setsockopt_int(
            self.fd.as_fd(),
            libc::SOL_SOCKET,
            libc::SO_SNDBUFFORCE,
            want,
        )
        .is_err()
        {
            setsockopt_int(self.fd.as_fd(), libc::SOL_SOCKET, libc::SO_SNDBUF, want)?;
        }
        self.sndbuf = getsockopt_int(self.fd.as_fd(), libc::SOL_SOCKET, libc::SO_SNDBUF)? as usize;
        Ok(self.sndbuf)
    }

    /// Joins a multicast group (`RTNLGRP_*`), to receive change notifications.
    pub fn add_membership(&self, group: u32) -> io::Result<()> {
        setsockopt_int(
            self.fd.as_fd(),
            crate::abi::SOL_NETLINK,
            crate::abi::NETLINK_ADD_MEMBERSHIP,
            group as libc::c_int,
        )
    }

    /// Leaves a multicast group.
    pub fn drop_membership(&self, group: u32) -> io::Result<()> {
        setsockopt_int(
            self.fd.as_fd(),
            crate::abi::SOL_NETLINK,
            crate::abi::NETLINK_DROP_MEMBERSHIP,
            group as libc::c_int,
        )
    }

    /// Sets a `SOL_NETLINK` option that takes an on/off `int` (`NETLINK_PKTINFO`,
    /// `NETLINK_LISTEN_ALL_NSID`, `NETLINK_NO_ENOBUFS`, ...).
    pub fn set_netlink_option(&mut self, option: i32, on: bool) -> io::Result<()> {
        setsockopt_int(
            self.fd.as_fd(),
            crate::abi::SOL_NETLINK,
            option,
            libc::c_int::from(on),
        )?;
        if on
            && matches!(
                option,
                crate::abi::NETLINK_LISTEN_ALL_NSID | crate::abi::NETLINK_PKTINFO
            )
        {
            self.cmsgs = true;
        }
        Ok(())
    }

    /// Makes receives return `EAGAIN` at once instead of blocking (`O_NONBLOCK`), for
    /// an event loop (epoll, mio) that waits for readiness itself.
    pub fn set_nonblocking(&mut self, on: bool) -> io::Result<()> {
        // SAFETY: plain fcntl on a live descriptor.
        let flags = cvt(unsafe { libc::fcntl(self.fd.as_raw_fd(), libc::F_GETFL) })?;
        let new = if on {
            flags | libc::O_NONBLOCK
        } else {
            flags & !libc::O_NONBLOCK
        };
        if new != flags {
            // SAFETY: plain fcntl on a live descriptor with an int argument.
            cvt(unsafe { libc::fcntl(self.fd.as_raw_fd(), libc::F_SETFL, new) })?;
        }
        self.nonblocking = on;
        Ok(())
    }

    /// True when receives do not block ([`set_nonblocking`](Self::set_nonblocking)).
    pub fn is_nonblocking(&self) -> bool {
        self.nonblocking
    }

    /// Waits until a datagram (or an error such as `ENOBUFS`) is ready to be
    /// received, or `timeout` passes (`None`: no limit). `Ok(false)` on timeout.
    pub fn wait_readable(&self, timeout: Option<Duration>) -> io::Result<bool> {
        let ms = match timeout {
            None => -1,
            // Rounded up: a deadline is never cut short.
            Some(d) => d
                .as_nanos()
                .div_ceil(1_000_000)
                .min(libc::c_int::MAX as u128) as libc::c_int,
        };
        let mut p = libc::pollfd {
            fd: self.fd.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: `p` is one valid pollfd, alive during the call.
        let n = cvt(unsafe { libc::poll(&mut p, 1, ms) })?;
        Ok(n > 0)
    }

    /// Receives one datagram with `recvmsg`, with its ancillary data (the namespace
    /// id of `NETLINK_LISTEN_ALL_NSID`, the group of `NETLINK_PKTINFO`) and the
    /// sender's port id. `MSG_TRUNC`: a datagram larger than `buf` is reported with
    /// its real length and `truncated`. `dontwait`: `EAGAIN` instead of blocking.
    pub fn recv_meta(&self, buf: &mut [u8], dontwait: bool) -> io::Result<(RecvMeta, u32)> {
        /// Room for both control messages (each at most 24 bytes), aligned for
        /// `struct cmsghdr`.
        #[repr(C, align(8))]
        struct Control([u8; 64]);
        let mut control = Control([0; 64]);
        // SAFETY: sockaddr_nl is plain data; all-zero is a valid value.
        let mut addr: libc::sockaddr_nl = unsafe { core::mem::zeroed() };
        let mut iov = libc::iovec {
            iov_base: buf.as_mut_ptr().cast(),
            iov_len: buf.len(),
        };
        // SAFETY: msghdr is plain data; all-zero is a valid value (no name, no iov,
        // no control), filled in below.
        let mut msg: libc::msghdr = unsafe { core::mem::zeroed() };
        msg.msg_name = (&mut addr as *mut libc::sockaddr_nl).cast();
        msg.msg_namelen = core::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t;
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control.0.as_mut_ptr().cast();
        msg.msg_controllen = control.0.len() as _;
        let flags = libc::MSG_TRUNC | if dontwait { libc::MSG_DONTWAIT } else { 0 };
        // SAFETY: `msg` points to `addr`, one iovec over `buf` (valid for writes of
        // its length) and `control`, all alive during the call.
        let n = unsafe { libc::recvmsg(self.fd.as_raw_fd(), &mut msg, flags) };
        if n < 0 {
            return Err(io::Error::last_os_error());
        }
        let n = n as usize;
        let used = (msg.msg_controllen as usize).min(control.0.len());
        let mut meta = parse_control(&control.0[..used]);
        meta.len = n;
        meta.truncated = n > buf.len();
        Ok((meta, addr.nl_pid))
    }

    /// Installs a classic-BPF program as the socket's filter (`SO_ATTACH_FILTER`):
    /// the kernel runs it on every datagram before queueing it — notifications the
    /// program refuses never wake the reader nor take room in its buffer.
    pub fn attach_filter(&self, program: &[crate::abi::SockFilter]) -> io::Result<()> {
        let mut insns: Vec<libc::sock_filter> = program
            .iter()
            .map(|i| libc::sock_filter {
                code: i.code,
                jt: i.jt,
                jf: i.jf,
                k: i.k,
            })
            .collect();
        let len =
            u16::try_from(insns.len()).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?;
        let prog = libc::sock_fprog {
            len,
            filter: insns.as_mut_ptr(),
        };
        // SAFETY: `prog` points to `insns` (`len` instructions), both alive during the
        // call; the kernel copies the program.
        let r = unsafe {
            libc::setsockopt(
                self.fd.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_ATTACH_FILTER,
                (&prog as *const libc::sock_fprog).cast(),
                core::mem::size_of::<libc::sock_fprog>() as libc::socklen_t,
            )
        };
        cvt(r).map(drop)
    }

    /// Removes the socket filter (`SO_DETACH_FILTER`); no filter is not an error.
    pub fn detach_filter(&self) -> io::Result<()> {
        match setsockopt_int(self.fd.as_fd(), libc::SOL_SOCKET, libc::SO_DETACH_FILTER, 0) {
            Err(e) if e.raw_os_error() == Some(libc::ENOENT) => Ok(()),
            r => r,
        }
    }

    /// The network namespace the socket lives in, as a new descriptor
    /// (`SIOCGSKNS`, Linux ≥ 4.9; needs `CAP_NET_ADMIN` there): to open another
    /// socket beside it, e.g. a monitor beside a handle made with
    /// `Handle::in_netns`.
    pub fn netns(&self) -> io::Result<OwnedFd> {
        // SAFETY: an ioctl without argument on a live descriptor; the result is
        // checked before it is owned.
        let r = unsafe {
            libc::ioctl(self.fd.as_raw_fd(), 0x894C /* SIOCGSKNS */ as _)
        };
        let raw = cvt(r)?;
        // SAFETY: `raw` is a fresh descriptor that nothing else owns.
        Ok(unsafe { OwnedFd::from_raw_fd(raw) })
    }

    /// How many datagrams the kernel dropped for this socket so far (`SO_MEMINFO`,
    /// `SK_MEMINFO_DROPS`; Linux ≥ 4.12): notifications lost to a full receive
    /// buffer.
    pub fn drops(&self) -> io::Result<u32> {
        let mut v = [0u32; 16];
        let mut len = core::mem::size_of_val(&v) as libc::socklen_t;
        // SAFETY: `v` and `len` are valid for writes of the sizes given.
        let r = unsafe {
            libc::getsockopt(
                self.fd.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_MEMINFO,
                v.as_mut_ptr().cast(),
                &mut len,
            )
        };
        cvt(r)?;
        let i = libc::SK_MEMINFO_DROPS as usize;
        if (len as usize) < (i + 1) * 4 {
            return Err(io::Error::from_raw_os_error(libc::ENOPROTOOPT));
        }
        Ok(v[i])
    }

    fn recv_raw(&self, buf: &mut [u8], flags: libc::c_int) -> io::Result<(usize, u32)> {
        // SAFETY: sockaddr_nl is plain data; all-zero is a valid value.
        let mut addr: libc::sockaddr_nl = unsafe { core::mem::zeroed() };
        let mut alen = core::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t;
        // SAFETY: `buf` is valid for writes of `buf.len()` bytes (a zero-length buffer
        // with a dangling-but-aligned pointer is fine for a zero-length read); `addr`
        // and `alen` are valid for writes of a sockaddr_nl.
        let n = unsafe {
            libc::recvfrom(
                self.fd.as_raw_fd(),
                buf.as_mut_ptr().cast(),
                buf.len(),
                flags,
                (&mut addr as *mut libc::sockaddr_nl).cast(),
                &mut alen,
            )
        };
        if n < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok((n as usize, addr.nl_pid))
    }
}

#[cfg(rtnl_netlink)]
impl Transport for Socket {
    fn send(&mut self, buf: &[u8]) -> io::Result<()> {
        // SAFETY: sockaddr_nl is plain data; all-zero is a valid value.
        let mut kernel: libc::sockaddr_nl = unsafe { core::mem::zeroed() };
        kernel.nl_family = libc::AF_NETLINK as libc::sa_family_t;
        // SAFETY: `buf` is valid for reads of `buf.len()` bytes; `kernel` is a valid
        // sockaddr_nl of the size given.
        let n = unsafe {
            libc::sendto(
                self.fd.as_raw_fd(),
                buf.as_ptr().cast(),
                buf.len(),
                0,
                (&kernel as *const libc::sockaddr_nl).cast(),
                core::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t,
            )
        };
        if n < 0 {
            return Err(io::Error::last_os_error());
        }
        if n as usize != buf.len() {
            return Err(io::Error::new(
                io::ErrorKind::WriteZero,
                "short netlink send",
            ));
        }
        Ok(())
    }

    fn recv(&mut self, buf: &mut Vec<u8>) -> io::Result<usize> {
        loop {
            // Peek at the size of the next datagram without copying it, as iproute2
            // does, so that no message is ever truncated: a dump datagram holds up to
            // 32 KiB, but a single message (a link with many VFs) can be larger.
            let (size, _) = self.recv_raw(&mut [], libc::MSG_PEEK | libc::MSG_TRUNC)?;
            if buf.len() < size {
                buf.resize(size.next_power_of_two(), 0);
            }
            let (n, from) = self.recv_raw(buf, 0)?;
            if from != 0 {
                continue; // not from the kernel: another process writing to our port
            }
            return Ok(n);
        }
    }

    fn recv_small(&mut self, buf: &mut Vec<u8>) -> io::Result<usize> {
        if buf.len() < MIN_RECV_BUF {
            buf.resize(MIN_RECV_BUF, 0);
        }
        loop {
            // One syscall: an ACK or error for our own request is at most a few
            // hundred bytes (NETLINK_CAP_ACK: no echo), far below the buffer. The peek
            // that `recv` does would cost a second syscall per round trip (~15%).
            // With `MSG_TRUNC` the kernel returns the datagram's real length even when
            // it did not fit, so a cut is detected, never silent.
            let (n, from) = self.recv_raw(buf, libc::MSG_TRUNC)?;
            if from != 0 {
                continue; // not from the kernel: another process writing to our port
            }
            if n > buf.len() {
                buf.resize(n.next_power_of_two(), 0);
                // A fixed text, not a formatted one: `format!` here would cost every
                // binary ~1 KiB of formatting code for an error no ACK ever causes.
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "netlink datagram larger than the receive buffer (now grown)",
                ));
            }
            return Ok(n);
        }
    }

    fn port_id(&self) -> u32 {
        self.port_id
    }

    fn recv_timeout(&self) -> Option<Duration> {
        self.timeout
    }

    fn recv_buffer(&self) -> usize {
        match self.rcvbuf {
            0 => 212_992, // not set yet: the usual net.core.rmem_default
            n => n,
        }
    }

    fn prepare_batch(&mut self, datagram: usize, replies: usize) -> usize {
        if self.rcvbuf == 0 || replies > self.rcvbuf {
            // Not chosen by the caller yet, or too small for the replies asked for.
            // Best effort: without it the batch window (derived from the buffer's
            // size) is just smaller.
            if self.set_recv_buffer(replies.max(WANTED_RCVBUF)).is_err() && self.rcvbuf == 0 {
                self.rcvbuf = 212_992;
            }
        }
        // The kernel refuses (EMSGSIZE) a datagram longer than the send buffer less
        // 32 bytes: grow the buffer when the datagrams asked for are longer, else cut
        // them to what it takes.
        const SLACK: usize = 32;
        if self.sndbuf == 0 {
            self.sndbuf = getsockopt_int(self.fd.as_fd(), libc::SOL_SOCKET, libc::SO_SNDBUF)
                .map_or(212_992, |n| n as usize);
        }
        if datagram.saturating_add(SLACK) > self.sndbuf {
            // The kernel doubles what it is asked for.
            let _ = self.set_send_buffer(datagram.saturating_add(SLACK).div_ceil(2));
        }
        datagram.min(self.sndbuf.saturating_sub(SLACK))
    }
}

/// Reads the control messages of a `recvmsg` (`struct cmsghdr` headers: a `size_t`
/// length, then level and type as `int`s, each message aligned to `size_t`), byte by
/// byte: the namespace id and the group, when present. Anything malformed ends the
/// walk.
#[cfg(rtnl_netlink)]
fn parse_control(c: &[u8]) -> RecvMeta {
    const W: usize = core::mem::size_of::<usize>();
    let align = |n: usize| (n + W - 1) & !(W - 1);
    let hdr = align(W + 8);
    let int_at = |b: &[u8], at: usize| -> Option<i32> {
        Some(i32::from_ne_bytes(b.get(at..at + 4)?.try_into().ok()?))
    };
    let mut meta = RecvMeta::default();
    let mut off = 0;
    while off + hdr <= c.len() {
        let Some(len) = c
            .get(off..off + W)
            .and_then(|b| b.try_into().ok())
            .map(usize::from_ne_bytes)
        else {
            break;
        };
        if len < hdr || off + len > c.len() {
            break;
        }
        let level = int_at(c, off + W).unwrap_or(0);
        let ty = int_at(c, off + W + 4).unwrap_or(0);
        if level == crate::abi::SOL_NETLINK && len >= hdr + 4 {
            let v = int_at(c, off + hdr);
            match ty {
                crate::abi::NETLINK_LISTEN_ALL_NSID => meta.nsid = v,
                crate::abi::NETLINK_PKTINFO => meta.group = v.map(|g| g as u32),
                _ => {}
            }
        }
        off += align(len);
    }
    meta
}

#[cfg(rtnl_netlink)]
impl EventSource for Socket {
    fn join(&mut self, group: u32) -> io::Result<()> {
        self.add_membership(group)
    }

    fn leave(&mut self, group: u32) -> io::Result<()> {
        self.drop_membership(group)
    }

    fn recv_event(&mut self, buf: &mut [u8], wait: Wait) -> io::Result<RecvMeta> {
        loop {
            // Blocking receives wait in the kernel (one syscall per datagram); with a
            // deadline, a non-blocking try comes first (during a storm there is
            // always something queued) and `poll` waits only when nothing is.
            let blocking = matches!(wait, Wait::Forever) && !self.nonblocking;
            let r = if self.cmsgs {
                self.recv_meta(buf, !blocking)
            } else {
                // No ancillary data to read: `recvfrom`, one copy of the address.
                let flags = libc::MSG_TRUNC | if blocking { 0 } else { libc::MSG_DONTWAIT };
                self.recv_raw(buf, flags).map(|(n, from)| {
                    let meta = RecvMeta {
                        len: n,
                        truncated: n > buf.len(),
                        nsid: None,
                        group: None,
                    };
                    (meta, from)
                })
            };
            match r {
                Ok((meta, 0)) => return Ok(meta),
                Ok(_) => continue, // not from the kernel
                Err(e) if e.raw_os_error() == Some(libc::EINTR) => continue,
                Err(e) if e.raw_os_error() == Some(libc::EAGAIN) && !self.nonblocking => {
                    let left = match wait {
                        Wait::No => return Err(e),
                        Wait::Forever => None,
                        Wait::Until(t) => match t.checked_duration_since(Instant::now()) {
                            Some(d) if !d.is_zero() => Some(d),
                            _ => return Err(e),
                        },
                    };
                    match self.wait_readable(left) {
                        Ok(_) => continue,
                        Err(e) if e.raw_os_error() == Some(libc::EINTR) => continue,
                        Err(e) => return Err(e),
                    }
                }
                Err(e) => return Err(e),
            }
        }
    }

    fn set_filter(&mut self, program: Option<&[crate::abi::SockFilter]>) -> io::Result<()> {
        match program {
            Some(p) => self.attach_filter(p),
            None => self.detach_filter(),
        }
    }

    fn drops(&self) -> Option<u32> {
        Socket::drops(self).ok()
    }
}

#[cfg(rtnl_netlink)]
impl AsRawFd for Socket {
    fn as_raw_fd(&self) -> std::os::fd::RawFd {
        self.fd.as_raw_fd()
    }
}

#[cfg(rtnl_netlink)]
impl AsFd for Socket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

#[cfg(rtnl_netlink)]
impl From<Socket> for OwnedFd {
    fn from(s: Socket) -> OwnedFd {
        s.fd
    }
}

#[cfg(not(rtnl_netlink))]
impl Socket {
    /// rtnetlink is Linux-only: always `ErrorKind::Unsupported` here.
    pub fn new() -> io::Result<Socket> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "rtnetlink is Linux-only",
        ))
    }
    /// Unsupported on this platform.
    pub fn set_recv_timeout(&mut self, _timeout: Option<Duration>) -> io::Result<()> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "rtnetlink is Linux-only",
        ))
    }
    /// Unsupported on this platform.
    pub fn set_recv_buffer(&mut self, _bytes: usize) -> io::Result<usize> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "rtnetlink is Linux-only",
        ))
    }
    /// Unsupported on this platform.
    pub fn set_send_buffer(&mut self, _bytes: usize) -> io::Result<usize> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "rtnetlink is Linux-only",
        ))
    }
}

#[cfg(not(rtnl_netlink))]
impl Transport for Socket {
    fn send(&mut self, _buf: &[u8]) -> io::Result<()> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "rtnetlink is Linux-only",
        ))
    }
    fn recv(&mut self, _buf: &mut Vec<u8>) -> io::Result<usize> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "rtnetlink is Linux-only",
        ))
    }
    fn port_id(&self) -> u32 {
        self.port_id
    }
}

#[cfg(not(rtnl_netlink))]
impl EventSource for Socket {
    fn join(&mut self, _group: u32) -> io::Result<()> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "rtnetlink is Linux-only",
        ))
    }
    fn leave(&mut self, _group: u32) -> io::Result<()> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "rtnetlink is Linux-only",
        ))
    }
    fn recv_event(&mut self, _buf: &mut [u8], _wait: Wait) -> io::Result<RecvMeta> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "rtnetlink is Linux-only",
        ))
    }
}
