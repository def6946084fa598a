// rootspan: root-cause analysis of an incident from its traces, logs and metrics, joined on trace id, in
// WebAssembly, off the caller's thread. `const s = await Session.create()`, add inputs, `await s.analyze()`.
export { init } from './wasm.js';
export type { WasmSource } from './wasm.js';
export { Session } from './session.js';
export type { CallOptions, MemoryUse, Progress } from './session.js';
export { FrameError } from './frame.js';
export type { DataFrameLike, FieldLike, FieldValues, FrameProblem, VectorLike } from './frame.js';
export { packFrame } from './pack.js';
export type { PackedFrame, PackResult } from './pack.js';
export type * from './generated/types.js';
