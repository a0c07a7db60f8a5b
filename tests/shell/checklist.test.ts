/**
 * Items of Electron's security checklist that had no test of their own (docs/SECURITY.md maps every
 * item to its test): a CSP that really is strict, no webPreferences that loosen the renderer, and a
 * supported Electron.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./electron-standin'));

import { RENDERER_CSP } from '../../main/static-files';
import { mainWindowOptions } from '../../main/window';

const ROOT = join(import.meta.dirname, '..', '..');

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter((words) => words[0])
      .map(([name, ...values]) => [name.toLowerCase(), values]),
  );
}

/** The policy both transports send, and the one in the page itself. */
async function policies(): Promise<Array<[string, Map<string, string[]>]>> {
  const html = await readFile(join(ROOT, 'renderer', 'index.html'), 'utf8');
  const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html);
  expect(meta, 'renderer/index.html has a CSP meta tag').not.toBeNull();
  return [
    ['served (app:// and the bridge)', directives(RENDERER_CSP)],
    ['renderer/index.html', directives(meta![1])],
  ];
}

describe('Electron security checklist', () => {
  it('CSP: scripts only from the app itself (no inline, no eval, no other hosts), no plugins, no <base>', async () => {
    for (const [where, policy] of await policies()) {
      expect(policy.get('default-src'), where).toEqual(["'self'"]);
      expect(policy.get('script-src'), where).toEqual(["'self'"]);
      expect(policy.get('connect-src'), where).toEqual(["'self'"]);
      expect(policy.get('object-src'), where).toEqual(["'none'"]);
      expect(policy.get('base-uri'), where).toEqual(["'none'"]);
      for (const [name, values] of policy) {
        for (const bad of ["'unsafe-eval'", "'wasm-unsafe-eval'", '*', 'http:', 'https:']) expect(values, `${where} ${name}`).not.toContain(bad);
      }
    }
    expect(directives(RENDERER_CSP).get('frame-ancestors')).toEqual(["'none'"]);
  });

  it('the page loads no inline script (the CSP would block it; the build must not need it)', async () => {
    const html = await readFile(join(ROOT, 'renderer', 'index.html'), 'utf8');
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\bsrc=/);
      expect(body.trim()).toBe('');
    }
  });

  it('no webPreferences that loosen the renderer (experimental features, Blink features, insecure content, web security off)', () => {
    const prefs = mainWindowOptions('/p/index.cjs').webPreferences as Record<string, unknown>;
    // each either absent (Electron's safe default) or set to its safe value
    const safeIfSet: Record<string, unknown> = { webSecurity: true, allowRunningInsecureContent: false, experimentalFeatures: false, nodeIntegrationInWorker: false };
    for (const [key, safe] of Object.entries(safeIfSet)) if (key in prefs) expect(prefs[key], key).toBe(safe);
    expect('enableBlinkFeatures' in prefs).toBe(false);
    expect(prefs.contextIsolation).toBe(true);
    expect(prefs.sandbox).toBe(true);
  });

  it('a supported Electron: at least major 45 (Electron supports the latest three majors)', async () => {
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    const major = Number(/(\d+)/.exec(pkg.devDependencies.electron)?.[1]);
    expect(major).toBeGreaterThanOrEqual(45);
    const installed = JSON.parse(await readFile(join(ROOT, 'node_modules', 'electron', 'package.json'), 'utf8')) as { version: string };
    expect(Number(installed.version.split('.')[0])).toBeGreaterThanOrEqual(45);
  });
});
