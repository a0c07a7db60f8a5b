/**
 * Issue 2, the main flow end to end (specs 1 and 5): first manager, customer, terms and consent,
 * Amazon Pay setup finished by the customer in their own browser, and the app showing the saved method
 * by itself. Once with the UI and the customer in English, once both in Japanese.
 */
import type { Language } from '../../preload/contract';
import { expect, test } from './fixtures';
import { acceptTerms, createCustomer, createFirstManager, customerCompletesSetup, deskOf, expectSetupSucceeded, heading1, openSetup, region, savedMethodRow, screen, showTerms, SHOP, switchLanguage, type ConsentInput, type CustomerInput } from './steps';

interface Case {
  lang: Language;
  customer: CustomerInput;
  consent: ConsentInput;
  /** Phrases the terms must contain in the customer's language (incl. the maximum, formatted per currency). */
  termsPhrases: string[];
  returnPage: { saved: string; mayClose: string };
}

const CASES: Case[] = [
  {
    lang: 'en',
    customer: { name: 'Alice Example', email: 'alice@example.com', language: 'en' },
    consent: { currency: 'usd', amountText: '500' },
    termsPhrases: ['Authorization to charge later with Amazon Pay', 'up to a maximum of $500.00 per payment', 'Customer: Alice Example (alice@example.com)'],
    returnPage: { saved: 'Your Amazon Pay account has been saved. Thank you.', mayClose: 'You can close this page and return to the shop counter.' },
  },
  {
    lang: 'ja',
    customer: { name: '山田 花子', email: 'hanako@example.jp', language: 'ja' },
    consent: { currency: 'jpy', amountText: '50,000' },
    termsPhrases: ['Amazon Pay による後日請求に関する同意書', '特定商取引法', '1 回あたり ￥50,000 を上限', 'お客様: 山田 花子 様'],
    returnPage: { saved: 'Amazon Pay アカウントを登録しました。', mayClose: 'このページを閉じて、店舗のカウンターにお戻りください。' },
  },
];

for (const c of CASES) {
  test(`[${c.lang}] a customer's Amazon Pay is saved for later after recorded consent`, async ({ app }, testInfo) => {
    const desk = deskOf(app, c.lang);
    const { page, t } = desk;
    await switchLanguage(desk);
    await screen(page, testInfo, `${c.lang}-01-first-manager`);
    await createFirstManager(desk);
    await createCustomer(desk, c.customer);
    await screen(page, testInfo, `${c.lang}-02-new-customer-mandate`);

    const shown = await showTerms(desk, c.customer, c.consent);
    for (const phrase of c.termsPhrases) expect(shown.text).toContain(phrase);
    // the shop set up on first start is named, with its contact, in the customer's terms
    expect(shown.text).toContain(SHOP.name);
    expect(shown.text).toContain(SHOP.contact);
    await screen(page, testInfo, `${c.lang}-03-terms`);
    // Recording the consent goes straight on to the setup (one staff action fewer at the counter).
    await acceptTerms(desk, { typedName: c.customer.name });
    const checkoutUrl = await openSetup(desk);
    expect(new URL(checkoutUrl).hostname).toBe('127.0.0.1');
    await screen(page, testInfo, `${c.lang}-05-waiting`);

    const customerPage = await customerCompletesSetup(app, checkoutUrl, 'authorize');
    await expect(customerPage.locator('html')).toHaveAttribute('lang', c.customer.language);
    await expect(customerPage.getByText(c.returnPage.saved)).toBeVisible();
    await expect(customerPage.getByText(c.returnPage.mayClose)).toBeVisible();
    await screen(customerPage, testInfo, `${c.lang}-06-return-page`);
    await customerPage.close();

    // Nobody clicks "Check now": the return page completed the setup and the screen follows.
    const paymentMethodId = await expectSetupSucceeded(desk);
    expect(paymentMethodId).toMatch(/^pm_/);
    await expect(page.getByText(t('setupStatus.succeeded'), { exact: true })).toBeVisible();
    await screen(page, testInfo, `${c.lang}-07-setup-succeeded`);

    await page.getByRole('button', { name: t('setup.backToCustomer') }).click();
    const consents = region(desk, t('customer.consents'));
    await expect(consents.getByRole('row')).toHaveCount(2); // header + the one consent
    await expect(consents.getByRole('row').nth(1)).toContainText(t('consentStatus.active'));
    await expect(savedMethodRow(desk, paymentMethodId)).toContainText(t('methodStatus.active'));
    await expect(region(desk, t('customer.setups')).getByRole('row').nth(1)).toContainText(t('setupStatus.succeeded'));
    await screen(page, testInfo, `${c.lang}-08-customer-with-method`);

    await consents.getByRole('button', { name: t('customer.viewConsent') }).click();
    await expect(heading1(desk, t('consentDoc.title'))).toBeVisible();
    const record = region(desk, t('consentDoc.record'));
    await expect(record.getByText(t('consentStatus.active'), { exact: true })).toBeVisible();
    await expect(record.getByText(shown.sha256, { exact: true })).toBeVisible();
    await expect(record.getByText(c.customer.name, { exact: true })).toBeVisible();
    await expect(record.getByText(paymentMethodId, { exact: true })).toBeVisible();
    const accepted = page.getByRole('article');
    await expect(accepted).toHaveAttribute('lang', c.customer.language);
    expect(await accepted.locator('.terms-text').textContent()).toBe(shown.text);
    await screen(page, testInfo, `${c.lang}-09-consent-record`);
  });
}
