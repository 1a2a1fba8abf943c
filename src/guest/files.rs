//! Layer `operations` (guest): the host name (through the sysctl side door) and the
//! files a guest writes — `/etc/hosts` and `/etc/resolv.conf`, atomically.

use super::spec::Hostname;
use crate::error::{Error, Result};
use std::io;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

#[allow(unused_imports)] // named in the docs
use super::GuestConfig;

/// `HOST_NAME_MAX`: what `sethostname` accepts.
pub(crate) const HOST_NAME_MAX: usize = 64;

/// Sets the host name of the calling thread's UTS namespace (`hostname NAME`; the
/// effect of `sethostname(2)`, written to `/proc/sys/kernel/hostname`; needs
/// `CAP_SYS_ADMIN`). Names over 64 bytes (`HOST_NAME_MAX`)
/// are [`Error::InvalidInput`].
pub fn set_hostname(name: &Hostname) -> Result<()> {
    if name.as_str().len() > HOST_NAME_MAX {
        return Err(Error::invalid(
            "host name",
            name.as_str(),
            "longer than 64 bytes (HOST_NAME_MAX)",
        ));
    }
    // `kernel.hostname` is the calling thread's UTS namespace's name, the same
    // thing `sethostname(2)` sets: the sysctl side door does it without `unsafe`.
    crate::sys::sysctl::set_sysctl("kernel.hostname", name.as_str())
}

/// The lines every hosts file gets, after `127.0.0.1 localhost` (and the host name's
/// line, if any): Debian's IPv6 set.
const HOSTS_IPV6: &str = "::1\tlocalhost ip6-localhost ip6-loopback\n\
                          fe00::0\tip6-localnet\n\
                          ff00::0\tip6-mcastprefix\n\
                          ff02::1\tip6-allnodes\n\
                          ff02::2\tip6-allrouters\n";

/// The text of `/etc/hosts` (one tab between address and names):
///
/// ```text
/// 127.0.0.1  localhost
/// 127.0.1.1  HOSTNAME                     (when a host name is given)
/// ::1  localhost ip6-localhost ip6-loopback
/// fe00::0  ip6-localnet
/// ff00::0  ip6-mcastprefix
/// ff02::1  ip6-allnodes
/// ff02::2  ip6-allrouters
/// ADDRESS  NAME                         (one line per alias)
/// ```
///
/// The host name maps to `127.0.1.1`, as Debian does: it resolves whatever the
/// interfaces' state, never to an address that may change or go away. `aliases` add
/// names for other addresses — e.g. `host.internal` for the IPv4 and the IPv6
/// gateway ([`GuestConfig::gateway_alias`] does that).
pub fn render_hosts(hostname: Option<&Hostname>, aliases: &[(IpAddr, &Hostname)]) -> String {
    let mut s = String::from("127.0.0.1\tlocalhost\n");
    if let Some(h) = hostname {
        s.push_str("127.0.1.1\t");
        s.push_str(h.as_str());
        s.push('\n');
    }
    s.push_str(HOSTS_IPV6);
    for (addr, name) in aliases {
        s.push_str(&format!("{addr}\t{name}\n"));
    }
    s
}

/// The text of `/etc/resolv.conf`: one `nameserver ADDRESS` line each, in order, then
/// `search D1 D2 ...` if any. (glibc uses the first three name servers.)
pub fn render_resolv_conf(nameservers: &[IpAddr], search: &[Hostname]) -> String {
    let mut s = String::new();
    for ns in nameservers {
        s.push_str(&format!("nameserver {ns}\n"));
    }
    if !search.is_empty() {
        s.push_str("search");
        for d in search {
            s.push(' ');
            s.push_str(d.as_str());
        }
        s.push('\n');
    }
    s
}

/// Writes [`render_hosts`] to `root/etc/hosts` atomically (a temporary file in the
/// same directory, `fsync`, `rename`), creating `root/etc` if missing; mode 0644.
/// Returns the path written. Pass `/` as `root` for the real file.
pub fn write_hosts(
    root: &Path,
    hostname: Option<&Hostname>,
    aliases: &[(IpAddr, &Hostname)],
) -> Result<PathBuf> {
    write_etc(root, "hosts", &render_hosts(hostname, aliases))
}

/// Writes [`render_resolv_conf`] to `root/etc/resolv.conf`, atomically as
/// [`write_hosts`]. A symbolic link there is replaced by the file.
pub fn write_resolv_conf(
    root: &Path,
    nameservers: &[IpAddr],
    search: &[Hostname],
) -> Result<PathBuf> {
    write_etc(
        root,
        "resolv.conf",
        &render_resolv_conf(nameservers, search),
    )
}

fn write_etc(root: &Path, name: &str, text: &str) -> Result<PathBuf> {
    use std::io::Write;
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let dir = root.join("etc");
    std::fs::create_dir_all(&dir).map_err(|e| Error::io("mkdir etc", e))?;
    let path = dir.join(name);
    let tmp = dir.join(format!(".{name}.rtnl-{}", std::process::id()));
    let write = || -> io::Result<()> {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o644)
            .open(&tmp)?;
        f.write_all(text.as_bytes())?;
        // The umask may have narrowed the mode.
        f.set_permissions(std::fs::Permissions::from_mode(0o644))?;
        f.sync_all()
    };
    if let Err(e) = write() {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io("write etc file", e));
    }
    if let Err(e) = std::fs::rename(&tmp, &path) {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io("rename etc file", e));
    }
    Ok(path)
}
