//! Child processes and interrupts, in the manner of just's signal handler.
//!
//! Every `tofu` runs in a process group of its own, so the terminal's Ctrl-C reaches bankgen
//! only; bankgen then forwards exactly one SIGINT per Ctrl-C (or SIGTERM) to each running
//! child's group — what a terminal would have sent it — and waits for the children to exit by
//! themselves: Terraform stops gracefully, writes its state and releases its lock. A second
//! Ctrl-C forwards a second SIGINT (Terraform's "exit immediately"). No `tofu` is ever SIGKILLed
//! (only a phase check past its timeout, see [`super::checks`]).
//!
//! A bankgen that is killed outright (SIGKILL: a CI timeout, the OOM killer) cannot forward
//! anything. On Linux each `tofu` is therefore spawned with `PR_SET_PDEATHSIG` = SIGTERM, which
//! Terraform takes as an interrupt: it stops gracefully, writes its state, releases its lock.
//! That alone is not enough: the graceful stop takes a while (the next run may start before it
//! ends); the kernel sends the signal again each time the orphan is handed to another of
//! bankgen's dying threads, and a second interrupt makes Terraform exit at once, lock and all;
//! other systems have no such signal; and a `tofu` could be stuck past it. So the run
//! record ([`super::record::RunRecord`]) also names each module's running `tofu`, and the next
//! run waits for one that is still alive, or refuses its module ([`super::session`]).
//!
//! Spawning and signalling share one lock, and a finished child is removed from the registry
//! before it is reaped (`waitid` with `WNOWAIT`), so a signal never reaches a process that was
//! not started by us, nor a recycled pid; and once an interrupt arrived, nothing new starts.

use std::collections::BTreeMap;
use std::io;
use std::process::{Child, Command, ExitStatus};
use std::sync::Mutex;

#[derive(Default)]
struct Inner {
    /// How many interrupts arrived (SIGINT or SIGTERM).
    interrupts: u32,
    /// pid → module, of every running child (each the leader of its own process group).
    running: BTreeMap<u32, String>,
}

#[derive(Default)]
pub struct Children {
    inner: Mutex<Inner>,
}

pub enum Spawned {
    Child(Child),
    /// An interrupt arrived before this step could start: it was not started.
    Interrupted,
}

impl Children {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn interrupts(&self) -> u32 {
        self.lock().interrupts
    }

    pub fn running(&self) -> usize {
        self.lock().running.len()
    }

    /// Spawn `cmd` in a new process group, unless an interrupt already arrived.
    pub fn spawn(&self, module: &str, cmd: &mut Command) -> io::Result<Spawned> {
        use std::os::unix::process::CommandExt;
        let mut inner = self.lock();
        if inner.interrupts > 0 {
            return Ok(Spawned::Interrupted);
        }
        cmd.process_group(0);
        die_with_parent(cmd);
        let child = cmd.spawn()?;
        inner.running.insert(child.id(), module.to_string());
        Ok(Spawned::Child(child))
    }

    /// Wait for `child` to exit, take it out of the registry, then reap it.
    pub fn wait(&self, child: &mut Child) -> io::Result<ExitStatus> {
        let pid = child.id();
        wait_exited(pid)?;
        self.lock().running.remove(&pid);
        child.wait()
    }

    /// Send `sig` to the process group of `pid` if it is still a running child of ours (its pid
    /// unreaped, so not recycled). True when sent.
    pub fn signal(&self, pid: u32, sig: i32) -> bool {
        let inner = self.lock();
        if !inner.running.contains_key(&pid) {
            return false;
        }
        // SAFETY: as in `interrupt`: our own unreaped child's process group.
        unsafe { libc::killpg(pid as libc::pid_t, sig) == 0 }
    }

    /// An interrupt: start nothing new and send SIGINT to every running child's process group.
    /// Returns the interrupt count (1 for the first) and the modules signalled.
    pub fn interrupt(&self) -> (u32, Vec<String>) {
        let mut inner = self.lock();
        inner.interrupts += 1;
        let mut signalled = Vec::new();
        for (pid, module) in &inner.running {
            // SAFETY: killpg only sends a signal; the group is the child's own (process_group(0)),
            // and the pid is still unreaped (see `wait`), so it cannot have been recycled.
            let rc = unsafe { libc::killpg(*pid as libc::pid_t, libc::SIGINT) };
            if rc == 0 {
                signalled.push(module.clone());
            }
        }
        (inner.interrupts, signalled)
    }
}

