//! Layer `error` (the bottom, beside `abi`): errors as typed data, never strings to
//! match on.
//!
//! A kernel refusal keeps the operation, the errno, the kernel's own extended-ACK text
//! and the attribute it pointed at ([`Error::Kernel`]); netlink refused outright is
//! [`Error::NetlinkUnavailable`]; a failed syscall keeps the call and the `io::Error`;
//! a caller's mistake is [`Error::InvalidInput`] and is caught before any syscall.
//! [`ResultExt`] turns "already there" and "already gone" into success for the callers
//! who want idempotence.

use std::fmt;
use std::io;
use std::time::Duration;

/// A malformed message, or one that cannot be built (the `wire` layer's error).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    /// The output buffer cannot hold the message.
    #[error("buffer too small for the message")]
    BufferTooSmall,
    /// A length does not fit its field (`rta_len` is a `u16`).
    #[error("attribute or message too long for its length field")]
    TooLong,
    /// A string attribute contains a NUL byte.
    #[error("string contains a NUL byte")]
    InteriorNul,
    /// Input ends inside a header.
    #[error("truncated header")]
    Truncated,
    /// A length field is smaller than its header or runs past the enclosing buffer.
    #[error("length field out of bounds")]
    BadLength,
    /// An attribute's payload does not have the size or content its type needs.
    #[error("malformed attribute of type {0}")]
    BadAttribute(u16),
    /// A message of a type that was not expected here.
    #[error("unexpected message type {0}")]
    UnexpectedType(u16),
}

