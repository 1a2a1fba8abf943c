//! The plugin skeleton: reads `CNI_*` and standard input, checks them in the order the
//! reference library (`pkg/skel`) does — so that the same mistake gets the same error
//! code — then calls the plugin's `ADD`, `CHECK` or `DEL`, or answers `VERSION`.

use crate::cni::{code, CniError, CniResultT, SUPPORTED};
use serde_json::Value;
use std::io::Read;

/// What a plugin is called with.
#[derive(Clone, Debug, Default)]
pub struct CmdArgs {
    /// `CNI_CONTAINERID`.
    pub container_id: String,
    /// `CNI_NETNS`: the container's network namespace (a path).
    pub netns: String,
    /// `CNI_IFNAME`: the interface to create in it.
    pub ifname: String,
    /// `CNI_ARGS`.
    pub args: String,
    /// `CNI_PATH`.
    pub path: String,
    /// The network configuration, as it came on standard input.
    pub stdin: Vec<u8>,
    /// The configuration parsed.
    pub conf: Value,
    /// Its `cniVersion` (0.1.0 when absent).
    pub version: String,
}

/// A plugin type. `ADD` returns its result in the 1.0.0 shape; the skeleton prints it
/// in the configuration's version.
pub trait Plugin {
    /// `ADD`.
    fn add(&self, a: &CmdArgs) -> CniResultT<crate::cni::CniResult>;
    /// `CHECK`.
    fn check(&self, a: &CmdArgs) -> CniResultT<()>;
    /// `DEL`.
    fn del(&self, a: &CmdArgs) -> CniResultT<()>;
    /// The plugin's name and version, printed on stderr when called without
    /// `CNI_COMMAND`.
    fn about(&self) -> String;
}

/// `[a-zA-Z0-9][a-zA-Z0-9_.\-]*`, as the reference validates container ids and
/// network names.
fn valid_name(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_alphanumeric()
        && b[1..]
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
}

fn validate_ifname(name: &str) -> CniResultT<()> {
    let env = code::INVALID_ENV;
    if name.is_empty() {
        return Err(CniError::new(env, "interface name is empty"));
    }
    if name.len() > 15 {
        return Err(CniError::new(env, "interface name is too long")
            .details("interface name should be less than 16 characters"));
    }
    if name == "." || name == ".." {
        return Err(CniError::new(env, "interface name is . or .."));
    }
    if name
        .chars()
        .any(|c| c == '/' || c == ':' || c.is_whitespace())
    {
        return Err(CniError::new(
            env,
            "interface name contains / or : or whitespace characters",
        ));
    }
    Ok(())
}

/// `"x.y.z"` → numbers, as the reference's `version.ParseVersion` reads them.
fn parse_version(v: &str) -> CniResultT<(i64, i64, i64)> {
    let bad = |what: &str| CniError::new(code::DECODING_FAILURE, what.to_owned());
    if v.is_empty() {
        return Err(bad(&format!("invalid version {v:?}: the version is empty")));
    }
    let parts: Vec<&str> = v.split('.').collect();
    if parts.len() >= 4 {
        return Err(bad(&format!("invalid version {v:?}: too many parts")));
    }
    let mut n = [0i64; 3];
    for (i, p) in parts.iter().enumerate() {
        n[i] = p
            .parse()
            .map_err(|_| bad(&format!("failed to convert version part {p:?}")))?;
    }
    Ok((n[0], n[1], n[2]))
}

/// Runs `plugin` with the process's environment and standard input; prints the result
/// or the error on standard output and returns the exit status.
pub fn run(plugin: &dyn Plugin) -> i32 {
    let env = |k: &str| std::env::var(k).unwrap_or_default();
    match dispatch(plugin, &env, &mut std::io::stdin()) {
        Ok(Some(out)) => {
            print!("{out}");
            0
        }
        Ok(None) => 0,
        Err(e) => {
            print!("{}", crate::cni::to_pretty(&e));
            1
        }
    }
}

