/**
 * Issue 4, subscriptions (spec 10): a recurring consent, a new monthly price, a subscription paid at
 * once, and its renewal after the training clock moves past the period end.
 */
import { expect, test } from './fixtures';
import { createFirstManager, deskOf, region, savedMethodRow, seedSavedMethod, type CustomerInput } from './steps';

const grace: CustomerInput = { name: 'Grace Member', email: 'grace@example.com', language: 'en' };

test('a subscription on a recurring consent is paid at once and renews when the training clock passes the period end', async ({ app }) => {
  const desk = deskOf(app);
  const { t } = desk;
  await createFirstManager(desk);
  const { paymentMethodId } = await seedSavedMethod(desk, grace, { frequency: 'recurring', currency: 'usd', amountText: '50' });

  await savedMethodRow(desk, paymentMethodId).getByRole('button', { name: t('subscribe.open'), exact: true }).click();
  const panel = region(desk, t('subscribe.title'));
  await expect(panel.getByText(t('subscribe.noPrices', { currency: 'USD' }))).toBeVisible();
  await panel.getByRole('button', { name: t('price.new') }).click();
  const priceForm = panel.getByRole('form', { name: t('price.new') });
  await priceForm.getByLabel(t('price.productName'), { exact: true }).fill('Monthly maintenance');
  await priceForm.getByLabel(t('price.amount'), { exact: true }).fill('9.99');
  await expect(priceForm.getByLabel(t('price.currency'), { exact: true })).toHaveValue('usd');
  await priceForm.getByLabel(t('price.interval'), { exact: true }).selectOption('month');
  await priceForm.getByRole('button', { name: t('price.create') }).click();

  const described = t('price.describe', { name: 'Monthly maintenance', amount: '$9.99', every: t('interval.every.month') });
  const priceSelect = panel.getByLabel(t('subscribe.price'), { exact: true });
  await expect(priceSelect.locator('option:checked')).toHaveText(described);
  await panel.getByRole('button', { name: t('subscribe.submit'), exact: true }).click();
  await expect(panel).toHaveCount(0);

  const subscriptions = region(desk, t('subscriptions.title'));
  const row = subscriptions.getByRole('row').filter({ hasText: 'Monthly maintenance' });
  await expect(row).toContainText(described);
  await expect(row).toContainText(t('subscriptionStatus.active'));
  const payments = row.getByRole('listitem');
  await expect(payments).toHaveCount(1);
  await expect(payments.first()).toContainText(`$9.99 · ${t('invoiceStatus.paid')}`);

  // Training only: move the emulator's clock past the end of the first month, then refresh.
  const clock = subscriptions.getByRole('form', { name: t('training.title') });
  await clock.getByLabel(t('training.days'), { exact: true }).fill('32');
  await clock.getByRole('button', { name: t('training.advance') }).click();
  const in32Days = new Date(Date.now() + 32 * 86_400_000).toLocaleDateString('en-US', { month: 'short', day: 'numeric', year: 'numeric' });
  await expect(clock.getByRole('status')).toContainText(`The training clock is now ${in32Days}`);
  await subscriptions.getByRole('button', { name: t('subscriptions.refresh'), exact: true }).click();
  await expect(payments).toHaveCount(2);
  for (const payment of await payments.all()) await expect(payment).toContainText(`$9.99 · ${t('invoiceStatus.paid')}`);
  await expect(row).toContainText(t('subscriptionStatus.active'));
});
