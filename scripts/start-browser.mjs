/**
 * `npm run start:browser`: build, then run the same main services in Node and serve the renderer to a
 * normal browser on 127.0.0.1 (the browser bridge, docs/ARCHITECTURE.md §2). Prints one line with the
 * URL and its per-run token. Arguments are passed on: `--port=N`, `--data-dir=PATH`, `--open-external`.
 * A `--port` that is already taken is reported in one line before the build starts.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const skipBuild = args.includes('--no-build');

/** `--port=N` or `--port N`, as main/services.ts argValue reads it; null when absent or not a port (browser.js then says so). */
function requestedPort(argv) {
  const index = argv.findIndex((a) => a === '--port' || a.startsWith('--port='));
  if (index < 0) return null;
  const raw = argv[index] === '--port' ? argv[index + 1] : argv[index].slice('--port='.length);
  const port = Number(raw);
  return Number.isInteger(port) && port > 0 && port <= 65_535 ? port : null;
}

function isPortBusy(port) {
  return new Promise((resolvePromise, reject) => {
    const probe = createServer();
    probe.once('error', (error) => (error.code === 'EADDRINUSE' ? resolvePromise(true) : reject(error)));
    probe.listen({ port, host: '127.0.0.1', exclusive: true }, () => probe.close(() => resolvePromise(false)));
  });
}

const port = requestedPort(args);
if (port !== null && (await isPortBusy(port))) {
  // the line comes from main's catalog, in the system's language (tsx runs the TypeScript source)
  const { tsImport } = await import('tsx/esm/api');
  const { portInUseText, systemLanguage } = await tsImport('../main/startup-text.ts', import.meta.url);
  process.stderr.write(`${portInUseText(port, systemLanguage())}\n`);
  process.exit(1);
}

if (!skipBuild) {
  // Build output goes to stderr so that stdout carries only the bridge's URL line.
  const build = spawnSync(process.execPath, [resolve(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], {
    cwd: root,
    stdio: ['ignore', process.stderr, process.stderr],
  });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const child = spawn(process.execPath, [resolve(root, 'out/main/browser.js'), ...args.filter((a) => a !== '--no-build')], { cwd: root, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
