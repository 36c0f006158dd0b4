//! Decompression of one file: gzip (multi-member too), xz, lzma, zstd and
//! bzip2, the format guessed from the name or given. Output is capped by
//! `QEMU_TEST_MAX_EXTRACT_SIZE` (default 16 GiB) so that a decompression
//! bomb stops with an error, and is built under a temporary name so that
//! nothing partial is left.

use std::fmt;
use std::fs::{self, File};
use std::io::{self, BufReader, Read, Write};
use std::path::{Path, PathBuf};

/// The default cap on what one extraction may write.
pub const DEFAULT_MAX_SIZE: u64 = 16 << 30;

/// A compression format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    Gzip,
    Xz,
    Lzma,
    Zstd,
    Bzip2,
}

impl Compression {
    /// The format a file name or URL says (`.gz`, `.xz`, `.lzma`, `.zst`,
    /// `.zstd`, `.bz2`), ignoring a query string.
    pub fn from_name(name: &str) -> Option<Compression> {
        let name = name.split(['?', '#']).next().unwrap_or(name);
        let extension = name.rsplit_once('.').map(|(_, ext)| ext)?;
        Some(match extension {
            "gz" | "tgz" => Compression::Gzip,
            "xz" | "txz" => Compression::Xz,
            "lzma" => Compression::Lzma,
            "zst" | "zstd" | "tzst" => Compression::Zstd,
            "bz2" | "tbz2" | "tbz" => Compression::Bzip2,
            _ => return None,
        })
    }

    /// The extension this format takes off a name (`vmlinux.xz` →
    /// `vmlinux`).
    pub fn strip(name: &str) -> &str {
        match name.rsplit_once('.') {
            Some((stem, _)) if Compression::from_name(name).is_some() => stem,
            _ => name,
        }
    }

    /// A reader of the decompressed bytes. Concatenated gzip members, xz
    /// streams and bzip2 streams are all read.
    pub fn decoder<'a>(self, reader: impl Read + 'a) -> io::Result<Box<dyn Read + 'a>> {
        let reader = BufReader::with_capacity(256 * 1024, reader);
        Ok(match self {
            Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(reader)),
            Compression::Xz => Box::new(liblzma::read::XzDecoder::new_multi_decoder(reader)),
            Compression::Lzma => {
                let stream = liblzma::stream::Stream::new_lzma_decoder(u64::MAX)
                    .map_err(io::Error::other)?;
                Box::new(liblzma::read::XzDecoder::new_stream(reader, stream))
            }
            Compression::Zstd => Box::new(zstd::stream::read::Decoder::new(reader)?),
            Compression::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(reader)),
        })
    }
}

