//! Builds every scorecard under plugins/ as a WebAssembly component and bundles
//! them into the host, so `cargo run --release -- demo` and `cargo test` need no
//! step by hand (see build/wasm.rs for how).

use std::fmt::Write as _;

include!("build/wasm.rs");

fn main() {
    let root = workspace_root();
    // Results record the engine that computed them; the lock file says which.
    let lock = fs::read_to_string(root.join("Cargo.lock")).unwrap_or_default();
    let wasmtime = lock
        .split("[[package]]")
        .find(|p| p.contains("\nname = \"wasmtime\"\n"))
        .and_then(|p| p.lines().find_map(|l| l.strip_prefix("version = ")))
        .map(|v| v.trim_matches('"').to_string())
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=THUOCDO_WASMTIME_VERSION={wasmtime}");
    println!(
        "cargo:rerun-if-changed={}",
        root.join("Cargo.lock").display()
    );
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
