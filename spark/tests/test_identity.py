"""The Spark job in local[2] gives `rootspan analyze --format json`'s report byte for byte, on the
sample incident and three Nezha TrainTicket dev cases (the issue-15 identity test). Also: the
envelope and the wasm's limits as the job meets them.

Run by scripts/test-spark.sh (npm test), which builds the CLI and the wasm first."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
import unittest
from pathlib import Path

from rootspan_spark import Command, LimitExceeded, Limits, WasmRunner
from rootspan_spark.envelope import CommandFailed, EnvelopeError, decode_response, encode_request
from rootspan_spark.job import analyze, spark_session
from rootspan_spark.wasm import default_wasm

ROOT = Path(__file__).resolve().parents[2]
CLI = Path(os.environ.get("ROOTSPAN_CLI", ROOT / "target" / "release" / "rootspan"))
CASES = ["samples/incident"] + [f"testdata/rca/nezha-tt/dev/{c}" for c in ("tt-2023-01-29-0843", "tt-2023-01-29-0912", "tt-2023-01-29-0930")]
FILES = ["traces.otlp.json.gz", "logs.loki.json.gz", "metrics.prom.json.gz"]


class SparkIdentity(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        started = time.monotonic()
        cls.spark = spark_session("local[2]", "rootspan-identity-test")
        print(f"\nSpark local[2] started in {time.monotonic() - started:.1f} s", flush=True)

    @classmethod
    def tearDownClass(cls):
        cls.spark.stop()

    def test_reports_equal_the_clis_byte_for_byte(self):
        for case in CASES:
            with self.subTest(case=case):
                # Relative paths, the same for both: each input is named by its path as given.
                files = [f"{case}/{f}" for f in FILES]
                cli = subprocess.run([str(CLI), "analyze", "--format", "json", *files], cwd=ROOT, capture_output=True, check=True)
                started = time.monotonic()
                cwd = os.getcwd()
                os.chdir(ROOT)
                try:
                    report = analyze(self.spark, files)
                finally:
                    os.chdir(cwd)
                print(f"{case}: Spark local[2] {time.monotonic() - started:.1f} s, report {len(report)} B", flush=True)
                self.assertGreater(len(report), 10_000)
                self.assertEqual((report + "\n").encode(), cli.stdout, f"{case}: the Spark report differs from the CLI's")

    def test_options_that_read_log_text_otherwise_give_the_clis_report(self):
        # Log text is read in the tasks (ids in bodies, the miner, samples), so the options reach
        # them: other body keys, one redacted sample per pattern.
        options = '{"top":3,"correlation":{"body_trace_keys":["trace"],"body_traceparent":false},"patterns":{"samples":1,"redact":true}}'
        case = CASES[1]
        files = [f"{case}/{f}" for f in FILES]
        with tempfile.NamedTemporaryFile("w", suffix=".json") as f:
            f.write(options)
            f.flush()
            cli = subprocess.run([str(CLI), "analyze", "--format", "json", "--options", f.name, *files], cwd=ROOT, capture_output=True, check=True)
        cwd = os.getcwd()
        os.chdir(ROOT)
        try:
            report = analyze(self.spark, files, options)
            default = analyze(self.spark, files)
        finally:
            os.chdir(cwd)
        self.assertEqual((report + "\n").encode(), cli.stdout, f"{case}: the Spark report with options differs from the CLI's")
        self.assertNotEqual(report, default, "the options change nothing in this case: the test would not see them ignored")

    def test_a_missing_file_is_an_error_naming_it(self):
        with self.assertRaises(Exception) as caught:
            analyze(self.spark, [str(ROOT / "samples/incident/no-such-file.json")])
        self.assertIn("no-such-file.json", str(caught.exception))


# The module is compiled once for these tests (a compile is seconds of CPU).
_CACHE = tempfile.TemporaryDirectory()


def runner(limits: Limits = Limits()) -> WasmRunner:
    return WasmRunner(default_wasm(), limits, cache_dir=Path(_CACHE.name))


class WasmAndEnvelope(unittest.TestCase):
    def test_bad_options_are_the_wasms_error(self):
        with self.assertRaises(CommandFailed) as caught:
            runner().call(Command.PARTIAL, '{"first":1}', [("a.json", b"{}")])
        self.assertIn("unknown field `first`", str(caught.exception))

    def test_a_tiny_fuel_budget_is_a_limit_naming_the_stage(self):
        # Enough to decode the envelope and start decoding the input, far from enough to finish it.
        tiny = runner(Limits(fuel_base=20_000_000, fuel_per_byte=0))
        data = (ROOT / "samples/incident/logs.loki.json.gz").read_bytes()
        with self.assertRaises(LimitExceeded) as caught:
            tiny.call(Command.PARTIAL, "", [("logs.loki.json.gz", data)])
        self.assertIn("fuel", str(caught.exception))
        self.assertIn("decoding input 1 (logs.loki.json.gz)", str(caught.exception))

    def test_a_small_memory_cap_is_a_limit(self):
        small = runner(Limits(memory_bytes=24 << 20))
        data = (ROOT / "samples/incident/logs.loki.json.gz").read_bytes()
        with self.assertRaises(LimitExceeded) as caught:
            small.call(Command.PARTIAL, "", [("logs.loki.json.gz", data)])
        self.assertIn("memory limit of 24 MiB", str(caught.exception))

    def test_calls_work_with_the_memory_past_2_gib(self):
        # A streamed finish of 30M lines grows the driver's instance past 2 GiB; its responses then
        # sit at addresses with the top bit set, which the `wasmtime` package hands back negative.
        # Two untouched 1 GiB blocks push the next allocations there (pages never written cost no
        # resident memory).
        instance = runner().instance()
        for _ in range(2):
            self.assertNotEqual(instance.exports["alloc"](instance.store, 1 << 30), 0)
        self.assertGreater(instance.memory.data_len(instance.store), 2 << 30)
        alone = runner().call(Command.ANALYZE, "", [("x.txt", b"2024-01-01T00:00:00Z hello")])
        self.assertEqual(instance.call(Command.ANALYZE, "", [("x.txt", b"2024-01-01T00:00:00Z hello")]), alone)

    def test_malformed_responses_are_refused(self):
        with self.assertRaises(EnvelopeError):
            decode_response(b"RSPQ" + bytes(8))
        good = b"RSPR" + bytes([1, 0, 0, 0]) + (2).to_bytes(4, "little") + b"{}"
        self.assertEqual(decode_response(good), "{}")
        with self.assertRaises(EnvelopeError):
            decode_response(good + b"x")
        self.assertTrue(encode_request(Command.FINISH, "", []).startswith(b"RSPQ\x01\x00\x05\x00"))

    def test_the_compiled_module_is_cached_and_reused(self):
        with tempfile.TemporaryDirectory() as cache:
            first = WasmRunner(default_wasm(), cache_dir=Path(cache))
            cached = list(Path(cache).glob("*.cwasm"))
            self.assertEqual(len(cached), 1)
            second = WasmRunner(default_wasm(), cache_dir=Path(cache))
            for each in (first, second):
                self.assertIsInstance(each.call(Command.PARTIAL, "", [("x.txt", b"2024-01-01T00:00:00Z hello")]), bytes)


if __name__ == "__main__":
    unittest.main()
