//! ADD and DEL wall time per container, process start included, for `bridge` and
//! `ptp`: rtnl's plugin (the static musl binary) vs the reference plugin (Debian's
//! `containernetworking-plugins`) vs the kernel's floor — a raw libc netlink sequence
//! making the same changes, in process; then 1,000 containers on one bridge, one
//! after another and 8 at a time, with the kernel state at the end; then binary sizes.
//!
//! ```text
//! cargo build --release --target x86_64-unknown-linux-musl --manifest-path cni/Cargo.toml
//! cargo bench --manifest-path cni/Cargo.toml -- [--quick] [per] [scale] [size]
//! ```
//!
//! Runs as root in a network namespace of its own (unshared at start: the host's is
//! never touched); the containers' namespaces are made with `ip netns add` outside the
//! timed regions. Variants are interleaved round by round; medians are reported.
//! Environment: `CNI_BENCH_ROUNDS` (per-container rounds, default 25), `CNI_BENCH_N`
//! (containers at scale, default 1000), `CNI_BENCH_BIN` (our binary).

use std::io::Write;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const REF: &str = "/usr/lib/cni";

fn env_usize(k: &str, d: usize) -> usize {
    std::env::var(k)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(d)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    if v.is_empty() {
        return f64::NAN;
    }
    v[v.len() / 2]
}

fn sh(cmd: &[&str]) {
    let st = Command::new(cmd[0]).args(&cmd[1..]).status().unwrap();
    assert!(st.success(), "{cmd:?}");
}

/// `ip netns add NAME`, a stale one of that name (an interrupted run) removed first.
fn ns_add(name: &str) {
    let _ = Command::new("ip")
        .args(["netns", "del", name])
        .stderr(Stdio::null())
        .status();
    sh(&["ip", "netns", "add", name]);
}

fn sh_out(cmd: &[&str]) -> String {
    let o = Command::new(cmd[0]).args(&cmd[1..]).output().unwrap();
    String::from_utf8_lossy(&o.stdout).into_owned()
}

// ---------------------------------------------------------------- the floor ----

/// A raw `NETLINK_ROUTE` socket and hand-laid messages: the least a program can do.
mod raw {
    use std::io;

    pub const RTM_NEWLINK: u16 = 16;
    pub const RTM_DELLINK: u16 = 17;
    pub const RTM_GETLINK: u16 = 18;
    pub const RTM_NEWADDR: u16 = 20;
    pub const RTM_NEWROUTE: u16 = 24;
    pub const RTM_DELROUTE: u16 = 25;
    const F_REQUEST: u16 = 1;
    const F_ACK: u16 = 4;
    pub const F_CREATE_EXCL: u16 = 0x400 | 0x200;

    pub struct Nl {
        fd: i32,
        seq: u32,
        rx: Vec<u8>,
    }

    impl Drop for Nl {
        fn drop(&mut self) {
            // SAFETY: we own the descriptor.
            unsafe { libc::close(self.fd) };
        }
    }

    impl Nl {
        /// A socket bound to the link notifications (`RTMGRP_LINK`).
        pub fn link_events() -> io::Result<Nl> {
            let nl = Nl::new()?;
            // SAFETY: zeroed sockaddr_nl is valid; a valid sockaddr of the size given.
            let r = unsafe {
                let mut a: libc::sockaddr_nl = std::mem::zeroed();
                a.nl_family = libc::AF_NETLINK as u16;
                a.nl_groups = 1;
                libc::bind(
                    nl.fd,
                    (&a as *const libc::sockaddr_nl).cast(),
                    std::mem::size_of::<libc::sockaddr_nl>() as u32,
                )
            };
            if r < 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(nl)
        }

        /// Blocks for the next datagram (notifications).
        pub fn next(&mut self) -> io::Result<&[u8]> {
            // SAFETY: rx valid for writes of its length.
            let n = unsafe { libc::recv(self.fd, self.rx.as_mut_ptr().cast(), self.rx.len(), 0) };
            if n < 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(&self.rx[..n as usize])
        }

        pub fn new() -> io::Result<Nl> {
            // SAFETY: plain syscall.
            let fd = unsafe {
                libc::socket(
                    libc::AF_NETLINK,
                    libc::SOCK_RAW | libc::SOCK_CLOEXEC,
                    libc::NETLINK_ROUTE,
                )
            };
            if fd < 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(Nl {
                fd,
                seq: 1,
                rx: vec![0; 32 << 10],
            })
        }

