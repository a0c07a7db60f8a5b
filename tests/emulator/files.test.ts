/** Files API through the real SDK: multipart upload (sent to the client's `host`), retrieve, list, contents, errors. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import type Stripe from 'stripe';
import type { RunningEmulator } from '../../main/emulator/index.js';
import { EMULATOR_API_KEY } from '../../main/emulator/index.js';
import { startEmulatorWithClient } from './helpers.js';

let emulator: RunningEmulator;
let stripe: Stripe;

beforeAll(async () => {
  ({ emulator, stripe } = await startEmulatorWithClient());
});
afterAll(() => emulator.stop());

// a small but real PDF header, then bytes that are not valid UTF-8 (the upload must stay binary)
const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1'), Buffer.from([0, 255, 254, 128, 10]), Buffer.from('consent evidence\n%%EOF\n')]);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('Files', () => {
  it('uploads evidence as multipart and gives back the same bytes at its url', async () => {
    const before = emulator.requestLog.length;
    const file = await stripe.files.create({ purpose: 'dispute_evidence', file: { data: pdf, name: 'consent-c1.pdf', type: 'application/pdf' } });
    expect(file).toMatchObject({ object: 'file', purpose: 'dispute_evidence', filename: 'consent-c1.pdf', size: pdf.length, type: 'pdf', expires_at: null });
    expect(file.id).toMatch(/^file_/);
    // it went to the emulator (the SDK uses the configured host for files.stripe.com as well)
    expect(emulator.requestLog.slice(before).map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(['POST /v1/files 200']);
    expect(file.url).toBe(`${emulator.origin}/v1/files/${file.id}/contents`);
    const res = await fetch(file.url!, { headers: { authorization: `Bearer ${EMULATOR_API_KEY}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(sha256(Buffer.from(await res.arrayBuffer()))).toBe(sha256(pdf));
    expect(await stripe.files.retrieve(file.id)).toMatchObject({ id: file.id, size: pdf.length });
    const listed = await stripe.files.list({ purpose: 'dispute_evidence' });
    expect(listed.data.map((f) => f.id)).toContain(file.id);
    expect((await stripe.files.list({ purpose: 'identity_document' })).data).toEqual([]);
  });

  it('contents need an API key, like every /v1 route', async () => {
    const file = await stripe.files.create({ purpose: 'dispute_evidence', file: { data: pdf, name: 'e.pdf', type: 'application/pdf' } });
    expect((await fetch(file.url!)).status).toBe(401);
  });

  it('refuses what Stripe refuses, and stores nothing', async () => {
    const count = async () => (await stripe.files.list({ limit: 100 })).data.length;
    const n = await count();
    await expect(stripe.files.create({ purpose: 'dispute_evidence', file: { data: Buffer.from('plain text'), name: 'notes.txt', type: 'text/plain' } })).rejects.toMatchObject({ statusCode: 400, param: 'file' });
    await expect(stripe.files.create({ purpose: 'dispute_evidence', file: { data: Buffer.alloc(0), name: 'empty.pdf', type: 'application/pdf' } })).rejects.toMatchObject({ statusCode: 400, param: 'file' });
    await expect(stripe.files.create({ purpose: 'no_such_purpose' as Stripe.FileCreateParams.Purpose, file: { data: pdf, name: 'a.pdf', type: 'application/pdf' } })).rejects.toMatchObject({ statusCode: 400, param: 'purpose' });
    await expect(stripe.files.create({ file: { data: pdf, name: 'a.pdf', type: 'application/pdf' } } as unknown as Stripe.FileCreateParams)).rejects.toMatchObject({ statusCode: 400, code: 'parameter_missing', param: 'purpose' });
    const big = Buffer.concat([pdf, Buffer.alloc(5 * 1024 * 1024)]);
    await expect(stripe.files.create({ purpose: 'dispute_evidence', file: { data: big, name: 'big.pdf', type: 'application/pdf' } })).rejects.toMatchObject({ statusCode: 400, param: 'file' });
    // `file` as a plain form field is not an upload
    const form = await fetch(`${emulator.origin}/v1/files`, { method: 'POST', headers: { authorization: `Bearer ${EMULATOR_API_KEY}`, 'content-type': 'application/x-www-form-urlencoded' }, body: 'purpose=dispute_evidence&file=abc' });
    expect(form.status).toBe(400);
    expect((await form.json()).error.param).toBe('file');
    await expect(stripe.files.retrieve('file_nope')).rejects.toMatchObject({ statusCode: 404, code: 'resource_missing' });
    expect(await count()).toBe(n);
  });
});
