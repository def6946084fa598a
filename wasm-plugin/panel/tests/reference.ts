// The report the rootspan package makes in Node for the same frames and options the panel gets: what the
// page shows is checked against it, so the tests follow the core as it grows instead of hard-coding results.
import type { DataFrame } from '@grafana/data';

import type { PanelDataJson } from './panel-data';

// In Node, @grafana/data's ESM entry fails to load (moment-timezone); its CommonJS build works.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { dataFrameFromJSON }: typeof import('@grafana/data') = require('@grafana/data');

export type Report = Record<string, unknown> & {
  candidates: Array<Record<string, unknown>>;
  patterns: Record<string, unknown>;
};

let ready: Promise<typeof import('rootspan')> | undefined;
function rootspan() {
  ready ??= import('rootspan').then(async (m) => {
    await m.init();
    return m;
  });
  return ready;
}

/** The panel's frames as DataFrames: data.series then data.annotations, as the panel hands them on. */
export function panelFrames(data: PanelDataJson): DataFrame[] {
  return [...data.series, ...data.annotations].map((f) => dataFrameFromJSON(f));
}

export async function referenceReport(data: PanelDataJson, options: Record<string, unknown> = {}): Promise<Report> {
  const { Session, FrameError } = await rootspan();
  const session = new Session();
  try {
    try {
      session.addFrames(panelFrames(data), 'panel');
    } catch (e) {
      if (!(e instanceof FrameError)) {
        throw e;
      }
    }
    return session.analyze(options as never) as unknown as Report;
  } finally {
    session.free();
  }
}
