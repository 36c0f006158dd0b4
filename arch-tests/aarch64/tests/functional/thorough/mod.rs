//! Tests that need downloaded assets or take long: the thorough profile runs them.

mod aspeed_ast2700a1;
mod aspeed_ast2700a2;
mod aspeed_ast2700fc;
mod device_passthrough;
mod hotplug_pci;
mod imx8mp_evk;
mod kvm;
mod linux_netboot;
mod multiprocess;
mod raspi3;
mod raspi4;
mod replay;
mod reverse_debug;
mod rme_sbsaref;
mod rme_virt;
mod sbsaref;
mod sbsaref_alpine;
mod sbsaref_freebsd;
mod smmu;
mod tcg_plugins;
mod tuxrun;
mod virt;
mod virt_aarch64_off;
mod virt_gpu;
mod xen;
mod xlnx_versal;
