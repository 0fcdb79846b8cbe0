// Front-end build: bundles JS and CSS with esbuild into static/dist with hashed names and
// writes static/dist/manifest.json ({"app.js": "app-HASH.js", ...}), which Flask reads to link
// them. Run by `make assets` (and so by `make run` and `make test`).
import { build } from 'esbuild';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const outdir = path.join(here, 'dist');

// logical name → source; pages link the logical name through asset_url().
const entries = {
  'app.js': 'js/app.js',
  'scanner.js': 'js/scanner.js',
  'labels.js': 'js/labels.js',
  'app.css': 'css/app.css',
};

await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });

const result = await build({
  entryPoints: Object.values(entries).map((source) => path.join(here, source)),
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

const bySource = Object.fromEntries(
  Object.entries(entries).map(([logical, source]) => [path.join('static', source), logical]),
);
const manifest = {};
for (const [file, info] of Object.entries(result.metafile.outputs)) {
  if (!info.entryPoint) continue;
  const logical = bySource[path.relative(path.dirname(here), path.resolve(info.entryPoint))];
  if (logical) manifest[logical] = path.basename(file);
}
const missing = Object.keys(entries).filter((name) => !manifest[name]);
if (missing.length) throw new Error(`build produced no output for ${missing.join(', ')}`);
await writeFile(path.join(outdir, 'manifest.json'), JSON.stringify(manifest, null, 2));
console.log('built', manifest);
