//! A hostile scorecard for the runtime's tests. Its describe() is a valid card;
//! its evaluate() misbehaves according to the subject's id, so one component
//! carries every fault the host must contain, each tested on its own:
//!
//! | subject id        | what it does                                             |
//! |-------------------|----------------------------------------------------------|
//! | `good`            | scores honestly through the SDK                          |
//! | `loop`            | loops forever                                            |
//! | `slow`            | a loop that would end after about 30 s                   |
//! | `alloc`           | allocates and touches 1 GiB                              |
//! | `recursion`       | recurses without end                                     |
//! | `panic`           | panics with a message                                    |
//! | `unreachable`     | executes `unreachable`                                   |
//! | `huge-output`     | returns 100 MB of indicator results                      |
//! | `big-output`      | returns 2 MiB of indicator results                       |
//! | `out-of-scale`    | a total above the scale                                  |
//! | `extra-indicator` | one indicator result too many                            |
//! | `wrong-grade`     | a grade its bands contradict, without a cap              |
//! | `bad-subtotal`    | subtotals that do not add up to the total                |
//! | `probe`           | tries files, the root directory, a socket, the           |
//! |                   | environment, the clocks and randomness, and folds what   |
//! |                   | it got into its score                                    |
//! | `chatty`          | prints 1 MiB to stdout and stderr, then scores honestly  |
//! | `sleep`           | sleeps a day, prints how long it slept, scores honestly  |
//! | `naps`            | sleeps a millisecond at a time, forever                  |
//! | `long-name`       | refuses, naming a 24 MiB fact                            |
//! | `undeclared-fact` | refuses, naming a fact describe() does not declare       |
//! | `wrong-position`  | refuses, naming a declared fact at another position      |
//! | `wrong-range`     | refuses a value with a range describe() does not declare |
//! | `wrong-value`     | refuses a value the input does not hold                  |
//! | `wrong-count`     | refuses with fact counts that are not the true ones      |
//!
//! Its describe() sleeps a day before it answers: loading it at all shows that
//! no host call waits on real time.

use thuocdo_sdk::bindings::thuocdo::scorecard::types as w;
use thuocdo_sdk::prelude::*;

/// The honest part: one fact, one indicator on a 10-point scale.
pub struct Honest;

const RULE: Basis = Basis::doc("Test corpus");

/// The card every mode describes.
pub const CARD: Card = Card {
    name: "test/hostile",
    version: "1.0.0",
    title: t("Bảng điểm thử nghiệm", "Hostile test scorecard"),
    description: t("Dùng cho kiểm thử", "For the runtime's tests"),
    applies_to: &["test"],
    period: PeriodKind::Month,
    basis: &[RULE],
    facts: &[Fact::percent("rate", t("Tỷ lệ", "Rate"))],
    indicators: &[
        Indicator::new("rate", Group::Volume, t("Tỷ lệ", "Rate"), units::PERCENT)
            .thresholds(fx!("100"), fx!("0"))
            .points(fx!("10"))
            .reads(&["rate"])
            .formula(t("Tỷ lệ / 10", "Rate / 10")),
    ],
    scale: Scale::points(fx!("10")),
    bands: &bands(fx!("9"), fx!("7"), fx!("5")),
    caps: &[],
    quotas: &[],
    reads_products: false,
};

impl Scorecard for Honest {
    const CARD: &'static Card = &CARD;
    fn score(f: &Facts, s: &mut Sheet) -> Result<(), EvalError> {
        s.linear("rate", Some(f.get("rate")?));
        Ok(())
    }
}

fn result(score: i64, n: usize) -> w::Evaluation {
    w::Evaluation {
        indicators: vec![
            w::IndicatorResult {
                raw: Some(score * 10),
                score,
                light: w::Light::Yellow,
            };
            n
        ],
        subtotals: w::Subtotals {
            volume: score,
            progress: 0,
            quality: 0,
            efficiency: 0,
            conduct: 0,
        },
        total: score,
        grade: w::Grade::C,
        caps: vec![],
    }
}

/// Called through a pointer the optimiser cannot see through, so the recursion
/// can neither become a loop nor end.
static NEXT: fn(u64) -> u64 = recurse;

fn recurse(depth: u64) -> u64 {
    let next = unsafe { core::ptr::read_volatile(&NEXT) };
    next(depth.wrapping_add(1)).wrapping_mul(3) ^ depth
}

/// Everything a sandboxed plugin might try to reach, printed (so the test can
/// see what it got) and folded into one number.
fn probe() -> i64 {
    use std::hash::{BuildHasher, Hasher};
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(-1, |d| d.as_nanos() as i64);
    let start = std::time::Instant::now();
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u8(1);
    let seen = [
        (
            "passwd",
            std::fs::read("/etc/passwd").map_or(-1, |b| b.len() as i64),
        ),
        (
            "root-entries",
            std::fs::read_dir("/").map_or(-1, |d| d.count() as i64),
        ),
        (
            "cwd-entries",
            std::fs::read_dir(".").map_or(-1, |d| d.count() as i64),
        ),
        (
            "tcp-connect",
            std::net::TcpStream::connect("127.0.0.1:5432").map_or(-1, |_| 1),
        ),
        (
            "udp-bind",
            std::net::UdpSocket::bind("0.0.0.0:0").map_or(-1, |_| 1),
        ),
        ("env-vars", std::env::vars().count() as i64),
        ("args", std::env::args().count() as i64),
        ("wall-clock-ns", since_epoch),
        ("elapsed-ns", start.elapsed().as_nanos() as i64),
        ("random-hash", hasher.finish() as i64),
    ];
    let mut h: i64 = 0;
    for (what, value) in seen {
        println!("{what}: {value}");
        h = h.wrapping_mul(31).wrapping_add(value);
    }
    h
}

