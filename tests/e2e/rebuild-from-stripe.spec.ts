/**
 * Issue 11, one shop and many desks, in the browser bridge (EN and JA): a consent is taken at the
 * desk, its evidence goes to Stripe, the desk's folder is lost, and "Rebuild this desk from Stripe"
 * brings the customer back with the consent (marked as imported) and its saved method.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Language } from '../../preload/contract';
import { expect, test } from './fixtures';
import { createFirstManager, deskOf, escapeRegExp, goToNav, heading1, openCustomer, region, savedMethodRow, screen, seedSavedMethod, switchLanguage, type CustomerInput } from './steps';

const CASES: Array<{ lang: Language; customer: CustomerInput; amountText: string; currency: 'eur' | 'jpy' }> = [
  { lang: 'en', customer: { name: 'Nora Twodesk', email: 'nora@example.com', language: 'en' }, amountText: '80', currency: 'eur' },
  { lang: 'ja', customer: { name: '高橋 二郎', email: 'jiro.takahashi@example.jp', language: 'ja' }, amountText: '8,000', currency: 'jpy' },
];

test.describe('a desk rebuilt from Stripe', () => {
  test.use({ externalEmulator: true }); // Stripe outlives the desk's folder

  for (const c of CASES) {
    test(`[${c.lang}] the consent's evidence goes to Stripe, and a wiped desk gets the customer back`, async ({ app }, testInfo) => {
      const desk = deskOf(app, c.lang);
      const { t } = desk;
      await switchLanguage(desk);
      await createFirstManager(desk);
      const { paymentMethodId } = await seedSavedMethod(desk, c.customer, { currency: c.currency, amountText: c.amountText });
      // the evidence upload runs in the background (the PDF in a worker thread); the customer page shows when it is done
      await expect(async () => {
        await goToNav(desk, 'customers');
        await openCustomer(desk, c.customer.name);
        await expect(desk.page.getByTestId('consent-share').locator('[data-share-state="uploaded"]')).toBeVisible({ timeout: 2_000 });
      }).toPass({ timeout: 40_000 });

      // the disk dies: the desk's folder is gone, Stripe (the emulator) keeps everything
      await app.stop();
      await rm(join(app.dataDir, 'training'), { recursive: true, force: true });
      await app.start();
      await switchLanguage(desk);
      await createFirstManager(desk);

      await goToNav(desk, 'settings');
      const rebuild = desk.page.getByTestId('rebuild');
      await rebuild.getByRole('button', { name: t('rebuild.start') }).click();
      await rebuild.getByRole('group', { name: t('rebuild.confirm') }).getByRole('button', { name: t('rebuild.start') }).click();
      await expect(rebuild.getByText(t('rebuild.progress', { done: 1, total: 1, percent: 100 }))).toBeVisible({ timeout: 20_000 });
      await expect(rebuild.getByRole('status')).toHaveText(new RegExp(escapeRegExp(t('rebuild.done', { time: 'TIME', done: 1 })).replace('TIME', '.+')));
      await expect(rebuild.locator('progress')).toHaveAttribute('value', '100');
      await rebuild.scrollIntoViewIfNeeded();
      await screen(desk.page, testInfo, `rebuild-${c.lang}`);

      await goToNav(desk, 'customers');
      await openCustomer(desk, c.customer.name);
      await expect(heading1(desk, c.customer.name)).toBeVisible();
      await expect(savedMethodRow(desk, paymentMethodId)).toBeVisible();
      const consents = region(desk, t('customer.consents'));
      await expect(consents.locator('[data-origin="stripe"]')).toBeVisible();
      await expect(consents.getByTestId('consent-share').locator('[data-share-state="uploaded"]')).toBeVisible();
      await screen(desk.page, testInfo, `imported-customer-${c.lang}`);

      await consents.getByRole('button', { name: t('customer.viewConsent') }).click();
      await expect(heading1(desk, t('consentDoc.title'))).toBeVisible();
      await expect(desk.page.getByTestId('consent-evidence').locator('[data-share-state="uploaded"]')).toBeVisible();
      await screen(desk.page, testInfo, `imported-consent-${c.lang}`);
    });
  }
});
