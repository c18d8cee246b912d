//! The registry on SQLite, and on PostgreSQL too when THUOCDO_TEST_POSTGRES
//! holds a URL (.ci/run sets it). Each test makes its own database file or
//! schema and leaves nothing behind.

use std::sync::Arc;

use thuocdo_host::access::Actor;
use thuocdo_host::bundled::BUNDLED;
use thuocdo_host::registry::Error;
use thuocdo_tests::{fixtures, hostile};

use crate::db::{count, on_every_database};

fn bundled(crate_name: &str) -> Vec<u8> {
    BUNDLED
        .iter()
        .find(|b| b.crate_name == crate_name)
        .unwrap()
        .wasm
        .to_vec()
}

fn corpus(path: &str) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

/// The same component with a custom section appended: other bytes, the same
/// name and version.
fn other_bytes(bytes: &[u8], tag: u8) -> Vec<u8> {
    let name = b"thuocdo-test";
    let payload = [tag; 4];
    let mut out = bytes.to_vec();
    out.push(0); // custom section
    out.push((1 + name.len() + payload.len()) as u8);
    out.push(name.len() as u8);
    out.extend_from_slice(name);
    out.extend_from_slice(&payload);
    out
}

fn admin() -> Actor {
    Actor::admin("admin@thuocdo")
}

