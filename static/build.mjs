// Front-end build, run by `make assets` (and so by `make run` and `make test`):
// 1. esbuild bundles the photo worker on its own (one classic-worker file, hashed name), then the
//    page scripts and CSS into static/dist with hashed names and writes
//    static/dist/manifest.json ({"app.js": "app-HASH.js", ...}), which Flask reads to link them;
// 2. esbuild bundles the service worker, and workbox-build injects the precache manifest
//    (every built asset, the icons, the capture shell and the offline page) into static/dist/sw.js.

import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { injectManifest } from 'workbox-build';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(here);
const outdir = path.join(here, 'dist');

// logical name → source; pages link the logical name through asset_url().
const entries = {
  'app.js': 'js/entries/app.js',
  'shell.js': 'js/entries/shell.js',
  'scanner.js': 'js/entries/scanner.js',
  'labels.js': 'js/entries/labels.js',
  'offline.js': 'js/entries/offline.js',
  'charts.js': 'js/entries/charts.js',
  'board.js': 'js/entries/board.js',
  'andon.js': 'js/entries/andon.js',
  'app.css': 'css/app.css',
};

await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });

const common = { bundle: true, minify: true, sourcemap: true, logLevel: 'warning' };

// A warning is a fault that ships: an unclosed brace in the CSS made every rule after it
// phone-only for a whole round while esbuild warned at every build. Any warning fails the build.
async function strictBuild(options) {
  const output = await build(options);
  if (output.warnings.length) {
    throw new Error(`esbuild warned ${output.warnings.length} time(s) (above): the build fails on warnings`);
  }
  return output;
}
const targets = ['es2020', 'chrome100', 'safari15'];

// The photo worker is its own entry: pages start it by URL (offline/photos.js reads the URL that
// `define` writes in), and the service worker precaches it like every other built file.
const worker = await strictBuild({
  ...common,
  entryPoints: { 'photo-worker': path.join(here, 'js/workers/photo-worker.js') },
  outdir,
  format: 'iife',
  target: targets,
  entryNames: '[name]-[hash]',
  metafile: true,
});
const workerFile = Object.keys(worker.metafile.outputs).find((file) => file.endsWith('.js'));

// The display mode is a classic script of its own: it must run in <head>, before the first
// paint, which a module (deferred) cannot.
const display = await strictBuild({
  ...common,
  entryPoints: { display: path.join(here, 'js/entries/display.js') },
  outdir,
  format: 'iife',
  target: targets,
  entryNames: '[name]-[hash]',
  metafile: true,
});
const displayFile = Object.keys(display.metafile.outputs).find((file) => file.endsWith('.js'));
const workerUrl = `/static/dist/${path.basename(workerFile)}`;

const result = await strictBuild({
  ...common,
  define: { __PHOTO_WORKER_URL__: JSON.stringify(workerUrl) },
  entryPoints: Object.values(entries).map((source) => path.join(here, source)),
  outdir,
  format: 'esm',
  splitting: true,
  target: targets,
  entryNames: '[name]-[hash]',
  chunkNames: 'chunk-[hash]',
  metafile: true,
});

const bySource = Object.fromEntries(
  Object.entries(entries).map(([logical, source]) => [path.join('static', source), logical]),
);
const manifest = {};
for (const [file, info] of Object.entries(result.metafile.outputs)) {
  if (!info.entryPoint) continue;
  const logical = bySource[path.relative(root, path.resolve(root, info.entryPoint))];
  if (logical) manifest[logical] = path.basename(file);
}
const missing = Object.keys(entries).filter((name) => !manifest[name]);
if (missing.length) throw new Error(`build produced no output for ${missing.join(', ')}`);
manifest['photo-worker.js'] = path.basename(workerFile);
manifest['display.js'] = path.basename(displayFile);
const manifestText = JSON.stringify(manifest, null, 2);
await writeFile(path.join(outdir, 'manifest.json'), manifestText);

// The shell and offline pages are rendered by Flask from templates that link hashed assets:
// their revision changes whenever a template or an asset changes.
async function revisionOf(...files) {
  const hash = createHash('sha256').update(manifestText);
  for (const file of files) hash.update(await readFile(path.join(root, file)));
  return hash.digest('hex').slice(0, 16);
}
const swBundle = path.join(outdir, 'sw-src.js');
await strictBuild({
  ...common,
  entryPoints: [path.join(here, 'js/sw/sw.js')],
  outfile: swBundle,
  format: 'iife',
  target: targets,
  define: { 'process.env.NODE_ENV': '"production"' },
});
const staticFiles = ['img/icon.svg', 'img/icons.svg', 'img/icon-192.png', 'img/icon-512.png'];
const { count, size, warnings } = await injectManifest({
  swSrc: swBundle,
  swDest: path.join(outdir, 'sw.js'),
  globDirectory: outdir,
  globPatterns: ['*.{js,css}'],
  // the insight charts (Chart.js) are for pages read online, not for the capture shell
  globIgnores: ['sw.js', 'sw-src.js', 'charts-*.js', 'board-*.js'],
  modifyURLPrefix: { '': '/static/dist/' },
  dontCacheBustURLsMatching: /-[A-Z0-9]{8}\.(js|css)$/,
  additionalManifestEntries: [
    { url: '/capture/shell', revision: await revisionOf('templates/capture/shell.html') },
    { url: '/offline', revision: await revisionOf('templates/offline.html') },
    { url: '/manifest.webmanifest', revision: await revisionOf('gemba_walk/web/pwa.py') },
    ...(await Promise.all(
      staticFiles.map(async (file) => ({
        url: `/static/${file}`,
        revision: await revisionOf(`static/${file}`),
      })),
    )),
  ],
});
await rm(swBundle, { force: true });
await rm(`${swBundle}.map`, { force: true });
if (warnings.length) throw new Error(`workbox-build warned: ${warnings.join('; ')}`);
console.log('built', manifest, `service worker precaches ${count} files, ${size} bytes`);
