//! The tests every target shares, written once: each arch crate
//! instantiates all of them with `qemu_fixtures::generic_tests!();`. A test
//! that cannot apply to a target skips with the reason.

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::ensure;
use crate::machine::{Machine, MachineError};
use crate::outcome::{TestError, TestResult};
use crate::qmp::QmpError;
use crate::skip::Skip;

/// Instantiates every shared test in the calling crate, one module per
/// QEMU test file: `version::query_version_matches_cli`, ...
#[macro_export]
macro_rules! generic_tests {
    () => {
        $crate::__generic_module!(version: query_version_matches_cli);
        $crate::__generic_module!(empty_cpu_model: empty_cpu_model_is_rejected);
        $crate::__generic_module!(info_usernet: hostfwd_port_is_listed);
        $crate::__generic_module!(cpu_queries: definitions_are_named, listed_model_runs);
        $crate::__generic_module!(vnc:
            no_vnc_refuses_password, password_needs_password_option,
            password_can_change, listen_address_can_change, taken_port_is_reported);
        $crate::__generic_module!(migration: tcp_localhost, unix_socket, exec_command);
        $crate::__generic_env_module!(assets: declared_assets_are_well_formed);
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __generic_module {
    ($module:ident: $($test:ident),+ $(,)?) => {
        pub mod $module {
            use $crate::fixtures::vm;
            $(
                #[$crate::__private::qemu_test]
                fn $test(vm: $crate::machine::Machine) -> $crate::TestResult {
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
            use $crate::fixtures::env;
            $(
                #[$crate::__private::qemu_test]
                fn $test(env: ::std::sync::Arc<$crate::testenv::TestEnv>) -> $crate::TestResult {
                    $crate::generic::$module::$test(env)
                }
            )+
        }
    };
}

pub mod assets {
    use std::sync::Arc;

    use super::*;
    use crate::asset::{Asset, REGISTRY};
    use crate::testenv::TestEnv;

    /// Every `#[asset]` of this binary has a usable URL and hash, and no URL
    /// is declared twice with different hashes. With
    /// `QEMU_TEST_LIST_ASSETS=<file>`, also writes the list there as JSON:
    /// how `cargo xtask precache` and `assets gc` learn what a binary needs.
    pub fn declared_assets_are_well_formed(env: Arc<TestEnv>) -> TestResult {
        let mut by_url: std::collections::HashMap<&str, &str> = Default::default();
        for asset in REGISTRY {
            Asset::parse(asset.url(), asset.hash())?;
            if let Some(other) = by_url.insert(asset.url(), asset.hash()) {
                ensure!(
                    other == asset.hash(),
                    "{} is declared with two hashes, {other} and {}",
                    asset.url(),
                    asset.hash()
                );
            }
        }
        env.log(format_args!("{} assets declared", REGISTRY.len()));
        if let Some(path) = std::env::var_os("QEMU_TEST_LIST_ASSETS").filter(|p| !p.is_empty()) {
            let list: Vec<&Asset> = REGISTRY.iter().collect();
            let json = serde_json::to_vec_pretty(&list).expect("assets serialise");
            std::fs::write(&path, json).map_err(|err| {
                TestError::io(
                    format!("writing {}", std::path::Path::new(&path).display()),
                    err,
                )
            })?;
        }
        Ok(())
    }
}

pub mod version {
    use super::*;

    /// QMP `query-version` agrees with `qemu-system-* --version`.
    pub fn query_version_matches_cli(mut vm: Machine) -> TestResult {
        vm.set_machine("none")?;
        vm.arg("-nodefaults").launch()?;
        let version = vm.cmd("query-version", Value::Null)?;
        let qemu = &version["qemu"];
        let (Some(major), Some(minor), Some(micro)) = (
            qemu["major"].as_u64(),
            qemu["minor"].as_u64(),
            qemu["micro"].as_u64(),
        ) else {
            return Err(TestError::check(format!(
                "query-version has no integer major, minor and micro: {version}"
            )));
        };
        let package = version["package"].as_str().unwrap_or_default();
        let binary = vm.binary()?.to_path_buf();
        let cli = Command::new(&binary)
            .arg("--version")
            .output()
            .map_err(|err| TestError::io(format!("running {} --version", binary.display()), err))?;
        let stdout = String::from_utf8_lossy(&cli.stdout);
        let first = stdout.lines().next().unwrap_or_default();
        // --version adds the package version in parentheses, when there is one.
        let expected = match package.trim() {
            "" => format!("QEMU emulator version {major}.{minor}.{micro}"),
            package => format!("QEMU emulator version {major}.{minor}.{micro} ({package})"),
        };
        ensure!(
            first == expected,
            "--version says {first:?}, QMP says {expected:?}"
        );
        Ok(())
    }
}

pub mod empty_cpu_model {
    use super::*;

    /// `-cpu ''` is refused with QEMU's message and exit code 1.
    pub fn empty_cpu_model_is_rejected(mut vm: Machine) -> TestResult {
        vm.disable_qmp().disable_console();
        vm.args(["-S", "-machine", "none", "-cpu", ""]).launch()?;
        let exit = vm.wait_exit()?;
        ensure!(exit.code() == Some(1), "QEMU {exit}; expected exit code 1");
        let output = vm.output();
        ensure!(
            output.contains("-cpu option cannot be empty"),
            "QEMU's output lacks \"-cpu option cannot be empty\": {output:?}"
        );
        Ok(())
    }
}

pub mod info_usernet {
    use super::*;

    /// `info usernet` over `human-monitor-command` lists a host forward.
    pub fn hostfwd_port_is_listed(mut vm: Machine) -> TestResult {
        vm.require_netdev("user")?;
        vm.set_machine("none")?;
        vm.args(["-netdev", "user,id=vnet,hostfwd=:127.0.0.1:0-:22"])
            .launch()?;
        let info = vm.qmp().hmp("info usernet")?;
        let port = info.lines().find_map(hostfwd_port);
        ensure!(
            port.is_some(),
            "\"info usernet\" output content does not seem to contain the redirected port: {info:?}"
        );
        ensure!(
            port > Some(0),
            "found a redirected port that is not greater than zero: {info:?}"
        );
        Ok(())
    }

    /// The host port of a line like
    /// `  TCP[HOST_FORWARD]  12  127.0.0.1 41245  10.0.2.15  22  0  0`.
    fn hostfwd_port(line: &str) -> Option<u16> {
        let rest = &line[line.find("HOST_FORWARD")?..];
        let mut words = rest
            .split_whitespace()
            .skip_while(|word| *word != "127.0.0.1");
        words.next()?;
        let port = words.next()?.parse().ok()?;
        words.next()?.starts_with("10.").then_some(port)
    }

    #[cfg(test)]
    #[test]
    fn parses_the_forward_line() {
        let line =
            "  TCP[HOST_FORWARD]  13       127.0.0.1 39373       10.0.2.15    22     0     0";
        assert_eq!(hostfwd_port(line), Some(39373));
        assert_eq!(
            hostfwd_port("  UDP[236 sec]  14  10.0.2.15  68  255.255.255.255 67"),
            None
        );
    }
}

pub mod cpu_queries {
    use super::*;

    /// `query-cpu-definitions` names every model, with no empty feature.
    pub fn definitions_are_named(mut vm: Machine) -> TestResult {
        vm.set_machine("none")?;
        vm.args(["-nodefaults", "-S"]).launch()?;
        let definitions = cpu_definitions(&mut vm)?;
        ensure!(
            !definitions.is_empty(),
            "query-cpu-definitions lists no CPU model"
        );
        for definition in &definitions {
            let name = definition["name"].as_str().unwrap_or_default();
            ensure!(!name.is_empty(), "a CPU model has no name: {definition}");
            // Some ppc models list no type at all; one that does names a CPU.
            let typename = definition["typename"].as_str().unwrap_or_default();
            ensure!(
                typename.is_empty() || typename.ends_with("-cpu"),
                "CPU model {name} has type {typename:?}, which is no CPU type"
            );
            if let Some(features) = definition["unavailable-features"].as_array() {
                ensure!(
                    !features.iter().any(|feature| feature.as_str() == Some("")),
                    "CPU model {name} lists an empty unavailable feature"
                );
            }
        }
        Ok(())
    }

    /// A model from `query-cpu-definitions`, given with `-cpu`, is the CPU
    /// `query-cpus-fast` shows, of the QOM type the definition names. It
    /// runs on the target's default machine, or on `none` (which creates the
    /// CPU given with `-cpu`) when there is no default.
    pub fn listed_model_runs(mut vm: Machine) -> TestResult {
        // The default machine, unless it needs a payload to start (m68k's
        // wants a kernel); `none` creates the CPU that `-cpu` names.
        let mut machine = vm
            .default_machine_type()?
            .unwrap_or_else(|| "none".to_owned());
        vm.set_machine(&machine)?;
        vm.args(["-nodefaults", "-S"]);
        let refused_bare = match vm.launch() {
            Err(MachineError::DidNotStart { output, .. }) => Some(output),
            other => other.map(drop).map(|()| None)?,
        };
        if let Some(output) = refused_bare {
            vm.env().log(format_args!(
                "machine {machine} does not start bare ({}): using none",
                output.trim()
            ));
            machine = "none".to_owned();
            vm = vm.sibling("none");
            vm.set_machine(&machine)?;
            vm.args(["-nodefaults", "-S"]).launch()?;
        }
        let definitions = cpu_definitions(&mut vm)?;
        vm.shutdown()?;
        // A machine accepts only some models: the first few it refuses are
        // skipped over (QEMU's reasons go to base.log), the first it takes
        // is checked.
        let mut refused = Vec::new();
        // Models whose features all run here (TCG lacks some of s390x's)
        // come first.
        let runnable = |definition: &&Value| {
            definition["unavailable-features"]
                .as_array()
                .is_none_or(|features| features.is_empty())
        };
        let usable = definitions
            .iter()
            .filter(|definition| definition["deprecated"] != Value::Bool(true))
            .filter(|definition| definition["alias-of"].is_null())
            .filter(|definition| {
                definition["typename"]
                    .as_str()
                    .is_some_and(|t| !t.is_empty())
            });
        let candidates = usable
            .clone()
            .filter(runnable)
            .chain(usable.filter(|d| !runnable(d)))
            .take(5);
        for definition in candidates {
            let name = definition["name"].as_str().unwrap_or_default();
            let typename = definition["typename"].as_str().unwrap_or_default();
            let mut cpu_vm = vm.sibling(&format!("cpu-{}", refused.len() + 1));
            cpu_vm.set_machine(&machine)?;
            cpu_vm.args(["-nodefaults", "-S", "-cpu", name]);
            match cpu_vm.launch() {
                Ok(_) => {}
                Err(MachineError::DidNotStart { output, .. }) => {
                    refused.push(format!("{name}: {}", output.trim()));
                    continue;
                }
                Err(err) => return Err(err.into()),
            }
            let cpus = cpu_vm.cmd("query-cpus-fast", Value::Null)?;
            let cpus = cpus.as_array().cloned().unwrap_or_default();
            ensure!(
                !cpus.is_empty(),
                "-cpu {name} on machine {machine} gives no CPU"
            );
            let arch = cpu_vm.env().id().arch.clone();
            ensure!(
                cpus[0]["target"].as_str() == Some(arch.as_str()),
                "query-cpus-fast says target {}, expected {arch}",
                cpus[0]["target"]
            );
            let path = cpus[0]["qom-path"].as_str().unwrap_or_default().to_owned();
            let actual = cpu_vm.cmd("qom-get", json!({ "path": path, "property": "type" }))?;
            ensure!(
                actual.as_str() == Some(typename),
                "CPU at {path} is a {actual}, expected {typename} for -cpu {name}"
            );
            return Ok(());
        }
        Err(TestError::check(format!(
            "machine {machine} refused every CPU model tried:\n{}",
            refused.join("\n")
        )))
    }

    fn cpu_definitions(vm: &mut Machine) -> Result<Vec<Value>, TestError> {
        match vm.cmd("query-cpu-definitions", Value::Null) {
            Ok(list) => Ok(list.as_array().cloned().unwrap_or_default()),
            Err(MachineError::Qmp(QmpError::Command { class, .. }))
                if class == "CommandNotFound" =>
            {
                Err(Skip::new(format!(
                    "query-cpu-definitions is not implemented by qemu-system-{}",
                    vm.env().id().arch
                ))
                .into())
            }
            Err(err) => Err(err.into()),
        }
    }
}

pub mod vnc {
    use super::*;

    /// Without `-vnc`, VNC is off and a password cannot be set.
    pub fn no_vnc_refuses_password(mut vm: Machine) -> TestResult {
        vm.set_machine("none")?;
        vm.args(["-nodefaults", "-S"]).launch()?;
        let vnc = query_vnc(&mut vm)?;
        ensure!(
            vnc["enabled"] == false,
            "VNC is enabled without -vnc: {vnc}"
        );
        refuses_password(&mut vm)
    }

    /// With VNC on but no `password=on`, a password cannot be set.
    pub fn password_needs_password_option(mut vm: Machine) -> TestResult {
        vm.set_machine("none")?;
        vm.args(["-nodefaults", "-S", "-vnc", ":1,to=999"]);
        launch_guarded(&mut vm)?;
        let vnc = query_vnc(&mut vm)?;
        ensure!(vnc["enabled"] == true, "VNC is not enabled by -vnc: {vnc}");
        refuses_password(&mut vm)
    }

    /// With `password=on`, `change-vnc-password` succeeds.
    pub fn password_can_change(mut vm: Machine) -> TestResult {
        vm.set_machine("none")?;
        vm.args(["-nodefaults", "-S", "-vnc", ":1,to=999,password=on"]);
        launch_guarded(&mut vm)?;
        let vnc = query_vnc(&mut vm)?;
        ensure!(vnc["enabled"] == true, "VNC is not enabled by -vnc: {vnc}");
        vm.cmd("change-vnc-password", json!({ "password": "new_password" }))?;
        Ok(())
    }

    /// `display-update` moves the VNC server to new ports: the old one
    /// stops listening, the new ones listen.
    pub fn listen_address_can_change(mut vm: Machine) -> TestResult {
        let [a, b, c] = free_ports::<3>()?;
        vm.set_machine("none")?;
        vm.args([
            "-nodefaults",
            "-S",
            "-vnc",
            &format!("127.0.0.1:{}", a - 5900),
        ]);
        launch_guarded(&mut vm)?;
        let vnc = query_vnc(&mut vm)?;
        ensure!(
            vnc["service"].as_str() == Some(a.to_string().as_str()),
            "VNC serves {}, expected {a}",
            vnc["service"]
        );
        ensure!(
            listening(a) && !listening(b) && !listening(c),
            "only port {a} should listen"
        );
        vm.cmd(
            "display-update",
            json!({
                "type": "vnc",
                "addresses": [
                    { "type": "inet", "host": "127.0.0.1", "port": b.to_string() },
                    { "type": "inet", "host": "127.0.0.1", "port": c.to_string() },
                ],
            }),
        )?;
        let vnc = query_vnc(&mut vm)?;
        ensure!(
            vnc["service"].as_str() == Some(b.to_string().as_str()),
            "VNC serves {}, expected {b}",
            vnc["service"]
        );
        ensure!(
            !listening(a) && listening(b) && listening(c),
            "ports {b} and {c} should listen, {a} not"
        );
        Ok(())
    }

    /// A VNC port that another process holds makes QEMU refuse to start,
    /// and says so.
    pub fn taken_port_is_reported(mut vm: Machine) -> TestResult {
        let holder = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .map_err(|err| TestError::io("binding a port on 127.0.0.1", err))?;
        let port = holder
            .local_addr()
            .map_err(|err| TestError::io("reading the port", err))?
            .port();
        if port < 5900 {
            return Err(Skip::new(format!("port {port} is below the VNC base port 5900")).into());
        }
        vm.set_machine("none")?;
        vm.args([
            "-nodefaults",
            "-S",
            "-vnc",
            &format!("127.0.0.1:{}", port - 5900),
        ]);
        match vm.launch() {
            Err(MachineError::DidNotStart { exit, output, .. }) => {
                ensure!(exit.code() == Some(1), "QEMU {exit}; expected exit code 1");
                ensure!(
                    output.contains("Address already in use"),
                    "QEMU's refusal does not say the address is in use: {output:?}"
                );
                Ok(())
            }
            Err(err) => Err(err.into()),
            Ok(_) => Err(TestError::check(format!(
                "QEMU started with VNC on port {port}, which another socket holds"
            ))),
        }
    }

    fn launch_guarded(vm: &mut Machine) -> TestResult {
        match vm.launch() {
            Ok(_) => Ok(()),
            Err(MachineError::DidNotStart { output, .. })
                if output.contains("-vnc: invalid option") =>
            {
                Err(Skip::new("VNC support not available").into())
            }
            Err(MachineError::DidNotStart { output, .. })
                if output.contains("Cipher backend does not support DES algorithm") =>
            {
                Err(Skip::new("No cryptographic backend available").into())
            }
            Err(err) => Err(err.into()),
        }
    }

    fn query_vnc(vm: &mut Machine) -> Result<Value, TestError> {
        match vm.cmd("query-vnc", Value::Null) {
            Err(MachineError::Qmp(QmpError::Command { class, .. }))
                if class == "CommandNotFound" =>
            {
                Err(Skip::new("VNC support not available").into())
            }
            other => Ok(other?),
        }
    }

    fn refuses_password(vm: &mut Machine) -> TestResult {
        match vm.cmd("change-vnc-password", json!({ "password": "new_password" })) {
            Err(MachineError::Qmp(QmpError::Command { class, desc, .. })) => {
                ensure!(
                    class == "GenericError" && desc == "Could not set password",
                    "change-vnc-password failed with {class}: {desc}; expected GenericError: Could not set password"
                );
                Ok(())
            }
            Ok(_) => Err(TestError::check(
                "change-vnc-password succeeded; it should fail",
            )),
            Err(err) => Err(err.into()),
        }
    }

    /// `N` ports that nothing listens on now, at or above 5900 (VNC
    /// displays count from there).
    fn free_ports<const N: usize>() -> Result<[u16; N], TestError> {
        let mut listeners = Vec::new();
        while listeners.len() < N {
            let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
                .map_err(|err| TestError::io("binding a port on 127.0.0.1", err))?;
            let port = listener
                .local_addr()
                .map_err(|err| TestError::io("reading the port", err))?
                .port();
            if port >= 5900 {
                listeners.push((listener, port));
            }
        }
        // Held until all are chosen so the kernel gives distinct ports.
        let ports: Vec<u16> = listeners.iter().map(|(_, port)| *port).collect();
        Ok(ports.try_into().expect("N ports"))
    }

    fn listening(port: u16) -> bool {
        TcpStream::connect_timeout(&(Ipv4Addr::LOCALHOST, port).into(), Duration::from_secs(2))
            .is_ok()
    }
}

pub mod migration {
    use super::*;

    /// Migrates over TCP on 127.0.0.1; the destination picks its port.
    pub fn tcp_localhost(mut vm: Machine) -> TestResult {
        let plan = Plan::for_target(&vm)?;
        let mut dest = vm.sibling("dest-qemu");
        plan.launch(&mut dest, Some("tcp:127.0.0.1:0"))?;
        let incoming = dest.cmd("query-migrate", Value::Null)?;
        let port = incoming["socket-address"][0]["port"]
            .as_str()
            .ok_or_else(|| {
                TestError::check(format!("no listening port in query-migrate: {incoming}"))
            })?
            .to_owned();
        plan.launch(&mut vm, None)?;
        let before = plan.migrate(&mut vm, &format!("tcp:127.0.0.1:{port}"))?;
        plan.excuse(plan.assert_migrated(&mut vm, &mut dest, &before))
    }

    /// Migrates over a UNIX socket in the test's socket directory.
    pub fn unix_socket(mut vm: Machine) -> TestResult {
        let plan = Plan::for_target(&vm)?;
        let socket = vm.env().socket_file("migration.sock");
        let uri = format!("unix:{}", socket.display());
        let mut dest = vm.sibling("dest-qemu");
        plan.launch(&mut dest, Some(&uri))?;
        plan.launch(&mut vm, None)?;
        let before = plan.migrate(&mut vm, &uri)?;
        plan.excuse(plan.assert_migrated(&mut vm, &mut dest, &before))
    }

    /// Migrates through `exec:`: the source writes its state with `cat`
    /// into scratch, a destination started afterwards reads it back.
    pub fn exec_command(mut vm: Machine) -> TestResult {
        crate::skip::require_commands(&["cat"])?;
        let plan = Plan::for_target(&vm)?;
        let state = vm.env().scratch_file(["migration.state"]);
        plan.launch(&mut vm, None)?;
        let before = plan.migrate(&mut vm, &format!("exec:cat > '{}'", state.display()))?;
        let outcome = (|| {
            let source = wait_finished(&mut vm)?;
            ensure!(source == "completed", "source migration ended {source}");
            let mut dest = vm.sibling("dest-qemu");
            plan.launch(&mut dest, Some(&format!("exec:cat '{}'", state.display())))?;
            let destination = wait_finished(&mut dest)?;
            ensure!(
                destination == "completed",
                "destination migration ended {destination}"
            );
            let state = dest.qmp().run_state()?;
            ensure!(
                state == before,
                "destination is {state} after migration, the source was {before}"
            );
            Ok(())
        })();
        plan.excuse(outcome)
    }

    /// What to migrate on this target: the machine QEMU's own migration
    /// tests use, running; else the target's default machine, held at reset
    /// with `-S`, since nothing is there to boot on it.
    struct Plan {
        machine: String,
        held: bool,
    }

    impl Plan {
        fn for_target(vm: &Machine) -> Result<Plan, TestError> {
            let arch = vm.env().id().arch.clone();
            let known = match arch.as_str() {
                "aarch64" => Some("quanta-gsj"),
                "alpha" => Some("clipper"),
                "arm" => Some("npcm750-evb"),
                "i386" => Some("isapc"),
                "ppc" => Some("sam460ex"),
                "ppc64" => Some("mac99"),
                "riscv32" => Some("spike"),
                "riscv64" => Some("virt"),
                "sparc" => Some("SS-4"),
                "sparc64" => Some("sun4u"),
                "x86_64" => Some("microvm"),
                _ => None,
            };
            if let Some(machine) = known {
                return Ok(Plan {
                    machine: machine.to_owned(),
                    held: false,
                });
            }
            match vm.default_machine_type()? {
                Some(machine) => Ok(Plan { machine, held: true }),
                None => Err(Skip::new(format!(
                    "qemu-system-{arch} has no default machine, and QEMU's migration tests name none for it"
                ))
                .into()),
            }
        }

        /// Launches a source, or with `incoming` a destination.
        fn launch(&self, vm: &mut Machine, incoming: Option<&str>) -> TestResult {
            vm.set_machine(&self.machine)?;
            vm.arg("-nodefaults");
            if self.held {
                vm.arg("-S");
            }
            if let Some(uri) = incoming {
                vm.args(["-incoming", uri]);
            }
            match vm.launch() {
                Ok(_) => Ok(()),
                Err(MachineError::DidNotStart { output, .. }) if self.held => {
                    Err(Skip::new(format!(
                        "the default machine {} does not start without a payload: {}",
                        self.machine,
                        output.trim()
                    ))
                    .into())
                }
                Err(err) => Err(err.into()),
            }
        }

        /// Starts the migration and returns the source's run state before
        /// it, which the destination must take over. A device that cannot
        /// migrate is a skip.
        fn migrate(&self, vm: &mut Machine, uri: &str) -> Result<String, TestError> {
            let before = vm.qmp().run_state()?;
            match vm.cmd("migrate", json!({ "uri": uri })) {
                Err(MachineError::Qmp(QmpError::Command { desc, .. })) if blocked(&desc) => Err(
                    Skip::new(format!("machine {} cannot migrate: {desc}", self.machine)).into(),
                ),
                other => other.map(|_| before).map_err(Into::into),
            }
        }

        /// A default machine that QEMU's own tests never migrate, on which
        /// QEMU crashes while migrating, cannot be migrated by this QEMU: a
        /// skip that says so, for a QEMU defect to report. On the machines
        /// QEMU's tests cover, a crash stays a failure.
        fn excuse(&self, outcome: TestResult) -> TestResult {
            match outcome {
                Err(TestError::Machine(MachineError::Died { exit, .. }))
                    if self.held && exit.signal().is_some() =>
                {
                    Err(Skip::new(format!(
                        "QEMU {exit} migrating the default machine {}, which QEMU's own migration tests do not cover: this QEMU cannot migrate it (a QEMU defect; base.log has the transcript)",
                        self.machine
                    ))
                    .into())
                }
                other => other,
            }
        }

        fn assert_migrated(
            &self,
            source: &mut Machine,
            dest: &mut Machine,
            before: &str,
        ) -> TestResult {
            let source_status = wait_finished(source)?;
            let dest_status = wait_finished(dest)?;
            ensure!(
                source_status == "completed",
                "source migration ended {source_status}"
            );
            ensure!(
                dest_status == "completed",
                "destination migration ended {dest_status}"
            );
            let dest_state = dest.qmp().run_state()?;
            ensure!(
                dest_state == before,
                "destination is {dest_state}, the source was {before}"
            );
            let source_state = source.qmp().run_state()?;
            ensure!(
                source_state == "postmigrate",
                "source is {source_state}, expected postmigrate"
            );
            Ok(())
        }
    }

    /// QEMU's words for a machine whose state cannot be migrated.
    fn blocked(desc: &str) -> bool {
        desc.contains("non-migratable")
            || desc.contains("blocked")
            || desc.contains("not migratable")
    }

    /// Polls `query-migrate` until it says completed or failed.
    fn wait_finished(vm: &mut Machine) -> Result<String, TestError> {
        let timeout = Duration::from_secs(60);
        let started = Instant::now();
        loop {
            let info = vm.cmd("query-migrate", Value::Null)?;
            let status = info["status"].as_str().unwrap_or_default().to_owned();
            if status == "completed" || status == "failed" {
                if status == "failed" {
                    vm.env().log(format_args!("migration failed: {info}"));
                }
                return Ok(status);
            }
            if started.elapsed() > timeout {
                return Err(TestError::check(format!(
                    "migration of {} not finished after {}s: {info}",
                    vm.name(),
                    timeout.as_secs()
                )));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}
