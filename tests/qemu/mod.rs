//! Support for `tests/qemu_guest.rs`: boots a real Linux kernel under qemu with an
//! initramfs whose `/init` is `examples/guest-init.rs` (static musl build), and reads
//! the one JSON result line the guest writes to its second serial port.
//!
//! Nothing here sends packets anywhere: the NIC is on a qemu hub with no other port.
//!
//! Layout under the cargo target directory (`target/` or `$CARGO_TARGET_DIR`):
//! - `qemu-kernel/`  downloaded and unpacked kernel packages (kept between runs)
//! - `qemu-build/`   the nested cargo build of the init, the initramfs
//! - `qemu-run/NAME/` per boot: `console.log`, `result.txt`, `qemu.stderr`, `cmdline`
//!
//! Environment:
//! - `RTNL_QEMU_KERNEL_ROOT`: an unpacked kernel package to use instead of apt
//! - `RTNL_QEMU_ACCEL`: `kvm` or `tcg` to override the accelerator choice
//! - `CI=true`: a missing qemu is a failure instead of a skip

pub mod cni;
pub mod cpio;
pub mod elf;
pub mod json;
pub mod kernel;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use json::Json;

pub const GUEST_TARGET: &str = "x86_64-unknown-linux-musl";
/// Drivers the guest needs (dependencies are added automatically; built-in ones are
/// skipped): the PCI transport for virtio and the NIC driver.
pub const GUEST_DRIVERS: &[&str] = &["virtio_pci", "virtio_net"];
/// The kinds of link the `rtnl.mode=kinds` boot makes (`guest_makes_every_kind`):
/// loaded only in that boot, from `/modules/kinds.txt`, after the drivers.
pub const KIND_DRIVERS: &[&str] = &[
    "8021q",
    "macvlan",
    "ipvlan",
    "vrf",
    "bonding",
    "dummy",
    "wireguard",
    "geneve",
    "tun",
    "bridge",
    "sch_ingress",
    "cls_matchall",
    "act_mirred",
];
/// The MAC qemu gives the guest's NIC.
pub const QEMU_MAC: &str = "52:54:00:12:34:56";
/// Hard limit for one boot (`timeout` kills qemu after this).
pub const BOOT_TIMEOUT_SECS: u32 = 120;

/// Everything a boot needs, prepared once per test process.
pub struct Vm {
    pub qemu: PathBuf,
    pub accel: &'static str,
    pub kernel: kernel::Kernel,
    pub modules: Vec<String>,
    /// The extra modules of the `kinds` boot, in load order.
    pub kind_modules: Vec<String>,
    pub init_size: u64,
    pub initramfs: PathBuf,
    pub initramfs_size: u64,
    run_root: PathBuf,
}

/// The cargo target directory (respects `CARGO_TARGET_DIR` and `build.target-dir`).
pub fn target_dir() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| tmp.to_path_buf())
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// KVM only if `/dev/kvm` opens read-write AND the CPU advertises vmx/svm: some
/// machines have a `/dev/kvm` that hangs (a software variant without those flags).
fn choose_accel() -> &'static str {
    match std::env::var("RTNL_QEMU_ACCEL").as_deref() {
        Ok("kvm") => return "kvm",
        Ok("tcg") => return "tcg",
        _ => {}
    }
    let kvm_rw = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/kvm")
        .is_ok();
    let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let virt = cpuinfo
        .lines()
        .filter(|l| l.starts_with("flags"))
        .any(|l| l.split_whitespace().any(|f| f == "vmx" || f == "svm"));
    if kvm_rw && virt {
        "kvm"
    } else {
        "tcg"
    }
}

/// Prepares kernel, init and initramfs once. `None` means "skip" (a loud message has
/// been printed); a setup failure panics.
pub fn prepare() -> Option<&'static Vm> {
    static VM: OnceLock<Result<Option<Vm>, String>> = OnceLock::new();
    match VM.get_or_init(prepare_uncached) {
        Ok(Some(vm)) => Some(vm),
        Ok(None) => {
            let test = std::thread::current()
                .name()
                .unwrap_or("qemu test")
                .to_string();
            loud(&format!(
                "SKIPPED: {test}: qemu-system-x86_64 is not installed (apt-get install \
                 --no-install-recommends qemu-system-x86); under CI=true this is a failure"
            ));
            None
        }
        Err(e) => panic!("qemu harness setup failed: {e}"),
    }
}

