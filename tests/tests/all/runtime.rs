//! The sandbox: what is not a scorecard is refused at load, naming why; every
//! hostile behaviour fails its own evaluation with its own error, within its
//! limit, while good evaluations on other threads go on; results are the same
//! bit for bit, run after run, thread after thread, process after process.

use std::time::{Duration, Instant};

use thuocdo_host::bundled::BUNDLED;
use thuocdo_host::runtime::{
    Error, Evaluated, EvaluationError, EvaluationInput, Limits, PerComponent, Plugin, Runtime,
    RuntimeConfig, Subject, sha256_hex,
};
use thuocdo_tests::{fixtures, hostile};

fn read(path: &str) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn input(id: &str, facts: Vec<Option<i64>>) -> EvaluationInput {
    EvaluationInput {
        subject: Subject {
            id: id.into(),
            unit: "unit".into(),
            position: "test".into(),
        },
        period: "2025-09".into(),
        facts,
        products: Vec::new(),
    }
}

/// The hostile plugin's input for one behaviour: a rate of 95 %.
fn hostile_input(mode: &str) -> EvaluationInput {
    input(mode, vec![Some(950_000)])
}

fn load_err(runtime: &Runtime, bytes: &[u8]) -> Error {
    match runtime.load(bytes) {
        Ok(p) => panic!("{} loaded", p.info.name),
        Err(e) => e,
    }
}

#[test]
fn what_is_not_a_scorecard_is_refused_naming_why() {
    let runtime = Runtime::new().unwrap();
    let real = BUNDLED[0].wasm;
    // Pseudo-random bytes, the same every run.
    let mut x: u32 = 0x9e37_79b9;
    let random: Vec<u8> = (0..4096)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect();
    for (bytes, kind, says) in [
        (
            &b"\0asm\x01\0\0\0"[..],
            "not-a-component",
            "a core WebAssembly module",
        ),
        (&random[..], "not-a-component", "component header"),
        (&[][..], "not-a-component", "empty"),
        (&real[..real.len() / 2], "not-a-component", ""),
    ] {
        let e = load_err(&runtime, bytes);
        assert_eq!(e.kind(), kind, "{e}");
        assert!(e.to_string().contains(says), "{e}");
    }
    let e = load_err(&runtime, &read(hostile::OTHER_WORLD));
    assert_eq!(e.kind(), "wrong-world", "{e}");
    assert!(e.to_string().contains("export describe: missing"), "{e}");
    let e = load_err(&runtime, &read(hostile::WRONG_TYPES));
    assert_eq!(e.kind(), "wrong-world", "{e}");
    assert!(
        e.to_string().contains(
            "export evaluate: expected func(input: evaluation-input) -> result<evaluation, evaluation-error>, found func(input: u32) -> u32"
        ),
        "{e}"
    );
    assert!(
        e.to_string()
            .contains("export describe: expected func() -> plugin-info, found func() -> string"),
        "{e}"
    );
    match load_err(&runtime, &read(hostile::HOSTILE_HTTP)) {
        Error::ForbiddenImports(names) => assert_eq!(names, ["wasi:http/outgoing-handler@0.3.0"]),
        other => panic!("{other}"),
    }
}

/// Each hostile behaviour and the error kind it must end in.
/// Loops run out of fuel: the budget is reached well before the deadline, so
/// where a loop stops does not depend on the machine's load.
const FAULTS: &[(&str, &str)] = &[
    ("loop", "out-of-fuel"),
    ("slow", "out-of-fuel"),
    ("alloc", "memory"),
    ("recursion", "stack-exhausted"),
    ("panic", "trap"),
    ("unreachable", "trap"),
    ("huge-output", "memory"),
    ("big-output", "output-too-large"),
    ("out-of-scale", "fault"),
    ("extra-indicator", "fault"),
    ("wrong-grade", "fault"),
    ("bad-subtotal", "fault"),
    ("naps", "out-of-fuel"),
    ("long-name", "output-too-large"),
    ("undeclared-fact", "fault"),
    ("wrong-position", "fault"),
    ("wrong-range", "fault"),
    ("wrong-value", "fault"),
    ("wrong-count", "fault"),
];

