//! Creating files beneath a directory, resolved by the kernel: every path
//! an archive names is reached from the target's directory descriptor,
//! never as a string joined to it, so a chain of links that climbs out
//! (`x -> .`, `y -> x/..`) meets `EXDEV` instead of the file it names.
//!
//! Paths that may follow symlinks (the source of a hard link, the place a
//! symlink points to) go through `openat2(2)` with `RESOLVE_BENEATH`; on a
//! kernel without it, a walk of one component at a time, each opened with
//! `O_NOFOLLOW` and symlinks expanded by hand, gives the same answer.
//! Directories an entry is written into are walked component by component
//! with `O_NOFOLLOW`, through no symlink at all, and the entry itself is
//! made with the `*at` calls relative to its parent's descriptor.

use std::collections::VecDeque;
use std::ffi::{CString, OsStr, OsString};
use std::fs::File;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Component, Path, PathBuf};

/// The most symlinks one resolution follows, as the kernel's own limit.
const MAX_SYMLINKS: usize = 40;

/// A directory that files are created beneath.
#[derive(Debug)]
pub struct Beneath {
    root: OwnedFd,
}

/// Why a directory could not be reached without following a symlink.
#[derive(Debug)]
pub enum Blocked {
    /// This prefix of the path is a symlink.
    Symlink(PathBuf),
    /// This prefix of the path is neither a directory nor missing.
    NotDir(PathBuf),
    /// The system refused at this prefix.
    Io(PathBuf, io::Error),
}

impl Beneath {
    /// Opens the directory `root` (the caller's own path, followed as is).
    pub fn open(root: &Path) -> io::Result<Beneath> {
        let root = open_at(
            libc::AT_FDCWD,
            root.as_os_str(),
            libc::O_PATH | libc::O_DIRECTORY,
        )?;
        Ok(Beneath { root })
    }

    /// The directory `path` beneath the root, created where missing and
    /// reached through no symlink. `path` holds plain names only.
    pub fn make_dirs(&self, path: &Path) -> Result<OwnedFd, Blocked> {
        let mut current = dup(self.root.as_fd()).map_err(|err| Blocked::Io(PathBuf::new(), err))?;
        let mut prefix = PathBuf::new();
        for component in path.components() {
            let Component::Normal(name) = component else {
                return Err(Blocked::Io(
                    prefix,
                    io::Error::new(io::ErrorKind::InvalidInput, "not a plain name"),
                ));
            };
            prefix.push(name);
            let blocked = |err| Blocked::Io(prefix.clone(), err);
            match stat_at(current.as_fd(), name) {
                Ok(stat) if is(&stat, libc::S_IFLNK) => return Err(Blocked::Symlink(prefix)),
                Ok(stat) if !is(&stat, libc::S_IFDIR) => return Err(Blocked::NotDir(prefix)),
                Ok(_) => {}
                Err(err) if err.raw_os_error() == Some(libc::ENOENT) => {
                    let name = c_name(name).map_err(blocked)?;
                    // SAFETY: a valid descriptor and a NUL-terminated name.
                    let made = unsafe { libc::mkdirat(current.as_raw_fd(), name.as_ptr(), 0o755) };
                    if made != 0 {
                        let err = io::Error::last_os_error();
                        if err.raw_os_error() != Some(libc::EEXIST) {
                            return Err(blocked(err));
                        }
                    }
                }
                Err(err) => return Err(blocked(err)),
            }
            current = open_at(
                current.as_raw_fd(),
                name,
                libc::O_PATH | libc::O_DIRECTORY | libc::O_NOFOLLOW,
            )
            .map_err(|err| match err.raw_os_error() {
                Some(libc::ELOOP) => Blocked::Symlink(prefix.clone()),
                Some(libc::ENOTDIR) => Blocked::NotDir(prefix.clone()),
                _ => Blocked::Io(prefix.clone(), err),
            })?;
        }
        Ok(current)
    }

    /// Opens (`O_PATH`) what `path` names, following symlinks as long as
    /// every step stays beneath the root: `EXDEV` when one leaves it.
    /// `path` is an archive's text: `..`, `.` and a leading `/` included.
    pub fn resolve(&self, path: &[u8]) -> io::Result<OwnedFd> {
        match resolve_by_kernel(self.root.as_fd(), path) {
            Err(err) if err.raw_os_error() == Some(libc::ENOSYS) => {
                resolve_by_walk(self.root.as_fd(), path)
            }
            resolved => resolved,
        }
    }
}

