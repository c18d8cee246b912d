//! The bundled scorecards keep their bytes or change their version: a data
//! directory that holds `name@1.0.0` refuses other bytes under that version,
//! so a change to the SDK or a plugin that changes a component's bytes must
//! bump its version. plugins/bundled.lock records each one's SHA-256.

use thuocdo_host::bundled::BUNDLED;
use thuocdo_host::runtime::{Runtime, sha256_hex};

#[test]
fn every_bundled_component_matches_its_locked_bytes_or_has_a_new_version() {
    let lock_path = concat!(env!("CARGO_MANIFEST_DIR"), "/../plugins/bundled.lock");
    let lock = std::fs::read_to_string(lock_path).unwrap_or_default();
    let locked: Vec<(&str, &str, &str)> = lock
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut parts = l.split_whitespace();
            let (Some(name), Some(version), Some(sha)) = (parts.next(), parts.next(), parts.next())
            else {
                panic!("plugins/bundled.lock: `{l}` is not `name version sha256`");
            };
            (name, version, sha)
        })
        .collect();
    let runtime = Runtime::new().unwrap();
    let mut problems = Vec::new();
    let mut current = String::new();
    for b in BUNDLED {
        let plugin = runtime.load(b.wasm).unwrap();
        let (name, version) = (plugin.info.name.as_str(), plugin.info.version.as_str());
        let sha = sha256_hex(b.wasm);
        current.push_str(&format!("{name} {version} {sha}\n"));
        match locked.iter().find(|(n, _, _)| *n == name) {
            None => problems.push(format!("{name} is not in the lock")),
            Some((_, v, s)) if *v == version && *s != sha => problems.push(format!(
                "{name}@{version}: its bytes changed ({s} → {sha}) but its version did not; bump the version"
            )),
            Some((_, v, s)) if *v != version || *s != sha => problems.push(format!(
                "{name}: the lock says {v} {s}, the build is {version} {sha}; update the lock"
            )),
            Some(_) => {}
        }
    }
    if locked.len() != BUNDLED.len() {
        problems.push(format!(
            "the lock names {} components, {} are bundled",
            locked.len(),
            BUNDLED.len()
        ));
    }
    assert!(
        problems.is_empty(),
        "{}\n\nthe lock for this build (plugins/bundled.lock):\n{current}",
        problems.join("\n")
    );
}
