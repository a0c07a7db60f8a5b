/**
 * Issue 9, a Japanese shop from its first start: a Japanese browser gets Japanese, yen and a
 * Japanese shop by default; Settings takes the qualified-invoice registration number (typed in
 * full-width, stored as T + 13 digits) and refuses a wrong one; a new customer starts in the shop's
 * language; the Japanese receipt names the customer with 様, states the consumption tax included
 * (10 %, rounded down to the yen) and the registration number. Screens are saved for people to see.
 */
import { translate } from '../../renderer/i18n/translate';
import { shopDefaultsFor } from '../../renderer/lib/shop';
import { expect, test } from './fixtures';
import { chargeNow, deskOf, expectSignedIn, goToNav, heading1, MANAGER, openChargePanel, openNewCustomerForm, region, screen, seedSavedMethod, SHOP, switchLanguage } from './steps';

const CUSTOMER = { name: '山田 花子', email: 'hanako@example.jp', language: 'ja' as const };

test.describe('in a Japanese browser', () => {
  test.use({ locale: 'ja-JP' });

  test('a Japanese shop starts in yen and Japanese, and its receipts are Japanese qualified invoices', async ({ app }, testInfo) => {
    const desk = deskOf(app, 'ja');
    const { page, t } = desk;

    // --- first start: the browser's language gives the defaults
    await expect(heading1(desk, t('firstManager.title'))).toBeVisible();
    const suggested = shopDefaultsFor(await page.evaluate(() => [...navigator.languages]));
    if (app.transport === 'chromium') expect(suggested).toEqual({ language: 'ja', currency: 'jpy' });
    const currency = page.getByLabel(t('firstManager.currency'), { exact: true });
    const language = page.getByLabel(t('firstManager.language'), { exact: true });
    await expect(currency).toHaveValue(suggested.currency);
    await expect(language).toHaveValue(suggested.language);
    await expect(currency.locator('option[value="jpy"]')).toHaveText('JPY — 日本円');
    // what a Japanese shop wants, whatever this browser suggested
    await currency.selectOption('jpy');
    await language.selectOption('ja');
    await page.getByLabel(t('firstManager.name'), { exact: true }).fill(MANAGER.name);
    await page.getByLabel(t('firstManager.pin'), { exact: true }).fill(MANAGER.pin);
    await page.getByLabel(t('firstManager.confirmPin'), { exact: true }).fill(MANAGER.pin);
    await page.getByLabel(t('firstManager.shopName'), { exact: true }).fill(SHOP.name);
    await page.getByLabel(t('firstManager.shopContact'), { exact: true }).fill(SHOP.contact);
    await screen(page, testInfo, 'ja-first-start');
    await page.getByRole('button', { name: t('firstManager.submit') }).click();
    await expectSignedIn(desk, MANAGER, 'manager');
    await screen(page, testInfo, 'ja-customers');

    // --- Settings: what first start stored, and the receipt fields
    await goToNav(desk, 'settings');
    await expect(heading1(desk, t('settings.title'))).toBeVisible();
    await expect(page.getByLabel(t('settings.defaultCurrency'), { exact: true })).toHaveValue('jpy');
    await expect(page.getByLabel(t('settings.defaultLanguage'), { exact: true })).toHaveValue('ja');
    await expect(page.getByLabel(t('settings.terminalName'), { exact: true })).toHaveValue('カウンター 1');
    await expect(page.getByLabel(t('settings.taxRatePercent'), { exact: true })).toHaveValue('10');
    const number = page.getByLabel(t('settings.invoiceRegistrationNumber'), { exact: true });
    await number.fill('T12345');
    await page.getByRole('button', { name: t('settings.save'), exact: true }).click();
    await expect(number).toHaveAccessibleDescription(new RegExp(t('validation.registrationNumber').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    await expect(page.getByRole('status').filter({ hasText: t('settings.saved') })).toHaveCount(0);
    await number.fill('Ｔ１２３４５６７８９０１２３');
    await page.getByRole('button', { name: t('settings.save'), exact: true }).click();
    await expect(page.getByRole('status').filter({ hasText: t('settings.saved') })).toBeVisible();
    await expect(number).toHaveValue('T1234567890123');
    await screen(page, testInfo, 'ja-settings');

    // --- a new customer starts in the shop's language
    await openNewCustomerForm(desk);
    await expect(page.getByLabel(t('newCustomer.language'), { exact: true })).toHaveValue('ja');
    await screen(page, testInfo, 'ja-new-customer');

    const { paymentMethodId } = await seedSavedMethod(desk, CUSTOMER, { currency: 'jpy', amountText: '50,000' });
    await screen(page, testInfo, 'ja-customer');

    // --- a charge in yen and its receipt
    const panel = await openChargePanel(desk, paymentMethodId);
    const outcome = await chargeNow(desk, panel, '15,000', 'ワイシャツ 3 枚のクリーニング');
    await expect(outcome).toContainText(t('charge.outcome.succeeded', { amount: '￥15,000' }));
    await screen(page, testInfo, 'ja-charge-succeeded');
    await outcome.getByRole('button', { name: t('charge.receipt') }).click();
    await expect(heading1(desk, t('receipt.screenTitle'))).toBeVisible();
    const receipt = page.getByRole('article');
    const r = (key: Parameters<typeof translate>[1], vars?: Record<string, string | number>) => translate('ja', key, vars);
    await expect(receipt).toHaveAttribute('lang', 'ja');
    await expect(receipt).toContainText('山田 花子 様');
    await expect(receipt).toContainText(`${r('receipt.registrationNumber')}: T1234567890123`);
    await expect(receipt.getByRole('row', { name: r('receipt.totalTaxIncluded', { rate: 10 }) })).toContainText('￥15,000');
    // 15,000 × 10 ÷ 110 = 1,363.63… → ￥1,363 (rounded down)
    await expect(receipt.getByRole('row', { name: r('receipt.taxIncluded', { rate: 10 }) })).toContainText('￥1,363');
    await expect(receipt).toContainText(r('receipt.taxRounding'));
    await screen(page, testInfo, 'ja-receipt');
  });
});

test('in an English browser switched to Japanese: a declined charge reads in Japanese with Stripe’s text underneath; dates in Japanese; the other screens, for review', async ({ app }, testInfo) => {
  const desk = deskOf(app, 'ja');
  const { page, t } = desk;
  await switchLanguage(desk);
  await expect(heading1(desk, t('firstManager.title'))).toBeVisible();
  await page.getByLabel(t('firstManager.name'), { exact: true }).fill(MANAGER.name);
  await page.getByLabel(t('firstManager.pin'), { exact: true }).fill(MANAGER.pin);
  await page.getByLabel(t('firstManager.confirmPin'), { exact: true }).fill(MANAGER.pin);
  await page.getByLabel(t('firstManager.shopName'), { exact: true }).fill(SHOP.name);
  await page.getByLabel(t('firstManager.shopContact'), { exact: true }).fill(SHOP.contact);
  await page.getByLabel(t('firstManager.currency'), { exact: true }).selectOption('jpy');
  await page.getByLabel(t('firstManager.language'), { exact: true }).selectOption('ja');
  await page.getByRole('button', { name: t('firstManager.submit') }).click();
  await expectSignedIn(desk, MANAGER, 'manager');

  const { paymentMethodId } = await seedSavedMethod(desk, { ...CUSTOMER, email: 'hanako2@example.jp' }, { currency: 'jpy', amountText: '50,000' });
  // the emulator declines amounts ending in 9901: the reason is in Japanese, Stripe's text underneath
  const panel = await openChargePanel(desk, paymentMethodId);
  const declined = await chargeNow(desk, panel, '19,901', 'ズボンの裾上げ');
  await expect(declined).toContainText(t('stripe.payment_method_provider_decline'));
  await expect(declined).toContainText('payment_method_provider_decline');
  await screen(page, testInfo, 'ja-charge-declined');
  await declined.getByRole('button', { name: t('common.close') }).click();
  await screen(page, testInfo, 'ja-customer-history');
  await expect(region(desk, t('history.title')).getByRole('row').filter({ hasText: 'ズボンの裾上げ' })).toContainText(t('stripe.payment_method_provider_decline'));

  await region(desk, t('customer.consents')).getByRole('button', { name: t('customer.viewConsent') }).click();
  await expect(heading1(desk, t('consentDoc.title'))).toBeVisible();
  await screen(page, testInfo, 'ja-consent-document');

  await goToNav(desk, 'staff');
  await expect(heading1(desk, t('staff.title'))).toBeVisible();
  await screen(page, testInfo, 'ja-staff');
  await goToNav(desk, 'audit');
  await expect(heading1(desk, t('audit.title'))).toBeVisible();
  // the date filter follows the app's language, whatever the browser's: typed year first, shown as 2026年12月1日
  const from = page.getByLabel(t('audit.from'), { exact: true });
  await expect(from).toHaveAttribute('lang', 'ja');
  await from.fill('2026/12/1');
  await from.blur();
  await expect(from).toHaveValue('2026年12月1日');
  await screen(page, testInfo, 'ja-audit');
  await page.getByRole('button', { name: t('header.signOut') }).click();
  await expect(heading1(desk, t('signIn.title'))).toBeVisible();
  await screen(page, testInfo, 'ja-sign-in');
});
