/**
 * Staff PINs: scrypt with a random salt per staff member, compared in constant time.
 * A PIN is only ever held in memory for the length of one call; never stored, never logged.
 */
import { randomBytes, scrypt, timingSafeEqual, type BinaryLike } from 'node:crypto';

const KEY_LENGTH = 64;
const SALT_BYTES = 16;
// Node's defaults (N = 2^14, r = 8): tens of milliseconds per guess, within scrypt's default memory limit.
const SCRYPT_OPTIONS = { N: 16_384, r: 8, p: 1 } as const;

export interface PinHash {
  /** hex */
  hash: string;
  /** hex */
  salt: string;
}

function derive(pin: string, salt: BinaryLike): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(pin, salt, KEY_LENGTH, SCRYPT_OPTIONS, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

export async function hashPin(pin: string): Promise<PinHash> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(pin, salt);
  return { hash: key.toString('hex'), salt: salt.toString('hex') };
}

export async function verifyPin(pin: string, stored: PinHash): Promise<boolean> {
  const expected = Buffer.from(stored.hash, 'hex');
  const actual = await derive(pin, Buffer.from(stored.salt, 'hex'));
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** Spends the same time as a real check, so an unknown name cannot be told apart by timing. */
let decoy: Promise<PinHash> | undefined;
export async function verifyPinDecoy(pin: string): Promise<false> {
  decoy ??= hashPin(randomBytes(8).toString('hex'));
  await verifyPin(pin, await decoy);
  return false;
}
