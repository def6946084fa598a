#!/usr/bin/env node
// `npm run package` ends here: checks the plugin zip against the rules of Grafana's plugin validator
// (grafana/plugin-validator) that can be checked offline, and lists what the zip holds with each file's size.
// The validator itself downloads its binary at run time, which a closed network cannot do, so the rules are
// re-stated here from its analyzers (named in brackets) and the plugin.json schema:
//
//   [archive]        one root folder, named exactly the plugin id, and no nested dist/
//   [archivename]    the zip is <id>-<version>.zip
//   [metadata]       plugin.json at the root, valid JSON
//   [metadatavalid]  plugin.json follows the schema: required keys, no unknown keys, id / version / updated /
//                    grafanaDependency patterns, type enum, at least one keyword, URIs in links
//   [typesuffix]     the id ends with the plugin type (-panel)
//   [version]        info.version is semver, equals package.json's version, no placeholder left
//   [metadatapaths]  logo and screenshot paths are relative, do not start with '.' or '/', and exist
//   [logos]          both logos are SVG
//   [screenshots]    every screenshot is a PNG, JPEG, GIF or SVG file
//   [unsafesvg]      no script, event handler, javascript: URL or foreignObject in any SVG
//   [modulejs]       module.js exists
//   [jsMap]          module.js.map beside every module.js
//   [readme] [changelog] [license]   README.md, CHANGELOG.md and LICENSE exist; README is not create-plugin's template
//   [trackingscripts] no analytics or tracking script host in any JavaScript file
//   [binarypermissions] no executable or native binary (a panel has no backend)
//   no external network at load: no JavaScript file loads code or data from an absolute http(s) URL
//   sizes: the zip and its .wasm stay within the project's budget (the wasm is downloaded by every viewer)
//
// Exits 1 listing every failed rule; prints the contents either way.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { version: packageVersion } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const zips = process.argv.slice(2).length ? process.argv.slice(2) : fs.readdirSync(root).filter((f) => f.endsWith('.zip')).map((f) => path.join(root, f));
if (zips.length !== 1) {
  console.error(`validate-zip: expected one plugin zip, found ${zips.length} (${zips.join(', ')})`);
  process.exit(1);
}
const zip = path.resolve(zips[0]);

/** The project's budget: the browser wasm is fetched by every panel viewer (DESIGN: under 1 MB gzipped). */
const MAX_WASM_GZIP = 1024 * 1024;
const MAX_ZIP = 10 * 1024 * 1024;

const failures = [];
const fail = (rule, message) => failures.push(`[${rule}] ${message}`);

const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'rootspan-validate-'));
try {
  execFileSync('unzip', ['-q', zip, '-d', staging]);
  validate(staging);
} finally {
  fs.rmSync(staging, { recursive: true, force: true });
}

