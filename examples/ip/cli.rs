//! The command line, consumed left to right, and what the objects share: parsers of
//! addresses and tables, names of links for printing, and the exit-status policy.

use rtnl::{Error, Family, Handle};
use std::collections::HashMap;
use std::io::Write as _;
use std::net::IpAddr;

/// What went wrong: a bad command line (exit 1, with usage) or an error from rtnl
/// (exit 2 when the kernel refused, else 1).
pub enum Fail {
    Usage(String),
    Rtnl(Error),
}

impl From<Error> for Fail {
    fn from(e: Error) -> Fail {
        Fail::Rtnl(e)
    }
}

pub type Res<T = ()> = Result<T, Fail>;

pub fn usage<T>(msg: impl Into<String>) -> Res<T> {
    Err(Fail::Usage(msg.into()))
}

/// iproute2's `matches()`: `arg` is a non-empty prefix of `word`.
pub fn matches(arg: &str, word: &str) -> bool {
    !arg.is_empty() && word.starts_with(arg)
}

/// True for `show`, `list`, `lst` and their prefixes, as ip takes them.
pub fn is_show(cmd: &str) -> bool {
    matches(cmd, "show") || cmd == "list" || cmd == "lst"
}

/// The command line, consumed left to right.
pub struct Args<'a> {
    v: &'a [String],
    i: usize,
}

impl<'a> Args<'a> {
    pub fn new(v: &'a [String]) -> Self {
        Args { v, i: 0 }
    }

    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Option<&'a str> {
        let a = self.v.get(self.i)?;
        self.i += 1;
        Some(a.as_str())
    }

    /// The next argument, not consumed.
    pub fn peek(&self) -> Option<&'a str> {
        self.v.get(self.i).map(String::as_str)
    }

    /// The value after a keyword.
    pub fn value(&mut self, after: &str) -> Res<&'a str> {
        match self.next() {
            Some(v) => Ok(v),
            None => usage(format!("\"{after}\" needs a value")),
        }
    }

    /// A number after a keyword.
    pub fn number<T: std::str::FromStr>(&mut self, after: &str) -> Res<T> {
        let v = self.value(after)?;
        v.parse()
            .or_else(|_| usage(format!("invalid {after} \"{v}\"")))
    }
}

/// `[dev] NAME` after `show`, or nothing.
pub fn show_dev_arg<'a>(a: &mut Args<'a>) -> Res<Option<&'a str>> {
    let mut dev = None;
    while let Some(x) = a.next() {
        match x {
            "dev" => dev = Some(a.value("dev")?),
            x if dev.is_none() && !x.starts_with('-') => dev = Some(x),
            x => return usage(format!("unexpected \"{x}\"")),
        }
    }
    Ok(dev)
}

pub fn parse_ip(s: &str) -> Res<IpAddr> {
    match s.parse() {
        Ok(a) => Ok(a),
        Err(_) => usage(format!("invalid address \"{s}\"")),
    }
}

/// `ADDR[/LEN]`; without `/LEN` a host prefix (32 or 128), as ip does.
pub fn parse_prefix(s: &str, family: Family) -> Res<(IpAddr, u8)> {
    let (a, l) = match s.split_once('/') {
        Some((a, l)) => (a, Some(l)),
        None => (s, None),
    };
    let Ok(ip) = a.parse::<IpAddr>() else {
        return usage(format!("invalid address \"{a}\""));
    };
    if family != Family::UNSPEC && family != Family::of(ip) {
        return usage(format!("\"{a}\" is not of the requested family"));
    }
    let max = if ip.is_ipv4() { 32 } else { 128 };
    let len = match l {
        None => max,
        Some(l) => match l.parse::<u8>() {
            Ok(n) => n,
            Err(_) => return usage(format!("invalid prefix length in \"{s}\"")),
        },
    };
    // A prefix longer than the address is refused by rtnl before any syscall.
    rtnl::check_prefix(ip, len)?;
    Ok((ip, len))
}

pub fn parse_table(s: &str) -> Res<u32> {
    match s {
        "main" => Ok(254),
        "local" => Ok(255),
        "default" => Ok(253),
        n => match n.parse::<u32>() {
            Ok(t) if t != 0 => Ok(t),
            _ => usage(format!("invalid table \"{s}\"")),
        },
    }
}

pub fn table_name(t: u32) -> String {
    match t {
        253 => "default".into(),
        254 => "main".into(),
        255 => "local".into(),
        t => t.to_string(),
    }
}

/// Index → name of every link, for printing `dev NAME` (`if7` when unknown).
pub struct Names(HashMap<u32, String>);

impl Names {
    /// One streamed link dump.
    pub fn read(h: &mut Handle) -> Res<Names> {
        let mut m = HashMap::new();
        h.for_each_link(&rtnl::LinkFilter::default(), |l| {
            let name = l
                .name
                .and_then(rtnl::IfName::from_kernel)
                .map(|n| n.to_string())
                .unwrap_or_default();
            m.insert(l.index(), name);
        })?;
        Ok(Names(m))
    }

    /// Remembers (or forgets, `None`) the name of link `index`, as a listener
    /// learns of links (`ip monitor`'s `ll_remember_index`).
    pub fn set(&mut self, index: u32, name: Option<String>) {
        match name {
            Some(n) => self.0.insert(index, n),
            None => self.0.remove(&index),
        };
    }

    /// The name of link `index`, when known.
    pub fn get(&self, index: u32) -> Option<&str> {
        self.0.get(&index).map(String::as_str)
    }

    pub fn dev(&self, index: u32) -> String {
        self.0
            .get(&index)
            .cloned()
            .unwrap_or_else(|| format!("if{index}"))
    }
}

/// Writes `s` to stdout; a closed pipe (`| head`) is not an error.
pub fn print(s: &str) {
    let _ = std::io::stdout().lock().write_all(s.as_bytes());
}

/// Writes `b` to stdout as it is (names need not be UTF-8); a closed pipe is not an
/// error.
pub fn print_bytes(b: &[u8]) {
    let _ = std::io::stdout().lock().write_all(b);
}

/// `netns NAME` (`/run/netns/NAME`, as `ip netns add` makes it) or `netns PID`: a
/// descriptor of the namespace, to keep open until the request is sent.
pub fn netns(s: &str) -> Res<std::os::fd::OwnedFd> {
    match s.parse::<u32>() {
        Ok(pid) => Ok(rtnl::netns::open_pid(pid)?),
        Err(_) => Ok(rtnl::netns::open_path(format!("/run/netns/{s}"))?),
    }
}

/// `group default|N`.
pub fn group(s: &str) -> Res<u32> {
    match s {
        "default" => Ok(0),
        n => n
            .parse()
            .or_else(|_| usage(format!("invalid group \"{s}\""))),
    }
}
