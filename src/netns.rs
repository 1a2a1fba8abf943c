//! Side door: network namespaces. `setns` changes only the calling thread, and a
//! socket stays in the namespace it was created in — so every function here that
//! enters a namespace does it on a short-lived dedicated thread, and the caller's
//! thread never changes namespace (not even when the closure panics or the descriptor
//! is not a namespace). The library never `fork`s.

use crate::error::{Error, Result};
use crate::socket::Socket;
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
    use std::os::fd::{AsRawFd, BorrowedFd};

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
/// and returns its result (`ip netns exec`, for one closure). The calling thread's
/// namespace is untouched; a panic in `f` is returned as [`Error::Panicked`]; a
/// descriptor that is not a network namespace gives the `setns` error (`EINVAL`).
pub fn with_netns_fd<T: Send>(fd: OwnedFd, f: impl FnOnce() -> T + Send) -> Result<T> {
    use std::os::fd::AsFd;
    on_thread(
        "with_netns closure",
        move || sys::setns_net(fd.as_fd()).map_err(|e| Error::io("setns(CLONE_NEWNET)", e)),
        f,
    )
}

/// Runs `f` in the network namespace of process `pid` (see [`with_netns_fd`]).
pub fn with_netns<T: Send>(pid: u32, f: impl FnOnce() -> T + Send) -> Result<T> {
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

/// A netlink socket created inside the namespace behind `fd` (used by
/// [`crate::Handle::in_netns`]).
pub fn socket_in_netns(fd: BorrowedFd<'_>) -> Result<Socket> {
    on_thread(
        "Handle::in_netns",
        move || sys::setns_net(fd).map_err(|e| Error::io("setns(CLONE_NEWNET)", e)),
        || Socket::new().map_err(|e| Error::io("socket(AF_NETLINK)", e)),
    )?
}
