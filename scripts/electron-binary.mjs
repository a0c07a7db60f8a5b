/**
 * Whether the Electron binary is on disk, decided WITHOUT `require('electron')` (that tries a download
 * first, which cannot work here: DESIGN §9). Mirrors how node_modules/electron/index.js finds it:
 * `path.txt` names the executable inside `dist/`, and ELECTRON_OVERRIDE_DIST_PATH replaces `dist/`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The path of the Electron executable, or null when it is not installed. */
export function electronBinaryPath(root = projectRoot) {
  const moduleDir = join(root, 'node_modules', 'electron');
  const pathFile = join(moduleDir, 'path.txt');
  const executable = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '';
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const candidate = override ? join(override, executable || 'electron') : executable ? join(moduleDir, 'dist', executable) : null;
  return candidate && existsSync(candidate) ? candidate : null;
}

export function electronBinaryAvailable(root = projectRoot) {
  return electronBinaryPath(root) !== null;
}

export const ELECTRON_MISSING_NOTICE =
  'The Electron binary is not installed (node_modules/electron/dist is missing and cannot be downloaded here). ' +
  'Run the same app in a browser instead: npm run start:browser';
