/**
 * Issue 10: the customer finishes on their own phone. The shop chooses "Their phone" in Settings;
 * the waiting screen shows the Checkout URL as a QR code (no page opens on the desk); the customer's
 * phone (a separate browser with a phone-sized context) opens the URL the QR encodes and saves Amazon
 * Pay there, lands on a page it can open, and the desk shows the outcome by itself. Then the consent's
 * PDF is downloaded from the consent screen. Once in English, once with desk and customer in Japanese.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from '@playwright/test';
import QRCode from 'qrcode';
import type { Language } from '../../preload/contract';
import { QR_OPTIONS, qrWidthFor } from '../../renderer/components/CheckoutQr';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../playwright.config';
import { expect, test } from './fixtures';
import { createCustomer, createFirstManager, deskOf, goToNav, heading1, recordConsent, region, screen, switchLanguage, type ConsentInput, type CustomerInput, type Desk } from './steps';

interface Case {
  lang: Language;
  customer: CustomerInput;
  consent: ConsentInput;
  phoneSaved: string;
}

const CASES: Case[] = [
  { lang: 'en', customer: { name: 'Pia Phone', email: 'pia@example.com', language: 'en' }, consent: { currency: 'eur', amountText: '80.00' }, phoneSaved: 'Your payment method has been saved.' },
  { lang: 'ja', customer: { name: '佐藤 太郎', email: 'taro@example.jp', language: 'ja' }, consent: { currency: 'jpy', amountText: '8,000' }, phoneSaved: '支払い方法を保存しました。' },
];

let phoneBrowser: Browser | null = null;
test.afterAll(async () => {
  await phoneBrowser?.close();
});

/** Reads the QR image on the desk module by module (in the page, from its pixels) and compares it with what `qrcode` makes of the URL. */
async function expectQrEncodes(desk: Desk, url: string): Promise<void> {
  const expected = QRCode.create(url, { errorCorrectionLevel: QR_OPTIONS.errorCorrectionLevel });
  const size = expected.modules.size;
  const img = desk.page.locator('.checkout-qr img');
  await expect(img).toHaveAttribute('src', /^data:image\/png;base64,/);
  const seen = await img.evaluate(
    async (element, { size, margin }) => {
      const image = element as HTMLImageElement;
      await image.decode();
      const canvas = document.createElement('canvas');
      canvas.width = image.naturalWidth;
      canvas.height = image.naturalHeight;
      const context = canvas.getContext('2d')!;
      context.drawImage(image, 0, 0);
      const scale = canvas.width / (size + 2 * margin);
      const dark: boolean[] = [];
      for (let row = 0; row < size; row++)
        for (let col = 0; col < size; col++) {
          const [r] = context.getImageData(Math.floor((margin + col + 0.5) * scale), Math.floor((margin + row + 0.5) * scale), 1, 1).data;
          dark.push(r < 128);
        }
      return { dark, naturalWidth: canvas.width };
    },
    { size, margin: QR_OPTIONS.margin },
  );
  expect(seen.naturalWidth).toBe(qrWidthFor(url));
  expect(seen.dark).toEqual(Array.from(expected.modules.data, (bit) => bit === 1));
  // shown at its full size (at least 320 px, about 8 cm on a typical screen), readable from a counter
  const box = await img.boundingBox();
  expect(box?.width).toBeGreaterThanOrEqual(QR_OPTIONS.minWidth);
  expect(box?.width).toBeCloseTo(qrWidthFor(url), 0);
}

