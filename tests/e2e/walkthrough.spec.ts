/**
 * Every screen in English and in Japanese, with a long staff name, for people to look at
 * (screenshots in test-results/screens), and what can be checked while passing: the header shows
 * the whole name or folds into its menu (1280, 1024, 768 px; nothing scrolls sideways), and date
 * fields read and show dates in the app's language, typed or picked from the calendar.
 */
import type { Page } from '@playwright/test';
import type { Language } from '../../preload/contract';
import { expect, test } from './fixtures';
import {
  chargeNow,
  createCustomer,
  createFirstManager,
  customerCompletesSetup,
  deskOf,
  expectSetupSucceeded,
  goToNav,
  heading1,
  openChargePanel,
  openSetup,
  recordConsent,
  region,
  screen,
  switchLanguage,
  type CustomerInput,
  type Person,
} from './steps';

const CASES: Record<Language, { manager: Person; customer: CustomerInput; currency: 'eur' | 'jpy'; max: string; charge: string; typedDate: string; shownDate: string }> = {
  en: {
    manager: { name: 'Alexandra Konstantinopoulou', pin: '4826' },
    customer: { name: 'Bartholomew Featherstonehaugh', email: 'bart@example.com', language: 'en' },
    currency: 'eur',
    max: '500',
    charge: '42.50',
    typedDate: 'December 1, 2026',
    shownDate: '1 Dec 2026',
  },
  ja: {
    manager: { name: '長谷川 千代子', pin: '4826' },
    customer: { name: '山田 花子', email: 'hanako@example.jp', language: 'ja' },
    currency: 'jpy',
    max: '50000',
    charge: '4250',
    typedDate: '２０２６年１２月１日',
    shownDate: '2026年12月1日',
  },
};

const sidewaysScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
/** How much of the signed-in text is cut off (px); 0 when it shows whole. */
const cutOff = (page: Page) => page.locator('.signed-in-name').evaluate((el) => el.scrollWidth - el.clientWidth);

