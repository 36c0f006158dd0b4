//! The `TestEnv` methods that join assets to a test: fetch into the shared
//! cache, extract and uncompress through the extraction cache, with the
//! leases held and the notes in `base.log`.

use std::path::{Path, PathBuf};

use super::outcome::TestError;
use super::testenv::TestEnv;
use crate::assets::archive::{ArchiveError, Format};
use crate::assets::uncompress::{Compression, UncompressError};
use crate::assets::unpacked::{self, Request};
use crate::assets::{Asset, Cache, How, Progress};

impl TestEnv {
    /// Fetches a declared asset into the shared cache and returns its path
    /// there (read-only: copy it to scratch to write). A download that may
    /// succeed later skips the test; HTTP 404 and a hash mismatch fail it.
    pub fn fetch(&self, asset: &Asset) -> Result<PathBuf, TestError> {
        self.fetch_concrete(asset).map(|(path, _)| path)
    }

    /// Fetches, and returns the asset as fetched too: a Debian package with
    /// its version and hash.
    fn fetch_concrete(&self, asset: &Asset) -> Result<(PathBuf, Asset), TestError> {
        if !asset.is_registered() {
            return Err(TestError::check(format!(
                "asset {asset} is not declared with #[asset]: cargo xtask precache cannot find it"
            )));
        }
        let cache = Cache::from_env();
        let fetched = cache.fetch(asset, &LogProgress(self)).inspect_err(|err| {
            self.log(format_args!("asset {asset}: {err}"));
        })?;
        if asset.is_debian() {
            self.log(format_args!(
                "asset {asset}: Debian package {} sha256 {}",
                fetched.concrete.url().trim_start_matches("deb:"),
                fetched.concrete.hash()
            ));
        }
        let concrete = fetched.concrete.clone();
        let asset = &concrete;
        match fetched.how {
            How::Trusted => self.log(format_args!(
                "asset {asset}: cached at {} (unchanged since it was verified)",
                fetched.path.display()
            )),
            How::Verified => self.log(format_args!(
                "asset {asset}: cached at {}, {} verified",
                fetched.path.display(),
                asset.algorithm()
            )),
            How::Downloaded { bytes, from_mirror } => self.log(format_args!(
                "asset {asset}: downloaded {bytes} bytes{} to {}, {} verified",
                if from_mirror { " from the mirror" } else { "" },
                fetched.path.display(),
                asset.algorithm()
            )),
        }
        let path = fetched.path.clone();
        // Held until the test ends, so gc leaves the file alone meanwhile.
        self.hold(fetched.into_lease());
        Ok((path, concrete))
    }
}

impl TestEnv {
    /// Extracts `member` of an archive asset (format from its URL) once
    /// for all tests, and returns its path, read-only.
    pub fn archive_extract(&self, asset: &Asset, member: &str) -> Result<PathBuf, TestError> {
        let format = guess_format(asset)?;
        self.unpack(asset, Request::Member(format, member))
    }

    /// Extracts the whole archive asset once; returns its directory.
    pub fn archive_extract_all(&self, asset: &Asset) -> Result<PathBuf, TestError> {
        let format = guess_format(asset)?;
        self.unpack(asset, Request::All(format))
    }

    /// As `archive_extract`, for a URL that does not say the format;
    /// `member: None` extracts everything.
    pub fn archive_extract_as(
        &self,
        asset: &Asset,
        format: Format,
        member: Option<&str>,
    ) -> Result<PathBuf, TestError> {
        match member {
            Some(member) => self.unpack(asset, Request::Member(format, member)),
            None => self.unpack(asset, Request::All(format)),
        }
    }

    /// Python's `archive_extract(path)` for an archive that is a local file
    /// (one an asset held, say), not an asset: extracts it (format from its
    /// name) into scratch, writable, beside what is there already; returns
    /// the path of `member`, or the scratch directory when `member` is None.
    pub fn archive_extract_file(
        &self,
        archive: &Path,
        member: Option<&str>,
    ) -> Result<PathBuf, TestError> {
        let name = archive.to_string_lossy();
        let format = Format::from_name(&name).ok_or_else(|| ArchiveError::UnknownFormat {
            name: name.clone().into_owned(),
        })?;
        let scratch = self.scratch_dir();
        std::fs::create_dir_all(&scratch)
            .map_err(|err| TestError::io(format!("creating {}", scratch.display()), err))?;
        let limit = crate::assets::uncompress::max_size();
        let extracted = crate::assets::archive::extract(archive, &scratch, format, member, limit)?;
        self.log(format_args!(
            "extracted {} of {} into {}",
            member.unwrap_or("everything"),
            archive.display(),
            scratch.display()
        ));
        Ok(extracted)
    }