fn fault(runtime: &Runtime, plugin: &Plugin, mode: &str) -> (Error, Duration) {
    let started = Instant::now();
    let result = runtime.evaluate(plugin, &hostile_input(mode));
    let took = started.elapsed();
    match result {
        Ok(e) => panic!("{mode} was scored: {:?}", e.answer),
        Err(e) => (e, took),
    }
}

#[test]
fn every_hostile_behaviour_fails_with_its_own_error_within_its_limit() {
    let runtime = Runtime::new().unwrap();
    let plugin = runtime.load(&read(hostile::HOSTILE)).unwrap();
    let deadline = runtime.limits().deadline;
    for &(mode, kind) in FAULTS {
        let (e, took) = fault(&runtime, &plugin, mode);
        if matches!(mode, "loop" | "slow" | "naps") {
            // The budget runs out in about 20 ms of CPU; on two cores shared
            // with the other tests the wall-clock deadline may come first.
            // Either way the loop stops within twice the deadline; the tests
            // below pin each limit on its own.
            assert!(
                matches!(e.kind(), "out-of-fuel" | "deadline"),
                "{mode}: {e}"
            );
            assert!(took < deadline * 2, "{mode} stopped after {took:?}");
        } else {
            assert_eq!(e.kind(), kind, "{mode}: {e}");
        }
    }
    let (e, _) = fault(&runtime, &plugin, "panic");
    assert!(
        e.to_string()
            .contains("plugin panicked: the sky fell on subject panic"),
        "{e}"
    );
    let (e, _) = fault(&runtime, &plugin, "wrong-grade");
    assert!(e.to_string().contains("contradicts its bands"), "{e}");
    let (e, _) = fault(&runtime, &plugin, "extra-indicator");
    assert!(
        e.to_string().contains("2 indicator results for 1 declared"),
        "{e}"
    );
    // The host is still fine: an honest subject scores.
    let good = runtime.evaluate(&plugin, &hostile_input("good")).unwrap();
    assert_eq!(good.answer.unwrap().total, 95_000);
}

#[test]
fn a_plugin_that_sleeps_a_day_is_answered_at_once_on_its_virtual_clock() {
    let runtime = Runtime::new().unwrap();
    let deadline = runtime.limits().deadline;
    // The hostile guest's describe() sleeps a day before it answers.
    let started = Instant::now();
    let plugin = runtime.load(&read(hostile::HOSTILE)).unwrap();
    let took = started.elapsed();
    assert!(
        took < deadline * 2 + Duration::from_secs(2),
        "load took {took:?}"
    );
    let started = Instant::now();
    let slept = runtime.evaluate(&plugin, &hostile_input("sleep")).unwrap();
    let took = started.elapsed();
    assert!(took < deadline * 2, "the sleeper answered after {took:?}");
    // The day passed on the instance's own clock, and only there.
    assert!(slept.log.contains("slept: 86400 s"), "{}", slept.log);
    assert_eq!(slept.answer.as_ref().unwrap().total, 95_000);
    assert_eq!(
        fingerprint(&runtime, &plugin, &hostile_input("sleep")),
        fingerprint_of(slept),
        "a sleep changes nothing from one run to the next"
    );
}

