//! The CNI protocol (specification 1.0.0, and the 0.1.0–0.4.0 results the reference
//! plugins still accept and print): error codes, the result in each version and the
//! conversions between them, `CNI_ARGS`, and the network configuration fields every
//! plugin shares.
//!
//! Results are kept in the 1.0.0 shape ([`CniResult`]) and converted on the way in
//! (an IPAM plugin's output, a `prevResult`) and on the way out, as the reference
//! library (`containernetworking/cni` `pkg/types`) does — including what those
//! conversions lose (0.2.0 keeps one address per family and only the routes of a
//! family that has an address).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;
use std::net::IpAddr;

/// The specification version results are built in.
pub const CURRENT: &str = "1.0.0";

/// Every version a plugin here accepts, as the reference plugins list them.
pub const SUPPORTED: &[&str] = &["0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0"];

/// The specification's error codes.
#[allow(dead_code)] // the full list, as the specification gives it
pub mod code {
    /// Incompatible CNI version.
    pub const INCOMPATIBLE_VERSION: u32 = 1;
    /// Unsupported field in the network configuration.
    pub const UNSUPPORTED_FIELD: u32 = 2;
    /// Container unknown or does not exist (a missing container id).
    pub const UNKNOWN_CONTAINER: u32 = 3;
    /// Invalid necessary environment variables.
    pub const INVALID_ENV: u32 = 4;
    /// I/O failure.
    pub const IO_FAILURE: u32 = 5;
    /// Failed to decode content.
    pub const DECODING_FAILURE: u32 = 6;
    /// Invalid network config.
    pub const INVALID_CONFIG: u32 = 7;
    /// Try again later.
    pub const TRY_AGAIN_LATER: u32 = 11;
    /// What the reference library answers for any plain error of a plugin.
    pub const INTERNAL: u32 = 999;
}

/// An error as the specification prints it: `{"code": N, "msg": "...", "details": "..."}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CniError {
    /// The error code ([`code`]).
    #[serde(default)]
    pub code: u32,
    /// A short message.
    #[serde(default)]
    pub msg: String,
    /// More, if any.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub details: String,
}

impl CniError {
    /// An error with `code`.
    pub fn new(code: u32, msg: impl Into<String>) -> CniError {
        CniError {
            code,
            msg: msg.into(),
            details: String::new(),
        }
    }

    /// The same with details.
    pub fn details(mut self, details: impl Into<String>) -> CniError {
        self.details = details.into();
        self
    }

    /// A plugin's own failure (code 999, as the reference library reports any error
    /// that is not already a CNI error).
    pub fn internal(msg: impl fmt::Display) -> CniError {
        CniError::new(code::INTERNAL, msg.to_string())
    }
}

impl fmt::Display for CniError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.details.is_empty() {
            write!(f, "{}", self.msg)
        } else {
            write!(f, "{}; {}", self.msg, self.details)
        }
    }
}

impl From<rtnl::Error> for CniError {
    fn from(e: rtnl::Error) -> CniError {
        CniError::internal(e)
    }
}

/// A plugin's outcome.
pub type CniResultT<T> = std::result::Result<T, CniError>;

/// Formats an error for [`CniError::internal`] with a context, as the reference
/// plugins wrap theirs (`failed to ...: <cause>`).
pub fn ctx<E: fmt::Display>(what: impl fmt::Display) -> impl FnOnce(E) -> CniError {
    move |e| CniError::internal(format!("{what}: {e}"))
}

/// An address with its prefix length, printed `10.0.0.5/24` (host bits kept).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IpNet {
    /// The address.
    pub ip: IpAddr,
    /// The prefix length.
    pub prefix: u8,
}

impl IpNet {
    /// Parses `ADDR/LEN` as Go's `net.ParseCIDR` does (the address keeps its host bits).
    pub fn parse(s: &str) -> Option<IpNet> {
        let (a, l) = s.split_once('/')?;
        let ip: IpAddr = a.parse().ok()?;
        if l.is_empty() || l.len() > 3 || !l.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let prefix: u8 = l.parse().ok()?;
        let max = if ip.is_ipv4() { 32 } else { 128 };
        (prefix <= max).then_some(IpNet { ip, prefix })
    }

