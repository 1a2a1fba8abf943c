//! A seccomp filter that makes `socket(AF_NETLINK, ...)` fail with `EAFNOSUPPORT`, as
//! a sandbox would, to exercise the ioctl fallbacks.
//!
//! The filter goes on the CALLING THREAD only (`prctl(PR_SET_SECCOMP)`, no
//! `SECCOMP_FILTER_FLAG_TSYNC`) and cannot be removed: install it on a short-lived
//! thread. It is inherited by every thread and process that thread creates — so a
//! filtered thread can no longer run `ip` (which needs netlink), and threads it spawns
//! (including `rtnl::netns::with_netns_fd`'s) are filtered too. Check the kernel's view
//! from a thread that is not a descendant of the filtered one.
//!
//! Architectures: the filter checks `seccomp_data.arch` — x86_64 and i386 (both, on
//! either), aarch64, s390x — and lets calls from any other ABI (x32, arm32) through
//! untouched. It matches the direct `socket` syscall. On i386 and s390x a libc may instead go through
//! `socketcall(2)`, whose arguments sit in memory a classic-BPF filter cannot read; such
//! calls are let through. Rust's `i686-unknown-linux-musl` makes the direct call
//! (`strace -n` shows `[ 359] socket(AF_INET, ...)`), and s390x only runs under
//! qemu-user, which refuses seccomp anyway. A libc that used `socketcall` would make
//! the tests' "netlink is refused" assertion fail loudly, never pass vacuously.
//!
//! qemu-user refuses `PR_SET_SECCOMP` (`EINVAL`): the caller gets the error and decides.
#![allow(dead_code)]

use std::io;

const AUDIT_ARCH_X86_64: u32 = 0xC000_003E;
const AUDIT_ARCH_I386: u32 = 0x4000_0003;
const AUDIT_ARCH_AARCH64: u32 = 0xC000_00B7;
const AUDIT_ARCH_S390X: u32 = 0x8000_0016;

/// `(seccomp_data.arch, socket syscall number)` for each ABI the filter covers. On x86
/// both ABIs are covered whichever this test is built for, so that a child of the
/// other width (the host's 64-bit `ip` under an i686 test) is filtered too.
#[cfg(any(target_arch = "x86_64", target_arch = "x86"))]
const ABIS: &[(u32, libc::c_long)] = &[(AUDIT_ARCH_X86_64, 41), (AUDIT_ARCH_I386, 359)];
#[cfg(target_arch = "aarch64")]
const ABIS: &[(u32, libc::c_long)] = &[(AUDIT_ARCH_AARCH64, 198)];
#[cfg(target_arch = "s390x")]
const ABIS: &[(u32, libc::c_long)] = &[(AUDIT_ARCH_S390X, 359)];

/// Installs the filter on the calling thread. Errors are the `prctl` errors (`EINVAL`
/// under qemu-user or without `CONFIG_SECCOMP_FILTER`); `ErrorKind::Unsupported` on an
/// architecture this helper does not know.
pub fn deny_netlink_sockets() -> io::Result<()> {
    imp::install()
}

#[cfg(all(
    target_os = "linux",
    any(
        target_arch = "x86_64",
        target_arch = "x86",
        target_arch = "aarch64",
        target_arch = "s390x"
    )
))]
mod imp {
    use super::ABIS;
    use std::io;

    // struct seccomp_data { int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6]; }
    const OFF_NR: u32 = 0;
    const OFF_ARCH: u32 = 4;
    /// The low 32 bits of `args[0]` (the `int` domain).
    #[cfg(target_endian = "little")]
    const OFF_ARG0_LO: u32 = 16;
    #[cfg(target_endian = "big")]
    const OFF_ARG0_LO: u32 = 20;

    const LD_W_ABS: u16 = (libc::BPF_LD | libc::BPF_W | libc::BPF_ABS) as u16;
    const JEQ_K: u16 = (libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K) as u16;
    const RET_K: u16 = (libc::BPF_RET | libc::BPF_K) as u16;

    const ALLOW: u32 = libc::SECCOMP_RET_ALLOW;
    const DENY_AFNOSUPPORT: u32 = libc::SECCOMP_RET_ERRNO | libc::EAFNOSUPPORT as u32;