#[test]
fn a_refusal_may_name_only_what_describe_declares_and_a_fault_quotes_little() {
    let runtime = Runtime::new().unwrap();
    let plugin = runtime.load(&read(hostile::HOSTILE)).unwrap();
    let (e, _) = fault(&runtime, &plugin, "long-name");
    let text = e.to_string();
    assert!(text.len() < 1024, "{} bytes", text.len());
    // The 24 MiB name is never lifted: the answer passes the lifting budget
    // before the host allocates it.
    assert_eq!(e.kind(), "output-too-large");
    assert!(
        text.contains("more than the 1048576 bytes of strings and lists the host lifts"),
        "{text}"
    );
    // A name made of the input (how a draft could carry every subject's facts
    // to the analyst reading its faults) is not quoted at all.
    let (e, _) = fault(&runtime, &plugin, "undeclared-fact");
    assert!(!e.to_string().contains("950000"), "{e}");
    assert!(
        e.to_string().contains("does not declare at that position"),
        "{e}"
    );
    let (e, _) = fault(&runtime, &plugin, "wrong-position");
    assert!(e.to_string().contains("fact 3 by a name of 4 bytes"), "{e}");
    let (e, _) = fault(&runtime, &plugin, "wrong-range");
    assert!(
        e.to_string()
            .contains("with a range describe() does not declare"),
        "{e}"
    );
    let (e, _) = fault(&runtime, &plugin, "wrong-value");
    assert!(
        e.to_string()
            .contains("with a value the input does not hold"),
        "{e}"
    );
    let (e, _) = fault(&runtime, &plugin, "wrong-count");
    assert!(
        e.to_string().contains(
            "7 facts expected and 1 found, where describe() declares 1 and the input holds 1"
        ),
        "{e}"
    );
    // An honest refusal names the declared fact and passes as the answer.
    let missing = runtime
        .evaluate(&plugin, &input("good", vec![None]))
        .unwrap();
    match missing.answer {
        Err(EvaluationError::MissingFact(f)) => {
            assert_eq!((f.position, f.name.as_str()), (0, "rate"))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_component_over_the_per_component_limits_is_refused_at_load_naming_them() {
    // Every real scorecard fits the defaults.
    let runtime = Runtime::new().unwrap();
    for b in BUNDLED {
        runtime.load(b.wasm).unwrap();
    }
    runtime.load(&read(fixtures::PLAIN_WASIP2)).unwrap();
    for (per_component, says) in [
        (
            PerComponent {
                core_instances: 1,
                ..PerComponent::default()
            },
            "core module instances, which exceeds the configured maximum of 1",
        ),
        (
            PerComponent {
                memories: 0,
                ..PerComponent::default()
            },
            "Wasm linear memories, which exceeds the configured maximum of 0",
        ),
        (
            PerComponent {
                tables: 0,
                ..PerComponent::default()
            },
            "tables, which exceeds the configured maximum of 0",
        ),
    ] {
        let strict = Runtime::with_config(RuntimeConfig {
            per_component,
            ..RuntimeConfig::default()
        })
        .unwrap();
        let e = load_err(&strict, &read(fixtures::PLAIN_WASIP2));
        assert_eq!(e.kind(), "over-limits", "{e}");
        assert!(e.to_string().contains(says), "{e}");
    }
}

#[test]
fn the_deadline_stops_what_fuel_does_not() {
    let limits = Limits {
        fuel: u64::MAX / 2,
        ..Limits::default()
    };
    let runtime = Runtime::with_config(RuntimeConfig {
        limits,
        ..RuntimeConfig::default()
    })
    .unwrap();
    let plugin = runtime.load(&read(hostile::HOSTILE)).unwrap();
    for mode in ["loop", "slow"] {
        let (e, took) = fault(&runtime, &plugin, mode);
        assert_eq!(e.kind(), "deadline", "{mode}: {e}");
        assert!(
            took < runtime.limits().deadline * 2,
            "{mode} stopped after {took:?}"
        );
    }
}

#[test]
fn fuel_runs_out_at_the_same_instruction_everywhere() {
    let limits = Limits {
        fuel: 2_000_000,
        deadline: Duration::from_secs(10),
        ..Limits::default()
    };
    let runtime = Runtime::with_config(RuntimeConfig {
        limits,
        ..RuntimeConfig::default()
    })
    .unwrap();
    let plugin = runtime.load(&read(hostile::HOSTILE)).unwrap();
    let (e, _) = fault(&runtime, &plugin, "loop");
    assert_eq!(e.kind(), "out-of-fuel", "{e}");
    // An honest evaluation's fuel is the same every time.
    let fuel: Vec<u64> = (0..5)
        .map(|_| {
            runtime
                .evaluate(&plugin, &hostile_input("good"))
                .unwrap()
                .fuel
        })
        .collect();
    assert!(
        fuel.windows(2).all(|w| w[0] == w[1]) && fuel[0] > 0,
        "{fuel:?}"
    );
}

#[test]
fn nothing_is_granted_and_the_probe_scores_the_same_every_time() {
    let runtime = Runtime::new().unwrap();
    let plugin = runtime.load(&read(hostile::HOSTILE)).unwrap();
    let first = runtime.evaluate(&plugin, &hostile_input("probe")).unwrap();
    for expected in [
        "passwd: -1",
        "root-entries: -1",
        "cwd-entries: -1",
        "tcp-connect: -1",
        "udp-bind: -1",
        "env-vars: 0",
        "args: 0",
        "wall-clock-ns: 1735689600000000000",
        "elapsed-ns: 0",
    ] {
        assert!(
            first.log.lines().any(|l| l == expected),
            "{expected} not in:\n{}",
            first.log
        );
    }
    let again = Runtime::new().unwrap();
    let plugin2 = again.load(&read(hostile::HOSTILE)).unwrap();
    for _ in 0..5 {
        let next = again.evaluate(&plugin2, &hostile_input("probe")).unwrap();
        assert_eq!(format!("{:?}", next.answer), format!("{:?}", first.answer));
        assert_eq!(next.log, first.log);
    }
}

#[test]
fn what_a_plugin_prints_is_a_bounded_log() {
    let runtime = Runtime::new().unwrap();
    let plugin = runtime.load(&read(hostile::HOSTILE)).unwrap();
    // 2 MiB printed line by line is thousands of host calls; on a loaded CI
    // machine that can outlast 100 ms, and the deadline is not what this tests.
    let patient = Limits {
        deadline: Duration::from_secs(10),
        ..runtime.limits().clone()
    };
    let chatty = runtime
        .evaluate_with(&plugin, &hostile_input("chatty"), &patient)
        .unwrap();
    assert_eq!(chatty.answer.unwrap().total, 95_000);
    assert_eq!(chatty.log.len(), runtime.limits().log);
}

#[test]
fn good_evaluations_finish_correctly_beside_hostile_ones() {
    let runtime = Runtime::new().unwrap();
    let hostile_plugin = runtime.load(&read(hostile::HOSTILE)).unwrap();
    let good = runtime.load(&read(fixtures::PLAIN_WASIP2)).unwrap();
    let facts: Vec<Option<i64>> = (0..11).map(|i| Some(900_000 + i * 1_000)).collect();
    let expected = runtime
        .evaluate(&good, &input("good", facts.clone()))
        .unwrap()
        .answer
        .unwrap();
    std::thread::scope(|s| {
        for &(mode, kind) in FAULTS {
            let (runtime, plugin) = (&runtime, &hostile_plugin);
            s.spawn(move || {
                let e = fault(runtime, plugin, mode).0;
                // Sharing two cores with a dozen threads (and, in the
                // workspace's test run, every other test), a loop may meet the
                // deadline before it spends its fuel, and so may writing 2 MiB
                // of results or a 24 MiB name before they are measured; each
                // kind alone is checked exactly by
                // every_hostile_behaviour_fails_with_its_own_error_within_its_limit.
                let slow = matches!(mode, "loop" | "slow" | "naps" | "big-output" | "long-name");
                let timed_out = slow && e.kind() == "deadline";
                assert!(e.kind() == kind || timed_out, "{mode}: {e}");
            });
        }
        for t in 0..2 {
            let (runtime, good, facts, expected) = (&runtime, &good, &facts, &expected);
            s.spawn(move || {
                for i in 0..200 {
                    let e = runtime
                        .evaluate(good, &input(&format!("good-{t}-{i}"), facts.clone()))
                        .unwrap();
                    assert_eq!(e.answer.as_ref().unwrap().total, expected.total);
                }
            });
        }
    });
}

/// One input's answer and fuel, as text to compare byte for byte.
fn fingerprint(runtime: &Runtime, plugin: &Plugin, input: &EvaluationInput) -> String {
    fingerprint_of(runtime.evaluate(plugin, input).unwrap())
}

fn fingerprint_of(e: Evaluated) -> String {
    format!(
        "{} fuel={}",
        serde_json::to_string(&e.answer.unwrap()).unwrap(),
        e.fuel
    )
}

fn determinism_input() -> EvaluationInput {
    input(
        "cs-0002",
        vec![
            Some(85_000),
            Some(80_000),
            Some(80_000),
            Some(400_000),
            Some(370_000),
            Some(10_000),
            Some(10_000),
            Some(0),
            Some(0),
            Some(0),
            Some(0),
            Some(120_000),
            Some(0),
            Some(0),
        ],
    )
}

fn decree_335(runtime: &Runtime) -> Plugin {
    let b = BUNDLED
        .iter()
        .find(|b| b.crate_name == "civil-servant-decree-335")
        .unwrap();
    runtime.load(b.wasm).unwrap()
}

#[test]
fn ten_thousand_evaluations_on_several_threads_are_identical() {
    let runtime = Runtime::new().unwrap();
    let plugin = decree_335(&runtime);
    let input = determinism_input();
    let reference = fingerprint(&runtime, &plugin, &input);
    // Two threads with a store per subject, two with lanes (as a run scores).
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                for _ in 0..2_500 {
                    assert_eq!(fingerprint(&runtime, &plugin, &input), reference);
                }
            });
        }
        for _ in 0..2 {
            s.spawn(|| {
                let mut lane = runtime.lane(16);
                for _ in 0..2_500 {
                    let got = fingerprint_of(lane.evaluate(&plugin, &input).unwrap());
                    assert_eq!(got, reference);
                }
            });
        }
    });
}