        /// Sends `m` (its header's length, seq and flags patched) and reads the
        /// answer: the ACK's errno, or the first reply's bytes for a GET.
        pub fn exchange(&mut self, m: &mut Msg, get: bool) -> io::Result<Vec<u8>> {
            self.seq += 1;
            let len = m.0.len() as u32;
            m.0[0..4].copy_from_slice(&len.to_ne_bytes());
            let fl = u16::from_ne_bytes([m.0[6], m.0[7]]) | F_REQUEST | if get { 0 } else { F_ACK };
            m.0[6..8].copy_from_slice(&fl.to_ne_bytes());
            m.0[8..12].copy_from_slice(&self.seq.to_ne_bytes());
            // SAFETY: zeroed sockaddr_nl is valid; buffers valid for their lengths.
            let n = unsafe {
                let mut k: libc::sockaddr_nl = std::mem::zeroed();
                k.nl_family = libc::AF_NETLINK as u16;
                libc::sendto(
                    self.fd,
                    m.0.as_ptr().cast(),
                    m.0.len(),
                    0,
                    (&k as *const libc::sockaddr_nl).cast(),
                    std::mem::size_of::<libc::sockaddr_nl>() as u32,
                )
            };
            if n < 0 {
                return Err(io::Error::last_os_error());
            }
            // SAFETY: rx valid for writes of its length.
            let n = unsafe { libc::recv(self.fd, self.rx.as_mut_ptr().cast(), self.rx.len(), 0) };
            if n < 0 {
                return Err(io::Error::last_os_error());
            }
            let b = &self.rx[..n as usize];
            let ty = u16::from_ne_bytes([b[4], b[5]]);
            if ty == 2 {
                let e = i32::from_ne_bytes([b[16], b[17], b[18], b[19]]);
                if e != 0 {
                    return Err(io::Error::from_raw_os_error(-e));
                }
            }
            Ok(b.to_vec())
        }
    }

    /// A message being laid out.
    pub struct Msg(pub Vec<u8>, Vec<usize>);

    impl Msg {
        pub fn new(ty: u16, flags: u16) -> Msg {
            let mut v = vec![0u8; 16];
            v[4..6].copy_from_slice(&ty.to_ne_bytes());
            v[6..8].copy_from_slice(&flags.to_ne_bytes());
            Msg(v, vec![])
        }
        pub fn bytes(mut self, b: &[u8]) -> Msg {
            self.0.extend_from_slice(b);
            self
        }
        /// `struct ifinfomsg`.
        pub fn ifi(self, index: i32, flags: u32, change: u32) -> Msg {
            let mut h = [0u8; 16];
            h[4..8].copy_from_slice(&index.to_ne_bytes());
            h[8..12].copy_from_slice(&flags.to_ne_bytes());
            h[12..16].copy_from_slice(&change.to_ne_bytes());
            self.bytes(&h)
        }
        /// `struct ifaddrmsg` (IPv4).
        pub fn ifa(self, prefix: u8, index: u32) -> Msg {
            let mut h = [0u8; 8];
            h[0] = libc::AF_INET as u8;
            h[1] = prefix;
            h[4..8].copy_from_slice(&index.to_ne_bytes());
            self.bytes(&h)
        }
        /// `struct rtmsg` (IPv4, main table, boot, unicast).
        pub fn rtm(self, dst_len: u8, scope: u8, proto: u8) -> Msg {
            self.bytes(&[
                libc::AF_INET as u8,
                dst_len,
                0,
                0,
                254,
                proto,
                scope,
                1,
                0,
                0,
                0,
                0,
            ])
        }
        pub fn attr(mut self, ty: u16, v: &[u8]) -> Msg {
            let l = 4 + v.len();
            self.0.extend_from_slice(&(l as u16).to_ne_bytes());
            self.0.extend_from_slice(&ty.to_ne_bytes());
            self.0.extend_from_slice(v);
            while !self.0.len().is_multiple_of(4) {
                self.0.push(0);
            }
            self
        }
        pub fn begin(mut self, ty: u16) -> Msg {
            self.1.push(self.0.len());
            self.0.extend_from_slice(&[0, 0]);
            self.0.extend_from_slice(&ty.to_ne_bytes());
            self
        }
        pub fn end(mut self) -> Msg {
            let at = self.1.pop().unwrap();
            let l = (self.0.len() - at) as u16;
            self.0[at..at + 2].copy_from_slice(&l.to_ne_bytes());
            self
        }
    }

