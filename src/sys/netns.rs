//! Side door (layer `sys`): network namespaces. `setns` changes only the calling thread, and a
//! socket stays in the namespace it was created in — so every function here that
//! enters a namespace does it on a short-lived dedicated thread, and the caller's
//! thread never changes namespace (not even when the closure panics or the descriptor
//! is not a namespace). The library never `fork`s.

use crate::error::{Error, Result};
use crate::sys::ioctl::IoctlSocket;
use crate::sys::socket::Socket;
use std::fs::File;
use std::os::fd::{BorrowedFd, OwnedFd};
use std::path::Path;

/// Opens a namespace file (`/run/netns/NAME`, `/proc/PID/ns/net`, a bind mount) as a
/// close-on-exec descriptor.
pub fn open_path(path: impl AsRef<Path>) -> Result<OwnedFd> {
    let f = File::open(path.as_ref()).map_err(|e| Error::io("open network namespace", e))?;
    Ok(OwnedFd::from(f))
}

/// Opens the network namespace of process `pid` (`/proc/PID/ns/net`).
pub fn open_pid(pid: u32) -> Result<OwnedFd> {
    if pid == 0 {
        return Err(Error::invalid("pid", pid, "0 is not a process"));
    }
    open_path(format!("/proc/{pid}/ns/net"))
}

/// Opens the calling thread's network namespace (`/proc/thread-self/ns/net`).
pub fn current() -> Result<OwnedFd> {
    open_path("/proc/thread-self/ns/net")
}

