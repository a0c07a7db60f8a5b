/**
 * Issue 4, roles are enforced in main (spec 8): a staff member sees no Charge button, a charge forged
 * through `window.api` is refused with `forbidden_role`, and the audit log shows the refused call.
 */
import { expect, test } from './fixtures';
import { addStaffMember, createFirstManager, deskOf, forgeCharge, goToNav, MANAGER, openCustomer, region, savedMethodRow, seedSavedMethod, signIn, signOut, STAFF, type CustomerInput } from './steps';

const erin: CustomerInput = { name: 'Erin Shopper', email: 'erin@example.com', language: 'en' };

test('a staff member cannot charge: no Charge button, a forged call is refused and audited', async ({ app }) => {
  const desk = deskOf(app);
  const { page, t } = desk;
  await createFirstManager(desk);
  const { paymentMethodId } = await seedSavedMethod(desk, erin, { currency: 'usd', amountText: '100' });
  await expect(savedMethodRow(desk, paymentMethodId).getByRole('button', { name: t('charge.open') })).toBeVisible();
  await addStaffMember(desk, STAFF, 'staff');
  await signOut(desk);

  await signIn(desk, STAFF, 'staff');
  await openCustomer(desk, erin.name);
  const row = savedMethodRow(desk, paymentMethodId);
  await expect(row).toContainText(t('methodStatus.active'));
  await expect(page.getByRole('button', { name: t('charge.open'), exact: true })).toHaveCount(0);
  await expect(page.getByRole('button', { name: t('subscribe.open'), exact: true })).toHaveCount(0);
  await expect(page.getByRole('heading', { name: t('charge.title') })).toHaveCount(0);

  // Main decides, not the buttons: a charge sent straight through window.api is refused.
  const forged = await forgeCharge(desk, { email: erin.email, paymentMethodId, amount: 5000, currency: 'usd' });
  expect(forged).toMatchObject({ ok: false, error: { code: 'forbidden_role' } });
  await signOut(desk);

  await signIn(desk, MANAGER, 'manager');
  // Nothing was charged.
  await openCustomer(desk, erin.name);
  await expect(region(desk, t('history.title')).getByText(t('history.empty'))).toBeVisible();

  await goToNav(desk, 'audit');
  const filters = page.getByRole('form', { name: t('audit.filters') });
  await filters.getByLabel(t('audit.action'), { exact: true }).selectOption('charges.create'); // chosen from the list, not typed
  await filters.getByLabel(t('audit.outcome'), { exact: true }).selectOption('refused');
  await filters.getByRole('button', { name: t('audit.apply') }).click();
  const entries = region(desk, t('audit.entries'));
  const refused = entries.getByRole('row').filter({ hasText: 'charges.create' });
  await expect(refused).toHaveCount(1);
  await expect(refused).toContainText(`${STAFF.name} (${t('role.staff')})`);
  await expect(refused).toContainText(t('outcome.refused'));
  await expect(refused).toContainText('forbidden_role');
});
