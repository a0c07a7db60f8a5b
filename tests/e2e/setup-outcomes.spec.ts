/**
 * Issue 2, the setups that do not simply succeed (specs 2–4): the customer fails the setup, staff
 * cancel it, and the app is down while the customer authorizes (the start-up reconcile pass finishes it).
 */
import { expect, test } from './fixtures';
import {
  createCustomer,
  createFirstManager,
  customerCompletesSetup,
  deskOf,
  MANAGER,
  openCustomer,
  openSetup,
  recordConsent,
  region,
  savedMethodRow,
  signIn,
  type ConsentInput,
  type CustomerInput,
} from './steps';

const customer: CustomerInput = { name: 'Bob Builder', email: 'bob@example.com', language: 'en' };
const consent: ConsentInput = { currency: 'eur', amountText: '250.00' };

test('a setup the customer fails is shown as failed and the consent stays on record without a method', async ({ app }) => {
  const desk = deskOf(app);
  const { page, t } = desk;
  await createFirstManager(desk);
  await createCustomer(desk, customer);
  await recordConsent(desk, customer, consent);
  const checkoutUrl = await openSetup(desk);

  const customerPage = await customerCompletesSetup(app, checkoutUrl, 'fail');
  await expect(customerPage.getByText('Your Amazon Pay account could not be saved. Please tell the staff at the counter.')).toBeVisible();

  const ended = region(desk, t('setup.ended.failed'));
  await expect(ended).toBeVisible();
  await expect(ended.getByRole('alert')).toContainText(t('setup.endedMessage.failed'));
  await expect(ended.getByText(t('setup.consentKept'))).toBeVisible();

  // The Checkout page no longer offers the test buttons: the failed session was closed.
  await customerPage.goto(checkoutUrl);
  await expect(customerPage.getByText('This checkout session has expired.')).toBeVisible();
  await expect(customerPage.getByRole('button', { name: /Continue to Amazon Pay/ })).toHaveCount(0);

  await ended.getByRole('button', { name: t('setup.backToCustomer') }).click();
  const consents = region(desk, t('customer.consents'));
  await expect(consents.getByRole('row').nth(1)).toContainText(t('consentStatus.active'));
  // Nothing rests on the consent any more, so a new setup is offered for it.
  await expect(consents.getByRole('button', { name: t('mandate.openSetup') })).toBeVisible();
  await expect(region(desk, t('customer.methods')).getByText(t('customer.noMethods'))).toBeVisible();
  await expect(region(desk, t('customer.setups')).getByRole('row').nth(1)).toContainText(t('setupStatus.failed'));
  await expect(page.getByText(/^pm_/)).toHaveCount(0);
});

test('a setup canceled by staff is shown as canceled and its Checkout page has expired', async ({ app }) => {
  const desk = deskOf(app);
  const { page, t } = desk;
  await createFirstManager(desk);
  await createCustomer(desk, customer);
  await recordConsent(desk, customer, consent);
  const checkoutUrl = await openSetup(desk);

  await page.getByRole('button', { name: t('setup.cancel') }).click();
  const question = page.getByRole('group', { name: t('setup.cancelQuestion') });
  await question.getByRole('button', { name: t('setup.cancelConfirm') }).click();
  const ended = region(desk, t('setup.ended.canceled'));
  await expect(ended).toBeVisible();
  await expect(ended.getByRole('alert')).toContainText(t('setup.endedMessage.canceled'));

  const customerPage = await app.openInBrowser(checkoutUrl);
  await expect(customerPage.getByText('This checkout session has expired.')).toBeVisible();
  await expect(customerPage.getByRole('button', { name: /Continue to Amazon Pay|Authorize test setup/ })).toHaveCount(0);

  // "Try again" starts a new setup for the same consent, with a new Checkout page.
  const alreadyOpened = (await app.openedUrls()).length;
  await ended.getByRole('button', { name: t('setup.tryAgain') }).click();
  await expect(region(desk, t('setup.waiting'))).toBeVisible();
  const secondUrl = await app.waitForOpenedUrl(alreadyOpened);
  expect(secondUrl).not.toBe(checkoutUrl);

  await page.getByRole('button', { name: t('customer.backTo', { name: customer.name }) }).click();
  const setups = region(desk, t('customer.setups'));
  await expect(setups.getByRole('row')).toHaveCount(3);
  await expect(setups.getByText(t('setupStatus.canceled'), { exact: true })).toBeVisible();
  await expect(setups.getByText(t('setupStatus.open'), { exact: true })).toBeVisible();
  await expect(region(desk, t('customer.methods')).getByText(t('customer.noMethods'))).toBeVisible();
});

test.describe('with a Stripe that outlives the app', () => {
  test.use({ externalEmulator: true });

  test('a setup the customer authorizes while the app is down is recorded by the start-up reconcile pass', async ({ app }) => {
    const desk = deskOf(app);
    const { t } = desk;
    await createFirstManager(desk);
    await createCustomer(desk, customer);
    await recordConsent(desk, customer, consent);
    const checkoutUrl = await openSetup(desk);

    await app.stop();
    // The redirect to the app's return page fails: nothing is listening while the app is down.
    const customerPage = await customerCompletesSetup(app, checkoutUrl, 'authorize', { returnPageDown: true });
    await customerPage.close();

    await app.start();
    await signIn(desk, MANAGER, 'manager');
    await openCustomer(desk, customer.name);
    const setups = region(desk, t('customer.setups'));
    await expect(setups.getByRole('row').nth(1)).toContainText(t('setupStatus.succeeded'));
    const paymentMethodId = (await setups.getByText(/^pm_\w+$/).textContent()) ?? '';
    expect(paymentMethodId).toMatch(/^pm_/);
    await expect(savedMethodRow(desk, paymentMethodId)).toContainText(t('methodStatus.active'));
    await expect(savedMethodRow(desk, paymentMethodId).getByRole('button', { name: t('charge.open') })).toBeVisible();
  });
});
