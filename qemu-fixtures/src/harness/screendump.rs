//! Screendumps: QMP `screendump` into the test's scratch dir, read back as
//! the binary PPM (P6) QEMU writes, so a test checks size and pixels.

use std::path::{Path, PathBuf};

use serde_json::json;

use crate::harness::{Machine, TestError};

/// A binary PPM image as QEMU's `screendump` writes it: a `P6` header,
/// then `width * height` pixels of three bytes each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ppm {
    pub width: u32,
    pub height: u32,
    pub maxval: u32,
    /// The pixel bytes, after the header's single whitespace byte.
    pub pixels: Vec<u8>,
}

impl Ppm {
    /// Parses a P6 image; the error says what is wrong with it.
    pub fn parse(bytes: &[u8]) -> Result<Ppm, String> {
        let mut rest = bytes;
        let magic = next_token(&mut rest).ok_or("no PPM magic")?;
        if magic != b"P6" {
            return Err(format!(
                "magic is {:?}, expected \"P6\"",
                String::from_utf8_lossy(magic)
            ));
        }
        let mut number = |what: &str| -> Result<u32, String> {
            let token = next_token(&mut rest).ok_or_else(|| format!("no {what}"))?;
            std::str::from_utf8(token)
                .ok()
                .and_then(|text| text.parse().ok())
                .ok_or_else(|| format!("{what} is {:?}", String::from_utf8_lossy(token)))
        };
        let width = number("width")?;
        let height = number("height")?;
        let maxval = number("maxval")?;
        // One whitespace byte ends the header; the pixels follow.
        let pixels = rest.get(1..).unwrap_or_default().to_vec();
        let expected = width as usize * height as usize * 3;
        if pixels.len() != expected {
            return Err(format!(
                "{} pixel bytes for {width}x{height}, expected {expected}",
                pixels.len()
            ));
        }
        Ok(Ppm {
            width,
            height,
            maxval,
            pixels,
        })
    }

    /// The pixel bytes up to and including the first newline, at most
    /// `limit` of them: Python's `readline(limit)` after the header, how
    /// a test reads back text it wrote into a framebuffer.
    pub fn first_line(&self, limit: usize) -> &[u8] {
        let head = &self.pixels[..self.pixels.len().min(limit)];
        match head.iter().position(|&byte| byte == b'\n') {
            Some(newline) => &head[..=newline],
            None => head,
        }
    }
}

impl Machine {
    /// QMP `screendump` to `<scratch>/<name>.ppm`, read back; the file stays
    /// in scratch (kept with `QEMU_TEST_KEEP_SCRATCH`).
    pub fn screendump(&mut self, name: &str) -> Result<Ppm, TestError> {
        let path: PathBuf = self.env().scratch_file([format!("{name}.ppm")]);
        self.cmd("screendump", json!({ "filename": path }))?;
        read_ppm(&path)
    }
}

/// Reads and parses the PPM at `path`.
pub fn read_ppm(path: &Path) -> Result<Ppm, TestError> {
    let bytes = std::fs::read(path)
        .map_err(|err| TestError::io(format!("reading screendump {}", path.display()), err))?;
    Ppm::parse(&bytes)
        .map_err(|why| TestError::check(format!("screendump {}: {why}", path.display())))
}

/// The next whitespace-separated header token; `#` comments are skipped.
fn next_token<'a>(rest: &mut &'a [u8]) -> Option<&'a [u8]> {
    loop {
        let start = rest.iter().position(|byte| !byte.is_ascii_whitespace())?;
        *rest = &rest[start..];
        if rest.first() == Some(&b'#') {
            let end = rest.iter().position(|&byte| byte == b'\n')?;
            *rest = &rest[end..];
            continue;
        }
        let end = rest
            .iter()
            .position(|byte| byte.is_ascii_whitespace())
            .unwrap_or(rest.len());
        let token = &rest[..end];
        *rest = &rest[end..];
        return Some(token);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_qemus_header_and_reads_the_first_pixel_line() {
        let mut image = b"P6\n4 2\n255\n".to_vec();
        let text = b"ab\ncdefghijklmnopqrstuvw";
        image.extend_from_slice(text);
        let ppm = Ppm::parse(&image).unwrap();
        assert_eq!((ppm.width, ppm.height, ppm.maxval), (4, 2, 255));
        assert_eq!(ppm.pixels, text);
        assert_eq!(ppm.first_line(256), b"ab\n");
        assert_eq!(ppm.first_line(2), b"ab");
    }

    #[test]
    fn a_short_image_says_how_many_bytes_it_has() {
        let err = Ppm::parse(b"P6\n# by QEMU\n640 480\n255\n\0\0\0").unwrap_err();
        assert_eq!(err, "3 pixel bytes for 640x480, expected 921600");
    }

    #[test]
    fn another_format_names_its_magic() {
        assert_eq!(
            Ppm::parse(b"P5\n1 1\n255\n\0").unwrap_err(),
            "magic is \"P5\", expected \"P6\""
        );
    }
}
