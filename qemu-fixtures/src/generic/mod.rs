//! Layer `generic`: the tests every target shares, one file per family, instantiated by `generic_tests!()`; uses everything.

/// Instantiates every shared test in the calling crate, one module per
/// QEMU test file, named as upstream's file and methods:
/// `version::qmp_query_version`, ... A test that
/// cannot apply to a target skips with the reason.
#[macro_export]
macro_rules! generic_tests {
    () => {
        $crate::__generic_module!(version: qmp_query_version);
        $crate::__generic_module!(empty_cpu_model: test);
        $crate::__generic_module!(info_usernet: hostfwd);
        $crate::__generic_module!(cpu_queries: definitions_are_named, listed_model_runs);
        $crate::__generic_module!(vnc:
            no_vnc_change_password, change_password_requires_a_password,
            change_password, change_listen, taken_port_is_reported);
        $crate::__generic_module!(migration: tcp_localhost, unix_socket, exec_command);
        $crate::__generic_env_module!(assets: declared_assets_are_well_formed);
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __generic_module {
    ($module:ident: $($test:ident),+ $(,)?) => {
        pub mod $module {
            use $crate::harness::fixtures::vm;
            $(
                #[$crate::__private::qemu_test]
                fn $test(vm: $crate::harness::Machine) -> $crate::TestResult {
                    $crate::generic::$module::$test(vm)
                }
            )+
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __generic_env_module {
    ($module:ident: $($test:ident),+ $(,)?) => {
        pub mod $module {
            use $crate::harness::fixtures::env;
            $(
                #[$crate::__private::qemu_test]
                fn $test(env: ::std::sync::Arc<$crate::harness::TestEnv>) -> $crate::TestResult {
                    $crate::generic::$module::$test(env)
                }
            )+
        }
    };
}

pub mod assets;
pub mod cpu_queries;
pub mod empty_cpu_model;
pub mod info_usernet;
pub mod migration;
pub mod version;
pub mod vmstate;
pub mod vnc;
