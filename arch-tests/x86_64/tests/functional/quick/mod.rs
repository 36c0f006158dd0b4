//! Tests that need no download and finish in seconds: the default profile runs them.

mod bad_vmstate;
mod cpu_model_versions;
mod cpu_queries;
mod mem_addr_space;
mod memlock;
mod migration;
mod pc_cpu_hotplug_props;
mod virtio_version;
mod vm_launch_update;
mod vmstate;
