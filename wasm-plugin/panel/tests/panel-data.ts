// The inputs the browser tests give the panel, as Grafana would: DataFrame JSON from the upstream
// fixtures, and a Nezha dev case converted by scripts/nezha-to-frames.mjs (cached in tests/.cache).
import fs from 'node:fs';
import path from 'node:path';
import type { DataFrameJSON } from '@grafana/data';

import type { PanelDataJson } from '../scripts/nezha-to-frames.mjs';
import { PANEL_DIR, TESTDATA } from './fixtures';

export type { PanelDataJson };

export const FIXTURES = path.join(TESTDATA, 'fixtures/grafana-frames');
export const NEZHA_DEV = path.join(TESTDATA, 'rca/nezha-tt/dev');
const CACHE = path.join(PANEL_DIR, 'tests/.cache');

/** Frames of a `*.golden.jsonc` / `*-frame.jsonc` file: the per-refId `{status, frames}` object Grafana's backends return. */
export function fixtureFrames(rel: string): DataFrameJSON[] {
  const text = fs.readFileSync(path.join(FIXTURES, rel), 'utf8');
  const json = JSON.parse(text.replace(/^\s*\/\/.*$/gm, ''));
  return json.frames ?? [json];
}

/**
 * A dashboard over a Tempo trace, Loki logs and Prometheus metrics and exemplars, from the upstream fixtures.
 * Exemplar frames go to annotations, as Grafana's runRequest routes dataTopic=annotations frames.
 */
export function fixturePanelData(): PanelDataJson {
  const withRef = (frames: DataFrameJSON[], refId: string): DataFrameJSON[] => frames.map((f) => ({ ...f, schema: { fields: [], ...f.schema, refId } }));
  const exemplars = withRef(fixtureFrames('prometheus/prom-exemplars-frame.jsonc'), 'C').map((f) => ({
    ...f,
    schema: { fields: [], ...f.schema, meta: { ...f.schema?.meta, dataTopic: 'annotations' as never } },
  }));
  return {
    series: [
      ...withRef(fixtureFrames('traces/jaeger-simple_trace.golden.jsonc'), 'A'),
      ...withRef(fixtureFrames('loki/streams_structured_metadata.golden.jsonc'), 'B'),
      ...withRef(fixtureFrames('prometheus/prom-matrix-frame.jsonc'), 'C'),
    ],
    annotations: exemplars,
    targets: [
      { refId: 'A', datasource: { type: 'jaeger', uid: 'fixture-jaeger' } },
      { refId: 'B', datasource: { type: 'loki', uid: 'fixture-loki' } },
      { refId: 'C', datasource: { type: 'prometheus', uid: 'fixture-prometheus' } },
    ],
  };
}

/** The converted Nezha case, written once to tests/.cache/<case>.json (served to the page from there). */
export async function nezhaPanelData(caseId: string): Promise<{ file: string; data: PanelDataJson }> {
  const file = path.join(CACHE, `${caseId}.json`);
  const caseDir = path.join(NEZHA_DEV, caseId);
  if (!fs.existsSync(caseDir)) {
    throw new Error(`${caseDir} is missing: the browser tests need the Nezha dev cases in testdata/`);
  }
  if (!fs.existsSync(file) || fs.statSync(file).mtimeMs < fs.statSync(path.join(PANEL_DIR, 'scripts/nezha-to-frames.mjs')).mtimeMs) {
    const { caseToPanelData } = await import('../scripts/nezha-to-frames.mjs');
    fs.mkdirSync(CACHE, { recursive: true });
    fs.writeFileSync(file, JSON.stringify(caseToPanelData(caseDir)));
  }
  return { file, data: JSON.parse(fs.readFileSync(file, 'utf8')) as PanelDataJson };
}
