//! Archives: tar (plain, gz, xz, zst, bz2), zip, cpio (newc, plain or
//! compressed) and deb (ar, then its `data.tar.*`), extracted whole or one
//! member at a time. The format is guessed from the name or given.
//!
//! An archive is untrusted input, so every format goes through the same
//! checks, ours rather than each crate's: an entry with `..` or an absolute
//! path, a device node or a FIFO is refused with an error naming it; a
//! symlink or hard link that, resolved on disk by the kernel through the
//! links placed before it (`beneath`), leads outside the target is refused
//! as an `Escape`; no entry is written through a symlink the archive
//! placed; and the bytes written are capped (`uncompress::max_size`), so a
//! bomb stops with an error.

use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::fmt;
use std::fs::{self, File};
use std::io::{self, Read};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Component, Path, PathBuf};

use super::beneath::{self, Beneath, Blocked};
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
    /// A symlink or hard link that, resolved on disk through the links the
    /// archive placed before it, leads outside the target directory.
    #[error("`{}`: refusing entry {entry:?}: {link} leads outside `{}`", archive.display(), target.display())]
    Escape {
        archive: PathBuf,
        entry: String,
        /// What it is and where it points: `symlink to "x/.."`.
        link: String,
        target: PathBuf,
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
    #[error("cannot write `{}`: {source}", path.display())]
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
    let beneath = Beneath::open(target).map_err(|source| ArchiveError::Write {
        path: target.to_path_buf(),
        source,
    })?;
    let mut sink = Sink {
        archive: archive.to_path_buf(),
        format,
        root: target.to_path_buf(),
        beneath,
        written: 0,
        limit,
        links: HashMap::new(),
        symlinks: Vec::new(),
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
    sink.check_symlinks()?;
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

/// Where entries are written, with the checks every format shares. Every
/// entry is reached from the target's descriptor, never by joining its
/// name to the target's path, so what the checks saw is what is written.
struct Sink {
    archive: PathBuf,
    format: Format,
    root: PathBuf,
    beneath: Beneath,
    written: u64,
    limit: u64,
    /// cpio hard links: the first path seen for an inode.
    links: HashMap<(u32, u32), PathBuf>,
    /// Each symlink placed (path, entry name, text): checked again once all
    /// are placed, since a later link can change where an earlier one leads
    /// (`y -> x/..` placed before `x -> .`).
    symlinks: Vec<(PathBuf, Vec<u8>, Vec<u8>)>,
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
            Kind::Dir => self.directory(path, &entry.path).map(drop),
            Kind::File { mode } => {
                let (dir, name) = self.prepare(path, &entry.path)?;
                if let Some(inode) = entry.cpio_inode
                    && let Some(first) = self.links.get(&inode).cloned()
                {
                    // Later names of a cpio hard link carry the data; the
                    // earlier ones were empty.
                    let (first_dir, first_name) = self.place(&first, &entry.path)?;
                    self.write_file(first_dir.as_fd(), first_name, &first, *mode, data)?;
                    return beneath::link_at(first_dir.as_fd(), first_name, dir.as_fd(), name)
                        .map_err(|source| self.write_error(path, source));
                }
                if let Some(inode) = entry.cpio_inode {
                    self.links.insert(inode, path.to_path_buf());
                }
                self.write_file(dir.as_fd(), name, path, *mode, data)
            }
            Kind::Symlink(link) => {
                let (dir, name) = self.prepare(path, &entry.path)?;
                self.check_symlink_text(path, link, &entry.path)?;
                beneath::symlink_at(link, dir.as_fd(), name)
                    .map_err(|source| self.write_error(path, source))?;
                if self.leaves(path) {
                    // Not even a symlink that leads out stays behind.
                    let _ = beneath::unlink_at(dir.as_fd(), name);
                    return Err(self.escape(&entry.path, "symlink to", link));
                }
                self.symlinks
                    .push((path.to_path_buf(), entry.path.clone(), link.clone()));
                Ok(())
            }
            Kind::HardLink(link) => {
                let (dir, name) = self.prepare(path, &entry.path)?;
                let (source_dir, source_name) = self.link_source(link, &entry.path)?;
                beneath::link_at(source_dir.as_fd(), &source_name, dir.as_fd(), name)
                    .map_err(|source| self.write_error(path, source))
            }
        }
    }

    /// Once every entry is placed: no symlink leads outside the target.
    fn check_symlinks(&self) -> Result<(), ArchiveError> {
        for (path, raw, link) in &self.symlinks {
            if self.leaves(path) {
                return Err(self.escape(raw, "symlink to", link));
            }
        }
        Ok(())
    }

    /// Whether resolving `path` on disk, through every link placed so far,
    /// leaves the target. A path that does not resolve yet (missing, a
    /// loop) reaches nothing: `check_symlinks` sees the finished tree.
    fn leaves(&self, path: &Path) -> bool {
        self.beneath
            .resolve(path.as_os_str().as_bytes())
            .is_err_and(|err| err.raw_os_error() == Some(libc::EXDEV))
    }

    /// The directory of a hard link's source and its name there: a regular
    /// file the archive placed, reached beneath the target.
    fn link_source(&self, link: &[u8], raw: &[u8]) -> Result<(OwnedFd, OsString), ArchiveError> {
        let escape = || self.escape(raw, "hard link to", link);
        let no_file = || {
            self.unsafe_entry(
                raw,
                format!(
                    "hard link to {:?}, which is no file extracted before it",
                    String::from_utf8_lossy(link)
                ),
            )
        };
        if self.leaves(Path::new(OsStr::from_bytes(link))) {
            return Err(escape());
        }
        let text = link.strip_suffix(b"/").unwrap_or(link);
        let (parent, name): (&[u8], &[u8]) = match text.iter().rposition(|byte| *byte == b'/') {
            Some(0) => (b"/", &text[1..]),
            Some(slash) => (&text[..slash], &text[slash + 1..]),
            None => (b".", text),
        };
        let dir = match self.beneath.resolve(parent) {
            Ok(dir) => dir,
            Err(err) if err.raw_os_error() == Some(libc::EXDEV) => return Err(escape()),
            Err(_) => return Err(no_file()),
        };
        let name = OsStr::from_bytes(name);
        match beneath::stat_at(dir.as_fd(), name) {
            Ok(stat) if beneath::is(&stat, libc::S_IFREG) => Ok((dir, name.to_owned())),
            _ => Err(no_file()),
        }
    }

    /// Checks the entry's parents, creates them, and clears its place: an
    /// earlier regular file of the same name is replaced, anything else is
    /// refused. Returns the parent's descriptor and the entry's name in it.
    fn prepare<'p>(
        &self,
        path: &'p Path,
        raw: &[u8],
    ) -> Result<(OwnedFd, &'p OsStr), ArchiveError> {
        let (dir, name) = self.place(path, raw)?;
        match beneath::stat_at(dir.as_fd(), name) {
            Ok(stat) if beneath::is(&stat, libc::S_IFREG) => beneath::unlink_at(dir.as_fd(), name)
                .map_err(|source| self.write_error(path, source))?,
            Ok(stat) if beneath::is(&stat, libc::S_IFLNK) => {
                return Err(self.unsafe_entry(
                    raw,
                    "it would replace a symlink the archive placed".to_owned(),
                ));
            }
            Ok(_) => return Err(self.unsafe_entry(raw, "a directory is already there".to_owned())),
            Err(_) => {}
        }
        Ok((dir, name))
    }

    /// The parent directory of `path` (created) and the name in it.
    fn place<'p>(&self, path: &'p Path, raw: &[u8]) -> Result<(OwnedFd, &'p OsStr), ArchiveError> {
        let dir = self.directory(path.parent().unwrap_or(Path::new("")), raw)?;
        Ok((dir, path.file_name().unwrap_or_default()))
    }

    /// The directory `path`, created where missing, through no symlink
    /// (the archive's own) and no file.
    fn directory(&self, path: &Path, raw: &[u8]) -> Result<OwnedFd, ArchiveError> {
        self.beneath
            .make_dirs(path)
            .map_err(|blocked| match blocked {
                Blocked::Symlink(prefix) => self.unsafe_entry(
                    raw,
                    format!(
                        "it would be written through {}, a symlink the archive placed",
                        prefix.display()
                    ),
                ),
                Blocked::NotDir(prefix) => {
                    self.unsafe_entry(raw, format!("{} is not a directory", prefix.display()))
                }
                Blocked::Io(prefix, source) => self.write_error(&prefix, source),
            })
    }

    /// A symlink's text alone: absolute, or more `..` than its depth, it
    /// leaves whatever is on disk. (Links through other links are judged
    /// on disk, by `leaves`.)
    fn check_symlink_text(&self, path: &Path, link: &[u8], raw: &[u8]) -> Result<(), ArchiveError> {
        if link.first() == Some(&b'/') {
            return Err(self.escape(raw, "symlink to the absolute path", link));
        }
        let mut depth: usize = path.components().count() - 1;
        for component in Path::new(OsStr::from_bytes(link)).components() {
            match component {
                Component::ParentDir if depth == 0 => {
                    return Err(self.escape(raw, "symlink to", link));
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
        dir: BorrowedFd<'_>,
        name: &OsStr,
        path: &Path,
        mode: u32,
        data: &mut dyn Read,
    ) -> Result<(), ArchiveError> {
        let mut file =
            beneath::create_file(dir, name).map_err(|source| self.write_error(path, source))?;
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
            CopyError::Write(source) => self.write_error(path, source),
        })?;
        self.written += written;
        // Only permission bits: no setuid, setgid or sticky from an archive.
        let mode = (mode & 0o777) | 0o400;
        file.set_permissions(fs::Permissions::from_mode(mode))
            .map_err(|source| self.write_error(path, source))
    }

    fn write_error(&self, path: &Path, source: io::Error) -> ArchiveError {
        ArchiveError::Write {
            path: self.root.join(path),
            source,
        }
    }

    fn escape(&self, raw: &[u8], what: &'static str, link: &[u8]) -> ArchiveError {
        ArchiveError::Escape {
            archive: self.archive.clone(),
            entry: String::from_utf8_lossy(raw).into_owned(),
            link: format!("{what} {:?}", String::from_utf8_lossy(link)),
            target: self.root.clone(),
        }
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
