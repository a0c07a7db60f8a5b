import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./electron-standin'));

import * as electron from './electron-standin';
import { APP_INDEX_URL, createAppProtocolHandler, installAppProtocol, isAppUrl, registerAppScheme } from '../../main/app-protocol';
import { RENDERER_CSP, resolveStaticPath } from '../../main/static-files';

let base: string;
let root: string;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'md-app-protocol-'));
  root = join(base, 'renderer');
  await mkdir(join(root, 'assets'), { recursive: true });
  await writeFile(join(root, 'index.html'), '<!doctype html><title>app</title>');
  await writeFile(join(root, 'assets', 'main.js'), 'console.log(1)');
  await writeFile(join(base, 'secret.txt'), 'outside the root');
  await symlink(join(base, 'secret.txt'), join(root, 'assets', 'link.txt'));
});
afterAll(() => rm(base, { recursive: true, force: true }));
beforeEach(() => electron.reset());

const get = (url: string, method = 'GET') => createAppProtocolHandler(root)(new Request(url, { method }));

describe('resolveStaticPath', () => {
  it('maps ordinary paths under the root, / to index.html', () => {
    expect(resolveStaticPath('/r', '/')).toBe('/r/index.html');
    expect(resolveStaticPath('/r', '/assets/main.js')).toBe('/r/assets/main.js');
    expect(resolveStaticPath('/r', '/assets/a%20b.js')).toBe('/r/assets/a b.js');
    expect(resolveStaticPath('/r', '/assets/')).toBe('/r/assets/index.html');
  });

  it('rejects every way out of the root', () => {
    const attempts = [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/%2E%2E/secret.txt',
      '/.%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/%252e%252e/secret.txt',
      '/..\\secret.txt',
      '/assets%5c..%5c..%5csecret.txt',
      '//etc/passwd',
      '/%2fetc/passwd',
      '/C:/Windows/win.ini',
      '/secret.txt%00.html',
      '/%E0%A4%A',
      '/./index.html',
    ];
    for (const attempt of attempts) expect(resolveStaticPath('/r', attempt), attempt).toBeNull();
  });
});

describe('app:// protocol', () => {
  it('registers app as a privileged, standard, secure scheme', () => {
    registerAppScheme();
    expect(electron.protocol.privileged).toEqual([
      expect.objectContaining({ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) }),
    ]);
  });

  it('serves the renderer with the strict CSP', async () => {
    installAppProtocol(electron.protocol as never, root);
    const handler = electron.protocol.handlers.get('app')!;
    const response = await handler(new Request(APP_INDEX_URL));
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<title>app</title>');
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(RENDERER_CSP);
    expect(RENDERER_CSP).toContain("script-src 'self'");
    expect(RENDERER_CSP).toContain("frame-ancestors 'none'");

    const script = await get('app://mandate-desk/assets/main.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it('answers 404 for traversal, symlinks out of the root, missing files and other hosts', async () => {
    for (const url of [
      'app://mandate-desk/%2e%2e/secret.txt',
      'app://mandate-desk/assets/..%2f..%2fsecret.txt',
      'app://mandate-desk/assets/link.txt',
      'app://mandate-desk/nope.js',
      'app://other-host/index.html',
    ]) {
      const response = await get(url);
      expect(response.status, url).toBe(404);
      expect(await response.text(), url).not.toContain('outside the root');
    }
  });

  it('refuses methods other than GET and HEAD', async () => {
    expect((await get(APP_INDEX_URL, 'POST')).status).toBe(405);
    const head = await get(APP_INDEX_URL, 'HEAD');
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('recognises only our own app URLs', () => {
    expect(isAppUrl('app://mandate-desk/index.html')).toBe(true);
    expect(isAppUrl('app://mandate-desk/')).toBe(true);
    expect(isAppUrl('app://mandate-desk.evil/index.html')).toBe(false);
    expect(isAppUrl('app://evil/index.html')).toBe(false);
    expect(isAppUrl('https://mandate-desk/index.html')).toBe(false);
    expect(isAppUrl('file:///index.html')).toBe(false);
    expect(isAppUrl('about:blank')).toBe(false);
    expect(isAppUrl('')).toBe(false);
  });
});
