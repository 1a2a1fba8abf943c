//! Layer `operations`: the handle behind the one-shot free functions
//! (`rtnl::set_link_up_by_name`, ...) — the only thing they add to a [`Handle`] call
//! is this per-thread socket (and, where documented, idempotence through
//! [`crate::ResultExt`]).
//!
//! Opening, configuring and closing a netlink socket costs more than the request it
//! carries (~8 µs against ~3 µs for setting an already-up link up, BENCHMARKS.md), so
//! the free functions keep one [`Handle`] per thread and reuse it — but only while it
//! is still the right one. Before every call the cache is checked against
//!
//! - the process id: a `fork`ed child must not share its parent's socket (the two
//!   would read each other's replies), so it opens its own;
//! - the thread's network namespace *now* ([`ThreadNetns`]: one `readlinkat` of
//!   `/proc/thread-self/ns/net`): a socket stays in the namespace it was created in,
//!   and a thread that called `setns`/`unshare` since must act in its new one.
//!
//! Where `/proc` is not mounted (an initramfs before `mount -t proc`), nothing can be
//! checked, so nothing is kept: every call opens its own socket, as before. A failure
//! that may leave the socket in an unknown state (anything but the kernel's own
//! refusal or a caller's mistake) drops the cached handle. A re-entrant call, made
//! while the thread's handle is in use, gets a fresh socket of its own (no free
//! function calls another today; the borrow check keeps it safe if one ever does).

use crate::error::{Error, Result};
use crate::ops::handle::Handle;
use crate::sys::netns::ThreadNetns;
use std::cell::RefCell;

struct Cached {
    pid: u32,
    netns: u64,
    probe: ThreadNetns,
    handle: Handle,
}

thread_local! {
    static CACHED: RefCell<Option<Cached>> = const { RefCell::new(None) };
}

/// Runs `f` on this thread's [`Handle`], kept between calls: checked before each call
/// against the process id (a `fork`ed child gets its own) and the thread's current
/// network namespace (a thread that called `setns`/`unshare` gets one there); opened
/// (and kept) anew otherwise. Where `/proc` is not mounted nothing can be checked, and
/// each call gets a handle of its own. Without netlink the handle is the `ioctl`
/// fallback one ([`Handle::new`]).
///
/// The one-shot free functions are this plus idempotence where documented; any caller
/// can use it the same way:
///
/// ```no_run
/// use rtnl::ResultExt;
/// // ip link del veth0, if it exists, on the thread's socket
/// rtnl::with_thread_handle(|h| h.delete_link("veth0").or_absent())?;
/// # Ok::<(), rtnl::Error>(())
/// ```
pub fn with_thread_handle<T>(f: impl FnOnce(&mut Handle) -> Result<T>) -> Result<T> {
    let mut f = Some(f);
    let cached = CACHED.try_with(|slot| {
        let Ok(mut slot) = slot.try_borrow_mut() else {
            return None; // re-entered: the thread's handle is busy
        };
        let pid = std::process::id();
        let valid = slot
            .as_ref()
            .is_some_and(|c| c.pid == pid && c.probe.current().ok() == Some(c.netns));
        if !valid {
            *slot = None; // close the stale socket (in a forked child: its own copy)
            match open(pid) {
                Ok(Some(c)) => *slot = Some(c),
                Ok(None) => return None, // no /proc: nothing can be checked
                Err(e) => return Some(Err(e)),
            }
        }
        let c = slot.as_mut()?;
        let r = f.take()?(&mut c.handle);
        if let Err(e) = &r {
            if !keeps_socket_usable(e) {
                *slot = None;
            }
        }
        Some(r)
    });
    match (cached, f) {
        (Ok(Some(r)), _) => r,
        // Not cached (busy, no /proc, thread exiting): a socket for this call only.
        (_, Some(f)) => f(&mut Handle::new()?),
        (_, None) => unreachable!("the closure ran but gave no result"),
    }
}

/// A handle for this thread, with what it takes to check it later; `Ok(None)` when
/// the namespace cannot be read (no `/proc`).
fn open(pid: u32) -> Result<Option<Cached>> {
    let Ok(probe) = ThreadNetns::open() else {
        return Ok(None);
    };
    let Ok(netns) = probe.current() else {
        return Ok(None);
    };
    let handle = Handle::new()?;
    Ok(Some(Cached {
        pid,
        netns,
        probe,
        handle,
    }))
}

/// Errors after which the socket is known to be in order: the kernel answered, or
/// nothing was sent.
fn keeps_socket_usable(e: &Error) -> bool {
    matches!(
        e,
        Error::Kernel { .. } | Error::NotFound { .. } | Error::InvalidInput { .. }
    )
}

/// Closes the socket that the one-shot free functions keep for the calling thread
/// (and the `/proc` descriptor that checks it). The next free-function call opens a
/// new one. For programs that must leave no descriptor behind at some point (before
/// closing every descriptor, or handing this thread to foreign code); a thread's
/// socket is closed anyway when the thread exits.
pub fn release_thread_socket() {
    let _ = CACHED.try_with(|slot| {
        if let Ok(mut slot) = slot.try_borrow_mut() {
            *slot = None;
        }
    });
}
