//! Firmware images prepared in scratch before a board boots them: `tail_copy` keeps exactly the last bytes, as `tail -c` does.

use std::sync::Arc;

use qemu_fixtures::guests::firmware::tail_copy;
use qemu_fixtures::prelude::*;

#[qemu_test]
fn tail_copy_keeps_the_last_bytes(env: Arc<TestEnv>) -> TestResult {
    let image = env.scratch_file(["updater.image"]);
    let bytes: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
    std::fs::write(&image, &bytes).map_err(|err| TestError::io("writing the image", err))?;
    let tail = tail_copy(&env, &image, 1000, "u-boot.bin")?;
    ensure!(
        tail == env.scratch_file(["u-boot.bin"]),
        "the copy is at {}",
        tail.display()
    );
    let copied = std::fs::read(&tail).map_err(|err| TestError::io("reading the copy", err))?;
    ensure!(
        copied == bytes[2000..],
        "the copy holds {} bytes, not the last 1000",
        copied.len()
    );
    let whole = tail_copy(&env, &image, 5000, "whole.bin")?;
    let copied = std::fs::read(&whole).map_err(|err| TestError::io("reading the copy", err))?;
    ensure!(
        copied == bytes,
        "asking for more than the image holds copies {} of its {} bytes",
        copied.len(),
        bytes.len()
    );
    Ok(())
}
