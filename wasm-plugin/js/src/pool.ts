// Packing buffers the worker gives back once a frame has crossed (it copies them into wasm memory), kept for the
// next frames to pack into: a panel's refresh packs into the buffers of the last analysis instead of allocating
// hundreds of MB again, which in V8 starts a full collection of the page's heap and makes the page's thread mark
// it in long pauses. The largest buffer of each kind is kept, and all are let go after a minute without use,
// so a page holds them only while it keeps analysing. A frame much smaller than a kept buffer gets a new one: a
// buffer is moved whole, and moving hundreds of MB for a metric series of a few KB makes V8 account that much
// memory leaving and arriving each time (in the worker, a full collection per frame: 1,000 series, 1,000 GCs).

export type Kind = 'f64' | 'u8' | 'u32';

const IDLE_MS = 60_000;
/** A kept buffer serves a frame that needs at least this share of it. */
const LEAST_SHARE = 1 / 4;
const kept: Partial<Record<Kind, ArrayBuffer>> = {};
let timer: ReturnType<typeof setTimeout> | undefined;

function forgetWhenIdle(): void {
  if (timer !== undefined) clearTimeout(timer);
  timer = setTimeout(() => {
    delete kept.f64;
    delete kept.u8;
    delete kept.u32;
    timer = undefined;
  }, IDLE_MS);
  // Node: a pool must not keep the process alive.
  (timer as { unref?: () => void }).unref?.();
}

/** Keeps `buffer` for later frames, if it is larger than the one of its kind already kept. */
export function giveBack(kind: Kind, buffer: ArrayBuffer): void {
  if (buffer.byteLength > (kept[kind]?.byteLength ?? 0)) kept[kind] = buffer;
  forgetWhenIdle();
}

/** A kept buffer of at least `bytes` and not much more (the caller's from now on), or undefined. */
export function take(kind: Kind, bytes: number): ArrayBuffer | undefined {
  const buffer = kept[kind];
  if (buffer === undefined || buffer.byteLength < bytes || bytes < buffer.byteLength * LEAST_SHARE) return undefined;
  delete kept[kind];
  return buffer;
}
