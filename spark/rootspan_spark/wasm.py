"""The raw-ABI wasm in wasmtime (the `wasmtime` package), with the CLI's fuel and memory limits.

The same module the `rootspan` CLI embeds (wasm-plugin/dist/rootspan_raw.wasm). As in
engine/src/lib.rs, each call gets a fresh store and instance, so nothing leaks from one call into
the next, a fuel budget of `fuel_base + fuel_per_byte * request length`, and a memory cap; a call
that runs out of either is a LimitExceeded naming the stage the wasm was in. A streamed finish
(begin_finish, add_state per state, end_finish) runs its calls in one instance (`instance()`),
each call with a fuel budget of its own, all under the one memory cap.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.metadata
import os
import struct
from pathlib import Path
from typing import Iterable, Optional, Tuple, Union

import wasmtime

from .envelope import Command, decode_response, encode_request

# What the wasm's `progress` words mean (core/src/lib.rs, Stage::code).
_STAGES = {1: "decoding input {input}", 2: "correlating", 3: "choosing the window", 4: "mining log patterns", 5: "ranking", 6: "writing the result"}


@dataclasses.dataclass(frozen=True)
class Limits:
    """engine/src/lib.rs `Limits::default()`: the CLI's defaults."""

    fuel_base: int = 20_000_000_000
    fuel_per_byte: int = 100_000
    memory_bytes: int = 3 << 30

    def fuel_for(self, request_len: int) -> int:
        return self.fuel_base + self.fuel_per_byte * request_len


def _unsigned(value: int, bits: int) -> int:
    """A wasm i32/i64 result as the unsigned number the ABI means: the `wasmtime` package returns
    them signed, and once the memory passes 2 GiB an address has its top bit set (read signed, a
    response address is negative and `memory.read` slices from the end of memory)."""
    return value & ((1 << bits) - 1)


class WasmError(RuntimeError):
    """The module is missing, invalid, or broke the ABI."""


class LimitExceeded(RuntimeError):
    """A call used all its fuel or memory."""


def default_wasm() -> Path:
    """ROOTSPAN_WASM, else the checkout's raw-ABI build (scripts/build-wasm.sh)."""
    env = os.environ.get("ROOTSPAN_WASM")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "wasm-plugin" / "dist" / "rootspan_raw.wasm"


class WasmRunner:
    """Compiles the module once per process; runs each request in a store of its own."""

    def __init__(self, wasm: Union[bytes, Path, str], limits: Limits = Limits(), cache_dir: Optional[Path] = None):
        wasm_bytes = wasm if isinstance(wasm, bytes) else Path(wasm).read_bytes()
        config = wasmtime.Config()
        config.consume_fuel = True
        self.engine = wasmtime.Engine(config)
        self.limits = limits
        self.module = self._compile(wasm_bytes, cache_dir)
        for name in ("memory", "alloc", "free", "analyze", "progress"):
            if not any(e.name == name for e in self.module.exports):
                raise WasmError(f"the module exports no `{name}`: not rootspan's raw-ABI wasm")

    def _compile(self, wasm: bytes, cache_dir: Optional[Path]) -> wasmtime.Module:
        # Compiling takes seconds; every Spark task of an executor would pay it. The compiled
        # module is kept by the hash of the wasm (wasmtime refuses one from another version).
        if cache_dir is None:
            return wasmtime.Module(self.engine, wasm)
        key = hashlib.sha256(wasm + importlib.metadata.version("wasmtime").encode()).hexdigest()[:32]
        path = cache_dir / f"rootspan-{key}.cwasm"
        if path.exists():
            try:
                return wasmtime.Module.deserialize_file(self.engine, str(path))
            except wasmtime.WasmtimeError:
                pass
        module = wasmtime.Module(self.engine, wasm)
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(module.serialize())
        os.replace(tmp, path)
        return module

    def call(self, command: Command, options: str, inputs: Iterable[Tuple[str, bytes]]) -> Union[str, bytes]:
        """Runs one request in an instance of its own; the response body (JSON text, or a partial
        state's bytes)."""
        return self.instance().call(command, options, inputs)

    def instance(self) -> "Instance":
        """An instance whose calls share its memory (and the streamed finish it keeps)."""
        return Instance(self)

    def _classify(self, trap: wasmtime.Trap, store, progress_at: int, memory, budget: int, names) -> Exception:
        """The trap as a limit (fuel; memory) or an error, with the stage the wasm was in."""
        what, index = struct.unpack("<II", bytes(memory.read(store, progress_at, progress_at + 8)))
        stage = _STAGES.get(what)
        if stage:
            name = names[index] if index < len(names) else "?"
            where = " while " + stage.format(input=f"{index + 1} ({name})")
        else:
            # No stage yet: the wasm was still unpacking the envelope (copying the inputs).
            where = " while unpacking the request"
        if trap.trap_code == wasmtime.TrapCode.OUT_OF_FUEL:
            return LimitExceeded(f"limit exceeded: the call used all its fuel ({budget} units){where}")
        if trap.trap_code == wasmtime.TrapCode.UNREACHABLE:
            # An allocation the memory cap refused makes Rust abort, which traps as `unreachable`;
            # the core does not panic on input (it is fuzzed for that), so this is the cap. The
            # Python binding has no limiter callback to tell it for certain, as engine/ does.
            used = memory.data_len(store) >> 20
            return LimitExceeded(
                f"limit exceeded: the call needed more than its memory limit of {self.limits.memory_bytes >> 20} MiB "
                f"(at {used} MiB when it stopped){where}"
            )
        return WasmError(f"the wasm trapped{where}: {trap.message}")


