//! rootspan-engine: the raw-ABI rootspan wasm (`wasm-plugin`'s `raw-abi` build) in wasmtime,
//! with fuel and memory limits and typed errors.
//!
//! One `Engine` compiles the module once, from a file (`Engine::load`) or from bytes
//! (`Engine::from_bytes`: the `rootspan` CLI embeds the wasm); each `Engine::call` gets a fresh
//! store and instance (nothing leaks from one analysis into the next) with its own fuel budget and
//! memory cap, so a hostile input ends in `HostError::LimitExceeded`, never in a hang or an
//! exhausted host. `Engine::instance` keeps one instance for several calls, each with a fuel
//! budget of its own under the one memory cap: the CLI streams its inputs into one so
//! (`begin_finish`, `add_input` per input, `end_finish`), holding one input's bytes at a time. Compiling takes seconds; `ModuleCache` keeps compiled modules on disk so that a CLI run
//! pays it once per wasm and wasmtime version (`Engine::from_bytes_with`, `Engine::load_with`).
//!
//! ```no_run
//! use rootspan_core::request::NamedBytes;
//! use rootspan_engine::Engine;
//! let engine = Engine::load(std::path::Path::new("wasm-plugin/dist/rootspan_raw.wasm"))?;
//! let inputs = vec![NamedBytes { name: "logs.json".into(), bytes: std::fs::read("logs.json")? }];
//! let report_json = engine.analyze(inputs, "")?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod cache;

use std::fmt;
use std::path::{Path, PathBuf};

pub use cache::ModuleCache;
use rootspan_core::request::{Command, NamedBytes, Request, Response};
use wasmtime::{Config, Memory, Module, ResourceLimiter, Store, StoreLimits, StoreLimitsBuilder, Trap, TypedFunc};

/// How much one call may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Fuel (about one unit per wasm instruction) every call gets, whatever its size.
    pub fuel_base: u64,
    /// Extra fuel per byte of request (inputs as given, so gzip counts compressed).
    pub fuel_per_byte: u64,
    /// The most linear memory the wasm may grow to, in bytes.
    pub memory_bytes: usize,
}

impl Default for Limits {
    /// Generous for real incidents: the bundled Nezha case (0.9 MB gzipped) uses a small
    /// fraction of this budget (see the `fuel_budget_covers_a_real_case` test).
    fn default() -> Self {
        Limits { fuel_base: 20_000_000_000, fuel_per_byte: 100_000, memory_bytes: 3 << 30 }
    }
}

impl Limits {
    pub fn fuel_for(&self, request_len: usize) -> u64 {
        self.fuel_base.saturating_add(self.fuel_per_byte.saturating_mul(request_len as u64))
    }
}

/// What one call used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallStats {
    /// Fuel the call used (0 for an unmetered engine).
    pub fuel_used: u64,
    /// The wasm's linear memory at the end of the call (it never shrinks, so this is the peak).
    pub memory_bytes: usize,
}

/// Which limit a call hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    Fuel { budget: u64 },
    Memory { bytes: usize },
}

