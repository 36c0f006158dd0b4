//! One QEMU process: binary lookup, arguments, requirements that skip,
//! launch, QMP and console, shutdown and kill, exit status. A QEMU never
//! outlives its test: it is shut down on drop, killed on panic, and dies
//! with the test process if that is SIGKILLed.

use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use serde_json::Value;

use super::accel;
use super::binary::qemu_binary;
use super::console::{Console, WaitTimeout};
use super::logs::Host;
use super::probes::QemuVersion;
use super::process::{Exit, Process, shell_quote};
use super::qmp::{Qmp, QmpError};
use super::unavailable::Unavailable;

/// How long QEMU may take from exec to its QMP greeting.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);
/// How long QEMU may take to exit after `quit` (as Python's QEMUMachine).
const QUIT_TIMEOUT: Duration = Duration::from_secs(30);
/// How long QEMU may take to exit after SIGTERM, and after SIGKILL.
const SIGNAL_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a QEMU whose guest shut down gets to exit before `quit`.
const GUEST_SHUTDOWN_EXIT: Duration = Duration::from_secs(2);

#[derive(Debug, thiserror::Error)]
pub enum MachineError {
    /// The machine cannot run here: a skip, with its reason (or a failure,
    /// for a configuration mistake).
    #[error("{0}")]
    Unavailable(Unavailable),
    /// QEMU exited before it was ready (bad argument, missing firmware).
    #[error("QEMU did not start: {program} {exit}{}", quote_output(output))]
    DidNotStart {
        program: String,
        exit: Exit,
        output: String,
    },
    #[error("QEMU did not answer on QMP within {}s of starting; it was killed{}", STARTUP_TIMEOUT.as_secs(), quote_output(output))]
    StartupTimeout { output: String },
    #[error("QEMU {exit}{}", quote_output(output))]
    Died { exit: Exit, output: String },
    #[error("QEMU did not exit within {}s of {asked}; it was killed", timeout.as_secs())]
    AbnormalShutdown { asked: String, timeout: Duration },
    #[error("QEMU is still running after {}s", timeout.as_secs())]
    StillRunning { timeout: Duration },
    #[error("cannot run `{program}`: {source}")]
    Spawn {
        program: String,
        #[source]
        source: std::io::Error,
    },
    #[error("`{program} {args}` failed: {output}")]
    Probe {
        program: String,
        args: String,
        output: String,
    },
    #[error(transparent)]
    Qmp(#[from] QmpError),
    #[error("{0} is not running")]
    NotRunning(&'static str),
}

impl From<Unavailable> for MachineError {
    fn from(unavailable: Unavailable) -> MachineError {
        MachineError::Unavailable(unavailable)
    }
}

impl MachineError {
    /// The kind of failure, as a failure report names it.
    pub fn kind(&self) -> &'static str {
        match self {
            MachineError::Unavailable(unavailable) if unavailable.is_configuration_error() => {
                "configuration error"
            }
            MachineError::Unavailable(_) => "skipped",
            MachineError::DidNotStart { .. }
            | MachineError::StartupTimeout { .. }
            | MachineError::Spawn { .. }
            | MachineError::Probe { .. } => "QEMU did not start",
            MachineError::Died { .. } => "QEMU died",
            MachineError::AbnormalShutdown { .. } | MachineError::StillRunning { .. } => {
                "QEMU did not shut down"
            }
            MachineError::Qmp(_) => "QMP error",
            MachineError::NotRunning(_) => "test error",
        }
    }
}

fn quote_output(output: &str) -> String {
    let lines: Vec<&str> = output
        .lines()
        .filter(|line| !line.trim().is_empty())
        .collect();
    if lines.is_empty() {
        return String::new();
    }
    let mut text = String::from("\nQEMU output:");
    for line in &lines[lines.len().saturating_sub(12)..] {
        text.push_str("\n  | ");
        text.push_str(line);
    }
    text
}

/// Where the guest's serial console goes.
#[derive(Debug, Clone)]
struct ConsoleSetting {
    enabled: bool,
    index: usize,
    device: Option<String>,
}

/// One QEMU, configured, then launched; `H` is its owner, a test's
/// `TestEnv` (the harness names `Machine<TestEnv>` simply `Machine`).
pub struct Machine<H: Host> {
    env: Arc<H>,
    logs: crate::vm::Logs,
    name: String,
    binary: Result<PathBuf, Unavailable>,
    args: Vec<OsString>,
    machine: Option<String>,
    console: ConsoleSetting,
    qmp_enabled: bool,
    running: Option<Running>,
}

struct Running {
    process: Arc<Process>,
    qmp: Option<Qmp>,
    console: Option<Console>,
    finished: bool,
    /// We sent the signal that may end it: its death is not QEMU's crash.
    killed: bool,
}

impl<H: Host> Machine<H> {
    /// A machine of the test's target. The first one a test makes is called
    /// `default` and logs to `console.log` and `default.log`; later ones log
    /// to `<name>-console.log` and `<name>.log`.
    pub fn new(env: Arc<H>, name: &str) -> Machine<H> {
        let binary = qemu_binary(env.arch());
        let logs = env.logs().clone();
        let index = env.next_machine_index();
        let name = if index == 0 && name.is_empty() {
            "default".to_owned()
        } else if name.is_empty() {
            format!("vm{index}")
        } else {
            name.to_owned()
        };
        match &binary {
            Ok(binary) => logs.log(format_args!(
                "machine {name}: QEMU binary {}",
                binary.display()
            )),
            Err(skip) => logs.log(format_args!("machine {name}: {skip}")),
        }
        Machine {
            env,
            logs,
            name,
            binary,
            args: Vec::new(),
            machine: None,
            console: ConsoleSetting {
                enabled: true,
                index: 0,
                device: None,
            },
            qmp_enabled: true,
            running: None,
        }
    }