    fn stmt(code: u16, k: u32) -> libc::sock_filter {
        libc::sock_filter {
            code,
            jt: 0,
            jf: 0,
            k,
        }
    }

    fn jump(code: u16, k: u32, jt: u8, jf: u8) -> libc::sock_filter {
        libc::sock_filter { code, jt, jf, k }
    }

    /// The classic-BPF program:
    /// ```text
    ///        ld [arch]; jeq ARCH_i -> abi_i (for each ABI); ret ALLOW
    /// abi_i: ld [nr]; jeq SOCKET_i -> domain, else -> allow
    /// domain: ld [args[0]]; jeq AF_NETLINK -> ret ERRNO(EAFNOSUPPORT)
    /// allow: ret ALLOW
    /// ```
    pub fn program() -> Vec<libc::sock_filter> {
        // The table's entry for this build's own ABI agrees with libc.
        assert!(ABIS.iter().any(|&(_, nr)| nr == libc::SYS_socket));
        let n = ABIS.len();
        let rel = |from: usize, to: usize| u8::try_from(to - from - 1).unwrap();
        let first_abi = n + 2; // after `ld [arch]`, n jumps and `ret ALLOW`
        let domain = first_abi + 2 * n;
        let allow = domain + 3;
        let mut p = vec![stmt(LD_W_ABS, OFF_ARCH)];
        for (i, &(arch, _)) in ABIS.iter().enumerate() {
            p.push(jump(JEQ_K, arch, rel(p.len(), first_abi + 2 * i), 0));
        }
        p.push(stmt(RET_K, ALLOW));
        for &(_, nr) in ABIS {
            p.push(stmt(LD_W_ABS, OFF_NR));
            p.push(jump(
                JEQ_K,
                nr as u32,
                rel(p.len(), domain),
                rel(p.len(), allow),
            ));
        }
        assert_eq!(p.len(), domain);
        p.push(stmt(LD_W_ABS, OFF_ARG0_LO));
        p.push(jump(JEQ_K, libc::AF_NETLINK as u32, 0, 1));
        p.push(stmt(RET_K, DENY_AFNOSUPPORT));
        assert_eq!(p.len(), allow);
        p.push(stmt(RET_K, ALLOW));
        p
    }

    pub fn install() -> io::Result<()> {
        let mut prog = program();
        let fprog = libc::sock_fprog {
            len: u16::try_from(prog.len()).unwrap(),
            filter: prog.as_mut_ptr(),
        };
        // SAFETY: plain prctl with integer arguments; affects only this thread.
        let r = unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1 as libc::c_ulong, 0, 0, 0) };
        if r != 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fprog` points to `prog`, a valid filter of `len` instructions that
        // outlives the call (the kernel copies it). No TSYNC: this thread only.
        let r = unsafe {
            libc::prctl(
                libc::PR_SET_SECCOMP,
                libc::SECCOMP_MODE_FILTER as libc::c_ulong,
                &fprog as *const libc::sock_fprog,
            )
        };
        if r != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }
}

#[cfg(not(all(
    target_os = "linux",
    any(
        target_arch = "x86_64",
        target_arch = "x86",
        target_arch = "aarch64",
        target_arch = "s390x"
    )
)))]
mod imp {
    use std::io;
    pub fn install() -> io::Result<()> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "no seccomp filter for this target",
        ))
    }
}

/// Runs `f` on a new thread of the calling thread's namespaces, after installing the
/// netlink-refusing seccomp filter on that new thread only. `None` when the filter
/// cannot be installed under qemu-user (which refuses seccomp).
pub fn without_netlink<T: Send>(f: impl FnOnce() -> T + Send) -> Option<T> {
    std::thread::scope(|s| {
        s.spawn(|| {
            if let Err(e) = deny_netlink_sockets() {
                if std::env::var_os("RTNL_QEMU_USER").is_some() {
                    return None;
                }
                panic!("installing the seccomp filter: {e}");
            }
            Some(f())
        })
        .join()
        .unwrap_or_else(|p| std::panic::resume_unwind(p))
    })
}
