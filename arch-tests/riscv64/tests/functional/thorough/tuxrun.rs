//! Port of QEMU's tests/functional/riscv64/test_tuxrun.py: TuxBoot's riscv64 kernel (default and max CPU) and riscv32 kernel (rv32 CPU) boot their rootfs on virt to a root shell; halting it ends QEMU.

use qemu_fixtures::prelude::*;
use tuxrun::TuxRun;

#[asset]
static RISCV64_KERNEL: Asset = Asset::new(
    "https://storage.tuxboot.com/kernels/6.11.9/riscv64/Image",
    "174f8bb87f08961e54fa3fcd954a8e31f4645f6d6af4dd43983d5e9841490fb0",
);
#[asset]
static RISCV64_ROOTFS: Asset = Asset::new(
    "https://storage.tuxboot.com/buildroot/20241119/riscv64/rootfs.ext4.zst",
    "aa4736a9872651dfc0d95e709465eedf1134fd19d42b8cb305bfd776f9801004",
);

#[asset]
static RISCV32_KERNEL: Asset = Asset::new(
    "https://storage.tuxboot.com/buildroot/20241119/riscv32/Image",
    "872bc8f8e0d4661825d5f47f7bec64988e9d0a8bd5db8917d57e16f66d83b329",
);
#[asset]
static RISCV32_ROOTFS: Asset = Asset::new(
    "https://storage.tuxboot.com/buildroot/20241119/riscv32/rootfs.ext4.zst",
    "511ad34e63222db08d6c1da16fad224970de36517a784110956ba6a24a0ee5f6",
);

#[qemu_test]
fn riscv64(mut vm: Machine) -> TestResult {
    vm.set_machine("virt")?;
    TuxRun::default().common_tuxrun(&mut vm, &RISCV64_KERNEL, &RISCV64_ROOTFS)
}

#[qemu_test]
fn riscv64_maxcpu(mut vm: Machine) -> TestResult {
    vm.set_machine("virt")?.args(["-cpu", "max"]);
    TuxRun::default().common_tuxrun(&mut vm, &RISCV64_KERNEL, &RISCV64_ROOTFS)
}

#[qemu_test]
fn riscv64_rv32(mut vm: Machine) -> TestResult {
    vm.set_machine("virt")?.args(["-cpu", "rv32"]);
    TuxRun::default().common_tuxrun(&mut vm, &RISCV32_KERNEL, &RISCV32_ROOTFS)
}
