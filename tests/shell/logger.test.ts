import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger, maskSecrets } from '../../main/logger';

let dir: string | null = null;
afterEach(async () => {
  vi.restoreAllMocks();
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = null;
});

describe('logger', () => {
  it('masks Stripe keys and client secrets wherever they appear', () => {
    expect(maskSecrets('key sk_live_51Abc123 used')).toBe('key sk_[redacted] used');
    expect(maskSecrets('rk_test_Xyz and pk_test_Q')).toBe('rk_[redacted] and pk_[redacted]');
    expect(maskSecrets('seti_1Abc_secret_DEF')).toBe('seti_[redacted]');
    expect(maskSecrets('cs_test_a1b2 stays')).toBe('cs_test_a1b2 stays');
  });

  it('writes JSON lines to the file and stderr, never a secret, keeping ordinary ids', async () => {
    dir = await mkdtemp(join(tmpdir(), 'md-logger-'));
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const file = join(dir, 'logs', 'app.log');
    const logger = createLogger({ file, now: () => new Date('2026-01-02T03:04:05Z') });
    logger.error('request with sk_test_51SECRETSECRET failed', {
      apiKey: 'whatever',
      stripeKey: 'x',
      pin: '1234',
      token: 'abc',
      nested: { authorization: 'Bearer sk_live_1', note: 'used rk_live_ZZZ' },
      idempotencyKey: 'charge_1-attempt',
      setupId: 'setup_1',
    });
    const line = JSON.parse((await readFile(file, 'utf8')).trim());
    expect(line).toEqual({
      at: '2026-01-02T03:04:05.000Z',
      level: 'error',
      message: 'request with sk_[redacted] failed',
      fields: {
        apiKey: '[redacted]',
        stripeKey: '[redacted]',
        pin: '[redacted]',
        token: '[redacted]',
        nested: { authorization: '[redacted]', note: 'used rk_[redacted]' },
        idempotencyKey: 'charge_1-attempt',
        setupId: 'setup_1',
      },
    });
    const printed = stderr.mock.calls.map((c) => String(c[0])).join('');
    expect(printed).toContain('ERROR request with sk_[redacted] failed');
    expect(printed).not.toMatch(/SECRETSECRET|sk_live_1|rk_live_ZZZ|1234/);
  });
});
