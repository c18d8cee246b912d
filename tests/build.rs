//! Builds the hostile test corpus under tests/hostile/ the same way the host
//! builds the real scorecards, and names each component's path in a constant.

use std::fmt::Write as _;

include!("../host/build/wasm.rs");

fn main() {
    let root = workspace_root();
    let crates = crates_in(&root.join("tests").join("hostile"));
    let out = build_wasm(&root, &crates);
    let mut code = String::new();
    for c in &crates {
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
    let dest = PathBuf::from(env::var_os("OUT_DIR").unwrap()).join("hostile.rs");
    fs::write(dest, code).unwrap();
}
