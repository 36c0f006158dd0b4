//! Archives the archive tests build themselves, benign or hostile, in each
//! format: entries are written raw, so that names like `../../etc/x` go in
//! as they are.

use std::io::{Cursor, Write};

use qemu_fixtures::prelude::{Compression, Format};

/// One entry of an archive to build.
#[derive(Clone)]
pub enum Item<'a> {
    File(&'a str, &'a [u8]),
    Dir(&'a str),
    Symlink(&'a str, &'a str),
    HardLink(&'a str, &'a str),
    Device(&'a str),
}

/// The archive of `items` in `format`.
pub fn build(format: Format, items: &[Item]) -> Vec<u8> {
    match format {
        Format::Tar(compression) => compress(compression, tar(items)),
        Format::Cpio(compression) => compress(compression, cpio(items)),
        Format::Zip => zip(items),
        Format::Deb => deb(items),
    }
}

pub fn compress(compression: Option<Compression>, data: Vec<u8>) -> Vec<u8> {
    let Some(compression) = compression else {
        return data;
    };
    let mut out = Vec::new();
    match compression {
        Compression::Gzip => {
            let mut encoder = flate2::write::GzEncoder::new(&mut out, flate2::Compression::fast());
            encoder.write_all(&data).unwrap();
            encoder.finish().unwrap();
        }
        Compression::Xz => {
            let mut encoder = liblzma::write::XzEncoder::new(&mut out, 1);
            encoder.write_all(&data).unwrap();
            encoder.finish().unwrap();
        }
        Compression::Lzma => {
            let options = liblzma::stream::LzmaOptions::new_preset(1).unwrap();
            let stream = liblzma::stream::Stream::new_lzma_encoder(&options).unwrap();
            let mut encoder = liblzma::write::XzEncoder::new_stream(&mut out, stream);
            encoder.write_all(&data).unwrap();
            encoder.finish().unwrap();
        }
        Compression::Zstd => out = zstd::encode_all(&data[..], 1).unwrap(),
        Compression::Bzip2 => {
            let mut encoder = bzip2::write::BzEncoder::new(&mut out, bzip2::Compression::fast());
            encoder.write_all(&data).unwrap();
            encoder.finish().unwrap();
        }
    }
    out
}

pub fn tar(items: &[Item]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for item in items {
        let mut header = tar::Header::new_gnu();
        let (name, link, kind, data): (&str, &str, tar::EntryType, &[u8]) = match item {
            Item::File(name, data) => (name, "", tar::EntryType::Regular, data),
            Item::Dir(name) => (name, "", tar::EntryType::Directory, b""),
            Item::Symlink(name, target) => (name, target, tar::EntryType::Symlink, b""),
            Item::HardLink(name, target) => (name, target, tar::EntryType::Link, b""),
            Item::Device(name) => (name, "", tar::EntryType::Char, b""),
        };
        let gnu = header.as_gnu_mut().unwrap();
        gnu.name[..name.len()].copy_from_slice(name.as_bytes());
        gnu.linkname[..link.len()].copy_from_slice(link.as_bytes());
        header.set_entry_type(kind);
        header.set_mode(if kind == tar::EntryType::Directory {
            0o755
        } else {
            0o644
        });
        header.set_size(data.len() as u64);
        header.set_cksum();
        builder.append(&header, data).unwrap();
    }
    builder.into_inner().unwrap()
}

pub fn cpio(items: &[Item]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut inode = 1;
    let mut inodes = std::collections::HashMap::new();
    for item in items {
        inode += 1;
        let (name, mode, data, ino, nlink): (&str, u32, &[u8], u32, u32) = match item {
            Item::File(name, data) => (name, 0o100_644, data, inode, 1),
            Item::Dir(name) => (name, 0o040_755, b"", inode, 2),
            Item::Symlink(name, target) => (name, 0o120_777, target.as_bytes(), inode, 1),
            // newc links by inode: both names share it, the data comes last.
            Item::HardLink(name, target) => {
                let (ino, data) = inodes
                    .get(target.trim_start_matches("./"))
                    .copied()
                    .expect("link to an earlier file");
                (name, 0o100_644, data, ino, 2)
            }
            Item::Device(name) => (name, 0o020_644, b"", inode, 1),
        };
        if let Item::File(name, data) = item {
            inodes.insert(name.trim_start_matches("./"), (ino, *data));
        }
        let mut writer = cpio::newc::Builder::new(name)
            .mode(mode)
            .ino(ino)
            .nlink(nlink)
            .write(&mut out, data.len() as u32);
        writer.write_all(data).unwrap();
        writer.finish().unwrap();
    }
    cpio::newc::trailer(&mut out).unwrap();
    out
}

pub fn zip(items: &[Item]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for item in items {
        match item {
            Item::File(name, data) => {
                writer.start_file(*name, options).unwrap();
                writer.write_all(data).unwrap();
            }
            Item::Dir(name) => writer.add_directory(*name, options).unwrap(),
            Item::Symlink(name, target) => writer.add_symlink(*name, *target, options).unwrap(),
            Item::HardLink(..) | Item::Device(_) => panic!("zip has no hard links or device nodes"),
        }
    }
    writer.finish().unwrap().into_inner()
}

/// A Debian package: `debian-binary`, `control.tar.xz`, `data.tar.xz`.
pub fn deb(items: &[Item]) -> Vec<u8> {
    let control = compress(
        Some(Compression::Xz),
        tar(&[Item::File("./control", b"Package: test\n")]),
    );
    let data = compress(Some(Compression::Xz), tar(items));
    let mut builder = ar::Builder::new(Vec::new());
    for (name, bytes) in [
        ("debian-binary", b"2.0\n".to_vec()),
        ("control.tar.xz", control),
        ("data.tar.xz", data),
    ] {
        let header = ar::Header::new(name.as_bytes().to_vec(), bytes.len() as u64);
        builder.append(&header, &bytes[..]).unwrap();
    }
    builder.into_inner().unwrap()
}
