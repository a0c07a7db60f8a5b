import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./electron-standin'));

import * as electron from './electron-standin';
import { createEncryptedSecretSlot, createSecretStore, SECRET_FILE, SecretStoreError } from '../../main/secret-store';
import { createPlainSecretSlot, SMTP_PASSWORD_FILE } from '../../main/secret-file';
import type { Logger } from '../../main/core/ports';

const KEY = 'rk_test_51AbCdEfGhIjKlMnOpQrStUvWxYz0123456789';
let dataDir: string;
const logged: string[] = [];
const logger: Logger = {
  info: (m, f) => logged.push(m + JSON.stringify(f ?? {})),
  warn: (m, f) => logged.push(m + JSON.stringify(f ?? {})),
  error: (m, f) => logged.push(m + JSON.stringify(f ?? {})),
};
const store = (platform: NodeJS.Platform = 'linux') => createSecretStore({ safeStorage: electron.safeStorage, dataDir, platform, logger });

async function codeOf(promise: Promise<unknown>): Promise<string | null> {
  return promise.then(
    () => null,
    (error: unknown) => (error instanceof SecretStoreError ? error.code : `unexpected: ${String(error)}`),
  );
}

beforeEach(async () => {
  electron.reset();
  logged.length = 0;
  dataDir = await mkdtemp(join(tmpdir(), 'md-secret-'));
});
afterEach(() => rm(dataDir, { recursive: true, force: true }));

describe('secret store', () => {
  it('round-trips the key through safeStorage; the file never holds it in clear', async () => {
    expect(await store().getStripeKey()).toBeNull();
    await store().setStripeKey(KEY);
    const onDisk = await readFile(join(dataDir, SECRET_FILE), 'utf8');
    expect(onDisk).not.toContain(KEY);
    expect(onDisk).not.toContain('rk_test');
    expect(JSON.parse(onDisk)).toMatchObject({ version: 1, backend: 'gnome_libsecret' });
    expect((await stat(join(dataDir, SECRET_FILE))).mode & 0o077).toBe(0);
    expect(await store().getStripeKey()).toBe(KEY);
    expect(logged.join('\n')).not.toContain(KEY);
  });

  it('refuses to store with the Linux basic_text backend unless the user agreed', async () => {
    electron.safeStorage.backend = 'basic_text';
    expect(await codeOf(store().setStripeKey(KEY))).toBe('insecure_backend');
    expect(await store().getStripeKey()).toBeNull();
    await store().setStripeKey(KEY, { allowBasicText: true });
    expect(await store().getStripeKey()).toBe(KEY);
  });

  it('ignores the Linux backend on other platforms', async () => {
    electron.safeStorage.backend = 'basic_text';
    await store('darwin').setStripeKey(KEY);
    expect(await store('darwin').getStripeKey()).toBe(KEY);
  });

  it('refuses when encryption is unavailable, the backend is not ready, or the key is not a Stripe key', async () => {
    electron.safeStorage.asyncAvailable = false;
    expect(await codeOf(store().setStripeKey(KEY))).toBe('unavailable');
    electron.safeStorage.asyncAvailable = true;
    electron.safeStorage.backend = 'unknown';
    expect(await codeOf(store().setStripeKey(KEY))).toBe('unavailable');
    electron.safeStorage.backend = 'kwallet6';
    expect(await codeOf(store().setStripeKey('pk_test_123'))).toBe('invalid_key');
    expect(await codeOf(store().setStripeKey('sk_test_123 extra'))).toBe('invalid_key');
    expect(electron.safeStorage.encryptCalls).toBe(0);
  });

  it('re-encrypts when safeStorage asks for it, and forgets the key on request', async () => {
    await store().setStripeKey(KEY);
    electron.safeStorage.reEncryptNext = true;
    expect(await store().getStripeKey()).toBe(KEY);
    expect(electron.safeStorage.encryptCalls).toBe(2);
    await store().clearStripeKey();
    expect(await store().getStripeKey()).toBeNull();
  });

  it('reports a damaged or undecryptable file clearly instead of guessing', async () => {
    await writeFile(join(dataDir, SECRET_FILE), '{not json');
    expect(await codeOf(store().getStripeKey())).toBe('unreadable');
    await writeFile(join(dataDir, SECRET_FILE), JSON.stringify({ version: 1, backend: 'kwallet', ciphertext: Buffer.from('zzzz').toString('base64') }));
    expect(await codeOf(store().getStripeKey())).toBe('unreadable');
  });
});

describe('the SMTP password', () => {
  const PASSWORD = 'smtp-Pa55word!';
  it('is encrypted with safeStorage in Electron, refused with basic_text unless agreed, and removed by null', async () => {
    const path = join(dataDir, SMTP_PASSWORD_FILE);
    const slot = (allowBasicText = false) => createEncryptedSecretSlot({ safeStorage: electron.safeStorage, path, platform: 'linux', allowBasicText });
    expect(await slot().get()).toBeNull();
    await slot().set(PASSWORD);
    const onDisk = await readFile(path, 'utf8');
    expect(onDisk).not.toContain(PASSWORD);
    expect((await stat(path)).mode & 0o077).toBe(0);
    expect(await slot().get()).toBe(PASSWORD);
    await slot().set(null);
    expect(await slot().get()).toBeNull();
    electron.safeStorage.backend = 'basic_text';
    expect(await codeOf(slot().set(PASSWORD))).toBe('insecure_backend');
    await slot(true).set(PASSWORD);
    expect(await slot().get()).toBe(PASSWORD);
  });

  it('is a private 0600 file in the browser bridge', async () => {
    const path = join(dataDir, SMTP_PASSWORD_FILE);
    const slot = createPlainSecretSlot(path);
    expect(await slot.get()).toBeNull();
    await slot.set(PASSWORD);
    expect((await stat(path)).mode & 0o077).toBe(0);
    expect(await slot.get()).toBe(PASSWORD);
    await slot.set(null);
    expect(await slot.get()).toBeNull();
  });
});