class Instance:
    """One store and instance of the module: its calls run one after the other in the same
    memory, each with a fuel budget of its own, all under the runner's memory cap."""

    def __init__(self, runner: WasmRunner):
        self.runner = runner
        self.store = wasmtime.Store(runner.engine)
        self.store.set_limits(memory_size=runner.limits.memory_bytes)
        self.store.set_fuel(runner.limits.fuel_base)
        instance = wasmtime.Instance(self.store, runner.module, [])
        self.exports = instance.exports(self.store)
        self.memory = self.exports["memory"]
        # Bytes of the states added since the last BEGIN_FINISH: the END_FINISH call ranks what one
        # FINISH request would carry whole, so its fuel budget counts them as that request's would.
        self.streamed = 0
        # Where the wasm keeps its stage, asked now: after a trap the store may have no fuel left to call it.
        self.progress_at = _unsigned(self.exports["progress"](self.store), 32)

    def call(self, command: Command, options: str, inputs: Iterable[Tuple[str, bytes]]) -> Union[str, bytes]:
        """Runs one request; the response body (JSON text, or a partial state's bytes)."""
        inputs = list(inputs)
        names = [name for name, _ in inputs]
        request = encode_request(command, options, inputs)
        del inputs
        limits, store, memory = self.runner.limits, self.store, self.memory
        if command == Command.BEGIN_FINISH:
            self.streamed = 0
        elif command == Command.ADD_STATE:
            self.streamed += len(request)
        budget = limits.fuel_for(len(request) + (self.streamed if command == Command.END_FINISH else 0))
        store.set_fuel(budget)
        length = len(request)
        ptr = _unsigned(self.exports["alloc"](store, length), 32)
        if ptr == 0:
            raise LimitExceeded(f"the request ({length} bytes) does not fit in the memory limit of {limits.memory_bytes >> 20} MiB")
        memory.write(store, request, ptr)
        del request
        try:
            packed = _unsigned(self.exports["analyze"](store, ptr, length), 64)
        except wasmtime.Trap as trap:
            raise self.runner._classify(trap, store, self.progress_at, memory, budget, names) from None
        at, size = packed >> 32, packed & 0xFFFFFFFF
        if at + size > memory.data_len(store):
            raise WasmError(f"response [{at}, +{size}) is outside the wasm memory")
        response = memory.read(store, at, at + size)
        # The instance lives on: its response is freed, as the ABI asks.
        self.exports["free"](store, at, size)
        return decode_response(response)