impl fmt::Display for Compression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Compression::Gzip => "gzip",
            Compression::Xz => "xz",
            Compression::Lzma => "lzma",
            Compression::Zstd => "zstd",
            Compression::Bzip2 => "bzip2",
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum UncompressError {
    #[error("cannot tell the compression of `{name}` from its name: say which it is")]
    Unknown { name: String },
    #[error("`{}` is not valid {format} data: {reason}", path.display())]
    Corrupt {
        path: PathBuf,
        format: Compression,
        reason: String,
    },
    #[error("`{}` expands to more than {limit} bytes (QEMU_TEST_MAX_EXTRACT_SIZE): stopped, as a decompression bomb", path.display())]
    TooBig { path: PathBuf, limit: u64 },
    #[error("cannot read `{}`: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot write `{}`: {source}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// The cap on what one extraction writes: `QEMU_TEST_MAX_EXTRACT_SIZE` in
/// bytes (a `K`, `M`, `G` or `T` suffix multiplies by 1024s), else 16 GiB.
pub fn max_size() -> u64 {
    std::env::var("QEMU_TEST_MAX_EXTRACT_SIZE")
        .ok()
        .and_then(|value| parse_size(&value))
        .unwrap_or(DEFAULT_MAX_SIZE)
}

fn parse_size(value: &str) -> Option<u64> {
    let value = value.trim();
    let (digits, shift) = match value.chars().last()? {
        'k' | 'K' => (&value[..value.len() - 1], 10),
        'm' | 'M' => (&value[..value.len() - 1], 20),
        'g' | 'G' => (&value[..value.len() - 1], 30),
        't' | 'T' => (&value[..value.len() - 1], 40),
        _ => (value, 0),
    };
    digits.trim().parse::<u64>().ok()?.checked_mul(1 << shift)
}

/// Decompresses `source` into `target` (which must not exist yet); returns
/// the bytes written. On any error nothing is left at `target`.
pub fn uncompress(
    source: &Path,
    target: &Path,
    compression: Compression,
    limit: u64,
) -> Result<u64, UncompressError> {
    let input = File::open(source).map_err(|err| UncompressError::Read {
        path: source.to_path_buf(),
        source: err,
    })?;
    let tmp = temporary_sibling(target);
    let result = (|| {
        let mut output = File::create(&tmp).map_err(|err| UncompressError::Write {
            path: tmp.clone(),
            source: err,
        })?;
        let decoder = compression
            .decoder(input)
            .map_err(|err| UncompressError::Corrupt {
                path: source.to_path_buf(),
                format: compression,
                reason: err.to_string(),
            })?;
        let written = copy_limited(decoder, &mut output, limit).map_err(|err| match err {
            CopyError::TooBig => UncompressError::TooBig {
                path: source.to_path_buf(),
                limit,
            },
            CopyError::Read(err) => UncompressError::Corrupt {
                path: source.to_path_buf(),
                format: compression,
                reason: err.to_string(),
            },
            CopyError::Write(err) => UncompressError::Write {
                path: tmp.clone(),
                source: err,
            },
        })?;
        output.sync_all().map_err(|err| UncompressError::Write {
            path: tmp.clone(),
            source: err,
        })?;
        fs::rename(&tmp, target).map_err(|err| UncompressError::Write {
            path: target.to_path_buf(),
            source: err,
        })?;
        Ok(written)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Why a limited copy stopped.
pub(crate) enum CopyError {
    /// More than the limit came.
    TooBig,
    Read(io::Error),
    Write(io::Error),
}

/// Copies at most `limit` bytes.
pub(crate) fn copy_limited(
    mut from: impl Read,
    to: &mut impl Write,
    limit: u64,
) -> Result<u64, CopyError> {
    let mut buf = vec![0u8; 256 * 1024];
    let mut total = 0u64;
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) => return Ok(total),
            Ok(n) => n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) => return Err(CopyError::Read(err)),
        };
        total += n as u64;
        if total > limit {
            return Err(CopyError::TooBig);
        }
        to.write_all(&buf[..n]).map_err(CopyError::Write)?;
    }
}

/// `<target>.tmp.<pid>` beside `target`, so the final rename is atomic.
pub(crate) fn temporary_sibling(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(".{name}.tmp.{}", std::process::id()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_say_the_format() {
        assert_eq!(
            Compression::from_name("https://x/vmlinux.xz"),
            Some(Compression::Xz)
        );
        assert_eq!(
            Compression::from_name("rootfs.ext4.zst?raw=1"),
            Some(Compression::Zstd)
        );
        assert_eq!(Compression::from_name("a.gz"), Some(Compression::Gzip));
        assert_eq!(Compression::from_name("a.lzma"), Some(Compression::Lzma));
        assert_eq!(Compression::from_name("a.bz2"), Some(Compression::Bzip2));
        assert_eq!(Compression::from_name("a.img"), None);
        assert_eq!(Compression::strip("vmlinux.xz"), "vmlinux");
        assert_eq!(Compression::strip("disk.img"), "disk.img");
    }

    #[test]
    fn sizes_take_binary_suffixes() {
        assert_eq!(parse_size("1024"), Some(1024));
        assert_eq!(parse_size("16G"), Some(16 << 30));
        assert_eq!(parse_size("5m"), Some(5 << 20));
        assert_eq!(parse_size("lots"), None);
    }
}

#[cfg(test)]
mod error_tests {
    use super::*;

    #[test]
    fn io_errors_say_their_os_cause() {
        let err = UncompressError::Write {
            path: PathBuf::from("/cache/x.part"),
            source: io::Error::from_raw_os_error(libc::ENOSPC),
        };
        let text = err.to_string();
        assert!(
            text.starts_with("cannot write `/cache/x.part`: No space left on device"),
            "{text}"
        );
        let err = crate::assets::archive::ArchiveError::Write {
            path: PathBuf::from("/cache/x"),
            source: io::Error::from_raw_os_error(libc::EACCES),
        };
        assert!(err.to_string().contains("Permission denied"), "{err}");
    }
}