/// Writes to stderr past the test harness's output capture (which only catches the
/// `print!` family), so a skip shows in a plain `cargo test` run too.
pub fn loud(msg: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{msg}");
}

fn prepare_uncached() -> Result<Option<Vm>, String> {
    let Some(qemu) = which("qemu-system-x86_64") else {
        if in_ci() {
            return Err(
                "qemu-system-x86_64 not found and CI=true: install qemu-system-x86 \
                        (apt-get install --no-install-recommends qemu-system-x86)"
                    .into(),
            );
        }
        return Ok(None);
    };
    let t0 = Instant::now();
    let target = target_dir();
    let build_dir = target.join("qemu-build");
    let kernel = kernel::ensure(&target.join("qemu-kernel"))?;
    let modules = kernel::modules_for(&kernel, GUEST_DRIVERS, &build_dir.join("modules-plain"))?;
    let all: Vec<&str> = GUEST_DRIVERS.iter().chain(KIND_DRIVERS).copied().collect();
    let kind_modules: Vec<kernel::Module> =
        kernel::modules_for(&kernel, &all, &build_dir.join("modules-plain"))?
            .into_iter()
            .filter(|m| !modules.iter().any(|b| b.name == m.name))
            .collect();
    let init = build_init(&build_dir)?;
    let init_bytes = fs::read(&init).map_err(|e| format!("{}: {e}", init.display()))?;
    if elf::has_interp(&init_bytes)? {
        return Err(format!(
            "{} is dynamically linked (has PT_INTERP); it must be static",
            init.display()
        ));
    }

    let mut c = cpio::Cpio::new();
    for d in ["dev", "proc", "sys", "etc", "modules"] {
        c.dir(d, 0o755)?;
    }
    c.char_dev("dev/console", 0o600, 5, 1)?;
    c.char_dev("dev/null", 0o666, 1, 3)?;
    c.file("init", 0o755, &init_bytes)?;
    let mut order = String::new();
    for m in &modules {
        let bytes = fs::read(&m.path).map_err(|e| format!("{}: {e}", m.path.display()))?;
        c.file(&format!("modules/{}.ko", m.name), 0o644, &bytes)?;
        order.push_str(&format!("{}.ko\n", m.name));
    }
    c.file("modules/order.txt", 0o644, order.as_bytes())?;
    let mut kinds = String::new();
    for m in &kind_modules {
        let bytes = fs::read(&m.path).map_err(|e| format!("{}: {e}", m.path.display()))?;
        c.file(&format!("modules/{}.ko", m.name), 0o644, &bytes)?;
        kinds.push_str(&format!("{}.ko\n", m.name));
    }
    c.file("modules/kinds.txt", 0o644, kinds.as_bytes())?;
    let archive = c.finish();
    let initramfs = build_dir.join("initramfs.cpio");
    let tmp = build_dir.join(format!("initramfs.cpio.{}", std::process::id()));
    fs::write(&tmp, &archive).map_err(|e| format!("{}: {e}", tmp.display()))?;
    fs::rename(&tmp, &initramfs).map_err(|e| format!("{}: {e}", initramfs.display()))?;

    let vm = Vm {
        qemu,
        accel: choose_accel(),
        modules: modules.iter().map(|m| m.name.clone()).collect(),
        kind_modules: kind_modules.iter().map(|m| m.name.clone()).collect(),
        init_size: init_bytes.len() as u64,
        initramfs_size: archive.len() as u64,
        initramfs,
        run_root: target.join("qemu-run"),
        kernel,
    };
    loud(&format!(
        "qemu harness: kernel {} ({}), modules [{}] (+ [{}] for the kinds boot), init {} bytes, initramfs {} bytes, accel {}, setup {:.1?}",
        vm.kernel.release,
        vm.kernel.origin,
        vm.modules.join(" "),
        vm.kind_modules.join(" "),
        vm.init_size,
        vm.initramfs_size,
        vm.accel,
        t0.elapsed()
    ));
    Ok(Some(vm))
}