    /// True for an IPv4 address.
    pub fn is_v4(&self) -> bool {
        self.ip.is_ipv4()
    }

    /// The network: the address with its host bits cleared.
    pub fn network(&self) -> IpNet {
        IpNet {
            ip: mask(self.ip, self.prefix),
            prefix: self.prefix,
        }
    }

    /// Whether `ip` is inside this network.
    pub fn contains(&self, ip: IpAddr) -> bool {
        ip.is_ipv4() == self.ip.is_ipv4() && mask(ip, self.prefix) == mask(self.ip, self.prefix)
    }

    /// The full-length prefix of the family (32 or 128).
    pub fn max_prefix(&self) -> u8 {
        if self.is_v4() {
            32
        } else {
            128
        }
    }
}

/// `ip` with all but the first `prefix` bits cleared.
pub fn mask(ip: IpAddr, prefix: u8) -> IpAddr {
    match ip {
        IpAddr::V4(a) => {
            let m = if prefix == 0 {
                0
            } else {
                u32::MAX << (32 - u32::from(prefix.min(32)))
            };
            IpAddr::V4((u32::from(a) & m).into())
        }
        IpAddr::V6(a) => {
            let m = if prefix == 0 {
                0
            } else {
                u128::MAX << (128 - u32::from(prefix.min(128)))
            };
            IpAddr::V6((u128::from(a) & m).into())
        }
    }
}

/// The address after `ip` (Go's `ip.NextIP`).
pub fn next_ip(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(a) => IpAddr::V4(u32::from(a).wrapping_add(1).into()),
        IpAddr::V6(a) => IpAddr::V6(u128::from(a).wrapping_add(1).into()),
    }
}

impl fmt::Display for IpNet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.ip, self.prefix)
    }
}

impl Serialize for IpNet {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for IpNet {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<IpNet, D::Error> {
        let s = String::deserialize(d)?;
        IpNet::parse(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("invalid CIDR address: {s}")))
    }
}

/// An interface in a result.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interface {
    /// Its name.
    #[serde(default)]
    pub name: String,
    /// Its MAC address, `aa:bb:cc:dd:ee:ff`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub mac: String,
    /// The namespace path it is in; empty for the host's.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub sandbox: String,
}

/// An address in a 1.0.0 result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IpConfig {
    /// Index into the result's interfaces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interface: Option<i64>,
    /// Address and prefix.
    pub address: IpNet,
    /// The gateway, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<IpAddr>,
}

/// A route in a result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteCfg {
    /// Destination.
    pub dst: IpNet,
    /// Gateway; absent: the plugin's default gateway of that family.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gw: Option<IpAddr>,
}

/// DNS settings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dns {
    /// Name servers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nameservers: Vec<String>,
    /// Local domain.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub domain: String,
    /// Search domains.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub search: Vec<String>,
    /// Resolver options.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
}

impl Dns {
    /// True when no field is set.
    pub fn is_empty(&self) -> bool {
        self.nameservers.is_empty()
            && self.domain.is_empty()
            && self.search.is_empty()
            && self.options.is_empty()
    }
}

/// A result in the 1.0.0 shape, the one plugins work on.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CniResult {
    /// The version this result is in.
    #[serde(
        rename = "cniVersion",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub cni_version: String,
    /// Interfaces.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub interfaces: Vec<Interface>,
    /// Addresses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ips: Vec<IpConfig>,
    /// Routes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<RouteCfg>,
    /// DNS (always printed, `{}` when empty, as the reference does).
    #[serde(default)]
    pub dns: Dns,
}

#[derive(Serialize, Deserialize)]
struct IpConfig04 {
    #[serde(default)]
    version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    interface: Option<i64>,
    address: IpNet,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    gateway: Option<IpAddr>,
}