/// `lstat` of `name` in `dir`.
pub fn stat_at(dir: BorrowedFd<'_>, name: &OsStr) -> io::Result<libc::stat> {
    let name = c_name(name)?;
    // SAFETY: `stat` is plain data the call fills in.
    let mut stat: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: a valid descriptor, a NUL-terminated name, a stat to fill.
    let done = unsafe {
        libc::fstatat(
            dir.as_raw_fd(),
            name.as_ptr(),
            &mut stat,
            libc::AT_SYMLINK_NOFOLLOW,
        )
    };
    if done == 0 {
        Ok(stat)
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Whether `stat` is of the file type `kind` (`S_IFDIR`, `S_IFLNK`, ...).
pub fn is(stat: &libc::stat, kind: libc::mode_t) -> bool {
    stat.st_mode & libc::S_IFMT == kind
}

/// Opens the regular file `name` in `dir` for writing, created or
/// truncated, never through a symlink in its place.
pub fn create_file(dir: BorrowedFd<'_>, name: &OsStr) -> io::Result<File> {
    open_at(
        dir.as_raw_fd(),
        name,
        libc::O_WRONLY | libc::O_CREAT | libc::O_TRUNC | libc::O_NOFOLLOW,
    )
    .map(File::from)
}

/// Opens the regular file `name` in `dir` to change its mode, refusing a
/// symlink or anything else in its place.
pub fn open_regular(dir: BorrowedFd<'_>, name: &OsStr) -> io::Result<File> {
    let file = File::from(open_at(
        dir.as_raw_fd(),
        name,
        libc::O_RDONLY | libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY,
    )?);
    if file.metadata()?.is_file() {
        Ok(file)
    } else {
        Err(io::Error::from_raw_os_error(libc::EINVAL))
    }
}

/// Opens the directory `name` in `dir` to read it, never through a symlink.
pub fn open_dir(dir: BorrowedFd<'_>, name: &OsStr) -> io::Result<OwnedFd> {
    open_at(
        dir.as_raw_fd(),
        name,
        libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW,
    )
}

/// Opens the directory at `path` to read it (the caller's own path).
pub fn open_dir_path(path: &Path) -> io::Result<OwnedFd> {
    open_at(
        libc::AT_FDCWD,
        path.as_os_str(),
        libc::O_RDONLY | libc::O_DIRECTORY,
    )
}

/// The names in the directory `dir` (opened to read), without `.` and `..`.
pub fn names(dir: BorrowedFd<'_>) -> io::Result<Vec<OsString>> {
    // fdopendir takes the descriptor over, so it gets a copy of its own.
    let own = dup(dir)?;
    // SAFETY: `own` is a valid descriptor that fdopendir now owns.
    let stream = unsafe { libc::fdopendir(own.as_raw_fd()) };
    if stream.is_null() {
        return Err(io::Error::last_os_error());
    }
    std::mem::forget(own);
    // SAFETY: the stream starts at the top, whoever read `dir` before.
    unsafe { libc::rewinddir(stream) };
    let mut names = Vec::new();
    let result = loop {
        // SAFETY: errno is thread-local; clearing it tells an error from the end.
        unsafe { *libc::__errno_location() = 0 };
        // SAFETY: a valid stream; the entry lives until the next call.
        let entry = unsafe { libc::readdir(stream) };
        if entry.is_null() {
            let err = io::Error::last_os_error();
            break match err.raw_os_error() {
                Some(0) | None => Ok(()),
                _ => Err(err),
            };
        }
        // SAFETY: d_name is NUL-terminated within the entry.
        let name = unsafe { std::ffi::CStr::from_ptr((*entry).d_name.as_ptr()) };
        let name = name.to_bytes();
        if name != b"." && name != b".." {
            names.push(OsString::from_vec(name.to_vec()));
        }
    };
    // SAFETY: the stream from fdopendir, closed once.
    unsafe { libc::closedir(stream) };
    result.map(|()| names)
}

/// Makes the symlink `name` in `dir` pointing to `text`.
pub fn symlink_at(text: &[u8], dir: BorrowedFd<'_>, name: &OsStr) -> io::Result<()> {
    let text = CString::new(text).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?;
    let name = c_name(name)?;
    // SAFETY: NUL-terminated strings and a valid descriptor.
    check(unsafe { libc::symlinkat(text.as_ptr(), dir.as_raw_fd(), name.as_ptr()) })
}

/// Makes `to_name` in `to_dir` a hard link to `from_name` in `from_dir`,
/// the name itself, never what a symlink there points to.
pub fn link_at(
    from_dir: BorrowedFd<'_>,
    from_name: &OsStr,
    to_dir: BorrowedFd<'_>,
    to_name: &OsStr,
) -> io::Result<()> {
    let (from_name, to_name) = (c_name(from_name)?, c_name(to_name)?);
    // SAFETY: valid descriptors and NUL-terminated names; flags 0 follows nothing.
    check(unsafe {
        libc::linkat(
            from_dir.as_raw_fd(),
            from_name.as_ptr(),
            to_dir.as_raw_fd(),
            to_name.as_ptr(),
            0,
        )
    })
}

/// Removes the non-directory `name` from `dir`.
pub fn unlink_at(dir: BorrowedFd<'_>, name: &OsStr) -> io::Result<()> {
    let name = c_name(name)?;
    // SAFETY: a valid descriptor and a NUL-terminated name.
    check(unsafe { libc::unlinkat(dir.as_raw_fd(), name.as_ptr(), 0) })
}

fn resolve_by_kernel(root: BorrowedFd<'_>, path: &[u8]) -> io::Result<OwnedFd> {
    let path = CString::new(path).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?;
    // SAFETY: open_how is plain data; zero is "no flags".
    let mut how: libc::open_how = unsafe { std::mem::zeroed() };
    how.flags = (libc::O_PATH | libc::O_CLOEXEC) as u64;
    how.resolve = libc::RESOLVE_BENEATH | libc::RESOLVE_NO_MAGICLINKS;
    loop {
        // SAFETY: a valid descriptor, a NUL-terminated path, and the size
        // of the open_how it points to.
        let fd = unsafe {
            libc::syscall(
                libc::SYS_openat2,
                root.as_raw_fd(),
                path.as_ptr(),
                &how as *const libc::open_how,
                std::mem::size_of::<libc::open_how>(),
            )
        };
        if fd >= 0 {
            // SAFETY: a descriptor the kernel just gave us.
            return Ok(unsafe { OwnedFd::from_raw_fd(fd as i32) });
        }
        let err = io::Error::last_os_error();
        // EAGAIN: a rename elsewhere raced the lookup; asking again is the
        // documented answer.
        if err.raw_os_error() != Some(libc::EAGAIN) {
            return Err(err);
        }
    }
}

/// What `resolve_by_kernel` does, for kernels before 5.6: one component at
/// a time, `..` popping a stack of directories opened on the way down (so
/// it can never rise above the root), and symlinks expanded by hand.
fn resolve_by_walk(root: BorrowedFd<'_>, path: &[u8]) -> io::Result<OwnedFd> {
    let exdev = || io::Error::from_raw_os_error(libc::EXDEV);
    if path.first() == Some(&b'/') {
        return Err(exdev());
    }
    let mut pending: VecDeque<Vec<u8>> = split(path).collect();
    let mut stack: Vec<OwnedFd> = Vec::new();
    let mut followed = 0;
    while let Some(name) = pending.pop_front() {
        let current = stack.last().map_or(root, |dir| dir.as_fd());
        match &name[..] {
            b"." => continue,
            b".." => {
                stack.pop().ok_or_else(exdev)?;
                continue;
            }
            _ => {}
        }
        let name = OsStr::from_bytes(&name);
        let stat = stat_at(current, name)?;
        if is(&stat, libc::S_IFLNK) {
            followed += 1;
            if followed > MAX_SYMLINKS {
                return Err(io::Error::from_raw_os_error(libc::ELOOP));
            }
            let text = read_link_at(current, name)?;
            if text.first() == Some(&b'/') {
                return Err(exdev());
            }
            for part in split(&text).collect::<Vec<_>>().into_iter().rev() {
                pending.push_front(part);
            }
            continue;
        }
        if pending.is_empty() {
            return open_at(current.as_raw_fd(), name, libc::O_PATH | libc::O_NOFOLLOW);
        }
        if !is(&stat, libc::S_IFDIR) {
            return Err(io::Error::from_raw_os_error(libc::ENOTDIR));
        }
        let dir = open_at(
            current.as_raw_fd(),
            name,
            libc::O_PATH | libc::O_DIRECTORY | libc::O_NOFOLLOW,
        )?;
        stack.push(dir);
    }
    dup(stack.last().map_or(root, |dir| dir.as_fd()))
}

fn split(path: &[u8]) -> impl Iterator<Item = Vec<u8>> + '_ {
    path.split(|byte| *byte == b'/')
        .filter(|part| !part.is_empty())
        .map(<[u8]>::to_vec)
}

fn read_link_at(dir: BorrowedFd<'_>, name: &OsStr) -> io::Result<Vec<u8>> {
    let name = c_name(name)?;
    let mut buffer = vec![0u8; libc::PATH_MAX as usize];
    // SAFETY: a valid descriptor, a NUL-terminated name, and a buffer of
    // the length given.
    let length = unsafe {
        libc::readlinkat(
            dir.as_raw_fd(),
            name.as_ptr(),
            buffer.as_mut_ptr().cast(),
            buffer.len(),
        )
    };
    if length < 0 {
        return Err(io::Error::last_os_error());
    }
    buffer.truncate(length as usize);
    Ok(buffer)
}

fn open_at(dir: libc::c_int, name: &OsStr, flags: libc::c_int) -> io::Result<OwnedFd> {
    let name = c_name(name)?;
    // SAFETY: a valid descriptor (or AT_FDCWD) and a NUL-terminated name;
    // the mode matters only with O_CREAT.
    let fd = unsafe { libc::openat(dir, name.as_ptr(), flags | libc::O_CLOEXEC, 0o600) };
    if fd < 0 {
        Err(io::Error::last_os_error())
    } else {
        // SAFETY: a descriptor the kernel just gave us.
        Ok(unsafe { OwnedFd::from_raw_fd(fd) })
    }
}

fn dup(fd: BorrowedFd<'_>) -> io::Result<OwnedFd> {
    fd.try_clone_to_owned()
}

fn c_name(name: &OsStr) -> io::Result<CString> {
    CString::new(name.as_bytes()).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))
}

