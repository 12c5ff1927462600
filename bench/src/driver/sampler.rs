//! Background sampling of a server's RSS (/proc/<pid>/status VmRSS) and CPU
//! time (/proc/<pid>/stat) at a fixed period, plus window queries over the
//! samples.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::procfs;

/// One reading.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// Seconds since the sampler started.
    pub t_s: f64,
    pub rss_kib: u64,
    pub anon_kib: u64,
    pub shmem_kib: u64,
    pub cpu_s: f64,
}

/// RSS and CPU over a window of samples.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct WindowStats {
    pub rss_max_kib: u64,
    /// RssAnon and RssShmem at the sample with the largest RSS.
    pub anon_at_max_kib: u64,
    pub shmem_at_max_kib: u64,
    pub rss_last_kib: u64,
    /// CPU use in percent of one core.
    pub cpu_pct: f64,
}

/// Stats over the samples with `from <= t_s <= to`; `None` if fewer than two.
pub fn window_stats(samples: &[Sample], from: f64, to: f64) -> Option<WindowStats> {
    let w: Vec<&Sample> = samples
        .iter()
        .filter(|s| s.t_s >= from && s.t_s <= to)
        .collect();
    let (first, last) = (w.first()?, w.last()?);
    if w.len() < 2 || last.t_s <= first.t_s {
        return None;
    }
    let peak = w.iter().max_by_key(|s| s.rss_kib)?;
    Some(WindowStats {
        rss_max_kib: peak.rss_kib,
        anon_at_max_kib: peak.anon_kib,
        shmem_at_max_kib: peak.shmem_kib,
        rss_last_kib: last.rss_kib,
        cpu_pct: 100.0 * (last.cpu_s - first.cpu_s) / (last.t_s - first.t_s),
    })
}

/// A sampling thread for one process.
pub struct Sampler {
    start: Instant,
    samples: Arc<Mutex<Vec<Sample>>>,
    stop: Arc<AtomicBool>,
    pid: u32,
}

impl Sampler {
    /// Starts sampling `pid` every `every`.
    pub fn start(pid: u32, every: Duration) -> Self {
        let start = Instant::now();
        let samples = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (s2, stop2) = (samples.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stop2.load(Ordering::Relaxed) {
                if let Some(sample) = read(pid, start) {
                    if let Ok(mut v) = s2.lock() {
                        v.push(sample);
                    }
                }
                std::thread::sleep(every);
            }
        });
        Sampler {
            start,
            samples,
            stop,
            pid,
        }
    }

    /// Seconds since the sampler started.
    pub fn now(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }

    /// A fresh reading taken now (not stored).
    pub fn read_now(&self) -> Option<Sample> {
        read(self.pid, self.start)
    }

    /// Copy of all samples so far.
    pub fn samples(&self) -> Vec<Sample> {
        self.samples.lock().map(|v| v.clone()).unwrap_or_default()
    }

    /// Stats between two sampler times.
    pub fn window(&self, from: f64, to: f64) -> Option<WindowStats> {
        window_stats(&self.samples(), from, to)
    }

    /// Median RSS over the next `dur` (a steadier idle figure than one read).
    pub fn settle_rss(&self, dur: Duration) -> u64 {
        let from = self.now();
        std::thread::sleep(dur);
        let mut v: Vec<u64> = self
            .samples()
            .iter()
            .filter(|s| s.t_s >= from)
            .map(|s| s.rss_kib)
            .collect();
        v.sort_unstable();
        v.get(v.len() / 2)
            .copied()
            .or_else(|| self.read_now().map(|s| s.rss_kib))
            .unwrap_or(0)
    }
}

impl Drop for Sampler {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn read(pid: u32, start: Instant) -> Option<Sample> {
    let rss = procfs::rss(pid)?;
    Some(Sample {
        t_s: start.elapsed().as_secs_f64(),
        rss_kib: rss.total,
        anon_kib: rss.anon,
        shmem_kib: rss.shmem,
        cpu_s: procfs::cpu_seconds(pid)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(t: f64, rss: u64, cpu: f64) -> Sample {
        Sample {
            t_s: t,
            rss_kib: rss,
            anon_kib: rss / 2,
            shmem_kib: 1,
            cpu_s: cpu,
        }
    }

    #[test]
    fn window_takes_max_rss_and_cpu_share() {
        let v = [
            s(0.0, 10, 0.0),
            s(1.0, 30, 0.5),
            s(2.0, 20, 1.0),
            s(3.0, 99, 9.0),
        ];
        let w = window_stats(&v, 0.5, 2.5).unwrap();
        assert_eq!(w.rss_max_kib, 30);
        assert_eq!(w.anon_at_max_kib, 15);
        assert_eq!(w.rss_last_kib, 20);
        assert!((w.cpu_pct - 50.0).abs() < 1e-9);
    }

    #[test]
    fn window_with_one_sample_has_no_stats() {
        assert_eq!(window_stats(&[s(1.0, 1, 0.0)], 0.0, 5.0), None);
    }
}