    /// Another machine in the same test (a migration destination, say).
    pub fn sibling(&self, name: &str) -> Machine<H> {
        Machine::new(self.env.clone(), name)
    }

    /// Another machine configured as this one so far (machine type,
    /// console, QMP, arguments), not launched: what Python's `get_vm`
    /// gives a test that set `self.machine` and `self.cpu`, e.g. the
    /// recording and the replaying QEMU of a record/replay test.
    pub fn twin(&self, name: &str) -> Machine<H> {
        let mut twin = self.sibling(name);
        twin.binary = self.binary.clone();
        twin.args = self.args.clone();
        twin.machine = self.machine.clone();
        twin.console = self.console.clone();
        twin.qmp_enabled = self.qmp_enabled;
        twin
    }

    pub fn env(&self) -> &Arc<H> {
        &self.env
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The QEMU binary: `QEMU_TEST_QEMU_BINARY`, else
    /// `$QEMU_BUILD_ROOT/qemu-system-<arch>`, else `qemu-system-<arch>` on
    /// `PATH`; a skip when there is none.
    pub fn binary(&self) -> Result<&Path, Unavailable> {
        self.binary.as_deref().map_err(Clone::clone)
    }

    /// Adds one argument.
    pub fn arg(&mut self, arg: impl AsRef<OsStr>) -> &mut Machine<H> {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    /// Adds arguments.
    pub fn args<I, S>(&mut self, args: I) -> &mut Machine<H>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|arg| arg.as_ref().to_owned()));
        self
    }

    /// Python's `set_vm_arg`: sets `arg` to `value`, replacing the value
    /// after an earlier `arg` rather than adding a second one, so a helper
    /// can set a default (`-display none`) that a test then changes.
    pub fn set_vm_arg(&mut self, arg: &str, value: impl AsRef<OsStr>) -> &mut Machine<H> {
        set_vm_arg(&mut self.args, arg, value.as_ref());
        self
    }

    /// Selects the machine type (`virt`, or `virt,gic-version=3`); a skip
    /// when this QEMU does not have it.
    pub fn set_machine(&mut self, machine: &str) -> Result<&mut Machine<H>, MachineError> {
        let name = machine_type(machine);
        let machines = self.help_list("-machine", &["-machine", "help"], parse_first_words)?;
        if !machines.iter().any(|known| known == name) {
            return Err(self.unavailable(Unavailable::NoMachine {
                machine: name.to_owned(),
                binary: self.binary_display(),
            }));
        }
        self.machine = Some(machine.to_owned());
        Ok(self)
    }

    /// The machine `set_machine` selected, options included: what a
    /// second QEMU of the same test (a migration's destination) must use.
    pub fn machine(&self) -> Option<&str> {
        self.machine.as_deref()
    }

    /// The machine type QEMU picks without `-machine`, if the target has one.
    pub fn default_machine_type(&self) -> Result<Option<String>, MachineError> {
        let default = self.help_list(
            "-machine default",
            &["-machine", "help"],
            parse_default_machine,
        )?;
        Ok(default.into_iter().next())
    }

