//! Who a test is: its target, module, name, crate and attempt, from
//! nextest's environment or libtest's thread name.

use std::fmt;

/// The crate names of the test functions linked into this binary, one entry
/// per `#[qemu_test]`. They all name the same crate: the first is read.
#[linkme::distributed_slice]
pub static TEST_CRATE: [&'static str];

/// Who a test is: its target architecture and its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestId {
    /// The QEMU target, `qemu-system-<arch>`.
    pub arch: String,
    /// `thorough` for a test in the crate's `thorough` folder, else empty.
    pub class: String,
    /// The test module: the first path segment of the test name after its
    /// class (`canona1100` for `thorough::canona1100::arm_canona1100`).
    pub module: String,
    /// The rest of the test name (`boots_barebox`, or
    /// `boots_kernel.case_1_gicv2` for an rstest case).
    pub test: String,
    /// The crate that holds the test (`arch-arm`).
    pub krate: String,
    /// 1 for the first run; nextest counts retries up from there.
    pub attempt: u32,
}

impl TestId {
    /// The identity of the test running on this thread, from nextest's
    /// environment, or from libtest's thread name under `cargo test`.
    pub fn current() -> TestId {
        let krate = TEST_CRATE
            .first()
            .map(|name| name.to_string())
            .or_else(|| std::env::var("CARGO_PKG_NAME").ok())
            .unwrap_or_default();
        let arch = std::env::var("QEMU_TEST_ARCH")
            .ok()
            .filter(|arch| !arch.is_empty())
            .or_else(|| krate.strip_prefix("arch-").map(str::to_owned))
            .unwrap_or_else(|| std::env::consts::ARCH.to_owned());
        let name = std::env::var("NEXTEST_TEST_NAME")
            .ok()
            .or_else(|| std::thread::current().name().map(str::to_owned))
            .filter(|name| name != "main")
            .unwrap_or_else(|| "unnamed".to_owned());
        let attempt = std::env::var("NEXTEST_ATTEMPT")
            .ok()
            .and_then(|attempt| attempt.parse().ok())
            .unwrap_or(1);
        TestId::new(&krate, &arch, &name, attempt)
    }

    /// An identity from its parts; `name` is the libtest name
    /// (`module::test` or `module::test::case`).
    pub fn new(krate: &str, arch: &str, name: &str, attempt: u32) -> TestId {
        let (class, name) = match name.split_once("::") {
            Some((class @ ("thorough" | "quick"), rest)) => (class, rest),
            _ => ("", name),
        };
        let (module, test) = name.split_once("::").unwrap_or(("", name));
        TestId {
            arch: arch.to_owned(),
            class: class.to_owned(),
            module: module.to_owned(),
            test: test.replace("::", "."),
            krate: krate.to_owned(),
            attempt,
        }
    }

    /// The libtest name again: `[class::]module::test`.
    pub fn name(&self) -> String {
        let mut name = String::new();
        for prefix in [&self.class, &self.module] {
            if !prefix.is_empty() {
                name.push_str(prefix);
                name.push_str("::");
            }
        }
        name + &self.test.replace('.', "::")
    }

    /// The directory name of this attempt: `<module>.<test>`, and
    /// `<module>.<test>.attempt-N` for a retry, so that a flaky pass keeps
    /// the failed attempt's logs.
    pub fn dir_name(&self) -> String {
        let base = if self.module.is_empty() {
            self.test.clone()
        } else {
            format!("{}.{}", self.module, self.test)
        };
        if self.attempt > 1 {
            format!("{base}.attempt-{}", self.attempt)
        } else {
            base
        }
    }
}

impl fmt::Display for TestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.krate, self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::TestId;

    #[test]
    fn the_speed_class_is_not_part_of_the_module_or_the_log_directory() {
        let id = TestId::new("arch-arm", "arm", "thorough::canona1100::arm_canona1100", 1);
        assert_eq!(
            (id.class.as_str(), id.module.as_str()),
            ("thorough", "canona1100")
        );
        assert_eq!(id.dir_name(), "canona1100.arm_canona1100");
        assert_eq!(id.name(), "thorough::canona1100::arm_canona1100");
        let case = TestId::new("arch-arm", "arm", "edk2::boots::case_1_virt", 2);
        assert_eq!(case.name(), "edk2::boots::case_1_virt");
        assert_eq!(case.dir_name(), "edk2.boots.case_1_virt.attempt-2");
    }
}