/// `Result<T, rtnl::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in `rtnl`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The kernel refused a request: `op` is the message type (`"RTM_NEWLINK"`),
    /// `errno` the positive error number, `message` the extended-ACK text if the
    /// kernel gave one. Displays as
    /// `RTM_NEWLINK: Operation not supported (os error 95): Unknown device type`, and
    /// when the kernel pointed at an attribute (`NLMSGERR_ATTR_OFFS`), with its path:
    /// `... : Attribute failed policy validation (at IFLA_LINKINFO/IFLA_INFO_DATA/IFLA_BR_STP_STATE)`.
    #[error("{op}: {}", KernelText(*errno, message.as_deref(), attr.as_deref()))]
    Kernel {
        /// The request's message type (`"RTM_NEWLINK"`).
        op: &'static str,
        /// The positive errno.
        errno: i32,
        /// `NLMSGERR_ATTR_MSG`, when the kernel sent one.
        message: Option<String>,
        /// The attribute `NLMSGERR_ATTR_OFFS` points at, as a path of attribute names
        /// from the top of the request (`IFLA_LINKINFO/IFLA_INFO_DATA/IFLA_BR_STP_STATE`),
        /// when the kernel sent an offset.
        attr: Option<String>,
    },
    /// Netlink itself is unavailable: `socket(AF_NETLINK)` was refused (a seccomp
    /// sandbox, a kernel without netlink: `EAFNOSUPPORT`, `EPROTONOSUPPORT`, `EPERM`,
    /// `EACCES` or `ENOSYS`), or the handle was opened without netlink
    /// ([`crate::Handle::new`] falls back to ioctls for MAC, MTU, up and down).
    #[error("{}", Unavailable(op, source))]
    NetlinkUnavailable {
        /// The operation that needed netlink (`"socket(AF_NETLINK)"`, `"RTM_NEWADDR"`).
        op: &'static str,
        /// Why `socket(AF_NETLINK)` failed.
        #[source]
        source: io::Error,
    },
    /// A system call failed (`socket`, `sendmsg`, `ioctl`, `open`, ...).
    #[error("{op}: {source}")]
    Io {
        /// The call or operation that failed.
        op: &'static str,
        /// The underlying error (with its errno).
        #[source]
        source: io::Error,
    },
    /// A caller's argument is invalid; nothing was sent to the kernel.
    #[error("invalid {what} \"{value}\": {reason}")]
    InvalidInput {
        /// Which argument (`"interface name"`, `"prefix length"`, ...).
        what: &'static str,
        /// The offending value, printable.
        value: String,
        /// Why it is refused.
        reason: &'static str,
    },
    /// A named object does not exist (a link looked up by name, ...).
    #[error("{kind} \"{name}\" not found")]
    NotFound {
        /// What was looked up (`"link"`, `"bridge"`, ...).
        kind: &'static str,
        /// Its name.
        name: String,
    },
    /// The kernel's reply could not be parsed.
    #[error("{op}: malformed reply: {source}")]
    Malformed {
        /// The request being answered.
        op: &'static str,
        /// What was wrong with the bytes.
        #[source]
        source: WireError,
    },
    /// A request could not be encoded (buffer too small, length overflow, NUL).
    #[error("{op}: cannot encode request: {source}")]
    Encode {
        /// The request being built.
        op: &'static str,
        /// Why.
        #[source]
        source: WireError,
    },
    /// No reply arrived within the socket's receive timeout.
    #[error("{op}: no reply from the kernel within {} ms", timeout.as_millis() as u64)]
    Timeout {
        /// The request that went unanswered.
        op: &'static str,
        /// The configured timeout.
        timeout: Duration,
    },
    /// A dump kept being interrupted (`NLM_F_DUMP_INTR`) by concurrent changes.
    #[error("{op}: dump inconsistent (NLM_F_DUMP_INTR) after {attempts} attempts")]
    DumpInterrupted {
        /// The dump request.
        op: &'static str,
        /// How many times it was tried.
        attempts: u32,
    },
    /// The operation does not exist on this platform (rtnetlink is Linux-only).
    #[error("{op}: not supported on this platform (rtnetlink is Linux-only)")]
    Unsupported {
        /// The operation.
        op: &'static str,
    },
    /// A wait ([`crate::Monitor::wait_until`], [`crate::Monitor::wait_link`], ...)
    /// reached its deadline before what it waited for happened.
    #[error("timed out after {} ms waiting for {awaited}; last seen: {last_seen}", waited.as_millis() as u64)]
    WaitTimeout {
        /// What was awaited, in words (`"link eth0 oper-up"`).
        awaited: String,
        /// The last state seen of what was awaited (`"link eth0 (index 3) up, state
        /// LOWERLAYERDOWN, no carrier"`, `"absent"`).
        last_seen: String,
        /// How long it waited.
        waited: Duration,
    },
    /// IPv6 duplicate address detection failed: another node on the link uses the
    /// address (the kernel flagged it `dadfailed`; it stays tentative and unusable).
    /// Displays as `duplicate address detection failed for fd00::2 on link 3
    /// (dadfailed): another node on the link uses it`.
    #[error("{text}")]
    DadFailed {
        /// The address.
        address: std::net::IpAddr,
        /// Its link.
        index: u32,
        /// The message, written where the failure is found (so that a binary that
        /// never waits for DAD does not carry the IPv6 formatter for this `Display`).
        text: String,
    },
    /// A closure run in another namespace panicked; the panic was caught.
    #[error("{what} panicked: {message}")]
    Panicked {
        /// Where (`"with_netns closure"`).
        what: &'static str,
        /// The panic payload, if it was a string.
        message: String,
    },
}

struct KernelText<'a>(i32, Option<&'a str>, Option<&'a str>);

/// `socket(AF_NETLINK): Operation not permitted (os error 1)`, or for an operation
/// made on a handle without netlink, `RTM_NEWADDR: netlink is unavailable
/// (socket(AF_NETLINK): Operation not permitted (os error 1))`.
struct Unavailable<'a>(&'a &'static str, &'a io::Error);

impl fmt::Display for Unavailable<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const SOCKET: &str = "socket(AF_NETLINK)";
        if *self.0 == SOCKET {
            write!(f, "{SOCKET}: {}", self.1)
        } else {
            write!(
                f,
                "{}: netlink is unavailable ({SOCKET}: {})",
                self.0, self.1
            )
        }
    }
}

