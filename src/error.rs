//! Errors: typed data, never strings to match on.
//!
//! A kernel refusal keeps the operation, the errno and the kernel's own extended-ACK
//! text ([`Error::Kernel`]); a failed syscall keeps the call and the `io::Error`;
//! a caller's mistake is [`Error::InvalidInput`] and is caught before any syscall.

use crate::wire::WireError;
use std::fmt;
use std::io;
use std::time::Duration;

/// `Result<T, rtnl::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in `rtnl`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The kernel refused a request: `op` is the message type (`"RTM_NEWLINK"`),
    /// `errno` the positive error number, `message` the extended-ACK text if the
    /// kernel gave one. Displays as
    /// `RTM_NEWLINK: Operation not supported (os error 95): Unknown device type`.
    #[error("{op}: {}", KernelText(*errno, message.as_deref()))]
    Kernel {
        /// The request's message type or operation name.
        op: &'static str,
        /// The positive errno.
        errno: i32,
        /// `NLMSGERR_ATTR_MSG`, when the kernel sent one.
        message: Option<String>,
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
    /// A closure run in another namespace panicked; the panic was caught.
    #[error("{what} panicked: {message}")]
    Panicked {
        /// Where (`"with_netns closure"`).
        what: &'static str,
        /// The panic payload, if it was a string.
        message: String,
    },
}

struct KernelText<'a>(i32, Option<&'a str>);

/// The kernel's errno names, worded as glibc's `strerror` words them, so that an
/// error reads the same whichever libc the program is linked against (musl's wording
/// differs: "Not supported" for `EOPNOTSUPP`). Unlisted values fall back to the libc.
fn errno_text(errno: i32) -> Option<&'static str> {
    Some(match errno {
        libc::EPERM => "Operation not permitted",
        libc::ENOENT => "No such file or directory",
        libc::ESRCH => "No such process",
        libc::EINTR => "Interrupted system call",
        libc::EIO => "Input/output error",
        libc::ENXIO => "No such device or address",
        libc::E2BIG => "Argument list too long",
        libc::EBADF => "Bad file descriptor",
        libc::EAGAIN => "Resource temporarily unavailable",
        libc::ENOMEM => "Cannot allocate memory",
        libc::EACCES => "Permission denied",
        libc::EFAULT => "Bad address",
        libc::EBUSY => "Device or resource busy",
        libc::EEXIST => "File exists",
        libc::EXDEV => "Invalid cross-device link",
        libc::ENODEV => "No such device",
        libc::ENOTDIR => "Not a directory",
        libc::EISDIR => "Is a directory",
        libc::EINVAL => "Invalid argument",
        libc::ENFILE => "Too many open files in system",
        libc::EMFILE => "Too many open files",
        libc::ENOTTY => "Inappropriate ioctl for device",
        libc::EFBIG => "File too large",
        libc::ENOSPC => "No space left on device",
        libc::EROFS => "Read-only file system",
        libc::EMLINK => "Too many links",
        libc::EPIPE => "Broken pipe",
        libc::EDOM => "Numerical argument out of domain",
        libc::ERANGE => "Numerical result out of range",
        libc::EDEADLK => "Resource deadlock avoided",
        libc::ENAMETOOLONG => "File name too long",
        libc::ENOSYS => "Function not implemented",
        libc::ENOTEMPTY => "Directory not empty",
        libc::ELOOP => "Too many levels of symbolic links",
        libc::ENOMSG => "No message of desired type",
        libc::ENODATA => "No data available",
        libc::ENOLINK => "Link has been severed",
        libc::EPROTO => "Protocol error",
        libc::EBADMSG => "Bad message",
        libc::EOVERFLOW => "Value too large for defined data type",
        libc::ENOTSOCK => "Socket operation on non-socket",
        libc::EMSGSIZE => "Message too long",
        libc::EPROTOTYPE => "Protocol wrong type for socket",
        libc::ENOPROTOOPT => "Protocol not available",
        libc::EPROTONOSUPPORT => "Protocol not supported",
        libc::EOPNOTSUPP => "Operation not supported",
        libc::EPFNOSUPPORT => "Protocol family not supported",
        libc::EAFNOSUPPORT => "Address family not supported by protocol",
        libc::EADDRINUSE => "Address already in use",
        libc::EADDRNOTAVAIL => "Cannot assign requested address",
        libc::ENETDOWN => "Network is down",
        libc::ENETUNREACH => "Network is unreachable",
        libc::ENETRESET => "Network dropped connection on reset",
        libc::ENOBUFS => "No buffer space available",
        libc::ENOTCONN => "Transport endpoint is not connected",
        libc::ETIMEDOUT => "Connection timed out",
        libc::ECONNREFUSED => "Connection refused",
        libc::EHOSTDOWN => "Host is down",
        libc::EHOSTUNREACH => "No route to host",
        libc::EALREADY => "Operation already in progress",
        libc::EINPROGRESS => "Operation now in progress",
        libc::EDQUOT => "Disk quota exceeded",
        _ => return None,
    })
}

