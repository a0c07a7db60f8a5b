/**
 * Issue 10, e-mail: a manager points the desk at an SMTP server (a real `smtp-server` started by
 * this spec), sends a test e-mail, records a customer's consent, and the copy of the terms arrives in
 * the customer's language with the consent PDF attached; the setup link is e-mailed from the waiting
 * screen; the customer's page and the Outbox screen show both as sent. Then an outage: the server is
 * down, the copy waits in the Outbox as "Will be retried", the app is killed and started again, the
 * server comes back and the copy arrives, once. And a server with a self-signed certificate: refused
 * with the reason in words until its certificate is trusted. Screens in EN and JA are saved.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTestSmtp, testCertificates, type TestSmtp } from '../helpers/smtp';
import { expect, test } from './fixtures';
import { createCustomer, createFirstManager, deskOf, goToNav, heading1, MANAGER, openCustomer, recordConsent, region, screen, signIn, switchLanguage, type Desk } from './steps';

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

/** Settings → E-mail to customers: the server on this machine, saved. */
async function saveMailSettings(desk: Desk, server: { port: number; tls: 'none' | 'starttls' | 'tls' }) {
  const { t } = desk;
  await goToNav(desk, 'settings');
  const mail = region(desk, t('mailSettings.title'));
  const form = mail.getByRole('form', { name: t('mailSettings.title') });
  await form.getByLabel(t('mailSettings.host'), { exact: true }).fill('127.0.0.1');
  await form.getByLabel(t('mailSettings.tls'), { exact: true }).selectOption(server.tls);
  await form.getByLabel(t('mailSettings.port'), { exact: true }).fill(String(server.port));
  await form.getByLabel(t('mailSettings.fromAddress'), { exact: true }).fill('desk@hanamizuki.example');
  await form.getByLabel(t('mailSettings.fromName'), { exact: true }).fill('Hanamizuki Cleaning');
  await form.getByRole('button', { name: t('mailSettings.save') }).click();
  await expect(mail.getByRole('status').filter({ hasText: t('mailSettings.saved') })).toBeVisible();
  return { mail, form };
}

test('an SMTP outage: the copy waits as "Will be retried", survives an app restart, and arrives once the server is back', async ({ app }, testInfo) => {
  // the first retry comes 30 s after the failed attempt (the app's own schedule, not shortened here)
  test.setTimeout(180_000);
  const desk = deskOf(app, 'en');
  const { page, t } = desk;
  await createFirstManager(desk);
  await saveMailSettings(desk, { port: smtp.port, tls: 'none' });
  await smtp.stop();

  await goToNav(desk, 'customers');
  await createCustomer(desk, CUSTOMER);
  await recordConsent(desk, CUSTOMER, { currency: 'jpy', amountText: '5000' });
  await goToNav(desk, 'outbox');
  await expect(heading1(desk, t('outbox.title'))).toBeVisible();
  const row = page.locator('.outbox-table tbody tr');
  await expect(row).toHaveCount(1);
  // the first attempt found the server down: waiting for the next, with the reason
  await expect(row).toHaveAttribute('data-state', 'retrying');
  await expect(row).toContainText(t('mailKind.consent_copy'));
  await expect(row).toContainText(t('mailState.retrying'));
  await expect(row).toContainText(t('mailError.connection'));
  await expect(row).toContainText(`${t('outbox.col.attempts')}: 1`);
  await screen(page, testInfo, 'email-outbox-retrying-en');
  const ja = deskOf(app, 'ja');
  await switchLanguage(ja);
  await expect(heading1(ja, ja.t('outbox.title'))).toBeVisible();
  await expect(row).toContainText(ja.t('mailState.retrying'));
  await expect(row).toContainText(ja.t('mailError.connection'));
  await screen(page, testInfo, 'email-outbox-retrying-ja');

  // killed (no clean stop) and started again while the copy waits: it is still there, still waiting
  await app.restart();
  const after = deskOf(app, (await page.locator('html').getAttribute('lang')) === 'ja' ? 'ja' : 'en');
  await signIn(after, MANAGER, 'manager');
  await goToNav(after, 'outbox');
  await expect(heading1(after, after.t('outbox.title'))).toBeVisible();
  await expect(row).toHaveCount(1);
  await expect(row).toHaveAttribute('data-state', 'retrying');
  await expect(row).toContainText(`${after.t('outbox.col.attempts')}: 1`);
  expect(smtp.received).toHaveLength(0);

  // the server is back: the queue the restarted app read from disk sends it at its time, once
  await smtp.start();
  const [copy] = await smtp.waitForMessages(1);
  expect(copy.subject).toBe('【Hanamizuki Cleaning】ご同意いただいた規約の控え');
  expect(copy.attachments.map((a) => a.contentType)).toEqual(['application/pdf']);
  await expect(row).toHaveAttribute('data-state', 'sent', { timeout: 30_000 });
  await expect(row).toContainText(`${after.t('outbox.col.attempts')}: 2`);
  await screen(page, testInfo, `email-outbox-after-outage-${after.lang}`);
  await page.waitForTimeout(1_000);
  expect(smtp.received).toHaveLength(1);
});