    pub fn name(s: &str) -> Vec<u8> {
        let mut v = s.as_bytes().to_vec();
        v.push(0);
        v
    }
}

use raw::{Msg, Nl};

const IFLA_ADDRESS_: u16 = 1;
const IFLA_IFNAME: u16 = 3;
const IFLA_MTU: u16 = 4;
const IFLA_MASTER: u16 = 10;
const IFLA_TXQLEN: u16 = 13;
const IFLA_LINKINFO: u16 = 18;
const IFLA_NET_NS_FD: u16 = 28;
const IFLA_INFO_KIND: u16 = 1;
const IFLA_INFO_DATA: u16 = 2;
const VETH_INFO_PEER: u16 = 1;
const IFA_LOCAL: u16 = 2;
const IFA_ADDRESS: u16 = 1;
const IFA_BROADCAST: u16 = 4;
const RTA_DST: u16 = 1;
const RTA_OIF: u16 = 4;
const RTA_GATEWAY: u16 = 5;
const RTA_PREFSRC: u16 = 7;
const IFF_UP: u32 = 1;
const _: u16 = IFLA_ADDRESS_ + IFLA_MTU;

/// Runs `f` on a thread inside the namespace behind `path`.
fn in_ns<T: Send>(path: &str, f: impl FnOnce() -> T + Send) -> T {
    let file = std::fs::File::open(path).unwrap();
    std::thread::scope(|s| {
        s.spawn(|| {
            // SAFETY: setns on this (short-lived) thread only.
            let r = unsafe { libc::setns(file.as_raw_fd(), libc::CLONE_NEWNET) };
            assert_eq!(r, 0, "setns");
            f()
        })
        .join()
        .unwrap()
    })
}

fn link_index(nl: &mut Nl, name: &str) -> u32 {
    let mut m = Msg::new(raw::RTM_GETLINK, 0)
        .ifi(0, 0, 0)
        .attr(IFLA_IFNAME, &raw::name(name));
    let r = nl.exchange(&mut m, true).unwrap();
    i32::from_ne_bytes([r[20], r[21], r[22], r[23]]) as u32
}

/// `IFLA_OPERSTATE` of the `RTM_NEWLINK` messages in `b` for link `index`: true when
/// one says up.
fn oper_up_in(b: &[u8], index: u32) -> bool {
    let mut off = 0;
    while off + 32 <= b.len() {
        let len = u32::from_ne_bytes(b[off..off + 4].try_into().unwrap()) as usize;
        let ty = u16::from_ne_bytes([b[off + 4], b[off + 5]]);
        if len < 16 || off + len > b.len() {
            break;
        }
        let idx = i32::from_ne_bytes(b[off + 20..off + 24].try_into().unwrap()) as u32;
        if ty == raw::RTM_NEWLINK && idx == index {
            let mut a = off + 32;
            while a + 4 <= off + len {
                let al = u16::from_ne_bytes([b[a], b[a + 1]]) as usize;
                let at = u16::from_ne_bytes([b[a + 2], b[a + 3]]);
                if al < 4 {
                    break;
                }
                if at == 16 && al >= 5 && b[a + 4] == 6 {
                    return true;
                }
                a += (al + 3) & !3;
            }
        }
        off += (len + 3) & !3;
    }
    false
}

/// Waits (on notifications, subscribed before the change) until the host end is
/// operationally up: what the plugins wait for before they configure the gateway.
fn wait_oper_up(events: &mut Nl, host_nl: &mut Nl, host: &str) {
    let mut m = Msg::new(raw::RTM_GETLINK, 0)
        .ifi(0, 0, 0)
        .attr(IFLA_IFNAME, &raw::name(host));
    let r = host_nl.exchange(&mut m, true).unwrap();
    let idx = i32::from_ne_bytes([r[20], r[21], r[22], r[23]]) as u32;
    if oper_up_in(&r, idx) {
        return;
    }
    loop {
        if oper_up_in(events.next().unwrap(), idx) {
            return;
        }
    }
}