for (const c of CASES) {
  test(`[${c.lang}] the customer scans the QR code and saves Amazon Pay on their phone while the desk follows`, async ({ app }, testInfo) => {
    const desk = deskOf(app, c.lang);
    const { page, t } = desk;
    await switchLanguage(desk);
    await createFirstManager(desk);

    // Settings: the customer finishes on their phone
    await goToNav(desk, 'settings');
    const setupSettings = page.getByRole('form', { name: t('settings.setupSection') });
    await setupSettings.getByRole('radio', { name: t('settings.finishOn.phone') }).check();
    await expect(setupSettings.getByText(t('settings.shopWebPageTraining'))).toBeVisible();
    await setupSettings.getByLabel(t('settings.shopWebPage'), { exact: true }).fill('http://not-https.example/');
    await setupSettings.getByRole('button', { name: t('settings.saveSetup') }).click();
    await expect(setupSettings.getByText(t('validation.httpsUrl'))).toBeVisible();
    await setupSettings.getByLabel(t('settings.shopWebPage'), { exact: true }).fill('');
    await setupSettings.getByRole('button', { name: t('settings.saveSetup') }).click();
    await expect(setupSettings.getByText(t('settings.setupSaved'))).toBeVisible();
    await screen(page, testInfo, `${c.lang}-phone-01-settings`);

    await createCustomer(desk, c.customer);
    await recordConsent(desk, c.customer, c.consent); // recording the consent goes straight on to the setup
    const waiting = region(desk, t('setup.waitingPhone'));
    await expect(waiting).toBeVisible();
    await expect(waiting.getByRole('button', { name: t('setup.openHere') })).toBeEnabled();
    await expect(waiting.getByRole('button', { name: t('setup.sendEmail') })).toBeDisabled();
    await expect(waiting.getByText(t('setup.emailLater'))).toBeVisible();
    // a fresh in-store setup: about 30 minutes left
    await expect(waiting.locator('.countdown')).toHaveText(/(^|\D)3[01]:\d\d(\D|$)/);

    const qrUrl = (await page.locator('[data-qr-url]').getAttribute('data-qr-url')) ?? '';
    expect(new URL(qrUrl).pathname).toMatch(/^\/checkout\/pay\/cs_test_/);
    await expectQrEncodes(desk, qrUrl);
    expect(await app.openedUrls()).toEqual([]); // nothing opened on the desk's own browser
    await screen(page, testInfo, `${c.lang}-phone-02-qr`);

    // The customer's phone: its own browser and context, phone-sized, in the customer's language
    phoneBrowser ??= await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    const phoneContext = await phoneBrowser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: c.lang === 'ja' ? 'ja-JP' : 'en-US' });
    const phone = await phoneContext.newPage();
    await phone.goto(qrUrl);
    await phone.getByRole('button', { name: /Continue to Amazon Pay/ }).click();
    await expect(waiting).toBeVisible(); // the desk is still waiting while the customer is on their phone
    await phone.getByRole('button', { name: /Authorize test setup/ }).click();
    await phone.waitForURL(/\/checkout\/done\?session_id=cs_test_/);
    await expect(phone.locator('html')).toHaveAttribute('lang', c.lang);
    await expect(phone.getByText(c.phoneSaved)).toBeVisible();
    await screen(phone, testInfo, `${c.lang}-phone-03-phone-done`);
    await phoneContext.close();

    // The desk follows by itself (polling): nobody clicks "Check now"
    const success = region(desk, t('setup.succeeded'));
    await expect(success).toBeVisible();
    await expect(success.getByText(/^pm_\w+$/)).toBeVisible();
    await screen(page, testInfo, `${c.lang}-phone-04-saved`);

    // The consent's PDF from the consent screen
    await page.getByRole('button', { name: t('setup.backToCustomer') }).click();
    await region(desk, t('customer.consents')).getByRole('button', { name: t('customer.viewConsent') }).click();
    await expect(heading1(desk, t('consentDoc.title'))).toBeVisible();
    await screen(page, testInfo, `${c.lang}-phone-05-consent`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: t('consentDoc.pdf') }).click()]);
    expect(download.suggestedFilename()).toMatch(/^consent-consent_\w+-\d{4}-\d{2}-\d{2}\.pdf$/);
    const pdfPath = join(testInfo.outputDir, download.suggestedFilename());
    await download.saveAs(pdfPath);
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', pdfPath, '-'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    expect(text.replace(/\s+/g, '')).toContain(c.customer.name.replace(/\s+/g, ''));
    expect(text).toMatch(/^\f?TRAINING/m);
    writeFileSync(join(testInfo.outputDir, 'pdf-text.txt'), text);
  });
}
