//! The initramfs of the `rtnl.mode=cni` boot (`guest_runs_the_cni_bridge_with_a_vlan`):
//! the common initramfs with a second cpio archive appended (the kernel unpacks
//! concatenated archives in order), holding
//! - `/cni/rtnl-cni`: `cni/`'s plugin binary, built here as CI and the README build it
//!   (`cargo build --release --target x86_64-unknown-linux-musl`; static, checked);
//! - `/cni/ref/bridge` and `/cni/ref/static`: the reference plugins of Debian's
//!   `containernetworking-plugins` (`/usr/lib/cni`), with the dynamic loader and the
//!   libraries they need (`ld.so --list`), at the paths they were found at;
//! - `/cni/rtnl-bridge`: the `bridge` example (static musl), and `/cni/iproute2-bridge`:
//!   this host's iproute2 `bridge` with its loader and libraries, so that the guest
//!   compares their `vlan show` on a kernel that has bridge VLAN filtering;
//! - the modules of [`CNI_DRIVERS`] with their dependencies, listed in load order in
//!   `/modules/cni.txt`.
//!
//! Built once per test process, and only by the test that boots it.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Instant;

use super::{cpio, elf, kernel, loud, Vm, GUEST_TARGET};

/// The drivers the bridge plugin needs in the guest.
pub const CNI_DRIVERS: &[&str] = &["veth", "bridge"];
/// Where Debian's `containernetworking-plugins` puts the reference plugins.
pub const REF_DIR: &str = "/usr/lib/cni";
/// The reference plugins the guest runs: the bridge, and the IPAM plugin it executes.
pub const REF_PLUGINS: &[&str] = &["bridge", "static"];
/// iproute2's `bridge` (Debian's `iproute2`, which CI installs).
pub const IPROUTE2_BRIDGE: &str = "/usr/sbin/bridge";

/// The cni boot's initramfs.
pub struct Image {
    pub initramfs: PathBuf,
    pub size: u64,
    /// The size of the static `rtnl-cni` binary in it.
    pub rtnl_cni_size: u64,
    /// Why the reference plugins are not in it (not installed here), if they are not.
    pub reference_missing: Option<String>,
}

impl Vm {
    /// The cni boot's initramfs, built on first use; a setup failure panics.
    pub fn cni_image(&self) -> &'static Image {
        static IMAGE: OnceLock<Result<Image, String>> = OnceLock::new();
        match IMAGE.get_or_init(|| build(self)) {
            Ok(i) => i,
            Err(e) => panic!("qemu harness: the cni initramfs: {e}"),
        }
    }
}

