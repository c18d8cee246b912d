//! Compiled code on disk, keyed by the component's SHA-256 and the engine's
//! compatibility hash, so a restart does not recompile. Loading a file runs
//! its native code, so a file is trusted only if it carries an HMAC-SHA256
//! under a key kept outside the cache directory (beside it, readable by the
//! host alone): whoever can write the directory but not read the key cannot
//! make the host run their code. A corrupted, stale or forged file is
//! recompiled and replaced, never loaded, never a crash. Only components that
//! passed every check are written (the runtime's `load` decides).

use std::fs;
use std::hash::{Hash, Hasher};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use hmac::{Hmac, Mac};
use sha2::Sha256;
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
    /// The HMAC key; `None` when it could be neither read nor made, and then
    /// nothing is cached.
    key: Option<[u8; 32]>,
}

/// Bytes of an HMAC-SHA256 tag.
const TAG: usize = 32;

impl CodeCache {
    pub(crate) fn new(engine: &Engine, dir: &Path) -> CodeCache {
        // DefaultHasher is stable for a given build, and the engine hash only
        // has to match files written by the same build.
        let mut h = std::collections::hash_map::DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut h);
        let key = key_for(dir)
            .inspect_err(|e| {
                tracing::warn!(dir = %dir.display(), error = %e, "no key for the code cache; compiled code will not be cached");
            })
            .ok();
        CodeCache {
            dir: dir.to_path_buf(),
            engine_hash: format!("{:016x}", h.finish()),
            key,
        }
    }

    /// The tag of `code` stored as `sha256`'s compiled component.
    fn mac(&self, key: &[u8; 32], sha256: &str) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("any key length");
        mac.update(sha256.as_bytes());
        mac.update(self.engine_hash.as_bytes());
        mac
    }

    fn path(&self, sha256: &str) -> PathBuf {
        self.dir
            .join(format!("{sha256}-{}.cwasm", self.engine_hash))
    }

    /// The compiled component from the cache, or `None` if absent, stale or corrupted.
    pub(crate) fn get(&self, engine: &Engine, sha256: &str) -> Option<Component> {
        let key = self.key.as_ref()?;
        let file = fs::read(self.path(sha256)).ok()?;
        let (tag, code) = file.split_at_checked(TAG)?;
        let mut mac = self.mac(key, sha256);
        mac.update(code);
        mac.verify_slice(tag).ok()?;
        // SAFETY: the bytes are what a host holding the key serialised for this
        // component and engine configuration (the tag proves it), and
        // deserialize checks the engine's version and configuration too.
        unsafe { Component::deserialize(engine, code) }.ok()
    }

    /// Stores a compiled component; a cache that cannot be written only costs
    /// a recompilation later.
    pub(crate) fn put(&self, sha256: &str, component: &Component) {
        let Some(key) = &self.key else {
            return;
        };
        let Ok(code) = component.serialize() else {
            return;
        };
        let mut mac = self.mac(key, sha256);
        mac.update(&code);
        let tag = mac.finalize().into_bytes();
        let _ = fs::create_dir_all(&self.dir);
        let path = self.path(sha256);
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        let written = fs::File::create(&tmp).and_then(|mut f| {
            f.write_all(&tag)?;
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

/// The cache's key: the file `<dir>.key` beside the directory (never inside
/// it), made from the system's randomness the first time and readable by the
/// host's user alone.
fn key_for(dir: &Path) -> std::io::Result<[u8; 32]> {
    let mut path = dir.as_os_str().to_owned();
    path.push(".key");
    let path = PathBuf::from(path);
    if let Ok(key) = read_key(&path) {
        return key;
    }
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).map_err(std::io::Error::other)?;
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(&path) {
        Ok(mut f) => {
            f.write_all(&key)?;
            f.sync_all()?;
            Ok(key)
        }
        // Another host process made it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => read_key(&path)?,
        Err(e) => Err(e),
    }
}

/// The key in the file at `path`: `Err` when it cannot be opened; `Ok` of an
/// error when it is not exactly 32 bytes. At most 33 bytes are read, whatever
/// the file holds.
fn read_key(path: &Path) -> std::io::Result<std::io::Result<[u8; 32]>> {
    use std::io::Read as _;
    let mut bytes = Vec::with_capacity(33);
    fs::File::open(path)?.take(33).read_to_end(&mut bytes)?;
    Ok(<[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("{} is not a 32-byte key", path.display()),
        )
    }))
}