#[test]
fn publish_is_idempotent_and_versions_are_immutable() {
    on_every_database(|registry| async move {
        let bytes = bundled("commune-official");
        let first = registry.publish(&admin(), bytes.clone()).await.unwrap();
        assert!(first.created);
        assert_eq!(
            (first.record.name.as_str(), first.record.version.as_str()),
            ("tuyenquang/commune-official", "1.0.2")
        );
        let again = registry.publish(&admin(), bytes.clone()).await.unwrap();
        assert!(!again.created);
        assert_eq!(again.record.sha256, first.record.sha256);
        match registry.publish(&admin(), other_bytes(&bytes, 1)).await {
            Err(Error::Conflict {
                version,
                existing,
                offered,
                ..
            }) => {
                assert_eq!(version, "1.0.2");
                assert_eq!(existing, first.record.sha256);
                assert_ne!(offered, existing);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            registry
                .versions("tuyenquang/commune-official")
                .await
                .unwrap()
                .len(),
            1
        );
        // The bytes live in the database: the plugin loads from there.
        let plugin = registry
            .plugin("tuyenquang/commune-official", "1.0.2")
            .await
            .unwrap();
        assert_eq!(plugin.sha256, first.record.sha256);
    });
}

#[test]
fn publishers_publish_in_their_own_namespace_only() {
    on_every_database(|registry| async move {
        let tuyenquang = Actor::publisher("publisher@tuyenquang", "tuyenquang");
        registry
            .publish(&tuyenquang, bundled("commune-official"))
            .await
            .unwrap();
        match registry.publish(&tuyenquang, bundled("tax-officer")).await {
            Err(Error::Forbidden(m)) => assert!(
                m.contains("publishes in namespace `tuyenquang` only, not `tuyenquang-tax`"),
                "{m}"
            ),
            other => panic!("{other:?}"),
        }
        match registry
            .yank(
                &Actor::unit_admin("ua", "tq"),
                "tuyenquang/commune-official",
                "1.0.2",
            )
            .await
        {
            Err(Error::Forbidden(m)) => assert!(m.contains("may not publish or yank"), "{m}"),
            other => panic!("{other:?}"),
        }
    });
}

#[test]
fn every_bad_input_has_its_error() {
    on_every_database(|registry| async move {
        match registry
            .publish(&admin(), b"not a component".to_vec())
            .await
        {
            Err(e @ Error::Invalid(_)) => assert!(e.to_string().contains("not-a-component"), "{e}"),
            other => panic!("{other:?}"),
        }
        match registry
            .publish(&admin(), corpus(hostile::HOSTILE_HTTP))
            .await
        {
            Err(e @ Error::Invalid(_)) => assert!(
                e.to_string().contains("wasi:http/outgoing-handler@0.3.0"),
                "{e}"
            ),
            other => panic!("{other:?}"),
        }
        registry
            .publish(&admin(), bundled("commune-official"))
            .await
            .unwrap();
        registry
            .upsert_unit(&admin(), "tq", "Tuyên Quang", "province", None)
            .await
            .unwrap();
        let cases: Vec<(Result<(), Error>, &str)> = vec![
            (
                registry
                    .yank(&admin(), "tuyenquang/commune-official", "1.0")
                    .await
                    .map(drop),
                "`1.0` is not a semver version",
            ),
            (
                registry
                    .yank(&admin(), "commune-official", "1.0.2")
                    .await
                    .map(drop),
                "`commune-official` is not a plugin name of the form namespace/name",
            ),
            (
                registry
                    .yank(&admin(), "tuyenquang/commune-official", "9.9.9")
                    .await
                    .map(drop),
                "tuyenquang/commune-official has no version 9.9.9 (published: 1.0.2)",
            ),
            (
                registry
                    .yank(&admin(), "tuyenquang/nothing", "1.0.0")
                    .await
                    .map(drop),
                "no plugin named tuyenquang/nothing is published",
            ),
            (
                registry
                    .assign(
                        &admin(),
                        "commune-official",
                        "tuyenquang/nothing",
                        "^1",
                        "tq",
                        "2025-01",
                    )
                    .await
                    .map(drop),
                "no plugin named tuyenquang/nothing",
            ),
            (
                registry
                    .assign(
                        &admin(),
                        "commune-official",
                        "tuyenquang/commune-official",
                        "^2",
                        "tq",
                        "2025-01",
                    )
                    .await
                    .map(drop),
                "no published, unyanked version of tuyenquang/commune-official satisfies `^2` (published: 1.0.2)",
            ),
            (
                registry
                    .assign(
                        &admin(),
                        "commune-official",
                        "tuyenquang/commune-official",
                        "one point two",
                        "tq",
                        "2025-01",
                    )
                    .await
                    .map(drop),
                "`one point two` is not a semver requirement",
            ),
            (
                registry
                    .assign(
                        &admin(),
                        "commune-official",
                        "tuyenquang/commune-official",
                        "^1",
                        "nowhere",
                        "2025-01",
                    )
                    .await
                    .map(drop),
                "no unit with code `nowhere`",
            ),
            (
                registry
                    .assign(
                        &admin(),
                        "commune-official",
                        "tuyenquang/commune-official",
                        "^1",
                        "tq",
                        "2025-13",
                    )
                    .await
                    .map(drop),
                "`2025-13` is not a period",
            ),
        ];
        for (result, says) in cases {
            match result {
                Err(e) => assert!(e.to_string().contains(says), "expected `{says}`, got `{e}`"),
                Ok(()) => panic!("expected `{says}`, got success"),
            }
        }
        // Refusals change nothing but what was done before them.
        assert_eq!(count(&registry, "assignments").await, 0);
    });
}

#[test]
fn two_clients_publishing_one_version_at_once_one_wins() {
    on_every_database(|registry| async move {
        let bytes = corpus(fixtures::VERSIONED_1_0_0);
        let registry = Arc::new(registry);
        let (a, b) = (registry.clone(), registry.clone());
        let (x, y) = (other_bytes(&bytes, 1), other_bytes(&bytes, 2));
        let (ra, rb) = tokio::join!(
            tokio::spawn(async move { a.publish(&admin(), x).await }),
            tokio::spawn(async move { b.publish(&admin(), y).await }),
        );
        let results = [ra.unwrap(), rb.unwrap()];
        let won = results
            .iter()
            .filter(|r| matches!(r, Ok(p) if p.created))
            .count();
        let lost = results
            .iter()
            .filter(|r| matches!(r, Err(Error::Conflict { .. })))
            .count();
        assert_eq!((won, lost), (1, 1), "{results:?}");
        assert_eq!(registry.versions("test/versioned").await.unwrap().len(), 1);
        assert_eq!(
            count(&registry, "plugin_blobs").await,
            1,
            "no half-written row"
        );
    });
}

#[test]
fn a_publish_failing_midway_leaves_nothing() {
    on_every_database(|registry| async move {
        let bytes = bundled("tax-officer");
        assert!(
            registry
                .publish_interrupted(&admin(), bytes.clone())
                .await
                .is_err()
        );
        for table in ["plugin_blobs", "plugin_versions", "audit_log"] {
            assert_eq!(count(&registry, table).await, 0, "{table}");
        }
        assert!(registry.publish(&admin(), bytes).await.unwrap().created);
    });
}

#[test]
fn resolution_picks_the_most_specific_assignment_and_the_highest_allowed_version() {
    on_every_database(|registry| async move {
        for path in [
            fixtures::VERSIONED_1_0_0,
            fixtures::VERSIONED_1_2_0,
            fixtures::VERSIONED_1_3_0,
            fixtures::VERSIONED_2_0_0_RC_1,
        ] {
            registry.publish(&admin(), corpus(path)).await.unwrap();
        }
        let versions: Vec<String> = registry
            .versions("test/versioned")
            .await
            .unwrap()
            .into_iter()
            .map(|v| v.version)
            .collect();
        assert_eq!(versions, ["1.0.0", "1.2.0", "1.3.0", "2.0.0-rc.1"]);
        registry
            .upsert_unit(&admin(), "tq", "Tuyên Quang", "province", None)
            .await
            .unwrap();
        registry
            .upsert_unit(&admin(), "xa-a", "Xã A", "commune", Some("tq"))
            .await
            .unwrap();
        registry
            .upsert_unit(&admin(), "xa-b", "Xã B", "commune", Some("tq"))
            .await
            .unwrap();

        let v = |r: thuocdo_host::registry::Resolved| r.version;
        // The agency type applies to every commune; pre-releases are not picked.
        registry
            .assign(
                &admin(),
                "commune",
                "test/versioned",
                ">=1",
                "tq",
                "2025-01",
            )
            .await
            .unwrap();
        assert_eq!(
            v(registry
                .resolve("commune-chair", "xa-a", "2025-09")
                .await
                .unwrap()),
            "1.3.0"
        );
        // A position code beats an agency type.
        registry
            .assign(
                &admin(),
                "commune-chair",
                "test/versioned",
                "~1.2",
                "tq",
                "2025-01",
            )
            .await
            .unwrap();
        assert_eq!(
            v(registry
                .resolve("commune-chair", "xa-a", "2025-09")
                .await
                .unwrap()),
            "1.2.0"
        );
        assert_eq!(
            v(registry
                .resolve("commune-official", "xa-a", "2025-09")
                .await
                .unwrap()),
            "1.3.0"
        );
        // The nearest unit beats a wider one, from when it takes effect; a
        // pre-release is picked when named.
        let ua = Actor::unit_admin("ua@xa-a", "xa-a");
        registry
            .assign(
                &ua,
                "commune-chair",
                "test/versioned",
                "=2.0.0-rc.1",
                "xa-a",
                "2025-06",
            )
            .await
            .unwrap();
        assert_eq!(
            v(registry
                .resolve("commune-chair", "xa-a", "2025-09")
                .await
                .unwrap()),
            "2.0.0-rc.1"
        );
        assert_eq!(
            v(registry
                .resolve("commune-chair", "xa-a", "2025-05")
                .await
                .unwrap()),
            "1.2.0"
        );
        assert_eq!(
            v(registry
                .resolve("commune-chair", "xa-b", "2025-09")
                .await
                .unwrap()),
            "1.2.0"
        );
        // A unit admin assigns in their subtree only.
        match registry
            .assign(
                &ua,
                "commune-chair",
                "test/versioned",
                "^1",
                "xa-b",
                "2025-06",
            )
            .await
        {
            Err(Error::Forbidden(m)) => assert!(m.contains("may not assign in `xa-b`"), "{m}"),
            other => panic!("{other:?}"),
        }
        // A tie is refused, naming the first.
        match registry
            .assign(
                &admin(),
                "commune-chair",
                "test/versioned",
                "^1",
                "tq",
                "2025-01",
            )
            .await
        {
            Err(e @ Error::Tie { .. }) => {
                assert!(e.to_string().contains("~1.2 by admin@thuocdo"), "{e}")
            }
            other => panic!("{other:?}"),
        }
        // A yanked version is never picked again, but stays evaluable.
        registry
            .yank(&admin(), "test/versioned", "1.3.0")
            .await
            .unwrap();
        assert_eq!(
            v(registry
                .resolve("commune-official", "xa-a", "2025-09")
                .await
                .unwrap()),
            "1.2.0"
        );
        assert!(registry.plugin("test/versioned", "1.3.0").await.is_ok());
        // History: every assignment, who made it.
        let history = registry.assignments().await.unwrap();
        assert_eq!(history.len(), 3);
        assert_eq!(history[2].assigned_by, "ua@xa-a");
        // Nothing assigned to the post or the province's agency type: a clear refusal.
        match registry.resolve("tax-officer", "tq", "2025-09").await {
            Err(Error::NotFound(m)) => assert!(
                m.contains(
                    "no scorecard is assigned to post `tax-officer` or agency type `province`"
                ),
                "{m}"
            ),
            other => panic!("{other:?}"),
        }
    });
}

#[test]
fn the_audit_log_records_everything_and_refuses_change() {
    on_every_database(|registry| async move {
        registry
            .publish(&admin(), bundled("commune-official"))
            .await
            .unwrap();
        registry
            .upsert_unit(&admin(), "tq", "Tuyên Quang", "province", None)
            .await
            .unwrap();
        registry
            .assign(
                &admin(),
                "commune-official",
                "tuyenquang/commune-official",
                "^1",
                "tq",
                "2025",
            )
            .await
            .unwrap();
        registry
            .yank(&admin(), "tuyenquang/commune-official", "1.0.2")
            .await
            .unwrap();
        let actions: Vec<String> = registry
            .audit_log()
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(actions, ["publish", "unit", "assign", "yank"]);
        for statement in [
            "UPDATE audit_log SET actor = 'someone else'",
            "DELETE FROM audit_log",
        ] {
            let refused = sqlx::query(statement)
                .execute(registry.store().pool())
                .await;
            let message = refused.expect_err(statement).to_string();
            assert!(message.contains("append-only"), "{message}");
        }
        assert_eq!(count(&registry, "audit_log").await, 4);
    });
}
