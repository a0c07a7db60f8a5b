/**
 * Issue 9, the screens (in English and in Japanese): the counter's path from "find customer" to
 * "method saved" counted action by action, the customer's cancel on Checkout reaching the desk, a
 * second "Save Amazon Pay for later" leading to the open setup, the charge question and the
 * identical-charge warning, refunded charges, TRAINING marks, the audit ledger, and the layout.
 */
import type { Locator, Page } from '@playwright/test';
import type { Language } from '../../preload/contract';
import { expect, test } from './fixtures';
import {
  createCustomer,
  createFirstManager,
  customerCompletesSetup,
  deskOf,
  escapeRegExp,
  expectSetupSucceeded,
  goToNav,
  heading1,
  MANAGER,
  openChargePanel,
  openSetup,
  recordConsent,
  region,
  screen,
  seedSavedMethod,
  submitCharge,
  switchLanguage,
  type CustomerInput,
  type Desk,
} from './steps';

const CUSTOMERS: Record<Language, { first: CustomerInput; second: CustomerInput; currency: 'eur' | 'jpy'; max: string; charge: { typed: string; shown: string } }> = {
  en: {
    first: { name: 'Alice Example', email: 'alice@example.com', language: 'en' },
    second: { name: 'Brian Second', email: 'brian@example.com', language: 'en' },
    currency: 'eur',
    max: '500',
    charge: { typed: '42.50', shown: '€42.50' },
  },
  ja: {
    first: { name: '山田 花子', email: 'hanako@example.jp', language: 'ja' },
    second: { name: '佐藤 次郎', email: 'jiro@example.jp', language: 'ja' },
    currency: 'jpy',
    max: '50000',
    charge: { typed: '4250', shown: '￥4,250' },
  },
};

/** Counts what staff do: each click, each field typed into, each key that submits or moves. */
function actionCounter() {
  let count = 0;
  return {
    get count() {
      return count;
    },
    async act(step: () => Promise<unknown>) {
      count += 1;
      await step();
    },
  };
}

/** The customer (not staff) reads the terms, types their name and accepts. */
async function customerAccepts(desk: Desk, name: string): Promise<void> {
  const form = desk.page.getByRole('form', { name: desk.t('mandate.step.terms') });
  await form.getByLabel(desk.t('terms.typedName'), { exact: true }).fill(name);
  await form.getByRole('checkbox', { name: desk.t('terms.accept') }).check();
}

/** The customer completes Amazon Pay on the emulator page; the desk shows the saved method by itself. */
async function customerSavesAmazonPay(desk: Desk): Promise<void> {
  const url = await openSetup(desk);
  const customer = await customerCompletesSetup(desk.app, url, 'authorize');
  await customer.close();
  await expectSetupSucceeded(desk);
}

