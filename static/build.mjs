// Front-end build: bundles JS and CSS with esbuild into static/dist with hashed names and
// writes static/dist/manifest.json, which Flask reads to link them. Run by `make assets`.
import { build } from 'esbuild';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const outdir = path.join(here, 'dist');

await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });

const result = await build({
  entryPoints: {
    app: path.join(here, 'js/app.js'),
    'app-styles': path.join(here, 'css/app.css'),
  },
  outdir,
  bundle: true,
  minify: true,
  sourcemap: true,
  format: 'esm',
  target: ['es2020', 'chrome100', 'safari15'],
  entryNames: '[name]-[hash]',
  metafile: true,
  logLevel: 'warning',
});

const manifest = {};
for (const [file, info] of Object.entries(result.metafile.outputs)) {
  if (!info.entryPoint || file.endsWith('.map')) continue;
  const name = path.basename(file);
  const logical = name.endsWith('.css') ? 'app.css' : `${name.split('-')[0]}.js`;
  manifest[logical] = name;
}
await writeFile(path.join(outdir, 'manifest.json'), JSON.stringify(manifest, null, 2));
console.log('built', manifest);
