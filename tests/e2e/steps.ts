/**
 * Reusable steps of the end-to-end specs. Every step drives the UI by role and accessible name, in the
 * UI language the spec chose (`desk.t` reads the renderer's own dictionary), and waits on UI state.
 */
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Locator, Page, TestInfo } from '@playwright/test';
import type { Currency, Language, MandateParams, Result } from '../../preload/contract';
import { LANGUAGE_NAMES } from '../../renderer/i18n/languageNames';
import { translate, translator, type Translate } from '../../renderer/i18n/translate';
import { expect, type MandateDeskApp } from './fixtures';

const LANGUAGES_UNDER_TEST: Language[] = ['en', 'ja'];

export interface Person {
  name: string;
  pin: string;
}
export const MANAGER: Person = { name: 'Mika Manager', pin: '4826' };
/** The shop the first manager sets up: its name and contact appear in every terms text. */
export const SHOP = { name: 'Hanamizuki Cleaning', contact: '1-2-3 Ginza, Tokyo · +81 3-0000-0000 · desk@hanamizuki.example' };
export const STAFF: Person = { name: 'Sam Staff', pin: '7391' };

export interface CustomerInput {
  name: string;
  email: string;
  /** The customer's language (terms, receipts, the return page). */
  language: Language;
}

export interface ConsentInput {
  frequency?: MandateParams['frequency'];
  amountRule?: MandateParams['amountRule'];
  currency: Currency;
  /** The fixed amount or the maximum, as a person types it in major units ("500", "50,000"). */
  amountText: string;
  /** Language of the terms; the customer's language when omitted. */
  termsLanguage?: Language;
  /** What the customer types as their name; the customer's name when omitted. */
  typedName?: string;
}

/** What the customer was shown and accepted. */
export interface ShownTerms {
  text: string;
  sha256: string;
}

/** The app's window plus the UI language the spec drives it in. */
export interface Desk {
  app: MandateDeskApp;
  page: Page;
  lang: Language;
  t: Translate;
}

export function deskOf(app: MandateDeskApp, lang: Language = 'en'): Desk {
  return {
    app,
    get page() {
      return app.page;
    },
    lang,
    t: translator(lang),
  };
}

/** The screen's title (its one level-1 heading). */
export const heading1 = (desk: Desk, name: string | RegExp) => desk.page.getByRole('heading', { level: 1, name });

/** A section named by its heading (`<section aria-labelledby>` is a region). */
export function region(desk: Desk, name: string): Locator {
  return desk.page.getByRole('region', { name, exact: true });
}

/** Switches the UI language with the header buttons (EN / 日本語), whatever language is showing now. */
export async function switchLanguage(desk: Desk): Promise<void> {
  const groupName = new RegExp(`^(${LANGUAGES_UNDER_TEST.map((lang) => escapeRegExp(translate(lang, 'header.displayLanguage'))).join('|')})$`);
  const button = desk.page.getByRole('group', { name: groupName }).getByRole('button', { name: desk.lang === 'ja' ? '日本語' : 'EN', exact: true });
  await button.click();
  await expect(button).toHaveAttribute('aria-pressed', 'true');
  await expect(desk.page.locator('html')).toHaveAttribute('lang', desk.lang);
}

/** First start: creates the first manager, who is then signed in on the customer list. */
export async function createFirstManager(desk: Desk, person: Person = MANAGER): Promise<void> {
  const { page, t } = desk;
  await expect(heading1(desk, t('firstManager.title'))).toBeVisible();
  await page.getByLabel(t('firstManager.name'), { exact: true }).fill(person.name);
  await page.getByLabel(t('firstManager.pin'), { exact: true }).fill(person.pin);
  await page.getByLabel(t('firstManager.confirmPin'), { exact: true }).fill(person.pin);
  await page.getByLabel(t('firstManager.shopName'), { exact: true }).fill(SHOP.name);
  await page.getByLabel(t('firstManager.shopContact'), { exact: true }).fill(SHOP.contact);
  await page.getByRole('button', { name: t('firstManager.submit') }).click();
  await expectSignedIn(desk, person, 'manager');
}

export async function expectSignedIn(desk: Desk, person: Person, role: 'staff' | 'manager'): Promise<void> {
  const { t } = desk;
  await expect(heading1(desk, t('customers.title'))).toBeVisible();
  await expect(desk.page.getByText(t('header.signedInAs', { name: person.name, role: t(`role.${role}`) }))).toBeVisible();
}

/** Fills the sign-in form and submits it (the outcome is for the caller to check). */
export async function submitSignIn(desk: Desk, person: Person): Promise<void> {
  const { page, t } = desk;
  await expect(heading1(desk, t('signIn.title'))).toBeVisible();
  await page.getByLabel(t('signIn.name'), { exact: true }).fill(person.name);
  await page.getByLabel(t('signIn.pin'), { exact: true }).fill(person.pin);
  await page.getByRole('button', { name: t('signIn.submit'), exact: true }).click();
}

