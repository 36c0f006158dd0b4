//! Tests that need no download and finish in seconds: the default profile runs them.

mod cpu_model_versions;
mod cpu_queries;
mod mem_addr_space;
mod memlock;
mod pc_cpu_hotplug_props;
mod virtio_version;
mod vm_launch_update;
