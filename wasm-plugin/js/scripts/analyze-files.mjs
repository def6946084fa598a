#!/usr/bin/env node
// analyze-files.mjs FILE... [--options JSON]
// Prints the report JSON the built npm package makes for these files: exactly `await Session.analyzeJson()` (in a worker thread), each file
// added with `addBytes` (any supported format, gzip or not) under its file name. The cross-home identity test
// compares this output with the native build and wasmtime.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { Session } from 'rootspan';

function parseArgs(argv) {
  const files = [];
  let options;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--options') {
      if (i + 1 >= argv.length) throw new Error('--options needs a JSON value');
      options = JSON.parse(argv[++i]);
    } else if (argv[i].startsWith('--options=')) {
      options = JSON.parse(argv[i].slice('--options='.length));
    } else {
      files.push(argv[i]);
    }
  }
  if (files.length === 0) throw new Error('usage: analyze-files.mjs FILE... [--options JSON]');
  return { files, options };
}

try {
  const { files, options } = parseArgs(process.argv.slice(2));
  const session = await Session.create();
  try {
    for (const file of files) await session.addBytes(await readFile(file), basename(file));
    process.stdout.write(await session.analyzeJson(options));
  } finally {
    session.close();
  }
} catch (e) {
  process.stderr.write(`analyze-files: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
}