for (const lang of ['en', 'ja'] as const) {
  const c = CUSTOMERS[lang];

  test(`[${lang}] counter: 8 staff actions from "find customer" to "method saved" for a new customer, 7 for an existing one`, async ({ app }, testInfo) => {
    const desk = deskOf(app, lang);
    const { page, t } = desk;
    await switchLanguage(desk);
    await createFirstManager(desk);

    // --- a new customer
    const counter = actionCounter();
    const search = page.getByLabel(t('customers.search.label'), { exact: true });
    await expect(search).toBeFocused(); // no click needed to start typing
    await counter.act(() => page.keyboard.type(c.first.name)); // 1: find customer (results follow the typing)
    await expect(page.getByRole('status').filter({ hasText: t('customers.noResults', { query: c.first.name }) })).toBeVisible();
    await counter.act(() => page.getByRole('button', { name: t('customers.new') }).click()); // 2
    await expect(page.getByLabel(t('newCustomer.name'), { exact: true })).toHaveValue(c.first.name);
    const email = page.getByLabel(t('newCustomer.email'), { exact: true });
    await expect(email).toBeFocused(); // the first field the search did not fill
    await counter.act(() => page.keyboard.type(c.first.email)); // 3
    await page.getByLabel(t('newCustomer.language'), { exact: true }).selectOption(lang); // the shop's default already; set for the test
    await counter.act(() => page.keyboard.press('Enter')); // 4: Enter submits; straight on to saving Amazon Pay
    await expect(heading1(desk, t('mandate.title'))).toBeVisible();
    await expect(page.getByRole('status').filter({ hasText: t('customer.created') })).toBeVisible();
    await screen(page, testInfo, `${lang}-counter-01-mandate-after-create`);
    const params = page.getByRole('form', { name: t('mandate.step.params') });
    await params.getByLabel(t('mandate.currency'), { exact: true }).selectOption(c.currency); // the shop's currency in a real shop
    await counter.act(() => params.getByLabel(t('mandate.maxAmount'), { exact: true }).fill(c.max)); // 5
    await counter.act(() => params.getByRole('button', { name: t('mandate.showTerms') }).click()); // 6
    await customerAccepts(desk, c.first.name); // the customer's own actions, not counted
    const terms = page.getByRole('form', { name: t('mandate.step.terms') });
    await counter.act(() => terms.getByRole('checkbox', { name: t('terms.witness') }).check()); // 7: a legal step, kept
    await counter.act(() => terms.getByRole('button', { name: t('terms.recordAndOpen') }).click()); // 8: consent recorded, setup opened
    await customerSavesAmazonPay(desk);
    expect(counter.count).toBe(8);

    // --- an existing customer (created earlier, no method yet)
    await createCustomer(desk, c.second);
    await goToNav(desk, 'customers');
    const existing = actionCounter();
    await expect(search).toBeFocused();
    await existing.act(() => page.keyboard.type(c.second.name)); // 1
    // the search results (which replace the recent and in-progress lists) are in
    await expect(page.getByRole('heading', { name: t('customers.local.title', { count: 1 }) })).toBeVisible();
    const result = page.getByRole('button', { name: new RegExp(`^${c.second.name}`) });
    await expect(result).toBeVisible();
    await screen(page, testInfo, `${lang}-counter-02-search-results`);
    // keyboard: ArrowDown moves into the results, Escape goes back to the search box
    await page.keyboard.press('ArrowDown');
    await expect(result).toBeFocused();
    await expect(result).toHaveCSS('outline-style', 'solid'); // the visible focus ring, an outline
    await expect(result).toHaveCSS('outline-width', '3px');
    await page.keyboard.press('Escape');
    await expect(search).toBeFocused();
    await page.keyboard.press('ArrowDown'); // (the two keys above were a check, not counted)
    await existing.act(() => page.keyboard.press('Enter')); // 2: opens the customer
    await expect(heading1(desk, c.second.name)).toBeVisible();
    await existing.act(() => page.getByRole('button', { name: t('customer.saveForLater') }).click()); // 3
    await params.getByLabel(t('mandate.currency'), { exact: true }).selectOption(c.currency);
    await existing.act(() => params.getByLabel(t('mandate.maxAmount'), { exact: true }).fill(c.max)); // 4
    await existing.act(() => params.getByRole('button', { name: t('mandate.showTerms') }).click()); // 5
    await customerAccepts(desk, c.second.name);
    await existing.act(() => terms.getByRole('checkbox', { name: t('terms.witness') }).check()); // 6
    await existing.act(() => terms.getByRole('button', { name: t('terms.recordAndOpen') }).click()); // 7
    await customerSavesAmazonPay(desk);
    expect(existing.count).toBe(7);
  });

  test(`[${lang}] the customer's "Cancel and return" shows on the desk at once; a second "Save Amazon Pay for later" leads to the open setup`, async ({ app }, testInfo) => {
    const desk = deskOf(app, lang);
    const { page, t } = desk;
    await switchLanguage(desk);
    await createFirstManager(desk);
    await createCustomer(desk, c.first);
    await recordConsent(desk, c.first, { currency: c.currency, amountText: c.max });
    const url = await openSetup(desk);

    // The customer leaves Checkout by its cancel link: no click on the desk, the screen changes.
    const customer = await app.openInBrowser(url);
    await customer.getByRole('link', { name: /Cancel and return/ }).click();
    await customer.waitForURL(/\/return\/cancel\?/);
    const canceled = region(desk, t('setup.customerCanceled'));
    await expect(canceled).toBeVisible();
    await expect(canceled.getByRole('alert')).toContainText(t('setup.customerCanceledMessage', { time: '\u0000' }).split('\u0000')[0]);
    await expect(region(desk, t('setup.waiting'))).toHaveCount(0); // no more "Waiting… 23:59 left"
    await screen(page, testInfo, `${lang}-setup-customer-canceled`);

    // "Try again" opens the same Checkout page; the desk waits again.
    const opened = (await app.openedUrls()).length;
    await canceled.getByRole('button', { name: t('setup.customerCanceledRetry') }).click();
    expect(await app.waitForOpenedUrl(opened)).toBe(url);
    await expect(region(desk, t('setup.waiting'))).toBeVisible();

    // Canceled again; the customer page says so too, and its waiting screen opens on the cancel.
    await customer.goto(url);
    await customer.getByRole('link', { name: /Cancel and return/ }).click();
    await customer.waitForURL(/\/return\/cancel\?/);
    await expect(region(desk, t('setup.customerCanceled'))).toBeVisible();
    await page.getByRole('button', { name: t('customer.backTo', { name: c.first.name }) }).click();
    const setups = region(desk, t('customer.setups'));
    await expect(setups.getByRole('row').nth(1)).toContainText(t('setup.customerCanceled'));
    await setups.getByRole('button', { name: t('customer.showWaiting') }).click();
    // then "Cancel this setup"
    await region(desk, t('setup.customerCanceled')).getByRole('button', { name: t('setup.customerCanceledCancel') }).click();
    await expect(region(desk, t('setup.ended.canceled'))).toBeVisible();
    await customer.close();

    // A new setup for the same consent, then "Save Amazon Pay for later" again: it leads to the open setup.
    await page.getByRole('button', { name: t('setup.tryAgain') }).click();
    await expect(region(desk, t('setup.waiting'))).toBeVisible();
    await page.getByRole('button', { name: t('customer.backTo', { name: c.first.name }) }).click();
    await page.getByRole('button', { name: t('customer.saveForLater') }).click();
    await expect(heading1(desk, t('setup.title'))).toBeVisible();
    await expect(page.getByRole('status').filter({ hasText: t('setup.alreadyOpen') })).toBeVisible();
    await expect(region(desk, t('setup.waiting'))).toBeVisible();
    await screen(page, testInfo, `${lang}-setup-already-open`);
    await page.getByRole('button', { name: t('customer.backTo', { name: c.first.name }) }).click();
    await expect(region(desk, t('customer.consents')).getByRole('row')).toHaveCount(2); // header + one consent: no second one
  });

  test(`[${lang}] charging asks with the amount, warns about an identical charge, refunds read Refunded, prints carry TRAINING, the audit log reads like a ledger`, async ({ app }, testInfo) => {
    const desk = deskOf(app, lang);
    const { page, t } = desk;
    await switchLanguage(desk);
    await createFirstManager(desk);

    // An input with an error has the red border (not only textareas).
    await page.getByRole('button', { name: t('customers.new') }).click();
    await page.getByRole('button', { name: t('newCustomer.submit') }).click();
    await expect(page.getByLabel(t('newCustomer.email'), { exact: true })).toHaveCSS('border-top-color', 'rgb(180, 35, 24)');
    await screen(page, testInfo, `${lang}-new-customer-errors`);

    const { paymentMethodId } = await seedSavedMethod(desk, c.first, { currency: c.currency, amountText: c.max });
    // The saved method reads "Amazon Pay · <wallet e-mail>" first, its id secondary.
    const methods = region(desk, t('customer.methods'));
    await expect(methods.getByRole('row').nth(1).getByRole('cell').first()).toHaveText(new RegExp(`^${t('method.amazonPay')} · ${escapeRegExp(c.first.email)}\\s*${paymentMethodId}$`));
    await screen(page, testInfo, `${lang}-customer-with-method`);

    // --- the button shows the amount; a question confirms it
    const panel = await openChargePanel(desk, paymentMethodId);
    await panel.getByLabel(t('charge.amount'), { exact: true }).fill(c.charge.typed);
    await panel.getByLabel(t('charge.description'), { exact: true }).fill('Cleaning');
    await expect(panel.getByRole('button', { name: t('charge.submitAmount', { amount: c.charge.shown }) })).toBeVisible();
    await page.keyboard.press('Enter');
    const question = panel.getByRole('group', { name: t('charge.confirmQuestion', { amount: c.charge.shown, name: c.first.name, description: 'Cleaning' }) });
    await expect(question).toBeVisible();
    await expect(question.getByRole('alert')).toHaveCount(0); // nothing identical yet
    await expect(question.getByRole('button', { name: t('charge.confirm', { amount: c.charge.shown }) })).toBeFocused();
    await screen(page, testInfo, `${lang}-charge-question`);
    await question.getByRole('button', { name: t('charge.confirm', { amount: c.charge.shown }) }).click();
    await expect(panel.getByRole('status')).toContainText(t('charge.outcome.succeeded', { amount: c.charge.shown }));

    // --- the same charge again: warned, and the safe answer has the focus
    await panel.getByRole('button', { name: t('charge.another') }).click();
    await panel.getByLabel(t('charge.amount'), { exact: true }).fill(c.charge.typed);
    await panel.getByLabel(t('charge.description'), { exact: true }).fill('Cleaning');
    await panel.getByRole('button', { name: t('charge.submitAmount', { amount: c.charge.shown }) }).click();
    const warning = question.getByRole('alert');
    await expect(warning).toContainText(t('charge.identicalTitle'));
    await expect(warning).toContainText(MANAGER.name);
    await expect(question.getByRole('button', { name: t('charge.changeIt') })).toBeFocused();
    await screen(page, testInfo, `${lang}-charge-identical-warning`);
    await question.getByRole('button', { name: t('charge.changeIt') }).click();
    await expect(panel.getByLabel(t('charge.amount'), { exact: true })).toHaveValue(c.charge.typed); // back to the form, nothing sent
    await submitCharge(desk, panel, c.charge.typed, 'Cleaning', { again: true });
    await expect(panel.getByRole('status')).toContainText(t('charge.outcome.succeeded', { amount: c.charge.shown }));
    await panel.getByRole('button', { name: t('common.close'), exact: true }).click();

    // --- a full refund of one of them: the charge reads "Refunded", the refund under it
    const history = region(desk, t('history.title'));
    const rows = history.getByRole('row').filter({ hasText: 'Cleaning' });
    await expect(rows).toHaveCount(2);
    await rows.first().getByRole('button', { name: t('history.refund') }).click();
    const refundForm = history.getByRole('form', { name: t('refund.title') });
    await refundForm.getByRole('button', { name: t('refund.submit') }).click();
    await expect(history.getByRole('status')).toHaveText(t('refund.result', { amount: c.charge.shown, status: t('refundStatus.succeeded') }));
    await history.getByRole('button', { name: t('common.close'), exact: true }).click();
    await expect(history.getByRole('cell', { name: t('chargeStatus.refunded'), exact: true })).toBeVisible();
    await expect(history.getByRole('row').filter({ hasText: `−${c.charge.shown}` })).toContainText(t('refundStatus.succeeded'));
    await screen(page, testInfo, `${lang}-charges-refunded`);

    // --- printed documents made in training mode say so
    await history.getByRole('row').filter({ hasText: 'Cleaning' }).filter({ hasNotText: t('chargeStatus.refunded') }).getByRole('button', { name: t('history.receipt') }).click();
    await expect(page.getByRole('article').getByRole('note')).toHaveText(t('receipt.trainingMark'));
    await screen(page, testInfo, `${lang}-receipt-training`);
    await page.getByRole('button', { name: t('customer.back') }).click();
    await region(desk, t('customer.consents')).getByRole('button', { name: t('customer.viewConsent') }).click();
    await expect(page.getByRole('note').first()).toContainText(t('consentDoc.trainingMark'));
    await screen(page, testInfo, `${lang}-consent-training`);

    // --- the audit log as a ledger: actions chosen from a list, the customer by name
    await goToNav(desk, 'audit');
    const filters = page.getByRole('form', { name: t('audit.filters') });
    await filters.getByLabel(t('audit.action'), { exact: true }).selectOption({ label: t('auditAction.charges.create') });
    await filters.getByLabel(t('audit.customerName'), { exact: true }).fill(c.first.name);
    await expect(filters.getByLabel(t('audit.customerChoice'), { exact: true })).toBeVisible();
    await filters.getByRole('button', { name: t('audit.apply') }).click();
    const entries = region(desk, t('audit.entries'));
    const ledger = `${t('ledger.charge', { amount: c.charge.shown, name: c.first.name })} — ${t('chargeStatus.succeeded')}`;
    await expect(entries.getByText(ledger, { exact: true })).toHaveCount(2);
    await expect(entries.getByRole('row')).toHaveCount(3); // header + the two charges
    await expect(entries.getByRole('row').nth(1)).toContainText(c.first.name);
    await screen(page, testInfo, `${lang}-audit-ledger`);
  });

  test(`[${lang}] the header never overflows (1280, 1100, 1024 px: folds into a menu) and nothing scrolls sideways at 768 px`, async ({ app }, testInfo) => {
    const desk = deskOf(app, lang);
    const { page, t } = desk;
    await switchLanguage(desk);
    await createFirstManager(desk);
    await seedSavedMethod(desk, c.first, { currency: c.currency, amountText: c.max });

    const header = page.locator('header.app-header');
    for (const width of [1280, 1100, 1024]) {
      await page.setViewportSize({ width, height: 800 });
      await expect.poll(() => overflowOf(header)).toBeLessThanOrEqual(0);
      const headerBox = await header.boundingBox();
      expect(headerBox?.height ?? 0).toBeLessThan(70); // one line
      const menu = page.getByRole('button', { name: t('header.menu') });
      if (width >= 1100) {
        await expect(menu).toBeHidden();
        await expect(page.getByRole('navigation', { name: t('nav.label') })).toBeVisible();
      } else {
        await expect(page.getByRole('navigation', { name: t('nav.label') })).toBeHidden();
        await menu.click();
        await expect(menu).toHaveAttribute('aria-expanded', 'true');
        await screen(page, testInfo, `${lang}-header-${width}-menu-open`);
        await page.getByRole('navigation', { name: t('nav.label') }).getByRole('button', { name: t('nav.audit') }).click();
        await expect(heading1(desk, t('audit.title'))).toBeVisible();
        await expect(menu).toHaveAttribute('aria-expanded', 'false'); // navigating closes it
      }
      await screen(page, testInfo, `${lang}-header-${width}`);
    }

    await page.setViewportSize({ width: 768, height: 900 });
    const screens: Array<[string, () => Promise<void>]> = [
      ['audit', async () => {}],
      ['customers', () => goToViaMenu(desk, 'customers')],
      ['customer', async () => {
        await page.getByLabel(t('customers.search.label'), { exact: true }).fill(c.first.name);
        await page.getByRole('button', { name: new RegExp(`^${c.first.name}`) }).click();
        await expect(heading1(desk, c.first.name)).toBeVisible();
      }],
      ['mandate', () => page.getByRole('button', { name: t('customer.saveForLater') }).click()],
      ['settings', () => goToViaMenu(desk, 'settings')],
      ['staff', () => goToViaMenu(desk, 'staff')],
    ];
    for (const [name, open] of screens) {
      await open();
      await expect.poll(() => sidewaysScroll(page), { message: name }).toBeLessThanOrEqual(0);
      await screen(page, testInfo, `${lang}-768-${name}`);
    }
  });
}

/** How far the header's content sticks out of it (px); 0 or less when it fits. */
const overflowOf = (header: Locator) => header.evaluate((el) => el.scrollWidth - el.clientWidth);
/** How far the page scrolls sideways (px). */
const sidewaysScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

async function goToViaMenu(desk: Desk, target: 'customers' | 'staff' | 'settings' | 'audit'): Promise<void> {
  const menu = desk.page.getByRole('button', { name: desk.t('header.menu') });
  if (await menu.isVisible()) await menu.click();
  await goToNav(desk, target);
}
