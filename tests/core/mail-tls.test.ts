/**
 * E-mail over TLS against a real `smtp-server` with a certificate made in the test (`selfsigned`):
 * STARTTLS and TLS from the start. Strict by default: a self-signed certificate, one from a private
 * CA, an expired one or one for another name is refused with its own reason (never Node's raw
 * error); trusting the pasted certificate (or the CA's), or the "allow untrusted" option, sends.
 */
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { MailSettingsView, OutboxMessageView } from '../../preload/contract';
import { en } from '../../renderer/i18n/en';
import { ja } from '../../renderer/i18n/ja';
import { callError, signInManager, startTestCore, type TestCore } from '../helpers/core';
import { mandateParams } from '../helpers/saved-method';
import { createTestSmtp, testCertificates, type SmtpTls, type TestSmtp } from '../helpers/smtp';

const FAST = { retryBaseMs: 100, retryMaxMs: 400, maxAttempts: 4, connectionTimeoutMs: 3_000, greetingTimeoutMs: 3_000, socketTimeoutMs: 5_000 };

let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function start(tls: SmtpTls): Promise<{ t: TestCore; smtp: TestSmtp }> {
  const smtp = await createTestSmtp({ tls });
  const t = await startTestCore({ deps: { mail: FAST } });
  cleanups.push(() => smtp.stop(), () => t.close());
  await signInManager(t);
  return { t, smtp };
}

const settings = (smtp: TestSmtp, mode: SmtpTls['mode'], extra: { trustedCertificatePem?: string | null; allowUntrusted?: boolean } = {}) => ({
  host: '127.0.0.1',
  port: smtp.port,
  tls: mode === 'implicit' ? ('tls' as const) : ('starttls' as const),
  user: '',
  fromAddress: 'shop@example.com',
  fromName: 'Test Shop',
  ...extra,
});

