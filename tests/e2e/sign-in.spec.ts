/**
 * Issue 4, signing in (spec 7): a wrong PIN, the lock-out after five wrong PINs (the right PIN is then
 * refused too, until a manager sets a new one), signing out, and the idle lock.
 */
import { expect, test } from './fixtures';
import { addStaffMember, createFirstManager, deskOf, expectSignedIn, goToNav, heading1, MANAGER, signIn, signOut, STAFF, submitSignIn } from './steps';

test('wrong PINs, lock-out after five, a new PIN from a manager, sign-out', async ({ app }) => {
  const desk = deskOf(app);
  const { page, t } = desk;
  await createFirstManager(desk);
  await addStaffMember(desk, STAFF, 'staff');
  await signOut(desk);

  const pin = page.getByLabel(t('signIn.pin'), { exact: true });
  const alert = page.getByRole('alert');
  await submitSignIn(desk, { name: STAFF.name, pin: '0000' });
  await expect(alert).toHaveText(t('error.bad_credentials'));
  await expect(pin).toHaveValue('');

  // A right PIN resets the count; the staff member sees only what staff may use.
  await signIn(desk, STAFF, 'staff');
  const nav = page.getByRole('navigation', { name: t('nav.label') });
  await expect(nav.getByRole('button')).toHaveText([t('nav.customers')]);
  await signOut(desk);

  for (let attempt = 1; attempt <= 4; attempt++) {
    await submitSignIn(desk, { name: STAFF.name, pin: `111${attempt}` });
    await expect(alert).toContainText(t('error.bad_credentials'));
    await expect(pin).toHaveValue('');
  }
  await submitSignIn(desk, { name: STAFF.name, pin: '1115' });
  await expect(alert).toContainText(t('error.locked_out'));
  // Locked: the right PIN does not open the door either.
  await submitSignIn(desk, STAFF);
  await expect(alert).toContainText(t('error.locked_out'));
  await expect(heading1(desk, t('signIn.title'))).toBeVisible();

  // A lock is per person: the manager signs in and sets a new PIN, which lifts the lock.
  await signIn(desk, MANAGER, 'manager');
  await goToNav(desk, 'staff');
  const row = page.getByRole('row', { name: new RegExp(STAFF.name) });
  await row.getByRole('button', { name: t('staff.resetPin') }).click();
  await row.getByLabel(t('staff.newPinFor', { name: STAFF.name }), { exact: true }).fill('2468');
  await row.getByRole('button', { name: t('staff.savePin') }).click();
  await expect(page.getByRole('status').filter({ hasText: t('staff.pinReset', { name: STAFF.name }) })).toBeVisible();
  await signOut(desk);
  await signIn(desk, { name: STAFF.name, pin: '2468' }, 'staff');
  await signOut(desk);
  await expect(page.getByText(t('header.signedInAs', { name: STAFF.name, role: t('role.staff') }))).toHaveCount(0);
});

test('the idle lock signs a person out after the configured minutes without input', async ({ app }) => {
  const desk = deskOf(app);
  const { page, t } = desk;
  await createFirstManager(desk);
  await goToNav(desk, 'settings');
  const idle = page.getByLabel(t('settings.idleLockMinutes'), { exact: true });
  await idle.fill('2');
  await page.getByRole('button', { name: t('settings.save'), exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: t('settings.saved') })).toBeVisible();
  await signOut(desk);

  // The page's clock is controlled from here on, so two idle minutes pass in no time.
  await page.clock.install();
  await signIn(desk, MANAGER, 'manager');
  await page.clock.fastForward('01:30');
  await expectSignedIn(desk, MANAGER, 'manager');
  await page.clock.fastForward('00:45');
  await expect(heading1(desk, t('signIn.title'))).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: t('signIn.idleSignedOut', { minutes: 2 }) })).toBeVisible();
  await expect(page.getByText(t('header.signedInAs', { name: MANAGER.name, role: t('role.manager') }))).toHaveCount(0);
});