    /// The QEMU release of the binary (`--version`, cached on disk).
    pub fn qemu_version(&self) -> Result<QemuVersion, MachineError> {
        let binary = self.binary()?;
        super::probes::qemu_version(binary).map_err(|err| MachineError::Probe {
            program: binary.display().to_string(),
            args: "--version".to_owned(),
            output: err.to_string(),
        })
    }

    /// Puts the console on the first serial port: the default, as
    /// Python's `set_console()`.
    pub fn set_console(&mut self) -> &mut Machine<H> {
        self.console.enabled = true;
        self.console.index = 0;
        self.console.device = None;
        self
    }

    /// Puts the console on serial port `index` (earlier ports get `null`).
    pub fn set_console_index(&mut self, index: usize) -> &mut Machine<H> {
        self.console.enabled = true;
        self.console.index = index;
        self
    }

    /// Puts the console on a device instead of a serial port
    /// (`-device <device>,chardev=console`), e.g. `virtconsole`.
    pub fn set_console_device(&mut self, device: &str) -> &mut Machine<H> {
        self.console.enabled = true;
        self.console.device = Some(device.to_owned());
        self
    }

    /// Launches without a console chardev.
    pub fn disable_console(&mut self) -> &mut Machine<H> {
        self.console.enabled = false;
        self
    }

    /// Launches without QMP: for QEMUs expected to exit at once.
    pub fn disable_qmp(&mut self) -> &mut Machine<H> {
        self.qmp_enabled = false;
        self
    }

    /// Skips unless this QEMU has the accelerator (`tcg`, `kvm`). KVM counts
    /// only if a probe guest actually runs under it: `/dev/kvm` existing
    /// proves nothing.
    pub fn require_accelerator(
        &mut self,
        accelerator: &str,
    ) -> Result<&mut Machine<H>, MachineError> {
        let accelerators =
            self.help_list("-accel", &["-accel", "help"], parse_lines_after_header)?;
        if !accelerators.iter().any(|known| known == accelerator) {
            return Err(self.unavailable(Unavailable::NoAccelerator {
                accelerator: accelerator.to_owned(),
                binary: self.binary_display(),
            }));
        }
        if accelerator == "kvm" {
            let binary = self.binary()?.to_path_buf();
            accel::kvm_works(&binary, self.env.arch())
                .map_err(|unavailable| self.unavailable(unavailable))?;
        }
        Ok(self)
    }

    /// Skips unless this QEMU has the device (`-device help`).
    pub fn require_device(&mut self, device: &str) -> Result<&mut Machine<H>, MachineError> {
        let devices = self.help_list(
            "-device",
            &["-machine", "none", "-device", "help"],
            parse_device_names,
        )?;
        if !devices.iter().any(|known| known == device) {
            return Err(self.unavailable(Unavailable::NoDevice {
                device: device.to_owned(),
                binary: self.binary_display(),
            }));
        }
        Ok(self)
    }

    /// Skips unless this QEMU has the network backend (`-netdev help`).
    pub fn require_netdev(&mut self, netdev: &str) -> Result<&mut Machine<H>, MachineError> {
        let netdevs = self.help_list(
            "-netdev",
            &["-machine", "none", "-netdev", "help"],
            parse_lines_after_header,
        )?;
        if !netdevs.iter().any(|known| known == netdev) {
            return Err(self.unavailable(Unavailable::NoNetdev {
                netdev: netdev.to_owned(),
                binary: self.binary_display(),
            }));
        }
        Ok(self)
    }

