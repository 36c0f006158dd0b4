//! Tests that need downloaded assets or take long: the thorough profile runs them.

mod hotplug_pci;
mod imx8mp_evk;
mod linux_netboot;
mod kvm;
mod raspi3;
mod raspi4;
mod replay;
mod reverse_debug;
mod smmu;
mod tcg_plugins;
mod virt_aarch64_off;
mod tuxrun;
mod multiprocess;
mod virt_gpu;
mod xen;
mod xlnx_versal;