fn sysctl(key: &str, v: &str) {
    let _ = std::fs::write(format!("/proc/sys/{key}"), v);
}

/// The veth pair, its container end born in the container's namespace as `eth0`.
fn floor_veth(nl: &mut Nl, host: &str, ns: &std::fs::File) {
    let fd = (ns.as_raw_fd()).to_ne_bytes();
    let mut m = Msg::new(raw::RTM_NEWLINK, raw::F_CREATE_EXCL)
        .ifi(0, 0, 0)
        .attr(IFLA_TXQLEN, &0u32.to_ne_bytes())
        .attr(IFLA_IFNAME, &raw::name(host))
        .begin(IFLA_LINKINFO)
        .attr(IFLA_INFO_KIND, b"veth")
        .begin(IFLA_INFO_DATA)
        .begin(VETH_INFO_PEER)
        .ifi(0, 0, 0)
        .attr(IFLA_TXQLEN, &0u32.to_ne_bytes())
        .attr(IFLA_NET_NS_FD, &fd)
        .attr(IFLA_IFNAME, &raw::name("eth0"))
        .end()
        .end()
        .end();
    nl.exchange(&mut m, false).unwrap();
}

fn v4(s: &str) -> [u8; 4] {
    s.parse::<std::net::Ipv4Addr>().unwrap().octets()
}

/// bridge ADD, the kernel's part: veth, port of the bridge and up, `accept_ra` 0; in
/// the container: sysctls, address, up, default route; then the wait for the port to
/// be operationally up (the plugins wait for it too, and so must any program).
fn floor_bridge_add(host_nl: &mut Nl, br: u32, host: &str, ns_path: &str, ip: &str, gw: &str) {
    let mut events = Nl::link_events().unwrap();
    let ns = std::fs::File::open(ns_path).unwrap();
    floor_veth(host_nl, host, &ns);
    let mut m = Msg::new(raw::RTM_NEWLINK, 0)
        .ifi(0, IFF_UP, IFF_UP)
        .attr(IFLA_MASTER, &br.to_ne_bytes())
        .attr(IFLA_IFNAME, &raw::name(host));
    host_nl.exchange(&mut m, false).unwrap();
    sysctl(&format!("net/ipv6/conf/{host}/accept_ra"), "0");
    in_ns(ns_path, || {
        sysctl("net/ipv6/conf/eth0/accept_dad", "0");
        sysctl("net/ipv4/conf/eth0/arp_notify", "1");
        let mut nl = Nl::new().unwrap();
        let idx = link_index(&mut nl, "eth0");
        let a = v4(ip);
        let mut bc = a;
        bc[3] = 255;
        let mut m = Msg::new(raw::RTM_NEWADDR, raw::F_CREATE_EXCL)
            .ifa(16, idx)
            .attr(IFA_LOCAL, &a)
            .attr(IFA_ADDRESS, &a)
            .attr(IFA_BROADCAST, &bc);
        nl.exchange(&mut m, false).unwrap();
        let mut m = Msg::new(raw::RTM_NEWLINK, 0).ifi(idx as i32, IFF_UP, IFF_UP);
        nl.exchange(&mut m, false).unwrap();
        let mut m = Msg::new(raw::RTM_NEWROUTE, 0x400)
            .rtm(0, 0, 3)
            .attr(RTA_GATEWAY, &v4(gw))
            .attr(RTA_OIF, &idx.to_ne_bytes());
        nl.exchange(&mut m, false).unwrap();
    });
    wait_oper_up(&mut events, host_nl, host);
}

