/**
 * The customer desk (in English and in Japanese): saved methods read "Amazon Pay · e-mail", receipts
 * carry consecutive numbers that a reprint keeps, a customer's details are edited (an e-mail another
 * customer has is refused), and the customers screen lists in-progress and recent customers under
 * the search box, which keeps the focus.
 */
import type { Language } from '../../preload/contract';
import { expect, test } from './fixtures';
import {
  chargeNow,
  createCustomer,
  createFirstManager,
  deskOf,
  goToNav,
  heading1,
  messagePattern,
  openChargePanel,
  openSetup,
  recordConsent,
  region,
  savedMethodRow,
  screen,
  seedSavedMethod,
  switchLanguage,
  type CustomerInput,
  type Desk,
} from './steps';

const CASES: Record<Language, { first: CustomerInput; second: CustomerInput; edited: { name: string; email: string; phone: string }; currency: 'eur' | 'jpy'; max: string; charges: [string, string] }> = {
  en: {
    first: { name: 'Alice Example', email: 'alice@example.com', language: 'en' },
    second: { name: 'Brian Second', email: 'brian@example.com', language: 'en' },
    edited: { name: 'Alice Newname', email: 'alice.new@example.com', phone: '+44 20 7946 0018' },
    currency: 'eur',
    max: '500',
    charges: ['12.50', '30'],
  },
  ja: {
    first: { name: '山田 花子', email: 'hanako@example.jp', language: 'ja' },
    second: { name: '佐藤 次郎', email: 'jiro@example.jp', language: 'ja' },
    edited: { name: '鈴木 花子', email: 'hanako.suzuki@example.jp', phone: '090-1234-5678' },
    currency: 'jpy',
    max: '50000',
    charges: ['1250', '3000'],
  },
};

/** Opens the receipt of the history row with this description and returns its receipt number. */
async function receiptNumberOf(desk: Desk, description: string): Promise<string> {
  const { page, t } = desk;
  await region(desk, t('history.title')).getByRole('row').filter({ hasText: description }).getByRole('button', { name: t('history.receipt') }).click();
  const number = page.getByRole('article').locator('.receipt-number');
  await expect(number).toHaveText(/^[0-9A-Z]{1,4}-\d{6}$/);
  // the internal id stays, small, as a reference
  await expect(page.getByRole('article').getByText(/^chg_/)).toBeVisible();
  return (await number.textContent()) ?? '';
}

