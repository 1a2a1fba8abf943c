//! Replays the fuzz corpus under stable `cargo test`, no fuzzer needed: every seed in
//! `fuzz/seeds/<target>/` (made from the kernel captures by `fuzz/make_seeds.py`) and
//! every crash ever found, kept in `fuzz/regressions/<target>/`, goes through the
//! same checks the fuzz targets run (`fuzz/src/lib.rs`). The seeds are also cut at
//! every length and given every single-byte flip, so the parsers' no-panic contract is
//! tested on every run even where `cargo fuzz` is not installed.

#[allow(dead_code)]
#[path = "../fuzz/src/lib.rs"]
mod checks;

use std::path::Path;

type Check = fn(&[u8]);

const TARGETS: [(&str, Check); 7] = [
    ("messages", checks::messages),
    ("attrs", checks::attrs),
    ("ack", checks::ack),
    ("typed", checks::typed),
    ("encoders", checks::encoders),
    ("kinds", checks::kinds),
    ("events", checks::events),
];

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<_> = rd
        .map(|e| e.unwrap().path())
        // Dotfiles (`.gitkeep`) keep empty directories in git; they are not inputs.
        .filter(|p| p.is_file() && !p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect();
    out.sort();
    out
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn every_seed_passes_its_target() {
    let mut n = 0;
    for (t, check) in TARGETS {
        let seeds = files(&root().join("fuzz/seeds").join(t));
        assert!(
            !seeds.is_empty(),
            "no seeds for {t}: run fuzz/make_seeds.py"
        );
        for (name, data) in seeds {
            eprintln!("{t}: {name}");
            check(&data);
            n += 1;
        }
    }
    eprintln!("{n} seeds replayed");
}

#[test]
fn every_saved_crash_stays_fixed() {
    let mut n = 0;
    for (t, check) in TARGETS {
        for (name, data) in files(&root().join("fuzz/regressions").join(t)) {
            eprintln!("{t}: {name}");
            check(&data);
            n += 1;
        }
    }
    eprintln!("{n} regressions replayed");
}

#[test]
fn every_truncation_and_byte_flip_of_every_seed() {
    let mut runs = 0usize;
    for (t, check) in TARGETS {
        for (_, data) in files(&root().join("fuzz/seeds").join(t)) {
            for n in 0..data.len() {
                check(&data[..n]);
                runs += 1;
            }
            // Flips: every byte of small seeds; every 7th byte of the big dumps.
            let step = if data.len() > 1200 { 7 } else { 1 };
            for i in (0..data.len()).step_by(step) {
                for x in [0x01, 0xff] {
                    let mut d = data.clone();
                    d[i] ^= x;
                    check(&d);
                    runs += 1;
                }
            }
        }
    }
    eprintln!("{runs} mutated inputs checked");
}
