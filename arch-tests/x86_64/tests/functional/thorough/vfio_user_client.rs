//! Port of QEMU's tests/functional/x86_64/test_vfio_user_client.py: a vfio-user-pci device in a client VM, served by libvfio-user's gpio example running in a server VM behind a virtio-serial port, is set up as the server's log expects.

use std::path::Path;

use qemu_fixtures::prelude::*;

const ASSET_REPO: &str = "https://github.com/mcayland-ntx/libvfio-user-test";

#[asset]
static KERNEL: Asset = Asset::new(
    "https://github.com/mcayland-ntx/libvfio-user-test/raw/refs/heads/main/images/bzImage",
    "40292fa6ce95d516e26bccf5974e138d0db65a6de0bc540cabae060fe9dea605",
);

#[asset]
static ROOTFS: Asset = Asset::new(
    "https://github.com/mcayland-ntx/libvfio-user-test/raw/refs/heads/main/images/rootfs.ext2",
    "e1e3abae8aebb8e6e77f08b1c531caeacf46250c94c815655c6bbea59fc3d1c1",
);

/// Exact output can vary, so we just sample for some expected lines.
const EXPECTED_SERVER_LINES: &[&str] = &[
    "gpio: adding DMA region [0, 0xc0000) offset=0 flags=0x3",
    "gpio: devinfo flags 0x3, num_regions 9, num_irqs 5",
    "gpio: region_info[0] offset 0 flags 0 size 0 argsz 32",
    "gpio: region_info[1] offset 0 flags 0 size 0 argsz 32",
    "gpio: region_info[2] offset 0 flags 0x3 size 256 argsz 32",
    "gpio: region_info[3] offset 0 flags 0 size 0 argsz 32",
    "gpio: region_info[4] offset 0 flags 0 size 0 argsz 32",
    "gpio: region_info[5] offset 0 flags 0 size 0 argsz 32",
    "gpio: region_info[7] offset 0 flags 0x3 size 256 argsz 32",
    "gpio: region7: read 256 bytes at 0",
    "gpio: region7: read 0 from (0x30:4)",
    "gpio: cleared EROM",
    "gpio: I/O space enabled",
    "gpio: memory space enabled",
    "gpio: SERR# enabled",
    "gpio: region7: wrote 0x103 to (0x4:2)",
    "gpio: I/O space enabled",
    "gpio: memory space enabled",
];

/// The kernel, root disk and snapshot both VMs boot.
fn common_args(vm: &mut Machine, kernel: &Path, rootfs: &Path) {
    vm.arg("-kernel").arg(kernel);
    vm.args(["-append", "console=ttyS0 root=/dev/sda"]);
    vm.args([
        "-drive",
        &format!("file={},if=ide,format=raw,id=drv0", rootfs.display()),
    ]);
    vm.args(["-snapshot"]);
}

/// Upstream's `setup_vfio_user_pci_server`: the gpio server inside the
/// server VM, its socket joined to the virtio-serial port by socat.
fn setup_vfio_user_pci_server(server: &mut Machine) -> TestResult {
    let console = server.console();
    console.wait_for_console_pattern("login:", None)?;
    console.exec_command_and_wait_for_pattern("root", "#", None)?;
    console.exec_command_and_wait_for_pattern(
        "gpio-pci-idio-16 -v /tmp/vfio-user.sock >/var/tmp/gpio.out 2>&1 &",
        "#",
        None,
    )?;
    // wait for libvfio-user socket to appear
    loop {
        let out = console.exec_command_and_wait_for_pattern(
            "ls --color=no /tmp/vfio-user.sock",
            "#",
            None,
        )?;
        if out.text().lines().nth(1).map(str::trim) == Some("/tmp/vfio-user.sock") {
            break;
        }
    }
    console.exec_command_and_wait_for_pattern(
        "socat UNIX-CONNECT:/tmp/vfio-user.sock /dev/vport0p1,ignoreeof  &",
        "#",
        None,
    )?;
    Ok(())
}

#[qemu_test]
fn vfio_user_pci(mut vm: Machine) -> TestResult {
    vm.set_machine("pc")?;
    vm.require_device("virtio-serial")?;
    vm.require_device("vfio-user-pci")?;
    let kernel = vm.env().fetch(&KERNEL)?;
    let rootfs = vm.env().fetch(&ROOTFS)?;
    let socket_path = vm.env().socket_file("vfio-user.sock");

    let mut server = vm.twin("server");
    server.set_console();
    common_args(&mut server, &kernel, &rootfs);
    server.args([
        "-chardev",
        &format!(
            "socket,id=sock0,path={},telnet=off,server=on,wait=off",
            socket_path.display()
        ),
    ]);
    server.args(["-device", "virtio-serial"]);
    server.args([
        "-device",
        "virtserialport,chardev=sock0,name=org.fedoraproject.port.0",
    ]);
    server.launch()?;
    vm.env().log(format_args!(
        "starting libvfio-user server from {ASSET_REPO}"
    ));
    setup_vfio_user_pci_server(&mut server)?;

    let mut client = vm.twin("client");
    client.set_console();
    common_args(&mut client, &kernel, &rootfs);
    client.args([
        "-device",
        &format!(
            "{{\"driver\":\"vfio-user-pci\",\"socket\":{{\"path\": \"{}\", \"type\": \"unix\"}}}}",
            socket_path.display()
        ),
    ]);
    if let Err(err) = client.launch() {
        vm.env()
            .log("client VM failed to start, dumping server logs");
        server
            .console()
            .exec_command_and_wait_for_pattern("cat /var/tmp/gpio.out", "#", None)?;
        return Err(err.into());
    }

    vm.env().log("waiting for client VM boot");
    let console = client.console();
    console.wait_for_console_pattern("login:", None)?;
    console.exec_command_and_wait_for_pattern("root", "#", None)?;

    // Upstream would interact with the gpio device more, but its buildroot
    // kernel has no /sys/class/gpio: initialization and setup are checked.
    vm.env().log("collecting libvfio-user server output");
    let out = server.console().exec_command_and_wait_for_pattern(
        "cat /var/tmp/gpio.out",
        "gpio: region2: wrote 0 to (0x1:1)",
        None,
    )?;
    let text = out.text();
    let gpio_server_out: Vec<&str> = text
        .lines()
        .map(|line| line.trim_end_matches('\r'))
        .filter(|line| line.starts_with("gpio:"))
        .collect();
    for line in EXPECTED_SERVER_LINES {
        ensure!(
            gpio_server_out.contains(line),
            "Missing server debug line: {line}"
        );
    }
    Ok(())
}
