//! The guest kernel: Debian's cloud kernel package, downloaded (not installed) with
//! `apt-get download` and unpacked with `dpkg-deb -x` into a cache directory, plus
//! the modules a set of drivers needs, in load order.
//!
//! The version is resolved through the meta-package `linux-image-cloud-amd64` at test
//! time (never pinned: old versions disappear from the mirror). The unpacked package
//! has no `modules.dep`, so dependencies come from each module's ELF `.modinfo`
//! `depends=` entry. Compressed modules (`.ko.xz`, `.ko.zst`, `.ko.gz`) are
//! decompressed on the host: `finit_module` cannot load them without kernel support.
//!
//! Set `RTNL_QEMU_KERNEL_ROOT` to an already unpacked kernel package (a directory with
//! `boot/vmlinuz-*` and `lib/modules/*` or `usr/lib/modules/*`) to skip apt.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::elf;

pub const META_PACKAGE: &str = "linux-image-cloud-amd64";

#[derive(Debug)]
pub struct Kernel {
    /// The unpacked package root.
    pub root: PathBuf,
    /// `uname -r` of the kernel, e.g. `6.1.0-56-cloud-amd64`.
    pub release: String,
    pub vmlinuz: PathBuf,
    /// Where the package came from, for the log ("pkg=version" or the override path).
    pub origin: String,
}

#[derive(Debug)]
pub struct Module {
    /// Normalized module name (`-` replaced by `_`).
    pub name: String,
    /// An uncompressed `.ko` file.
    pub path: PathBuf,
}

fn run(cmd: &mut Command) -> Result<String, String> {
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{cmd:?} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// `Candidate:` of `apt-cache policy PKG`, if apt knows one.
fn apt_candidate(pkg: &str) -> Result<Option<String>, String> {
    let out = run(Command::new("apt-cache").arg("policy").arg(pkg))?;
    Ok(out
        .lines()
        .find_map(|l| l.trim().strip_prefix("Candidate:"))
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty() && v != "(none)"))
}

/// The kernel image package (and exact version, if the meta-package pins one) that the
/// meta-package's candidate depends on, e.g. (`linux-image-6.1.0-56-cloud-amd64`, `6.1.192-2`).
fn resolve_package() -> Result<(String, Option<String>), String> {
    let mut cand = apt_candidate(META_PACKAGE)?;
    if cand.is_none() {
        // apt's lists may never have been fetched on a fresh machine.
        eprintln!("qemu harness: apt knows no {META_PACKAGE}; running apt-get update");
        run(Command::new("apt-get").args(["update", "-qq"]))?;
        cand = apt_candidate(META_PACKAGE)?;
    }
    let cand = cand.ok_or_else(|| format!("apt has no candidate for {META_PACKAGE}"))?;
    let show = run(Command::new("apt-cache")
        .arg("show")
        .arg(format!("{META_PACKAGE}={cand}")))?;
    let depends = show
        .lines()
        .find_map(|l| l.strip_prefix("Depends:"))
        .ok_or_else(|| format!("{META_PACKAGE}={cand} has no Depends"))?;
    for alt in depends.split([',', '|']) {
        let alt = alt.trim();
        let (name, rest) = alt.split_once(' ').unwrap_or((alt, ""));
        if name.starts_with("linux-image-") {
            let version = rest
                .trim()
                .strip_prefix("(=")
                .and_then(|v| v.strip_suffix(')'))
                .map(|v| v.trim().to_string());
            return Ok((name.to_string(), version));
        }
    }
    Err(format!(
        "{META_PACKAGE}={cand}: no linux-image-* in Depends: {depends}"
    ))
}

/// Downloads and unpacks the current cloud kernel into `cache` (once; later calls reuse it).
pub fn ensure(cache: &Path) -> Result<Kernel, String> {
    if let Some(root) = std::env::var_os("RTNL_QEMU_KERNEL_ROOT") {
        let root = PathBuf::from(root);
        let origin = format!("RTNL_QEMU_KERNEL_ROOT={}", root.display());
        return open(&root, origin);
    }
    fs::create_dir_all(cache).map_err(|e| format!("mkdir {}: {e}", cache.display()))?;
    let (pkg, version) = match resolve_package() {
        Ok(v) => v,
        Err(e) => {
            // Offline or no apt: fall back to the newest cached unpack, if any.
            if let Some(dir) = newest_cached(cache) {
                eprintln!(
                    "qemu harness: cannot resolve {META_PACKAGE} ({e}); using cached {}",
                    dir.display()
                );
                let origin = format!("cached {}", dir.display());
                return open(&dir, origin);
            }
            return Err(e);
        }
    };
    let spec = match &version {
        Some(v) => format!("{pkg}={v}"),
        None => pkg.clone(),
    };
    let dir = cache.join(spec.replace([':', '='], "_"));
    if !dir.join(".complete").exists() {
        download_unpack(&spec, cache, &dir)?;
    }
    open(&dir, spec)
}

fn newest_cached(cache: &Path) -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(cache)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join(".complete").exists())
        .collect();
    dirs.sort();
    dirs.pop()
}

