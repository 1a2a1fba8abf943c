//! Just enough ELF64 little-endian reading for the harness: a section's bytes by name
//! (a kernel module's `.modinfo`) and which interpreter a program asks for
//! (`PT_INTERP`; none when it is statically linked).
//!
//! Every offset and length read from the file is checked against the file's size;
//! a malformed file gives `Err`, never a panic.

const EHDR_LEN: usize = 64;
const SHDR_LEN: usize = 64;
const PHDR_LEN: usize = 56;
const PT_INTERP: u32 = 3;
const SHT_NOBITS: u32 = 8;

fn u16_at(b: &[u8], off: usize) -> Result<u16, String> {
    b.get(off..off + 2)
        .map(|s| u16::from_le_bytes([s[0], s[1]]))
        .ok_or_else(|| format!("ELF: truncated at {off}"))
}

fn u32_at(b: &[u8], off: usize) -> Result<u32, String> {
    b.get(off..off + 4)
        .map(|s| u32::from_le_bytes(s.try_into().unwrap()))
        .ok_or_else(|| format!("ELF: truncated at {off}"))
}

fn u64_at(b: &[u8], off: usize) -> Result<usize, String> {
    let v = b
        .get(off..off + 8)
        .map(|s| u64::from_le_bytes(s.try_into().unwrap()))
        .ok_or_else(|| format!("ELF: truncated at {off}"))?;
    usize::try_from(v).map_err(|_| format!("ELF: value {v} too large"))
}

/// Checks the identification bytes: ELF magic, 64-bit, little-endian.
fn check_ident(b: &[u8]) -> Result<(), String> {
    if b.len() < EHDR_LEN || &b[..4] != b"\x7fELF" {
        return Err("not an ELF file".into());
    }
    if b[4] != 2 || b[5] != 1 {
        return Err(format!(
            "ELF: class {} / data {}; only ELF64 little-endian is supported",
            b[4], b[5]
        ));
    }
    Ok(())
}

/// The contents of the section called `name`, or `None` if there is none.
pub fn section<'a>(b: &'a [u8], name: &str) -> Result<Option<&'a [u8]>, String> {
    check_ident(b)?;
    let shoff = u64_at(b, 0x28)?;
    let shentsize = usize::from(u16_at(b, 0x3a)?);
    let shnum = usize::from(u16_at(b, 0x3c)?);
    let shstrndx = usize::from(u16_at(b, 0x3e)?);
    if shnum == 0 {
        return Ok(None);
    }
    if shentsize < SHDR_LEN {
        return Err(format!("ELF: section header size {shentsize}"));
    }
    let shdr = |i: usize| -> Result<usize, String> {
        let off = i
            .checked_mul(shentsize)
            .and_then(|o| o.checked_add(shoff))
            .filter(|o| o.checked_add(SHDR_LEN).is_some_and(|end| end <= b.len()))
            .ok_or_else(|| format!("ELF: section header {i} out of bounds"))?;
        Ok(off)
    };
    let body = |hdr: usize| -> Result<&'a [u8], String> {
        let off = u64_at(b, hdr + 24)?;
        let size = u64_at(b, hdr + 32)?;
        if u32_at(b, hdr + 4)? == SHT_NOBITS {
            return Ok(&[]);
        }
        off.checked_add(size)
            .and_then(|end| b.get(off..end))
            .ok_or_else(|| format!("ELF: section at {off}+{size} out of bounds"))
    };
    if shstrndx >= shnum {
        return Err(format!("ELF: shstrndx {shstrndx} >= shnum {shnum}"));
    }
    let names = body(shdr(shstrndx)?)?;
    for i in 0..shnum {
        let hdr = shdr(i)?;
        let name_off = u32_at(b, hdr)? as usize;
        let Some(rest) = names.get(name_off..) else {
            return Err(format!("ELF: section name offset {name_off} out of bounds"));
        };
        let end = rest.iter().position(|&c| c == 0).unwrap_or(rest.len());
        if &rest[..end] == name.as_bytes() {
            return body(hdr).map(Some);
        }
    }
    Ok(None)
}

/// The `key=value` entries of a kernel module's `.modinfo` section, in file order.
pub fn modinfo(ko: &[u8]) -> Result<Vec<(String, String)>, String> {
    let sec = section(ko, ".modinfo")?.ok_or("ELF: no .modinfo section (not a kernel module?)")?;
    Ok(sec
        .split(|&c| c == 0)
        .filter(|e| !e.is_empty())
        .filter_map(|e| {
            let e = String::from_utf8_lossy(e);
            let (k, v) = e.split_once('=')?;
            Some((k.to_string(), v.to_string()))
        })
        .collect())
}

/// The module names in `depends=` (empty if the module depends on nothing).
pub fn module_depends(ko: &[u8]) -> Result<Vec<String>, String> {
    Ok(modinfo(ko)?
        .into_iter()
        .filter(|(k, _)| k == "depends")
        .flat_map(|(_, v)| {
            v.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect::<Vec<_>>()
        })
        .collect())
}

/// True if the program has a `PT_INTERP` header (needs a dynamic loader).
pub fn has_interp(b: &[u8]) -> Result<bool, String> {
    interp(b).map(|i| i.is_some())
}

