//! What a test's guests cost the host (vCPUs, memory, KVM to itself), as
//! `#[qemu_test(vcpus = N, memory_mib = N, kvm)]` declares it next to the
//! test; with `QEMU_TEST_LIST_COSTS=<file>` set, the list is written there
//! as JSON for `cargo xtask ci-plan costs`.

use std::io;
use std::path::{Path, PathBuf};

/// One test's declared cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Cost {
    /// `module_path!()::function` of the test: the test binary's crate
    /// first (`functional::thorough::kvm::boots`).
    pub path: &'static str,
    pub vcpus: u32,
    pub memory_mib: u32,
    /// It needs /dev/kvm to itself.
    pub kvm: bool,
}

/// Every declared cost of this binary, one per `#[qemu_test(...)]` that
/// declares one.
#[linkme::distributed_slice]
pub static COSTS: [Cost];

/// The variable that names the file the list goes to.
pub const LIST_COSTS: &str = "QEMU_TEST_LIST_COSTS";

/// Where the list is asked for, if it is.
pub fn requested() -> Option<PathBuf> {
    std::env::var_os(LIST_COSTS)
        .filter(|path| !path.is_empty())
        .map(PathBuf::from)
}

/// One entry of the written list: the test's name as nextest lists it.
#[derive(Debug, serde::Serialize)]
struct Listed<'a> {
    test: &'a str,
    vcpus: u32,
    memory_mib: u32,
    kvm: bool,
}

/// Writes every declared cost of this binary to `path` as JSON, each test
/// named as nextest names it (without the binary's crate).
pub fn write_declared(path: &Path) -> io::Result<()> {
    let list: Vec<Listed> = COSTS
        .iter()
        .map(|cost| Listed {
            test: cost.test_name(),
            vcpus: cost.vcpus,
            memory_mib: cost.memory_mib,
            kvm: cost.kvm,
        })
        .collect();
    let json = serde_json::to_vec_pretty(&list).expect("costs serialise");
    std::fs::write(path, json)
}

impl Cost {
    /// The test as nextest names it: `thorough::kvm::boots` (an rstest
    /// case adds `::case_1_...` below it).
    pub fn test_name(&self) -> &'static str {
        self.path
            .split_once("::")
            .map_or(self.path, |(_, rest)| rest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_test_is_named_without_its_binary() {
        let cost = Cost {
            path: "functional::thorough::kvm::boots",
            vcpus: 2,
            memory_mib: 320,
            kvm: true,
        };
        assert_eq!(cost.test_name(), "thorough::kvm::boots");
    }
}
