// init() with an explicit file path in Node (its own process: the module loads once per process).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { init, Session } from 'rootspan';

it('loads the .wasm from a relative file path, and the session works', async () => {
  const wasm = fileURLToPath(new URL('../pkg/rootspan_wasm_bg.wasm', import.meta.url));
  await init(relative(process.cwd(), wasm));
  using s = await Session.create();
  await s.addBytes(await readFile(new URL('../../../testdata/fixtures/loki-api/streams_simple.json', import.meta.url)), 'loki.json');
  assert.equal((await s.analyze()).inputs.totals.logs, 6);
});
