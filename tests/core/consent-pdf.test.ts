/**
 * The consent PDF, checked the way a person and a dispute handler would: poppler's pdftotext must
 * find the exact text whose SHA-256 is recorded, the attached terms.txt must hash to it byte for
 * byte, and pdftoppm must render every page (set MANDATE_DESK_PDF_PREVIEW=/some/dir to keep the PNGs).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { deflateSync, crc32 } from 'node:zlib';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { ConsentView, Language } from '../../preload/contract';
import { renderConsentPdf, wrapLine } from '../../main/core/consent-pdf';
import { signInManager, startTestCore, type TestCore, callError } from '../helpers/core';
import { mandateParams } from '../helpers/saved-method';

const run = promisify(execFile);

/** A small hand-drawn-looking signature (a wavy stroke) as a PNG data URL, made without any image library. */
function signaturePng(): string {
  const width = 240;
  const height = 80;
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 4); // filter byte 0, then RGBA
    for (let x = 0; x < width; x++) {
      const curve = height / 2 + Math.sin(x / 14) * 18 * Math.cos(x / 55);
      const ink = Math.abs(y - curve) < 2;
      row.set(ink ? [20, 30, 90, 255] : [255, 255, 255, 0], 1 + x * 4);
    }
    rows.push(row);
  }
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
  return `data:image/png;base64,${png.toString('base64')}`;
}

let t: TestCore | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await t?.close();
  t = undefined;
});
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const PEOPLE: Record<Language, { name: string; email: string; purpose: string; timing: string; policy: string }> = {
  en: {
    name: 'Ada Customer',
    email: 'ada@example.com',
    purpose: 'Laundry and dry cleaning picked up at the counter, including alterations agreed in store',
    timing: 'After each pickup',
    policy: 'Cancel any time at the counter or by e-mail.',
  },
  ja: {
    name: '山田 花子',
    email: 'hanako@example.jp',
    purpose: 'カウンターでお受け取りいただくクリーニングとお直しの代金（店頭で合意したもの）',
    timing: 'お受け取りのたびに',
    policy: 'カウンターまたはメールでいつでも解約できます。',
  },
};

async function consentIn(language: Language): Promise<ConsentView> {
  t = await startTestCore();
  await signInManager(t);
  await t.call('settings.update', { shopName: language === 'ja' ? 'さくらクリーニング 本店' : 'Sakura Cleaners', shopContact: '03-1234-5678 · info@sakura.example' });
  const person = PEOPLE[language];
  const { customer } = await t.call('customers.create', { name: person.name, email: person.email, language });
  const params = mandateParams({ purpose: person.purpose, timing: person.timing, cancellationPolicy: person.policy, currency: language === 'ja' ? 'jpy' : 'eur' });
  const terms = await t.call('terms.render', { customerId: customer.id, language, params });
  return t.call('consents.record', {
    customerId: customer.id,
    language,
    params,
    shownSha256: terms.sha256,
    typedName: person.name,
    accepted: true,
    staffConfirmed: true,
    signaturePng: signaturePng(),
    timeZone: language === 'ja' ? 'Asia/Tokyo' : 'Europe/London',
  });
}

async function writePdf(base64: string, name: string): Promise<{ dir: string; path: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'mandate-desk-pdf-'));
  dirs.push(dir);
  const path = join(dir, `${name}.pdf`);
  await writeFile(path, Buffer.from(base64, 'base64'));
  return { dir, path };
}

/** The text without what repeats on every page (footer, training banner), which may fall between two lines of the terms. */
function withoutPageFurniture(text: string): string {
  const furniture = [/page \d+ of \d+$/, /\d+ \/ \d+ ページ$/, /^TRAINING\b/, /^Made in training mode/, /^トレーニングモードで作成/];
  return text
    .split('\n')
    .filter((line) => !furniture.some((pattern) => pattern.test(line.trim())))
    .join('\n');
}

/** Line breaks and spacing are layout, not content: compare without any whitespace. */
const squash = (text: string) => text.replace(/\s+/g, '');