for (const lang of ['en', 'ja'] as const) {
  const c = CASES[lang];

  test(`[${lang}] every screen, a long staff name in the header, dates in the app's language`, async ({ app }, testInfo) => {
    test.setTimeout(180_000);
    const desk = deskOf(app, lang);
    const { page, t } = desk;
    await switchLanguage(desk);
    await expect(heading1(desk, t('firstManager.title'))).toBeVisible();
    await screen(page, testInfo, `${lang}-walk-01-first-start`);
    await createFirstManager(desk, c.manager);
    await screen(page, testInfo, `${lang}-walk-02-customers`);

    // --- the header: the whole name, inline or in the open menu; one line; nothing sideways
    const header = page.locator('header.app-header');
    const signedIn = page.getByText(t('header.signedInAs', { name: c.manager.name, role: t('role.manager') }));
    for (const width of [1280, 1024, 768]) {
      await page.setViewportSize({ width, height: 860 });
      await expect.poll(() => header.evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(0);
      expect((await header.boundingBox())?.height ?? 0).toBeLessThan(70);
      expect(await sidewaysScroll(page)).toBeLessThanOrEqual(0);
      const menu = page.getByRole('button', { name: t('header.menu') });
      if (await menu.isVisible()) {
        await menu.click();
        await expect(signedIn).toBeVisible();
        expect(await cutOff(page)).toBeLessThanOrEqual(0);
        await screen(page, testInfo, `${lang}-walk-header-${width}-menu`);
        await menu.click();
      } else {
        await expect(signedIn).toBeVisible();
        expect(await cutOff(page)).toBeLessThanOrEqual(0);
      }
      await screen(page, testInfo, `${lang}-walk-header-${width}`);
    }
    await page.setViewportSize({ width: 1280, height: 860 });

    // --- new customer, the mandate parameters with their date fields
    await page.getByRole('button', { name: t('customers.new') }).click();
    await expect(heading1(desk, t('newCustomer.title'))).toBeVisible();
    await screen(page, testInfo, `${lang}-walk-03-new-customer`);
    await createCustomer(desk, c.customer);
    const params = page.getByRole('form', { name: t('mandate.step.params') });
    const start = params.getByLabel(t('mandate.startDate'), { exact: true });
    await start.fill(c.typedDate);
    await start.blur();
    await expect(start).toHaveValue(c.shownDate); // read in the language's order, then shown in its spelling
    await params.getByRole('button', { name: t('date.openCalendar', { label: t('mandate.startDate') }) }).click();
    const calendar = page.getByRole('dialog', { name: t('date.calendarOf', { label: t('mandate.startDate') }) });
    await expect(calendar).toBeVisible();
    await expect(calendar).toContainText(lang === 'ja' ? '2026' : 'December');
    await screen(page, testInfo, `${lang}-walk-04-mandate-calendar`);
    await calendar.getByRole('button', { name: lang === 'ja' ? /2026年12月3日/ : /\b3 December 2026/ }).click();
    await expect(calendar).toBeHidden();
    await expect(start).toHaveValue(lang === 'ja' ? '2026年12月3日' : '3 Dec 2026');
    await start.fill('02/12/2026');
    await start.blur();
    await expect(start).toHaveAccessibleDescription(new RegExp(t('date.problem.ambiguous', { example: lang === 'ja' ? '2026年12月2日' : '2 Dec 2026' }).slice(0, 10)));
    await screen(page, testInfo, `${lang}-walk-05-mandate-date-refused`);
    await start.fill(c.shownDate);
    await screen(page, testInfo, `${lang}-walk-06-mandate`);

    // --- terms, consent, the waiting screen with its QR code, the saved method
    await recordConsent(desk, c.customer, { currency: c.currency, amountText: c.max });
    const url = await openSetup(desk);
    await screen(page, testInfo, `${lang}-walk-07-setup-waiting`);
    const customerPage = await customerCompletesSetup(app, url, 'authorize');
    await customerPage.close();
    const paymentMethodId = await expectSetupSucceeded(desk);
    await screen(page, testInfo, `${lang}-walk-08-setup-saved`);
    await page.getByRole('button', { name: t('setup.backToCustomer') }).click();
    await expect(heading1(desk, c.customer.name)).toBeVisible();

    // --- a charge, the customer page, the receipt
    const panel = await openChargePanel(desk, paymentMethodId);
    const outcome = await chargeNow(desk, panel, c.charge, lang === 'ja' ? 'コートのクリーニング' : 'Coat cleaning');
    await screen(page, testInfo, `${lang}-walk-09-customer-charged`);
    await outcome.getByRole('button', { name: t('charge.receipt') }).click();
    await expect(heading1(desk, t('receipt.screenTitle'))).toBeVisible();
    await screen(page, testInfo, `${lang}-walk-10-receipt`);

    // --- Payments and audit log, their date filters typed in the language
    await goToNav(desk, 'payments');
    await expect(heading1(desk, t('payments.title'))).toBeVisible();
    await screen(page, testInfo, `${lang}-walk-11-payments`);
    const from = page.getByLabel(t('payments.from'), { exact: true });
    await from.fill(c.typedDate);
    await from.blur();
    await expect(from).toHaveValue(c.shownDate);
    await goToNav(desk, 'audit');
    await expect(heading1(desk, t('audit.title'))).toBeVisible();
    await screen(page, testInfo, `${lang}-walk-12-audit`);
    await goToNav(desk, 'staff');
    await expect(heading1(desk, t('staff.title'))).toBeVisible();
    await screen(page, testInfo, `${lang}-walk-13-staff`);
    await goToNav(desk, 'settings');
    await expect(heading1(desk, t('settings.title'))).toBeVisible();
    await screen(page, testInfo, `${lang}-walk-14-settings`);
    await goToNav(desk, 'customers');
    await screen(page, testInfo, `${lang}-walk-15-customers-after`);
    await region(desk, t('customers.recent.title')).getByRole('button', { name: new RegExp(`^${c.customer.name}`) }).click();
    await expect(heading1(desk, c.customer.name)).toBeVisible();
    await screen(page, testInfo, `${lang}-walk-16-customer`);
    await region(desk, t('customer.consents')).getByRole('button', { name: t('customer.viewConsent') }).click();
    await expect(heading1(desk, t('consentDoc.title'))).toBeVisible();
    await screen(page, testInfo, `${lang}-walk-17-consent`);
    await page.getByRole('button', { name: t('header.signOut') }).click();
    await expect(heading1(desk, t('signIn.title'))).toBeVisible();
    await screen(page, testInfo, `${lang}-walk-18-sign-in`);
  });
}