describe.each([['starttls'], ['implicit']] as const)('%s with a self-signed certificate', (mode) => {
  it('strict: refused with its reason and nothing sent; trusting the pasted certificate sends, encrypted', async () => {
    const certs = await testCertificates();
    const { t, smtp } = await start({ mode, key: certs.key, cert: certs.cert });
    const saved = await t.call('mail.settings.update', settings(smtp, mode));
    expect(saved).toMatchObject({ allowUntrusted: false, trustedCertificates: [] });

    const refused = await t.call('mail.test', { to: 'owner@example.com' });
    // Node's code as the detail, the app's own words for it (never "Error initiating TLS - self-signed certificate")
    expect(refused).toEqual({ sent: false, code: 'certificate_self_signed', responseCode: null, response: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    expect(en['mailError.certificate_self_signed']).toMatch(/self-signed/);
    expect(ja['mailError.certificate_self_signed']).toMatch(/自己署名/);
    expect(smtp.received).toHaveLength(0);
    expect(smtp.attempts).toBe(0);

    const trusting = await t.call('mail.settings.update', settings(smtp, mode, { trustedCertificatePem: `Our mail server:\n${certs.cert}\n` }));
    expect(trusting.trustedCertificates).toEqual([expect.objectContaining({ fingerprint256: new X509Certificate(certs.cert).fingerprint256, subject: expect.stringContaining('CN=mail.shop.internal') })]);
    const sent = await t.call('mail.test', { to: 'owner@example.com' });
    expect(sent).toMatchObject({ sent: true });
    const [mail] = await smtp.waitForMessages(1);
    expect(smtp.secureSessions).toEqual([true]);
    expect(mail.subject).toBe('Test e-mail from Mandate Desk (Test Shop)');
    expect(mail.from?.value).toEqual([{ address: 'shop@example.com', name: 'Test Shop' }]);
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value : []).toEqual([{ address: 'owner@example.com', name: '' }]);
    expect(mail.headers.get('content-language')).toBe('en');
    expect(mail.text).toContain('TRAINING');
    if (sent.sent) expect(mail.messageId).toBe(sent.messageId);
    // kept (PEM only, the words around it dropped) in the settings file, left as is when the field is left out
    const file = JSON.parse(await readFile(join(t.dataDir, 'outbox', 'smtp.json'), 'utf8')) as { trustedCertificatePem: string };
    expect(file.trustedCertificatePem).toBe(certs.cert.trim());
    expect((await t.call('mail.settings.update', settings(smtp, mode))).trustedCertificates).toHaveLength(1);
    expect((await t.call('mail.settings.update', settings(smtp, mode, { trustedCertificatePem: null }))).trustedCertificates).toEqual([]);
    expect(await t.call('mail.test', { to: 'owner@example.com' })).toMatchObject({ sent: false, code: 'certificate_self_signed' });
  }, 60_000);

  it('"allow untrusted certificate" sends without checking (off by default, kept until turned off)', async () => {
    const certs = await testCertificates();
    const { t, smtp } = await start({ mode, key: certs.key, cert: certs.cert });
    expect((await t.call('mail.settings.update', settings(smtp, mode, { allowUntrusted: true }))).allowUntrusted).toBe(true);
    expect(await t.call('mail.test', { to: 'owner@example.com' })).toMatchObject({ sent: true });
    expect(smtp.secureSessions).toEqual([true]);
    expect((await t.call('mail.settings.update', settings(smtp, mode))).allowUntrusted).toBe(true);
    expect((await t.call('mail.settings.update', settings(smtp, mode, { allowUntrusted: false }))).allowUntrusted).toBe(false);
    expect(await t.call('mail.test', { to: 'owner@example.com' })).toMatchObject({ sent: false, code: 'certificate_self_signed' });
  }, 60_000);
});

describe('other certificates', () => {
  it('a private CA: refused as untrusted; trusting the CA certificate sends', async () => {
    const certs = await testCertificates({ signedBy: 'private-ca' });
    const { t, smtp } = await start({ mode: 'starttls', key: certs.key, cert: certs.cert });
    await t.call('mail.settings.update', settings(smtp, 'starttls'));
    expect(await t.call('mail.test', { to: 'owner@example.com' })).toEqual({ sent: false, code: 'certificate_untrusted', responseCode: null, response: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    await t.call('mail.settings.update', settings(smtp, 'starttls', { trustedCertificatePem: certs.caCert! }));
    expect(await t.call('mail.test', { to: 'owner@example.com' })).toMatchObject({ sent: true });
    expect(smtp.secureSessions).toEqual([true]);
  }, 60_000);

  it('an expired certificate, or one for another name, is refused with that reason even when trusted', async () => {
    const expired = await testCertificates({ days: -1 });
    const a = await start({ mode: 'implicit', key: expired.key, cert: expired.cert });
    await a.t.call('mail.settings.update', settings(a.smtp, 'implicit', { trustedCertificatePem: expired.cert }));
    expect(await a.t.call('mail.test', { to: 'owner@example.com' })).toMatchObject({ sent: false, code: 'certificate_expired', response: 'CERT_HAS_EXPIRED' });

    const otherName = await testCertificates({ altName: 'mail.other.example' });
    const b = await start({ mode: 'starttls', key: otherName.key, cert: otherName.cert });
    await b.t.call('mail.settings.update', settings(b.smtp, 'starttls', { trustedCertificatePem: otherName.cert }));
    expect(await b.t.call('mail.test', { to: 'owner@example.com' })).toMatchObject({ sent: false, code: 'certificate_hostname', response: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    for (const code of ['certificate_untrusted', 'certificate_expired', 'certificate_hostname'] as const) {
      expect(en[`mailError.${code}`]).toBeTruthy();
      expect(ja[`mailError.${code}`]).toBeTruthy();
    }
    expect(a.smtp.received.length + b.smtp.received.length).toBe(0);
  }, 60_000);

  it('text that is not a PEM certificate is refused and changes nothing', async () => {
    const certs = await testCertificates();
    const { t, smtp } = await start({ mode: 'starttls', key: certs.key, cert: certs.cert });
    const before: MailSettingsView = await t.call('mail.settings.update', settings(smtp, 'starttls', { trustedCertificatePem: certs.cert }));
    for (const pem of ['hello', '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----']) {
      const error = await callError(t.call('mail.settings.update', { ...settings(smtp, 'implicit', { trustedCertificatePem: pem }), port: 465 }));
      expect(error.code).toBe('invalid_input');
      expect(error.fields).toHaveProperty('trustedCertificatePem');
      expect(error.localized?.ja).toContain('PEM');
    }
    expect(await t.call('mail.settings.get', {})).toEqual(before);
  }, 60_000);
});

describe('the outbox over TLS', () => {
  it('a copy of the terms goes out over STARTTLS once the certificate is trusted; before, it waits with the reason', async () => {
    const certs = await testCertificates();
    const { t, smtp } = await start({ mode: 'starttls', key: certs.key, cert: certs.cert });
    await t.call('mail.settings.update', settings(smtp, 'starttls'));
    const retrying = new Promise<OutboxMessageView>((resolve) => {
      const off = t.core.subscribe((event, payload) => {
        const m = payload as OutboxMessageView;
        if (event === 'outbox.updated' && m.state === 'retrying') {
          off();
          resolve(m);
        }
      });
    });
    const { customer } = await t.call('customers.create', { name: 'Kim Customer', email: 'kim@example.com', language: 'en' });
    const params = mandateParams();
    const terms = await t.call('terms.render', { customerId: customer.id, language: 'en', params });
    await t.call('consents.record', { customerId: customer.id, language: 'en', params, shownSha256: terms.sha256, typedName: 'Kim Customer', accepted: true, staffConfirmed: true, timeZone: 'UTC' });
    expect((await retrying).error).toEqual({ code: 'certificate_self_signed', responseCode: null, message: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    await t.call('mail.settings.update', settings(smtp, 'starttls', { trustedCertificatePem: certs.cert }));
    const [mail] = await smtp.waitForMessages(1);
    expect(smtp.secureSessions).toEqual([true]);
    expect(mail.subject).toBe('Your copy of the terms you accepted at Test Shop');
    expect(mail.attachments.map((a) => a.contentType)).toEqual(['application/pdf']);
    await expect.poll(async () => (await t.call('outbox.forCustomer', { customerId: customer.id }))[0]?.state).toBe('sent');
  }, 60_000);
});