/// The kernel's errno names, worded as glibc's `strerror` words them, so that an
/// error reads the same whichever libc the program is linked against (musl's wording
/// differs: "Not supported" for `EOPNOTSUPP`). Unlisted values fall back to the libc.
///
/// Kept as data without pointers — one array of numbers and one string of texts in
/// the same order — because a table of `&str` costs a relocation per entry in a
/// static-pie binary (~3 KiB in a guest's init); the lookup is on the error path only.
macro_rules! errno_texts {
    ($($errno:ident => $text:literal,)*) => {
        const ERRNOS: &[i32] = &[$(libc::$errno),*];
        const TEXTS: &str = concat!($($text, "\n"),*);
    };
}

errno_texts! {
    EPERM => "Operation not permitted",
    ENOENT => "No such file or directory",
    ESRCH => "No such process",
    EINTR => "Interrupted system call",
    EIO => "Input/output error",
    ENXIO => "No such device or address",
    E2BIG => "Argument list too long",
    EBADF => "Bad file descriptor",
    EAGAIN => "Resource temporarily unavailable",
    ENOMEM => "Cannot allocate memory",
    EACCES => "Permission denied",
    EFAULT => "Bad address",
    EBUSY => "Device or resource busy",
    EEXIST => "File exists",
    EXDEV => "Invalid cross-device link",
    ENODEV => "No such device",
    ENOTDIR => "Not a directory",
    EISDIR => "Is a directory",
    EINVAL => "Invalid argument",
    ENFILE => "Too many open files in system",
    EMFILE => "Too many open files",
    ENOTTY => "Inappropriate ioctl for device",
    EFBIG => "File too large",
    ENOSPC => "No space left on device",
    EROFS => "Read-only file system",
    EMLINK => "Too many links",
    EPIPE => "Broken pipe",
    EDOM => "Numerical argument out of domain",
    ERANGE => "Numerical result out of range",
    EDEADLK => "Resource deadlock avoided",
    ENAMETOOLONG => "File name too long",
    ENOSYS => "Function not implemented",
    ENOTEMPTY => "Directory not empty",
    ELOOP => "Too many levels of symbolic links",
    ENOMSG => "No message of desired type",
    ENODATA => "No data available",
    ENOLINK => "Link has been severed",
    EPROTO => "Protocol error",
    EBADMSG => "Bad message",
    EOVERFLOW => "Value too large for defined data type",
    ENOTSOCK => "Socket operation on non-socket",
    EMSGSIZE => "Message too long",
    EPROTOTYPE => "Protocol wrong type for socket",
    ENOPROTOOPT => "Protocol not available",
    EPROTONOSUPPORT => "Protocol not supported",
    EOPNOTSUPP => "Operation not supported",
    EPFNOSUPPORT => "Protocol family not supported",
    EAFNOSUPPORT => "Address family not supported by protocol",
    EADDRINUSE => "Address already in use",
    EADDRNOTAVAIL => "Cannot assign requested address",
    ENETDOWN => "Network is down",
    ENETUNREACH => "Network is unreachable",
    ENETRESET => "Network dropped connection on reset",
    ENOBUFS => "No buffer space available",
    ENOTCONN => "Transport endpoint is not connected",
    ETIMEDOUT => "Connection timed out",
    ECONNREFUSED => "Connection refused",
    EHOSTDOWN => "Host is down",
    EHOSTUNREACH => "No route to host",
    EALREADY => "Operation already in progress",
    EINPROGRESS => "Operation now in progress",
    EDQUOT => "Disk quota exceeded",
}

/// Where each text of [`TEXTS`] starts (and, one past the last, where it ends),
/// computed at compile time.
const STARTS: [u16; ERRNOS.len() + 1] = {
    let t = TEXTS.as_bytes();
    let mut starts = [0u16; ERRNOS.len() + 1];
    let (mut i, mut n) = (0, 1);
    while i < t.len() {
        if t[i] == b'\n' {
            starts[n] = (i + 1) as u16;
            n += 1;
        }
        i += 1;
    }
    assert!(n == ERRNOS.len() + 1, "one text per errno");
    starts
};