export async function signIn(desk: Desk, person: Person, role: 'staff' | 'manager'): Promise<void> {
  await submitSignIn(desk, person);
  await expectSignedIn(desk, person, role);
}

export async function signOut(desk: Desk): Promise<void> {
  await desk.page.getByRole('button', { name: desk.t('header.signOut') }).click();
  await expect(heading1(desk, desk.t('signIn.title'))).toBeVisible();
}

export async function goToNav(desk: Desk, target: 'customers' | 'staff' | 'settings' | 'audit' | 'payments' | 'outbox'): Promise<void> {
  await desk.page
    .getByRole('navigation', { name: desk.t('nav.label') })
    .getByRole('button', { name: desk.t(`nav.${target}`), exact: true })
    .click();
}

/** A manager adds someone on the Staff screen. */
export async function addStaffMember(desk: Desk, person: Person, role: 'staff' | 'manager'): Promise<void> {
  const { page, t } = desk;
  await goToNav(desk, 'staff');
  const form = page.getByRole('form', { name: t('staff.add') });
  await form.getByLabel(t('staff.name'), { exact: true }).fill(person.name);
  await form.getByLabel(t('staff.pin'), { exact: true }).fill(person.pin);
  await form.getByLabel(t('staff.role'), { exact: true }).selectOption(role);
  await form.getByRole('button', { name: t('staff.addSubmit') }).click();
  await expect(page.getByRole('status').filter({ hasText: t('staff.added', { name: person.name }) })).toBeVisible();
}

/** Opens the new-customer form from the customer list. */
export async function openNewCustomerForm(desk: Desk): Promise<void> {
  await goToNav(desk, 'customers');
  await desk.page.getByRole('button', { name: desk.t('customers.new') }).click();
  await expect(heading1(desk, desk.t('newCustomer.title'))).toBeVisible();
}

async function fillCustomerForm(desk: Desk, customer: CustomerInput): Promise<void> {
  const { page, t } = desk;
  await page.getByLabel(t('newCustomer.name'), { exact: true }).fill(customer.name);
  await page.getByLabel(t('newCustomer.email'), { exact: true }).fill(customer.email);
  await page.getByLabel(t('newCustomer.language'), { exact: true }).selectOption(customer.language);
  await page.getByRole('button', { name: t('newCustomer.submit') }).click();
}

/** Creates a customer; the counter goes straight on to "Save Amazon Pay for later" for them. */
export async function createCustomer(desk: Desk, customer: CustomerInput): Promise<void> {
  await openNewCustomerForm(desk);
  await fillCustomerForm(desk, customer);
  await expect(heading1(desk, desk.t('mandate.title'))).toBeVisible();
  await expect(desk.page.getByText(desk.t('mandate.for', { name: customer.name, email: customer.email }))).toBeVisible();
  await expect(desk.page.getByRole('status').filter({ hasText: desk.t('customer.created') })).toBeVisible();
}

/** Finds a customer by name on the customer list and opens their page. */
export async function openCustomer(desk: Desk, name: string): Promise<void> {
  const { page, t } = desk;
  await goToNav(desk, 'customers');
  await page.getByLabel(t('customers.search.label'), { exact: true }).fill(name);
  await page.getByRole('button', { name: t('customers.search.submit'), exact: true }).click();
  // in the search results (the same customer may also be listed under recent or in-progress customers)
  const results = page.getByRole('region', { name: messagePattern(t, 'customers.local.title') });
  await results.getByRole('button', { name: new RegExp(`^${escapeRegExp(name)}`) }).click();
  await expect(heading1(desk, name)).toBeVisible();
}

/** From the customer page ("Save Amazon Pay for later") or right after creating the customer: fills the parameters and shows the terms. */
export async function showTerms(desk: Desk, customer: CustomerInput, consent: ConsentInput): Promise<ShownTerms> {
  const { page, t } = desk;
  if (!(await heading1(desk, t('mandate.title')).isVisible())) await page.getByRole('button', { name: t('customer.saveForLater') }).click();
  await expect(heading1(desk, t('mandate.title'))).toBeVisible();
  const termsLanguage = consent.termsLanguage ?? customer.language;
  await page.getByRole('group', { name: t('mandate.termsLanguage') }).getByRole('radio', { name: LANGUAGE_NAMES[termsLanguage] }).check();
  const params = page.getByRole('form', { name: t('mandate.step.params') });
  const frequency = consent.frequency ?? 'as_needed';
  const amountRule = consent.amountRule ?? 'up_to_max';
  await params.getByLabel(t('mandate.frequency'), { exact: true }).selectOption(frequency);
  await params.getByLabel(t('mandate.amountRule'), { exact: true }).selectOption(amountRule);
  await params.getByLabel(t('mandate.currency'), { exact: true }).selectOption(consent.currency);
  await params.getByLabel(amountRule === 'fixed' ? t('mandate.amount') : t('mandate.maxAmount'), { exact: true }).fill(consent.amountText);
  await params.getByRole('button', { name: t('mandate.showTerms') }).click();
  return readShownTerms(desk);
}

