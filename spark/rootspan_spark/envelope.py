"""The raw ABI's request and response envelopes, as core/src/request.rs defines them.

request  = "RSPQ" version:u16 command:u8 0:u8  options:blob  count:u32  (name:blob bytes:blob)*count
response = "RSPR" version:u16 status:u8  0:u8  body:blob
blob     = len:u32 byte*len                    (all integers little-endian)

A response's status is 0 (body: the command's JSON), 1 (body: {"message": ...}) or 2 (body: a
partial state's bytes).
"""

from __future__ import annotations

import enum
import json
import struct
from typing import Iterable, Tuple, Union

REQUEST_MAGIC = b"RSPQ"
RESPONSE_MAGIC = b"RSPR"
ENVELOPE_VERSION = 1


class Command(enum.IntEnum):
    ANALYZE = 1
    PATTERNS = 2
    MINE = 3
    PARTIAL = 4
    FINISH = 5
    # A finish streamed into one instance, one state per call (WasmRunner.instance).
    BEGIN_FINISH = 6
    ADD_STATE = 7
    END_FINISH = 8
    ADD_INPUT = 9


class EnvelopeError(ValueError):
    """A malformed response, or a request that cannot be encoded."""


class CommandFailed(RuntimeError):
    """The wasm answered with an error (status 1): bad options, an unreadable state."""


def _checked_len(data, what: str) -> int:
    if len(data) > 0xFFFFFFFF:
        raise EnvelopeError(f"{what} is {len(data)} bytes, over the 4 GiB an envelope can carry")
    return len(data)


def _blob(data: bytes, what: str) -> bytes:
    return struct.pack("<I", _checked_len(data, what)) + data


def encode_request(command: Command, options: str, inputs: Iterable[Tuple[str, bytes]]) -> bytearray:
    """The request envelope for `command` with the options JSON and (name, bytes) inputs."""
    inputs = list(inputs)
    parts = [REQUEST_MAGIC, struct.pack("<HBB", ENVELOPE_VERSION, int(command), 0), _blob(options.encode(), "options")]
    parts.append(struct.pack("<I", len(inputs)))
    for name, data in inputs:
        parts.append(_blob(name.encode(), "input name"))
        parts.append(struct.pack("<I", _checked_len(data, name)))
        parts.append(data)
    # A bytearray: wasmtime's Memory.write copies anything else into one first.
    return bytearray().join(parts)


def decode_response(data: bytes) -> Union[str, bytes]:
    """The body of a response: JSON text (status 0) or a partial state's bytes (status 2).
    Raises CommandFailed for status 1 and EnvelopeError for anything malformed."""
    if len(data) < 12 or data[:4] != RESPONSE_MAGIC:
        raise EnvelopeError("not a rootspan response (bad magic)")
    version, status, pad = struct.unpack_from("<HBB", data, 4)
    if version != ENVELOPE_VERSION or pad != 0:
        raise EnvelopeError(f"response envelope version {version}, this package reads {ENVELOPE_VERSION}")
    (length,) = struct.unpack_from("<I", data, 8)
    if 12 + length != len(data):
        raise EnvelopeError(f"body of {length} bytes in a response of {len(data)}")
    body = bytes(memoryview(data)[12:])
    if status == 0:
        return body.decode("utf-8")
    if status == 1:
        raise CommandFailed(json.loads(body)["message"])
    if status == 2:
        return body
    raise EnvelopeError(f"unknown status {status}")