    /// Starts QEMU and waits for its QMP greeting. A QEMU that exits first
    /// fails with QEMU's own message.
    pub fn launch(&mut self) -> Result<&mut Machine<H>, MachineError> {
        assert!(
            self.running.is_none(),
            "machine {} launched twice",
            self.name
        );
        let binary = self.binary()?.to_path_buf();
        let (qmp_ours, qmp_theirs) = socket_pair()?;
        let (console_ours, console_theirs) = socket_pair()?;
        let mut args: Vec<OsString> = ["-display", "none", "-vga", "none"]
            .iter()
            .map(OsString::from)
            .collect();
        let mut inherit = Vec::new();
        if self.qmp_enabled {
            let fd = qmp_theirs.as_raw_fd();
            inherit.push(fd);
            push_all(&mut args, &["-chardev", &format!("socket,id=mon,fd={fd}")]);
            push_all(&mut args, &["-mon", "chardev=mon,mode=control"]);
        }
        if let Some(machine) = &self.machine {
            push_all(&mut args, &["-machine", machine]);
        }
        if self.console.enabled {
            for _ in 0..self.console.index {
                push_all(&mut args, &["-serial", "null"]);
            }
            let fd = console_theirs.as_raw_fd();
            inherit.push(fd);
            push_all(
                &mut args,
                &["-chardev", &format!("socket,id=console,fd={fd}")],
            );
            match &self.console.device {
                None => push_all(&mut args, &["-serial", "chardev:console"]),
                Some(device) => push_all(
                    &mut args,
                    &["-device", &format!("{device},chardev=console")],
                ),
            }
        }
        if !self.asks_for_accelerator() {
            // TCG unless the test asks: /dev/kvm existing proves nothing.
            push_all(&mut args, &["-accel", "tcg"]);
        }
        args.extend(self.args.iter().cloned());
        self.logs.log(format_args!(
            "machine {}: launching: {}",
            self.name,
            shell_quote(&binary, &args)
        ));
        let mut command = Command::new(&binary);
        command.args(&args);
        let process = Process::spawn(command, &self.output_log(), inherit).map_err(|source| {
            MachineError::Spawn {
                program: binary.display().to_string(),
                source,
            }
        })?;
        // QEMU holds its ends now; ours must close so QEMU's exit is an EOF.
        drop(qmp_theirs);
        drop(console_theirs);
        self.logs.log(format_args!(
            "machine {}: QEMU pid {}",
            self.name,
            process.pid()
        ));
        let machine = self.machine.as_deref().map(machine_type);
        self.env.qemu_launched(machine, self.qemu_version().ok());
        let prefix = self.log_prefix();
        let console = if self.console.enabled {
            let log = self.console_log();
            Some(
                Console::start(
                    console_ours,
                    &log,
                    process.clone(),
                    self.logs.clone(),
                    &prefix,
                )
                .map_err(|source| MachineError::Spawn {
                    program: "console reader".to_owned(),
                    source,
                })?,
            )
        } else {
            None
        };
        let qmp = if self.qmp_enabled {
            match Qmp::connect(qmp_ours, self.logs.clone(), &prefix, STARTUP_TIMEOUT) {
                Ok(qmp) => Some(qmp),
                Err(err) => {
                    let failure = self.startup_failure(&process, err);
                    self.running = Some(Running {
                        process,
                        qmp: None,
                        console,
                        finished: false,
                        killed: false,
                    });
                    self.finish();
                    return Err(failure);
                }
            }
        } else {
            None
        };
        self.running = Some(Running {
            process,
            qmp,
            console,
            finished: false,
            killed: false,
        });
        Ok(self)
    }

    /// The QMP connection. Panics before `launch` or with QMP disabled: that
    /// is a mistake in the test, not a condition of the host.
    pub fn qmp(&mut self) -> &mut Qmp {
        let name = self.name.clone();
        self.running
            .as_mut()
            .unwrap_or_else(|| panic!("machine {name}: qmp() before launch()"))
            .qmp
            .as_mut()
            .unwrap_or_else(|| panic!("machine {name}: QMP is disabled"))
    }

    /// Runs a QMP command and returns its `return` value (Python's
    /// `vm.cmd`). A QEMU that died on the way fails as such.
    pub fn cmd(&mut self, command: &str, arguments: Value) -> Result<Value, MachineError> {
        match self.qmp().execute(command, arguments) {
            Ok(value) => Ok(value),
            Err(err @ QmpError::Closed { .. }) => Err(self.died_or(err)),
            Err(err) => Err(err.into()),
        }
    }

    /// The serial console. Panics before `launch` or with the console
    /// disabled.
    pub fn console(&mut self) -> &mut Console {
        let name = self.name.clone();
        self.running
            .as_mut()
            .unwrap_or_else(|| panic!("machine {name}: console() before launch()"))
            .console
            .as_mut()
            .unwrap_or_else(|| panic!("machine {name}: the console is disabled"))
    }

    /// QEMU's pid while it runs.
    pub fn pid(&self) -> Option<i32> {
        self.running.as_ref().map(|running| running.process.pid())
    }

    /// How QEMU ended, once it has.
    pub fn exit(&self) -> Option<Exit> {
        self.running
            .as_ref()
            .and_then(|running| running.process.exit())
    }

