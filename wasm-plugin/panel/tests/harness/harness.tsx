// The test harness page's script: Grafana's plugin loading, reproduced with the real packages.
// It bundles the real react, react-dom, @grafana/data, @grafana/ui and @grafana/runtime (one copy
// each, as Grafana provides them), registers them in SystemJS under the names the plugin's AMD
// module.js asks for, loads dist/module.js with System.import as Grafana does, and renders the
// plugin's panel with PanelProps made from DataFrame JSON via @grafana/data's dataFrameFromJSON.
import type { DataFrameJSON, PanelData, PanelPlugin, PanelProps } from '@grafana/data';

// The CommonJS builds, through require: the packages' ESM builds have import cycles that the bundler's
// lazy ESM initialisation runs out of order (createTheme before lodash's binding is set).
/* eslint-disable @typescript-eslint/no-require-imports */
const emotionCss: typeof import('@emotion/css') = require('@emotion/css');
const emotionReact: typeof import('@emotion/react') = require('@emotion/react');
const grafanaData: typeof import('@grafana/data') = require('@grafana/data');
const grafanaRuntime: typeof import('@grafana/runtime') = require('@grafana/runtime');
const grafanaUi: typeof import('@grafana/ui') = require('@grafana/ui');
const React: typeof import('react') = require('react');
const ReactDOM: typeof import('react-dom') = require('react-dom');
const jsxRuntime: typeof import('react/jsx-runtime') = require('react/jsx-runtime');
const { createRoot }: typeof import('react-dom/client') = require('react-dom/client');
const rxjs: typeof import('rxjs') = require('rxjs');
/* eslint-enable @typescript-eslint/no-require-imports */
const { dataFrameFromJSON, dateTime, LoadingState } = grafanaData;

interface SystemJS {
  set(id: string, module: object): void;
  import(id: string): Promise<{ plugin?: PanelPlugin } & Record<string, unknown>>;
}
declare const System: SystemJS;

/** What Grafana shares with plugins (.config/bundler/externals.ts), by the names module.js imports. */
const shared: Record<string, object> = {
  react: React,
  'react-dom': ReactDOM,
  'react/jsx-runtime': jsxRuntime,
  '@grafana/data': grafanaData,
  '@grafana/ui': grafanaUi,
  '@grafana/runtime': grafanaRuntime,
  '@emotion/css': emotionCss,
  '@emotion/react': emotionReact,
  rxjs,
};
// This script runs before SystemJS's AMD extra defines a global `define` (UMD packages such as lodash
// would otherwise register with it instead of exporting), so the registration waits for the first mount.
let registered = false;
function registerShared() {
  if (registered) {
    return;
  }
  registered = true;
  for (const [name, mod] of Object.entries(shared)) {
    // The AMD extra hands `default` to define() factories when __useDefault is set: the module object.
    System.set(`app:${name}`, { __useDefault: true, default: mod });
  }
}

export interface MountInput {
  /** Frames for data.series, as DataFrame JSON (what /api/ds/query returns per frame). */
  series: DataFrameJSON[];
  /** Frames for data.annotations (Prometheus exemplars). */
  annotations?: DataFrameJSON[];
  /** The panel's queries, for the datasource of Explore links. */
  targets?: Array<{ refId: string; datasource?: { type?: string; uid?: string } }>;
  options?: Record<string, unknown>;
  /** Dashboard time range, ISO strings or epoch ms. */
  range?: { from: string | number; to: string | number };
  width?: number;
  height?: number;
}

export interface Mounted {
  /** Options as the panel last set them (onOptionsChange). */
  options(): Record<string, unknown>;
  setOptions(patch: Record<string, unknown>): void;
}

// Grafana registers its option editors at boot (public/app/core/components/OptionsUI/registry.tsx, not
// in the packages); the builder looks them up by id. The harness never draws the editor, only the panel.
const EDITOR_IDS = ['text', 'number', 'boolean', 'radio', 'select', 'multiSelect', 'color', 'slider', 'unit', 'fieldName', 'strings', 'links'];
let editorsReady = false;
function registerEditors() {
  if (!editorsReady) {
    editorsReady = true;
    grafanaData.standardEditorsRegistry.setInit(() => EDITOR_IDS.map((id) => ({ id, name: id, editor: () => null })));
  }
}

/** `input`, or a URL of its JSON (large cases travel over HTTP rather than through the test driver). */
async function mount(moduleUrl: string, given: MountInput | string, overrides: Partial<MountInput> = {}): Promise<Mounted> {
  registerShared();
  registerEditors();
  const input: MountInput = { ...(typeof given === 'string' ? await (await fetch(given)).json() : given), ...overrides };
  const mod = await System.import(moduleUrl);
  const plugin = mod.plugin;
  if (!plugin?.panel) {
    throw new Error(`${moduleUrl} exports no panel plugin`);
  }
  const Panel = plugin.panel as React.ComponentType<PanelProps>;
  // Options start from the builder's defaults, as when a panel is added to a dashboard.
  const defaults = plugin.defaults as Record<string, unknown>;

  const series = input.series.map((f) => dataFrameFromJSON(f));
  const annotations = (input.annotations ?? []).map((f) => dataFrameFromJSON(f));
  const from = dateTime(input.range?.from ?? Date.now() - 3600_000);
  const to = dateTime(input.range?.to ?? Date.now());
  const timeRange = { from, to, raw: { from, to } };
  const data: PanelData = {
    state: LoadingState.Done,
    series,
    annotations,
    timeRange,
    request: { targets: input.targets ?? [] } as unknown as PanelData['request'],
  };

  let current: Record<string, unknown> = { ...defaults, ...(input.options ?? {}) };
  let setOuter: (o: Record<string, unknown>) => void = () => undefined;

  function Host() {
    const [options, setOptions] = React.useState(current);
    setOuter = (o) => {
      current = o;
      setOptions(o);
    };
    return (
      <div style={{ width: input.width ?? 900, height: input.height ?? 700, border: '1px solid #444' }}>
        <Panel
          id={1}
          data={data}
          timeRange={timeRange}
          timeZone="utc"
          options={options}
          transparent={false}
          width={input.width ?? 900}
          height={input.height ?? 700}
          fieldConfig={{ defaults: {}, overrides: [] }}
          renderCounter={0}
          title="rootspan"
          eventBus={new grafanaData.EventBusSrv()}
          onOptionsChange={(o: Record<string, unknown>) => setOuter(o)}
          onFieldConfigChange={() => undefined}
          replaceVariables={(s: string) => s}
          onChangeTimeRange={() => undefined}
        />
      </div>
    );
  }

  const root = createRoot(document.getElementById('root')!);
  root.render(
    <grafanaUi.ThemeContext.Provider value={grafanaData.createTheme({ colors: { mode: 'dark' } })}>
      <Host />
    </grafanaUi.ThemeContext.Provider>
  );
  const mounted: Mounted = {
    options: () => current,
    setOptions: (patch) => setOuter({ ...current, ...patch }),
  };
  (window as unknown as { rootspanPanel: Mounted }).rootspanPanel = mounted;
  return mounted;
}

(window as unknown as { rootspanHarness: unknown }).rootspanHarness = { mount };
