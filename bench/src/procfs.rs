//! Reading /proc: a process's resident memory and CPU time, its
//! descendants and command line, and the machine's cores, memory and
//! kernel. Parsers are pure functions over the
//! file text so they can be tested.

use std::fs;

/// A `Key:   123 kB` field of /proc/<pid>/status, in KiB.
pub fn parse_status_kib(status: &str, key: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

/// `VmRSS` in KiB from the text of /proc/<pid>/status.
pub fn parse_vm_rss_kib(status: &str) -> Option<u64> {
    parse_status_kib(status, "VmRSS")
}

/// Resident memory split as the kernel counts it, in KiB.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Rss {
    pub total: u64,
    pub anon: u64,
    pub file: u64,
    pub shmem: u64,
}

/// VmRSS and its RssAnon / RssFile / RssShmem parts.
pub fn parse_rss(status: &str) -> Option<Rss> {
    Some(Rss {
        total: parse_vm_rss_kib(status)?,
        anon: parse_status_kib(status, "RssAnon").unwrap_or(0),
        file: parse_status_kib(status, "RssFile").unwrap_or(0),
        shmem: parse_status_kib(status, "RssShmem").unwrap_or(0),
    })
}

/// Resident memory of `pid`.
pub fn rss(pid: u32) -> Option<Rss> {
    parse_rss(&fs::read_to_string(format!("/proc/{pid}/status")).ok()?)
}

/// utime + stime in clock ticks from the text of /proc/<pid>/stat.
pub fn parse_cpu_ticks(stat: &str) -> Option<u64> {
    // The command name (field 2) may hold spaces and parentheses: split after the last ')'.
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After the name, field 3 (state) is index 0; utime is field 14, stime 15.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

/// Clock ticks per second (sysconf(_SC_CLK_TCK)).
pub fn ticks_per_second() -> f64 {
    // SAFETY: sysconf has no preconditions.
    let t = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if t > 0 {
        t as f64
    } else {
        100.0
    }
}

/// CPU seconds (user + system) used so far by `pid`.
pub fn cpu_seconds(pid: u32) -> Option<f64> {
    let ticks = parse_cpu_ticks(&fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)?;
    Some(ticks as f64 / ticks_per_second())
}

/// The parent pid from the text of /proc/<pid>/stat.
pub fn parse_ppid(stat: &str) -> Option<u32> {
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(1)?.parse().ok()
}

/// Every descendant of `root` among `(pid, ppid)` pairs, parents before
/// their children, each generation in pid order.
pub fn descendants_in(processes: &[(u32, u32)], root: u32) -> Vec<u32> {
    let mut found = vec![root];
    let mut next = 0;
    while next < found.len() {
        let parent = found[next];
        let mut children: Vec<u32> = processes
            .iter()
            .filter(|&&(pid, ppid)| ppid == parent && pid != parent)
            .map(|&(pid, _)| pid)
            .collect();
        children.sort_unstable();
        found.extend(children);
        next += 1;
    }
    found.remove(0);
    found
}

/// The live descendants of `pid` (children, grandchildren, ...).
pub fn descendants(pid: u32) -> Vec<u32> {
    let processes: Vec<(u32, u32)> = fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let stat = fs::read_to_string(entry.path().join("stat")).ok()?;
            Some((pid, parse_ppid(&stat)?))
        })
        .collect();
    descendants_in(&processes, pid)
}

/// The command line of `pid`, its arguments split (empty once it is gone).
pub fn cmdline(pid: u32) -> Vec<String> {
    fs::read(format!("/proc/{pid}/cmdline"))
        .unwrap_or_default()
        .split(|&b| b == 0)
        .filter(|arg| !arg.is_empty())
        .map(|arg| String::from_utf8_lossy(arg).into_owned())
        .collect()
}

/// Among `top` and its `descendants`, the process that serves: the first
/// whose command line has the argument `trigger` (`spin up`'s `spin
/// trigger http` child), else the last descendant, else `top` itself.
pub fn serving_process(top: u32, descendants: &[u32], cmdline: impl Fn(u32) -> Vec<String>) -> u32 {
    descendants
        .iter()
        .copied()
        .find(|&pid| cmdline(pid).iter().any(|arg| arg == "trigger"))
        .or_else(|| descendants.last().copied())
        .unwrap_or(top)
}

/// CPU seconds used so far by this process.
pub fn self_cpu_seconds() -> f64 {
    cpu_seconds(std::process::id()).unwrap_or(0.0)
}

/// The machine the benchmark ran on.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, Default)]
pub struct Machine {
    pub cores: usize,
    pub cpu_model: String,
    pub mem_total_kib: u64,
    pub kernel: String,
    pub fd_limit: u64,
}