#[cfg(rtnl_netlink)]
#[allow(unsafe_code)]
mod sys {
    use std::io;
    use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};

    pub fn setns_net(fd: BorrowedFd<'_>) -> io::Result<()> {
        // SAFETY: plain syscall on a live descriptor; it affects only this thread.
        let r = unsafe { libc::setns(fd.as_raw_fd(), libc::CLONE_NEWNET) };
        if r < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    pub fn unshare_net() -> io::Result<()> {
        // SAFETY: plain syscall; CLONE_NEWNET is allowed in a multi-threaded process
        // and affects only the calling thread.
        let r = unsafe { libc::unshare(libc::CLONE_NEWNET) };
        if r < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// `open("/proc/thread-self/ns/net", O_PATH | O_NOFOLLOW | O_CLOEXEC)`: the link
    /// itself, not the namespace it points to.
    pub fn open_ns_link() -> io::Result<OwnedFd> {
        // SAFETY: a NUL-terminated constant path; the result is checked before it is
        // owned.
        let fd = unsafe {
            libc::open(
                c"/proc/thread-self/ns/net".as_ptr(),
                libc::O_PATH | libc::O_NOFOLLOW | libc::O_CLOEXEC,
            )
        };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fd` was just opened and is owned by nobody else.
        Ok(unsafe { OwnedFd::from_raw_fd(fd) })
    }

    /// `readlinkat(fd, "")`: the link's target, e.g. `net:[4026531840]`, read anew.
    pub fn read_ns_link(fd: BorrowedFd<'_>, buf: &mut [u8; 64]) -> io::Result<usize> {
        // SAFETY: an empty NUL-terminated path on a live O_PATH descriptor; the kernel
        // writes at most `buf.len()` bytes into `buf`.
        let n = unsafe {
            libc::readlinkat(
                fd.as_raw_fd(),
                c"".as_ptr(),
                buf.as_mut_ptr().cast(),
                buf.len(),
            )
        };
        if n < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(n as usize)
    }
}

#[cfg(not(rtnl_netlink))]
mod sys {
    use std::io;
    use std::os::fd::BorrowedFd;
    fn unsupported() -> io::Error {
        io::Error::new(
            io::ErrorKind::Unsupported,
            "network namespaces are Linux-only",
        )
    }
    pub fn setns_net(_fd: BorrowedFd<'_>) -> io::Result<()> {
        Err(unsupported())
    }
    pub fn unshare_net() -> io::Result<()> {
        Err(unsupported())
    }
    pub fn open_ns_link() -> io::Result<std::os::fd::OwnedFd> {
        Err(unsupported())
    }
    pub fn read_ns_link(_fd: BorrowedFd<'_>, _buf: &mut [u8; 64]) -> io::Result<usize> {
        Err(unsupported())
    }
}

/// Tells which network namespace the calling thread is in *now*, cheaply enough to
/// ask before every one-shot call: an `O_PATH` descriptor of this thread's
/// `/proc/thread-self/ns/net` link, whose target (`net:[INODE]`) the kernel computes
/// from the thread's current namespace each time it is read (one `readlinkat`,
/// ~1.5 µs here, against ~6 µs for a `stat` of the path or for a new socket).
/// Tied to the thread that opened it: another thread reading it learns the opener's
/// namespace.
#[derive(Debug)]
pub(crate) struct ThreadNetns {
    link: OwnedFd,
}

impl ThreadNetns {
    /// Opens the calling thread's link; fails where `/proc` is not mounted.
    pub(crate) fn open() -> std::io::Result<ThreadNetns> {
        Ok(ThreadNetns {
            link: sys::open_ns_link()?,
        })
    }

    /// The namespace's inode number, read now.
    pub(crate) fn current(&self) -> std::io::Result<u64> {
        use std::os::fd::AsFd;
        let mut buf = [0u8; 64];
        let n = sys::read_ns_link(self.link.as_fd(), &mut buf)?;
        parse_ns_link(&buf[..n]).ok_or_else(|| std::io::ErrorKind::InvalidData.into())
    }
}

/// `net:[4026531840]` -> 4026531840.
fn parse_ns_link(text: &[u8]) -> Option<u64> {
    let digits = text.strip_prefix(b"net:[")?.strip_suffix(b"]")?;
    if digits.is_empty() || digits.len() > 20 {
        return None;
    }
    digits.iter().try_fold(0u64, |n, &d| {
        if !d.is_ascii_digit() {
            return None;
        }
        n.checked_mul(10)?.checked_add(u64::from(d - b'0'))
    })
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic payload".to_owned()
    }
}

/// Runs `f` on a new thread that first does `enter`; a panic in `f` becomes
/// [`Error::Panicked`].
fn on_thread<T: Send>(
    what: &'static str,
    enter: impl FnOnce() -> Result<()> + Send,
    f: impl FnOnce() -> T + Send,
) -> Result<T> {
    std::thread::scope(|s| {
        let t = std::thread::Builder::new()
            .name("rtnl-netns".into())
            .spawn_scoped(s, move || -> Result<T> {
                enter()?;
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|p| {
                    Error::Panicked {
                        what,
                        message: panic_message(p.as_ref()),
                    }
                })
            })
            .map_err(|e| Error::io("spawn namespace thread", e))?;
        t.join().unwrap_or_else(|p| {
            Err(Error::Panicked {
                what,
                message: panic_message(p.as_ref()),
            })
        })
    })
}

/// Runs `f` on a dedicated thread that has joined the network namespace behind `fd`,
/// and returns its result (`ip netns exec`, for one closure): `f`'s own error comes
/// back as it is. The calling thread's namespace is untouched; a panic in `f` is
/// returned as [`Error::Panicked`]; a descriptor that is not a network namespace
/// gives the `setns` error (`EINVAL`). `f` may borrow from the caller's stack.
///
/// ```no_run
/// let ns = rtnl::netns::create()?;
/// let index = rtnl::with_netns_fd(ns, || {
///     rtnl::create_bridge("br0")?;          // runs inside the namespace
///     rtnl::Handle::new()?.link_index("br0")
/// })?;
/// # let _ = index;
/// # Ok::<(), rtnl::Error>(())
/// ```
pub fn with_netns_fd<T: Send>(fd: OwnedFd, f: impl FnOnce() -> Result<T> + Send) -> Result<T> {
    use std::os::fd::AsFd;
    on_thread(
        "with_netns closure",
        move || sys::setns_net(fd.as_fd()).map_err(|e| Error::io("setns(CLONE_NEWNET)", e)),
        f,
    )?
}

/// Runs `f` on a dedicated thread in the namespace behind `fd` (borrowed: `f` runs
/// before this returns); `what` names it in a panic's error.
pub(crate) fn run_in<T: Send>(
    what: &'static str,
    fd: BorrowedFd<'_>,
    f: impl FnOnce() -> T + Send,
) -> Result<T> {
    on_thread(
        what,
        move || sys::setns_net(fd).map_err(|e| Error::io("setns(CLONE_NEWNET)", e)),
        f,
    )
}

/// Runs `f` in the network namespace of process `pid` (see [`with_netns_fd`]).
pub fn with_netns<T: Send>(pid: u32, f: impl FnOnce() -> Result<T> + Send) -> Result<T> {
    let fd = open_pid(pid)?;
    with_netns_fd(fd, f)
}

/// Creates a new, empty network namespace (only a `lo`, down) and returns a
/// descriptor that keeps it alive (`ip netns add`, without the bind mount). Made on a
/// throwaway thread; the caller stays where it is.
pub fn create() -> Result<OwnedFd> {
    on_thread(
        "create namespace",
        || sys::unshare_net().map_err(|e| Error::io("unshare(CLONE_NEWNET)", e)),
        current,
    )?
}

/// A netlink socket created inside the namespace behind `fd`.
pub fn socket_in_netns(fd: BorrowedFd<'_>) -> Result<Socket> {
    sockets_in_netns(fd)?.0.map_err(Error::netlink_socket)
}

/// The sockets a [`crate::Handle`] in the namespace behind `fd` needs, made there: a
/// netlink socket, and, only when netlink is refused, a socket for the `ioctl`
/// fallback.
pub(crate) fn sockets_in_netns(
    fd: BorrowedFd<'_>,
) -> Result<(std::io::Result<Socket>, Option<Result<IoctlSocket>>)> {
    on_thread(
        "Handle::in_netns",
        move || sys::setns_net(fd).map_err(|e| Error::io("setns(CLONE_NEWNET)", e)),
        || match Socket::new() {
            Ok(s) => (Ok(s), None),
            Err(e) => (Err(e), Some(IoctlSocket::new())),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::parse_ns_link;

    #[test]
    fn namespace_links_parse() {
        assert_eq!(parse_ns_link(b"net:[4026531840]"), Some(4026531840));
        assert_eq!(parse_ns_link(b"net:[0]"), Some(0));
        assert_eq!(parse_ns_link(b"net:[18446744073709551615]"), Some(u64::MAX));
        for bad in [
            &b"net:[]"[..],
            b"net:[18446744073709551616]",
            b"net:[12a]",
            b"mnt:[4026531840]",
            b"net:[4026531840",
            b"",
        ] {
            assert_eq!(
                parse_ns_link(bad),
                None,
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[cfg(rtnl_netlink)]
    #[test]
    fn the_probe_reads_this_threads_namespace() {
        use std::os::unix::fs::MetadataExt;
        let p = super::ThreadNetns::open().expect("/proc is mounted");
        let ino = std::fs::metadata("/proc/thread-self/ns/net").unwrap().ino();
        assert_eq!(p.current().unwrap(), ino);
    }
}