fn download_unpack(spec: &str, cache: &Path, dir: &Path) -> Result<(), String> {
    let tag = format!("{}-{:?}", std::process::id(), std::thread::current().id())
        .replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "");
    let dl = cache.join(format!(".download-{tag}"));
    let unpack = cache.join(format!(".unpack-{tag}"));
    let _ = fs::remove_dir_all(&dl);
    let _ = fs::remove_dir_all(&unpack);
    fs::create_dir_all(&dl).map_err(|e| format!("mkdir {}: {e}", dl.display()))?;
    eprintln!("qemu harness: apt-get download {spec} ...");
    run(Command::new("apt-get")
        .args(["download", "-q", spec])
        .current_dir(&dl))?;
    let deb = fs::read_dir(&dl)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "deb"))
        .ok_or_else(|| format!("apt-get download {spec} left no .deb in {}", dl.display()))?;
    run(Command::new("dpkg-deb").arg("-x").arg(&deb).arg(&unpack))?;
    fs::write(unpack.join(".complete"), spec).map_err(|e| e.to_string())?;
    let _ = fs::remove_dir_all(&dl);
    if let Err(e) = fs::rename(&unpack, dir) {
        // Another process may have won the race; its copy is as good as ours.
        let _ = fs::remove_dir_all(&unpack);
        if !dir.join(".complete").exists() {
            return Err(format!(
                "rename {} -> {}: {e}",
                unpack.display(),
                dir.display()
            ));
        }
    }
    Ok(())
}

fn modules_base(root: &Path) -> Result<PathBuf, String> {
    for base in ["lib/modules", "usr/lib/modules"] {
        let p = root.join(base);
        if p.is_dir() {
            return Ok(p);
        }
    }
    Err(format!(
        "{}: no lib/modules or usr/lib/modules",
        root.display()
    ))
}

fn open(root: &Path, origin: String) -> Result<Kernel, String> {
    let base = modules_base(root)?;
    let release = fs::read_dir(&base)
        .map_err(|e| format!("{}: {e}", base.display()))?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .max()
        .ok_or_else(|| format!("{}: no kernel release directory", base.display()))?;
    let vmlinuz = root.join("boot").join(format!("vmlinuz-{release}"));
    fs::File::open(&vmlinuz).map_err(|e| format!("{}: {e}", vmlinuz.display()))?;
    Ok(Kernel {
        root: root.to_path_buf(),
        release,
        vmlinuz,
        origin,
    })
}

const KO_SUFFIXES: [(&str, Option<&str>); 4] = [
    (".ko", None),
    (".ko.xz", Some("xz")),
    (".ko.zst", Some("zstd")),
    (".ko.gz", Some("gzip")),
];

fn normalize(name: &str) -> String {
    name.replace('-', "_")
}

/// Every module file under `dir`, by normalized name.
fn index_modules(dir: &Path, out: &mut BTreeMap<String, PathBuf>) -> Result<(), String> {
    for entry in fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let entry = entry.map_err(|e| e.to_string())?;
        let path = entry.path();
        let ft = entry.file_type().map_err(|e| e.to_string())?;
        if ft.is_dir() {
            index_modules(&path, out)?;
        } else if ft.is_file() {
            let file = entry.file_name().to_string_lossy().into_owned();
            if let Some((stem, _)) = KO_SUFFIXES
                .iter()
                .find_map(|(suf, _)| file.strip_suffix(suf).map(|s| (s, suf)))
            {
                out.entry(normalize(stem)).or_insert(path);
            }
        }
    }
    Ok(())
}