/// Parses `MemTotal` (KiB) from /proc/meminfo text.
pub fn parse_mem_total_kib(meminfo: &str) -> Option<u64> {
    meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

/// Counts `processor` lines and takes the first `model name` of /proc/cpuinfo text.
pub fn parse_cpuinfo(cpuinfo: &str) -> (usize, String) {
    let cores = cpuinfo
        .lines()
        .filter(|l| l.starts_with("processor"))
        .count();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .and_then(|v| v.split_once(':'))
        .map(|(_, m)| m.trim().to_string())
        .unwrap_or_else(|| "unknown".into());
    (cores, model)
}

/// Reads the machine description from /proc.
pub fn machine() -> Machine {
    let read = |p: &str| fs::read_to_string(p).unwrap_or_default();
    let (cores, cpu_model) = parse_cpuinfo(&read("/proc/cpuinfo"));
    Machine {
        cores,
        cpu_model,
        mem_total_kib: parse_mem_total_kib(&read("/proc/meminfo")).unwrap_or(0),
        kernel: read("/proc/sys/kernel/osrelease").trim().to_string(),
        fd_limit: fd_limit().1,
    }
}

/// (soft, hard) RLIMIT_NOFILE of this process.
pub fn fd_limit() -> (u64, u64) {
    let mut r = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the struct we pass.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut r) } == 0 {
        (r.rlim_cur, r.rlim_max)
    } else {
        (0, 0)
    }
}

/// Raises the soft fd limit to the hard one (children inherit it).
pub fn raise_fd_limit() -> u64 {
    let (_, hard) = fd_limit();
    let r = libc::rlimit {
        rlim_cur: hard,
        rlim_max: hard,
    };
    // SAFETY: setrlimit reads the struct we pass.
    unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &r) };
    fd_limit().0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vm_rss_is_read_from_status() {
        let status = "Name:\tx\nVmPeak:\t  999 kB\nVmRSS:\t   12345 kB\nThreads: 3\n";
        assert_eq!(parse_vm_rss_kib(status), Some(12345));
        assert_eq!(parse_vm_rss_kib("Name: x\n"), None);
        let full = "VmRSS:\t 100 kB\nRssAnon:\t 60 kB\nRssFile:\t 30 kB\nRssShmem:\t 10 kB\n";
        assert_eq!(
            parse_rss(full),
            Some(Rss {
                total: 100,
                anon: 60,
                file: 30,
                shmem: 10
            })
        );
        assert_eq!(parse_status_kib("VmRSSX: 5 kB\n", "VmRSS"), None);
    }

    #[test]
    fn cpu_ticks_survive_spaces_and_parens_in_the_name() {
        let stat = "4242 (my (odd) name) S 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0 1 0 100 200 300";
        assert_eq!(parse_cpu_ticks(stat), Some(300));
        assert_eq!(parse_cpu_ticks("garbage"), None);
    }

    #[test]
    fn cpuinfo_and_meminfo_are_parsed() {
        let cpu = "processor\t: 0\nmodel name\t: Test CPU 9000\n\nprocessor\t: 1\nmodel name\t: Test CPU 9000\n";
        assert_eq!(parse_cpuinfo(cpu), (2, "Test CPU 9000".to_string()));
        assert_eq!(
            parse_mem_total_kib("MemTotal:       24684084 kB\nMemFree: 1 kB"),
            Some(24684084)
        );
    }

    #[test]
    fn parents_and_descendants_are_read_from_stat() {
        let stat = "77 (spin (trigger)) S 42 77 77 0 -1";
        assert_eq!(parse_ppid(stat), Some(42));
        let tree = [(1, 0), (10, 1), (12, 10), (11, 10), (20, 12), (30, 2)];
        assert_eq!(descendants_in(&tree, 10), [11, 12, 20]);
        assert!(descendants_in(&tree, 30).is_empty());
    }

    #[test]
    fn the_trigger_child_serves_under_spin_up() {
        let cmdline = |pid: u32| match pid {
            11 => vec!["spin".into(), "trigger".into(), "http".into()],
            _ => vec!["other".into()],
        };
        assert_eq!(serving_process(10, &[11, 12], cmdline), 11);
        assert_eq!(serving_process(10, &[12, 13], cmdline), 13);
        assert_eq!(serving_process(10, &[], cmdline), 10);
    }

    #[test]
    fn this_process_has_rss_and_cpu() {
        assert!(!cmdline(std::process::id()).is_empty());
        let pid = std::process::id();
        assert!(rss(pid).unwrap().total > 0);
        assert!(cpu_seconds(pid).is_some());
    }
}