/** The terms on screen, checked against the SHA-256 the screen states for them. */
async function readShownTerms(desk: Desk): Promise<ShownTerms> {
  const acceptance = desk.page.getByRole('form', { name: desk.t('mandate.step.terms') });
  await expect(acceptance).toBeVisible();
  const article = acceptance.getByRole('article');
  const text = (await article.locator('.terms-text').textContent()) ?? '';
  expect(text.length).toBeGreaterThan(200);
  const sha256 = createHash('sha256').update(text, 'utf8').digest('hex');
  await expect(article.getByText(sha256, { exact: true })).toBeVisible();
  return { text, sha256 };
}

/** The customer types their name and accepts, staff confirms they witnessed it; submits. */
export async function acceptTerms(desk: Desk, opts: { typedName: string; accept?: boolean; witness?: boolean }): Promise<void> {
  const { page, t } = desk;
  const form = page.getByRole('form', { name: t('mandate.step.terms') });
  await form.getByLabel(t('terms.typedName'), { exact: true }).fill(opts.typedName);
  await form.getByRole('checkbox', { name: t('terms.accept') }).setChecked(opts.accept ?? true);
  await form.getByRole('checkbox', { name: t('terms.witness') }).setChecked(opts.witness ?? true);
  await form.getByRole('button', { name: t('terms.recordAndOpen') }).click();
}

/** Shows the terms, has them accepted and recorded; the app goes straight on to the Amazon Pay setup. */
export async function recordConsent(desk: Desk, customer: CustomerInput, consent: ConsentInput): Promise<ShownTerms> {
  const shown = await showTerms(desk, customer, consent);
  await acceptTerms(desk, { typedName: consent.typedName ?? customer.name });
  await expect(heading1(desk, desk.t('setup.title'))).toBeVisible();
  return shown;
}

/**
 * The setup that recording the consent opened (or, when `click`, the one a button such as
 * "Open Amazon Pay setup" opens): waits for the waiting screen and returns the Checkout URL the app
 * asked the system browser to open.
 */
export async function openSetup(desk: Desk, opts: { click?: Locator } = {}): Promise<string> {
  const { app, page, t } = desk;
  const alreadyOpened = opts.click ? (await app.openedUrls()).length : 0;
  await opts.click?.click();
  await expect(heading1(desk, t('setup.title'))).toBeVisible();
  await expect(region(desk, t('setup.waiting'))).toBeVisible();
  const url = await app.waitForOpenedUrl(alreadyOpened);
  if (app.transport === 'chromium') await expect(page.getByRole('link', { name: t('setup.openCheckout') })).toHaveAttribute('href', url);
  return url;
}

/**
 * The customer's browser: the Checkout page, "Continue to Amazon Pay", then the test page's
 * "Authorize test setup" or "Fail test setup". Returns the customer's page (on the app's return page,
 * unless `returnPageDown`, when the redirect to it must fail).
 */
export async function customerCompletesSetup(app: MandateDeskApp, checkoutUrl: string, outcome: 'authorize' | 'fail', opts: { returnPageDown?: boolean } = {}): Promise<Page> {
  const customer = await app.openInBrowser(checkoutUrl);
  await customer.getByRole('button', { name: /Continue to Amazon Pay/ }).click();
  const finish = customer.getByRole('button', { name: outcome === 'authorize' ? /Authorize test setup/ : /Fail test setup/ });
  if (opts.returnPageDown) {
    const refused = customer.waitForEvent('requestfailed', (request) => request.url().includes('/return/'));
    await finish.click({ noWaitAfter: true });
    await refused;
    return customer;
  }
  await finish.click();
  await customer.waitForURL(outcome === 'authorize' ? /\/return\/success\?/ : /\/return\/cancel\?/);
  return customer;
}

/** Waits until the setup screen shows the saved method by itself, and returns its payment method id. */
export async function expectSetupSucceeded(desk: Desk): Promise<string> {
  const success = region(desk, desk.t('setup.succeeded'));
  await expect(success).toBeVisible();
  const pm = success.getByText(/^pm_\w+$/);
  await expect(pm).toBeVisible();
  return (await pm.textContent()) ?? '';
}

