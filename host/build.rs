//! Builds every scorecard under plugins/ as a WebAssembly component and bundles
//! them into the host, so `cargo run --release -- demo` and `cargo test` need no
//! step by hand.
//!
//! The plugins are built by a nested `cargo build --release --target
//! wasm32-wasip2` with its own target directory (target/plugins), so it never
//! waits on the outer build's lock. The wasm32-wasip2 target is added through
//! rustup when it is missing: rustup does not do that by itself when cargo builds.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const TARGET: &str = "wasm32-wasip2";

fn main() {
    let host = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").unwrap());
    let root = host.parent().unwrap().to_path_buf();
    for dir in [
        "plugins",
        "sdk",
        "wit",
        ".cargo",
        "Cargo.toml",
        "Cargo.lock",
        "rust-toolchain.toml",
    ] {
        println!("cargo:rerun-if-changed={}", root.join(dir).display());
    }

    let plugins = plugin_crates(&root.join("plugins"));
    ensure_target();

    let target_dir = env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
        .join("plugins");
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut build = Command::new(cargo);
    build
        .current_dir(&root)
        .args(["build", "--release", "--target", TARGET])
        .arg("--target-dir")
        .arg(&target_dir);
    for p in &plugins {
        build.args(["-p", p]);
    }
    // The outer build's settings are for the host, not for the plugins.
    for var in [
        "CARGO_ENCODED_RUSTFLAGS",
        "RUSTFLAGS",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET",
        "CARGO_PRIMARY_PACKAGE",
        "RUSTC_WORKSPACE_WRAPPER",
    ] {
        build.env_remove(var);
    }
    let status = build
        .status()
        .expect("running cargo to build the scorecard plugins");
    assert!(
        status.success(),
        "building the scorecard plugins failed (see above)"
    );

    let out = target_dir.join(TARGET).join("release");
    let mut code = String::from(
        "/// The scorecards under plugins/, built as components.\n\
         pub const BUNDLED: &[Bundled] = &[\n",
    );
    for p in &plugins {
        let wasm = out.join(format!("{}.wasm", p.replace('-', "_")));
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

/// Every crate under plugins/, by name, sorted.
fn plugin_crates(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("reading plugins/")
        .filter_map(|e| {
            let manifest = e.ok()?.path().join("Cargo.toml");
            let text = fs::read_to_string(manifest).ok()?;
            text.lines()
                .find_map(|l| l.trim().strip_prefix("name = "))
                .map(|n| n.trim_matches('"').to_string())
        })
        .collect();
    names.sort();
    names
}

/// Adds the wasm32-wasip2 target through rustup when the compiler lacks it.
fn ensure_target() {
    let rustc = env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let libdir = Command::new(&rustc)
        .args(["--print", "target-libdir", "--target", TARGET])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    if libdir.is_some_and(|d| d.exists()) {
        return;
    }
    println!(
        "cargo:warning=thuocdo: the {TARGET} target is missing; adding it with `rustup target add {TARGET}`"
    );
    let added = Command::new("rustup")
        .args(["target", "add", TARGET])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        added,
        "the {TARGET} target is missing and rustup could not add it; run `rustup target add {TARGET}` and build again"
    );
}
