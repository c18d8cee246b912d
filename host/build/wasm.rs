// Builds workspace crates for wasm32-wasip2, whose output is already a
// component. Shared by host/build.rs (the scorecards) and tests/build.rs (the
// hostile test corpus) through `include!`, so both build the same way.
//
// The nested `cargo build --release --target wasm32-wasip2` uses its own target
// directory (target/plugins), so it never waits on the outer build's lock. The
// target is added through rustup when it is missing: rustup does not do that by
// itself when cargo builds.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const TARGET: &str = "wasm32-wasip2";

/// The workspace root, from a crate directly below it.
fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").unwrap());
    let mut dir = manifest.as_path();
    while !dir.join("rust-toolchain.toml").exists() {
        dir = dir.parent().expect("the workspace root holds rust-toolchain.toml");
    }
    dir.to_path_buf()
}

/// Every crate directly under `dir`, by package name, sorted.
fn crates_in(dir: &Path) -> Vec<String> {
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .filter_map(|e| {
            let text = fs::read_to_string(e.ok()?.path().join("Cargo.toml")).ok()?;
            text.lines()
                .find_map(|l| l.trim().strip_prefix("name = "))
                .map(|n| n.trim_matches('"').to_string())
        })
        .collect();
    names.sort();
    names
}

/// Builds `crates` in release for wasm32-wasip2 and returns the directory
/// holding their components.
fn build_wasm(root: &Path, crates: &[String]) -> PathBuf {
    for dir in ["sdk", "wit", ".cargo", "Cargo.toml", "rust-toolchain.toml"] {
        println!("cargo:rerun-if-changed={}", root.join(dir).display());
    }
    ensure_target();
    let target_dir = env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
        .join("plugins");
    let mut build = Command::new(env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    build
        .current_dir(root)
        .args(["build", "--release", "--target", TARGET])
        .arg("--target-dir")
        .arg(&target_dir);
    for c in crates {
        build.args(["-p", c]);
    }
    // The outer build's settings are for the host, not for the components.
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
    // Nor do its profile overrides apply: a component's bytes, and so its
    // SHA-256, must not depend on how the host was built.
    for (var, _) in env::vars_os() {
        if var.to_string_lossy().starts_with("CARGO_PROFILE_") {
            build.env_remove(var);
        }
    }
    let status = build.status().expect("running cargo to build the components");
    assert!(status.success(), "building {} for {TARGET} failed (see above)", crates.join(", "));
    target_dir.join(TARGET).join("release")
}

/// The component a crate built: libraries replace hyphens, binaries keep them.
fn component_path(out: &Path, name: &str) -> PathBuf {
    let lib = out.join(format!("{}.wasm", name.replace('-', "_")));
    if lib.exists() { lib } else { out.join(format!("{name}.wasm")) }
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
