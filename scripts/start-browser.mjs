/**
 * `npm run start:browser`: build, then run the same main services in Node and serve the renderer to a
 * normal browser on 127.0.0.1 (the browser bridge, DESIGN §2). Prints one line with the URL and its
 * per-run token. Arguments are passed on: `--port=N`, `--data-dir=PATH`, `--open-external`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const skipBuild = args.includes('--no-build');

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
