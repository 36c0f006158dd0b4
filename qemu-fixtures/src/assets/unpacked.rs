//! The extraction cache: each archive member, whole archive or decompressed
//! file of an asset is unpacked once, under
//! `$QEMU_TEST_CACHE_DIR/extract/<asset hash>/<key>/`, and shared by every
//! test after that. It is built under a temporary name and renamed into
//! place, under the same kind of lock as downloads: one process unpacks,
//! the others wait, and users hold a shared lease that keeps
//! `cargo xtask assets gc` away. The files are read-only; a test that
//! writes gets its own copy (`TestEnv::writable_copy`).

use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::fd::{AsFd, BorrowedFd};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::archive::{self, ArchiveError, Format};
use super::beneath;
use super::cache::Cache;
use super::declare::Asset;
use super::uncompress::{self, Compression};

/// What to unpack from an asset.
#[derive(Debug, Clone, Copy)]
pub enum Request<'a> {
    /// One member of an archive.
    Member(Format, &'a str),
    /// The whole archive.
    All(Format),
    /// The decompressed file.
    Uncompress(Compression),
}

impl std::fmt::Display for Request<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Request::Member(format, member) => write!(f, "{format} member {member}"),
            Request::All(format) => write!(f, "whole {format}"),
            Request::Uncompress(compression) => write!(f, "{compression} contents"),
        }
    }
}

/// Whether this call unpacked or found it done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    Unpacked,
    Cached,
}

/// An unpacked path and the lease that protects it while held.
#[derive(Debug)]
pub struct Unpacked {
    pub path: PathBuf,
    pub how: How,
    pub lease: File,
}

/// Unpacks `request` from the asset cached at `source`, or finds it
/// unpacked already.
/// `limit` caps what one unpacking writes (`uncompress::max_size`).
pub fn unpack(
    cache: &Cache,
    asset: &Asset,
    source: &Path,
    request: Request<'_>,
    limit: u64,
) -> Result<Unpacked, ArchiveError> {
    let dir = cache.extract_dir().join(asset.hash());
    fs::create_dir_all(&dir).map_err(|err| write_error(&dir, err))?;
    let key = key_of(&request);
    let done = dir.join(&key);
    let lock_path = dir.join(format!("{key}.lock"));
    let result_path = |root: &Path| match request {
        Request::Member(_, member) => root.join(member.trim_start_matches("./")),
        Request::All(_) => root.to_path_buf(),
        Request::Uncompress(_) => root.join(uncompressed_name(asset)),
    };
    let lock = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|err| write_error(&lock_path, err))?;
    // Waits while another process unpacks (it holds the exclusive lock).
    lock.lock_shared()
        .map_err(|err| write_error(&lock_path, err))?;
    if done.exists() {
        return Ok(Unpacked {
            path: result_path(&done),
            how: How::Cached,
            lease: lock,
        });
    }
    lock.unlock().map_err(|err| write_error(&lock_path, err))?;
    lock.lock().map_err(|err| write_error(&lock_path, err))?;
    let how = if done.exists() {
        How::Cached
    } else {
        let tmp = uncompress::temporary_sibling(&done);
        let _ = fs::remove_dir_all(&tmp);
        fs::create_dir_all(&tmp).map_err(|err| write_error(&tmp, err))?;
        let unpacked = unpack_into(source, &tmp, request, &result_path(&tmp), limit)
            .and_then(|()| make_read_only(&tmp).map_err(|err| write_error(&tmp, err)))
            .and_then(|()| fs::rename(&tmp, &done).map_err(|err| write_error(&done, err)));
        if let Err(err) = unpacked {
            // Nothing partial stays behind.
            let _ = fs::remove_dir_all(&tmp);
            return Err(err);
        }
        How::Unpacked
    };
    lock.unlock().map_err(|err| write_error(&lock_path, err))?;
    lock.lock_shared()
        .map_err(|err| write_error(&lock_path, err))?;
    Ok(Unpacked {
        path: result_path(&done),
        how,
        lease: lock,
    })
}

fn unpack_into(
    source: &Path,
    tmp: &Path,
    request: Request<'_>,
    result: &Path,
    limit: u64,
) -> Result<(), ArchiveError> {
    match request {
        Request::Member(format, member) => {
            archive::extract(source, tmp, format, Some(member), limit).map(drop)
        }
        Request::All(format) => archive::extract(source, tmp, format, None, limit).map(drop),
        Request::Uncompress(compression) => {
            uncompress::uncompress(source, result, compression, limit)
                .map(drop)
                .map_err(Into::into)
        }
    }
}

/// The name of the decompressed file: the URL's file name without its
/// compression extension.
fn uncompressed_name(asset: &Asset) -> String {
    let name = Compression::strip(asset.file_name());
    if name.is_empty() {
        asset.hash().to_owned()
    } else {
        name.to_owned()
    }
}

/// A short, stable name for a request.
fn key_of(request: &Request<'_>) -> String {
    let text = match request {
        Request::Member(format, member) => format!("member {format} {member}"),
        Request::All(format) => format!("all {format}"),
        Request::Uncompress(compression) => format!("uncompress {compression}"),
    };
    let digest = Sha256::digest(text.as_bytes());
    super::hash::hex(&digest[..8])
}

/// Files lose their write bits; directories keep theirs, so that gc can
/// remove the tree. Every file is opened relative to its directory's
/// descriptor and never through a symlink, so the change of mode acts on
/// what the extraction made and on nothing a link could name outside.
fn make_read_only(dir: &Path) -> io::Result<()> {
    read_only_beneath(beneath::open_dir_path(dir)?.as_fd())
}

fn read_only_beneath(dir: BorrowedFd<'_>) -> io::Result<()> {
    for name in beneath::names(dir)? {
        let stat = beneath::stat_at(dir, &name)?;
        if beneath::is(&stat, libc::S_IFDIR) {
            read_only_beneath(beneath::open_dir(dir, &name)?.as_fd())?;
        } else if beneath::is(&stat, libc::S_IFREG) {
            let file = beneath::open_regular(dir, &name)?;
            let mode = file.metadata()?.permissions().mode() & !0o222;
            file.set_permissions(fs::Permissions::from_mode(mode))?;
        }
    }
    Ok(())
}

fn write_error(path: &Path, source: io::Error) -> ArchiveError {
    ArchiveError::Write {
        path: path.to_path_buf(),
        source,
    }
}

/// Copies `source` to `target`, sharing blocks where the filesystem can
/// (a reflink), so that a multi-gigabyte image costs nothing until written.
pub fn reflink_or_copy(source: &Path, target: &Path) -> io::Result<()> {
    let from = File::open(source)?;
    let to = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(target)?;
    // FICLONE: the whole file as a copy-on-write clone; its number
    // differs between host architectures, libc knows each.
    // SAFETY: both descriptors are open files we own.
    let cloned = unsafe {
        use std::os::fd::AsRawFd;
        libc::ioctl(to.as_raw_fd(), libc::FICLONE, from.as_raw_fd())
    } == 0;
    drop(to);
    if !cloned {
        fs::copy(source, target)?;
    }
    fs::set_permissions(target, fs::Permissions::from_mode(0o644))
}
