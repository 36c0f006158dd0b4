//! Port of QEMU's tests/functional/riscv32/test_tuxrun.py: TuxBoot's riscv32 kernel boots its rootfs on virt, with the default and the max CPU, to a root shell; halting it ends QEMU.

use qemu_fixtures::prelude::*;
use tuxrun::TuxRun;

#[asset]
static RISCV32_KERNEL: Asset = Asset::new(
    "https://storage.tuxboot.com/20230331/riscv32/Image",
    "89599407d7334de629a40e7ad6503c73670359eb5f5ae9d686353a3d6deccbd5",
);
#[asset]
static RISCV32_ROOTFS: Asset = Asset::new(
    "https://storage.tuxboot.com/20230331/riscv32/rootfs.ext4.zst",
    "7168d296d0283238ea73cd5a775b3dd608e55e04c7b92b76ecce31bb13108cba",
);

#[qemu_test]
fn riscv32(mut vm: Machine) -> TestResult {
    vm.set_machine("virt")?;
    TuxRun::default().common_tuxrun(&mut vm, &RISCV32_KERNEL, &RISCV32_ROOTFS)
}

#[qemu_test]
fn riscv32_maxcpu(mut vm: Machine) -> TestResult {
    vm.set_machine("virt")?.args(["-cpu", "max"]);
    TuxRun::default().common_tuxrun(&mut vm, &RISCV32_KERNEL, &RISCV32_ROOTFS)
}
