//! Port of QEMU's tests/functional/x86_64/test_mem_addr_space.py: QEMU refuses, rather than crashes on, memory beyond the guest CPU's physical address space.

use std::fs::File;
use std::io::Read;

use qemu_fixtures::harness::refusal;
use qemu_fixtures::prelude::*;

/// The original's `ensure_64bit_binary`: a 32-bit QEMU cannot address the
/// RAM these tests ask for. A non-ELF binary (macOS, Windows) is 64-bit.
fn ensure_64bit_binary(vm: &Machine) -> TestResult {
    let binary = vm.binary()?;
    let mut ident = [0u8; 5];
    File::open(binary)
        .and_then(|mut file| file.read_exact(&mut ident))
        .map_err(|err| TestError::io(format!("cannot read `{}`", binary.display()), err))?;
    // EI_CLASS, after the magic: 1 is 32-bit, 2 is 64-bit.
    if ident[..4] == *b"\x7fELF" && ident[4] != 2 {
        return Err(Skip::new("64-bit build host is required").into());
    }
    Ok(())
}

/// QEMU, with `args` (split at spaces: none of them holds one), must exit 1
/// saying `phys-bits too low`.
fn phys_bits_too_low(mut vm: Machine, args: &str) -> TestResult {
    ensure_64bit_binary(&vm)?;
    vm.args(args.split_whitespace());
    refusal::launch_expecting_exit(&mut vm, 1, "phys-bits too low")
}

/// QEMU, with `args`, must start and not say `phys-bits too low`. The
/// original disables QMP and sleeps a second before shutting down; with
/// QMP, `launch` returns once the main loop answers `qmp_capabilities`,
/// which is after the memory map was checked.
fn phys_bits_ok(mut vm: Machine, args: &str) -> TestResult {
    ensure_64bit_binary(&vm)?;
    vm.args(args.split_whitespace()).launch()?;
    vm.shutdown()?;
    ensure!(
        !vm.output().contains("phys-bits too low"),
        "QEMU said phys-bits too low"
    );
    Ok(())
}

/// The 1 GiB pc-dimm that every case but the cxl ones plugs.
macro_rules! dimm {
    ($args:literal) => {
        concat!(
            $args,
            " -object memory-backend-ram,id=mem1,size=1G -device pc-dimm,id=vm0,memdev=mem1"
        )
    };
}

#[qemu_test]
fn phybits_low_pse36(vm: Machine) -> TestResult {
    phys_bits_too_low(
        vm,
        dimm!("-S -machine q35 -m 512,slots=1,maxmem=59.6G -cpu pentium,pse36=on -display none"),
    )
}

#[qemu_test]
fn phybits_low_pae(vm: Machine) -> TestResult {
    phys_bits_too_low(
        vm,
        dimm!("-S -machine q35 -m 512,slots=1,maxmem=59.6G -cpu pentium,pae=on -display none"),
    )
}

#[qemu_test]
fn phybits_ok_pentium_pse36(vm: Machine) -> TestResult {
    phys_bits_ok(
        vm,
        dimm!("-machine q35 -m 512,slots=1,maxmem=59.5G -cpu pentium,pse36=on -display none"),
    )
}

#[qemu_test]
fn phybits_ok_pentium_pae(vm: Machine) -> TestResult {
    phys_bits_ok(
        vm,
        dimm!("-machine q35 -m 512,slots=1,maxmem=59.5G -cpu pentium,pae=on -display none"),
    )
}

#[qemu_test]
fn phybits_ok_pentium2(vm: Machine) -> TestResult {
    phys_bits_ok(
        vm,
        dimm!("-machine q35 -m 512,slots=1,maxmem=59.5G -cpu pentium2 -display none"),
    )
}

#[qemu_test]
fn phybits_low_nonpse36(vm: Machine) -> TestResult {
    phys_bits_too_low(
        vm,
        dimm!("-S -machine q35 -m 512,slots=1,maxmem=4G -cpu pentium -display none"),
    )
}

#[qemu_test]
fn phybits_low_tcg_q35_70_amd(vm: Machine) -> TestResult {
    phys_bits_too_low(
        vm,
        dimm!("-S -machine pc-q35-7.0 -m 512,slots=1,maxmem=988G -display none"),
    )
}

#[qemu_test]
fn phybits_low_tcg_q35_71_amd(vm: Machine) -> TestResult {
    phys_bits_too_low(
        vm,
        dimm!("-S -machine pc-q35-7.1 -m 512,slots=1,maxmem=976G -display none"),
    )
}

#[qemu_test]
fn phybits_ok_tcg_q35_70_amd(vm: Machine) -> TestResult {
    phys_bits_ok(
        vm,
        dimm!("-S -machine pc-q35-7.0 -m 512,slots=1,maxmem=987.5G -display none"),
    )
}

#[qemu_test]
fn phybits_ok_tcg_q35_71_amd(vm: Machine) -> TestResult {
    phys_bits_ok(
        vm,
        dimm!("-S -machine pc-q35-7.1 -m 512,slots=1,maxmem=975.5G -display none"),
    )
}

#[qemu_test]
fn phybits_ok_tcg_q35_71_intel(vm: Machine) -> TestResult {
    phys_bits_ok(
        vm,
        dimm!(
            "-S -cpu Skylake-Server -machine pc-q35-7.1 -m 512,slots=1,maxmem=976G -display none"
        ),
    )
}

#[qemu_test]
fn phybits_low_tcg_q35_71_amd_41bits(vm: Machine) -> TestResult {
    phys_bits_too_low(
        vm,
        dimm!(
            "-S -cpu EPYC-v4,phys-bits=41 -machine pc-q35-7.1 -m 512,slots=1,maxmem=992G -display none"
        ),
    )
}

#[qemu_test]
fn phybits_ok_tcg_q35_71_amd_41bits(vm: Machine) -> TestResult {
    phys_bits_ok(
        vm,
        dimm!(
            "-S -cpu EPYC-v4,phys-bits=41 -machine pc-q35-7.1 -m 512,slots=1,maxmem=990G -display none"
        ),
    )
}

#[qemu_test]
fn phybits_low_tcg_q35_intel_cxl(vm: Machine) -> TestResult {
    phys_bits_too_low(
        vm,
        "-S -cpu Skylake-Server,phys-bits=40 -machine q35,cxl=on -m 512,slots=1,maxmem=987G -display none -device pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.1 -M cxl-fmw.0.targets.0=cxl.1,cxl-fmw.0.size=1G",
    )
}

#[qemu_test]
fn phybits_ok_tcg_q35_intel_cxl(vm: Machine) -> TestResult {
    phys_bits_ok(
        vm,
        "-S -cpu Skylake-Server,phys-bits=40 -machine q35,cxl=on -m 512,slots=1,maxmem=987G -display none -device pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.1",
    )
}