fn dispatch(
    plugin: &dyn Plugin,
    env: &dyn Fn(&str) -> String,
    stdin: &mut dyn Read,
) -> CniResultT<Option<String>> {
    let cmd = env("CNI_COMMAND");
    // (variable, required for ADD/CHECK/DEL)
    let vars: [(&str, [bool; 3]); 6] = [
        ("CNI_COMMAND", [true, true, true]),
        ("CNI_CONTAINERID", [true, true, true]),
        ("CNI_NETNS", [true, true, false]),
        ("CNI_IFNAME", [true, true, true]),
        ("CNI_ARGS", [false, false, false]),
        ("CNI_PATH", [true, true, true]),
    ];
    let slot = match cmd.as_str() {
        "ADD" => Some(0),
        "CHECK" => Some(1),
        "DEL" => Some(2),
        _ => None,
    };
    let missing: Vec<&str> = vars
        .iter()
        .filter(|(name, req)| {
            env(name).is_empty() && (*name == "CNI_COMMAND" || slot.is_some_and(|i| req[i]))
        })
        .map(|(name, _)| *name)
        .collect();
    if !missing.is_empty() {
        if cmd.is_empty() {
            eprintln!("{}", plugin.about());
            return Ok(None);
        }
        return Err(CniError::new(
            code::INVALID_ENV,
            format!("required env variables [{}] missing", missing.join(",")),
        ));
    }
    if cmd == "VERSION" {
        let v =
            serde_json::json!({"cniVersion": crate::cni::CURRENT, "supportedVersions": SUPPORTED});
        return Ok(Some(format!("{v}\n")));
    }
    let mut data = Vec::new();
    stdin
        .read_to_end(&mut data)
        .map_err(|e| CniError::new(code::IO_FAILURE, format!("error reading from stdin: {e}")))?;

    // validateConfig: the name.
    let conf: Value = serde_json::from_slice(&data).map_err(|e| {
        CniError::new(
            code::DECODING_FAILURE,
            format!("error unmarshall network config: {e}"),
        )
    })?;
    let name = match conf.get("name") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(_) => {
            return Err(CniError::new(
                code::DECODING_FAILURE,
                "error unmarshall network config: json: cannot unmarshal name into a string",
            ))
        }
    };
    if name.is_empty() {
        return Err(CniError::new(code::INVALID_CONFIG, "missing network name"));
    }
    if !valid_name(&name) {
        return Err(CniError::new(
            code::INVALID_CONFIG,
            "invalid characters found in network name",
        )
        .details(name));
    }
    let container_id = env("CNI_CONTAINERID");
    if container_id.is_empty() {
        return Err(CniError::new(
            code::UNKNOWN_CONTAINER,
            "missing containerID",
        ));
    }
    if !valid_name(&container_id) {
        return Err(
            CniError::new(code::INVALID_ENV, "invalid characters in containerID")
                .details(container_id),
        );
    }
    let ifname = env("CNI_IFNAME");
    validate_ifname(&ifname)?;

    let version = match conf.get("cniVersion") {
        None | Some(Value::Null) => "0.1.0".to_owned(),
        Some(Value::String(s)) if s.is_empty() => "0.1.0".to_owned(),
        Some(Value::String(s)) => s.clone(),
        Some(_) => return Err(CniError::new(
            code::DECODING_FAILURE,
            "decoding version from network config: json: cannot unmarshal cniVersion into a string",
        )),
    };
    let args = CmdArgs {
        container_id,
        netns: env("CNI_NETNS"),
        ifname,
        args: env("CNI_ARGS"),
        path: env("CNI_PATH"),
        stdin: data,
        conf,
        version: version.clone(),
    };
    let supported = || {
        if SUPPORTED.contains(&version.as_str()) {
            Ok(())
        } else {
            Err(
                CniError::new(code::INCOMPATIBLE_VERSION, "incompatible CNI versions").details(
                    format!("config is {version:?}, plugin supports {SUPPORTED:?}"),
                ),
            )
        }
    };
    match cmd.as_str() {
        "ADD" => {
            supported()?;
            let r = plugin.add(&args)?;
            let v = r.to_version(&version)?;
            Ok(Some(crate::cni::to_pretty(&v)))
        }
        "CHECK" => {
            let v = parse_version(&version)?;
            if v < (0, 4, 0) {
                return Err(CniError::new(
                    code::INCOMPATIBLE_VERSION,
                    "config version does not allow CHECK",
                ));
            }
            if v > (1, 0, 0) {
                return Err(CniError::new(
                    code::INCOMPATIBLE_VERSION,
                    "plugin version does not allow CHECK",
                ));
            }
            supported()?;
            plugin.check(&args)?;
            Ok(None)
        }
        "DEL" => {
            supported()?;
            plugin.del(&args)?;
            Ok(None)
        }
        other => Err(CniError::new(
            code::INVALID_ENV,
            format!("unknown CNI_COMMAND: {other}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cni::CniResult;

    struct Nop;
    impl Plugin for Nop {
        fn add(&self, _: &CmdArgs) -> CniResultT<CniResult> {
            Ok(CniResult::default())
        }
        fn check(&self, _: &CmdArgs) -> CniResultT<()> {
            Ok(())
        }
        fn del(&self, _: &CmdArgs) -> CniResultT<()> {
            Ok(())
        }
        fn about(&self) -> String {
            "nop".into()
        }
    }

    fn call(cmd: &str, stdin: &str) -> CniResultT<Option<String>> {
        let env = |k: &str| {
            match k {
                "CNI_COMMAND" => cmd,
                "CNI_CONTAINERID" => "c1",
                "CNI_NETNS" => "/run/netns/x",
                "CNI_IFNAME" => "eth0",
                "CNI_PATH" => "/opt/cni/bin",
                _ => "",
            }
            .to_owned()
        };
        dispatch(&Nop, &env, &mut stdin.as_bytes())
    }

    #[test]
    fn codes_like_the_reference() {
        let c = |r: CniResultT<Option<String>>| r.unwrap_err().code;
        assert_eq!(c(call("ADD", "{")), 6);
        assert_eq!(c(call("ADD", "{}")), 7);
        assert_eq!(c(call("ADD", r#"{"name":"a b"}"#)), 7);
        assert_eq!(c(call("ADD", r#"{"name":"n","cniVersion":"9.9.9"}"#)), 1);
        assert_eq!(c(call("CHECK", r#"{"name":"n","cniVersion":"0.3.1"}"#)), 1);
        assert_eq!(c(call("FOO", r#"{"name":"n","cniVersion":"1.0.0"}"#)), 4);
        assert!(call("VERSION", "").unwrap().unwrap().contains("0.3.1"));
        assert!(call("DEL", r#"{"name":"n","cniVersion":"1.0.0"}"#).is_ok());
    }
}
