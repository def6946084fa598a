/** One input file's bytes, by name (the name shows in the report's inputs and diagnostics). */
export interface Input {
  name: string;
  bytes: Uint8Array;
}

export async function readFiles(files: FileList): Promise<Input[]> {
  return Promise.all(Array.from(files, async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));
}

/** The sample incident shipped with the page (samples/incident/ in the repository; see vite.config.ts). */
export async function loadSample(): Promise<Input[]> {
  const base = `${import.meta.env.BASE_URL}samples/incident/`;
  const manifest = await fetch(`${base}manifest.json`);
  if (!manifest.ok) {
    throw new Error(`the sample incident is missing (${manifest.status} for ${base}manifest.json)`);
  }
  const names = (await manifest.json()) as string[];
  return Promise.all(
    names.map(async (name) => {
      const res = await fetch(base + name);
      if (!res.ok) {
        throw new Error(`sample file ${name}: HTTP ${res.status}`);
      }
      // Named as the CLI names them (`rootspan demo`), so the reports match.
      return { name: `samples/incident/${name}`, bytes: new Uint8Array(await res.arrayBuffer()) };
    })
  );
}