impl fmt::Display for KernelText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match errno_text(self.0) {
            Some(t) => write!(f, "{t} (os error {})", self.0)?,
            None => write!(f, "{}", io::Error::from_raw_os_error(self.0))?,
        }
        match self.1 {
            Some(m) if !m.is_empty() => write!(f, ": {m}"),
            _ => Ok(()),
        }
    }
}

impl Error {
    /// The errno behind this error, for kernel refusals and failed syscalls.
    pub fn errno(&self) -> Option<i32> {
        match self {
            Error::Kernel { errno, .. } => Some(*errno),
            Error::Io { source, .. } => source.raw_os_error(),
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

    /// True for a caller's mistake caught before any syscall.
    pub fn is_invalid_input(&self) -> bool {
        matches!(self, Error::InvalidInput { .. })
    }

    /// True when the operation is not available here: another platform, or netlink
    /// refused by the kernel or a sandbox (`socket(AF_NETLINK)` failing with
    /// `EAFNOSUPPORT`, `EPROTONOSUPPORT`, `EPERM`, `EACCES` or `ENOSYS`). The ioctl
    /// fallbacks take over in that case.
    pub fn is_netlink_unavailable(&self) -> bool {
        match self {
            Error::Unsupported { .. } => true,
            Error::Io {
                op: "socket(AF_NETLINK)",
                source,
            } => matches!(
                source.raw_os_error(),
                Some(
                    libc::EAFNOSUPPORT
                        | libc::EPROTONOSUPPORT
                        | libc::EPERM
                        | libc::EACCES
                        | libc::ENOSYS
                )
            ),
            _ => false,
        }
    }

    /// A copy of this error (`Error` is not `Clone`: it holds an `io::Error`, which is
    /// rebuilt from its errno, or else from its kind and text). Used where one failure
    /// answers several requests: a batch window, the guest's netlink steps.
    pub(crate) fn duplicate(&self) -> Error {
        match self {
            Error::Kernel { op, errno, message } => Error::Kernel {
                op,
                errno: *errno,
                message: message.clone(),
            },
            Error::Io { op, source } => Error::Io {
                op,
                source: match source.raw_os_error() {
                    Some(code) => io::Error::from_raw_os_error(code),
                    None => io::Error::new(source.kind(), source.to_string()),
                },
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
            Error::Panicked { what, message } => Error::Panicked {
                what,
                message: message.clone(),
            },
        }
    }

    pub(crate) fn invalid(
        what: &'static str,
        value: impl fmt::Display,
        reason: &'static str,
    ) -> Self {
        // Escaped so that NULs, tabs and newlines in a refused name stay visible;
        // `escape_default` needs no Unicode tables (a guest's binary stays small).
        let v = value.to_string().escape_default().to_string();
        Error::InvalidInput {
            what,
            value: v,
            reason,
        }
    }

    pub(crate) fn io(op: &'static str, source: io::Error) -> Self {
        if source.kind() == io::ErrorKind::Unsupported {
            return Error::Unsupported { op };
        }
        Error::Io { op, source }
    }
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
        };
        assert_eq!(e.to_string(), "RTM_NEWROUTE: File exists (os error 17)");
        assert!(e.is_exists());
        let e = Error::Kernel {
            op: "RTM_DELROUTE",
            errno: libc::ESRCH,
            message: None,
        };
        assert!(e.is_not_found());
    }

    #[test]
    fn invalid_input_names_the_argument() {
        let e = Error::invalid("interface name", "a/b", "contains '/'");
        assert_eq!(
            e.to_string(),
            "invalid interface name \"a/b\": contains '/'"
        );
        assert!(e.is_invalid_input());
    }
}
