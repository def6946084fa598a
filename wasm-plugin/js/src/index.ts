// rootspan: root-cause analysis of an incident from its traces, logs and metrics, joined on trace id, in
// WebAssembly. `await init()`, then `new Session()`, add inputs, `analyze()`.
export { init } from './wasm.js';
export type { WasmSource } from './wasm.js';
export { Session } from './session.js';
export { FrameError } from './frame.js';
export type { DataFrameLike, FieldLike, FieldValues, FrameProblem, VectorLike } from './frame.js';
export { packFrame } from './pack.js';
export type { PackedFrame, PackResult } from './pack.js';
export type * from './generated/types.js';
