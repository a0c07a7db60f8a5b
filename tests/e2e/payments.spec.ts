/**
 * Issue 9, "the money trail, readable" (in English and in Japanese): a manager charges twice (one
 * succeeds, one is declined with the magic amount …9901), then finds both on the Payments screen
 * with the customer, amount in the currency's format, translated status, staff and terminal; the
 * day total counts only the succeeded charge; the status filter narrows the list; the CSV export
 * downloads the same rows.
 */
import { readFile } from 'node:fs/promises';
import type { Currency, Language } from '../../preload/contract';
import { expect, test } from './fixtures';
import { chargeNow, createFirstManager, deskOf, escapeRegExp, goToNav, heading1, openChargePanel, region, screen, seedSavedMethod, switchLanguage, MANAGER, type CustomerInput } from './steps';

interface Case {
  lang: Language;
  customer: CustomerInput;
  currency: Currency;
  maxText: string;
  ok: { typed: string; shown: string };
  decline: { typed: string; shown: string };
}

const CASES: Case[] = [
  { lang: 'en', customer: { name: 'Frank Buyer', email: 'frank@example.com', language: 'en' }, currency: 'usd', maxText: '500', ok: { typed: '12.34', shown: '$12.34' }, decline: { typed: '199.01', shown: '$199.01' } },
  { lang: 'ja', customer: { name: '佐藤 一郎', email: 'ichiro@example.jp', language: 'ja' }, currency: 'jpy', maxText: '50,000', ok: { typed: '1,500', shown: '￥1,500' }, decline: { typed: '19901', shown: '￥19,901' } },
];

for (const c of CASES) {
  test(`[${c.lang}] a manager sees every charge on the Payments screen, filters it and exports it`, async ({ app }, testInfo) => {
    const desk = deskOf(app, c.lang);
    const { page, t } = desk;
    await switchLanguage(desk);
    await createFirstManager(desk);
    const { paymentMethodId } = await seedSavedMethod(desk, c.customer, { currency: c.currency, amountText: c.maxText });
    const panel = await openChargePanel(desk, paymentMethodId);
    await (await chargeNow(desk, panel, c.ok.typed, 'Coat cleaning')).getByRole('button', { name: t('common.close') }).click();
    const again = await openChargePanel(desk, paymentMethodId);
    await (await chargeNow(desk, again, c.decline.typed, 'Second coat')).getByRole('button', { name: t('common.close') }).click();

    await goToNav(desk, 'payments');
    await expect(heading1(desk, t('payments.title'))).toBeVisible();
    const list = region(desk, t('payments.rows', { count: 2 }));
    const okRow = list.getByRole('row').filter({ hasText: 'Coat cleaning' });
    const declinedRow = list.getByRole('row').filter({ hasText: 'Second coat' });
    for (const text of [c.customer.name, c.ok.shown, t('chargeStatus.succeeded'), MANAGER.name, t('payments.kind.charge')]) await expect(okRow).toContainText(text);
    await expect(declinedRow).toContainText(c.decline.shown);
    await expect(declinedRow).toContainText(t('chargeStatus.declined'));
    // the newest first
    await expect(list.getByRole('row').nth(1)).toContainText('Second coat');

    const totals = region(desk, t('payments.totals'));
    const dayRow = totals.getByRole('row').nth(1);
    await expect(dayRow).toContainText(c.ok.shown);
    await expect(dayRow).toContainText(t('payments.counts', { charges: 1, refunds: 0, rows: 2 }));
    await screen(page, testInfo, `payments-${c.lang}`);

    // --- the status filter, chosen from a list
    await page.getByLabel(t('payments.status'), { exact: true }).selectOption({ label: t('chargeStatus.declined') });
    await page.getByRole('button', { name: t('payments.apply') }).click();
    const filtered = region(desk, t('payments.rows', { count: 1 }));
    await expect(filtered.getByRole('row')).toHaveCount(2);
    await expect(filtered).toContainText('Second coat');
    await expect(totals.getByRole('row').nth(1)).toContainText(t('payments.counts', { charges: 0, refunds: 0, rows: 1 }));

    // --- CSV of the same filter
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: t('payments.exportCsv') }).click()]);
    expect(download.suggestedFilename()).toMatch(/^payments-\d{4}-\d{2}-\d{2}-to-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = await readFile((await download.path())!, 'utf8');
    const lines = csv.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('declined');
    expect(lines[1]).toContain(c.customer.name);

    // --- a range longer than 31 days is named at its field, in the app's language, and not asked for
    await page.getByLabel(t('payments.from'), { exact: true }).fill('2026-01-01');
    await page.getByLabel(t('payments.to'), { exact: true }).fill('2026-03-01');
    await page.getByRole('button', { name: t('payments.apply') }).click();
    await expect(page.getByLabel(t('payments.to'), { exact: true })).toHaveAccessibleDescription(new RegExp(escapeRegExp(t('payments.rangeTooLong', { days: 31 }))));
    await expect(filtered).toContainText('Second coat'); // the list shown is still the last one asked for
    await screen(page, testInfo, `payments-range-refused-${c.lang}`);
  });
}