/// The component's exports.
pub struct Hostile;

impl thuocdo_sdk::bindings::Guest for Hostile {
    fn describe() -> w::PluginInfo {
        std::thread::sleep(std::time::Duration::from_secs(86_400));
        thuocdo_sdk::wire::describe(&CARD)
    }

    fn evaluate(input: w::EvaluationInput) -> Result<w::Evaluation, w::EvaluationError> {
        match input.subject.id.as_str() {
            "loop" => loop {
                std::hint::black_box(0);
            },
            "slow" => {
                let mut x: u64 = 0;
                for i in 0..30_000_000_000u64 {
                    x = std::hint::black_box(x.wrapping_add(i));
                }
                Ok(result((x % 10) as i64, 1))
            }
            "alloc" => {
                let mut v = std::hint::black_box(vec![1u8; 1 << 30]);
                v[12345] = 2;
                Ok(result(std::hint::black_box(v)[12345] as i64 * 10_000, 1))
            }
            "recursion" => Ok(result(recurse(0) as i64, 1)),
            "panic" => panic!("the sky fell on subject {}", input.subject.id),
            "unreachable" => {
                #[cfg(target_family = "wasm")]
                core::arch::wasm32::unreachable();
                #[cfg(not(target_family = "wasm"))]
                unreachable!()
            }
            "huge-output" => Ok(result(0, 100_000_000 / 24)),
            "big-output" => Ok(result(0, 2 * 1024 * 1024 / 24)),
            "out-of-scale" => Ok(result(110_000, 1)),
            "extra-indicator" => Ok(result(50_000, 2)),
            "wrong-grade" => {
                let mut e = result(20_000, 1);
                e.grade = w::Grade::A;
                Ok(e)
            }
            "bad-subtotal" => {
                let mut e = result(50_000, 1);
                e.subtotals.volume = 40_000;
                Ok(e)
            }
            "probe" => {
                let folded = probe().rem_euclid(10) * 10_000;
                let mut e = result(folded, 1);
                e.indicators[0].raw = Some(folded * 10);
                e.indicators[0].light = thuocdo_sdk::evaluation::light_of(
                    Direction::HigherIsBetter,
                    fx!("100"),
                    fx!("0"),
                    Fixed::from_raw(folded * 10),
                );
                e.grade = thuocdo_sdk::grading::band_grade(&CARD, Fixed::from_raw(folded));
                Ok(e)
            }
            "chatty" => {
                let line = "x".repeat(1023);
                for _ in 0..1024 {
                    println!("{line}");
                    eprintln!("{line}");
                }
                thuocdo_sdk::wire::evaluate_wire::<Honest>(input)
            }
            "sleep" => {
                let start = std::time::Instant::now();
                std::thread::sleep(std::time::Duration::from_secs(86_400));
                println!("slept: {} s", start.elapsed().as_secs());
                thuocdo_sdk::wire::evaluate_wire::<Honest>(input)
            }
            "naps" => loop {
                std::thread::sleep(std::time::Duration::from_millis(1));
            },
            "long-name" => Err(w::EvaluationError::MissingFact(w::FactRef {
                position: 0,
                name: "x".repeat(24 << 20),
            })),
            "undeclared-fact" => Err(w::EvaluationError::MissingFact(w::FactRef {
                position: 0,
                name: format!("{}={:?}", input.subject.id, input.facts),
            })),
            "wrong-position" => Err(w::EvaluationError::MissingFact(w::FactRef {
                position: 3,
                name: "rate".into(),
            })),
            "wrong-range" => Err(w::EvaluationError::InvalidFact(w::InvalidFact {
                fact: w::FactRef {
                    position: 0,
                    name: "rate".into(),
                },
                value: input.facts[0].unwrap_or(0),
                min: Some(0),
                max: Some(1),
            })),
            "wrong-value" => Err(w::EvaluationError::InvalidFact(w::InvalidFact {
                fact: w::FactRef {
                    position: 0,
                    name: "rate".into(),
                },
                value: 1_234_567,
                min: Some(0),
                max: Some(1_000_000),
            })),
            "wrong-count" => Err(w::EvaluationError::WrongFactCount(w::CountMismatch {
                expected: 7,
                found: 1,
            })),
            _ => thuocdo_sdk::wire::evaluate_wire::<Honest>(input),
        }
    }
}

#[cfg(target_family = "wasm")]
thuocdo_sdk::bindings::export_scorecard_world!(Hostile with_types_in thuocdo_sdk::bindings);
