//! Old components score as before. Moving the SDK onto the contract crate
//! changed every bundled component's bytes, so each got a new version; the
//! component of `tuyenquang-tax/tax-officer@1.0.0` as it was built before
//! that (tests/data/tax-officer-1.0.0.wasm) is kept, with the SHA-256 of what
//! a run stored for it then, to prove a data directory's published versions
//! go on scoring exactly as they did — and that the new version agrees.

use std::fmt::Write as _;

use thuocdo_host::access::Actor;
use thuocdo_host::bundled::BUNDLED;
use thuocdo_host::registry::Registry;
use thuocdo_host::runtime::sha256_hex;
use thuocdo_host::scoring::{self, RunOptions, StoredResult};

use crate::db::on_every_database;
use crate::scoring::load_data;

/// The 1.0.0 component, built from the sources before the SDK moved onto
/// the contract crate.
const OLD: &[u8] = include_bytes!("../../data/tax-officer-1.0.0.wasm");
/// Its SHA-256, as plugins/bundled.lock recorded it for 1.0.0.
const OLD_SHA256: &str = "004a7a0956310a0b7e620813fddbead7bc72697515feff53584fc3cad555e4a7";
/// The SHA-256 of the lines [`scored`] writes for September 2025's run of the
/// demo province (seed 7), with the 1.0.0 component, before the change.
const STORED_SHA256: &str = "5afe133074486b30ac7ce51b7d521300bb357ed940b6d6280837859b22c60eb2";
const TAX: &str = "tuyenquang-tax/tax-officer";

fn admin() -> Actor {
    Actor::admin("admin@thuocdo")
}

/// What a run stored of each tax officer, one line each, without what names
/// the component (its version, hash and fuel differ between builds by design).
/// The facts appear as their SHA-256, which runs stored until the facts were
/// committed under a key of the deployment's (a keyed commitment differs per
/// database by design; that it commits to these very facts is checked too).
fn scored(results: &[StoredResult]) -> String {
    let mut out = String::new();
    for r in results.iter().filter(|r| r.plugin == TAX) {
        let grade = |g: Option<scoring::GradeCode>| g.map_or("-", |g| g.code());
        write!(
            out,
            "{} {} {:?} {} {} {:?} {:?}",
            r.subject,
            r.outcome.code(),
            r.total,
            grade(r.computed_grade),
            grade(r.grade),
            r.cohort_rule,
            r.caps,
        )
        .unwrap();
        for i in &r.indicators {
            write!(out, " {:?}/{}/{}", i.raw, i.score, i.light.code()).unwrap();
        }
        // The facts' SHA-256, as runs stored it before facts were committed
        // under the deployment's key: the same bytes as then.
        let facts_sha256 = match &r.facts {
            Some(f) if !r.facts_sha256.is_empty() => sha256_hex(f.to_json().as_bytes()),
            _ => String::new(),
        };
        writeln!(out, " {facts_sha256} {:?}", r.error).unwrap();
    }
    out
}

async fn run_september(registry: &Registry) -> Vec<StoredResult> {
    let report = scoring::run(registry, &admin(), &RunOptions::period("2025-09"))
        .await
        .unwrap();
    scoring::results(registry, report.run).await.unwrap()
}

#[test]
fn the_old_tax_officer_component_scores_as_it_did_and_its_successor_agrees() {
    assert_eq!(sha256_hex(OLD), OLD_SHA256, "the kept component's bytes");
    on_every_database(|registry| async move {
        for b in BUNDLED.iter().filter(|b| b.crate_name != "tax-officer") {
            registry.publish(&admin(), b.wasm.to_vec()).await.unwrap();
        }
        let old_record = registry.publish(&admin(), OLD.to_vec()).await.unwrap();
        // Published before contract 1.1 existed, it is served by 1.0.0's types.
        assert_eq!(old_record.record.contract, "1.0.0");
        assert_eq!(
            registry.plugin(TAX, "1.0.0").await.unwrap().contract,
            thuocdo_host::runtime::Contract::V1_0
        );
        let (_, dir) = load_data(&registry).await;

        let old = run_september(&registry).await;
        let taxed: Vec<&StoredResult> = old.iter().filter(|r| r.plugin == TAX).collect();
        assert!(taxed.len() > 10, "the province has tax officers");
        assert!(
            taxed
                .iter()
                .all(|r| r.version == "1.0.0" && r.sha256 == OLD_SHA256)
        );
        let keys = thuocdo_host::access::keyring::Keys::open(
            registry.store(),
            thuocdo_host::access::keyring::FACTS,
        )
        .await
        .unwrap();
        for r in &taxed {
            let facts = r.facts.as_ref().unwrap().to_json();
            assert!(
                r.facts_sha256.starts_with("hmac-sha256:facts-1:"),
                "{}",
                r.facts_sha256
            );
            assert_eq!(keys.check(&r.facts_sha256, facts.as_bytes()), Some(true));
        }
        let lines = scored(&old);
        assert_eq!(
            sha256_hex(lines.as_bytes()),
            STORED_SHA256,
            "what the 1.0.0 component stored:\n{lines}"
        );

        // The successor, built on the contract crate, is preferred by `^1`
        // and stores the same numbers, grades and facts.
        let new = BUNDLED
            .iter()
            .find(|b| b.crate_name == "tax-officer")
            .unwrap();
        let new_record = registry.publish(&admin(), new.wasm.to_vec()).await.unwrap();
        assert_eq!(new_record.record.contract, "1.1.0");
        let again = run_september(&registry).await;
        assert!(
            again
                .iter()
                .filter(|r| r.plugin == TAX)
                .all(|r| r.version != "1.0.0" && r.sha256 != OLD_SHA256)
        );
        assert_eq!(scored(&again), lines);
        std::fs::remove_dir_all(dir).unwrap();
    });
}
