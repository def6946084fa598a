// Types of nezha-to-frames.mjs for the TypeScript tests.
import type { DataFrameJSON } from '@grafana/data';

export interface DatasourceRef {
  type: string;
  uid: string;
}
export const DATASOURCES: { tempo: DatasourceRef; loki: DatasourceRef; prometheus: DatasourceRef };
export interface PanelDataJson {
  series: DataFrameJSON[];
  annotations: DataFrameJSON[];
  targets: Array<{ refId: string; datasource: DatasourceRef }>;
  window?: { start: string; end: string };
}
export function caseToPanelData(caseDir: string): PanelDataJson;
export function tempoTraceFrame(otlp: unknown, refId?: string): DataFrameJSON;
export function lokiLogsFrame(loki: unknown, refId?: string): DataFrameJSON;
export function prometheusFrames(prom: unknown, refId?: string): DataFrameJSON[];