describe.each(['en', 'ja'] as const)('consents.pdf in %s', (language) => {
  it('holds the exact accepted text, its hash, the details and the signature, and renders', async () => {
    const consent = await consentIn(language);
    const file = await t!.call('consents.pdf', { consentId: consent.id });
    expect(file.mimeType).toBe('application/pdf');
    expect(file.filename).toMatch(new RegExp(`^consent-${consent.id}-\\d{4}-\\d{2}-\\d{2}\\.pdf$`));
    const bytes = Buffer.from(file.base64, 'base64');
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    // the font is subset to what the page uses: far below the 4.5 MB font file
    expect(bytes.length).toBeLessThan(400_000);

    const { dir, path } = await writePdf(file.base64, `consent-${language}`);
    const { stdout: fonts } = await run('pdffonts', [path]);
    expect(fonts).toMatch(/NotoSansJP/);
    expect(fonts).toMatch(/\byes\b/); // embedded

    const { stdout: text } = await run('pdftotext', ['-enc', 'UTF-8', path, '-']);
    const body = withoutPageFurniture(text);
    expect(squash(body)).toContain(squash(consent.text));
    if (language === 'en') expect(body.replace(/\s+/g, ' ')).toContain(consent.text.replace(/\s+/g, ' ').trim());
    for (const expected of [consent.textSha256, consent.termsVersion, consent.typedName, consent.id, consent.acceptedAtUtc, 'Mina Manager', consent.acceptedAtLocal])
      expect(squash(text), expected).toContain(squash(expected));
    expect(text).toContain(language === 'ja' ? 'さくらクリーニング' : 'Sakura Cleaners');
    expect(text).toMatch(/^\f?TRAINING/m); // made in training mode: on every page
    expect(text.match(/^\f?TRAINING/gm)?.length).toBe(Number(/Pages:\s+(\d+)/.exec((await run('pdfinfo', [path])).stdout)?.[1]));
    expect(squash(text)).toContain(squash(PEOPLE[language].purpose));

    // The attachment is the text itself: its hash is the recorded one, byte for byte.
    await run('pdfdetach', ['-saveall', '-o', dir, path]);
    const attached = await readFile(join(dir, 'terms.txt'));
    expect(createHash('sha256').update(attached).digest('hex')).toBe(consent.textSha256);

    // Every page renders, and the signature image is on the last one.
    const { stdout: info } = await run('pdfinfo', [path]);
    const pages = Number(/Pages:\s+(\d+)/.exec(info)?.[1]);
    expect(pages).toBeGreaterThanOrEqual(2);
    const { stdout: images } = await run('pdfimages', ['-list', path]);
    expect(images).toMatch(/\s240\s+80\s/);
    const previewDir = process.env.MANDATE_DESK_PDF_PREVIEW || join(dir, 'png');
    await mkdir(previewDir, { recursive: true });
    await run('pdftoppm', ['-r', '70', '-png', path, join(previewDir, `consent-${language}`)]);
    const rendered = (await readdir(previewDir)).filter((f) => f.startsWith(`consent-${language}`) && f.endsWith('.png'));
    expect(rendered).toHaveLength(pages);
    for (const png of rendered) expect((await stat(join(previewDir, png))).size).toBeGreaterThan(5_000);
  });
});

describe('consents.pdf', () => {
  it('has no TRAINING mark outside training mode', async () => {
    const consent = await consentIn('en');
    const bytes = await renderConsentPdf({
      consent,
      shop: { name: 'Sakura Cleaners', contact: '03-1234-5678' },
      terminal: { id: consent.terminalId, name: 'Counter 1' },
      mode: 'live',
      generatedAt: new Date('2026-12-01T10:00:00Z'),
    });
    const { path } = await writePdf(Buffer.from(bytes).toString('base64'), 'live');
    const { stdout: text } = await run('pdftotext', ['-enc', 'UTF-8', path, '-']);
    expect(text).not.toMatch(/TRAINING|training mode/);
    expect(text).toContain('Counter 1');
    expect(squash(withoutPageFurniture(text))).toContain(squash(consent.text));
    expect(withoutPageFurniture(text).replace(/\s+/g, ' ')).toContain(consent.text.replace(/\s+/g, ' ').trim());
  });

  it('is inside the evidence export, with its hash, and holds the same text', async () => {
    const consent = await consentIn('ja');
    const evidence = JSON.parse((await t!.call('consents.exportEvidence', { consentId: consent.id })).content);
    expect(evidence.consentPdf).toMatchObject({ filename: expect.stringMatching(/^consent-.*\.pdf$/), mimeType: 'application/pdf' });
    const bytes = Buffer.from(evidence.consentPdf.base64, 'base64');
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(evidence.consentPdf.sha256);
    const { path } = await writePdf(evidence.consentPdf.base64, 'evidence');
    const { stdout: text } = await run('pdftotext', ['-enc', 'UTF-8', path, '-']);
    expect(squash(withoutPageFurniture(text))).toContain(squash(consent.text));
  });

  it('refuses an unknown consent and a signed-out caller', async () => {
    t = await startTestCore();
    expect((await t.raw('consents.pdf', { consentId: 'consent_x' })) as unknown).toMatchObject({ ok: false, error: { code: 'not_signed_in' } });
    await signInManager(t);
    expect((await callError(t.call('consents.pdf', { consentId: 'consent_nope' }))).code).toBe('not_found');
    expect((await t.raw('consents.pdf', { consentId: '' })) as unknown).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });
});

describe('wrapLine', () => {
  const measure = (text: string) => [...text].length * 10; // every character 10 pt wide

  it('breaks English at spaces and keeps every word whole', () => {
    const lines = wrapLine('The shop may not use this permission for any other purpose.', 150, measure);
    expect(lines.join(' ')).toBe('The shop may not use this permission for any other purpose.');
    for (const line of lines) expect(measure(line)).toBeLessThanOrEqual(150);
    expect(lines.every((line) => !line.startsWith(' ') && !line.endsWith(' '))).toBe(true);
  });

  it('breaks Japanese between characters but never before closing punctuation', () => {
    const lines = wrapLine('店舗はこの許可をその他の目的に使用することはできません。お客様の許可、確認。', 100, measure);
    expect(lines.join('')).toBe('店舗はこの許可をその他の目的に使用することはできません。お客様の許可、確認。');
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) expect(/^[、。）」]/.test(line), line).toBe(false);
  });

  it('cuts a word longer than the line', () => {
    expect(wrapLine('e3b0c44298fc1c149afbf4c8996fb924', 100, measure)).toEqual(['e3b0c44298', 'fc1c149afb', 'f4c8996fb9', '24']);
  });
});
