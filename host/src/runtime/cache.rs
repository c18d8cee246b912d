//! Compiled code on disk, keyed by the component's SHA-256 and the engine's
//! compatibility hash, so a restart does not recompile. A file is trusted only
//! if its own digest matches: a corrupted or stale file is recompiled and
//! replaced, never loaded, never a crash.

use std::fs;
use std::hash::{Hash, Hasher};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

/// Lowercase hex of a digest.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The directory of compiled components for one engine configuration.
pub(crate) struct CodeCache {
    dir: PathBuf,
    engine_hash: String,
}

impl CodeCache {
    pub(crate) fn new(engine: &Engine, dir: &Path) -> CodeCache {
        // DefaultHasher is stable for a given build, and the engine hash only
        // has to match files written by the same build.
        let mut h = std::collections::hash_map::DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut h);
        CodeCache {
            dir: dir.to_path_buf(),
            engine_hash: format!("{:016x}", h.finish()),
        }
    }

    fn path(&self, sha256: &str) -> PathBuf {
        self.dir
            .join(format!("{sha256}-{}.cwasm", self.engine_hash))
    }

    /// The compiled component from the cache, or `None` if absent, stale or corrupted.
    pub(crate) fn get(&self, engine: &Engine, sha256: &str) -> Option<Component> {
        let file = fs::read(self.path(sha256)).ok()?;
        let (digest, code) = file.split_at_checked(32)?;
        if Sha256::digest(code).as_slice() != digest {
            return None;
        }
        // SAFETY: the bytes are what this host's engine serialised (their digest
        // matches what it wrote), and deserialize checks the engine's version
        // and configuration before trusting them.
        unsafe { Component::deserialize(engine, code) }.ok()
    }

    /// Stores a compiled component; a cache that cannot be written only costs
    /// a recompilation later.
    pub(crate) fn put(&self, sha256: &str, component: &Component) {
        let Ok(code) = component.serialize() else {
            return;
        };
        let _ = fs::create_dir_all(&self.dir);
        let path = self.path(sha256);
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        let written = fs::File::create(&tmp).and_then(|mut f| {
            f.write_all(&Sha256::digest(&code))?;
            f.write_all(&code)?;
            f.sync_all()
        });
        if written.is_ok() {
            let _ = fs::rename(&tmp, &path);
        } else {
            let _ = fs::remove_file(&tmp);
        }
    }
}
