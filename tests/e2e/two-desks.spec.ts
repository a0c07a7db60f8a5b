/**
 * Two desks of one shop on one shared emulator (two browser-bridge instances, two data folders):
 * a charge made at desk B reaches desk A's open customer page through Stripe's events, and a
 * dispute is shown (customer page, Payments) with its deadline and answered with the consent's evidence;
 * a customer made at desk A only is found at desk B by searching ("Open from Stripe"), imported with
 * A's consent and saved method, charged at B, and A sees that charge after its poll.
 */
import { expect, test } from './fixtures';
import {
  chargeNow,
  createFirstManager,
  deskOf,
  goToNav,
  heading1,
  messagePattern,
  openChargePanel,
  openCustomer,
  region,
  savedMethodRow,
  screen,
  seedSavedMethod,
  switchLanguage,
  type Desk,
} from './steps';

test.use({ externalEmulator: true });

/**
 * What the 20-second timer (or the window getting the focus) does, now. The desk's own timer may
 * have applied the event first (the suite runs in parallel), so a poll applies it at most once and
 * what the screen then shows is the check.
 */
async function pollEvents(desk: Desk): Promise<number> {
  return desk.page.evaluate(async () => {
    const result = await window.api.invoke('stripeEvents.poll', {});
    if (!result.ok) throw new Error(result.error.message);
    return result.data.applied;
  });
}

test('a charge made at desk B reaches desk A; a dispute is shown with its deadline and answered', async ({ app, deskB }, testInfo) => {
  test.setTimeout(240_000);
  const a = deskOf(app);
  const b = deskOf(deskB);
  await createFirstManager(a);
  await createFirstManager(b);
  const customer = { name: 'Aiko Tanaka', email: `aiko.${Date.now()}@example.com`, language: 'en' as const };
  const consent = { currency: 'eur' as const, amountText: '500' };

  // consent and method at desk A; the same customer at desk B (linked to A's Stripe customer), with B's own consent
  const atA = await seedSavedMethod(a, customer, consent);
  const atB = await seedSavedMethod(b, customer, consent, { linkedExisting: true });

  // desk B charges; desk A, with the customer's page open, shows it after the poll without a reload
  const outcome = await chargeNow(b, await openChargePanel(b, atB.paymentMethodId), '42.00', 'Kimono cleaning');
  await expect(outcome).toContainText(b.t('charge.outcome.succeeded', { amount: '€42.00' }));
  const historyA = region(a, a.t('history.title'));
  expect(await pollEvents(a)).toBeLessThanOrEqual(1);
  const fromB = historyA.getByRole('row').filter({ hasText: 'Kimono cleaning' });
  await expect(fromB).toBeVisible();
  await expect(fromB.getByText(messagePattern(a.t, 'history.fromOtherDesk'))).toBeVisible();

  // desk A charges an amount that the bank disputes (…9905); the dispute arrives with its deadline
  const disputedOutcome = await chargeNow(a, await openChargePanel(a, atA.paymentMethodId), '199.05', 'Wedding dress cleaning');
  await expect(disputedOutcome).toContainText(a.t('charge.outcome.succeeded', { amount: '€199.05' }));
  await disputedOutcome.getByRole('button', { name: a.t('common.close'), exact: true }).click();
  expect(await pollEvents(a)).toBeLessThanOrEqual(1);
  const dispute = a.page.getByRole('group', { name: a.t('dispute.title') });
  await expect(dispute).toBeVisible();
  await expect(dispute).toContainText(a.t('dispute.row', { reason: a.t('disputeReason.fraudulent'), amount: '€199.05' }));
  await expect(dispute).toContainText(a.t('disputeStatus.needs_response'));
  await expect(dispute.getByText(messagePattern(a.t, 'dispute.dueBy'))).toBeVisible();
  await screen(a.page, testInfo, 'dispute-customer-en');

  // on the Payments screen with its deadline, beside desk B's charge
  await goToNav(a, 'payments');
  const rows = region(a, a.t('payments.rows', { count: 2 }));
  const disputedRow = rows.getByRole('row').filter({ hasText: 'Wedding dress cleaning' });
  await expect(disputedRow).toContainText(a.t('disputeStatus.needs_response'));
  await expect(disputedRow.getByText(messagePattern(a.t, 'dispute.dueBy'))).toBeVisible();
  await expect(rows.getByRole('row').filter({ hasText: 'Kimono cleaning' })).toContainText(a.t('payments.otherDesk'));
  await screen(a.page, testInfo, 'dispute-payments-en');

  // the same in Japanese, then the manager answers it with one action
  const ja = deskOf(app, 'ja');
  await switchLanguage(ja);
  await expect(region(ja, ja.t('payments.rows', { count: 2 })).getByRole('row').filter({ hasText: 'Wedding dress cleaning' })).toContainText(ja.t('disputeStatus.needs_response'));
  await screen(ja.page, testInfo, 'dispute-payments-ja');
  await openCustomer(ja, customer.name);
  const disputeJa = ja.page.getByRole('group', { name: ja.t('dispute.title') });
  await expect(disputeJa).toContainText(ja.t('disputeStatus.needs_response'));
  await screen(ja.page, testInfo, 'dispute-customer-ja');
  await disputeJa.getByRole('button', { name: ja.t('dispute.submit') }).click();
  await disputeJa.getByRole('group', { name: ja.t('dispute.submitConfirm') }).getByRole('button', { name: ja.t('dispute.submit') }).click();
  await expect(disputeJa.getByRole('status')).toContainText(ja.t('dispute.submitDone'));
  await expect(disputeJa).toContainText(ja.t('disputeStatus.under_review'));
  await expect(disputeJa.getByText(messagePattern(ja.t, 'dispute.submitted'))).toBeVisible();
  await screen(ja.page, testInfo, 'dispute-answered-ja');

  // the audit log says it in words: the charge from desk B, the dispute, the evidence
  await goToNav(ja, 'audit');
  await expect(ja.page.getByText(ja.t('ledger.disputeEvidence', { name: customer.name }))).toBeVisible();
  await expect(ja.page.getByText(ja.t('ledger.chargeOtherDesk', { amount: '€42.00', name: customer.name, status: ja.t('chargeStatus.succeeded') }))).toBeVisible();
  await screen(ja.page, testInfo, 'audit-ja');

  // desk B learns of A's charge and its dispute too (answered at A: no button there)
  await pollEvents(b);
  await expect(heading1(b, customer.name)).toBeVisible();
  const disputeAtB = b.page.getByRole('group', { name: b.t('dispute.title') });
  await expect(disputeAtB).toContainText(b.t('disputeStatus.under_review'));
  await expect(disputeAtB.getByRole('button', { name: b.t('dispute.submit') })).toHaveCount(0);
});