/// ptp ADD, the kernel's part.
fn floor_ptp_add(host_nl: &mut Nl, host: &str, ns_path: &str, ip: &str, gw: &str) {
    let ns = std::fs::File::open(ns_path).unwrap();
    floor_veth(host_nl, host, &ns);
    let mut m = Msg::new(raw::RTM_NEWLINK, 0)
        .ifi(0, IFF_UP, IFF_UP)
        .attr(IFLA_IFNAME, &raw::name(host));
    host_nl.exchange(&mut m, false).unwrap();
    sysctl(&format!("net/ipv6/conf/{host}/accept_ra"), "0");
    let (a, g) = (v4(ip), v4(gw));
    let mut netw = a;
    netw[2] = 0;
    netw[3] = 0;
    in_ns(ns_path, || {
        let mut nl = Nl::new().unwrap();
        let idx = link_index(&mut nl, "eth0");
        let mut bc = a;
        bc[2] = 255;
        bc[3] = 255;
        let mut m = Msg::new(raw::RTM_NEWADDR, raw::F_CREATE_EXCL)
            .ifa(16, idx)
            .attr(IFA_LOCAL, &a)
            .attr(IFA_ADDRESS, &a)
            .attr(IFA_BROADCAST, &bc);
        nl.exchange(&mut m, false).unwrap();
        let mut m = Msg::new(raw::RTM_NEWLINK, 0).ifi(idx as i32, IFF_UP, IFF_UP);
        nl.exchange(&mut m, false).unwrap();
        let mut m = Msg::new(raw::RTM_DELROUTE, 0)
            .rtm(16, 255, 0)
            .attr(RTA_DST, &netw)
            .attr(RTA_OIF, &idx.to_ne_bytes());
        nl.exchange(&mut m, false).unwrap();
        let mut m = Msg::new(raw::RTM_NEWROUTE, raw::F_CREATE_EXCL)
            .rtm(32, 253, 3)
            .attr(RTA_DST, &g)
            .attr(RTA_PREFSRC, &a)
            .attr(RTA_OIF, &idx.to_ne_bytes());
        nl.exchange(&mut m, false).unwrap();
        let mut m = Msg::new(raw::RTM_NEWROUTE, raw::F_CREATE_EXCL)
            .rtm(16, 0, 3)
            .attr(RTA_DST, &netw)
            .attr(RTA_PREFSRC, &a)
            .attr(RTA_GATEWAY, &g)
            .attr(RTA_OIF, &idx.to_ne_bytes());
        nl.exchange(&mut m, false).unwrap();
        // The configuration's default route.
        let mut m = Msg::new(raw::RTM_NEWROUTE, 0x400)
            .rtm(0, 0, 3)
            .attr(RTA_GATEWAY, &g)
            .attr(RTA_OIF, &idx.to_ne_bytes());
        nl.exchange(&mut m, false).unwrap();
    });
    let hidx = link_index(host_nl, host);
    let mut m = Msg::new(raw::RTM_NEWADDR, raw::F_CREATE_EXCL)
        .ifa(32, hidx)
        .attr(IFA_LOCAL, &g)
        .attr(IFA_ADDRESS, &g);
    host_nl.exchange(&mut m, false).unwrap();
    let mut m = Msg::new(raw::RTM_NEWROUTE, raw::F_CREATE_EXCL)
        .rtm(32, 254, 3)
        .attr(RTA_DST, &a)
        .attr(RTA_OIF, &hidx.to_ne_bytes());
    host_nl.exchange(&mut m, false).unwrap();
}

/// DEL, the kernel's part: the container's end deleted (the pair goes with it).
fn floor_del(ns_path: &str) {
    in_ns(ns_path, || {
        let mut nl = Nl::new().unwrap();
        let mut m = Msg::new(raw::RTM_DELLINK, 0)
            .ifi(0, 0, 0)
            .attr(IFLA_IFNAME, &raw::name("eth0"));
        nl.exchange(&mut m, false).unwrap();
    });
}

// ------------------------------------------------------------- the plugins ----

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Who {
    Floor,
    Ours,
    Ref,
}

struct Bench {
    ours: PathBuf,
    dir: PathBuf,
}

impl Bench {
    fn bin(&self, who: Who, plugin: &str) -> (PathBuf, String) {
        match who {
            Who::Ours => (
                self.ours.join(plugin),
                format!("{}:{REF}", self.ours.display()),
            ),
            _ => (Path::new(REF).join(plugin), REF.to_owned()),
        }
    }

