//! Free TCP ports on 127.0.0.1, chosen under a lock that every test process shares: QEMU's `qemu_test/ports.py`.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::net::{Ipv4Addr, TcpListener};
use std::path::PathBuf;

use super::outcome::TestError;

/// A lease on this process's range of ports: while it lives, no other
/// test process that shares the range picks from it, so a port found free
/// stays ours until QEMU binds it. As upstream's `Ports`, the range is one
/// of 16 ranges of 1024 ports, chosen by the process id. Unlike upstream's:
/// - the 16 ranges end where the host's ephemeral ports begin (16384 up to
///   32767 on Linux's default 32768-60999), not at 49152-65535, which
///   Linux also hands out for outgoing connections: such a connection
///   could take a port we found free before QEMU bound it, and a probe
///   that connects to a free port in that range can connect to itself;
/// - the locks live in the host's temporary directory, not the build tree:
///   partitions of one CI machine run from separate directories, and their
///   tests picked the same port.
pub struct Ports {
    start: u32,
    /// Excluded.
    end: u32,
    _lock: File,
}

/// Why no port could be had.
#[derive(Debug, thiserror::Error)]
pub enum PortsError {
    #[error("cannot lock `{}`: {source}", path.display())]
    Lock { path: PathBuf, source: io::Error },
    #[error("found only {found} of {wanted} free TCP ports in {start}..{end} on 127.0.0.1")]
    Exhausted {
        wanted: usize,
        found: usize,
        start: u32,
        end: u32,
    },
}

impl Ports {
    /// The address the ports are free on.
    pub const ADDR: Ipv4Addr = Ipv4Addr::LOCALHOST;
    const RANGE_SIZE: u32 = 1024;
    const RANGES: u32 = 16;

    /// Takes the lock of this process's range, waiting for another holder.
    pub fn lock() -> Result<Ports, PortsError> {
        Ports::lock_range_of(std::process::id())
    }

    /// `count` ports that nothing is bound to now, lowest first.
    pub fn find_free_ports(&self, count: usize) -> Result<Vec<u16>, PortsError> {
        let free: Vec<u16> = (self.start..self.end)
            .filter_map(|port| u16::try_from(port).ok())
            .filter(|&port| TcpListener::bind((Ports::ADDR, port)).is_ok())
            .take(count)
            .collect();
        if free.len() < count {
            return Err(PortsError::Exhausted {
                wanted: count,
                found: free.len(),
                start: self.start,
                end: self.end,
            });
        }
        Ok(free)
    }

    /// One port that nothing is bound to now.
    pub fn find_free_port(&self) -> Result<u16, PortsError> {
        Ok(self.find_free_ports(1)?[0])
    }

    fn lock_range_of(pid: u32) -> Result<Ports, PortsError> {
        let span = Ports::RANGES * Ports::RANGE_SIZE;
        let start = first_port() + (pid.wrapping_mul(Ports::RANGE_SIZE) % span);
        let dir = lock_dir();
        let path = dir.join(format!(".port_lock.{start}"));
        let lock = fs::create_dir_all(&dir)
            .and_then(|()| {
                OpenOptions::new()
                    .create(true)
                    .truncate(false)
                    .write(true)
                    .open(&path)
            })
            .and_then(|file| file.lock().map(|()| file))
            .map_err(|source| PortsError::Lock { path, source })?;
        Ok(Ports {
            start,
            end: start + Ports::RANGE_SIZE,
            _lock: lock,
        })
    }
}

/// Where the 16 ranges begin: just below the host's ephemeral ports, or
/// upstream's 49152 when they leave no room below.
fn first_port() -> u32 {
    let ephemeral = fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|range| range.split_whitespace().next()?.parse::<u32>().ok())
        .unwrap_or(32768);
    let span = Ports::RANGES * Ports::RANGE_SIZE;
    match ephemeral.checked_sub(span) {
        Some(start) if start >= 1024 => start,
        _ => 49152,
    }
}

/// Where every test process on this host finds the ranges' locks.
fn lock_dir() -> PathBuf {
    std::env::temp_dir().join("qemu-functional-ports")
}

/// Either is a failure: upstream's `find_free_ports` asserts it found
/// every port, and a skip would hide a range computed wrongly.
impl From<PortsError> for TestError {
    fn from(err: PortsError) -> TestError {
        TestError::check(err.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_are_distinct_free_and_in_the_processs_range() {
        let ports = Ports::lock().unwrap();
        let found = ports.find_free_ports(3).unwrap();
        assert_eq!(found.len(), 3);
        assert!(found.windows(2).all(|pair| pair[0] < pair[1]), "{found:?}");
        for &port in &found {
            assert!(
                (ports.start..ports.end).contains(&u32::from(port)),
                "{port}"
            );
            TcpListener::bind((Ports::ADDR, port)).unwrap();
        }
    }

    #[test]
    fn the_ranges_end_where_the_hosts_ephemeral_ports_begin() {
        let range = fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range").unwrap();
        let ephemeral: u32 = range.split_whitespace().next().unwrap().parse().unwrap();
        // 15 * 1024 is the last of the 16 ranges; pid 16 wraps to the first.
        let last = Ports::lock_range_of(15).unwrap();
        let first = Ports::lock_range_of(16).unwrap();
        if ephemeral >= 1024 + 16 * 1024 {
            assert_eq!(last.end, ephemeral, "{range}");
            assert_eq!(first.start, ephemeral - 16 * 1024, "{range}");
        } else {
            assert_eq!((first.start, last.end), (49152, 65536), "{range}");
        }
        let port = last.find_free_port().unwrap();
        assert!(u32::from(port) < last.end, "{port}");
    }

    #[test]
    fn a_bound_port_is_not_offered() {
        let ports = Ports::lock().unwrap();
        let first = ports.find_free_port().unwrap();
        let _holder = TcpListener::bind((Ports::ADDR, first)).unwrap();
        let next = ports.find_free_port().unwrap();
        assert_ne!(next, first);
    }

    #[test]
    fn the_lock_excludes_another_holder_of_the_range() {
        // A pid no test process has here: its range and lock are this test's.
        let ports = Ports::lock_range_of(u32::MAX - 7).unwrap();
        let path = lock_dir().join(format!(".port_lock.{}", ports.start));
        let other = File::open(&path).unwrap();
        assert!(
            other.try_lock().is_err(),
            "a second holder got the range's lock"
        );
        drop(ports);
        other.lock().unwrap();
    }
}
