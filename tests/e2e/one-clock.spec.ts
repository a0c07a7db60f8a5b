/**
 * Issue 9 item 5: after the training clock was moved 135 days ahead, a new setup's waiting screen
 * counts down about 30 minutes (not "135 days 23:59:58"), and a setup that expires because the clock
 * moved again shows a finish time no earlier than its expiry: every time shown comes from one clock
 * (Stripe's, the emulator's in training mode).
 */
import { expect, test } from './fixtures';
import { createCustomer, createFirstManager, deskOf, goToNav, openSetup, recordConsent, region, screen, type ConsentInput, type CustomerInput } from './steps';

const customer: CustomerInput = { name: 'Clara Clock', email: 'clara@example.com', language: 'en' };
const consent: ConsentInput = { currency: 'eur', amountText: '120.00' };

test('after moving the training clock, the countdown and the finish time follow the same clock', async ({ app }, testInfo) => {
  const desk = deskOf(app);
  const { page, t } = desk;
  await createFirstManager(desk);

  await goToNav(desk, 'settings');
  const clockForm = page.getByRole('form', { name: t('training.title') });
  await clockForm.getByLabel(t('training.days'), { exact: true }).fill('135');
  await clockForm.getByRole('button', { name: t('training.advance') }).click();
  await expect(clockForm.getByRole('status')).toBeVisible();

  await createCustomer(desk, customer);
  await recordConsent(desk, customer, consent);
  const checkoutUrl = await openSetup(desk);
  const waiting = region(desk, t('setup.waiting'));
  const countdown = waiting.locator('.countdown');
  await expect(countdown).toHaveText(/^\((30|31):\d\d left\)$/);
  await screen(page, testInfo, 'one-clock-01-waiting-after-135-days');

  // The clock moves on while the customer dawdles (another desk, or the emulator's own control).
  const moved = await fetch(`${new URL(checkoutUrl).origin}/_emulator/clock/advance`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ seconds: 86_400 }),
  });
  expect(moved.ok).toBe(true);

  const ended = region(desk, t('setup.ended.expired'));
  await expect(ended).toBeVisible();
  const times = ended.getByRole('alert').locator('time');
  await expect(times).toHaveCount(2);
  const [finishedAt, expiresAt] = await times.evaluateAll((elements) => elements.map((e) => Date.parse(e.getAttribute('datetime') ?? '')));
  expect(finishedAt).toBeGreaterThanOrEqual(expiresAt);
  await screen(page, testInfo, 'one-clock-02-expired');
});
