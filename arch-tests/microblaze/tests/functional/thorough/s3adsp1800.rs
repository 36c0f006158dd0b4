//! Port of QEMU's tests/functional/microblaze/test_s3adsp1800.py: the advent calendar's big-endian Linux boots on petalogix-s3adsp1800, and its little-endian buildroot fetches a file over TFTP.

use qemu_fixtures::guests::microblaze;
use qemu_fixtures::prelude::*;

#[asset]
static IMAGE_BE: Asset = Asset::new(
    "https://qemu-advcal.gitlab.io/qac-best-of-multiarch/download/day17.tar.xz",
    "3ba7439dfbea7af4876662c97f8e1f0cdad9231fc166e4861d17042489270057",
);
#[asset]
static IMAGE_LE: Asset = Asset::new(
    "http://www.qemu-advent-calendar.org/2023/download/day13.tar.gz",
    "b9b3d43c5dd79db88ada495cc6e0d1f591153fe41355e925d791fbf44de50c22",
);

#[qemu_test]
fn microblaze_s3adsp1800_big_endian(mut vm: Machine) -> TestResult {
    microblaze::do_ballerina_be_test(&mut vm, &IMAGE_BE, false)
}

#[qemu_test]
fn microblaze_s3adsp1800_little_endian(mut vm: Machine) -> TestResult {
    microblaze::do_xmaton_le_test(&mut vm, &IMAGE_LE, true)
}