if (failures.length) {
  console.error(`validate-zip: ${path.basename(zip)} fails ${failures.length} rule(s):\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log(`validate-zip: ${path.basename(zip)} passes every offline rule of Grafana's plugin validator`);

function validate(dir) {
  const top = fs.readdirSync(dir);
  if (top.length !== 1 || !fs.statSync(path.join(dir, top[0])).isDirectory()) {
    fail('archive', `the zip must hold exactly one root folder, found ${JSON.stringify(top)}`);
    return;
  }
  const pluginDir = path.join(dir, top[0]);
  const files = listFiles(pluginDir);
  printListing(top[0], pluginDir, files);
  if (files.some((f) => f.startsWith('dist/'))) fail('archive', 'dist/ must be renamed to the plugin id and moved to the root');

  const pluginJsonPath = path.join(pluginDir, 'plugin.json');
  if (!fs.existsSync(pluginJsonPath)) {
    fail('metadata', 'plugin.json is missing at the root folder');
    return;
  }
  let plugin;
  try {
    plugin = JSON.parse(fs.readFileSync(pluginJsonPath, 'utf8'));
  } catch (e) {
    fail('metadata', `plugin.json is not valid JSON: ${e.message}`);
    return;
  }
  if (top[0] !== plugin.id) fail('archive', `the root folder is ${top[0]}, the plugin id is ${plugin.id}`);
  if (path.basename(zip) !== `${plugin.id}-${plugin.info?.version}.zip`) {
    fail('archivename', `the zip is named ${path.basename(zip)}, expected ${plugin.id}-${plugin.info?.version}.zip`);
  }
  checkMetadata(plugin);
  if (typeof plugin.id === 'string' && typeof plugin.type === 'string' && !plugin.id.endsWith(`-${plugin.type}`)) {
    fail('typesuffix', `the id ${plugin.id} must end with -${plugin.type}`);
  }
  if (plugin.info?.version !== packageVersion) fail('version', `info.version is ${plugin.info?.version}, package.json says ${packageVersion}`);

  const logos = [plugin.info?.logos?.small, plugin.info?.logos?.large];
  const shots = (plugin.info?.screenshots ?? []).map((s) => s.path);
  for (const p of [...logos, ...shots]) {
    if (typeof p !== 'string' || /^[a-z][a-z0-9+.-]*:/i.test(p) || p.startsWith('.') || p.startsWith('/')) {
      fail('metadatapaths', `${JSON.stringify(p)} must be a relative path inside the plugin, not starting with '.' or '/'`);
    } else if (!files.includes(p)) {
      fail('metadatapaths', `${p} is named in plugin.json but not in the zip`);
    }
  }
  for (const p of logos) if (typeof p === 'string' && !p.endsWith('.svg')) fail('logos', `${p} must be an SVG image`);
  for (const p of shots) {
    if (files.includes(p) && !isImage(fs.readFileSync(path.join(pluginDir, p)))) fail('screenshots', `${p} is not a PNG, JPEG, GIF or SVG image`);
  }
  for (const f of files.filter((f) => f.endsWith('.svg'))) {
    const svg = fs.readFileSync(path.join(pluginDir, f), 'utf8');
    const bad = [/<script/i, /\son[a-z]+\s*=/i, /javascript:/i, /<foreignObject/i].find((re) => re.test(svg));
    if (bad) fail('unsafesvg', `${f} contains ${bad}`);
  }

  const modules = files.filter((f) => path.basename(f) === 'module.js');
  if (!modules.includes('module.js')) fail('modulejs', 'module.js is missing at the root folder');
  for (const m of modules) if (!files.includes(`${m}.map`)) fail('jsMap', `${m}.map is missing: ship the source map beside ${m}`);
  for (const required of ['README.md', 'CHANGELOG.md', 'LICENSE']) {
    if (!files.includes(required)) fail(required.split('.')[0].toLowerCase(), `${required} is missing`);
  }
  if (files.includes('README.md') && /This template is a starting point|Grafana panel plugin template/i.test(fs.readFileSync(path.join(pluginDir, 'README.md'), 'utf8'))) {
    fail('templatereadme', 'README.md is still create-plugin\'s template');
  }

  for (const f of files.filter((f) => f.endsWith('.js'))) {
    const js = fs.readFileSync(path.join(pluginDir, f), 'utf8');
    const tracker = js.match(/(google-analytics\.com|googletagmanager\.com|gtag\(|segment\.(com|io)|hotjar\.com|mixpanel\.com|fullstory\.com)/);
    if (tracker) fail('trackingscripts', `${f} references ${tracker[0]}`);
    // Loading code or data from an absolute URL at load time: fetch/import/Worker/script src/XHR of http(s).
    const remote = js.match(/(fetch|import|importScripts|new\s+(Worker|WebSocket|EventSource|URL)|\.open|\.src\s*=)\s*\(?\s*["'`]https?:\/\/[^"'`]+/);
    if (remote) fail('network', `${f} loads from an external URL: ${remote[0].slice(0, 120)}`);
  }
  for (const f of files) {
    const head = fs.readFileSync(path.join(pluginDir, f)).subarray(0, 4);
    const mode = fs.statSync(path.join(pluginDir, f)).mode;
    if (head.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46])) || (mode & 0o111) !== 0) fail('binarypermissions', `${f} is an executable or native binary`);
  }

  const zipSize = fs.statSync(zip).size;
  if (zipSize > MAX_ZIP) fail('size', `the zip is ${zipSize} B, over the ${MAX_ZIP} B budget`);
  const wasm = files.filter((f) => f.endsWith('.wasm'));
  if (wasm.length === 0) fail('size', 'no .wasm in the zip: the panel cannot analyse without it');
  for (const f of wasm) {
    const gz = zlib.gzipSync(fs.readFileSync(path.join(pluginDir, f)), { level: 9 }).length;
    if (gz > MAX_WASM_GZIP) fail('size', `${f} is ${gz} B gzipped, over the ${MAX_WASM_GZIP} B budget`);
  }
}

/** The plugin.json schema's rules (Grafana's docs/sources/developers/plugins/plugin.schema.json), for the keys a panel uses. */
function checkMetadata(plugin) {
  const topKeys = new Set(['$schema', 'id', 'type', 'name', 'info', 'dependencies', 'alerting', 'annotations', 'autoEnabled', 'backend',
    'builtIn', 'category', 'enterpriseFeatures', 'executable', 'hideFromList', 'includes', 'logs', 'metrics', 'pascalName', 'preload',
    'queryOptions', 'routes', 'skipDataQuery', 'state', 'streaming', 'tracing']);
  const rule = 'metadatavalid';
  for (const k of ['type', 'name', 'id', 'info', 'dependencies']) if (!(k in plugin)) fail(rule, `plugin.json lacks "${k}"`);
  for (const k of Object.keys(plugin)) if (!topKeys.has(k)) fail(rule, `plugin.json has an unknown key "${k}"`);
  if (typeof plugin.id !== 'string' || !/^[0-9a-z]+-([0-9a-z]+-)?(app|panel|datasource|secretsmanager|transformer)$/.test(plugin.id)) {
    fail(rule, `id ${JSON.stringify(plugin.id)} does not match <org>-<name>-<type>`);
  }
  if (!['app', 'datasource', 'panel', 'renderer', 'secretsmanager', 'transformer'].includes(plugin.type)) fail(rule, `type ${JSON.stringify(plugin.type)} is not a plugin type`);
  if (typeof plugin.name !== 'string' || plugin.name.trim() === '' || plugin.name === plugin.id) fail(rule, 'name must be a human-readable name, not the id');
  const info = plugin.info ?? {};
  const infoKeys = new Set(['author', 'build', 'description', 'keywords', 'links', 'logos', 'screenshots', 'updated', 'version']);
  for (const k of ['logos', 'version', 'updated', 'keywords']) if (!(k in info)) fail(rule, `info lacks "${k}"`);
  for (const k of Object.keys(info)) if (!infoKeys.has(k)) fail(rule, `info has an unknown key "${k}"`);
  if (!Array.isArray(info.keywords) || info.keywords.length === 0 || info.keywords.some((k) => typeof k !== 'string')) fail(rule, 'info.keywords must list at least one keyword');
  if (typeof info.version !== 'string' || !/^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/.test(info.version)) fail('version', `info.version ${JSON.stringify(info.version)} is not semver (a placeholder left unreplaced?)`);
  if (typeof info.updated !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(info.updated)) fail(rule, `info.updated ${JSON.stringify(info.updated)} is not a date`);
  for (const [k, v] of Object.entries(info.author ?? {})) {
    if (!['name', 'email', 'url'].includes(k)) fail(rule, `info.author has an unknown key "${k}"`);
    if (k === 'url' && !isUri(v)) fail(rule, `info.author.url ${JSON.stringify(v)} is not a URI`);
  }
  for (const link of info.links ?? []) if (!isUri(link.url)) fail(rule, `info.links url ${JSON.stringify(link.url)} is not a URI`);
  for (const k of Object.keys(info.logos ?? {})) if (!['small', 'large'].includes(k)) fail(rule, `info.logos has an unknown key "${k}"`);
  const deps = plugin.dependencies ?? {};
  for (const k of Object.keys(deps)) if (!['grafanaVersion', 'grafanaDependency', 'plugins'].includes(k)) fail(rule, `dependencies has an unknown key "${k}"`);
  if (typeof deps.grafanaDependency !== 'string' || !/^(<=|>=|<|>|=|~|\^)?([0-9]+)(\.[0-9x*]+)(\.[0-9x*]+)?(\s(<=|>=|<|=>)?([0-9]+)(\.[0-9x]+)(\.[0-9x]+))?$/.test(deps.grafanaDependency)) {
    fail(rule, `dependencies.grafanaDependency ${JSON.stringify(deps.grafanaDependency)} is not a version range`);
  }
}

function isUri(v) {
  try {
    return typeof v === 'string' && Boolean(new URL(v).protocol);
  } catch {
    return false;
  }
}

function isImage(bytes) {
  const png = bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const jpeg = bytes[0] === 0xff && bytes[1] === 0xd8;
  const gif = bytes.subarray(0, 4).toString('latin1') === 'GIF8';
  const svg = /^\s*(<\?xml[^>]*>\s*)?<svg/i.test(bytes.subarray(0, 200).toString('utf8'));
  return png || jpeg || gif || svg;
}

function listFiles(dir, prefix = '') {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(path.join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
  ).sort();
}

function printListing(rootName, dir, files) {
  console.log(`${path.basename(zip)}: ${fs.statSync(zip).size} B zipped, ${files.length} files under ${rootName}/`);
  for (const f of files) console.log(`  ${String(fs.statSync(path.join(dir, f)).size).padStart(10)}  ${f}`);
}
