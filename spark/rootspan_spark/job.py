"""The Spark job: each input file decoded in a task of its own into a partial state by the wasm
(`mapInArrow`, so a file's bytes reach the wasm as an Arrow binary cell), the states kept on the
executors and streamed to the driver one partition at a time, each added to one wasm instance's
finish as it comes (docs/spark.md).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Iterator, List, Optional, Sequence

from .envelope import Command
from .wasm import Limits, WasmRunner, default_wasm

# One compiled module per Python worker process (Spark reuses its workers across tasks).
_RUNNER: Optional[WasmRunner] = None
_CACHE = Path(tempfile.gettempdir()) / "rootspan-spark"


def _runner(wasm: bytes, limits: Limits) -> WasmRunner:
    global _RUNNER
    if _RUNNER is None or _RUNNER.limits != limits:
        _RUNNER = WasmRunner(wasm, limits, cache_dir=_CACHE)
    return _RUNNER


def _partial_states(wasm: bytes, limits: Limits, names: Sequence[str], options: str):
    """The mapInArrow function: (ordinal, content) rows in, (ordinal, state) rows out. Each file's
    log text is read here with the analysis `options` (the finish must get the same)."""
    analysis = json.loads(options) if options.strip() else {}

    def run(batches: Iterator["pyarrow.RecordBatch"]) -> Iterator["pyarrow.RecordBatch"]:
        import pyarrow as pa

        runner = _runner(wasm, limits)
        for batch in batches:
            ordinals = batch.column("ordinal")
            contents = batch.column("content")
            for row in range(batch.num_rows):
                ordinal = ordinals[row].as_py()
                request = json.dumps({"first_input": ordinal, "analysis": analysis})
                state = runner.call(Command.PARTIAL, request, [(names[ordinal], contents[row].as_py())])
                # One row per batch: a state can be hundreds of MB, and a batch's binary column tops out at 2 GiB.
                yield pa.RecordBatch.from_arrays([pa.array([ordinal], pa.int32()), pa.array([state], pa.binary())], names=["ordinal", "state"])

    return run


def spark_session(master: str, app_name: str = "rootspan", driver_memory: str = "4g"):
    """A session for `master`. `driver_memory` is the driver JVM's heap when this process starts
    it (local mode; under spark-submit the submission's own setting wins): every input's partial
    state passes through it, one partition at a time."""
    from pyspark.sql import SparkSession

    # The Python workers import this package's dependencies (wasmtime, pyarrow): they run the
    # interpreter the driver runs (the venv's) unless the cluster names its own.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

    builder = SparkSession.builder.master(master)
    if master.startswith("local"):
        # Everything runs in this process: the driver listens on loopback only, not on the address
        # the host name resolves to (Spark's default, an outward interface). SPARK_LOCAL_IP is read
        # as the JVM starts, the two settings by the driver.
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = builder.config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
    return (
        builder.appName(app_name)
        # Files are read whole and states can be large: the driver fetches them (toLocalIterator).
        .config("spark.driver.maxResultSize", "0")
        .config("spark.driver.memory", driver_memory)
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )


def analyze(
    spark,
    files: Sequence[str],
    options: str = "",
    wasm: Optional[Path] = None,
    limits: Limits = Limits(),
) -> str:
    """The report JSON for `files` (local paths or any Hadoop filesystem URL), as
    `rootspan analyze --format json FILES` gives it: each input is named by its path as given."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    if not files:
        raise ValueError("no input files")
    wasm_bytes = Path(wasm or default_wasm()).read_bytes()
    names: List[str] = list(files)
    # One read per file, so each file is a partition of its own (a task per file) and carries its
    # ordinal, whatever the filesystem lists first.
    frames = [
        spark.read.format("binaryFile").load(_url(f)).select(F.lit(i).cast("int").alias("ordinal"), "content")
        for i, f in enumerate(files)
    ]
    df = frames[0]
    for other in frames[1:]:
        df = df.unionAll(other)
    states = df.mapInArrow(_partial_states(wasm_bytes, limits, names, options), "ordinal int, state binary")
    # Every task runs at once (count) and leaves its state on its executor's disk; the driver then
    # fetches them a partition at a time (toLocalIterator alone would run the tasks one by one),
    # in partition order, which is the files' order, and adds each to the finish as it comes: the
    # driver never holds more than one state, nor does its wasm hold their bytes together.
    states = states.persist(StorageLevel.DISK_ONLY)
    try:
        states.count()
        finish = _runner(wasm_bytes, limits).instance()
        finish.call(Command.BEGIN_FINISH, options, [])
        found = []
        for row in states.toLocalIterator():
            found.append(row.ordinal)
            finish.call(Command.ADD_STATE, "", [(f"state-{row.ordinal}", bytes(row.state))])
    finally:
        states.unpersist()
    if found != list(range(len(files))):
        missing = sorted(set(range(len(files))) - set(found))
        raise RuntimeError(f"no partial state for {', '.join(names[m] for m in missing)} (not read?)" if missing else f"ordinals {found}")
    report = finish.call(Command.END_FINISH, "", [])
    assert isinstance(report, str)
    return report


def _url(path: str) -> str:
    """A local path as an absolute file URL (Spark resolves relative paths against its own
    working directory); a URL (hdfs://, s3a://, file:...) as given."""
    if "://" in path or path.startswith("file:"):
        return path
    return Path(os.path.abspath(path)).as_uri()