/// The program's interpreter (`PT_INTERP`, e.g. `/lib64/ld-linux-x86-64.so.2`), or
/// `None` for a static program.
pub fn interp(b: &[u8]) -> Result<Option<String>, String> {
    check_ident(b)?;
    let phoff = u64_at(b, 0x20)?;
    let phentsize = usize::from(u16_at(b, 0x36)?);
    let phnum = usize::from(u16_at(b, 0x38)?);
    if phnum > 0 && phentsize < PHDR_LEN {
        return Err(format!("ELF: program header size {phentsize}"));
    }
    for i in 0..phnum {
        let off = i
            .checked_mul(phentsize)
            .and_then(|o| o.checked_add(phoff))
            .ok_or("ELF: program header offset overflows")?;
        if u32_at(b, off)? != PT_INTERP {
            continue;
        }
        // p_offset at +8, p_filesz at +32; the path is NUL-terminated.
        let (at, len) = (u64_at(b, off + 8)?, u64_at(b, off + 32)?);
        let path = at
            .checked_add(len)
            .and_then(|end| b.get(at..end))
            .ok_or_else(|| format!("ELF: PT_INTERP {at}+{len} out of bounds"))?;
        let end = path.iter().position(|&c| c == 0).unwrap_or(path.len());
        return Ok(Some(String::from_utf8_lossy(&path[..end]).into_owned()));
    }
    Ok(None)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A minimal ELF64 LE relocatable file with sections: null, `.modinfo`, `.shstrtab`.
    pub(crate) fn fake_module(modinfo: &[u8]) -> Vec<u8> {
        let shstrtab = b"\0.modinfo\0.shstrtab\0";
        let mut f = vec![0u8; EHDR_LEN];
        f[..4].copy_from_slice(b"\x7fELF");
        f[4] = 2; // ELFCLASS64
        f[5] = 1; // ELFDATA2LSB
        f[6] = 1; // EV_CURRENT
        f[0x10..0x12].copy_from_slice(&1u16.to_le_bytes()); // ET_REL
        f[0x12..0x14].copy_from_slice(&62u16.to_le_bytes()); // EM_X86_64
        let modinfo_off = f.len();
        f.extend_from_slice(modinfo);
        let shstr_off = f.len();
        f.extend_from_slice(shstrtab);
        while f.len() % 8 != 0 {
            f.push(0);
        }
        let shoff = f.len();
        let mut sh = |name: u32, typ: u32, off: usize, size: usize| {
            let mut h = [0u8; SHDR_LEN];
            h[0..4].copy_from_slice(&name.to_le_bytes());
            h[4..8].copy_from_slice(&typ.to_le_bytes());
            h[24..32].copy_from_slice(&(off as u64).to_le_bytes());
            h[32..40].copy_from_slice(&(size as u64).to_le_bytes());
            f.extend_from_slice(&h);
        };
        sh(0, 0, 0, 0);
        sh(1, 1, modinfo_off, modinfo.len()); // SHT_PROGBITS
        sh(10, 3, shstr_off, shstrtab.len()); // SHT_STRTAB
        f[0x28..0x30].copy_from_slice(&(shoff as u64).to_le_bytes());
        f[0x3a..0x3c].copy_from_slice(&(SHDR_LEN as u16).to_le_bytes());
        f[0x3c..0x3e].copy_from_slice(&3u16.to_le_bytes());
        f[0x3e..0x40].copy_from_slice(&2u16.to_le_bytes());
        f
    }

    #[test]
    fn elf_reads_modinfo_depends() {
        let ko = fake_module(
            b"license=GPL\0depends=virtio,virtio_ring\0name=virtio_net\0vermagic=6.1\0",
        );
        assert_eq!(module_depends(&ko).unwrap(), ["virtio", "virtio_ring"]);
        let info = modinfo(&ko).unwrap();
        assert!(info.contains(&("name".into(), "virtio_net".into())));
        let ko = fake_module(b"depends=\0name=virtio_ring\0");
        assert!(module_depends(&ko).unwrap().is_empty());
    }

    #[test]
    fn elf_missing_section_and_garbage() {
        assert!(section(b"not elf", ".modinfo").is_err());
        let ko = fake_module(b"depends=a\0");
        assert_eq!(section(&ko, ".nothere").unwrap(), None);
        // Every truncation and every flipped byte gives Ok or Err, never a panic.
        for len in 0..ko.len() {
            let _ = modinfo(&ko[..len]);
            let _ = has_interp(&ko[..len]);
            let _ = interp(&ko[..len]);
        }
        for i in 0..ko.len() {
            let mut bad = ko.clone();
            bad[i] ^= 0xff;
            let _ = modinfo(&bad);
            let _ = has_interp(&bad);
            let _ = interp(&bad);
        }
    }

    #[test]
    fn elf_interp_is_read_from_pt_interp() {
        // An executable with one program header, PT_INTERP, pointing at a path.
        let path = b"/lib64/ld-linux-x86-64.so.2\0";
        let mut f = vec![0u8; EHDR_LEN];
        f[..4].copy_from_slice(b"\x7fELF");
        f[4] = 2;
        f[5] = 1;
        f[0x20..0x28].copy_from_slice(&(EHDR_LEN as u64).to_le_bytes());
        f[0x36..0x38].copy_from_slice(&(PHDR_LEN as u16).to_le_bytes());
        f[0x38..0x3a].copy_from_slice(&1u16.to_le_bytes());
        let mut ph = [0u8; PHDR_LEN];
        ph[..4].copy_from_slice(&PT_INTERP.to_le_bytes());
        ph[8..16].copy_from_slice(&((EHDR_LEN + PHDR_LEN) as u64).to_le_bytes());
        ph[32..40].copy_from_slice(&(path.len() as u64).to_le_bytes());
        f.extend_from_slice(&ph);
        f.extend_from_slice(path);
        assert_eq!(
            interp(&f).unwrap().as_deref(),
            Some("/lib64/ld-linux-x86-64.so.2")
        );
        assert!(has_interp(&f).unwrap());
        for len in 0..f.len() {
            let _ = interp(&f[..len]);
        }
    }

    #[test]
    fn elf_no_program_headers_means_no_interp() {
        assert!(!has_interp(&fake_module(b"")).unwrap());
    }
}