#[derive(Serialize, Deserialize)]
struct Result04 {
    #[serde(
        rename = "cniVersion",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    cni_version: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    interfaces: Vec<Interface>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    ips: Vec<IpConfig04>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    routes: Vec<RouteCfg>,
    #[serde(default)]
    dns: Dns,
}

#[derive(Serialize, Deserialize)]
struct IpConfig02 {
    ip: IpNet,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    gateway: Option<IpAddr>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    routes: Vec<RouteCfg>,
}

#[derive(Serialize, Deserialize)]
struct Result02 {
    #[serde(
        rename = "cniVersion",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    cni_version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ip4: Option<IpConfig02>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ip6: Option<IpConfig02>,
    #[serde(default)]
    dns: Dns,
}

/// Which result shape a version uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    V02,
    V04,
    V10,
}

fn shape(version: &str) -> Option<Shape> {
    match version {
        "0.1.0" | "0.2.0" => Some(Shape::V02),
        "0.3.0" | "0.3.1" | "0.4.0" => Some(Shape::V04),
        "1.0.0" => Some(Shape::V10),
        _ => None,
    }
}

impl CniResult {
    /// The result as JSON in `version` (which must be one of [`SUPPORTED`]).
    pub fn to_version(&self, version: &str) -> CniResultT<Value> {
        let err = |e: serde_json::Error| CniError::internal(e);
        match shape(version) {
            Some(Shape::V10) => {
                let mut r = self.clone();
                r.cni_version = version.to_owned();
                serde_json::to_value(r).map_err(err)
            }
            Some(Shape::V04) => {
                let r = Result04 {
                    cni_version: version.to_owned(),
                    interfaces: self.interfaces.clone(),
                    ips: self
                        .ips
                        .iter()
                        .map(|c| IpConfig04 {
                            version: if c.address.is_v4() { "4" } else { "6" }.into(),
                            interface: c.interface,
                            address: c.address,
                            gateway: c.gateway,
                        })
                        .collect(),
                    routes: self.routes.clone(),
                    dns: self.dns.clone(),
                };
                serde_json::to_value(r).map_err(err)
            }
            Some(Shape::V02) => {
                let mut r = Result02 {
                    cni_version: version.to_owned(),
                    ip4: None,
                    ip6: None,
                    dns: self.dns.clone(),
                };
                for c in &self.ips {
                    let slot = if c.address.is_v4() {
                        &mut r.ip4
                    } else {
                        &mut r.ip6
                    };
                    if slot.is_none() {
                        *slot = Some(IpConfig02 {
                            ip: c.address,
                            gateway: c.gateway,
                            routes: Vec::new(),
                        });
                    }
                    if r.ip4.is_some() && r.ip6.is_some() {
                        break;
                    }
                }
                for rt in &self.routes {
                    let slot = if rt.dst.is_v4() {
                        &mut r.ip4
                    } else {
                        &mut r.ip6
                    };
                    if let Some(s) = slot {
                        s.routes.push(rt.clone());
                    }
                }
                if r.ip4.is_none() && r.ip6.is_none() {
                    return Err(CniError::internal("cannot convert: no valid IP addresses"));
                }
                serde_json::to_value(r).map_err(err)
            }
            None => Err(CniError::internal(format!(
                "unsupported CNI result version {version:?}"
            ))),
        }
    }