/// The bytes of an uncompressed module; compressed ones are decompressed into `scratch`.
fn plain_module(name: &str, path: &Path, scratch: &Path) -> Result<(PathBuf, Vec<u8>), String> {
    let file = path
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let tool = KO_SUFFIXES
        .iter()
        .find(|(suf, _)| file.ends_with(suf))
        .and_then(|(_, tool)| *tool);
    let Some(tool) = tool else {
        let bytes = fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        return Ok((path.to_path_buf(), bytes));
    };
    let out = Command::new(tool)
        .arg("-dc")
        .arg(path)
        .output()
        .map_err(|e| format!("{}: needs `{tool}` to decompress: {e}", path.display()))?;
    if !out.status.success() {
        return Err(format!(
            "{tool} -dc {}: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    fs::create_dir_all(scratch).map_err(|e| e.to_string())?;
    let dest = scratch.join(format!("{name}.ko"));
    fs::write(&dest, &out.stdout).map_err(|e| format!("{}: {e}", dest.display()))?;
    Ok((dest, out.stdout))
}

fn is_builtin(base: &Path, name: &str) -> bool {
    let Ok(list) = fs::read_to_string(base.join("modules.builtin")) else {
        return false;
    };
    list.lines().any(|l| {
        let file = l.rsplit('/').next().unwrap_or(l);
        file.strip_suffix(".ko")
            .is_some_and(|stem| normalize(stem) == name)
    })
}

/// The modules needed to load `wanted` (e.g. `["virtio_net"]`), dependencies first.
/// Built-in drivers need no module and are left out. `scratch` receives decompressed
/// copies of compressed modules.
pub fn modules_for(
    kernel: &Kernel,
    wanted: &[&str],
    scratch: &Path,
) -> Result<Vec<Module>, String> {
    let base = modules_base(&kernel.root)?.join(&kernel.release);
    let mut index = BTreeMap::new();
    index_modules(&base, &mut index)?;
    let mut order = Vec::new();
    let mut done = BTreeSet::new();
    for name in wanted {
        visit(
            &normalize(name),
            &base,
            &index,
            scratch,
            &mut Vec::new(),
            &mut done,
            &mut order,
        )?;
    }
    Ok(order)
}

fn visit(
    name: &str,
    base: &Path,
    index: &BTreeMap<String, PathBuf>,
    scratch: &Path,
    stack: &mut Vec<String>,
    done: &mut BTreeSet<String>,
    order: &mut Vec<Module>,
) -> Result<(), String> {
    if done.contains(name) {
        return Ok(());
    }
    if stack.iter().any(|s| s == name) {
        return Err(format!(
            "module dependency cycle: {} -> {name}",
            stack.join(" -> ")
        ));
    }
    let Some(path) = index.get(name) else {
        if is_builtin(base, name) {
            done.insert(name.to_string());
            return Ok(());
        }
        return Err(format!(
            "module {name} not found under {} (and not built in)",
            base.display()
        ));
    };
    let (plain, bytes) = plain_module(name, path, scratch)?;
    let deps = elf::module_depends(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    stack.push(name.to_string());
    for dep in deps {
        visit(&normalize(&dep), base, index, scratch, stack, done, order)?;
    }
    stack.pop();
    done.insert(name.to_string());
    order.push(Module {
        name: name.to_string(),
        path: plain,
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qemu::elf::tests::fake_module;

    #[test]
    fn modules_come_in_dependency_order() {
        let tmp = std::env::temp_dir().join(format!("rtnl-qemu-modtest-{}", std::process::id()));
        let _ = fs::remove_dir_all(&tmp);
        let rel = tmp.join("lib/modules/9.9.9-test");
        fs::create_dir_all(rel.join("kernel/drivers/net")).unwrap();
        fs::create_dir_all(tmp.join("boot")).unwrap();
        fs::write(tmp.join("boot/vmlinuz-9.9.9-test"), b"").unwrap();
        let put = |path: &str, info: &[u8]| fs::write(rel.join(path), fake_module(info)).unwrap();
        put(
            "kernel/drivers/net/virtio_net.ko",
            b"depends=net_failover,virtio\0",
        );
        put("kernel/drivers/net/net_failover.ko", b"depends=failover\0");
        put("kernel/drivers/net/failover.ko", b"depends=\0");
        put("kernel/drivers/net/virtio-ring.ko", b"depends=\0");
        put("kernel/drivers/net/virtio.ko", b"depends=virtio_ring\0");
        fs::write(rel.join("modules.builtin"), "kernel/drivers/net/dummy.ko\n").unwrap();
        let k = open(&tmp, "test".into()).unwrap();
        assert_eq!(k.release, "9.9.9-test");
        let order = modules_for(&k, &["virtio_net", "dummy"], &tmp.join("scratch")).unwrap();
        let names: Vec<&str> = order.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "failover",
                "net_failover",
                "virtio_ring",
                "virtio",
                "virtio_net"
            ]
        );
        assert!(modules_for(&k, &["nonexistent"], &tmp).is_err());
        put("kernel/drivers/net/failover.ko", b"depends=virtio_net\0");
        assert!(modules_for(&k, &["virtio_net"], &tmp)
            .unwrap_err()
            .contains("cycle"));
        let _ = fs::remove_dir_all(&tmp);
    }

    #[test]
    fn compressed_modules_are_decompressed() {
        let tmp = std::env::temp_dir().join(format!("rtnl-qemu-xztest-{}", std::process::id()));
        let _ = fs::remove_dir_all(&tmp);
        fs::create_dir_all(&tmp).unwrap();
        let ko = fake_module(b"depends=virtio\0");
        let plain = tmp.join("virtio_net.ko");
        fs::write(&plain, &ko).unwrap();
        let Ok(st) = Command::new("xz").arg("-k").arg(&plain).status() else {
            eprintln!("SKIPPED: compressed_modules_are_decompressed: no xz binary");
            return;
        };
        assert!(st.success());
        let (path, bytes) = plain_module(
            "virtio_net",
            &tmp.join("virtio_net.ko.xz"),
            &tmp.join("out"),
        )
        .unwrap();
        assert_eq!(bytes, ko);
        assert_eq!(fs::read(&path).unwrap(), ko);
        assert_eq!(path, tmp.join("out/virtio_net.ko"));
        assert_eq!(elf::module_depends(&bytes).unwrap(), ["virtio"]);
        let _ = fs::remove_dir_all(&tmp);
    }
}