    /// Runs a plugin; panics on failure.
    fn run(&self, who: Who, plugin: &str, cmd: &str, conf: &str, ns: &str, args: &str) {
        let (bin, path) = self.bin(who, plugin);
        let mut c = Command::new(&bin)
            .env_clear()
            .env("CNI_COMMAND", cmd)
            .env("CNI_CONTAINERID", ns)
            .env("CNI_NETNS", format!("/run/netns/{ns}"))
            .env("CNI_IFNAME", "eth0")
            .env("CNI_PATH", path)
            .env("CNI_ARGS", args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        c.stdin.take().unwrap().write_all(conf.as_bytes()).unwrap();
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{who:?} {plugin} {cmd} {ns}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

fn conf(plugin: &str, ipam: &str) -> String {
    match plugin {
        "bridge" => format!(
            r#"{{"cniVersion":"1.0.0","name":"bench","type":"bridge","bridge":"cbr0","isGateway":true,"ipam":{ipam}}}"#
        ),
        _ => format!(r#"{{"cniVersion":"1.0.0","name":"bench","type":"ptp","ipam":{ipam}}}"#),
    }
}

fn static_ipam() -> String {
    // The address comes from CNI_ARGS IP=...: one per container.
    r#"{"type":"static","routes":[{"dst":"0.0.0.0/0"}]}"#.into()
}

fn host_local(dir: &Path) -> String {
    format!(
        r#"{{"type":"host-local","dataDir":"{}/ipam","ranges":[[{{"subnet":"10.128.0.0/16","gateway":"10.128.0.1"}}]],"routes":[{{"dst":"0.0.0.0/0"}}]}}"#,
        dir.display()
    )
}

fn ip_of(i: usize) -> (String, String) {
    (
        format!("10.128.{}.{}/16", 1 + i / 250, 2 + i % 250),
        "10.128.0.1".into(),
    )
}

/// CPU time (user + system, ms) used so far by this process (`self`) or by its
/// waited-for children.
fn cpu_ms(children: bool) -> f64 {
    // SAFETY: rusage is plain data; getrusage writes it.
    let ru = unsafe {
        let mut ru: libc::rusage = std::mem::zeroed();
        libc::getrusage(
            if children {
                libc::RUSAGE_CHILDREN
            } else {
                libc::RUSAGE_SELF
            },
            &mut ru,
        );
        ru
    };
    let t = |v: libc::timeval| v.tv_sec as f64 * 1e3 + v.tv_usec as f64 / 1e3;
    t(ru.ru_utime) + t(ru.ru_stime)
}

thread_local! {
    /// CPU time of the last ADD and DEL (ms), for the table.
    static CPU: std::cell::Cell<(f64, f64)> = const { std::cell::Cell::new((0.0, 0.0)) };
}

/// One container's ADD and DEL by `who`, timed separately (ms); their CPU time is
/// left in [`CPU`].
fn add_del(b: &Bench, who: Who, plugin: &str, ns: &str, i: usize) -> (f64, f64) {
    let (ip, gw) = ip_of(i);
    let path = format!("/run/netns/{ns}");
    let conf = conf(plugin, &static_ipam());
    let args = format!("IgnoreUnknown=1;IP={ip};GATEWAY={gw}");
    let kids = who != Who::Floor;
    let c0 = cpu_ms(kids);
    let t = Instant::now();
    match who {
        Who::Floor => {
            let mut nl = Nl::new().unwrap();
            let host = format!("vf{i:08x}");
            let ipa = ip.split('/').next().unwrap();
            if plugin == "bridge" {
                let br = link_index(&mut nl, "cbr0");
                floor_bridge_add(&mut nl, br, &host, &path, ipa, &gw);
            } else {
                floor_ptp_add(&mut nl, &host, &path, ipa, &gw);
            }
        }
        _ => b.run(who, plugin, "ADD", &conf, ns, &args),
    }
    let add = t.elapsed();
    let c1 = cpu_ms(kids);
    let t = Instant::now();
    match who {
        Who::Floor => floor_del(&path),
        _ => b.run(who, plugin, "DEL", &conf, ns, &args),
    }
    let del = t.elapsed();
    CPU.with(|c| c.set((c1 - c0, cpu_ms(kids) - c1)));
    (add.as_secs_f64() * 1e3, del.as_secs_f64() * 1e3)
}

fn per_container(b: &Bench, rounds: usize) {
    println!("\n## Per container, ADD and DEL wall time (ms, medians of {rounds} rounds, variants interleaved)\n");
    println!("CPU: user + system time of the plugin process and its children (static IPAM: the");
    println!("reference executes its `static` binary), or of the bench process for the floor.\n");
    println!("| plugin | variant | ADD | DEL | ADD / floor | DEL / floor | ADD CPU | DEL CPU |");
    println!("|---|---|---:|---:|---:|---:|---:|---:|");
    // Process start alone: each binary asked for VERSION (a static binary vs a Go one).
    for plugin in ["bridge", "ptp"] {
        // The bridge and its gateway address exist beforehand (first ADD's work).
        let ns = "cb-warm";
        ns_add(ns);
        add_del(b, Who::Ours, plugin, ns, 0);
        sh(&["ip", "netns", "del", ns]);
        let order = [Who::Floor, Who::Ours, Who::Ref];
        let mut t: Vec<(Vec<f64>, Vec<f64>)> = vec![(vec![], vec![]); 3];
        let mut cpu: Vec<(Vec<f64>, Vec<f64>)> = vec![(vec![], vec![]); 3];
        for r in 0..rounds {
            for k in 0..3 {
                let w = (r + k) % 3;
                let ns = format!("cb{r}-{w}");
                ns_add(&ns);
                let (a, d) = add_del(b, order[w], plugin, &ns, r * 3 + w + 1);
                sh(&["ip", "netns", "del", &ns]);
                t[w].0.push(a);
                t[w].1.push(d);
                let (ca, cd) = CPU.with(|c| c.get());
                cpu[w].0.push(ca);
                cpu[w].1.push(cd);
            }
        }
        let med: Vec<(f64, f64)> = t.iter_mut().map(|(a, d)| (median(a), median(d))).collect();
        let mcpu: Vec<(f64, f64)> = cpu
            .iter_mut()
            .map(|(a, d)| (median(a), median(d)))
            .collect();
        for (w, who) in order.iter().enumerate() {
            println!(
                "| {plugin} | {} | {:.2} | {:.2} | {:.2}x | {:.2}x | {:.2} | {:.2} |",
                match who {
                    Who::Floor => "floor (raw libc, in process)",
                    Who::Ours => "rtnl-cni (static musl)",
                    Who::Ref => "reference (Debian 1.1.1)",
                },
                med[w].0,
                med[w].1,
                med[w].0 / med[0].0,
                med[w].1 / med[0].1,
                mcpu[w].0,
                mcpu[w].1
            );
        }
    }
    let start = |bin: &Path| {
        let mut v: Vec<f64> = (0..rounds.max(5))
            .map(|_| {
                let t = Instant::now();
                let o = Command::new(bin)
                    .env_clear()
                    .env("CNI_COMMAND", "VERSION")
                    .output()
                    .unwrap();
                assert!(o.status.success());
                t.elapsed().as_secs_f64() * 1e3
            })
            .collect();
        median(&mut v)
    };
    println!(
        "\nProcess start + VERSION alone: rtnl-cni {:.2} ms, reference bridge {:.2} ms (medians).",
        start(&b.ours.join("bridge")),
        start(&Path::new(REF).join("bridge"))
    );
}

/// The kernel state at the end: ports of the bridge, veths, container links up.
fn bridge_state() -> String {
    let ports = sh_out(&["ip", "-o", "link", "show", "master", "cbr0"])
        .lines()
        .count();
    let veths = sh_out(&["ip", "-o", "link", "show", "type", "veth"])
        .lines()
        .count();
    let up = sh_out(&["ip", "-o", "link", "show", "master", "cbr0", "up"])
        .lines()
        .count();
    format!("{ports} ports on cbr0 ({up} up), {veths} veths on the host")
}

fn scale(b: &Bench, n: usize) {
    println!("\n## {n} containers on one bridge (host-local IPAM, isGateway), total wall time\n");
    println!("| variant | mode | ADD all | DEL all | state after ADD | after DEL |");
    println!("|---|---|---:|---:|---|---|");
    let names: Vec<String> = (0..n).map(|i| format!("cs{i}")).collect();
    for nm in &names {
        ns_add(nm);
    }
    for who in [Who::Floor, Who::Ours, Who::Ref] {
        for par in [1usize, 8] {
            let _ = std::fs::remove_dir_all(b.dir.join("ipam"));
            let conf = conf("bridge", &host_local(&b.dir));
            let next = AtomicUsize::new(0);
            let work = |del: bool| {
                std::thread::scope(|s| {
                    for _ in 0..par {
                        s.spawn(|| loop {
                            let i = next.fetch_add(1, Ordering::SeqCst);
                            if i >= n {
                                break;
                            }
                            let path = format!("/run/netns/{}", names[i]);
                            match (who, del) {
                                (Who::Floor, false) => {
                                    let mut nl = Nl::new().unwrap();
                                    let br = link_index(&mut nl, "cbr0");
                                    let (ip, gw) = ip_of(i);
                                    floor_bridge_add(
                                        &mut nl,
                                        br,
                                        &format!("vf{i:08x}"),
                                        &path,
                                        ip.split('/').next().unwrap(),
                                        &gw,
                                    );
                                }
                                (Who::Floor, true) => floor_del(&path),
                                (_, d) => b.run(
                                    who,
                                    "bridge",
                                    if d { "DEL" } else { "ADD" },
                                    &conf,
                                    &names[i],
                                    "",
                                ),
                            }
                        });
                    }
                });
            };
            let t = Instant::now();
            work(false);
            let add = t.elapsed();
            let after_add = bridge_state();
            next.store(0, Ordering::SeqCst);
            let t = Instant::now();
            work(true);
            let del = t.elapsed();
            let after_del = bridge_state();
            println!(
                "| {who:?} | {} | {:.2} s | {:.2} s | {after_add} | {after_del} |",
                if par == 1 {
                    "sequential".to_string()
                } else {
                    format!("{par} in parallel")
                },
                secs(add),
                secs(del)
            );
        }
    }
    for nm in &names {
        sh(&["ip", "netns", "del", nm]);
    }
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn sizes(b: &Bench) {
    println!("\n## Binary size\n");
    let sz = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let ours = sz(&std::fs::canonicalize(b.ours.join("bridge")).unwrap());
    println!("| binary | bytes |\n|---|---:|");
    println!("| rtnl-cni (bridge, ptp, macvlan, tuning, static in one; static musl) | {ours} |");
    let mut total = 0;
    for p in ["bridge", "ptp", "macvlan", "tuning", "static"] {
        let s = sz(&Path::new(REF).join(p));
        total += s;
        println!("| reference {p} (Debian 1.1.1, Go, dynamically linked) | {s} |");
    }
    println!("| reference, those five together | {total} |");
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--bench"))
        .collect();
    let quick = args.iter().any(|a| a == "--quick");
    let mut sections: Vec<&str> = args
        .iter()
        .filter(|a| !a.starts_with("--"))
        .map(|s| s.as_str())
        .collect();
    if sections.is_empty() {
        sections = vec!["per", "scale", "size"];
    }
    // SAFETY: getuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 || !Path::new(REF).join("bridge").exists() {
        eprintln!("cni bench: needs root and the reference plugins in {REF}: NOT RUN");
        return;
    }
    let exe = std::env::var("CNI_BENCH_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            let root = Path::new(env!("CARGO_MANIFEST_DIR"));
            root.join("target/x86_64-unknown-linux-musl/release/rtnl-cni")
        });
    assert!(
        exe.exists(),
        "build it first: cargo build --release --target x86_64-unknown-linux-musl ({exe:?})"
    );
    let dir = std::env::temp_dir().join(format!("rtnl-cni-bench-{}", std::process::id()));
    let ours = dir.join("bin");
    std::fs::create_dir_all(&ours).unwrap();
    for t in ["bridge", "ptp", "macvlan", "tuning", "static"] {
        std::os::unix::fs::symlink(&exe, ours.join(t)).unwrap();
    }
    // A network namespace of our own: every plugin we start inherits it.
    // SAFETY: unshare affects this (so far single-threaded) process only.
    assert_eq!(
        unsafe { libc::unshare(libc::CLONE_NEWNET) },
        0,
        "unshare(CLONE_NEWNET)"
    );
    sh(&["ip", "link", "set", "lo", "up"]);
    let b = Bench {
        ours,
        dir: dir.clone(),
    };
    let rounds = if quick {
        3
    } else {
        env_usize("CNI_BENCH_ROUNDS", 25)
    };
    let n = if quick {
        16
    } else {
        env_usize("CNI_BENCH_N", 1000)
    };
    println!(
        "# rtnl-cni vs the reference CNI plugins vs the kernel floor ({})",
        sh_out(&["uname", "-r"]).trim()
    );
    for s in sections {
        match s {
            "per" => per_container(&b, rounds),
            "scale" => scale(&b, n),
            "size" => sizes(&b),
            other => eprintln!("unknown section {other:?}: per scale size"),
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
