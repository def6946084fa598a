"""rootspan on Apache Spark: the raw-ABI wasm the rootspan CLI runs, per partition, through wasmtime.

`python -m rootspan_spark analyze --master local[2] FILES...` (see README.md and docs/spark.md).
"""

from .envelope import Command, EnvelopeError, decode_response, encode_request
from .wasm import LimitExceeded, Limits, WasmError, WasmRunner

__all__ = [
    "Command",
    "EnvelopeError",
    "LimitExceeded",
    "Limits",
    "WasmError",
    "WasmRunner",
    "decode_response",
    "encode_request",
]
