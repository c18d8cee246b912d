//! Builds every scorecard under plugins/ as a WebAssembly component and bundles
//! them into the host, so `cargo run --release -- demo` and `cargo test` need no
//! step by hand (see build/wasm.rs for how).

use std::fmt::Write as _;

include!("build/wasm.rs");

fn main() {
    let root = workspace_root();
    let plugins = crates_in(&root.join("plugins"));
    let out = build_wasm(&root, &plugins);

    let mut code = String::from(
        "/// The scorecards under plugins/, built as components.\n\
         pub const BUNDLED: &[Bundled] = &[\n",
    );
    for p in &plugins {
        let wasm = component_path(&out, p);
        assert!(wasm.exists(), "{} was not built", wasm.display());
        let examples = root.join("plugins").join(p).join("examples.json");
        let examples = if examples.exists() {
            format!("include_str!({:?})", examples.display().to_string())
        } else {
            "\"[]\"".to_string()
        };
        writeln!(
            code,
            "    Bundled {{ crate_name: {p:?}, wasm: include_bytes!({:?}), examples: {examples} }},",
            wasm.display().to_string()
        )
        .unwrap();
    }
    code.push_str("];\n");
    let dest = PathBuf::from(env::var_os("OUT_DIR").unwrap()).join("bundled.rs");
    fs::write(dest, code).unwrap();
}
