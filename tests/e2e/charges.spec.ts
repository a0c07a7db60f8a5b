/**
 * Issue 4, charging later (spec 9, in English and in Japanese): a successful off-session charge and
 * its receipt, a decline (the emulator's magic amount …9901, allowed by the consent's maximum), an
 * amount over the consent's maximum, and a partial refund. Amounts are formatted per currency.
 */
import type { Currency, Language } from '../../preload/contract';
import { expect, test } from './fixtures';
import { translate } from '../../renderer/i18n/translate';
import { chargeNow, createFirstManager, deskOf, escapeRegExp, fillCharge, heading1, messagePattern, openChargePanel, region, seedSavedMethod, switchLanguage, type CustomerInput } from './steps';

interface Case {
  lang: Language;
  customer: CustomerInput;
  currency: Currency;
  maxText: string;
  /** What is typed, and how the app must show it. */
  ok: { typed: string; shown: string };
  decline: { typed: string; shown: string };
  overMax: { typed: string; maxShown: string };
  refund: { typed: string; shown: string; remainingShown: string };
}

const CASES: Case[] = [
  {
    lang: 'en',
    customer: { name: 'Frank Buyer', email: 'frank@example.com', language: 'en' },
    currency: 'usd',
    maxText: '500',
    ok: { typed: '12.34', shown: '$12.34' },
    decline: { typed: '199.01', shown: '$199.01' },
    overMax: { typed: '500.01', maxShown: '$500.00' },
    refund: { typed: '5', shown: '$5.00', remainingShown: '$7.34' },
  },
  {
    lang: 'ja',
    customer: { name: '佐藤 一郎', email: 'ichiro@example.jp', language: 'ja' },
    currency: 'jpy',
    maxText: '50,000',
    ok: { typed: '1,500', shown: '￥1,500' },
    decline: { typed: '19901', shown: '￥19,901' },
    overMax: { typed: '50001', maxShown: '￥50,000' },
    refund: { typed: '500', shown: '￥500', remainingShown: '￥1,000' },
  },
];

for (const c of CASES) {
  test(`[${c.lang}] a manager charges a saved method, sees a decline, and refunds part of a charge`, async ({ app }) => {
    const desk = deskOf(app, c.lang);
    const { page, t } = desk;
    await switchLanguage(desk);
    await createFirstManager(desk);
    const { paymentMethodId } = await seedSavedMethod(desk, c.customer, { currency: c.currency, amountText: c.maxText });

    // --- more than the consent allows never leaves the app
    const panel = await openChargePanel(desk, paymentMethodId);
    await fillCharge(desk, panel, c.overMax.typed, 'Too much');
    await panel.getByRole('button', { name: messagePattern(t, 'charge.submitAmount') }).click();
    await expect(panel.getByRole('group', { name: messagePattern(t, 'charge.confirmQuestion') })).toHaveCount(0);
    await expect(panel.getByLabel(t('charge.amount'), { exact: true })).toHaveAccessibleDescription(new RegExp(escapeRegExp(t('validation.amountOverMax', { max: c.overMax.maxShown }))));

    // --- a successful charge and its receipt
    const succeeded = await chargeNow(desk, panel, c.ok.typed, 'Repair of a bicycle');
    await expect(succeeded).toHaveAttribute('role', 'status');
    await expect(succeeded).toContainText(t('charge.outcome.succeeded', { amount: c.ok.shown }));
    await expect(succeeded.getByText(/^pi_\w+$/)).toBeVisible();
    await succeeded.getByRole('button', { name: t('charge.receipt') }).click();
    await expect(heading1(desk, t('receipt.screenTitle'))).toBeVisible();
    const receipt = page.getByRole('article');
    await expect(receipt).toHaveAttribute('lang', c.customer.language);
    await expect(receipt).toContainText(c.ok.shown);
    await expect(receipt).toContainText('Repair of a bicycle');
    await expect(receipt).toContainText(c.customer.name);
    await expect(receipt).toContainText(t('chargeStatus.succeeded'));
    await page.getByRole('button', { name: t('customer.back') }).click();

    // --- a decline: the magic amount …9901, within the consent's maximum
    const again = await openChargePanel(desk, paymentMethodId);
    const declined = await chargeNow(desk, again, c.decline.typed, 'Second repair');
    await expect(declined).toHaveAttribute('role', 'alert');
    await expect(declined).toContainText(t('charge.outcome.declined', { amount: c.decline.shown }));
    await expect(declined).toContainText('payment_method_provider_decline');
    await expect(declined.getByRole('button', { name: t('charge.newAttempt') })).toBeVisible();
    await declined.getByRole('button', { name: t('common.close') }).click();

    const history = region(desk, t('history.title'));
    const okRow = history.getByRole('row').filter({ hasText: 'Repair of a bicycle' });
    const declinedRow = history.getByRole('row').filter({ hasText: 'Second repair' });
    await expect(okRow).toContainText(c.ok.shown);
    await expect(okRow).toContainText(t('chargeStatus.succeeded'));
    await expect(declinedRow).toContainText(c.decline.shown);
    await expect(declinedRow).toContainText(t('chargeStatus.declined'));
    // Nothing to refund or print for a decline.
    await expect(declinedRow.getByRole('button')).toHaveCount(0);

    // --- a partial refund
    await okRow.getByRole('button', { name: t('history.refund') }).click();
    const refundForm = history.getByRole('form', { name: t('refund.title') });
    await expect(refundForm).toContainText(t('refund.remaining', { amount: c.ok.shown, total: c.ok.shown }));
    await refundForm.getByLabel(t('refund.amount'), { exact: true }).fill(c.refund.typed);
    await refundForm.getByRole('button', { name: t('refund.submit') }).click();
    const refundResults = (['pending', 'processing', 'succeeded'] as const).map((status) => t('refund.result', { amount: c.refund.shown, status: t(`refundStatus.${status}`) }));
    await expect(history.getByRole('status')).toHaveText(new RegExp(`^(${refundResults.map(escapeRegExp).join('|')})$`));
    // Amazon Pay refunds settle after the answer: the banner and the row follow the refund until it has succeeded.
    await expect(history.getByRole('status')).toHaveText(refundResults[2]);
    await expect(history.getByRole('row').filter({ hasText: `−${c.refund.shown}` })).toContainText(t('refundStatus.succeeded'));
    await history.getByRole('button', { name: t('common.close') }).click();
    await expect(okRow).toContainText(c.refund.shown); // the Refunded column
    await expect(okRow).toContainText(t('chargeStatus.partly_refunded'));

    await okRow.getByRole('button', { name: t('history.refund') }).click();
    await expect(history.getByRole('form', { name: t('refund.title') })).toContainText(t('refund.remaining', { amount: c.refund.remainingShown, total: c.ok.shown }));
    await okRow.getByRole('button', { name: t('history.receipt') }).click();
    const receiptAfterRefund = page.getByRole('article');
    await expect(receiptAfterRefund).toContainText(`-${c.refund.shown}`.replace('-', '−'));
    await expect(receiptAfterRefund.getByRole('row', { name: translate(c.customer.language, 'receipt.net') })).toContainText(c.refund.remainingShown);
  });
}
