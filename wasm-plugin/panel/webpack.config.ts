// The project's additions to create-plugin's base config (.config/webpack/webpack.config.ts),
// merged the way create-plugin documents: the base file stays as scaffolded.
import type { Configuration, LibraryOptions } from 'webpack';
import { merge } from 'webpack-merge';

import grafanaConfig, { type Env } from './.config/webpack/webpack.config';

const config = async (env: Env): Promise<Configuration> => {
  const baseConfig = await grafanaConfig(env);
  const config = merge(baseConfig, {
    module: {
      rules: [
        // The rootspan core ships as a .wasm next to module.js (inside dist/, so it is signed with
        // the plugin) and is fetched lazily from the plugin's public path when the panel first
        // analyses; it is never inlined into module.js.
        { test: /\.wasm$/, type: 'asset/resource', generator: { filename: '[name][ext]' } },
      ],
    },
    performance: {
      // The core is one wasm asset of a few hundred kB; module.js itself stays small.
      assetFilter: (file: string) => !file.endsWith('.wasm'),
    },
  });
  // The AMD wrapper Grafana loads module.js with belongs to the plugin's entry only: the rootspan package's
  // worker is an entry of its own too, and wrapped in define() it would never run in the worker. So the library
  // is set per entry, and externals (react, @grafana/*) stay AMD dependencies of module.js.
  const { library, ...output } = config.output ?? {};
  const amd = library as LibraryOptions;
  const entries = config.entry as Record<string, string>;
  config.entry = Object.fromEntries(Object.entries(entries).map(([name, file]) => [name, { import: file, library: amd }]));
  config.output = output;
  config.externalsType = 'amd';
  return config;
};

export default config;
