//! Reading the text of a screendump with tesseract, as upstream's
//! `qemu_test.tesseract.tesseract_ocr` does.

use std::path::Path;
use std::process::Command;

use crate::harness::{Skip, TestError};
use crate::vm::find_command;

/// Python's `skipIfMissingCommands('tesseract')`: skips, naming Debian's
/// package, unless `tesseract` is on `PATH`.
pub fn require_tesseract() -> Result<(), Skip> {
    match find_command("tesseract") {
        Some(_) => Ok(()),
        None => Err(Skip::new(
            "required command missing from PATH: tesseract (install Debian's tesseract-ocr)",
        )),
    }
}

/// Python's `tesseract_ocr(image_path)`: runs `tesseract <image> stdout`
/// and returns the non-empty lines it read, trimmed. Where Python returns
/// `None` when tesseract fails, this fails with its exit status and stderr.
pub fn tesseract_ocr(image: &Path) -> Result<Vec<String>, TestError> {
    require_tesseract()?;
    let output = Command::new("tesseract")
        .arg(image)
        .arg("stdout")
        .output()
        .map_err(|err| TestError::io(format!("running tesseract {}", image.display()), err))?;
    if !output.status.success() {
        return Err(TestError::check(format!(
            "tesseract {} stdout: {}: {}",
            image.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    Ok(text_lines(&String::from_utf8_lossy(&output.stdout)))
}

/// The non-empty lines of `text`, trimmed.
fn text_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_lines_go_and_the_rest_is_trimmed() {
        assert_eq!(
            text_lines("  Backplane slot #2\n\n \x0c\nTesting the FPU \n"),
            ["Backplane slot #2", "Testing the FPU"]
        );
    }

    #[test]
    fn tesseract_reads_a_blank_screen_as_no_text_or_skips_naming_its_package() {
        let image = tempfile::NamedTempFile::with_suffix(".ppm").unwrap();
        let mut ppm = b"P6\n64 32\n255\n".to_vec();
        ppm.resize(ppm.len() + 64 * 32 * 3, 0xff);
        std::fs::write(image.path(), ppm).unwrap();
        match find_command("tesseract") {
            Some(_) => assert_eq!(tesseract_ocr(image.path()).unwrap(), Vec::<String>::new()),
            None => {
                let err = tesseract_ocr(image.path()).unwrap_err();
                assert!(err.to_string().contains("tesseract-ocr"), "{err}");
            }
        }
    }

    #[test]
    fn a_file_tesseract_cannot_read_fails_with_its_stderr() {
        if find_command("tesseract").is_none() {
            assert!(require_tesseract().is_err());
            return;
        }
        let err = tesseract_ocr(Path::new("/nonexistent/dump.ppm")).unwrap_err();
        assert!(
            err.to_string()
                .contains("tesseract /nonexistent/dump.ppm stdout"),
            "{err}"
        );
    }
}
