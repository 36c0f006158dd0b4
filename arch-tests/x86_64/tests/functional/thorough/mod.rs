//! Tests that need downloaded assets or take long: the thorough profile runs them.

mod acpi_bits;
mod asset_mirror;
mod hotplug_blk;
mod hotplug_cpu;
mod hotplug_scsi;
mod intel_iommu;
mod kvm_xen;
mod linux_deb;
mod linux_initrd;
mod linux_netboot;
mod multiprocess;
mod netdev_ethtool;
mod nvme_migration;
mod rebuild_vmfd;
mod replay;
mod reverse_debug;
mod tuxrun;
mod vfio_user_client;
mod vhost_user_bridge;
mod virtio_balloon;
mod virtio_gpu;