/// Builds `examples/guest-init.rs` for musl with the `guest` profile, in a target
/// directory of its own so the nested cargo never waits on the outer one's lock.
fn build_init(build_dir: &Path) -> Result<PathBuf, String> {
    let manifest = manifest_dir();
    ensure_musl_target(&manifest)?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(&manifest)
        .args([
            "build",
            "--quiet",
            "--example",
            "guest-init",
            "--target",
            GUEST_TARGET,
            "--profile",
            "guest",
        ])
        .arg("--manifest-path")
        .arg(manifest.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", build_dir);
    let toml = fs::read_to_string(manifest.join("Cargo.toml")).unwrap_or_default();
    if !toml.contains("[profile.guest]") {
        // The same profile as the one Cargo.toml should carry (tests/qemu/NOTES-for-lead.md).
        for c in [
            "profile.guest.inherits=\"release\"",
            "profile.guest.opt-level=\"z\"",
            "profile.guest.lto=true",
            "profile.guest.panic=\"abort\"",
            "profile.guest.strip=true",
            "profile.guest.codegen-units=1",
        ] {
            cmd.arg("--config").arg(c);
        }
    }
    let bin = build_dir
        .join(GUEST_TARGET)
        .join("guest/examples/guest-init");
    run_build(&mut cmd, "the guest init", bin)
}

/// Runs the nested `cargo build` `cmd` and returns `bin`, which it must have made;
/// `what` names it in the error.
fn run_build(cmd: &mut Command, what: &str, bin: PathBuf) -> Result<PathBuf, String> {
    let t0 = Instant::now();
    let out = cmd.output().map_err(|e| format!("cannot run cargo: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "building {what} failed ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    if !bin.is_file() {
        return Err(format!(
            "cargo build succeeded but {} is missing",
            bin.display()
        ));
    }
    eprintln!(
        "qemu harness: built {} in {:.1?}",
        bin.display(),
        t0.elapsed()
    );
    Ok(bin)
}

/// Adds the musl standard library with rustup if the toolchain lacks it.
fn ensure_musl_target(manifest: &Path) -> Result<(), String> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let out = Command::new(&rustc)
        .current_dir(manifest)
        .args(["--print", "target-libdir", "--target", GUEST_TARGET])
        .output();
    let libdir = match &out {
        Ok(o) if o.status.success() => PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()),
        _ => PathBuf::new(),
    };
    if libdir.join("libstd.rlib").is_file()
        || fs::read_dir(&libdir).is_ok_and(|mut d| d.next().is_some())
    {
        return Ok(());
    }
    eprintln!("qemu harness: {rustc:?} has no {GUEST_TARGET} std ({out:?}); rustup target add {GUEST_TARGET}");
    let out = Command::new("rustup")
        .current_dir(manifest)
        .args(["target", "add", GUEST_TARGET])
        .output()
        .map_err(|e| format!("the {GUEST_TARGET} target is missing and rustup cannot run: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "rustup target add {GUEST_TARGET}: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(())
}

/// The outcome of one boot.
pub struct Boot {
    pub name: String,
    /// The parsed result line, or why there is none.
    pub result: Result<Json, String>,
    /// From spawning qemu until the result line appeared in the result file.
    pub to_result: Option<Duration>,
    /// From spawning qemu until it exited.
    pub to_exit: Duration,
    pub dir: PathBuf,
}

impl Boot {
    /// The last lines of the guest console, for failure messages.
    pub fn console_tail(&self, lines: usize) -> String {
        let text = fs::read_to_string(self.dir.join("console.log")).unwrap_or_default();
        let all: Vec<&str> = text.lines().collect();
        let from = all.len().saturating_sub(lines);
        let err = fs::read_to_string(self.dir.join("qemu.stderr")).unwrap_or_default();
        format!(
            "--- console ({}) ---\n{}\n--- qemu stderr ---\n{err}",
            self.dir.display(),
            all[from..].join("\n")
        )
    }

    /// The result, which must be `{"ok":true,...}`; panics with the console otherwise.
    pub fn expect_ok(&self) -> &Json {
        match &self.result {
            Ok(v) if v.get("ok").as_bool() == Some(true) => v,
            Ok(v) => panic!(
                "guest {} reported failure: {}\n{}",
                self.name,
                v.get("error").as_str().unwrap_or("(no error field)"),
                self.console_tail(60)
            ),
            Err(e) => panic!("guest {}: {e}\n{}", self.name, self.console_tail(60)),
        }
    }
}

/// The last `{"ok":...}` line of the result file.
pub fn parse_result(text: &str) -> Result<Json, String> {
    let line = text
        .lines()
        .map(|l| l.trim_matches(|c: char| c.is_whitespace() || c == '\0'))
        .rfind(|l| l.starts_with("{\"ok\":"))
        .ok_or("the guest wrote no result line (crashed, hung, or never reached /init)")?;
    Json::parse(line).map_err(|e| format!("bad result line {line:?}: {e}"))
}

impl Vm {
    /// Boots the guest with kernel parameters `params` (`("rtnl.mtu", "1400")` →
    /// `rtnl.mtu=1400`). `name` names the run directory; use one per test.
    pub fn boot(&self, name: &str, params: &[(&str, &str)]) -> Boot {
        self.boot_initramfs(name, params, &self.initramfs)
    }

    /// [`boot`](Self::boot) with another initramfs (e.g. [`cni::Image`]'s).
    pub fn boot_initramfs(&self, name: &str, params: &[(&str, &str)], initramfs: &Path) -> Boot {
        let dir = self.run_root.join(name);
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("mkdir {}: {e}", dir.display()));
        let result_file = dir.join("result.txt");
        let mut cmdline = String::from("console=ttyS0 panic=-1 quiet");
        for (k, v) in params {
            assert!(
                !k.contains(char::is_whitespace) && !v.contains(char::is_whitespace),
                "no spaces in {k}={v}"
            );
            cmdline.push_str(&format!(" {k}={v}"));
        }
        let _ = fs::write(dir.join("cmdline"), &cmdline);

        let mut cmd = if let Some(timeout) = which("timeout") {
            let mut c = Command::new(timeout);
            c.args(["-k", "5", &BOOT_TIMEOUT_SECS.to_string()])
                .arg(&self.qemu);
            c
        } else {
            Command::new(&self.qemu)
        };
        cmd.args(["-accel", self.accel]);
        if self.accel == "kvm" {
            cmd.args(["-cpu", "host"]);
        }
        cmd.args([
            "-m",
            "256M",
            "-smp",
            "1",
            "-nographic",
            "-nodefaults",
            "-no-reboot",
        ])
        .args(["-serial", "stdio", "-serial"])
        .arg(format!("file:{}", result_file.display()))
        .arg("-kernel")
        .arg(&self.kernel.vmlinuz)
        .arg("-initrd")
        .arg(initramfs)
        .arg("-append")
        .arg(&cmdline)
        .args(["-netdev", "hubport,id=n0,hubid=0"])
        .args([
            "-device",
            &format!("virtio-net-pci,netdev=n0,mac={QEMU_MAC},romfile="),
        ])
        .stdin(Stdio::null());
        let open = |f: &str| {
            let p = dir.join(f);
            fs::File::create(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        };
        cmd.stdout(open("console.log")).stderr(open("qemu.stderr"));

        let t0 = Instant::now();
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", self.qemu.display()));
        let mut to_result = None;
        // Belt and braces in case `timeout` is missing.
        let deadline = Duration::from_secs(u64::from(BOOT_TIMEOUT_SECS) + 10);
        let status = loop {
            if to_result.is_none() && fs::read(&result_file).is_ok_and(|b| b.contains(&b'\n')) {
                to_result = Some(t0.elapsed());
            }
            match child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) if t0.elapsed() > deadline => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break None;
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                Err(e) => panic!("waiting for qemu: {e}"),
            }
        };
        let to_exit = t0.elapsed();
        let text = fs::read_to_string(&result_file).unwrap_or_default();
        let result = parse_result(&text).map_err(|e| match status {
            Some(s) if s.code() == Some(124) => {
                format!("{e}; qemu killed after {BOOT_TIMEOUT_SECS} s")
            }
            Some(s) => format!("{e}; qemu exited with {s}"),
            None => format!("{e}; qemu killed after {deadline:?}"),
        });
        loud(&format!(
            "qemu harness: boot {name}: result after {}, qemu exited after {to_exit:.2?} (accel {})",
            to_result.map_or("-".to_string(), |d| format!("{d:.2?}")),
            self.accel
        ));
        Boot {
            name: name.to_string(),
            result,
            to_result,
            to_exit,
            dir,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_line_is_found_among_noise() {
        let text = "noise\r\n{\"ok\":true,\"x\":1}\r\n\0\0";
        assert_eq!(parse_result(text).unwrap().get("x").as_u64(), Some(1));
        assert!(parse_result("").is_err());
        assert!(parse_result("[    1.0] Kernel panic - not syncing\n").is_err());
        assert!(parse_result("{\"ok\":tru").is_err());
    }
}