/// Run as a child process by the test below: prints one fingerprint.
#[test]
#[ignore = "run by two_processes_give_identical_results"]
fn determinism_child() {
    let runtime = Runtime::new().unwrap();
    let plugin = decree_335(&runtime);
    println!(
        "FINGERPRINT {}",
        fingerprint(&runtime, &plugin, &determinism_input())
    );
}

#[test]
fn two_processes_give_identical_results() {
    let run = || {
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "runtime::determinism_child",
                "--include-ignored",
                "--nocapture",
            ])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.lines()
            .find_map(|l| l.strip_prefix("FINGERPRINT ").map(str::to_string))
            .unwrap_or_else(|| panic!("no fingerprint in:\n{text}"))
    };
    let (a, b) = (run(), run());
    assert_eq!(a, b);
    let runtime = Runtime::new().unwrap();
    assert_eq!(
        a,
        fingerprint(&runtime, &decree_335(&runtime), &determinism_input())
    );
}

#[test]
fn compiled_code_is_cached_and_a_corrupted_cache_is_recompiled() {
    let dir = std::env::temp_dir().join(format!("thuocdo-cache-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let config = || RuntimeConfig {
        cache_dir: Some(dir.clone()),
        ..RuntimeConfig::default()
    };
    let bytes = BUNDLED[0].wasm;
    let first = Runtime::with_config(config()).unwrap().load(bytes).unwrap();
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(
        files[0]
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with(&first.sha256)
    );
    let cached = std::fs::read(&files[0]).unwrap();
    // Loaded from the cache: the same plugin.
    assert_eq!(
        Runtime::with_config(config())
            .unwrap()
            .load(bytes)
            .unwrap()
            .info
            .name,
        first.info.name
    );
    // A flipped byte in the code, a truncated file, an empty file: recompiled, rewritten.
    for damaged in [
        {
            let mut d = cached.clone();
            let n = d.len() / 2;
            d[n] ^= 0xff;
            d
        },
        cached[..cached.len() / 3].to_vec(),
        Vec::new(),
    ] {
        std::fs::write(&files[0], &damaged).unwrap();
        let plugin = Runtime::with_config(config()).unwrap().load(bytes).unwrap();
        assert_eq!(plugin.sha256, first.sha256);
        assert_eq!(
            std::fs::read(&files[0]).unwrap(),
            cached,
            "the cache file was not rewritten"
        );
    }
    // Another component's code, under its plain SHA-256 (what any writer of
    // the directory could make): not loaded, for it lacks the key's tag.
    let other_dir = dir.with_extension("other");
    let _ = std::fs::remove_dir_all(&other_dir);
    Runtime::with_config(RuntimeConfig {
        cache_dir: Some(other_dir.clone()),
        ..RuntimeConfig::default()
    })
    .unwrap()
    .load(BUNDLED[1].wasm)
    .unwrap();
    let other_file = std::fs::read_dir(&other_dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let other_code = std::fs::read(&other_file).unwrap()[32..].to_vec();
    let hex = sha256_hex(&other_code);
    let mut forged: Vec<u8> = (0..32)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    forged.extend_from_slice(&other_code);
    std::fs::write(&files[0], &forged).unwrap();
    let plugin = Runtime::with_config(config()).unwrap().load(bytes).unwrap();
    assert_eq!(plugin.info.name, first.info.name, "the forged code was run");
    assert_eq!(std::fs::read(&files[0]).unwrap(), cached);
    // The key lives beside the directory, not in it.
    let key_of = |d: &std::path::Path| std::path::PathBuf::from(format!("{}.key", d.display()));
    assert!(key_of(&dir).exists());
    // A component refused on load leaves nothing in the cache.
    assert!(
        Runtime::with_config(config())
            .unwrap()
            .load(&read(hostile::WRONG_TYPES))
            .is_err()
    );
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
    for d in [&dir, &other_dir] {
        std::fs::remove_dir_all(d).unwrap();
        std::fs::remove_file(key_of(d)).unwrap();
    }
}

/// What one evaluation gave, as text to compare byte for byte: the answer or
/// the error kind, the fuel and the log.
fn outcome(result: thuocdo_host::runtime::Result<Evaluated>) -> String {
    match result {
        Ok(e) => format!("{:?} fuel={} log={:?}", e.answer, e.fuel, e.log),
        Err(e) => format!("error {}", e.kind()),
    }
}

#[test]
fn a_lane_scores_every_subject_as_a_store_of_its_own_would() {
    let runtime = Runtime::new().unwrap();
    let hostile_plugin = runtime.load(&read(hostile::HOSTILE)).unwrap();
    let decree = decree_335(&runtime);
    let plain = runtime.load(&read(fixtures::PLAIN_WASIP2)).unwrap();
    let rates: Vec<Option<i64>> = (0..11).map(|i| Some(900_000 + i * 1_000)).collect();
    // Subjects that use the clocks and randomness, print, hit the memory cap,
    // trap and fail the output check, between honest ones of three plugins:
    // none may see what the one before it did in the same store.
    let mut subjects: Vec<(&Plugin, EvaluationInput)> = Vec::new();
    for mode in [
        "probe",
        "good",
        "probe",
        "alloc",
        "probe",
        "panic",
        "good",
        "chatty",
        "probe",
        "out-of-scale",
        "probe",
    ] {
        subjects.push((&hostile_plugin, hostile_input(mode)));
        subjects.push((&decree, determinism_input()));
        subjects.push((&plain, input("plain", rates.clone())));
    }
    let patient = Limits {
        deadline: Duration::from_secs(10),
        ..runtime.limits().clone()
    };
    let alone: Vec<String> = subjects
        .iter()
        .map(|(p, i)| outcome(runtime.evaluate_with(p, i, &patient)))
        .collect();
    assert!(alone.iter().any(|o| o.contains("wall-clock-ns")));
    assert!(alone.iter().any(|o| o == "error memory"));
    assert!(alone.iter().any(|o| o == "error trap"));
    assert!(alone.iter().any(|o| o == "error fault"));
    for capacity in [2, 5, 16] {
        let mut lane = runtime.lane(capacity);
        let in_lane: Vec<String> = subjects
            .iter()
            .map(|(p, i)| outcome(lane.evaluate_with(p, i, &patient)))
            .collect();
        assert_eq!(in_lane, alone, "lane of {capacity}");
    }
}

#[test]
fn a_lane_whose_store_fills_the_pool_starts_a_new_store() {
    // Room for two instances: a lane of eight must give up its store to make
    // a third, and every subject is still scored.
    let runtime = Runtime::with_config(RuntimeConfig {
        max_instances: 2,
        ..RuntimeConfig::default()
    })
    .unwrap();
    let plugin = decree_335(&runtime);
    let reference = fingerprint(&runtime, &plugin, &determinism_input());
    let mut lane = runtime.lane(8);
    for k in 0..20 {
        let got = fingerprint_of(lane.evaluate(&plugin, &determinism_input()).unwrap());
        assert_eq!(got, reference, "subject {k}");
    }
}

#[test]
fn a_cache_key_that_is_not_32_bytes_means_no_cache_not_a_failure() {
    let dir = std::env::temp_dir().join(format!("thuocdo-bad-key-{}", std::process::id()));
    let key = std::path::PathBuf::from(format!("{}.key", dir.display()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::write(&key, vec![7u8; 40 << 20]).unwrap();
    let runtime = Runtime::with_config(RuntimeConfig {
        cache_dir: Some(dir.clone()),
        ..RuntimeConfig::default()
    })
    .unwrap();
    runtime.load(BUNDLED[0].wasm).unwrap();
    assert!(
        std::fs::read_dir(&dir).map_or(true, |mut d| d.next().is_none()),
        "nothing is cached without a key"
    );
    assert_eq!(
        std::fs::metadata(&key).unwrap().len(),
        40 << 20,
        "the file is left as it was"
    );
    std::fs::remove_file(&key).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
