// The report the rootspan package makes in Node for the same frames and options the panel gets.
import type { DataFrame } from '@grafana/data';
import type { Options, Report } from 'rootspan';
import { referenceReport } from '@rootspan/views/testing/reference';

import type { PanelDataJson } from './panel-data';

// In Node, @grafana/data's ESM entry fails to load (moment-timezone); its CommonJS build works.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { dataFrameFromJSON }: typeof import('@grafana/data') = require('@grafana/data');

/** The panel's frames as DataFrames: data.series then data.annotations, as the panel hands them on. */
export function panelFrames(data: PanelDataJson): DataFrame[] {
  return [...data.series, ...data.annotations].map((f) => dataFrameFromJSON(f));
}

export const panelReport = (data: PanelDataJson, options: Options = {}): Promise<Report> =>
  referenceReport((session) => session.addFrames(panelFrames(data), 'panel'), options);
