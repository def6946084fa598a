// The DataFrame shapes rootspan accepts: what Grafana hands a panel (`PanelData.series` and
// `PanelData.annotations`), structurally typed so @grafana/data is not a dependency.

/** Values held by an object that is not an array (Grafana's old `Vector`, `ArrayVector`). */
export interface VectorLike<T = unknown> {
  readonly length: number;
  get(index: number): T;
  toArray?(): T[];
}

/** A field's values: a plain array, a typed array, or a Vector. */
export type FieldValues = ArrayLike<unknown> | VectorLike;

/** One column of a frame, as Grafana's `Field`. */
export interface FieldLike {
  /** The field name (`traceID`, `Time`, `Line`, ...). */
  readonly name: string;
  /**
   * Grafana's field type: `time` (epoch ms numbers, ISO strings, digit strings of ns, or Date), `number`,
   * `string`, `boolean`, `enum` (indexes into `config.type.enum.text`) or `other` (any JSON value). Missing: guessed
   * from the first present value.
   */
  readonly type?: string;
  readonly values: FieldValues;
  /** Series labels (Prometheus fields carry them). */
  readonly labels?: Readonly<Record<string, string>> | null;
  /** Field config as Grafana gives it; only JSON-serialisable parts are sent. */
  readonly config?: object | null;
  /** Sub-millisecond part of time values, 0..999999 ns (Grafana's `nanos`). */
  readonly nanos?: ArrayLike<number> | null;
}

/** A frame, as Grafana's `DataFrame`. */
export interface DataFrameLike {
  readonly name?: string | null;
  readonly refId?: string | null;
  /** Frame meta (`type`, `custom`, `preferredVisualisationType`, ...); only JSON-serialisable parts are sent. */
  readonly meta?: object | null;
  readonly fields: readonly FieldLike[];
  /** Row count; when missing, the length of the first field. */
  readonly length?: number;
}

/** Something wrong with a frame given to `Session.addFrames` or `packFrame`. */
export interface FrameProblem {
  /** Index of the frame in the array passed to `addFrames`. */
  readonly frame: number;
  /** The frame's name, else its refId, else null. */
  readonly frameName: string | null;
  /** The field's name, when the problem is in one field. */
  readonly field?: string;
  /** The row, when the problem is in one value. */
  readonly row?: number;
  readonly message: string;
  /**
   * `frame`: the whole frame was left out (its shape is wrong); `value`: one value was sent as null,
   * the rest of the frame was added.
   */
  readonly scope: 'frame' | 'value';
}

/** Describes where a problem is, for error messages: `frame 2 ("A"), field "Time", row 7`. */
export function describePlace(p: Pick<FrameProblem, 'frame' | 'frameName' | 'field' | 'row'>): string {
  let place = `frame ${p.frame}${p.frameName === null ? '' : ` (${JSON.stringify(p.frameName)})`}`;
  if (p.field !== undefined) place += `, field ${JSON.stringify(p.field)}`;
  if (p.row !== undefined) place += `, row ${p.row}`;
  return place;
}

/** Thrown by `Session.addFrames` when some frames or values could not be used. The rest was added. */
export class FrameError extends Error {
  /** Every problem found, in frame and field order. */
  readonly problems: readonly FrameProblem[];
  /** How many frames were added despite the problems. */
  readonly added: number;

  constructor(problems: readonly FrameProblem[], added: number) {
    const shown = problems.slice(0, 5).map((p) => `${describePlace(p)}: ${p.message}`);
    if (problems.length > shown.length) shown.push(`... and ${problems.length - shown.length} more`);
    super(`rootspan: ${problems.length} problem(s) in the frames (${added} frame(s) added): ${shown.join('; ')}`);
    this.name = 'FrameError';
    this.problems = problems;
    this.added = added;
  }
}