    /// Reads a result printed in `version` and converts it to 1.0.0.
    pub fn from_version(version: &str, json: Value) -> CniResultT<CniResult> {
        let err = |e: serde_json::Error| CniError::internal(e);
        match shape(version) {
            Some(Shape::V10) => {
                let mut r: CniResult = serde_json::from_value(json).map_err(err)?;
                if r.cni_version != version {
                    return Err(CniError::internal(format!(
                        "result type supports [1.0.0] but unmarshalled CNIVersion is {:?}",
                        r.cni_version
                    )));
                }
                r.cni_version = CURRENT.into();
                Ok(r)
            }
            Some(Shape::V04) => {
                let r: Result04 = serde_json::from_value(json).map_err(err)?;
                Ok(CniResult {
                    cni_version: CURRENT.into(),
                    interfaces: r.interfaces,
                    ips: r
                        .ips
                        .into_iter()
                        .map(|c| IpConfig {
                            interface: c.interface,
                            address: c.address,
                            gateway: c.gateway,
                        })
                        .collect(),
                    routes: r.routes,
                    dns: r.dns,
                })
            }
            Some(Shape::V02) => {
                let r: Result02 = serde_json::from_value(json).map_err(err)?;
                let mut out = CniResult {
                    cni_version: CURRENT.into(),
                    dns: r.dns,
                    ..Default::default()
                };
                for c in [r.ip4, r.ip6].into_iter().flatten() {
                    out.ips.push(IpConfig {
                        interface: None,
                        address: c.ip,
                        gateway: c.gateway,
                    });
                    out.routes.extend(c.routes);
                }
                Ok(out)
            }
            None => Err(CniError::internal(format!(
                "unsupported CNI result version {version:?}"
            ))),
        }
    }

    /// Reads a result that names its own version (an IPAM plugin's output): `cniVersion`
    /// absent is 0.1.0.
    pub fn from_bytes(bytes: &[u8]) -> CniResultT<CniResult> {
        let v: Value = serde_json::from_slice(bytes).map_err(|e| {
            CniError::internal(format!("decoding version from network config: {e}"))
        })?;
        let version = v
            .get("cniVersion")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .unwrap_or("0.1.0")
            .to_owned();
        CniResult::from_version(&version, v)
    }

    /// The same result after the trip a delegated IPAM result makes: printed in the
    /// configuration's `version`, read back and converted to 1.0.0.
    pub fn round_trip(&self, version: &str) -> CniResultT<CniResult> {
        let v = self.to_version(version)?;
        CniResult::from_version(version, v)
    }
}

/// The `prevResult` of a chained call, converted to 1.0.0 (a result without a
/// `cniVersion` takes the configuration's, as the reference does).
pub fn prev_result(conf: &Value, version: &str) -> CniResultT<Option<CniResult>> {
    let Some(raw) = conf.get("prevResult") else {
        return Ok(None);
    };
    if raw.is_null() {
        return Ok(None);
    }
    let mut raw = raw.clone();
    if let Some(m) = raw.as_object_mut() {
        // The reference injects the key "CNIVersion" (which Go's decoder then matches
        // case-insensitively) when the result has none: the config's version wins.
        let has = m
            .get("cniVersion")
            .and_then(Value::as_str)
            .is_some_and(|s| !s.is_empty());
        if !has {
            m.insert("cniVersion".into(), Value::String(version.into()));
        }
    }
    CniResult::from_version(version, raw)
        .map(Some)
        .map_err(|e| CniError::internal(format!("could not parse prevResult: {}", e.msg)))
}

/// The fields of the network configuration every plugin reads.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct NetConf {
    /// `ipam`.
    #[serde(default)]
    pub ipam: IpamRef,
    /// `dns`.
    #[serde(default)]
    pub dns: Dns,
}

/// The `ipam` section as every plugin sees it: only its type.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct IpamRef {
    /// `type`: the IPAM plugin.
    #[serde(rename = "type", default)]
    pub kind: String,
}

/// Parses a plugin's configuration; a failure is the reference's `failed to load
/// netconf: ...` (code 999).
pub fn load_conf<T: serde::de::DeserializeOwned>(stdin: &[u8]) -> CniResultT<T> {
    serde_json::from_slice(stdin)
        .map_err(|e| CniError::internal(format!("failed to load netconf: {e}")))
}

