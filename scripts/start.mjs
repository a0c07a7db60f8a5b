/**
 * `npm start`: build, then launch Electron on the built app. With no STRIPE_SECRET_KEY (and none saved
 * in the secret store) the app starts in training mode against the local emulator.
 * Extra arguments are passed to the app, e.g. `npm start -- --data-dir=/tmp/md`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ELECTRON_MISSING_NOTICE, electronBinaryPath } from './electron-binary.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const electron = electronBinaryPath(root);
if (!electron) {
  console.error(ELECTRON_MISSING_NOTICE);
  process.exit(1);
}

const build = spawnSync(process.execPath, [resolve(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const child = spawn(electron, [root, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