fn check(result: libc::c_int) -> io::Result<()> {
    if result == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The walk and the kernel agree on what leaves and what stays, on the
    /// chains archives use to climb out.
    #[test]
    fn the_walk_resolves_as_the_kernel_does() {
        let scratch = tempfile::tempdir().unwrap();
        let outside = scratch.path().join("victim");
        std::fs::write(&outside, b"v").unwrap();
        let target = scratch.path().join("target");
        std::fs::create_dir_all(target.join("dir/sub")).unwrap();
        std::fs::write(target.join("dir/file"), b"f").unwrap();
        for (name, text) in [
            ("x", "."),
            ("y", "x/.."),
            ("up1", "y/x"),
            ("inside", "dir/sub/../file"),
            ("to_dir", "dir"),
            ("loop", "loop"),
            ("abs", "/etc"),
        ] {
            std::os::unix::fs::symlink(text, target.join(name)).unwrap();
        }
        let beneath = Beneath::open(&target).unwrap();
        let cases: [(&[u8], Option<i32>); 12] = [
            (b"dir/file", None),
            (b"inside", None),
            (b"to_dir/sub/../file", None),
            (b"x/x/x/dir", None),
            (b"dir/..", None),
            (b"y", Some(libc::EXDEV)),
            (b"y/victim", Some(libc::EXDEV)),
            (b"up1", Some(libc::EXDEV)),
            (b"abs", Some(libc::EXDEV)),
            (b"../victim", Some(libc::EXDEV)),
            (b"missing/x", Some(libc::ENOENT)),
            (b"loop", Some(libc::ELOOP)),
        ];
        for (path, expected) in cases {
            let by_kernel = resolve_by_kernel(beneath.root.as_fd(), path);
            let by_walk = resolve_by_walk(beneath.root.as_fd(), path);
            let shown = String::from_utf8_lossy(path);
            assert_eq!(
                by_kernel.as_ref().err().and_then(io::Error::raw_os_error),
                expected,
                "kernel on {shown}"
            );
            assert_eq!(
                by_walk.as_ref().err().and_then(io::Error::raw_os_error),
                expected,
                "walk on {shown}"
            );
        }
    }
}
