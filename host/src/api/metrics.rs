//! Prometheus metrics: evaluations and faults by kind, and evaluation latency
//! histograms by plugin and version.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Duration;

/// Histogram bucket bounds, in seconds.
const BUCKETS: [f64; 10] = [
    0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.05, 0.25,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// What /metrics reports.
#[derive(Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    evaluations: BTreeMap<(String, String, &'static str), u64>,
    faults: BTreeMap<&'static str, u64>,
    latency: BTreeMap<(String, String), Histogram>,
    requests: BTreeMap<u16, u64>,
}

impl Metrics {
    /// Counts one evaluation: its plugin, version, outcome and time.
    pub fn evaluation(&self, plugin: &str, version: &str, outcome: &'static str, took: Duration) {
        let mut m = self.inner.lock().unwrap();
        *m.evaluations
            .entry((plugin.into(), version.into(), outcome))
            .or_default() += 1;
        let h = m
            .latency
            .entry((plugin.into(), version.into()))
            .or_default();
        let secs = took.as_secs_f64();
        for (i, bound) in BUCKETS.iter().enumerate() {
            if secs <= *bound {
                h.counts[i] += 1;
            }
        }
        h.count += 1;
        h.sum += secs;
    }

    /// Counts a plugin fault by kind.
    pub fn fault(&self, kind: &'static str) {
        *self.inner.lock().unwrap().faults.entry(kind).or_default() += 1;
    }

    /// Counts a response by status.
    pub fn response(&self, status: u16) {
        *self
            .inner
            .lock()
            .unwrap()
            .requests
            .entry(status)
            .or_default() += 1;
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let m = self.inner.lock().unwrap();
        let mut out = String::new();
        let esc = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
        out.push_str("# HELP thuocdo_evaluations_total Evaluations by plugin, version and outcome.\n# TYPE thuocdo_evaluations_total counter\n");
        for ((p, v, o), n) in &m.evaluations {
            let _ = writeln!(
                out,
                "thuocdo_evaluations_total{{plugin=\"{}\",version=\"{}\",outcome=\"{o}\"}} {n}",
                esc(p),
                esc(v)
            );
        }
        out.push_str("# HELP thuocdo_plugin_faults_total Plugin faults by kind.\n# TYPE thuocdo_plugin_faults_total counter\n");
        for (k, n) in &m.faults {
            let _ = writeln!(out, "thuocdo_plugin_faults_total{{kind=\"{k}\"}} {n}");
        }
        out.push_str("# HELP thuocdo_evaluation_seconds Evaluation latency by plugin and version.\n# TYPE thuocdo_evaluation_seconds histogram\n");
        for ((p, v), h) in &m.latency {
            let labels = format!("plugin=\"{}\",version=\"{}\"", esc(p), esc(v));
            for (i, bound) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "thuocdo_evaluation_seconds_bucket{{{labels},le=\"{bound}\"}} {}",
                    h.counts[i]
                );
            }
            let _ = writeln!(
                out,
                "thuocdo_evaluation_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(out, "thuocdo_evaluation_seconds_sum{{{labels}}} {}", h.sum);
            let _ = writeln!(
                out,
                "thuocdo_evaluation_seconds_count{{{labels}}} {}",
                h.count
            );
        }
        out.push_str("# HELP thuocdo_http_responses_total Responses by status.\n# TYPE thuocdo_http_responses_total counter\n");
        for (s, n) in &m.requests {
            let _ = writeln!(out, "thuocdo_http_responses_total{{status=\"{s}\"}} {n}");
        }
        out
    }
}
