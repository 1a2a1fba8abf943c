//! A writer for the cpio "newc" format (the one the kernel unpacks as an initramfs).
//!
//! Each entry is a 110-byte ASCII header (`070701` and thirteen 8-digit hex fields),
//! the NUL-terminated name padded to a multiple of 4 from the start of the header,
//! then the data padded to a multiple of 4. The archive ends with an entry named
//! `TRAILER!!!`. See the kernel's `Documentation/driver-api/early-userspace/buffer-format.rst`.
//!
//! The kernel does not create parent directories while unpacking, so callers add
//! every directory before its contents. Device nodes are written as entries, so no
//! `mknod` (and no root) is needed on the host. All timestamps and owners are 0, so
//! the same inputs give the same bytes.

/// File type bits of `st_mode`.
pub const S_IFDIR: u32 = 0o040_000;
pub const S_IFREG: u32 = 0o100_000;
pub const S_IFCHR: u32 = 0o020_000;

const MAGIC: &[u8; 6] = b"070701";
const TRAILER: &str = "TRAILER!!!";

/// An archive being built in memory.
pub struct Cpio {
    buf: Vec<u8>,
    next_ino: u32,
}

impl Cpio {
    pub fn new() -> Self {
        Cpio {
            buf: Vec::new(),
            next_ino: 1,
        }
    }

    /// A directory, e.g. `dir("dev", 0o755)`.
    pub fn dir(&mut self, path: &str, perm: u32) -> Result<(), String> {
        self.entry(path, S_IFDIR | (perm & 0o7777), 2, (0, 0), &[])
    }

    /// A regular file with the given contents.
    pub fn file(&mut self, path: &str, perm: u32, data: &[u8]) -> Result<(), String> {
        self.entry(path, S_IFREG | (perm & 0o7777), 1, (0, 0), data)
    }

    /// A character device node, e.g. `char_dev("dev/console", 0o600, 5, 1)`.
    pub fn char_dev(
        &mut self,
        path: &str,
        perm: u32,
        major: u32,
        minor: u32,
    ) -> Result<(), String> {
        self.entry(path, S_IFCHR | (perm & 0o7777), 1, (major, minor), &[])
    }

    /// Appends the trailer and returns the archive bytes.
    pub fn finish(mut self) -> Vec<u8> {
        // The trailer has ino 0 and nlink 1, like GNU cpio writes it.
        self.header(TRAILER, 0, 0, 1, (0, 0), 0);
        self.buf
    }

    fn entry(
        &mut self,
        path: &str,
        mode: u32,
        nlink: u32,
        rdev: (u32, u32),
        data: &[u8],
    ) -> Result<(), String> {
        let name = path.trim_start_matches('/');
        if name.is_empty() || name.contains('\0') || name == TRAILER {
            return Err(format!("cpio: bad entry name {path:?}"));
        }
        let size =
            u32::try_from(data.len()).map_err(|_| format!("cpio: {name} is larger than 4 GiB"))?;
        let ino = self.next_ino;
        self.next_ino += 1;
        self.header(name, ino, mode, nlink, rdev, size);
        self.buf.extend_from_slice(data);
        self.pad4();
        Ok(())
    }

    fn header(&mut self, name: &str, ino: u32, mode: u32, nlink: u32, rdev: (u32, u32), size: u32) {
        let namesize = name.len() as u32 + 1; // with the NUL; names are checked to be short
        let fields = [
            ino, mode, 0, /* uid */ 0, /* gid */ nlink, 0, /* mtime */ size,
            0, /* devmajor */
            0, /* devminor */ rdev.0, rdev.1, namesize, 0, /* check */
        ];
        self.buf.extend_from_slice(MAGIC);
        for field in fields {
            self.buf
                .extend_from_slice(format!("{field:08x}").as_bytes());
        }
        self.buf.extend_from_slice(name.as_bytes());
        self.buf.push(0);
        self.pad4();
    }

    fn pad4(&mut self) {
        while self.buf.len() % 4 != 0 {
            self.buf.push(0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpio_golden_file_entry_and_trailer() {
        let mut c = Cpio::new();
        c.file("/init", 0o755, b"hi!").unwrap();
        let out = c.finish();
        let mut want = Vec::new();
        want.extend_from_slice(b"070701");
        // ino, mode 0100755, uid, gid, nlink, mtime, filesize 3, devmajor, devminor,
        // rdevmajor, rdevminor, namesize 5 ("init\0"), check
        want.extend_from_slice(b"00000001");
        for f in [
            "000081ed", "00000000", "00000000", "00000001", "00000000", "00000003",
        ] {
            want.extend_from_slice(f.as_bytes());
        }
        for f in [
            "00000000", "00000000", "00000000", "00000000", "00000005", "00000000",
        ] {
            want.extend_from_slice(f.as_bytes());
        }
        want.extend_from_slice(b"init\0\0"); // 110 + 5 = 115, padded to 116
        want.extend_from_slice(b"hi!\0"); // 3 data bytes, padded to 4
        want.extend_from_slice(b"070701");
        // ino 0, mode 0, uid, gid, nlink 1, mtime, filesize 0, dev 0:0, rdev 0:0, namesize 11
        for f in [
            "00000000", "00000000", "00000000", "00000000", "00000001", "00000000", "00000000",
        ] {
            want.extend_from_slice(f.as_bytes());
        }
        for f in [
            "00000000", "00000000", "00000000", "00000000", "0000000b", "00000000",
        ] {
            want.extend_from_slice(f.as_bytes());
        }
        want.extend_from_slice(b"TRAILER!!!\0\0\0\0"); // 110 + 11 = 121, padded to 124
        assert_eq!(
            String::from_utf8_lossy(&out),
            String::from_utf8_lossy(&want)
        );
        assert_eq!(out.len() % 4, 0);
    }

    #[test]
    fn cpio_char_dev_and_dir_modes() {
        let mut c = Cpio::new();
        c.dir("dev", 0o755).unwrap();
        c.char_dev("dev/console", 0o600, 5, 1).unwrap();
        let out = c.finish();
        let text = String::from_utf8_lossy(&out);
        // dir: mode 040755, nlink 2
        let want = [
            "070701", "00000001", "000041ed", "00000000", "00000000", "00000002",
        ]
        .concat();
        assert!(text.starts_with(&want), "{text}");
        // the second header starts at 116: 110 + "dev\0" = 114, padded to 116
        let second = &text[116..];
        let want = [
            "070701", "00000002", "00002180", "00000000", "00000000", "00000001",
        ]
        .concat();
        assert!(second.starts_with(&want), "{second}"); // ino 2, mode 020600, uid, gid, nlink 1
                                                        // rdevmajor 5, rdevminor 1
        assert_eq!(&second[6 + 8 * 9..6 + 8 * 11], "0000000500000001");
    }

    #[test]
    fn cpio_rejects_bad_names() {
        let mut c = Cpio::new();
        assert!(c.file("", 0o644, b"").is_err());
        assert!(c.file("a\0b", 0o644, b"").is_err());
        assert!(c.file("TRAILER!!!", 0o644, b"").is_err());
    }
}