    /// What QEMU wrote to stdout and stderr so far (`default.log`).
    pub fn output(&self) -> String {
        std::fs::read(self.output_log())
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .unwrap_or_default()
    }

    /// Waits for QEMU to exit by itself (the guest powered off, or QEMU
    /// refused its arguments), within the console wait's wall ceiling.
    pub fn wait_exit(&mut self) -> Result<Exit, MachineError> {
        let timeout = WaitTimeout::from_env().ceiling;
        let running = self
            .running
            .as_ref()
            .ok_or(MachineError::NotRunning("QEMU"))?;
        let exit = running.process.wait_timeout(timeout);
        match exit {
            Some(exit) => {
                self.finish();
                Ok(exit)
            }
            None => Err(MachineError::StillRunning { timeout }),
        }
    }

    /// Stops QEMU: QMP `quit` (SIGTERM without QMP), then SIGTERM, then
    /// SIGKILL, each with a bounded wait. Fails if QEMU had to be killed or
    /// died by a signal we did not send.
    pub fn shutdown(&mut self) -> Result<Exit, MachineError> {
        let exits_on_guest_shutdown = self.exits_on_guest_shutdown();
        let Some(running) = self.running.as_mut() else {
            return Err(MachineError::NotRunning("QEMU"));
        };
        let process = running.process.clone();
        if let Some(exit) = process.exit() {
            self.finish();
            return self.judge_exit(exit);
        }
        let helpers = process.descendants();
        // A guest that shut down has QEMU on its way out: `quit` has nothing
        // left to ask, and meeting QEMU's own teardown crashes 10.0's
        // monitor (see harness::known_failures).
        if exits_on_guest_shutdown
            && running
                .qmp
                .as_mut()
                .is_some_and(|qmp| qmp.shutdown_announced())
        {
            self.logs.log(format_args!(
                "machine {}: shutdown: the guest shut down; waiting {}s for QEMU to exit",
                self.name,
                GUEST_SHUTDOWN_EXIT.as_secs()
            ));
            if let Some(exit) = process.wait_timeout(GUEST_SHUTDOWN_EXIT) {
                self.kill_leftovers(&helpers);
                self.finish();
                return self.judge_exit(exit);
            }
        }
        let asked = match running.qmp.as_mut() {
            Some(qmp) => {
                self.logs
                    .log(format_args!("machine {}: shutdown: quit", self.name));
                // A QEMU that is already exiting closes QMP: that is fine.
                let _ = qmp.execute("quit", Value::Null);
                "quit"
            }
            None => {
                self.logs.log(format_args!(
                    "machine {}: shutdown: SIGTERM (no QMP)",
                    self.name
                ));
                process.signal(libc::SIGTERM);
                "SIGTERM"
            }
        };
        let mut killed_by_us = None;
        let exit = match process.wait_timeout(QUIT_TIMEOUT) {
            Some(exit) => exit,
            None => {
                self.logs.log(format_args!(
                    "machine {}: no exit {}s after {asked}: SIGTERM",
                    self.name,
                    QUIT_TIMEOUT.as_secs()
                ));
                self.mark_killed();
                process.signal(libc::SIGTERM);
                killed_by_us = Some(libc::SIGTERM);
                match process.wait_timeout(SIGNAL_TIMEOUT) {
                    Some(exit) => exit,
                    None => {
                        self.logs.log(format_args!(
                            "machine {}: no exit {}s after SIGTERM: SIGKILL",
                            self.name,
                            SIGNAL_TIMEOUT.as_secs()
                        ));
                        process.signal(libc::SIGKILL);
                        killed_by_us = Some(libc::SIGKILL);
                        process
                            .wait_timeout(SIGNAL_TIMEOUT)
                            .ok_or(MachineError::StillRunning {
                                timeout: SIGNAL_TIMEOUT,
                            })?
                    }
                }
            }
        };
        self.kill_leftovers(&helpers);
        self.finish();
        if killed_by_us.is_some() {
            return Err(MachineError::AbnormalShutdown {
                asked: asked.to_owned(),
                timeout: QUIT_TIMEOUT,
            });
        }
        self.judge_exit(exit)
    }

    /// Kills QEMU at once with SIGKILL.
    pub fn kill(&mut self) -> Option<Exit> {
        let running = self.running.as_ref()?;
        let process = running.process.clone();
        let helpers = process.descendants();
        if process.exit().is_none() {
            self.logs
                .log(format_args!("machine {}: kill: SIGKILL", self.name));
            self.mark_killed();
            process.signal(libc::SIGKILL);
        }
        let exit = process.wait_timeout(SIGNAL_TIMEOUT);
        self.kill_leftovers(&helpers);
        self.finish();
        exit
    }

