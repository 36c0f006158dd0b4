//! Tests that need downloaded assets or take long: the thorough profile runs them.

mod asset_mirror;
mod hotplug_cpu;
mod linux_deb;
mod linux_netboot;
mod multiprocess;
mod replay;
mod reverse_debug;
mod tuxrun;
mod kvm_xen;
mod linux_initrd;
mod netdev_ethtool;
mod rebuild_vmfd;
mod virtio_balloon;