test('a customer made at desk A only is opened from Stripe at desk B, charged there, and desk A sees the charge', async ({ app, deskB }, testInfo) => {
  test.setTimeout(180_000);
  const a = deskOf(app);
  const b = deskOf(deskB);
  await createFirstManager(a);
  await createFirstManager(b);
  const customer = { name: 'Kenji Mori', email: `kenji.${Date.now()}@example.com`, language: 'en' as const };
  const { paymentMethodId } = await seedSavedMethod(a, customer, { currency: 'eur', amountText: '500' });
  // the consent's evidence reaches Stripe in the background (what desk B imports with it)
  await expect(async () => {
    await openCustomer(a, customer.name);
    await expect(a.page.getByTestId('consent-share').locator('[data-share-state="uploaded"]')).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 40_000 });

  // desk B has never seen this customer: the search asks Stripe, and offers to open it from there
  await goToNav(b, 'customers');
  await b.page.getByLabel(b.t('customers.search.label'), { exact: true }).fill(customer.email);
  await b.page.getByRole('button', { name: b.t('customers.search.submit'), exact: true }).click();
  const atStripe = b.page.getByRole('region', { name: b.t('customers.stripe.title') });
  const hit = atStripe.getByRole('listitem').filter({ hasText: customer.email });
  await expect(hit).toContainText(customer.name);
  await hit.getByRole('button', { name: b.t('customers.stripe.link'), exact: true }).click();
  await expect(heading1(b, customer.name)).toBeVisible();
  await expect(savedMethodRow(b, paymentMethodId)).toBeVisible();
  await expect(region(b, b.t('customer.consents')).locator('[data-origin="stripe"]')).toBeVisible();

  // desk B charges on A's consent and method
  const outcome = await chargeNow(b, await openChargePanel(b, paymentMethodId), '31.50', 'Suit pressing');
  await expect(outcome).toContainText(b.t('charge.outcome.succeeded', { amount: '€31.50' }));
  await outcome.getByRole('button', { name: b.t('common.close'), exact: true }).click();
  await expect(region(b, b.t('history.title')).getByRole('row').filter({ hasText: 'Suit pressing' })).toBeVisible();
  await screen(b.page, testInfo, 'imported-customer-charged-b-en');
  const bJa = deskOf(deskB, 'ja');
  await switchLanguage(bJa);
  await expect(heading1(bJa, customer.name)).toBeVisible();
  await expect(region(bJa, bJa.t('history.title')).getByRole('row').filter({ hasText: 'Suit pressing' })).toBeVisible();
  await screen(bJa.page, testInfo, 'imported-customer-charged-b-ja');

  // desk A shows B's charge after its poll (the 20-second timer may have polled first on a slow run: then it is already there)
  await openCustomer(a, customer.name);
  const historyA = region(a, a.t('history.title'));
  expect(await pollEvents(a)).toBeLessThanOrEqual(1);
  const fromB = historyA.getByRole('row').filter({ hasText: 'Suit pressing' });
  await expect(fromB).toBeVisible();
  await expect(fromB).toContainText('€31.50');
  await expect(fromB.getByText(messagePattern(a.t, 'history.fromOtherDesk'))).toBeVisible();
});
