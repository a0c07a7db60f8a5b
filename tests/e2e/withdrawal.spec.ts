/**
 * Issue 4, withdrawal (spec 11, in English and in Japanese): a manager records the customer's
 * withdrawal with a reason; the consent is withdrawn, the Amazon Pay method detached at Stripe, and
 * charging is no longer offered (nor accepted when asked for directly).
 */
import type { Currency, Language } from '../../preload/contract';
import { expect, test } from './fixtures';
import { createFirstManager, deskOf, forgeCharge, heading1, MANAGER, openCustomer, region, savedMethodRow, seedSavedMethod, switchLanguage, type CustomerInput } from './steps';

interface Case {
  lang: Language;
  customer: CustomerInput;
  currency: Currency;
  maxText: string;
  reason: string;
}

const CASES: Case[] = [
  { lang: 'en', customer: { name: 'Henry Leaving', email: 'henry@example.com', language: 'en' }, currency: 'gbp', maxText: '80', reason: 'Customer asked at the counter to stop all charges' },
  { lang: 'ja', customer: { name: '鈴木 次郎', email: 'jiro@example.jp', language: 'ja' }, currency: 'jpy', maxText: '8,000', reason: 'お客様から電話で今後の請求停止の依頼' },
];

for (const c of CASES) {
  test(`[${c.lang}] withdrawing a consent detaches the method and ends charging`, async ({ app }) => {
    const desk = deskOf(app, c.lang);
    const { page, t } = desk;
    await switchLanguage(desk);
    await createFirstManager(desk);
    const { paymentMethodId } = await seedSavedMethod(desk, c.customer, { currency: c.currency, amountText: c.maxText });

    await region(desk, t('customer.consents')).getByRole('button', { name: t('customer.viewConsent') }).click();
    await expect(heading1(desk, t('consentDoc.title'))).toBeVisible();
    const manager = region(desk, t('consentDoc.managerActions'));
    const reason = manager.getByLabel(t('withdraw.reason'), { exact: true });

    // A reason is required and checked before the question is asked; the question can be declined.
    await manager.getByRole('button', { name: t('withdraw.submit') }).click();
    await expect(reason).toHaveAccessibleDescription(t('validation.required'));
    await expect(manager.getByRole('group', { name: t('withdraw.question') })).toHaveCount(0);
    await expect(reason).toHaveCSS('border-top-color', 'rgb(180, 35, 24)'); // the error's red border (bug 7)
    await reason.fill(c.reason);
    await manager.getByRole('button', { name: t('withdraw.submit') }).click();
    await manager.getByRole('group', { name: t('withdraw.question') }).getByRole('button', { name: t('withdraw.keep') }).click();
    await expect(region(desk, t('consentDoc.record')).getByText(t('consentStatus.active'), { exact: true })).toBeVisible();

    await manager.getByRole('button', { name: t('withdraw.submit') }).click();
    await manager.getByRole('group', { name: t('withdraw.question') }).getByRole('button', { name: t('withdraw.confirm') }).click();
    const record = region(desk, t('consentDoc.record'));
    await expect(record.getByText(t('consentStatus.withdrawn'), { exact: true })).toBeVisible();
    await expect(record.getByRole('status')).toContainText(t('consentDoc.withdrawnReason', { reason: c.reason }));
    await expect(record.getByRole('status')).toContainText(MANAGER.name);
    await expect(manager.getByRole('button', { name: t('withdraw.submit') })).toHaveCount(0);

    await page.getByRole('button', { name: t('customer.back') }).click();
    await expect(region(desk, t('customer.consents')).getByRole('row').nth(1)).toContainText(t('consentStatus.withdrawn'));
    const method = savedMethodRow(desk, paymentMethodId);
    await expect(method).toContainText(t('methodStatus.detached'));
    await expect(page.getByRole('button', { name: t('charge.open'), exact: true })).toHaveCount(0);
    await expect(region(desk, t('customer.consents')).getByRole('button', { name: t('mandate.openSetup') })).toHaveCount(0);

    // Asked for directly, main refuses too, and nothing was charged.
    const forged = await forgeCharge(desk, { email: c.customer.email, paymentMethodId, amount: 100, currency: c.currency });
    expect(forged).toMatchObject({ ok: false, error: { code: 'consent_inactive' } });
    await page.getByRole('button', { name: t('customer.backToList') }).click();
    await openCustomer(desk, c.customer.name);
    await expect(region(desk, t('history.title')).getByText(t('history.empty'))).toBeVisible();
  });
}