/// The child gets SIGTERM when bankgen dies (Linux; see the module's documentation). The
/// signal comes when the *thread* that spawned the child ends: every child is spawned by the
/// thread that then waits for it.
#[cfg(target_os = "linux")]
fn die_with_parent(cmd: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: getpid is async-signal-safe and called before the fork.
    let parent = unsafe { libc::getpid() };
    // SAFETY: the closure runs between fork and exec and calls only async-signal-safe
    // functions (prctl, getppid), allocating nothing.
    unsafe {
        cmd.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM as libc::c_ulong) != 0 {
                return Err(io::Error::last_os_error());
            }
            // bankgen died before the prctl: do not run a tofu that nobody waits for.
            if libc::getppid() != parent {
                return Err(io::Error::from_raw_os_error(libc::ESRCH));
            }
            Ok(())
        });
    }
}

#[cfg(not(target_os = "linux"))]
fn die_with_parent(_cmd: &mut Command) {}

/// When process `pid` started (clock ticks after boot, `/proc/<pid>/stat`), to tell it from a
/// later process that got the same pid. None where there is no `/proc`.
pub fn start_time(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // After the command name, which is in parentheses and may hold anything.
    let rest = &stat[stat.rfind(')')? + 1..];
    // Fields from the 3rd (state); starttime is the 22nd.
    rest.split_whitespace().nth(19)?.parse().ok()
}

/// Whether the process `pid` that started at `start` (when known) still runs.
pub fn alive(pid: u32, start: Option<u64>) -> bool {
    let Ok(id) = libc::pid_t::try_from(pid) else {
        return false;
    };
    if id <= 0 {
        return false;
    }
    // SAFETY: signal 0 only checks that the process exists.
    let exists = unsafe { libc::kill(id, 0) } == 0
        || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM);
    if !exists {
        return false;
    }
    match (start, start_time(pid)) {
        (Some(want), Some(have)) => want == have && !zombie(pid),
        _ => true,
    }
}

fn zombie(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            let rest = &s[s.rfind(')')? + 1..];
            rest.split_whitespace().next().map(|st| st == "Z")
        })
        .unwrap_or(false)
}

/// The process holding the lock of a local state file (Terraform locks it with `fcntl`), if
/// one does. A state in S3 (`use_lockfile`) cannot be asked without AWS: for it bankgen relies
/// on the `tofu` pid alone.
pub fn state_lock_holder(state: &std::path::Path) -> Option<u32> {
    use std::os::fd::AsRawFd;
    let f = std::fs::File::open(state).ok()?;
    // SAFETY: a zeroed flock is a valid argument; F_GETLK only reads the lock table.
    let mut lk: libc::flock = unsafe { std::mem::zeroed() };
    lk.l_type = libc::F_WRLCK as libc::c_short;
    lk.l_whence = libc::SEEK_SET as libc::c_short;
    // SAFETY: fcntl F_GETLK on a descriptor we own, with a valid flock.
    let rc = unsafe { libc::fcntl(f.as_raw_fd(), libc::F_GETLK, &mut lk) };
    (rc == 0 && lk.l_type != libc::F_UNLCK as libc::c_short).then_some(lk.l_pid as u32)
}

/// Block until the process `pid` has exited, without reaping it.
fn wait_exited(pid: u32) -> io::Result<()> {
    loop {
        // SAFETY: a zeroed siginfo_t is a valid out-parameter for waitid.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        // SAFETY: plain syscall on our own child; WNOWAIT leaves it for Child::wait to reap.
        let rc = unsafe {
            libc::waitid(
                libc::P_PID,
                pid as libc::id_t,
                &mut info,
                libc::WEXITED | libc::WNOWAIT,
            )
        };
        if rc == 0 {
            return Ok(());
        }
        let err = io::Error::last_os_error();
        if err.kind() != io::ErrorKind::Interrupted {
            return Err(err);
        }
    }
}

/// Listen for SIGINT and SIGTERM for the rest of the process: each one calls `on_signal` with
/// the signal number (on a thread of its own). From then on these signals no longer kill
/// bankgen: it finishes what runs and reports.
pub fn install(on_signal: impl Fn(i32) + Send + 'static) -> io::Result<()> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])?;
    std::thread::Builder::new()
        .name("bankgen-signals".into())
        .spawn(move || {
            for sig in signals.forever() {
                on_signal(sig);
            }
        })?;
    Ok(())
}

pub fn signal_name(sig: i32) -> &'static str {
    match sig {
        libc::SIGINT => "SIGINT",
        libc::SIGTERM => "SIGTERM",
        _ => "signal",
    }
}