    /// The members of an archive asset, in archive order.
    pub fn archive_list(&self, asset: &Asset) -> Result<Vec<String>, TestError> {
        let format = guess_format(asset)?;
        let source = self.fetch(asset)?;
        crate::assets::archive::list(&source, format).map_err(|source| TestError::Archive {
            asset: Some(asset.url().to_owned()),
            source,
        })
    }

    /// The first member of an archive asset whose path starts with
    /// `prefix` (`boot/vmlinuz-`): how a test finds a file whose name
    /// carries a version.
    pub fn archive_find(&self, asset: &Asset, prefix: &str) -> Result<String, TestError> {
        let format = guess_format(asset)?;
        let source = self.fetch(asset)?;
        let found = crate::assets::archive::find(&source, format, prefix).map_err(|source| {
            TestError::Archive {
                asset: Some(asset.url().to_owned()),
                source,
            }
        })?;
        found.ok_or_else(|| {
            TestError::check(format!("{asset} holds nothing starting with {prefix:?}"))
        })
    }

    /// Decompresses an asset (format from its URL) once for all tests;
    /// returns the file, read-only.
    pub fn uncompress(&self, asset: &Asset) -> Result<PathBuf, TestError> {
        let compression =
            Compression::from_name(asset.url()).ok_or_else(|| TestError::Archive {
                asset: Some(asset.url().to_owned()),
                source: UncompressError::Unknown {
                    name: asset.file_name().to_owned(),
                }
                .into(),
            })?;
        self.unpack(asset, Request::Uncompress(compression))
    }

    /// As `uncompress`, for a URL that does not say the format.
    pub fn uncompress_as(
        &self,
        asset: &Asset,
        compression: Compression,
    ) -> Result<PathBuf, TestError> {
        self.unpack(asset, Request::Uncompress(compression))
    }

    /// A copy of `path` in scratch that the test may write (a disk image
    /// booted read-write); a reflink where the filesystem allows.
    pub fn writable_copy(&self, path: &Path) -> Result<PathBuf, TestError> {
        let name = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let copy = self.scratch_file([name]);
        unpacked::reflink_or_copy(path, &copy).map_err(|err| {
            TestError::io(
                format!("copying {} to {}", path.display(), copy.display()),
                err,
            )
        })?;
        self.log(format_args!(
            "writable copy of {} at {}",
            path.display(),
            copy.display()
        ));
        Ok(copy)
    }

    fn unpack(&self, asset: &Asset, request: Request<'_>) -> Result<PathBuf, TestError> {
        let (source, concrete) = self.fetch_concrete(asset)?;
        let limit = crate::assets::uncompress::max_size();
        let unpacked = unpacked::unpack(&Cache::from_env(), &concrete, &source, request, limit)
            .map_err(|source| {
                self.log(format_args!("asset {asset}: {source}"));
                TestError::Archive {
                    asset: Some(asset.url().to_owned()),
                    source,
                }
            })?;
        self.log(format_args!(
            "asset {asset}: {request} {} at {}",
            match unpacked.how {
                unpacked::How::Unpacked => "unpacked",
                unpacked::How::Cached => "already unpacked",
            },
            unpacked.path.display()
        ));
        self.hold(unpacked.lease);
        Ok(unpacked.path)
    }
}

/// The format the asset's URL says; a Debian package is a deb.
fn guess_format(asset: &Asset) -> Result<Format, TestError> {
    if asset.is_debian() {
        return Ok(Format::Deb);
    }
    Format::from_name(asset.url()).ok_or_else(|| TestError::Archive {
        asset: Some(asset.url().to_owned()),
        source: ArchiveError::UnknownFormat {
            name: asset.file_name().to_owned(),
        },
    })
}

/// Download notes go to base.log.
struct LogProgress<'a>(&'a TestEnv);

impl Progress for LogProgress<'_> {
    fn started(&self, asset: &Asset, from: &str, total: Option<u64>) {
        let size = total
            .map(|total| format!(" ({total} bytes)"))
            .unwrap_or_default();
        self.0
            .log(format_args!("asset {asset}: downloading from {from}{size}"));
    }

    fn note(&self, message: &str) {
        self.0.log(format_args!("asset: {message}"));
    }
}