#[derive(Debug)]
pub enum HostError {
    /// There is no wasm at the path (it has not been built).
    WasmMissing { path: PathBuf },
    /// The file is not a loadable rootspan raw-ABI module.
    WasmInvalid { origin: String, message: String },
    /// The call ran out of fuel or memory; `at` says where (the stage, and the input being
    /// decoded), when the wasm recorded it.
    LimitExceeded { limit: Limit, at: Option<String> },
    /// The wasm trapped for another reason: a bug in rootspan, with wasmtime's trace and where.
    Trap { message: String, at: Option<String> },
    /// The wasm broke the ABI (a bad response envelope, an out-of-bounds pointer).
    Abi(String),
    /// The command ran and failed (bad options, unavailable command): the wasm's message.
    Failed(String),
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HostError::WasmMissing { path } => {
                write!(f, "no rootspan wasm at {}: run scripts/build-wasm.sh (or pass --wasm / set ROOTSPAN_WASM)", path.display())
            }
            HostError::WasmInvalid { origin, message } => write!(f, "{origin} is not a rootspan raw-ABI wasm: {message}"),
            HostError::LimitExceeded { limit, at } => {
                match limit {
                    Limit::Fuel { budget } => write!(f, "limit exceeded: the analysis used all its fuel ({budget} units, --fuel)")?,
                    Limit::Memory { bytes } => {
                        write!(f, "limit exceeded: the analysis needed more than its memory limit of {} MiB (--memory-mib)", bytes >> 20)?
                    }
                }
                match at {
                    Some(at) => write!(f, " while {at}"),
                    None => Ok(()),
                }
            }
            HostError::Trap { message, at } => {
                write!(f, "the wasm trapped (a bug in rootspan)")?;
                if let Some(at) = at {
                    write!(f, " while {at}")?;
                }
                write!(f, ": {message}")
            }
            HostError::Abi(message) => write!(f, "the wasm broke the raw ABI: {message}"),
            HostError::Failed(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for HostError {}

/// The compiled module, ready to run requests.
pub struct Engine {
    engine: wasmtime::Engine,
    module: Module,
    limits: Limits,
    /// Whether calls are fuel-metered (see `load_unmetered`).
    metered: bool,
}

/// A store's limiter: wasmtime's `StoreLimits`, plus a note of the growth it refused, so an
/// allocation failure (which the wasm turns into a trap) is reported as the memory limit.
struct Limiter {
    limits: StoreLimits,
    refused: bool,
}

impl ResourceLimiter for Limiter {
    fn memory_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> wasmtime::Result<bool> {
        let allowed = self.limits.memory_growing(current, desired, maximum)?;
        self.refused |= !allowed;
        Ok(allowed)
    }

    fn table_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> wasmtime::Result<bool> {
        self.limits.table_growing(current, desired, maximum)
    }

    fn instances(&self) -> usize {
        self.limits.instances()
    }

    fn tables(&self) -> usize {
        self.limits.tables()
    }

    fn memories(&self) -> usize {
        self.limits.memories()
    }
}

impl Engine {
    /// Loads and compiles the raw-ABI wasm at `path` (about a second in a release build).
    pub fn load(path: &Path) -> Result<Engine, HostError> {
        Engine::load_with(path, None)
    }

    /// As `load`, keeping the compiled module in `cache` (see `ModuleCache`): a later load of the
    /// same wasm by the same wasmtime skips the compile.
    pub fn load_with(path: &Path, cache: Option<&ModuleCache>) -> Result<Engine, HostError> {
        Engine::compile(&read_wasm(path)?, &path.display().to_string(), true, cache)
    }

    /// As `load`, without fuel metering: the memory limit holds, but nothing stops a call that
    /// never ends. For measuring the module's own speed (the benchmark), since wasmtime's fuel
    /// checks take a large share of it; never for inputs one does not trust.
    pub fn load_unmetered(path: &Path) -> Result<Engine, HostError> {
        Engine::compile(&read_wasm(path)?, &path.display().to_string(), false, None)
    }

    /// Compiles a raw-ABI wasm; `origin` names it in errors.
    pub fn from_bytes(wasm: &[u8], origin: &str) -> Result<Engine, HostError> {
        Engine::from_bytes_with(wasm, origin, None)
    }

    /// As `from_bytes`, keeping the compiled module in `cache`.
    pub fn from_bytes_with(wasm: &[u8], origin: &str, cache: Option<&ModuleCache>) -> Result<Engine, HostError> {
        Engine::compile(wasm, origin, true, cache)
    }

    fn compile(wasm: &[u8], origin: &str, metered: bool, cache: Option<&ModuleCache>) -> Result<Engine, HostError> {
        let invalid = |message: String| HostError::WasmInvalid { origin: origin.to_string(), message };
        let mut config = Config::new();
        config.consume_fuel(metered);
        let engine = wasmtime::Engine::new(&config).map_err(|e| invalid(format!("{e:#}")))?;
        let module = match cache {
            Some(cache) => cache.get_or_compile(&engine, wasm, || Module::new(&engine, wasm)).map(|(module, _)| module),
            None => Module::new(&engine, wasm),
        }
        .map_err(|e| invalid(format!("{e:#}")))?;
        if let Some(import) = module.imports().next() {
            return Err(invalid(format!(
                "it imports {}::{} (a wasm-bindgen build?); the raw ABI imports nothing",
                import.module(),
                import.name()
            )));
        }
        for name in ["memory", "alloc", "free", "analyze"] {
            if module.get_export(name).is_none() {
                return Err(invalid(format!("it does not export `{name}`")));
            }
        }
        Ok(Engine { engine, module, limits: Limits::default(), metered })
    }

    pub fn with_limits(mut self, limits: Limits) -> Engine {
        self.limits = limits;
        self
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// The module's imports as `module::name` (empty for a raw-ABI build).
    pub fn imports(&self) -> Vec<String> {
        self.module.imports().map(|i| format!("{}::{}", i.module(), i.name())).collect()
    }

    /// The report JSON for `inputs` (any format the core reads) under `options` (JSON, empty
    /// for the defaults): the same bytes `rootspan_core::analyze(..).to_json()` gives natively.
    pub fn analyze(&self, inputs: Vec<NamedBytes>, options: &str) -> Result<String, HostError> {
        self.call(&Request { command: Command::Analyze, options: options.to_string(), inputs })
    }

    /// The result JSON of the `patterns` command.
    pub fn patterns(&self, inputs: Vec<NamedBytes>, options: &str) -> Result<String, HostError> {
        self.call(&Request { command: Command::Patterns, options: options.to_string(), inputs })
    }

    /// The result JSON of the `mine` command (`patterns::MineRun`): every line of `inputs`
    /// (plain text) mined, nothing decoded or aggregated.
    pub fn mine(&self, inputs: Vec<NamedBytes>) -> Result<String, HostError> {
        self.call(&Request { command: Command::Mine, options: String::new(), inputs })
    }

    /// Runs any request in a fresh instance; returns the command's JSON result.
    pub fn call(&self, request: &Request) -> Result<String, HostError> {
        self.instance()?.call(request)
    }

    /// Runs an already encoded request envelope (possibly malformed: the wasm answers that
    /// with an error response) in a fresh instance; returns the JSON result and what the call used.
    pub fn call_encoded(&self, request: Vec<u8>) -> Result<(String, CallStats), HostError> {
        self.instance()?.call_encoded(request)
    }

    /// A new instance of the module, for calls that share its memory: a streamed finish
    /// (`begin_finish`, `add_input` or `add_state` per input, `end_finish`) keeps its state in
    /// the instance between calls. Each call gets a fuel budget of its own; the memory limit holds
    /// for the instance's whole life (its memory never shrinks, but what a call frees the next reuses).
    pub fn instance(&self) -> Result<Instance, HostError> {
        let limiter = Limiter { limits: StoreLimitsBuilder::new().memory_size(self.limits.memory_bytes).build(), refused: false };
        let mut store = Store::new(&self.engine, limiter);
        store.limiter(|l| l);
        let (memory_limit, fuel_base) = (self.limits.memory_bytes, self.limits.fuel_base);
        if self.metered {
            store.set_fuel(fuel_base).map_err(|e| HostError::Abi(format!("{e:#}")))?;
        }
        let instance = wasmtime::Instance::new(&mut store, &self.module, &[])
            .map_err(|e| classify(e, store.data().refused, fuel_base, memory_limit, None))?;
        let abi = |e: wasmtime::Error| HostError::Abi(format!("{e:#}"));
        let memory = instance.get_memory(&mut store, "memory").ok_or_else(|| HostError::Abi("no `memory` export".into()))?;
        let alloc = instance.get_typed_func::<u32, u32>(&mut store, "alloc").map_err(abi)?;
        let free = instance.get_typed_func::<(u32, u32), ()>(&mut store, "free").map_err(abi)?;
        let analyze = instance.get_typed_func::<(u32, u32), u64>(&mut store, "analyze").map_err(abi)?;
        // Where the wasm keeps its stage (absent in modules built before it existed), asked now:
        // after a trap the store may have no fuel left to call it.
        let progress = match instance.get_typed_func::<(), u32>(&mut store, "progress") {
            Ok(f) => Some(f.call(&mut store, ()).map_err(abi)? as usize),
            Err(_) => None,
        };
        Ok(Instance {
            store,
            memory,
            alloc,
            free,
            analyze,
            progress,
            limits: self.limits,
            metered: self.metered,
            calls: 0,
            names: Vec::new(),
            streamed: 0,
        })
    }
}

/// One instance of the module (`Engine::instance`): its calls run one after the other in the
/// same memory, each with a fuel budget of its own, all under the engine's memory limit. A
/// streamed finish lives in it from `begin_finish` to `end_finish`; every other command is
/// independent of earlier calls.
pub struct Instance {
    store: Store<Limiter>,
    memory: Memory,
    alloc: TypedFunc<u32, u32>,
    free: TypedFunc<(u32, u32), ()>,
    analyze: TypedFunc<(u32, u32), u64>,
    progress: Option<usize>,
    limits: Limits,
    metered: bool,
    /// Calls made so far, to say which one an error stopped.
    calls: usize,
    /// The names of the inputs added since the last `begin_finish` (by `add_input`), by ordinal:
    /// the wasm names the input it decodes by its ordinal in the whole analysis.
    names: Vec<String>,
    /// Request bytes added since the last `begin_finish`: `end_finish` analyses what one
    /// `analyze` request of them would carry, so its fuel budget counts them as that request's would.
    streamed: usize,
}

impl Instance {
    /// Runs `request` in this instance; returns the command's JSON result. An error of a streamed
    /// command (`begin_finish`, `add_input`, `add_state`, `end_finish`) says which call it was and,
    /// for `add_input`, which input.
    pub fn call(&mut self, request: &Request) -> Result<String, HostError> {
        let bytes = request.encode().map_err(|e| HostError::Abi(e.to_string()))?;
        let first = self.names.len();
        let streamed = match request.command {
            Command::BeginFinish => {
                self.names.clear();
                self.streamed = 0;
                None
            }
            Command::AddInput => {
                self.names.extend(request.inputs.iter().map(|i| i.name.clone()));
                self.streamed = self.streamed.saturating_add(bytes.len());
                Some(format!("add_input of input {} ({})", first + 1, request.inputs.first().map_or("none", |i| i.name.as_str())))
            }
            Command::AddState => {
                self.streamed = self.streamed.saturating_add(bytes.len());
                Some("add_state".into())
            }
            Command::EndFinish => Some("end_finish".into()),
            _ => None,
        };
        let streamed_bytes = if request.command == Command::EndFinish { self.streamed } else { 0 };
        let call = self.calls + 1;
        let label = streamed.map(|what| format!("call {call} of the instance, {what}"));
        let names: Vec<String> = match request.command {
            Command::AddInput | Command::AddState | Command::EndFinish => self.names.clone(),
            _ => request.inputs.iter().map(|i| i.name.clone()).collect(),
        };
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let result = self.run(bytes, streamed_bytes, &names).map(|(json, _)| json);
        result.map_err(|e| match label {
            None => e,
            Some(label) => e.in_call(&label),
        })
    }

    /// The wasm's linear memory now: the most the instance has used, since it never shrinks.
    pub fn memory_bytes(&self) -> usize {
        self.memory.data_size(&self.store)
    }

    /// Runs an already encoded request envelope (possibly malformed: the wasm answers that
    /// with an error response); returns the JSON result and what the call used.
    pub fn call_encoded(&mut self, request: Vec<u8>) -> Result<(String, CallStats), HostError> {
        self.run(request, 0, &[])
    }

    /// `names` are the names of the inputs the wasm may say it decodes (by index), to say which
    /// one a limit stopped; `streamed` request bytes count towards the fuel budget beside `request`'s.
    fn run(&mut self, request: Vec<u8>, streamed: usize, names: &[&str]) -> Result<(String, CallStats), HostError> {
        self.calls += 1;
        let budget = self.limits.fuel_for(request.len().saturating_add(streamed));
        let store = &mut self.store;
        if self.metered {
            store.set_fuel(budget).map_err(|e| HostError::Abi(format!("{e:#}")))?;
        }
        let memory_limit = self.limits.memory_bytes;
        let request_mib = request.len() >> 20;
        let over_memory = || HostError::LimitExceeded {
            limit: Limit::Memory { bytes: memory_limit },
            at: Some(format!("receiving the request ({request_mib} MiB of inputs)")),
        };
        let memory = self.memory;
        let len = u32::try_from(request.len()).map_err(|_| over_memory())?;
        let ptr = self.alloc.call(&mut *store, len).map_err(|e| classify(e, store.data().refused, budget, memory_limit, None))?;
        if ptr == 0 {
            return Err(over_memory());
        }
        memory.write(&mut *store, ptr as usize, &request).map_err(|e| HostError::Abi(format!("writing the request: {e}")))?;
        drop(request);

        let progress = self.progress;
        let packed = self.analyze.call(&mut *store, (ptr, len)).map_err(|e| {
            // The trap left memory readable: the stage the wasm recorded says where it stopped.
            let at = progress.and_then(|at| {
                let mut code = [0u8; 8];
                memory.read(&*store, at, &mut code).ok()?;
                let word = |i: usize| u32::from_le_bytes([code[i], code[i + 1], code[i + 2], code[i + 3]]);
                // No stage yet: the wasm was still unpacking the envelope (copying the inputs).
                Some(
                    rootspan_core::Stage::from_code([word(0), word(4)])
                        .map_or_else(|| format!("unpacking the request ({request_mib} MiB of inputs)"), |stage| stage.describe(names)),
                )
            });
            classify(e, store.data().refused, budget, memory_limit, at)
        })?;
        let fuel_used = if self.metered { budget - store.get_fuel().unwrap_or(0) } else { 0 };
        let (at, len) = ((packed >> 32) as usize, (packed & 0xffff_ffff) as usize);
        let response = memory
            .data(&*store)
            .get(at..at.saturating_add(len))
            .ok_or_else(|| HostError::Abi(format!("response [{at}, +{len}) is outside the wasm memory")))?;
        let response = Response::decode(response).map_err(|e| HostError::Abi(e.to_string()));
        let stats = CallStats { fuel_used, memory_bytes: memory.data_size(&*store) };
        // The instance lives on: its response is freed, as the ABI asks (with fuel of its own, as
        // the call may have used nearly all of its budget).
        if self.metered {
            store.set_fuel(FREE_FUEL).map_err(|e| HostError::Abi(format!("{e:#}")))?;
        }
        self.free.call(&mut *store, (at as u32, len as u32)).map_err(|e| HostError::Abi(format!("freeing the response: {e:#}")))?;
        match response? {
            Response::Ok(json) => Ok((json, stats)),
            Response::Error(message) => Err(HostError::Failed(message)),
            Response::State(_) => Err(HostError::Abi("a partial state where JSON was expected".into())),
        }
    }
}

/// Fuel for freeing a response: a bounded piece of the allocator's work.
const FREE_FUEL: u64 = 10_000_000;

impl HostError {
    /// The error with the call it happened in: `label` is added to where a limit or trap stopped
    /// it, or to the wasm's message.
    fn in_call(self, label: &str) -> HostError {
        let at = |at: Option<String>| Some(at.map_or_else(|| label.to_string(), |at| format!("{at} ({label})")));
        match self {
            HostError::LimitExceeded { limit, at: where_ } => HostError::LimitExceeded { limit, at: at(where_) },
            HostError::Trap { message, at: where_ } => HostError::Trap { message, at: at(where_) },
            HostError::Failed(message) => HostError::Failed(format!("{message} ({label})")),
            other => other,
        }
    }
}

fn read_wasm(path: &Path) -> Result<Vec<u8>, HostError> {
    std::fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => HostError::WasmMissing { path: path.to_path_buf() },
        _ => HostError::WasmInvalid { origin: path.display().to_string(), message: e.to_string() },
    })
}

fn classify(e: wasmtime::Error, memory_refused: bool, budget: u64, memory_bytes: usize, at: Option<String>) -> HostError {
    match e.downcast_ref::<Trap>() {
        Some(Trap::OutOfFuel) => HostError::LimitExceeded { limit: Limit::Fuel { budget }, at },
        // An allocation the limit refused makes Rust abort, which traps as `unreachable`.
        _ if memory_refused => HostError::LimitExceeded { limit: Limit::Memory { bytes: memory_bytes }, at },
        _ => HostError::Trap { message: format!("{e:#}"), at },
    }
}
