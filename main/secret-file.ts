/**
 * Secrets as small private files in the data folder, for the SMTP password (no electron import):
 * - `createPlainSecretSlot`: a 0600 file in the 0700 data folder, for the browser bridge, which is a
 *   development and test tool without an OS keyring (the password is as safe as this user account);
 * - the Electron app encrypts with safeStorage instead (`createEncryptedSecretSlot` in secret-store.ts).
 * Neither logs the value.
 */
import { readFile, rm } from 'node:fs/promises';
import type { SecretSlot } from './core/ports';
import { writePrivateFileAtomic } from './private-file';

export const SMTP_PASSWORD_FILE = 'smtp-password.secret.json';

export function createPlainSecretSlot(path: string): SecretSlot {
  return {
    async get() {
      try {
        const file = JSON.parse(await readFile(path, 'utf8')) as { version?: number; plaintext?: unknown };
        return file.version === 1 && typeof file.plaintext === 'string' ? file.plaintext : null;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw new Error(`The saved SMTP password (${path}) could not be read; save it again in Settings.`, { cause: error });
      }
    },
    async set(value) {
      if (value === null) await rm(path, { force: true });
      else await writePrivateFileAtomic(path, JSON.stringify({ version: 1, plaintext: value }));
    },
  };
}