fn errno_text(errno: i32) -> Option<&'static str> {
    let i = ERRNOS.iter().position(|&e| e == errno)?;
    TEXTS.get(STARTS[i] as usize..STARTS[i + 1] as usize - 1)
}

impl fmt::Display for KernelText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match errno_text(self.0) {
            Some(t) => write!(f, "{t} (os error {})", self.0)?,
            None => write!(f, "{}", io::Error::from_raw_os_error(self.0))?,
        }
        if let Some(m) = self.1.filter(|m| !m.is_empty()) {
            write!(f, ": {m}")?;
        }
        match self.2 {
            Some(a) => write!(f, " (at {a})"),
            None => Ok(()),
        }
    }
}

impl Error {
    /// The errno behind this error, for kernel refusals and failed syscalls.
    pub fn errno(&self) -> Option<i32> {
        match self {
            Error::Kernel { errno, .. } => Some(*errno),
            Error::Io { source, .. } | Error::NetlinkUnavailable { source, .. } => {
                source.raw_os_error()
            }
            _ => None,
        }
    }

    /// The kernel's extended-ACK message, if it sent one.
    pub fn kernel_message(&self) -> Option<&str> {
        match self {
            Error::Kernel { message, .. } => message.as_deref(),
            _ => None,
        }
    }

    /// True when the object does not exist: [`Error::NotFound`], or the kernel's
    /// `ENODEV` (no such link), `ENOENT`, `ESRCH` (no such route) or `EADDRNOTAVAIL`
    /// (no such address).
    pub fn is_not_found(&self) -> bool {
        match self {
            Error::NotFound { .. } => true,
            Error::Kernel { errno, .. } => matches!(
                *errno,
                libc::ENODEV | libc::ENOENT | libc::ESRCH | libc::EADDRNOTAVAIL
            ),
            _ => false,
        }
    }

    /// True when the object already exists (`EEXIST`).
    pub fn is_exists(&self) -> bool {
        matches!(self, Error::Kernel { errno, .. } if *errno == libc::EEXIST)
    }

