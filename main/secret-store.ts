/**
 * The Stripe key at rest (DESIGN §7): encrypted with Electron's `safeStorage` async API (the sync
 * one is deprecated) and kept as a small JSON file in the data dir. On Linux, where only the
 * `basic_text` backend (a hard-coded password) may be available, storing is refused unless the
 * user explicitly agreed. The key is never logged and never leaves main. The file is created 0600 (not
 * chmod-ed after the fact) in the 0700 data folder.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { SafeStorage } from 'electron';
import type { Logger, SecretSlot } from './core/ports';
import { modeForKey } from './core/stripe-client';
import { writePrivateFileAtomic } from './private-file';

export const SECRET_FILE = 'stripe-key.secret.json';

export type SafeStorageApi = Pick<SafeStorage, 'encryptStringAsync' | 'decryptStringAsync' | 'isAsyncEncryptionAvailable' | 'getSelectedStorageBackend'>;

export class SecretStoreError extends Error {
  constructor(
    readonly code: 'insecure_backend' | 'unavailable' | 'invalid_key' | 'unreadable',
    message: string,
  ) {
    super(message);
    this.name = 'SecretStoreError';
  }
}

export interface StoreKeyOptions {
  /** The user agreed to store the key although Linux offers only `basic_text` (weak) protection. */
  allowBasicText?: boolean;
}

export interface SecretStore {
  /** The stored key, or null when none is stored. */
  getStripeKey(): Promise<string | null>;
  setStripeKey(key: string, options?: StoreKeyOptions): Promise<void>;
  clearStripeKey(): Promise<void>;
  /** The Linux backend in use ('n/a' elsewhere), for telling the user what protects the key. */
  backend(): string;
}

interface SecretFile {
  version: 1;
  backend: string;
  ciphertext: string;
}

export function createSecretStore(options: { safeStorage: SafeStorageApi; dataDir: string; platform?: NodeJS.Platform; logger: Logger }): SecretStore {
  const { safeStorage, logger } = options;
  const platform = options.platform ?? process.platform;
  const path = join(options.dataDir, SECRET_FILE);
  const backend = () => (platform === 'linux' ? safeStorage.getSelectedStorageBackend() : 'n/a');

  const writeEncrypted = async (key: string) => {
    const ciphertext = await safeStorage.encryptStringAsync(key);
    const file: SecretFile = { version: 1, backend: backend(), ciphertext: ciphertext.toString('base64') };
    await writePrivateFileAtomic(path, JSON.stringify(file)); // 0600 from creation on
  };

  return {
    backend,
    async getStripeKey() {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw new SecretStoreError('unreadable', `The saved Stripe key could not be read (${(error as Error).message}).`);
      }
      let file: SecretFile;
      try {
        file = JSON.parse(text) as SecretFile;
        if (file.version !== 1 || typeof file.ciphertext !== 'string') throw new Error('unknown format');
      } catch {
        throw new SecretStoreError('unreadable', `The saved Stripe key file ${path} is damaged. Remove it (or start with --forget-stripe-key) and save the key again.`);
      }
      let decrypted: { result: string; shouldReEncrypt: boolean };
      try {
        decrypted = await safeStorage.decryptStringAsync(Buffer.from(file.ciphertext, 'base64'));
      } catch {
        throw new SecretStoreError('unreadable', 'The saved Stripe key could not be decrypted on this computer/user account. Save the key again.');
      }
      if (decrypted.shouldReEncrypt) {
        await writeEncrypted(decrypted.result).catch((error: unknown) => logger.warn('could not re-encrypt the saved Stripe key', { error: String(error) }));
      }
      return decrypted.result;
    },
    async setStripeKey(key, storeOptions = {}) {
      if (!modeForKey(key)) throw new SecretStoreError('invalid_key', 'That is not a Stripe secret key (sk_…) or restricted key (rk_…).');
      if (!(await safeStorage.isAsyncEncryptionAvailable()))
        throw new SecretStoreError('unavailable', 'This system offers no way to encrypt the key, so it was not saved.');
      const selected = backend();
      if (selected === 'unknown') throw new SecretStoreError('unavailable', 'The system keyring is not ready yet, so the key was not saved.');
      if (selected === 'basic_text' && !storeOptions.allowBasicText) {
        throw new SecretStoreError(
          'insecure_backend',
          'No system keyring (GNOME Keyring / KWallet) is available, so the key would be protected only by a fixed password. ' +
            'It was not saved. Install a keyring, or agree explicitly to weak protection.',
        );
      }
      await writeEncrypted(key);
      logger.info('Stripe key saved in the secret store', { backend: selected });
    },
    async clearStripeKey() {
      await rm(path, { force: true });
      logger.info('Stripe key removed from the secret store');
    },
  };
}

/**
 * One more secret kept like the Stripe key (the SMTP password): encrypted with safeStorage in a 0600
 * file. Refused where Linux offers only `basic_text`, unless the user agreed to weak protection.
 */
export function createEncryptedSecretSlot(options: { safeStorage: SafeStorageApi; path: string; platform?: NodeJS.Platform; allowBasicText?: boolean }): SecretSlot {
  const { safeStorage, path } = options;
  const platform = options.platform ?? process.platform;
  const backend = () => (platform === 'linux' ? safeStorage.getSelectedStorageBackend() : 'n/a');
  return {
    async get() {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw new SecretStoreError('unreadable', `The saved password could not be read (${(error as Error).message}).`);
      }
      try {
        const file = JSON.parse(text) as SecretFile;
        return (await safeStorage.decryptStringAsync(Buffer.from(file.ciphertext, 'base64'))).result;
      } catch {
        throw new SecretStoreError('unreadable', 'The saved password could not be decrypted on this computer/user account. Save it again.');
      }
    },
    async set(value) {
      if (value === null) {
        await rm(path, { force: true });
        return;
      }
      if (!(await safeStorage.isAsyncEncryptionAvailable())) throw new SecretStoreError('unavailable', 'This system offers no way to encrypt the password, so it was not saved.');
      const selected = backend();
      if (selected === 'unknown') throw new SecretStoreError('unavailable', 'The system keyring is not ready yet, so the password was not saved.');
      if (selected === 'basic_text' && !options.allowBasicText)
        throw new SecretStoreError('insecure_backend', 'No system keyring (GNOME Keyring / KWallet) is available, so the password would be protected only by a fixed password. It was not saved.');
      const ciphertext = await safeStorage.encryptStringAsync(value);
      const file: SecretFile = { version: 1, backend: selected, ciphertext: ciphertext.toString('base64') };
      await writePrivateFileAtomic(path, JSON.stringify(file));
    },
  };
}