/** Customer, consent and saved Amazon Pay method, through the UI and the customer's browser. Ends on the customer page. */
export async function seedSavedMethod(desk: Desk, customer: CustomerInput, consent: ConsentInput): Promise<{ paymentMethodId: string; shown: ShownTerms }> {
  await createCustomer(desk, customer);
  const shown = await recordConsent(desk, customer, consent);
  const url = await openSetup(desk);
  const customerPage = await customerCompletesSetup(desk.app, url, 'authorize');
  await customerPage.close();
  const paymentMethodId = await expectSetupSucceeded(desk);
  await desk.page.getByRole('button', { name: desk.t('setup.backToCustomer') }).click();
  await expect(heading1(desk, customer.name)).toBeVisible();
  await expect(savedMethodRow(desk, paymentMethodId)).toBeVisible();
  return { paymentMethodId, shown };
}

/** The row of a saved method in "Saved Amazon Pay methods". */
export function savedMethodRow(desk: Desk, paymentMethodId: string): Locator {
  return region(desk, desk.t('customer.methods')).getByRole('row').filter({ hasText: paymentMethodId });
}

/** Opens the charge panel of a saved method (managers) and returns it. */
export async function openChargePanel(desk: Desk, paymentMethodId: string): Promise<Locator> {
  await savedMethodRow(desk, paymentMethodId).getByRole('button', { name: desk.t('charge.open'), exact: true }).click();
  const panel = region(desk, desk.t('charge.title'));
  await expect(panel).toBeVisible();
  return panel;
}

/** A message as a pattern: each `{placeholder}` matches any text (for names that carry an amount or a name). */
export function messagePattern(t: Translate, key: Parameters<Translate>[0]): RegExp {
  const marker = '\u0000';
  const template = t(key).replace(/\{\w+\}/g, marker);
  return new RegExp(`^${template.split(marker).map(escapeRegExp).join('.+')}$`);
}

/** Types the amount and description into the charge form. */
export async function fillCharge(desk: Desk, panel: Locator, amountText: string, description: string): Promise<void> {
  await panel.getByLabel(desk.t('charge.amount'), { exact: true }).fill(amountText);
  await panel.getByLabel(desk.t('charge.description'), { exact: true }).fill(description);
}

/** Fills the charge form, presses "Charge {amount}" and answers the question (the outcome is for the caller to check). */
export async function submitCharge(desk: Desk, panel: Locator, amountText: string, description: string, opts: { again?: boolean } = {}): Promise<void> {
  const { t } = desk;
  await fillCharge(desk, panel, amountText, description);
  await panel.getByRole('button', { name: messagePattern(t, 'charge.submitAmount') }).click();
  const question = panel.getByRole('group', { name: messagePattern(t, 'charge.confirmQuestion') });
  await question.getByRole('button', { name: messagePattern(t, opts.again ? 'charge.confirmAgain' : 'charge.confirm') }).click();
}

/** Fills the charge form, sends it, and returns the outcome (role status or alert, with its buttons). */
export async function chargeNow(desk: Desk, panel: Locator, amountText: string, description: string): Promise<Locator> {
  const { t } = desk;
  await submitCharge(desk, panel, amountText, description);
  const outcome = panel
    .getByRole('status')
    .or(panel.getByRole('alert'))
    .filter({ has: desk.page.getByRole('button', { name: t('common.close'), exact: true }) });
  await expect(outcome).toBeVisible();
  return outcome;
}

/**
 * Sends `charges.create` straight through `window.api`, as a tampered renderer could, for the first
 * consent of the customer with this e-mail. Returns main's Result.
 */
export async function forgeCharge(desk: Desk, input: { email: string; paymentMethodId: string; amount: number; currency: Currency }): Promise<Result<unknown>> {
  return desk.page.evaluate(async ({ email, paymentMethodId, amount, currency }) => {
    const found = await window.api.invoke('customers.search', { query: email });
    if (!found.ok || found.data.local.length !== 1) throw new Error(`customer ${email} not found`);
    const detail = await window.api.invoke('customers.get', { customerId: found.data.local[0].id });
    if (!detail.ok) throw new Error('customer detail not readable');
    return window.api.invoke('charges.create', {
      customerId: detail.data.customer.id,
      consentId: detail.data.consents[0].id,
      paymentMethodId,
      amount,
      currency,
      description: 'Sent around the UI',
      requestKey: crypto.randomUUID(),
    });
  }, input);
}

/** A full-page screenshot for people to look at: test-results/screens/<project>-<name>.png (not committed). */
export async function screen(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const dir = join(testInfo.project.outputDir, 'screens');
  await mkdir(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${testInfo.project.name}-${name}.png`), fullPage: true });
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
