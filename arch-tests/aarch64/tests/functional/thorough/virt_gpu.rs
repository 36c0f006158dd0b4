//! Port of QEMU's tests/functional/aarch64/test_virt_gpu.py: weston runs glmark2 and vkmark in a buildroot guest on virt with virtio-gpu-gl (virgl, blobs, venus) on the host's GPU.

use qemu_fixtures::prelude::*;
use qemu_fixtures::vm::MachineError;

#[asset]
static VIRT_GPU_KERNEL: Asset = Asset::new(
    "https://share.linaro.org/downloadFile?id=lL8wgnMmSXZo7Co",
    "7888c51c55d37e86bbbdeb5acea9f08c34e6b0f03c1f5b2463285f6a6f6eec8b",
);

#[asset]
static VIRT_GPU_ROOTFS: Asset = Asset::new(
    "https://share.linaro.org/downloadFile?id=qOn1wbfKmS6KVHZ",
    "d45118c899420b7e673f1539a37a35480134b3e36e3a59e2cb69b1781cbb14ef",
);

/// What QEMU says when the host lacks what a display or GPU mode needs,
/// and the skip each means (Python's list, from the launch output).
const HOST_LACKS: &[(&str, &str)] = &[
    (
        "old virglrenderer, blob resources unsupported",
        "No blob support for virtio-gpu",
    ),
    (
        "old virglrenderer, venus unsupported",
        "No venus support for virtio-gpu",
    ),
    (
        "egl: no drm render node available",
        "Can't access host DRM render node",
    ),
    (
        "'type' does not accept value 'egl-headless'",
        "egl-headless support is not available",
    ),
    (
        "'type' does not accept value 'dbus'",
        "dbus display support is not available",
    ),
    (
        "eglInitialize failed: EGL_NOT_INITIALIZED",
        "EGL failed to initialize on this host",
    ),
];

fn launch_virt_gpu(vm: &mut Machine, gpu_device: &str) -> TestResult {
    vm.set_machine("virt")?;
    vm.require_accelerator("tcg")?;
    let kernel = vm.env().fetch(&VIRT_GPU_KERNEL)?;
    let image = vm
        .env()
        .uncompress_as(&VIRT_GPU_ROOTFS, Compression::Zstd)?;
    vm.set_console();
    let kernel_command_line = format!(
        "{}console=ttyAMA0 root=/dev/vda",
        linux::KERNEL_COMMON_COMMAND_LINE
    );
    vm.args(["-accel", "tcg", "-cpu", "cortex-a72"]);
    vm.args(["-machine", "virt,gic-version=max", "-kernel"])
        .arg(&kernel);
    vm.args(["-append", &kernel_command_line]);
    vm.args(["-smp", "2", "-m", "2048", "-device", gpu_device]);
    vm.args(["-display", "egl-headless", "-display", "dbus,gl=on"]);
    vm.args(["-device", "virtio-blk-device,drive=hd0", "-blockdev"]);
    vm.arg(format!(
        "driver=raw,file.driver=file,node-name=hd0,read-only=on,file.filename={}",
        image.display()
    ));
    vm.arg("-snapshot");
    if let Err(err) = vm.launch() {
        // Only QEMU's own words say which host feature is missing.
        if let MachineError::DidNotStart { output, .. } = &err {
            if let Some((_, reason)) = HOST_LACKS.iter().find(|(said, _)| output.contains(said)) {
                return Err(Skip::new(*reason).into());
            }
            vm.env()
                .log(format_args!("unhandled launch failure: {output}"));
        }
        return Err(err.into());
    }
    linux::wait_for_console_pattern(vm, "buildroot login:")?;
    vm.console()
        .exec_command_and_wait_for_pattern("root", "#", None)?;
    Ok(())
}

fn run_virt_weston_test(vm: &mut Machine, cmd: &str, fail: Option<&str>) -> TestResult {
    // make it easier to detect successful return to shell
    let ps1 = "RES=[$?] # ";
    let ok_cmd = "RES=[0] # ";
    let console = vm.console();
    console.exec_command_and_wait_for_pattern("export XDG_RUNTIME_DIR=/tmp", "#", None)?;
    console.exec_command_and_wait_for_pattern(&format!("export PS1='{ps1}'"), ok_cmd, None)?;
    let full_cmd = format!("weston -B headless --renderer gl --shell kiosk -- {cmd}");
    console.exec_command_and_wait_for_pattern(&full_cmd, ok_cmd, fail)?;
    Ok(())
}

#[qemu_test]
fn aarch64_virt_with_virgl_gpu(mut vm: Machine) -> TestResult {
    skip::require_commands(&["zstd"])?;
    vm.require_device("virtio-gpu-gl-pci")?;
    launch_virt_gpu(&mut vm, "virtio-gpu-gl-pci")?;
    // subset of the glmark tests
    let tests = ["build", "texture", "shading", "bump", "desktop", "buffer"]
        .map(|test| format!("-b {test}"))
        .join(" ");
    run_virt_weston_test(
        &mut vm,
        &format!("glmark2-wayland --validate {tests}"),
        None,
    )
}

#[qemu_test]
fn aarch64_virt_with_virgl_blobs_gpu(mut vm: Machine) -> TestResult {
    skip::require_commands(&["zstd"])?;
    vm.require_device("virtio-gpu-gl-pci")?;
    launch_virt_gpu(&mut vm, "virtio-gpu-gl-pci,hostmem=4G,blob=on")?;
    run_virt_weston_test(&mut vm, "glmark2-wayland -b:duration=1.0", None)
}

#[qemu_test]
fn aarch64_virt_with_vulkan_gpu(mut vm: Machine) -> TestResult {
    skip::require_commands(&["zstd"])?;
    skip::require_commands(&["vulkaninfo"])?;
    vm.require_device("virtio-gpu-gl-pci")?;
    let vk_info = std::process::Command::new("vulkaninfo")
        .arg("--summary")
        .output()
        .map_err(|err| TestError::io("running vulkaninfo --summary", err))?;
    if !vk_info.status.success() {
        return Err(Skip::new(format!(
            "Miss-configured host Vulkan: {}",
            String::from_utf8_lossy(&vk_info.stdout)
        ))
        .into());
    }
    let vk_info = String::from_utf8_lossy(&vk_info.stdout);
    // Python's search(r"driverID\s+=\s+DRIVER_ID_NVIDIA_PROPRIETARY").
    let nvidia = vk_info.lines().any(|line| {
        let words: Vec<&str> = line.split_whitespace().collect();
        words
            .windows(3)
            .any(|three| three == ["driverID", "=", "DRIVER_ID_NVIDIA_PROPRIETARY"])
    });
    if nvidia {
        return Err(Skip::new("Test skipped on NVIDIA proprietary driver").into());
    }
    launch_virt_gpu(&mut vm, "virtio-gpu-gl-pci,hostmem=4G,blob=on,venus=on")?;
    run_virt_weston_test(
        &mut vm,
        "vkmark -b:duration=1.0",
        Some("debug: stuck in fence wait with iter at"),
    )
}
