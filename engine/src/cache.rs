//! Compiled modules cached on disk, so a CLI run does not pay cranelift's compile (seconds for the
//! raw wasm) at every start.
//!
//! A cached module is found by a key that changes whenever its machine code could: the SHA-256 of
//! the wasm bytes and of wasmtime's compatibility hash for this engine (its version, the target and
//! every setting that changes code generation, fuel metering among them). A file that does not load
//! (written by another build, truncated, corrupted) is compiled afresh and replaced, so the cache can
//! never make a run fail; it can only make it faster.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use wasmtime::Module;

/// Where compiled modules are kept: one file per key.
#[derive(Debug, Clone)]
pub struct ModuleCache {
    dir: PathBuf,
}

impl ModuleCache {
    pub fn new(dir: PathBuf) -> ModuleCache {
        ModuleCache { dir }
    }

    /// The user's cache folder: `$ROOTSPAN_CACHE_DIR`, else `$XDG_CACHE_HOME/rootspan`, else
    /// `~/.cache/rootspan`. `None` when none of them is set (then nothing is cached).
    pub fn user_default() -> Option<ModuleCache> {
        let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
        let dir = var("ROOTSPAN_CACHE_DIR")
            .or_else(|| var("XDG_CACHE_HOME").map(|d| d.join("rootspan")))
            .or_else(|| var("HOME").map(|d| d.join(".cache/rootspan")))?;
        Some(ModuleCache::new(dir))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The module for `wasm` on `engine`: loaded from the cache when a file with its key is there
    /// and loads, else compiled by `compile` and stored (a failure to store is ignored: the cache is
    /// an optimisation). Returns the module and whether it came from the cache.
    pub fn get_or_compile(
        &self,
        engine: &wasmtime::Engine,
        wasm: &[u8],
        compile: impl FnOnce() -> wasmtime::Result<Module>,
    ) -> wasmtime::Result<(Module, bool)> {
        let path = self.dir.join(format!("{}.cwasm", key(engine, wasm)));
        if path.is_file() {
            // SAFETY: `deserialize_file` trusts that the file holds code wasmtime compiled. This file
            // is in the user's own cache folder, named by the SHA-256 of the wasm and of this engine's
            // configuration, and only `store` below writes there, with bytes from `Module::serialize`.
            // wasmtime still checks its header (version, target, settings) and refuses a mismatch.
            // This is the trust model of wasmtime's own compilation cache.
            if let Ok(module) = unsafe { Module::deserialize_file(engine, &path) } {
                return Ok((module, true));
            }
        }
        let module = compile()?;
        let _ = self.store(&path, &module);
        Ok((module, false))
    }

    /// Writes a new file and renames it into place, so a concurrent run never reads half a file.
    fn store(&self, path: &Path, module: &Module) -> std::io::Result<()> {
        let bytes = module.serialize().map_err(std::io::Error::other)?;
        create_private_dir(&self.dir)?;
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        std::fs::write(&tmp, bytes)?;
        std::fs::rename(&tmp, path).inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
    }
}

/// The cache key: hex SHA-256 over the wasm bytes and the engine's compatibility hash.
fn key(engine: &wasmtime::Engine, wasm: &[u8]) -> String {
    /// Feeds `Hash` into SHA-256 (std's hashers are not stable across builds).
    struct ShaHasher(Sha256);
    impl Hasher for ShaHasher {
        fn finish(&self) -> u64 {
            0 // never read: the key is the digest
        }
        fn write(&mut self, bytes: &[u8]) {
            self.0.update(bytes);
        }
    }
    let mut hasher = ShaHasher(Sha256::new());
    hasher.0.update(b"rootspan-module-cache-v1\0");
    hasher.0.update(Sha256::digest(wasm));
    engine.precompile_compatibility_hash().hash(&mut hasher);
    hasher.0.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}
