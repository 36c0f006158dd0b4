//! Archives: tar (plain, gz, xz, zst, bz2), zip, cpio (newc, plain or
//! compressed) and deb (ar, then its `data.tar.*`), extracted whole or one
//! member at a time. The format is guessed from the name or given.
//!
//! An archive is untrusted input, so every format goes through the same
//! checks, ours rather than each crate's: an entry with `..` or an absolute
//! path, a symlink or hard link that resolves outside the target, a device
//! node or a FIFO is refused with an error naming it; no entry is written
//! through a symlink the archive placed; and the bytes written are capped
//! (`uncompress::max_size`), so a bomb stops with an error.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};

use super::uncompress::{Compression, CopyError, UncompressError, copy_limited};

/// An archive format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Tar(Option<Compression>),
    Zip,
    Cpio(Option<Compression>),
    Deb,
}

impl Format {
    /// The format a file name or URL says: `.tar`, `.tar.gz`, `.tgz`,
    /// `.tar.xz`, `.txz`, `.tar.zst`, `.tar.bz2`, `.zip`, `.cpio`,
    /// `.cpio.gz` (and other compressions), `.deb`, `.udeb`.
    pub fn from_name(name: &str) -> Option<Format> {
        let name = name.split(['?', '#']).next().unwrap_or(name);
        let file = name.rsplit('/').next().unwrap_or(name);
        let compression = Compression::from_name(file);
        let stem = match compression {
            Some(_) => Compression::strip(file),
            None => file,
        };
        if file.ends_with(".tgz")
            || file.ends_with(".txz")
            || file.ends_with(".tzst")
            || file.ends_with(".tbz2")
        {
            return Some(Format::Tar(compression));
        }
        if stem.ends_with(".tar") {
            Some(Format::Tar(compression))
        } else if stem.ends_with(".cpio") {
            Some(Format::Cpio(compression))
        } else if compression.is_none() && file.ends_with(".zip") {
            Some(Format::Zip)
        } else if compression.is_none() && (file.ends_with(".deb") || file.ends_with(".udeb")) {
            Some(Format::Deb)
        } else {
            None
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Format::Tar(None) => f.write_str("tar"),
            Format::Tar(Some(compression)) => write!(f, "tar.{compression}"),
            Format::Zip => f.write_str("zip"),
            Format::Cpio(None) => f.write_str("cpio"),
            Format::Cpio(Some(compression)) => write!(f, "cpio.{compression}"),
            Format::Deb => f.write_str("deb"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("cannot tell the archive format of `{name}` from its name: say which it is")]
    UnknownFormat { name: String },
    #[error("`{}`: refusing entry {entry:?}: {reason}", archive.display())]
    Unsafe {
        archive: PathBuf,
        entry: String,
        reason: String,
    },
    #[error("`{}` has no member {member:?}{}", archive.display(), listing(first_entries))]
    NoSuchMember {
        archive: PathBuf,
        member: String,
        first_entries: Vec<String>,
    },
    #[error("`{}` is not a valid {format} archive: {reason}", archive.display())]
    Corrupt {
        archive: PathBuf,
        format: Format,
        reason: String,
    },
    #[error("`{}` expands to more than {limit} bytes (QEMU_TEST_MAX_EXTRACT_SIZE): stopped, as a decompression bomb", archive.display())]
    TooBig { archive: PathBuf, limit: u64 },
    #[error(transparent)]
    Uncompress(#[from] UncompressError),
    #[error("cannot write `{}`", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

fn listing(entries: &[String]) -> String {
    if entries.is_empty() {
        String::new()
    } else {
        format!("; it starts with {}", entries.join(", "))
    }
}

/// The names of the entries of an archive, normalised (no leading `./`).
pub fn list(archive: &Path, format: Format) -> Result<Vec<String>, ArchiveError> {
    let mut names = Vec::new();
    walk(archive, format, &mut |entry, _| {
        if let Ok(Some(path)) = normalise(&entry.path) {
            names.push(path.to_string_lossy().into_owned());
        }
        Ok(Walk::Continue)
    })?;
    Ok(names)
}

/// The first entry whose name starts with `prefix`, read no further than
/// it: a kernel found by pattern at the start of a large package.
pub fn find(archive: &Path, format: Format, prefix: &str) -> Result<Option<String>, ArchiveError> {
    let mut found = None;
    walk(archive, format, &mut |entry, _| {
        if let Ok(Some(path)) = normalise(&entry.path) {
            let name = path.to_string_lossy();
            if name.starts_with(prefix) {
                found = Some(name.into_owned());
                return Ok(Walk::Stop);
            }
        }
        Ok(Walk::Continue)
    })?;
    Ok(found)
}

/// Extracts the whole archive, or the one `member`, into the directory
/// `target`, which must be empty. Returns the path of the member, or
/// `target`. On error, `target` may hold part of the archive: callers
/// extract into a temporary directory and rename it when done.
pub fn extract(
    archive: &Path,
    target: &Path,
    format: Format,
    member: Option<&str>,
    limit: u64,
) -> Result<PathBuf, ArchiveError> {
    let wanted = match member {
        Some(member) => Some(normalise(member.as_bytes()).ok().flatten().ok_or_else(|| {
            ArchiveError::Unsafe {
                archive: archive.to_path_buf(),
                entry: member.to_owned(),
                reason: "not a relative path inside the archive".to_owned(),
            }
        })?),
        None => None,
    };
    let mut sink = Sink {
        archive: archive.to_path_buf(),
        format,
        root: target.to_path_buf(),
        written: 0,
        limit,
        links: HashMap::new(),
    };
    let mut found = false;
    let mut first_entries = Vec::new();
    walk(archive, format, &mut |entry, data| {
        let path =
            normalise(&entry.path).map_err(|reason| sink.unsafe_entry(&entry.path, reason))?;
        let Some(path) = path else {
            return Ok(Walk::Continue);
        };
        if first_entries.len() < 5 {
            first_entries.push(path.to_string_lossy().into_owned());
        }
        if let Some(wanted) = &wanted {
            if &path != wanted {
                return Ok(Walk::Continue);
            }
            found = true;
        }
        sink.accept(&path, &entry, data)?;
        Ok(if wanted.is_some() {
            Walk::Stop
        } else {
            Walk::Continue
        })
    })?;
    match (wanted, found) {
        (Some(member), true) => Ok(target.join(member)),
        (Some(_), false) => Err(ArchiveError::NoSuchMember {
            archive: archive.to_path_buf(),
            member: member.unwrap_or_default().to_owned(),
            first_entries,
        }),
        (None, _) => Ok(target.to_path_buf()),
    }
}

/// What an entry is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    File {
        mode: u32,
    },
    Dir,
    Symlink(Vec<u8>),
    HardLink(Vec<u8>),
    /// A device node, FIFO, socket or an entry type we do not know.
    Special(&'static str),
}

#[derive(Debug)]
struct Entry {
    path: Vec<u8>,
    kind: Kind,
    /// cpio marks hard links by inode number.
    cpio_inode: Option<(u32, u32)>,
}

enum Walk {
    Continue,
    Stop,
}

type Visitor<'a> = dyn FnMut(Entry, &mut dyn Read) -> Result<Walk, ArchiveError> + 'a;

/// Calls `visit` with each entry and its data, in archive order.
fn walk(archive: &Path, format: Format, visit: &mut Visitor<'_>) -> Result<(), ArchiveError> {
    let file = File::open(archive).map_err(|source| UncompressError::Read {
        path: archive.to_path_buf(),
        source,
    })?;
    let corrupt = |reason: String| ArchiveError::Corrupt {
        archive: archive.to_path_buf(),
        format,
        reason,
    };
    match format {
        Format::Tar(compression) => walk_tar(
            decompressed(file, compression).map_err(|err| corrupt(err.to_string()))?,
            visit,
            &corrupt,
        ),
        Format::Cpio(compression) => walk_cpio(
            decompressed(file, compression).map_err(|err| corrupt(err.to_string()))?,
            visit,
            &corrupt,
        ),
        Format::Zip => walk_zip(file, visit, &corrupt),
        Format::Deb => walk_deb(file, visit, &corrupt),
    }
}

fn decompressed(file: File, compression: Option<Compression>) -> io::Result<Box<dyn Read>> {
    match compression {
        Some(compression) => compression.decoder(file),
        None => Ok(Box::new(io::BufReader::with_capacity(256 * 1024, file))),
    }
}

fn walk_tar(
    reader: impl Read,
    visit: &mut Visitor<'_>,
    corrupt: &dyn Fn(String) -> ArchiveError,
) -> Result<(), ArchiveError> {
    let mut archive = tar::Archive::new(reader);
    for entry in archive.entries().map_err(|err| corrupt(err.to_string()))? {
        let mut entry = entry.map_err(|err| corrupt(err.to_string()))?;
        let path = entry.path_bytes().into_owned();
        let header = entry.header();
        let link = || {
            entry
                .link_name_bytes()
                .map(|name| name.into_owned())
                .unwrap_or_default()
        };
        let kind = match header.entry_type() {
            tar::EntryType::Regular | tar::EntryType::Continuous => Kind::File {
                mode: header.mode().unwrap_or(0o644),
            },
            tar::EntryType::Directory => Kind::Dir,
            tar::EntryType::Symlink => Kind::Symlink(link()),
            tar::EntryType::Link => Kind::HardLink(link()),
            tar::EntryType::Char | tar::EntryType::Block => Kind::Special("a device node"),
            tar::EntryType::Fifo => Kind::Special("a FIFO"),
            tar::EntryType::XGlobalHeader | tar::EntryType::XHeader => continue,
            _ => Kind::Special("an entry type this extractor does not handle"),
        };
        let entry_info = Entry {
            path,
            kind,
            cpio_inode: None,
        };
        if let Walk::Stop = visit(entry_info, &mut entry)? {
            return Ok(());
        }
    }
    Ok(())
}

fn walk_cpio(
    mut reader: Box<dyn Read>,
    visit: &mut Visitor<'_>,
    corrupt: &dyn Fn(String) -> ArchiveError,
) -> Result<(), ArchiveError> {
    loop {
        let mut entry = cpio::newc::Reader::new(reader).map_err(|err| corrupt(err.to_string()))?;
        if entry.entry().is_trailer() {
            return Ok(());
        }
        let header = entry.entry();
        let (mode, name) = (header.mode(), header.name().as_bytes().to_vec());
        let linked = header.nlink() > 1;
        let inode = (header.dev_major(), header.ino());
        let kind = match mode & 0o170_000 {
            0o100_000 => Kind::File { mode },
            0o040_000 => Kind::Dir,
            0o120_000 => Kind::Symlink(link_target(&mut entry, corrupt)?),
            0o020_000 | 0o060_000 => Kind::Special("a device node"),
            0o010_000 => Kind::Special("a FIFO"),
            0o140_000 => Kind::Special("a socket"),
            _ => Kind::Special("an entry type this extractor does not handle"),
        };
        let cpio_inode = (linked && matches!(kind, Kind::File { .. })).then_some(inode);
        let info = Entry {
            path: name,
            kind,
            cpio_inode,
        };
        let stop = matches!(visit(info, &mut entry)?, Walk::Stop);
        reader = entry.finish().map_err(|err| corrupt(err.to_string()))?;
        if stop {
            return Ok(());
        }
    }
}

fn walk_zip(
    file: File,
    visit: &mut Visitor<'_>,
    corrupt: &dyn Fn(String) -> ArchiveError,
) -> Result<(), ArchiveError> {
    let mut archive = zip::ZipArchive::new(file).map_err(|err| corrupt(err.to_string()))?;
    for index in 0..archive.len() {
        let mut entry = archive
            .by_index(index)
            .map_err(|err| corrupt(err.to_string()))?;
        let path = entry.name_raw().to_vec();
        let mode = entry.unix_mode().unwrap_or(0o644);
        let kind = if entry.is_dir() {
            Kind::Dir
        } else if mode & 0o170_000 == 0o120_000 {
            Kind::Symlink(link_target(&mut entry, corrupt)?)
        } else if matches!(mode & 0o170_000, 0 | 0o100_000) {
            Kind::File { mode }
        } else {
            Kind::Special("a special file")
        };
        let info = Entry {
            path,
            kind,
            cpio_inode: None,
        };
        if let Walk::Stop = visit(info, &mut entry)? {
            return Ok(());
        }
    }
    Ok(())
}

/// cpio and zip keep a symlink's target as its data.
fn link_target(
    entry: &mut dyn Read,
    corrupt: &dyn Fn(String) -> ArchiveError,
) -> Result<Vec<u8>, ArchiveError> {
    let mut target = Vec::new();
    entry
        .take(4096)
        .read_to_end(&mut target)
        .map_err(|err| corrupt(err.to_string()))?;
    Ok(target)
}

/// A .deb is an ar archive whose `data.tar.*` member holds the files.
fn walk_deb(
    file: File,
    visit: &mut Visitor<'_>,
    corrupt: &dyn Fn(String) -> ArchiveError,
) -> Result<(), ArchiveError> {
    let mut archive = ar::Archive::new(file);
    while let Some(member) = archive.next_entry() {
        let member = member.map_err(|err| corrupt(err.to_string()))?;
        let name = String::from_utf8_lossy(member.header().identifier()).into_owned();
        let Some(rest) = name.strip_prefix("data.tar") else {
            continue;
        };
        let compression = match rest {
            "" => None,
            rest => Some(
                Compression::from_name(rest)
                    .ok_or_else(|| corrupt(format!("unknown data member {name}")))?,
            ),
        };
        let data: Box<dyn Read + '_> = match compression {
            Some(compression) => compression
                .decoder(member)
                .map_err(|err| corrupt(err.to_string()))?,
            None => Box::new(member),
        };
        return walk_tar(data, visit, corrupt);
    }
    Err(corrupt("no data.tar member".to_owned()))
}

/// An entry name made relative and clean: `./a/b` → `a/b`. `..` and
/// absolute paths are refused; `Ok(None)` is the root itself.
fn normalise(raw: &[u8]) -> Result<Option<PathBuf>, String> {
    if raw.first() == Some(&b'/') {
        return Err("absolute path".to_owned());
    }
    let mut clean = PathBuf::new();
    for component in Path::new(OsStr::from_bytes(raw)).components() {
        match component {
            Component::Normal(part) => clean.push(part),
            Component::CurDir => {}
            Component::ParentDir => return Err("`..` in its path".to_owned()),
            Component::RootDir | Component::Prefix(_) => return Err("absolute path".to_owned()),
        }
    }
    Ok((!clean.as_os_str().is_empty()).then_some(clean))
}

/// Where entries are written, with the checks every format shares.
struct Sink {
    archive: PathBuf,
    format: Format,
    root: PathBuf,
    written: u64,
    limit: u64,
    /// cpio hard links: the first path seen for an inode.
    links: HashMap<(u32, u32), PathBuf>,
}

impl Sink {
    fn accept(
        &mut self,
        path: &Path,
        entry: &Entry,
        data: &mut dyn Read,
    ) -> Result<(), ArchiveError> {
        match &entry.kind {
            Kind::Special(what) => Err(self.unsafe_entry(&entry.path, format!("it is {what}"))),
            Kind::Dir => {
                self.check_parents(path, &entry.path)?;
                let dir = self.root.join(path);
                if fs::symlink_metadata(&dir).is_ok_and(|meta| meta.file_type().is_symlink()) {
                    return Err(self.unsafe_entry(
                        &entry.path,
                        "a directory where the archive put a symlink".to_owned(),
                    ));
                }
                fs::create_dir_all(&dir).map_err(|source| ArchiveError::Write { path: dir, source })
            }
            Kind::File { mode } => {
                let target = self.prepare(path, &entry.path)?;
                if let Some(inode) = entry.cpio_inode
                    && let Some(first) = self.links.get(&inode).cloned()
                {
                    // Later names of a cpio hard link carry the data; the
                    // earlier ones were empty.
                    self.write_file(&self.root.join(&first), *mode, data)?;
                    return fs::hard_link(self.root.join(&first), &target).map_err(|source| {
                        ArchiveError::Write {
                            path: target,
                            source,
                        }
                    });
                }
                if let Some(inode) = entry.cpio_inode {
                    self.links.insert(inode, path.to_path_buf());
                }
                self.write_file(&target, *mode, data)
            }
            Kind::Symlink(link) => {
                let target = self.prepare(path, &entry.path)?;
                self.check_symlink(path, link, &entry.path)?;
                std::os::unix::fs::symlink(OsStr::from_bytes(link), &target).map_err(|source| {
                    ArchiveError::Write {
                        path: target,
                        source,
                    }
                })
            }
            Kind::HardLink(link) => {
                let target = self.prepare(path, &entry.path)?;
                let original = normalise(link)
                    .ok()
                    .flatten()
                    .map(|original| self.root.join(original))
                    .filter(|original| {
                        fs::symlink_metadata(original).is_ok_and(|meta| meta.is_file())
                    })
                    .ok_or_else(|| {
                        self.unsafe_entry(
                            &entry.path,
                            format!(
                                "hard link to {:?}, which is no file extracted before it",
                                String::from_utf8_lossy(link)
                            ),
                        )
                    })?;
                fs::hard_link(&original, &target).map_err(|source| ArchiveError::Write {
                    path: target,
                    source,
                })
            }
        }
    }

    /// Checks the entry's parents, creates them, and clears its place: an
    /// earlier regular file of the same name is replaced, anything else is
    /// refused.
    fn prepare(&self, path: &Path, raw: &[u8]) -> Result<PathBuf, ArchiveError> {
        self.check_parents(path, raw)?;
        let target = self.root.join(path);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(|source| ArchiveError::Write {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        match fs::symlink_metadata(&target) {
            Ok(meta) if meta.is_file() => {
                fs::remove_file(&target).map_err(|source| ArchiveError::Write {
                    path: target.clone(),
                    source,
                })?
            }
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(self.unsafe_entry(
                    raw,
                    "it would replace a symlink the archive placed".to_owned(),
                ));
            }
            Ok(_) => return Err(self.unsafe_entry(raw, "a directory is already there".to_owned())),
            Err(_) => {}
        }
        Ok(target)
    }

    /// No parent of the entry may be a symlink (the archive's own) or a
    /// file.
    fn check_parents(&self, path: &Path, raw: &[u8]) -> Result<(), ArchiveError> {
        let mut prefix = self.root.clone();
        let components: Vec<_> = path.components().collect();
        for component in &components[..components.len().saturating_sub(1)] {
            prefix.push(component);
            match fs::symlink_metadata(&prefix) {
                Ok(meta) if meta.file_type().is_symlink() => {
                    return Err(self.unsafe_entry(
                        raw,
                        format!(
                            "it would be written through {}, a symlink the archive placed",
                            prefix.strip_prefix(&self.root).unwrap_or(&prefix).display()
                        ),
                    ));
                }
                Ok(meta) if !meta.is_dir() => {
                    return Err(
                        self.unsafe_entry(raw, format!("{} is not a directory", prefix.display()))
                    );
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// A symlink must resolve inside the target, judged on its text.
    fn check_symlink(&self, path: &Path, link: &[u8], raw: &[u8]) -> Result<(), ArchiveError> {
        let text = String::from_utf8_lossy(link).into_owned();
        if link.first() == Some(&b'/') {
            return Err(self.unsafe_entry(
                raw,
                format!("symlink to the absolute path {text:?}, outside the target"),
            ));
        }
        let mut depth: usize = path.components().count() - 1;
        for component in Path::new(OsStr::from_bytes(link)).components() {
            match component {
                Component::ParentDir if depth == 0 => {
                    return Err(self.unsafe_entry(
                        raw,
                        format!("symlink to {text:?}, which leaves the target"),
                    ));
                }
                Component::ParentDir => depth -= 1,
                Component::Normal(_) => depth += 1,
                _ => {}
            }
        }
        Ok(())
    }

    fn write_file(
        &mut self,
        target: &Path,
        mode: u32,
        data: &mut dyn Read,
    ) -> Result<(), ArchiveError> {
        let mut file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .custom_flags(libc::O_NOFOLLOW)
            .open(target)
            .map_err(|source| ArchiveError::Write {
                path: target.to_path_buf(),
                source,
            })?;
        let left = self.limit.saturating_sub(self.written);
        let written = copy_limited(data, &mut file, left).map_err(|err| match err {
            CopyError::TooBig => ArchiveError::TooBig {
                archive: self.archive.clone(),
                limit: self.limit,
            },
            CopyError::Read(err) => ArchiveError::Corrupt {
                archive: self.archive.clone(),
                format: self.format,
                reason: err.to_string(),
            },
            CopyError::Write(source) => ArchiveError::Write {
                path: target.to_path_buf(),
                source,
            },
        })?;
        self.written += written;
        // Only permission bits: no setuid, setgid or sticky from an archive.
        let mode = (mode & 0o777) | 0o400;
        fs::set_permissions(target, fs::Permissions::from_mode(mode)).map_err(|source| {
            ArchiveError::Write {
                path: target.to_path_buf(),
                source,
            }
        })
    }

    fn unsafe_entry(&self, raw: &[u8], reason: String) -> ArchiveError {
        ArchiveError::Unsafe {
            archive: self.archive.clone(),
            entry: String::from_utf8_lossy(raw).into_owned(),
            reason,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_say_the_format() {
        let cases = [
            (
                "https://x/day18.tar.xz",
                Some(Format::Tar(Some(Compression::Xz))),
            ),
            ("a.tgz", Some(Format::Tar(Some(Compression::Gzip)))),
            ("a.tar", Some(Format::Tar(None))),
            ("a.tar.zst", Some(Format::Tar(Some(Compression::Zstd)))),
            ("a.tar.bz2", Some(Format::Tar(Some(Compression::Bzip2)))),
            ("a.zip", Some(Format::Zip)),
            (
                "initrd.cpio.gz",
                Some(Format::Cpio(Some(Compression::Gzip))),
            ),
            ("a.cpio", Some(Format::Cpio(None))),
            ("linux-image.deb", Some(Format::Deb)),
            ("x.udeb", Some(Format::Deb)),
            ("vmlinux.xz", None),
            ("disk.img", None),
        ];
        for (name, format) in cases {
            assert_eq!(Format::from_name(name), format, "{name}");
        }
    }

    #[test]
    fn entry_names_are_cleaned_or_refused() {
        assert_eq!(
            normalise(b"./boot/vmlinuz").unwrap(),
            Some(PathBuf::from("boot/vmlinuz"))
        );
        assert_eq!(normalise(b"./").unwrap(), None);
        assert!(normalise(b"../../etc/x").unwrap_err().contains(".."));
        assert!(normalise(b"a/../../b").is_err());
        assert!(normalise(b"/abs").unwrap_err().contains("absolute"));
    }
}
