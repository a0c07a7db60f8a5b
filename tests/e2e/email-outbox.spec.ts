/**
 * Issue 10, e-mail: a manager points the desk at an SMTP server (a real `smtp-server` started by
 * this spec), sends a test e-mail, records a customer's consent, and the copy of the terms arrives in
 * the customer's language with the consent PDF attached; the setup link is e-mailed from the waiting
 * screen; the customer's page and the Outbox screen show both as sent. Screens in EN and JA are saved.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTestSmtp, type TestSmtp } from '../helpers/smtp';
import { expect, test } from './fixtures';
import { createCustomer, createFirstManager, deskOf, goToNav, heading1, openCustomer, recordConsent, region, screen, switchLanguage } from './steps';

const CUSTOMER = { name: '佐藤 花子', email: 'hanako.sato@example.jp', language: 'ja' as const };

let smtp: TestSmtp;
test.beforeEach(async () => {
  smtp = await createTestSmtp();
});
test.afterEach(async () => {
  await smtp.stop();
});

test('the copy of the terms and the setup link reach the customer by e-mail, and the outbox shows them sent', async ({ app }, testInfo) => {
  const desk = deskOf(app, 'en');
  const { page, t } = desk;
  await createFirstManager(desk);

  // --- Settings: the mail server, then a test e-mail
  await goToNav(desk, 'settings');
  const mail = region(desk, t('mailSettings.title'));
  await expect(mail.getByTestId('mail-configured')).toHaveText(t('mailSettings.notConfigured'));
  const form = mail.getByRole('form', { name: t('mailSettings.title') });
  await form.getByLabel(t('mailSettings.host'), { exact: true }).fill('127.0.0.1');
  await form.getByLabel(t('mailSettings.tls'), { exact: true }).selectOption('none');
  await form.getByLabel(t('mailSettings.port'), { exact: true }).fill(String(smtp.port));
  // no user: the test server takes mail without signing in. A password is still saved (the bridge keeps
  // it in a private file; Electron would need a keyring), to show it is never given back.
  if (app.transport === 'chromium') await form.getByLabel(t('mailSettings.password'), { exact: true }).fill('s3cret-smtp');
  await form.getByLabel(t('mailSettings.fromAddress'), { exact: true }).fill('desk@hanamizuki.example');
  await form.getByLabel(t('mailSettings.fromName'), { exact: true }).fill('Hanamizuki Cleaning');
  await form.getByRole('button', { name: t('mailSettings.save') }).click();
  await expect(mail.getByRole('status').filter({ hasText: t('mailSettings.saved') })).toBeVisible();
  await expect(mail.getByTestId('mail-configured')).toHaveText(t('mailSettings.configured'));
  // the password field is empty again: the renderer only hears that one is saved
  await expect(form.getByLabel(t('mailSettings.password'), { exact: true })).toHaveValue('');
  if (app.transport === 'chromium') await expect(form.getByLabel(t('mailSettings.password'), { exact: true })).toHaveAccessibleDescription(t('mailSettings.passwordSet'));
  const testForm = mail.getByRole('form', { name: t('mailSettings.test') });
  await testForm.getByLabel(t('mailSettings.testTo'), { exact: true }).fill('owner@hanamizuki.example');
  await testForm.getByRole('button', { name: t('mailSettings.test') }).click();
  await expect(mail.getByRole('status').filter({ hasText: t('mailSettings.testSent', { response: '' }).trim() })).toBeVisible();
  const [testMail] = await smtp.waitForMessages(1);
  expect(testMail.subject).toContain('Test e-mail from Mandate Desk');
  await screen(page, testInfo, 'email-settings-en');

  // --- a consent: its copy goes out in the customer's language with the PDF
  await page.getByRole('navigation', { name: t('nav.label') }).getByRole('button', { name: t('nav.customers'), exact: true }).click();
  await createCustomer(desk, CUSTOMER);
  const shown = await recordConsent(desk, CUSTOMER, { currency: 'jpy', amountText: '5000' });
  const received = await smtp.waitForMessages(2);
  const copy = received[1];
  expect(copy.subject).toBe('【Hanamizuki Cleaning】ご同意いただいた規約の控え');
  expect(copy.headers.get('content-language')).toBe('ja');
  expect(copy.text).toContain('佐藤 花子 様');
  expect(copy.text).toContain(shown.text.trim().slice(0, 200));
  expect(copy.attachments).toHaveLength(1);
  const pdf = copy.attachments[0];
  expect(pdf.contentType).toBe('application/pdf');
  // the bytes received are the PDF the outbox stored before sending
  const messagesDir = join(app.dataDir, 'training', 'outbox', 'messages');
  const stored: Array<{ attachments: Array<{ sha256: string }> }> = [];
  for (const shard of await readdir(messagesDir)) for (const name of await readdir(join(messagesDir, shard))) stored.push(JSON.parse(await readFile(join(messagesDir, shard, name), 'utf8')));
  expect(stored.flatMap((m) => m.attachments.map((a) => a.sha256))).toContain(createHash('sha256').update(pdf.content).digest('hex'));

  // --- the waiting screen: send the link by e-mail
  await expect(heading1(desk, t('setup.title'))).toBeVisible();
  await page.getByRole('button', { name: t('setup.sendEmail') }).click();
  const linkState = page.getByTestId('setup-email-state');
  await expect(linkState).toContainText(t('setup.emailQueued', { email: CUSTOMER.email }));
  await expect(linkState).toContainText(t('mailState.sent'));
  const [, , link] = await smtp.waitForMessages(3);
  expect(link.subject).toBe('【Hanamizuki Cleaning】Amazon Pay アカウントご登録のお願い');
  expect(link.text).toMatch(/http:\/\/127\.0\.0\.1:\d+\/checkout\//);
  await screen(page, testInfo, 'email-setup-link-en');

  // --- the customer's page and the Outbox
  await openCustomer(desk, CUSTOMER.name);
  const emails = region(desk, t('customer.emails'));
  await expect(emails.locator('tr[data-state="sent"]')).toHaveCount(2);
  await emails.scrollIntoViewIfNeeded();
  await screen(page, testInfo, 'email-customer-en');
  await goToNav(desk, 'outbox');
  await expect(heading1(desk, t('outbox.title'))).toBeVisible();
  const rows = page.locator('.outbox-table tbody tr');
  await expect(rows).toHaveCount(2);
  await expect(rows.first()).toHaveAttribute('data-state', 'sent');
  await expect(rows.first()).toContainText(t('mailKind.setup_link'));
  await expect(rows.nth(1)).toContainText(t('mailKind.consent_copy'));
  await screen(page, testInfo, 'email-outbox-en');

  // --- the same screens in Japanese
  const ja = deskOf(app, 'ja');
  await switchLanguage(ja);
  await expect(heading1(ja, ja.t('outbox.title'))).toBeVisible();
  await expect(page.locator('.outbox-table tbody tr').first()).toContainText(ja.t('mailState.sent'));
  await screen(page, testInfo, 'email-outbox-ja');
  await goToNav(ja, 'settings');
  await expect(region(ja, ja.t('mailSettings.title'))).toBeVisible();
  await screen(page, testInfo, 'email-settings-ja');
  await openCustomer(ja, CUSTOMER.name);
  await expect(region(ja, ja.t('customer.emails')).locator('tr[data-state="sent"]')).toHaveCount(2);
  await screen(page, testInfo, 'email-customer-ja');
});
