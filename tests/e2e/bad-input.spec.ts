/**
 * Issue 2, bad input (spec 6): missing or malformed customer details, amounts a currency cannot have,
 * a typed name that is not the customer's, terms not accepted. Each gets a clear message next to the
 * field or as an alert, and nothing is created.
 */
import { expect, test } from './fixtures';
import { acceptTerms, createCustomer, createFirstManager, deskOf, escapeRegExp, heading1, openNewCustomerForm, region, showTerms, type CustomerInput } from './steps';

const carol: CustomerInput = { name: 'Carol Valid', email: 'carol@example.com', language: 'en' };

test('bad customer details and a consent that is not properly accepted are refused with clear messages; nothing is created', async ({ app }) => {
  const desk = deskOf(app);
  const { page, t } = desk;
  await createFirstManager(desk);
  await createCustomer(desk, carol);

  // --- the customer form
  await openNewCustomerForm(desk);
  const name = page.getByLabel(t('newCustomer.name'), { exact: true });
  const email = page.getByLabel(t('newCustomer.email'), { exact: true });
  const submit = page.getByRole('button', { name: t('newCustomer.submit') });
  await submit.click();
  await expect(name).toHaveAccessibleDescription(t('validation.required'));
  await expect(email).toHaveAccessibleDescription(t('validation.required'));
  await expect(name).toHaveAttribute('aria-invalid', 'true');

  await name.fill('   ');
  await email.fill('dave@@example');
  await submit.click();
  await expect(name).toHaveAccessibleDescription(t('validation.required'));
  await expect(email).toHaveAccessibleDescription(t('validation.email'));

  await name.fill('Dave Nobody');
  await email.fill('dave at example.com');
  await submit.click();
  await expect(email).toHaveAccessibleDescription(t('validation.email'));
  await expect(name).not.toHaveAttribute('aria-invalid', 'true');
  await expect(heading1(desk, t('newCustomer.title'))).toBeVisible();

  // Main refuses the same input on its own (the form is only a convenience).
  const forged = await page.evaluate(() => window.api.invoke('customers.create', { name: ' ', email: 'dave@@example', language: 'en' }));
  expect(forged.ok).toBe(false);
  if (!forged.ok) {
    expect(forged.error.code).toBe('invalid_input');
    expect(Object.keys(forged.error.fields ?? {})).toEqual(expect.arrayContaining(['name', 'email']));
  }

  // The customer list is unchanged: only Carol.
  await page.getByRole('button', { name: t('common.cancel') }).click();
  const search = page.getByLabel(t('customers.search.label'), { exact: true });
  await search.fill('Dave');
  await page.getByRole('button', { name: t('customers.search.submit'), exact: true }).click();
  await expect(page.getByText(t('customers.noResults', { query: 'Dave' }))).toBeVisible();
  await search.fill('example');
  await page.getByRole('button', { name: t('customers.search.submit'), exact: true }).click();
  const results = region(desk, t('customers.local.title', { count: 1 }));
  await expect(results).toBeVisible();
  await expect(results.getByRole('button')).toHaveCount(1);
  await results.getByRole('button', { name: new RegExp(`^${carol.name}`) }).click();

  // --- the mandate parameters: an amount JPY cannot have, a missing purpose
  await page.getByRole('button', { name: t('customer.saveForLater') }).click();
  const params = page.getByRole('form', { name: t('mandate.step.params') });
  await params.getByLabel(t('mandate.currency'), { exact: true }).selectOption('jpy');
  const max = params.getByLabel(t('mandate.maxAmount'), { exact: true });
  await max.fill('12.5');
  const purpose = params.getByLabel(t('mandate.purpose'), { exact: true });
  await purpose.fill('');
  await params.getByRole('button', { name: t('mandate.showTerms') }).click();
  await expect(max).toHaveAccessibleDescription(new RegExp(escapeRegExp(t('validation.money.noDecimals', { currency: 'JPY' }))));
  await expect(purpose).toHaveAccessibleDescription(new RegExp(escapeRegExp(t('validation.required'))));
  await expect(page.getByRole('form', { name: t('mandate.step.terms') })).toHaveCount(0);
  await page.getByRole('button', { name: t('customer.backTo', { name: carol.name }) }).click();

  // --- acceptance: nothing typed or ticked, then a name that is not the customer's
  await showTerms(desk, carol, { currency: 'jpy', amountText: '10000' });
  const form = page.getByRole('form', { name: t('mandate.step.terms') });
  await acceptTerms(desk, { typedName: '', accept: false, witness: false });
  await expect(form.getByLabel(t('terms.typedName'), { exact: true })).toHaveAccessibleDescription(new RegExp(escapeRegExp(t('validation.required'))));
  await expect(form.getByRole('checkbox', { name: t('terms.accept') })).toHaveAccessibleDescription(t('terms.mustAccept'));
  await expect(form.getByRole('checkbox', { name: t('terms.witness') })).toHaveAccessibleDescription(t('terms.mustWitness'));

  await acceptTerms(desk, { typedName: 'Caroline Other' });
  const refusal = form.getByRole('alert');
  await expect(refusal).toContainText(t('error.name_mismatch'));
  await expect(refusal).toContainText(carol.name);
  await expect(region(desk, t('mandate.recorded.title'))).toHaveCount(0);

  // The customer accepted nothing: no consent was recorded.
  await page.getByRole('button', { name: t('customer.backTo', { name: carol.name }) }).click();
  await expect(region(desk, t('customer.consents')).getByText(t('customer.noConsents'))).toBeVisible();
});
