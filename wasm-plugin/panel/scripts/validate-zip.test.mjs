// The validator must catch what it claims to: broken variants of the real zip each fail, naming the rule.
// Run by `npm run package` after the real zip has passed.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const zip = fs.readdirSync(root).find((f) => f.endsWith('.zip'));
const validator = path.join(root, 'scripts/validate-zip.mjs');

/** Unzips the real zip, lets `edit` break the copy, re-zips it under the same name, and runs the validator on it. */
function validateBroken(edit) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rootspan-broken-'));
  try {
    const tree = path.join(dir, 'tree');
    execFileSync('unzip', ['-q', path.join(root, zip), '-d', tree]);
    const [pluginDir] = fs.readdirSync(tree);
    edit(path.join(tree, pluginDir), tree);
    const out = path.join(dir, zip);
    execFileSync('zip', ['-q', '-r', '-X', out, ...fs.readdirSync(tree)], { cwd: tree });
    return spawnSync('node', [validator, out], { encoding: 'utf8' });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const editJson = (file, change) => fs.writeFileSync(file, JSON.stringify(change(JSON.parse(fs.readFileSync(file, 'utf8')))));

test('the real zip passes', () => {
  const r = spawnSync('node', [validator, path.join(root, zip)], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

for (const [rule, edit] of [
  ['archive', (p, tree) => fs.renameSync(p, path.join(tree, 'other-name-panel'))],
  ['jsMap', (p) => fs.rmSync(path.join(p, 'module.js.map'))],
  ['unsafesvg', (p) => fs.writeFileSync(path.join(p, 'img/logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>')],
  ['metadatavalid', (p) => editJson(path.join(p, 'plugin.json'), (j) => ({ ...j, id: 'Root Span' }))],
  ['version', (p) => editJson(path.join(p, 'plugin.json'), (j) => ({ ...j, info: { ...j.info, version: '%VERSION%' } }))],
  ['metadatapaths', (p) => fs.rmSync(path.join(p, 'img/screenshot-trace.png'))],
  ['network', (p) => fs.appendFileSync(path.join(p, 'module.js'), '\nfetch("https://cdn.example.com/x.js");\n')],
  ['size', (p) => fs.readdirSync(p).filter((f) => f.endsWith('.wasm')).forEach((f) => fs.rmSync(path.join(p, f)))],
]) {
  test(`a zip breaking [${rule}] fails and names it`, () => {
    const r = validateBroken(edit);
    assert.equal(r.status, 1, `expected failure, got: ${r.stdout}`);
    assert.match(r.stderr, new RegExp(`\\[${rule}\\]`));
  });
}