fn build(vm: &Vm) -> Result<Image, String> {
    let t0 = Instant::now();
    let build_dir = super::target_dir().join("qemu-build");
    let bin = build_rtnl_cni(&build_dir)?;
    let bin_bytes = fs::read(&bin).map_err(|e| format!("{}: {e}", bin.display()))?;
    if elf::has_interp(&bin_bytes)? {
        return Err(format!("{} is not static (PT_INTERP)", bin.display()));
    }

    let mut c = cpio::Cpio::new();
    let mut dirs = BTreeSet::new();
    // What the common archive already made.
    for d in ["dev", "proc", "sys", "etc", "modules"] {
        dirs.insert(d.to_string());
    }
    let mut add = |c: &mut cpio::Cpio, path: &str, perm: u32, data: &[u8]| {
        let path = path.trim_start_matches('/');
        let mut at = String::new();
        for part in path.split('/').collect::<Vec<_>>().split_last().unwrap().1 {
            if !at.is_empty() {
                at.push('/');
            }
            at.push_str(part);
            if dirs.insert(at.clone()) {
                c.dir(&at, 0o755)?;
            }
        }
        c.file(path, perm, data)
    };
    add(&mut c, "cni/rtnl-cni", 0o755, &bin_bytes)?;
    let example = build_bridge_example(&build_dir)?;
    let example_bytes = fs::read(&example).map_err(|e| format!("{}: {e}", example.display()))?;
    if elf::has_interp(&example_bytes)? {
        return Err(format!("{} is not static (PT_INTERP)", example.display()));
    }
    add(&mut c, "cni/rtnl-bridge", 0o755, &example_bytes)?;
    // iproute2's `bridge`, dynamic: with its loader and libraries at their paths.
    let mut libs = BTreeSet::new();
    let tool = Path::new(IPROUTE2_BRIDGE);
    let tool_bytes = fs::read(tool).map_err(|e| format!("{IPROUTE2_BRIDGE}: {e}"))?;
    if let Some(interp) = elf::interp(&tool_bytes)? {
        libs.insert(interp.clone());
        libs.extend(needed(&interp, tool)?);
    }
    add(&mut c, "cni/iproute2-bridge", 0o755, &tool_bytes)?;

    let reference_missing = if Path::new(REF_DIR).join("bridge").is_file() {
        for p in REF_PLUGINS {
            let path = Path::new(REF_DIR).join(p);
            let bytes = fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            if let Some(interp) = elf::interp(&bytes)? {
                libs.insert(interp.clone());
                libs.extend(needed(&interp, &path)?);
            }
            add(&mut c, &format!("cni/ref/{p}"), 0o755, &bytes)?;
        }
        None
    } else {
        Some(format!(
            "{REF_DIR}/bridge is missing (apt-get install containernetworking-plugins)"
        ))
    };
    for l in &libs {
        let bytes = fs::read(l).map_err(|e| format!("{l}: {e}"))?;
        add(&mut c, l, 0o755, &bytes)?;
    }

    let mods = kernel::modules_for(&vm.kernel, CNI_DRIVERS, &build_dir.join("modules-plain"))?;
    let mut order = String::new();
    for m in &mods {
        if !vm.modules.contains(&m.name) && !vm.kind_modules.contains(&m.name) {
            let bytes = fs::read(&m.path).map_err(|e| format!("{}: {e}", m.path.display()))?;
            add(&mut c, &format!("modules/{}.ko", m.name), 0o644, &bytes)?;
        }
        order.push_str(&format!("{}.ko\n", m.name));
    }
    add(&mut c, "modules/cni.txt", 0o644, order.as_bytes())?;

    let mut image = fs::read(&vm.initramfs).map_err(|e| format!("{e}"))?;
    image.extend_from_slice(&c.finish());
    let path = build_dir.join("initramfs-cni.cpio");
    let tmp = build_dir.join(format!("initramfs-cni.cpio.{}", std::process::id()));
    fs::write(&tmp, &image).map_err(|e| format!("{}: {e}", tmp.display()))?;
    fs::rename(&tmp, &path).map_err(|e| format!("{}: {e}", path.display()))?;
    loud(&format!(
        "qemu harness: cni initramfs {} bytes (rtnl-cni {} bytes; reference: {}; modules [{}]), built in {:.1?}",
        image.len(),
        bin_bytes.len(),
        reference_missing.as_deref().unwrap_or("bridge, static and their libraries"),
        mods.iter().map(|m| m.name.as_str()).collect::<Vec<_>>().join(" "),
        t0.elapsed()
    ));
    Ok(Image {
        initramfs: path,
        size: image.len() as u64,
        rtnl_cni_size: bin_bytes.len() as u64,
        reference_missing,
    })
}

/// The libraries `program` loads, as its loader resolves them here (`ld.so --list`,
/// what `ldd` runs): absolute paths, the loader's own line included.
fn needed(interp: &str, program: &Path) -> Result<Vec<String>, String> {
    let out = Command::new(interp)
        .arg("--list")
        .arg(program)
        .output()
        .map_err(|e| format!("{interp} --list {}: {e}", program.display()))?;
    if !out.status.success() {
        return Err(format!(
            "{interp} --list {}: {}",
            program.display(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    // "\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" or
    // "\t/lib64/ld-linux-x86-64.so.2 (0x...)"; the vDSO has no path.
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let l = l.trim();
            let p = l.split_once("=> ").map_or(l, |(_, p)| p);
            let p = p.split(" (").next()?.trim();
            p.starts_with('/').then(|| p.to_string())
        })
        .collect())
}

/// `cni/`'s binary for the guest.
fn build_rtnl_cni(build_dir: &Path) -> Result<PathBuf, String> {
    let manifest = super::manifest_dir().join("cni").join("Cargo.toml");
    release_for_guest(
        &manifest,
        &build_dir.join("cni"),
        &[],
        "release/rtnl-cni",
        "rtnl-cni",
    )
}

/// The `bridge` example for the guest.
fn build_bridge_example(build_dir: &Path) -> Result<PathBuf, String> {
    let manifest = super::manifest_dir().join("Cargo.toml");
    release_for_guest(
        &manifest,
        &build_dir.join("bridge-example"),
        &["--example", "bridge"],
        "release/examples/bridge",
        "the bridge example",
    )
}

/// `cargo build --release --target musl [extra]` of `manifest`, in `target` (a
/// directory of its own: the outer cargo holds its own directory's lock); returns
/// `bin` (relative to the target's musl directory), which it must have made.
fn release_for_guest(
    manifest: &Path,
    target: &Path,
    extra: &[&str],
    bin: &str,
    what: &str,
) -> Result<PathBuf, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.args(["build", "--quiet", "--release", "--target", GUEST_TARGET])
        .args(extra)
        .arg("--manifest-path")
        .arg(manifest)
        .env("CARGO_TARGET_DIR", target);
    if let Some(dir) = manifest.parent() {
        cmd.current_dir(dir);
    }
    let bin = target.join(GUEST_TARGET).join(bin);
    super::run_build(&mut cmd, what, bin)
}