    /// Kills what QEMU started and left running when it exited (an
    /// `exec:ncat -l` of a migration that never came holds QEMU's output
    /// pipe and listens for ever).
    fn kill_leftovers(&self, helpers: &[(i32, u64)]) {
        let killed = super::process::kill_leftovers(helpers);
        if !killed.is_empty() {
            self.logs.log(format_args!(
                "machine {}: killed what QEMU left running: pids {killed:?}",
                self.name
            ));
        }
    }

    /// Sends a signal to QEMU (a test that simulates a crash).
    pub fn signal(&self, signal: i32) {
        if let Some(running) = &self.running {
            self.logs.log(format_args!(
                "machine {}: sending signal {signal}",
                self.name
            ));
            running.process.signal(signal);
        }
    }

    fn judge_exit(&self, exit: Exit) -> Result<Exit, MachineError> {
        if exit.signal().is_some() {
            return Err(MachineError::Died {
                exit,
                output: self.output_tail(),
            });
        }
        Ok(exit)
    }

    /// Turns a closed QMP socket into "QEMU died" with how it exited.
    fn died_or(&mut self, err: QmpError) -> MachineError {
        let Some(running) = &self.running else {
            return err.into();
        };
        match running.process.wait_timeout(Duration::from_secs(5)) {
            Some(exit) => {
                running.process.wait_output(Duration::from_secs(2));
                let output = running.process.output_tail();
                self.logs
                    .log(format_args!("machine {}: QEMU {exit}", self.name));
                MachineError::Died { exit, output }
            }
            None => err.into(),
        }
    }

    fn startup_failure(&self, process: &Arc<Process>, err: QmpError) -> MachineError {
        let exit = match err {
            QmpError::Closed { .. } => process.wait_timeout(Duration::from_secs(5)),
            _ => None,
        };
        match exit {
            Some(exit) => {
                process.wait_output(Duration::from_secs(2));
                let output = process.output_tail();
                self.logs.log(format_args!(
                    "machine {}: QEMU did not start: {exit}",
                    self.name
                ));
                MachineError::DidNotStart {
                    program: self.binary_display(),
                    exit,
                    output,
                }
            }
            None => {
                self.logs.log(format_args!(
                    "machine {}: no QMP greeting ({err}): SIGKILL",
                    self.name
                ));
                process.signal(libc::SIGKILL);
                process.wait_timeout(SIGNAL_TIMEOUT);
                MachineError::StartupTimeout {
                    output: process.output_tail(),
                }
            }
        }
    }

    /// Collects the console and output readers once QEMU has exited, and
    /// writes the exit to base.log, once.
    fn finish(&mut self) {
        let Some(running) = self.running.as_mut() else {
            return;
        };
        if running.finished || running.process.exit().is_none() {
            return;
        }
        running.finished = true;
        if let Some(console) = running.console.as_mut() {
            console.wait_closed(Duration::from_secs(2));
        }
        running.process.wait_output(Duration::from_secs(2));
        running.process.join();
        let exit = running.process.exit().expect("checked above");
        self.logs
            .log(format_args!("machine {}: QEMU {exit}", self.name));
        if !running.killed {
            self.env.qemu_exited(&exit);
        }
    }

    fn mark_killed(&mut self) {
        if let Some(running) = self.running.as_mut() {
            running.killed = true;
        }
    }

    fn output_tail(&self) -> String {
        self.running
            .as_ref()
            .map(|running| running.process.output_tail())
            .unwrap_or_default()
    }

    /// Whether a guest's shutdown ends QEMU: not with `-no-shutdown` or
    /// `-action shutdown=pause`, which keep it paused.
    fn exits_on_guest_shutdown(&self) -> bool {
        !self.args.iter().any(|arg| {
            let arg = arg.to_string_lossy();
            arg == "-no-shutdown" || arg == "--no-shutdown" || arg.contains("shutdown=pause")
        })
    }

    fn asks_for_accelerator(&self) -> bool {
        self.args.iter().any(|arg| {
            let arg = arg.to_string_lossy();
            arg == "-accel" || arg == "--accel" || arg == "-enable-kvm" || arg.contains("accel=")
        }) || self
            .machine
            .as_deref()
            .is_some_and(|machine| machine.contains("accel="))
    }