    /// True when time ran out: no reply within the socket's receive timeout
    /// ([`Error::Timeout`]), or a wait's deadline passed ([`Error::WaitTimeout`]).
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout { .. } | Error::WaitTimeout { .. })
    }

    /// True for a caller's mistake caught before any syscall.
    pub fn is_invalid_input(&self) -> bool {
        matches!(self, Error::InvalidInput { .. })
    }

    /// True when the operation is not available here: another platform
    /// ([`Error::Unsupported`]), or netlink refused by the kernel or a sandbox
    /// ([`Error::NetlinkUnavailable`]). The ioctl fallbacks take over in that case.
    pub fn is_netlink_unavailable(&self) -> bool {
        matches!(
            self,
            Error::Unsupported { .. } | Error::NetlinkUnavailable { .. }
        )
    }

    /// The attribute the kernel pointed at in a refusal, as a path of names
    /// (`"IFLA_LINKINFO/IFLA_INFO_DATA/IFLA_BR_STP_STATE"`).
    pub fn kernel_attr(&self) -> Option<&str> {
        match self {
            Error::Kernel { attr, .. } => attr.as_deref(),
            _ => None,
        }
    }

    /// The error `socket(AF_NETLINK)` gave: [`Error::NetlinkUnavailable`] for the
    /// errnos that mean "no netlink here", else [`Error::Io`].
    pub(crate) fn netlink_socket(source: io::Error) -> Error {
        let op = "socket(AF_NETLINK)";
        match source.raw_os_error() {
            Some(
                libc::EAFNOSUPPORT
                | libc::EPROTONOSUPPORT
                | libc::EPERM
                | libc::EACCES
                | libc::ENOSYS,
            ) => Error::NetlinkUnavailable { op, source },
            _ => Error::io(op, source),
        }
    }

    /// A copy of this error (`Error` is not `Clone`: it holds an `io::Error`, which is
    /// rebuilt from its errno, or else from its kind and text). Used where one failure
    /// answers several requests: a batch window, the guest's netlink steps.
    pub(crate) fn duplicate(&self) -> Error {
        match self {
            Error::Kernel {
                op,
                errno,
                message,
                attr,
            } => Error::Kernel {
                op,
                errno: *errno,
                message: message.clone(),
                attr: attr.clone(),
            },
            Error::NetlinkUnavailable { op, source } => Error::NetlinkUnavailable {
                op,
                source: copy_io(source),
            },
            Error::Io { op, source } => Error::Io {
                op,
                source: copy_io(source),
            },
            Error::InvalidInput {
                what,
                value,
                reason,
            } => Error::InvalidInput {
                what,
                value: value.clone(),
                reason,
            },
            Error::NotFound { kind, name } => Error::NotFound {
                kind,
                name: name.clone(),
            },
            Error::Malformed { op, source } => Error::Malformed {
                op,
                source: *source,
            },
            Error::Encode { op, source } => Error::Encode {
                op,
                source: *source,
            },
            Error::Timeout { op, timeout } => Error::Timeout {
                op,
                timeout: *timeout,
            },
            Error::DumpInterrupted { op, attempts } => Error::DumpInterrupted {
                op,
                attempts: *attempts,
            },
            Error::Unsupported { op } => Error::Unsupported { op },
            Error::WaitTimeout {
                awaited,
                last_seen,
                waited,
            } => Error::WaitTimeout {
                awaited: awaited.clone(),
                last_seen: last_seen.clone(),
                waited: *waited,
            },
            Error::DadFailed {
                address,
                index,
                text,
            } => Error::DadFailed {
                address: *address,
                index: *index,
                text: text.clone(),
            },
            Error::Panicked { what, message } => Error::Panicked {
                what,
                message: message.clone(),
            },
        }
    }

    #[inline]
    pub(crate) fn invalid(
        what: &'static str,
        value: impl fmt::Display,
        reason: &'static str,
    ) -> Self {
        Error::invalid_text(what, &value.to_string(), reason)
    }

    /// The body of [`invalid`](Self::invalid), once for every value type.
    #[inline(never)]
    fn invalid_text(what: &'static str, value: &str, reason: &'static str) -> Self {
        Error::InvalidInput {
            what,
            value: escape_controls(value),
            reason,
        }
    }

    /// [`Error::InvalidInput`] for an address of the wrong family: names its family
    /// (`an inet6 address`) rather than spelling it out, which keeps the IPv6
    /// formatter out of binaries that never print an address.
    #[cold]
    pub(crate) fn wrong_family(
        what: &'static str,
        a: std::net::IpAddr,
        reason: &'static str,
    ) -> Self {
        Error::InvalidInput {
            what,
            value: if a.is_ipv4() {
                "an inet address"
            } else {
                "an inet6 address"
            }
            .into(),
            reason,
        }
    }

    /// [`Error::InvalidInput`] for a value given as bytes that need not be UTF-8 (an
    /// interface name): bytes that are not UTF-8 are written `\xNN`.
    pub(crate) fn invalid_bytes(what: &'static str, value: &[u8], reason: &'static str) -> Self {
        let mut text = String::new();
        let mut b = value;
        loop {
            match std::str::from_utf8(b) {
                Ok(s) => {
                    text.push_str(&escape_controls(s));
                    break;
                }
                Err(e) => {
                    let (good, rest) = b.split_at(e.valid_up_to());
                    text.push_str(&escape_controls(std::str::from_utf8(good).unwrap_or("")));
                    let bad = e.error_len().unwrap_or(rest.len()).max(1);
                    for x in &rest[..bad] {
                        text.push_str(&format!("\\x{x:02x}"));
                    }
                    b = &rest[bad..];
                }
            }
        }
        Error::InvalidInput {
            what,
            value: text,
            reason,
        }
    }

    /// [`Error::DadFailed`] for `address` on link `index`.
    pub(crate) fn dad_failed(address: std::net::IpAddr, index: u32) -> Self {
        Error::DadFailed {
            address,
            index,
            text: format!(
                "duplicate address detection failed for {address} on link {index} \
                 (dadfailed): another node on the link uses it"
            ),
        }
    }

    /// A failed call. Off Linux the stubs' `ErrorKind::Unsupported` becomes
    /// [`Error::Unsupported`]; on Linux every `io::Error` here is an errno (`ENOSYS`
    /// included, which stays an [`Error::Io`] naming the call), so no kind is decoded.
    pub(crate) fn io(op: &'static str, source: io::Error) -> Self {
        #[cfg(not(rtnl_netlink))]
        if source.kind() == io::ErrorKind::Unsupported {
            return Error::Unsupported { op };
        }
        Error::Io { op, source }
    }
}

