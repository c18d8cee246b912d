//! Builds the test guests the same way the host builds the real scorecards,
//! in one nested build, and names each component's path in a constant:
//! tests/hostile/ holds guests that misbehave on purpose (the sandbox's
//! tests), tests/fixtures/ ordinary scorecards the registry, the what-ifs and
//! the benchmarks need.

use std::fmt::Write as _;

include!("../host/build/wasm.rs");

fn main() {
    let root = workspace_root();
    let sets = ["hostile", "fixtures"].map(|set| (set, crates_in(&root.join("tests").join(set))));
    let all: Vec<String> = sets.iter().flat_map(|(_, c)| c.iter().cloned()).collect();
    let out = build_wasm(&root, &all);
    for (set, crates) in &sets {
        let mut code = String::new();
        for c in crates {
            let path = component_path(&out, c);
            assert!(path.exists(), "{} was not built", path.display());
            let constant = c.to_uppercase().replace('-', "_");
            writeln!(
                code,
                "/// The `{c}` component.\npub const {constant}: &str = {:?};",
                path.display().to_string()
            )
            .unwrap();
        }
        let dest = PathBuf::from(env::var_os("OUT_DIR").unwrap()).join(format!("{set}.rs"));
        fs::write(dest, code).unwrap();
    }
}