    fn output_log(&self) -> PathBuf {
        self.logs.file(&format!("{}.log", self.name))
    }

    fn console_log(&self) -> PathBuf {
        if self.name == "default" {
            self.logs.file("console.log")
        } else {
            self.logs.file(&format!("{}-console.log", self.name))
        }
    }

    fn log_prefix(&self) -> String {
        if self.name == "default" {
            String::new()
        } else {
            format!("{}: ", self.name)
        }
    }

    fn binary_display(&self) -> String {
        match &self.binary {
            Ok(binary) => binary.display().to_string(),
            Err(_) => format!("qemu-system-{}", self.env.arch()),
        }
    }

    fn unavailable(&self, reason: Unavailable) -> MachineError {
        self.logs
            .log(format_args!("machine {}: skip: {reason}", self.name));
        MachineError::Unavailable(reason)
    }

    /// Asks `binary <args>` once per binary (the answer is cached on disk
    /// across processes, see `probes`), and parses it into a list of names.
    fn help_list(
        &self,
        what: &'static str,
        args: &[&str],
        parse: fn(&str) -> Vec<String>,
    ) -> Result<Vec<String>, MachineError> {
        type Lists = Mutex<HashMap<(PathBuf, &'static str), Vec<String>>>;
        static CACHE: OnceLock<Lists> = OnceLock::new();
        let binary = self.binary()?.to_path_buf();
        let cache = CACHE.get_or_init(Default::default);
        if let Some(list) = cache.lock().unwrap().get(&(binary.clone(), what)) {
            return Ok(list.clone());
        }
        let help = super::probes::output(&binary, args).map_err(|err| match err {
            super::probes::ProbeError::Spawn { program, source } => MachineError::Spawn {
                program: program.display().to_string(),
                source,
            },
            err => MachineError::Probe {
                program: binary.display().to_string(),
                args: args.join(" "),
                output: err.to_string(),
            },
        })?;
        let list = parse(&help);
        cache.lock().unwrap().insert((binary, what), list.clone());
        Ok(list)
    }
}

impl<H: Host> Drop for Machine<H> {
    fn drop(&mut self) {
        let Some(running) = &self.running else {
            return;
        };
        if running.process.exit().is_none() {
            if std::thread::panicking() {
                self.kill();
            } else {
                // The owner may run the shutdown after the verdict: hand it
                // a machine that holds the running QEMU.
                let detached = Machine {
                    env: self.env.clone(),
                    logs: self.logs.clone(),
                    name: self.name.clone(),
                    binary: self.binary.clone(),
                    // The shutdown reads them (`-no-shutdown`).
                    args: std::mem::take(&mut self.args),
                    machine: None,
                    console: self.console.clone(),
                    qmp_enabled: self.qmp_enabled,
                    running: self.running.take(),
                };
                let env = self.env.clone();
                let teardown: crate::vm::Teardown = Box::new(move || detached.tear_down());
                if let Some(now) = env.defer_teardown(teardown) {
                    now();
                }
                return;
            }
        }
        self.finish();
    }
}

impl<H: Host> Machine<H> {
    /// Shuts QEMU down at the end of its test; a QEMU that crashes or exits
    /// non-zero on the way out is reported to the owner as a failure.
    fn tear_down(mut self) {
        let failure = match self.shutdown() {
            Ok(exit) if exit.success() => None,
            Ok(exit) => Some(format!(
                "QEMU {exit} on shutdown{}",
                quote_output(&self.output_tail())
            )),
            Err(err) => Some(err.to_string()),
        };
        if let Some(message) = failure {
            self.logs.log(format_args!(
                "machine {}: shutdown on drop: {message}",
                self.name
            ));
            self.env
                .teardown_failed(format!("machine {}: {message}", self.name));
        }
        if self
            .running
            .as_ref()
            .is_some_and(|running| running.process.exit().is_none())
        {
            self.kill();
        }
    }
}

fn socket_pair() -> Result<(UnixStream, UnixStream), MachineError> {
    UnixStream::pair().map_err(|source| MachineError::Spawn {
        program: "socketpair".to_owned(),
        source,
    })
}

/// Python's `socket.socketpair()` with both ends `os.set_inheritable`:
/// a Unix stream pair whose ends every process started later inherits, so
/// a QEMU argument (`-chardev socket,fd=N`, `x-remote-object,fd=N`) or a
/// helper's (`vhost-user-gpu --fd=N`) can name them. Keep both until the
/// processes that use them have started.
pub fn inheritable_socket_pair() -> std::io::Result<(OwnedFd, OwnedFd)> {
    let (a, b) = UnixStream::pair()?;
    for end in [&a, &b] {
        // SAFETY: F_SETFD on a descriptor we own changes only its flags.
        if unsafe { libc::fcntl(end.as_raw_fd(), libc::F_SETFD, 0) } == -1 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok((a.into(), b.into()))
}

/// `virt` of `virt,gic-version=3`.
fn machine_type(machine: &str) -> &str {
    machine.split(',').next().unwrap_or(machine)
}

fn push_all(args: &mut Vec<OsString>, new: &[&str]) {
    args.extend(new.iter().map(OsString::from));
}

/// `-machine help`: the first word of every line after the header.
fn parse_first_words(help: &str) -> Vec<String> {
    help.lines()
        .skip(1)
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

/// `-machine help`: the line that says `(default)`.
fn parse_default_machine(help: &str) -> Vec<String> {
    help.lines()
        .skip(1)
        .filter(|line| line.contains("(default)"))
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

/// `-accel help`, `-netdev help`: one name per line after the header.
fn parse_lines_after_header(help: &str) -> Vec<String> {
    help.lines()
        .skip(1)
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `-device help`: `name "virtio-net-pci", bus PCI, alias "virtio-net"`.
fn parse_device_names(help: &str) -> Vec<String> {
    let mut names = Vec::new();
    for line in help.lines() {
        for key in ["name \"", "alias \""] {
            if let Some(start) = line.find(key) {
                let rest = &line[start + key.len()..];
                if let Some(end) = rest.find('"') {
                    names.push(rest[..end].to_owned());
                }
            }
        }
    }
    names
}

/// [`Machine::set_vm_arg`] on an argument list: an empty `arg` or `value`
/// changes nothing, as in Python.
fn set_vm_arg(args: &mut Vec<OsString>, arg: &str, value: &OsStr) {
    if arg.is_empty() || value.is_empty() {
        return;
    }
    match args.iter().position(|known| known == arg) {
        None => args.extend([OsString::from(arg), value.to_owned()]),
        Some(index) if index + 1 < args.len() => args[index + 1] = value.to_owned(),
        Some(_) => args.push(value.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[OsString]) -> Vec<&str> {
        args.iter().map(|arg| arg.to_str().unwrap()).collect()
    }

    #[test]
    fn set_vm_arg_adds_a_new_argument() {
        let mut args = vec![OsString::from("-m"), OsString::from("512")];
        set_vm_arg(&mut args, "-display", OsStr::new("none"));
        assert_eq!(strings(&args), ["-m", "512", "-display", "none"]);
    }

    #[test]
    fn set_vm_arg_replaces_the_value_of_an_argument_given_before() {
        let mut args: Vec<OsString> = ["-kernel", "a.elf", "-display", "none"]
            .map(OsString::from)
            .into();
        set_vm_arg(&mut args, "-kernel", OsStr::new("b.elf"));
        assert_eq!(strings(&args), ["-kernel", "b.elf", "-display", "none"]);
    }

    #[test]
    fn set_vm_arg_completes_a_trailing_argument_and_ignores_empty_ones() {
        let mut args = vec![OsString::from("-append")];
        set_vm_arg(&mut args, "-append", OsStr::new("arg1"));
        set_vm_arg(&mut args, "", OsStr::new("x"));
        set_vm_arg(&mut args, "-cpu", OsStr::new(""));
        assert_eq!(strings(&args), ["-append", "arg1"]);
    }

    #[test]
    fn parses_machine_help() {
        let help = "Supported machines are:\n\
                    virt                 QEMU 10.0 ARM Virtual Machine (alias of virt-10.0)\n\
                    virt-10.0            QEMU 10.0 ARM Virtual Machine\n\
                    none                 empty machine\n";
        assert_eq!(parse_first_words(help), ["virt", "virt-10.0", "none"]);
    }

    #[test]
    fn parses_device_help() {
        let help = "Network devices:\nname \"virtio-net-pci\", bus PCI, alias \"virtio-net\"\nname \"e1000\", bus PCI, desc \"Intel\"\n";
        assert_eq!(
            parse_device_names(help),
            ["virtio-net-pci", "virtio-net", "e1000"]
        );
    }
}