/// An `io::Error` rebuilt from its errno, or else from its kind and text.
fn copy_io(e: &io::Error) -> io::Error {
    match e.raw_os_error() {
        Some(code) => io::Error::from_raw_os_error(code),
        None => io::Error::new(e.kind(), e.to_string()),
    }
}

/// Idempotence, for any caller: "already there" or "already gone" as success.
///
/// ```no_run
/// use rtnl::ResultExt;
/// let mut h = rtnl::Handle::new()?;
/// h.delete_link("veth0").or_absent()?;                 // ip link del veth0, if it exists
/// h.add(&rtnl::Link::bridge("br0")?).or_exists()?;  // ip link add br0 type bridge, unless there
/// # Ok::<(), rtnl::Error>(())
/// ```
pub trait ResultExt<T> {
    /// `Ok(None)` when the object does not exist ([`Error::is_not_found`]): for deletes
    /// that may find nothing to delete, and lookups that may find nothing.
    fn or_absent(self) -> Result<Option<T>>;
    /// `Ok(None)` when the object already exists ([`Error::is_exists`]): for adds that
    /// may find it done.
    fn or_exists(self) -> Result<Option<T>>;
}

impl<T> ResultExt<T> for Result<T> {
    #[inline]
    fn or_absent(self) -> Result<Option<T>> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    #[inline]
    fn or_exists(self) -> Result<Option<T>> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(e) if e.is_exists() => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// `s` with its ASCII control characters written `\xNN` and `"` and `\` escaped, so
/// that a NUL, a tab or a newline in a refused name stays visible; everything else,
/// UTF-8 included, is kept as it is. Byte by byte, without `char::escape_default`'s
/// machinery: a guest's binary stays small.
fn escape_controls(s: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut v = Vec::with_capacity(s.len());
    for &b in s.as_bytes() {
        if b < 0x20 || b == 0x7f {
            v.extend_from_slice(&[
                b'\\',
                b'x',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 15)],
            ]);
        } else {
            if b == b'"' || b == b'\\' {
                v.push(b'\\');
            }
            v.push(b);
        }
    }
    // Only ASCII bytes were replaced, by ASCII: still UTF-8.
    String::from_utf8(v).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_error_displays_errno_and_extack_text() {
        let e = Error::Kernel {
            op: "RTM_NEWLINK",
            errno: 95,
            message: Some("Unknown device type".into()),
            attr: None,
        };
        assert_eq!(
            e.to_string(),
            "RTM_NEWLINK: Operation not supported (os error 95): Unknown device type"
        );
        assert_eq!(e.errno(), Some(95));
        assert!(!e.is_exists() && !e.is_not_found());
        let e = Error::Kernel {
            op: "RTM_NEWROUTE",
            errno: libc::EEXIST,
            message: None,
            attr: None,
        };
        assert_eq!(e.to_string(), "RTM_NEWROUTE: File exists (os error 17)");
        assert!(e.is_exists());
        let e = Error::Kernel {
            op: "RTM_DELROUTE",
            errno: libc::ESRCH,
            message: None,
            attr: None,
        };
        assert!(e.is_not_found());
    }

    #[test]
    fn kernel_error_names_the_offending_attribute() {
        let e = Error::Kernel {
            op: "RTM_NEWLINK",
            errno: libc::EINVAL,
            message: Some("mtu greater than device maximum".into()),
            attr: Some("IFLA_MTU".into()),
        };
        assert_eq!(
            e.to_string(),
            "RTM_NEWLINK: Invalid argument (os error 22): mtu greater than device maximum (at IFLA_MTU)"
        );
        assert_eq!(e.kernel_attr(), Some("IFLA_MTU"));
        let e = Error::Kernel {
            op: "RTM_NEWLINK",
            errno: libc::EINVAL,
            message: None,
            attr: Some("IFLA_LINKINFO/IFLA_INFO_DATA/IFLA_BR_STP_STATE".into()),
        };
        assert_eq!(
            e.to_string(),
            "RTM_NEWLINK: Invalid argument (os error 22) (at IFLA_LINKINFO/IFLA_INFO_DATA/IFLA_BR_STP_STATE)"
        );
    }

    #[test]
    fn idempotence_adapters() {
        let gone: Result<()> = Err(Error::NotFound {
            kind: "link",
            name: "x".into(),
        });
        assert_eq!(gone.or_absent().unwrap(), None);
        let exists: Result<()> = Err(Error::Kernel {
            op: "RTM_NEWLINK",
            errno: libc::EEXIST,
            message: None,
            attr: None,
        });
        assert!(exists.or_absent().is_err());
        let exists: Result<()> = Err(Error::Kernel {
            op: "RTM_NEWLINK",
            errno: libc::EEXIST,
            message: None,
            attr: None,
        });
        assert_eq!(exists.or_exists().unwrap(), None);
        assert_eq!(Ok::<u32, Error>(3).or_exists().unwrap(), Some(3));
        let unavailable = Error::netlink_socket(io::Error::from_raw_os_error(libc::EPERM));
        assert!(unavailable.is_netlink_unavailable(), "{unavailable:?}");
        let other = Error::netlink_socket(io::Error::from_raw_os_error(libc::EMFILE));
        assert!(!other.is_netlink_unavailable(), "{other:?}");
    }

    #[test]
    fn errno_texts_line_up_with_their_numbers() {
        assert_eq!(
            TEXTS.split('\n').count(),
            ERRNOS.len() + 1,
            "one text per errno"
        );
        let mut seen = std::collections::HashSet::new();
        assert!(ERRNOS.iter().all(|e| seen.insert(*e)), "no errno twice");
        assert_eq!(errno_text(libc::EPERM), Some("Operation not permitted"));
        assert_eq!(
            errno_text(libc::EOPNOTSUPP),
            Some("Operation not supported")
        );
        assert_eq!(errno_text(libc::EEXIST), Some("File exists"));
        assert_eq!(errno_text(libc::EDQUOT), Some("Disk quota exceeded"));
        assert_eq!(errno_text(0), None);
        assert_eq!(errno_text(4095), None);
        // Unlisted numbers fall back to the libc's text.
        let e = Error::Kernel {
            op: "RTM_NEWLINK",
            errno: 4095,
            message: None,
            attr: None,
        };
        assert!(e.to_string().contains("(os error 4095)"), "{e}");
    }

    #[test]
    fn invalid_input_names_the_argument() {
        let e = Error::invalid("interface name", "a/b", "contains '/'");
        assert_eq!(
            e.to_string(),
            "invalid interface name \"a/b\": contains '/'"
        );
        let e = Error::invalid("interface name", "a\0b\tc\u{e9}\"\\\x7f\n", "contains NUL");
        assert_eq!(
            e.to_string(),
            "invalid interface name \"a\\x00b\\x09c\u{e9}\\\"\\\\\\x7f\\x0a\": contains NUL"
        );
        assert!(e.is_invalid_input());
    }
}
