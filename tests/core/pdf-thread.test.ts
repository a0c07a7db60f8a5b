/**
 * Consent and evidence PDFs are rendered in a worker thread (main/core/pdf-thread.ts): main's event
 * loop keeps turning while one renders, and the bytes are those the same rendering gives in-thread.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { renderConsentPdf, type ConsentPdfInput } from '../../main/core/consent-pdf';
import { renderConsentPdfHere } from '../../main/core/consent-pdf-render';
import { pdfWorkerFile, stopPdfWorker } from '../../main/core/pdf-thread';
import { evidencePdf, pdfAttachments, EVIDENCE_RECORD_NAME } from '../../main/core/stripe-share';
import { signInManager, startTestCore } from '../helpers/core';
import { mandateParams } from '../helpers/saved-method';

const run = promisify(execFile);
const dirs: string[] = [];
afterAll(async () => {
  await stopPdfWorker();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function japaneseConsent() {
  const t = await startTestCore();
  await signInManager(t);
  await t.call('settings.update', { shopName: 'さくらクリーニング 本店', shopContact: '03-1234-5678' });
  const { customer } = await t.call('customers.create', { name: '山田 花子', email: 'hanako@example.jp', language: 'ja' });
  const params = mandateParams({ currency: 'jpy', purpose: 'カウンターでお受け取りいただくクリーニングとお直しの代金' });
  const terms = await t.call('terms.render', { customerId: customer.id, language: 'ja', params });
  const consent = await t.call('consents.record', {
    customerId: customer.id,
    language: 'ja',
    params,
    shownSha256: terms.sha256,
    typedName: '山田 花子',
    accepted: true,
    staffConfirmed: true,
    signaturePng: null,
    timeZone: 'Asia/Tokyo',
  });
  return { t, consent, customerId: customer.id };
}

async function textOf(bytes: Uint8Array): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mandate-desk-pdf-thread-'));
  dirs.push(dir);
  const path = join(dir, 'x.pdf');
  await writeFile(path, bytes);
  return (await run('pdftotext', ['-enc', 'UTF-8', path, '-'])).stdout;
}

describe('the PDF worker thread', () => {
  it('renders while main keeps turning, and gives the bytes in-thread rendering gives', async () => {
    const { t, consent, customerId } = await japaneseConsent();
    try {
      const input: ConsentPdfInput = { consent, shop: { name: 'さくらクリーニング 本店', contact: '03-1234-5678' }, terminal: { id: 'term_1', name: 'カウンター1' }, mode: 'training', generatedAt: new Date('2026-12-01T10:00:00Z') };
      await renderConsentPdf(input); // the worker is started and has read the font: what follows is rendering alone

      const delay = monitorEventLoopDelay({ resolution: 5 });
      let ticks = 0;
      const timer = setInterval(() => ticks++, 10);
      delay.enable();
      const started = performance.now();
      const [inWorker, evidence] = await Promise.all([renderConsentPdf(input), evidencePdf(t.core.env, await t.core.env.records.requireCustomer(customerId), (await t.core.env.records.requireCustomer(customerId)).consents[0]!)]);
      const took = performance.now() - started;
      delay.disable();
      clearInterval(timer);
      const maxMs = delay.max / 1e6;
      expect(maxMs, `max event-loop delay ${maxMs.toFixed(1)} ms over ${took.toFixed(0)} ms of rendering`).toBeLessThan(100);
      expect(ticks).toBeGreaterThanOrEqual(Math.floor(took / 10 / 3));

      // the same bytes as rendering on this thread (which is what blocked main before)
      const blocking = monitorEventLoopDelay({ resolution: 5 });
      blocking.enable();
      const here = await renderConsentPdfHere(input);
      blocking.disable();
      expect(Buffer.from(inWorker).equals(Buffer.from(here))).toBe(true);
      // rendering in-thread does hold the loop (what the worker is for): the measurement above could fail
      expect(blocking.max / 1e6).toBeGreaterThan(maxMs);

      const squash = (s: string) => s.replace(/\s+/g, '');
      const text = await textOf(inWorker);
      expect(squash(text)).toContain(squash(consent.textSha256));
      expect(squash(text)).toContain('カウンター1');
      expect(squash(text)).toContain(squash(consent.text.split('\n').find((l) => l.length > 20)!));

      // the evidence PDF too: the consent as accepted, with the record attached
      expect(squash(await textOf(evidence.bytes))).toContain(squash(consent.textSha256));
      const record = JSON.parse(new TextDecoder().decode((await pdfAttachments(evidence.bytes)).get(EVIDENCE_RECORD_NAME)));
      expect(record).toMatchObject({ id: consent.id, textSha256: consent.textSha256 });
    } finally {
      await t.close();
    }
  }, 60_000);

  it('fails a job with a clear error and keeps serving the next one', async () => {
    const bad = { consent: { language: 'ja' } } as unknown as ConsentPdfInput;
    await expect(renderConsentPdf(bad)).rejects.toThrow();
    const { t, consent } = await japaneseConsent();
    try {
      const bytes = await renderConsentPdf({ consent, shop: { name: 'S', contact: 'C' }, terminal: { id: 't', name: null }, mode: 'live', generatedAt: new Date() });
      expect(Buffer.from(bytes.subarray(0, 5)).toString('latin1')).toBe('%PDF-');
    } finally {
      await t.close();
    }
  }, 60_000);

  it('finds its entry from source and in the built layout (out/main/pdf-worker.js beside the chunks)', async () => {
    expect(pdfWorkerFile().url.pathname).toMatch(/\/main\/pdf-worker-source\.mjs$/);
    const out = await mkdtemp(join(tmpdir(), 'mandate-desk-out-'));
    dirs.push(out);
    await writeFile(join(out, 'pdf-worker.js'), '');
    const chunk = new URL(`file://${out}/chunks/index-abc123.js`).href;
    expect(pdfWorkerFile(chunk).url.pathname).toBe(join(out, 'pdf-worker.js'));
    expect(pdfWorkerFile(new URL(`file://${out}/browser.js`).href).url.pathname).toBe(join(out, 'pdf-worker.js'));
    expect(() => pdfWorkerFile(new URL(`file://${out}/elsewhere/deeper/x.js`).href)).toThrow(/pdf-worker\.js/);
  });
});