/// `CNI_ARGS` (`K1=V1;K2=V2`), read as the reference's `types.LoadArgs`: a pair
/// without exactly one `=` is an error; an unknown key is an error unless
/// `IgnoreUnknown` is true. `known` lists the keys the plugin reads; the values of
/// those present are returned.
pub fn load_args(args: &str, known: &[&str]) -> CniResultT<Vec<(String, String)>> {
    let mut out = Vec::new();
    if args.is_empty() {
        return Ok(out);
    }
    let mut unknown = Vec::new();
    let mut ignore = false;
    for pair in args.split(';') {
        let kv: Vec<&str> = pair.split('=').collect();
        if kv.len() != 2 {
            return Err(CniError::internal(format!("ARGS: invalid pair {pair:?}")));
        }
        let (k, v) = (kv[0], kv[1]);
        if k == "IgnoreUnknown" {
            ignore = match v {
                "1" | "t" | "T" | "true" | "TRUE" | "True" => true,
                "0" | "f" | "F" | "false" | "FALSE" | "False" => false,
                _ => {
                    return Err(CniError::internal(format!(
                        "ARGS: error parsing value of pair {pair:?}: boolean unmarshal error: invalid input {v}"
                    )))
                }
            };
        } else if known.contains(&k) {
            out.push((k.to_owned(), v.to_owned()));
        } else {
            unknown.push(pair.to_owned());
        }
    }
    if !unknown.is_empty() && !ignore {
        return Err(CniError::internal(format!(
            "ARGS: unknown args {unknown:?}"
        )));
    }
    Ok(out)
}

/// Prints `value` as the reference does (`json.MarshalIndent` with four spaces).
pub fn to_pretty(value: &impl Serialize) -> String {
    let mut out = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut out, fmt);
    // Serializing owned JSON values and plain structs cannot fail.
    let _ = value.serialize(&mut ser);
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> CniResult {
        serde_json::from_str(
            r#"{"cniVersion":"1.0.0","interfaces":[{"name":"eth0","mac":"aa:bb:cc:dd:ee:ff","sandbox":"/x"}],
            "ips":[{"interface":0,"address":"10.0.0.5/24","gateway":"10.0.0.1"},
                   {"interface":0,"address":"10.0.1.5/24"},
                   {"address":"fd00::5/64","gateway":"fd00::1"}],
            "routes":[{"dst":"0.0.0.0/0"},{"dst":"::/0","gw":"fd00::1"}],"dns":{}}"#,
        )
        .unwrap()
    }

    #[test]
    fn versions_round_trip() {
        let r = sample();
        for v in ["0.3.0", "0.3.1", "0.4.0", "1.0.0"] {
            assert_eq!(r.round_trip(v).unwrap(), r, "{v}");
        }
        let v02 = r.to_version("0.2.0").unwrap();
        assert_eq!(v02["ip4"]["ip"], "10.0.0.5/24");
        assert_eq!(v02["ip4"]["routes"][0]["dst"], "0.0.0.0/0");
        assert_eq!(v02["ip6"]["routes"][0]["gw"], "fd00::1");
        let back = r.round_trip("0.2.0").unwrap();
        assert_eq!(back.ips.len(), 2);
        assert_eq!(back.ips[0].interface, None);
        assert!(back.interfaces.is_empty());
        let v04 = r.to_version("0.4.0").unwrap();
        assert_eq!(v04["ips"][2]["version"], "6");
        assert_eq!(v04["dns"], serde_json::json!({}));
    }

    #[test]
    fn args_parse_like_the_reference() {
        assert_eq!(
            load_args("IgnoreUnknown=1;K8S_POD=x;MAC=aa", &["MAC"]).unwrap(),
            vec![("MAC".into(), "aa".into())]
        );
        assert!(load_args("K8S_POD=x", &["MAC"]).is_err());
        assert!(load_args("A", &["MAC"]).is_err());
        assert!(load_args("A=b=c", &["MAC"]).is_err());
    }

    #[test]
    fn cidr_parse() {
        assert_eq!(
            IpNet::parse("10.0.0.5/24").unwrap().to_string(),
            "10.0.0.5/24"
        );
        assert_eq!(
            IpNet::parse("10.0.0.5/24").unwrap().network().to_string(),
            "10.0.0.0/24"
        );
        assert!(IpNet::parse("10.0.0.5/33").is_none());
        assert!(IpNet::parse("10.0.0.5").is_none());
        assert_eq!(next_ip("10.0.0.0".parse().unwrap()).to_string(), "10.0.0.1");
    }
}