test('a mail server with a self-signed certificate is refused with the reason in words until its certificate is trusted', async ({ app }, testInfo) => {
  const certs = await testCertificates();
  const secure = await createTestSmtp({ tls: { mode: 'starttls', key: certs.key, cert: certs.cert } });
  try {
    const desk = deskOf(app, 'en');
    const { page, t } = desk;
    await createFirstManager(desk);
    const { mail } = await saveMailSettings(desk, { port: secure.port, tls: 'starttls' });
    const testForm = mail.getByRole('form', { name: t('mailSettings.test') });
    await testForm.getByLabel(t('mailSettings.testTo'), { exact: true }).fill('owner@hanamizuki.example');
    await testForm.getByRole('button', { name: t('mailSettings.test') }).click();
    const failed = mail.getByTestId('mail-test-failed');
    await expect(failed).toContainText(t('mailSettings.testFailed', { reason: t('mailError.certificate_self_signed') }));
    await expect(failed).toContainText(t('mailSettings.testCertificateDetail', { detail: 'DEPTH_ZERO_SELF_SIGNED_CERT' }));
    // the app's words, not Node's
    await expect(failed).not.toContainText('Error initiating TLS');
    await expect(failed).not.toContainText('ESOCKET');
    await expect(failed).not.toContainText(t('mailSettings.testServerSaid', { response: '' }).trim());
    await failed.scrollIntoViewIfNeeded();
    await screen(page, testInfo, 'email-certificate-refused-en');

    const ja = deskOf(app, 'ja');
    await switchLanguage(ja);
    const mailJa = region(ja, ja.t('mailSettings.title'));
    const testJa = mailJa.getByRole('form', { name: ja.t('mailSettings.test') });
    await testJa.getByRole('button', { name: ja.t('mailSettings.test') }).click();
    await expect(mailJa.getByTestId('mail-test-failed')).toContainText(ja.t('mailSettings.testFailed', { reason: ja.t('mailError.certificate_self_signed') }));
    await expect(mailJa.getByTestId('mail-test-failed')).toContainText(ja.t('mailSettings.testCertificateDetail', { detail: 'DEPTH_ZERO_SELF_SIGNED_CERT' }));
    await screen(page, testInfo, 'email-certificate-refused-ja');
    expect(secure.received).toHaveLength(0);

    // a manager pastes the server's certificate: trusted for this server, shown with its fingerprint
    const formJa = mailJa.getByRole('form', { name: ja.t('mailSettings.title') });
    await formJa.getByLabel(ja.t('mailSettings.trustedPem'), { exact: true }).fill(certs.cert);
    await formJa.getByRole('button', { name: ja.t('mailSettings.save') }).click();
    await expect(mailJa.getByRole('status').filter({ hasText: ja.t('mailSettings.saved') })).toBeVisible();
    await expect(mailJa.getByTestId('trusted-certificates')).toContainText(new X509Certificate(certs.cert).fingerprint256);
    await expect(formJa.getByLabel(ja.t('mailSettings.allowUntrusted'), { exact: true })).not.toBeChecked();
    await testJa.getByRole('button', { name: ja.t('mailSettings.test') }).click();
    await expect(mailJa.getByRole('status').filter({ hasText: ja.t('mailSettings.testSent', { response: '' }).trim() })).toBeVisible();
    const [received] = await secure.waitForMessages(1);
    expect(secure.secureSessions).toEqual([true]);
    expect(received.subject).toContain('Mandate Desk');
    await mailJa.getByTestId('trusted-certificates').scrollIntoViewIfNeeded();
    await screen(page, testInfo, 'email-certificate-trusted-ja');
    await switchLanguage(desk);
    await expect(mail.getByTestId('trusted-certificates')).toBeVisible();
    await mail.getByTestId('trusted-certificates').scrollIntoViewIfNeeded();
    await screen(page, testInfo, 'email-certificate-trusted-en');
  } finally {
    await secure.stop();
  }
});