for (const lang of ['en', 'ja'] as const) {
  const c = CASES[lang];

  test(`[${lang}] customer desk: methods by e-mail, numbered receipts, editing, in-progress and recent customers`, async ({ app }, testInfo) => {
    const desk = deskOf(app, lang);
    const { page, t } = desk;
    await switchLanguage(desk);
    await createFirstManager(desk);

    // --- the saved method reads as the customer knows it
    const { paymentMethodId } = await seedSavedMethod(desk, c.first, { currency: c.currency, amountText: c.max });
    await expect(savedMethodRow(desk, paymentMethodId)).toContainText(`${t('method.amazonPay')} · ${c.first.email}`);

    // --- two charges, two consecutive receipt numbers; a reprint keeps its number
    for (const [i, amount] of c.charges.entries()) {
      const panel = await openChargePanel(desk, paymentMethodId);
      await expect(panel).toContainText(c.first.email);
      const outcome = await chargeNow(desk, panel, amount, `Order ${i + 1}`);
      await outcome.getByRole('button', { name: t('common.close'), exact: true }).click();
    }
    const first = await receiptNumberOf(desk, 'Order 1');
    await screen(page, testInfo, `${lang}-receipt-number`);
    await page.getByRole('button', { name: t('customer.back') }).click();
    const second = await receiptNumberOf(desk, 'Order 2');
    const [prefix, counter] = first.split('-');
    expect(second).toBe(`${prefix}-${String(Number(counter) + 1).padStart(6, '0')}`);
    await page.getByRole('button', { name: t('customer.back') }).click();
    expect(await receiptNumberOf(desk, 'Order 1')).toBe(first);
    await page.getByRole('button', { name: t('customer.back') }).click();

    // --- editing the customer: the page shows the new details, the consent keeps the name as accepted
    const details = region(desk, t('customer.details'));
    await details.getByRole('button', { name: t('customer.edit'), exact: true }).click();
    const form = details.getByRole('form', { name: t('customer.edit.title') });
    await expect(form.getByLabel(t('newCustomer.name'), { exact: true })).toBeFocused();
    await form.getByLabel(t('newCustomer.name'), { exact: true }).fill(c.edited.name);
    await form.getByLabel(t('newCustomer.email'), { exact: true }).fill(c.edited.email);
    await form.getByLabel(t('newCustomer.phone'), { exact: true }).fill(c.edited.phone);
    await screen(page, testInfo, `${lang}-customer-edit`);
    await form.getByRole('button', { name: t('customer.edit.submit') }).click();
    await expect(details.getByRole('status')).toHaveText(t('customer.edit.saved'));
    await expect(heading1(desk, c.edited.name)).toBeVisible();
    await expect(details).toContainText(c.edited.email);
    await expect(details).toContainText(c.edited.phone);
    await region(desk, t('customer.consents')).getByRole('button', { name: t('customer.viewConsent') }).click();
    await expect(page.locator('.typed-name').first()).toHaveText(c.first.name);
    await page.getByRole('button', { name: t('customer.back') }).first().click();
    await expect(heading1(desk, c.edited.name)).toBeVisible();

    // --- a second customer whose setup is left waiting
    await createCustomer(desk, c.second);
    await recordConsent(desk, c.second, { currency: c.currency, amountText: c.max });
    await openSetup(desk);

    // --- the customers screen: the search keeps the focus; in-progress and recent customers under it
    await goToNav(desk, 'customers');
    await expect(page.getByLabel(t('customers.search.label'), { exact: true })).toBeFocused();
    const inProgress = region(desk, t('customers.inProgress.title'));
    await expect(inProgress.getByRole('button')).toHaveCount(1);
    await expect(inProgress.getByRole('button', { name: new RegExp(c.second.name) })).toContainText(t('customers.work.setup'));
    const recent = region(desk, t('customers.recent.title'));
    await expect(recent.getByRole('button')).toHaveCount(2);
    await expect(recent.getByRole('button').first()).toContainText(c.second.name);
    await expect(recent.getByRole('button').nth(1)).toContainText(c.edited.name);
    await screen(page, testInfo, `${lang}-customers-overview`);
    // typing a search shows its results instead; clearing the box brings the lists back
    const search = page.getByLabel(t('customers.search.label'), { exact: true });
    await search.fill(c.edited.email);
    await page.keyboard.press('Enter');
    await expect(page.getByRole('region', { name: messagePattern(t, 'customers.local.title') })).toContainText(c.edited.name);
    await expect(inProgress).toBeHidden();
    await search.fill('');
    await expect(inProgress).toBeVisible();
    // arrow keys reach the listed customers from the search box
    await page.keyboard.press('ArrowDown');
    await expect(inProgress.getByRole('button').first()).toBeFocused();

    // --- an e-mail another customer has is refused, and nothing changes
    await page.keyboard.press('Enter');
    await expect(heading1(desk, c.second.name)).toBeVisible();
    const secondDetails = region(desk, t('customer.details'));
    await secondDetails.getByRole('button', { name: t('customer.edit'), exact: true }).click();
    const secondForm = secondDetails.getByRole('form', { name: t('customer.edit.title') });
    await secondForm.getByLabel(t('newCustomer.email'), { exact: true }).fill(c.edited.email);
    await secondForm.getByRole('button', { name: t('customer.edit.submit') }).click();
    await expect(secondForm.getByRole('alert')).toContainText(t('error.conflict'));
    await screen(page, testInfo, `${lang}-customer-edit-conflict`);
    await secondForm.getByRole('button', { name: t('common.cancel') }).click();
    await expect(secondDetails).toContainText(c.second.email);
  });
}
