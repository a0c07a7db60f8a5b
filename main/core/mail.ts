/**
 * E-mail to customers: the shop's SMTP settings (managers; the password kept through the injected
 * secret slot, never returned, logged or audited), the test e-mail, what is sent when (the setup
 * link on request, the copy of accepted terms with the consent PDF, a receipt after each charge and
 * refund that succeeded), each in the customer's language, through the durable outbox (outbox.ts).
 *
 * An e-mail a record owes is never lost: a commit rule marks it (`mail` in the customer's document,
 * state `owed`) in the same durable commit as the consent, charge or refund, and only for what
 * happens while e-mail is set up (older records are never e-mailed). After the commit the message is
 * composed and put in the outbox (its id derived from kind and record, so it is queued once however
 * often this runs), then the mark becomes `queued`. A crash anywhere in between leaves the mark
 * `owed` in the index's open work, and the start-up pass finishes it (cost: what is owed, no scan).
 *
 * Files: `outbox/smtp.json` (the settings without the password), the outbox's own files.
 */
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import nodemailer from 'nodemailer';
import { z } from 'zod';
import { SMTP_TLS_MODES, type Language, type MailKind, type MailSettingsView, type MailTestResult, type OutboxMessageView, type ReceiptView, type TrustedCertificateView } from '../../preload/contract';
import { ensureDir, readFileOrNull, writeFileAtomic } from '../store/files';
import type { CustomerDoc, MailOwedRecord } from './data';
import type { Handlers } from './dispatch';
import type { CoreEnv } from './env';
import { AppError } from './errors';
import { formatDate, formatDateTime, formatMoney, mainText, type MainTextKey } from './i18n';
import { consentPdfFile } from './consent-pdf';
import { OUTBOX_DIR, OutboxError, openOutbox, type NewMessage, type Outbox, type SendError, type SendOutcome, type StoredMessage } from './outbox';
import type { SecretSlot } from './ports';

const SETTINGS_FILE = 'smtp.json';
const SmtpFile = z.object({
  schemaVersion: z.literal(1),
  host: z.string(),
  port: z.number().int(),
  tls: z.enum(SMTP_TLS_MODES),
  user: z.string(),
  fromAddress: z.string(),
  fromName: z.string(),
  // added later (older files: none, strict)
  /** PEM certificates trusted for this server besides the system's (a self-signed one, a private CA). */
  trustedCertificatePem: z.string().default(''),
  /** No check of the server's certificate at all. */
  allowUntrusted: z.boolean().default(false),
  updatedAt: z.string(),
});
type SmtpFile = z.infer<typeof SmtpFile>;

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const MAX_TRUSTED_CERTIFICATES = 5;

/** The certificates in pasted PEM text, each parsed; throws `invalid_input` when there is none or one does not parse. */
export function parseTrustedCertificates(pem: string): { pem: string; certificates: X509Certificate[] } {
  const blocks = pem.match(PEM_BLOCK) ?? [];
  const refuse = () => {
    throw new AppError('invalid_input', 'The trusted certificate is not a certificate in PEM form (the text from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----).', {
      fields: { trustedCertificatePem: 'Paste the certificate in PEM form' },
    });
  };
  if (blocks.length === 0 || blocks.length > MAX_TRUSTED_CERTIFICATES) refuse();
  const certificates: X509Certificate[] = [];
  for (const block of blocks) {
    try {
      certificates.push(new X509Certificate(block));
    } catch {
      refuse();
    }
  }
  return { pem: blocks.join('\n'), certificates };
}

const certificateView = (c: X509Certificate): TrustedCertificateView => ({
  subject: c.subject.replace(/\n/g, ', '),
  issuer: c.issuer.replace(/\n/g, ', '),
  fingerprint256: c.fingerprint256,
  validFrom: new Date(c.validFrom).toISOString(),
  validTo: new Date(c.validTo).toISOString(),
});

/**
 * Node's codes for a server certificate this computer does not accept, by what a manager can do
 * about it: trust a self-signed certificate or a private CA, fix a clock or a renewal, use the name
 * the certificate is for.
 */
const CERTIFICATE_PROBLEMS: Record<string, 'certificate_self_signed' | 'certificate_untrusted' | 'certificate_expired' | 'certificate_hostname'> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'certificate_self_signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'certificate_self_signed',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'certificate_untrusted',
  UNABLE_TO_GET_ISSUER_CERT: 'certificate_untrusted',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'certificate_untrusted',
  CERT_UNTRUSTED: 'certificate_untrusted',
  CERT_SIGNATURE_FAILURE: 'certificate_untrusted',
  CERT_REVOKED: 'certificate_untrusted',
  INVALID_CA: 'certificate_untrusted',
  CERT_HAS_EXPIRED: 'certificate_expired',
  CERT_NOT_YET_VALID: 'certificate_expired',
  ERR_TLS_CERT_ALTNAME_INVALID: 'certificate_hostname',
  HOSTNAME_MISMATCH: 'certificate_hostname',
};

const DEFAULT_TIMEOUTS = { connectionTimeoutMs: 15_000, greetingTimeoutMs: 15_000, socketTimeoutMs: 60_000 } as const;

function memorySlot(): SecretSlot {
  let value: string | null = null;
  return {
    get: async () => value,
    set: async (next) => {
      value = next;
    },
  };
}

/** A nodemailer error as code, reply code and the server's words, and whether trying again can help. */
export function classifySendError(error: unknown): { permanent: boolean; error: SendError } {
  const e = (error ?? {}) as { code?: string; originalCode?: string; responseCode?: number; response?: string; message?: string };
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : null;
  // a certificate refused by this computer (nodemailer keeps Node's code as originalCode): the
  // detail is Node's code, which names the problem exactly; the words are the app's own
  const certificate = CERTIFICATE_PROBLEMS[e.originalCode ?? ''] ?? CERTIFICATE_PROBLEMS[e.code ?? ''];
  if (certificate) return { permanent: false, error: { code: certificate, responseCode: null, message: e.originalCode ?? e.code ?? '' } };
  const message = (e.response ?? e.message ?? String(error)).slice(0, 500);
  if (responseCode !== null && responseCode >= 500) return { permanent: true, error: { code: e.code === 'EAUTH' ? 'auth' : 'smtp_5xx', responseCode, message } };
  if (responseCode !== null && responseCode >= 400) return { permanent: false, error: { code: 'smtp_4xx', responseCode, message } };
  if (e.code === 'ETIMEDOUT') return { permanent: false, error: { code: 'timeout', responseCode, message } };
  if (e.code === 'ECONNECTION' || e.code === 'ESOCKET' || e.code === 'EDNS') return { permanent: false, error: { code: 'connection', responseCode, message } };
  if (e.code === 'ETLS' || e.code === 'EREQUIRETLS') return { permanent: false, error: { code: 'tls', responseCode, message } };
  if (e.code === 'EAUTH' || e.code === 'ENOAUTH') return { permanent: false, error: { code: 'auth', responseCode, message } };
  return { permanent: false, error: { code: 'other', responseCode, message } };
}

export interface Mail {
  handlers: Pick<Handlers, 'mail.status' | 'mail.settings.get' | 'mail.settings.update' | 'mail.test' | 'mail.sendSetupLink' | 'outbox.list' | 'outbox.forCustomer' | 'outbox.retry'>;
  outbox: Outbox;
  /** Start-up pass: queues every e-mail still owed (from the index's open work); resolves when each was tried. */
  settleOwed(): Promise<void>;
  configured(): boolean;
  stop(): Promise<void>;
}

export async function createMail(env: CoreEnv, deps: { receiptOf(chargeId: string): Promise<ReceiptView> }): Promise<Mail> {
  const { records, logger } = env;
  const dir = join(env.dataDir, OUTBOX_DIR);
  const slot = env.smtpPassword ?? memorySlot();
  const tuning = { ...DEFAULT_TIMEOUTS, ...env.mail };
  const shop = () => records.shop.data.settings;

  const settingsPath = join(dir, SETTINGS_FILE);
  let settings: SmtpFile | null = null;
  const settingsFile = await readFileOrNull(settingsPath).then(
    (buffer) => buffer,
    (error: unknown) => {
      logger.warn('the SMTP settings could not be read', { error: String(error) });
      return null;
    },
  );
  if (settingsFile) {
    try {
      settings = SmtpFile.parse(JSON.parse(settingsFile.toString('utf8')));
    } catch (error) {
      logger.warn('the SMTP settings file is damaged; e-mail is off until they are saved again', { error: String(error) });
    }
  }
  let password: string | null = await slot.get().catch((error: unknown) => {
    logger.warn('the SMTP password could not be read from the secret store', { error: String(error) });
    return null;
  });

  const configured = () => Boolean(settings && settings.host && settings.fromAddress);
  /** The saved certificates, parsed (a file edited by hand to something unreadable trusts none). */
  const trusted = (): X509Certificate[] => {
    if (!settings?.trustedCertificatePem) return [];
    try {
      return parseTrustedCertificates(settings.trustedCertificatePem).certificates;
    } catch {
      return [];
    }
  };
  const view = (): MailSettingsView => ({
    host: settings?.host ?? '',
    port: settings?.port ?? 587,
    tls: settings?.tls ?? 'starttls',
    user: settings?.user ?? '',
    passwordSet: Boolean(password),
    fromAddress: settings?.fromAddress ?? '',
    fromName: settings?.fromName ?? '',
    trustedCertificates: trusted().map(certificateView),
    allowUntrusted: settings?.allowUntrusted ?? false,
    configured: configured(),
  });

  const transport = () => {
    const s = settings!;
    return nodemailer.createTransport({
      host: s.host,
      port: s.port,
      secure: s.tls === 'tls',
      requireTLS: s.tls === 'starttls',
      ignoreTLS: s.tls === 'none',
      ...(s.user ? { auth: { user: s.user, pass: password ?? '' } } : {}),
      // strict by default: the system's authorities, plus the certificates a manager pasted; no check only when asked for
      tls: {
        ...(s.trustedCertificatePem ? { ca: [...rootCertificates, ...trusted().map((c) => c.toString())] } : {}),
        ...(s.allowUntrusted ? { rejectUnauthorized: false } : {}),
      },
      connectionTimeout: tuning.connectionTimeoutMs,
      greetingTimeout: tuning.greetingTimeoutMs,
      socketTimeout: tuning.socketTimeoutMs,
      disableFileAccess: true,
      disableUrlAccess: true,
      logger: false,
    });
  };

  const sendNow = async (message: Pick<StoredMessage, 'to' | 'subject' | 'text' | 'language' | 'attachments'> & { headerMessageId?: string }): Promise<SendOutcome> => {
    if (!configured()) return { ok: false, permanent: false, error: { code: 'not_configured', responseCode: null, message: 'No SMTP server is set in Settings.' } };
    const t = transport();
    try {
      const info = await t.sendMail({
        from: { name: settings!.fromName || shop().shopName, address: settings!.fromAddress },
        to: message.to,
        subject: message.subject,
        text: message.text,
        ...(message.headerMessageId ? { messageId: message.headerMessageId } : {}),
        headers: { 'Content-Language': message.language },
        attachments: message.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: Buffer.from(a.base64, 'base64') })),
      });
      return { ok: true, messageId: info.messageId, response: String(info.response ?? '') };
    } catch (error) {
      const { permanent, error: reason } = classifySendError(error);
      return { ok: false, permanent, error: reason };
    } finally {
      t.close();
    }
  };

  const audit = async (draft: { action: string; outcome: 'ok' | 'error'; customerId: string | null; summary: string; details: Record<string, unknown> }) => {
    try {
      await env.audit.append({ actor: null, ...draft });
    } catch (error) {
      logger.error('an outbox audit entry could not be written', { action: draft.action, error: String(error) });
    }
  };

  const outbox = await openOutbox({
    dir,
    now: () => env.clock.now(),
    newId: () => env.ids.next('m'),
    send: (message) => sendNow(message),
    canSend: configured,
    ...(tuning.retryBaseMs !== undefined ? { retryBaseMs: tuning.retryBaseMs } : {}),
    ...(tuning.retryMaxMs !== undefined ? { retryMaxMs: tuning.retryMaxMs } : {}),
    ...(tuning.maxAttempts !== undefined ? { maxAttempts: tuning.maxAttempts } : {}),
    onError: (message, error) => logger.warn(message, { error: String(error) }),
    ...(env.faultAt ? { faultAt: env.faultAt } : {}),
    onChange: (message, previous) => {
      env.emit('outbox.updated', message);
      const details = { messageId: message.id, kind: message.kind, attempts: message.attempts };
      if (message.state === 'queued')
        void audit({ action: 'outbox.queued', outcome: 'ok', customerId: message.customerId, summary: `E-mail queued: ${message.kind}${previous === 'failed' ? ' (again)' : ''}`, details });
      else if (message.state === 'sent')
        void audit({ action: 'outbox.sent', outcome: 'ok', customerId: message.customerId, summary: `E-mail sent: ${message.kind}`, details: { ...details, smtpMessageId: message.smtpMessageId } });
      else if (message.state === 'failed')
        void audit({
          action: 'outbox.failed',
          outcome: 'error',
          customerId: message.customerId,
          summary: `E-mail failed: ${message.kind}: ${message.error?.code ?? 'unknown'}`,
          details: { ...details, error: message.error },
        });
      else logger.info('e-mail will be tried again', { messageId: message.id, attempts: message.attempts, code: message.error?.code, nextAttemptAt: message.nextAttemptAt });
    },
  });

  // ------------------------------------------------ what is sent

  const text = (language: Language, key: MainTextKey, vars: Record<string, string | number> = {}) => mainText(language, key, vars);
  const compose = (language: Language, name: string, body: string) => {
    const s = shop();
    const parts = [text(language, 'mail.greeting', { name }), '', body, '', '--', text(language, 'mail.signature', { shop: s.shopName, contact: s.shopContact }), '', text(language, 'mail.automatic', { shop: s.shopName, contact: s.shopContact })];
    if (env.mode === 'training') parts.unshift(text(language, 'mail.trainingNote'), '');
    return parts.join('\n');
  };
  const enqueue = (message: NewMessage) => outbox.enqueue(message);

  // ------------------------------------------------ what a record owes

  /** The copy of the terms, from the consent as recorded. */
  const consentCopy = async (doc: Readonly<CustomerDoc>, consentId: string): Promise<NewMessage | null> => {
    const consent = doc.consents.find((c) => c.id === consentId);
    const to = doc.customer.email;
    if (!consent || !to) return null;
    const language = consent.language;
    const pdf = await consentPdfFile(env, consent.id);
    const s = shop();
    const body = [
      text(language, 'mail.consentCopy.body', {
        time: formatDateTime(consent.acceptedAtUtc, language, consent.timeZone),
        consent: consent.id,
        purpose: consent.params.purpose,
        version: consent.termsVersion,
        sha256: consent.textSha256,
      }),
      '',
      text(language, 'mail.consentCopy.textHeading'),
      '',
      consent.text,
    ].join('\n');
    return {
      kind: 'consent_copy',
      ref: consent.id,
      customerId: consent.customerId,
      to,
      language,
      subject: text(language, 'mail.consentCopy.subject', { shop: s.shopName }),
      text: compose(language, consent.typedName, body),
      attachments: [{ filename: pdf.filename, contentType: 'application/pdf', content: Buffer.from(pdf.base64, 'base64') }],
    };
  };

  /** The receipt of a charge, as of the charge itself (refunds come as their own e-mails). */
  const chargeReceipt = async (chargeId: string): Promise<NewMessage | null> => {
    const receipt = await deps.receiptOf(chargeId);
    const { customer, language, charge } = receipt;
    if (!customer.email) return null;
    const s = shop();
    const number = charge.receiptNumber ?? charge.id;
    const lines = [
      text(language, 'mail.receipt.body', {
        number,
        date: formatDate(charge.finishedAt ?? charge.createdAt, language),
        description: charge.description,
        amount: formatMoney(charge.amount, charge.currency, language),
      }),
    ];
    if (receipt.tax && receipt.tax.ratePercent > 0) {
      const rate = receipt.tax.ratePercent;
      lines.push(text(language, 'mail.receipt.tax', { rate, tax: formatMoney(Math.floor((charge.amount * rate) / (100 + rate)), charge.currency, language) }));
    }
    if (receipt.invoiceRegistrationNumber) lines.push(text(language, 'mail.receipt.registration', { number: receipt.invoiceRegistrationNumber }));
    return {
      kind: 'receipt',
      ref: charge.id,
      customerId: customer.id,
      to: customer.email,
      language,
      subject: text(language, 'mail.receipt.subject', { shop: s.shopName, number }),
      text: compose(language, customer.name, lines.join('\n')),
    };
  };

  /** The receipt of a refund; the total left is as of this refund (later ones do not change it). */
  const refundReceipt = async (doc: Readonly<CustomerDoc>, refundId: string): Promise<NewMessage | null> => {
    const at = doc.refunds.findIndex((r) => r.id === refundId);
    const refund = doc.refunds[at];
    if (!refund) return null;
    const receipt = await deps.receiptOf(refund.chargeId);
    const { customer, language, charge } = receipt;
    if (!customer.email) return null;
    const s = shop();
    const number = charge.receiptNumber ?? charge.id;
    const refundedSoFar = doc.refunds
      .slice(0, at + 1)
      .filter((r) => r.chargeId === refund.chargeId && r.status === 'succeeded')
      .reduce((sum, r) => sum + r.amount, 0);
    const amount = formatMoney(refund.amount, refund.currency, language);
    return {
      kind: 'refund_receipt',
      ref: refund.id,
      customerId: customer.id,
      to: customer.email,
      language,
      subject: text(language, 'mail.refund.subject', { shop: s.shopName, amount }),
      text: compose(
        language,
        customer.name,
        text(language, 'mail.refund.body', {
          amount,
          number,
          description: charge.description,
          date: formatDate(refund.createdAt, language),
          total: formatMoney(charge.amount - refundedSoFar, charge.currency, language),
        }),
      ),
    };
  };

  const owedId = (kind: MailKind, ref: string) => `${kind}:${ref}`;

  /**
   * The commit rule: marks the e-mail a change makes due, in the change's own commit. Due: a consent
   * recorded here, a charge or refund of this desk that succeeded in this change (not one that had
   * succeeded before, nor one imported from Stripe or made at another desk, whose desk e-mails it).
   */
  /** What the rule marked, by customer, until its commit is done (then it is queued). */
  const justMarked = new Map<string, Set<string>>();
  const markOwed = (previous: Readonly<CustomerDoc> | null, draft: CustomerDoc) => {
    try {
      if (!configured() || !draft.customer.email) return;
      const owed: MailOwedRecord[] = [];
      const known = new Set((draft.mail ?? []).map((m) => m.id));
      const owe = (kind: MailKind, ref: string) => {
        const id = owedId(kind, ref);
        if (known.has(id)) return;
        known.add(id);
        owed.push({ id, kind, ref, state: 'owed', owedAt: env.clock.now().toISOString(), doneAt: null, outboxId: null });
      };
      const newConsents = draft.consents.filter((c) => !c.origin);
      if (newConsents.length) {
        const before = new Set(previous?.consents.map((c) => c.id));
        for (const c of newConsents) if (!before.has(c.id)) owe('consent_copy', c.id);
      }
      const ours = (r: { status: string; origin?: unknown; fromOtherDesk?: unknown }) => r.status === 'succeeded' && !r.origin && !r.fromOtherDesk;
      const charges = draft.charges.filter(ours);
      if (charges.length) {
        const before = new Map(previous?.charges.map((c) => [c.id, c.status]));
        for (const c of charges) if (before.get(c.id) !== 'succeeded') owe('receipt', c.id);
      }
      const refunds = draft.refunds.filter(ours);
      if (refunds.length) {
        const before = new Map(previous?.refunds.map((r) => [r.id, r.status]));
        for (const r of refunds) if (before.get(r.id) !== 'succeeded') owe('refund_receipt', r.id);
      }
      if (owed.length) {
        draft.mail = [...(draft.mail ?? []), ...owed];
        const marked = justMarked.get(draft.customer.id) ?? new Set<string>();
        for (const m of owed) marked.add(m.id);
        justMarked.set(draft.customer.id, marked);
      }
    } catch (error) {
      // the record itself must be written whatever happens here
      logger.error('the e-mail owed by a change could not be marked', { customerId: draft.customer.id, error: String(error) });
    }
  };
  records.addCommitRule(markOwed);

  const settling = new Map<string, Promise<void>>();
  const failures = new Map<string, number>();
  const retryTimers = new Set<NodeJS.Timeout>();
  let stopping = false;

  /** Puts one owed e-mail in the outbox, then marks it queued. Safe to run again after a crash at any step. */
  const settle = (customerId: string, owedKey: string): Promise<void> => {
    const running = settling.get(owedKey);
    if (running) return running;
    if (stopping) return Promise.resolve();
    const job = (async () => {
      const doc = await records.customer(customerId);
      const entry = doc?.mail?.find((m) => m.id === owedKey);
      if (!doc || !entry || entry.state !== 'owed') return;
      const message = entry.kind === 'consent_copy' ? await consentCopy(doc, entry.ref) : entry.kind === 'receipt' ? await chargeReceipt(entry.ref) : entry.kind === 'refund_receipt' ? await refundReceipt(doc, entry.ref) : null;
      let outboxId: string | null = null;
      if (message) {
        await env.faultAt?.('mail.beforeEnqueue');
        outboxId = (await outbox.enqueue(message)).id;
        await env.faultAt?.('mail.beforeSettle');
      }
      const doneAt = env.clock.now().toISOString();
      await records.updateCustomer(customerId, (draft) => {
        const owed = draft.mail?.find((m) => m.id === owedKey);
        if (owed?.state === 'owed') Object.assign(owed, { state: message ? 'queued' : 'skipped', doneAt, outboxId });
      });
      failures.delete(owedKey);
    })()
      .catch((error: unknown) => {
        // tried again with backoff while the app runs, and at the next start
        const attempts = (failures.get(owedKey) ?? 0) + 1;
        failures.set(owedKey, attempts);
        logger.warn('an e-mail owed could not be queued yet; will try again', { owed: owedKey, attempts, error: String(error) });
        if (stopping) return;
        const timer = setTimeout(() => {
          retryTimers.delete(timer);
          void settle(customerId, owedKey);
        }, Math.min(3_600_000, 5_000 * 2 ** (attempts - 1)));
        timer.unref?.();
        retryTimers.add(timer);
      })
      .finally(() => settling.delete(owedKey));
    settling.set(owedKey, job);
    return job;
  };
  // after a commit: what it marked owed goes to the outbox in the background (the call never waits for it)
  records.onCommitted((customerId, doc) => {
    const marked = justMarked.get(customerId);
    if (!marked) return;
    justMarked.delete(customerId);
    for (const m of doc.mail ?? []) if (marked.has(m.id) && m.state === 'owed') void settle(customerId, m.id);
  });
  const settleOwed = async () => {
    await Promise.all(records.index.openWork('mail').map((w) => settle(w.customerId, w.id)));
  };

  const toCallError = (error: unknown): never => {
    if (error instanceof OutboxError) throw new AppError(error.code, error.message);
    throw error;
  };

  const handlers: Mail['handlers'] = {
    async 'mail.status'() {
      return { configured: configured() };
    },
    async 'mail.settings.get'() {
      return view();
    },
    async 'mail.settings.update'(input) {
      if (input.host && !input.fromAddress)
        throw new AppError('invalid_input', 'Give the sender address the e-mails come from.', { fields: { fromAddress: 'The sender address is required' } });
      const pem = input.trustedCertificatePem === undefined ? (settings?.trustedCertificatePem ?? '') : input.trustedCertificatePem?.trim() ? parseTrustedCertificates(input.trustedCertificatePem).pem : '';
      const next: SmtpFile = {
        schemaVersion: 1,
        host: input.host,
        port: input.port,
        tls: input.tls,
        user: input.user,
        fromAddress: input.fromAddress,
        fromName: input.fromName,
        trustedCertificatePem: pem,
        allowUntrusted: input.allowUntrusted ?? settings?.allowUntrusted ?? false,
        updatedAt: env.clock.now().toISOString(),
      };
      if (input.password !== undefined) {
        try {
          await slot.set(input.password === null || input.password === '' ? null : input.password);
        } catch (error) {
          // the secret store's own words (no keyring, cannot encrypt); nothing was changed
          throw new AppError('store_error', `The password could not be kept safely, so nothing was saved: ${error instanceof Error ? error.message : String(error)}`);
        }
        password = input.password || null;
      }
      await ensureDir(dir);
      await writeFileAtomic(settingsPath, JSON.stringify(next));
      settings = next;
      outbox.kick();
      return view();
    },
    async 'mail.test'({ to }): Promise<MailTestResult> {
      if (!configured()) throw new AppError('mail_not_configured', 'Set the SMTP server and the sender address, and save them, before sending a test e-mail.');
      const language = shop().defaultLanguage;
      const s = shop();
      const outcome = await sendNow({
        to,
        language,
        subject: text(language, 'mail.test.subject', { shop: s.shopName }),
        text: compose(language, to, text(language, 'mail.test.body', { shop: s.shopName })),
        attachments: [],
      });
      return outcome.ok
        ? { sent: true, messageId: outcome.messageId, response: outcome.response }
        : { sent: false, code: outcome.error.code, responseCode: outcome.error.responseCode, response: outcome.error.message };
    },
    async 'mail.sendSetupLink'({ setupId }): Promise<OutboxMessageView> {
      if (!configured()) throw new AppError('mail_not_configured', 'No SMTP server is set in Settings, so the link cannot be e-mailed.');
      const doc = await records.ownerDoc(setupId, 'setup');
      const setup = doc.setups.find((s) => s.id === setupId);
      if (!setup) throw new AppError('not_found', `There is no setup ${setupId}.`);
      if (setup.status !== 'open' || !setup.url) throw new AppError('conflict', 'This setup is no longer open; start a new one to send its link.');
      const { customer } = doc;
      if (!customer.email) throw new AppError('invalid_input', 'The customer has no e-mail address.');
      const language = customer.language;
      const s = shop();
      return enqueue({
        kind: 'setup_link',
        // one e-mail per link: a replaced session (a new link) gets its own
        ref: `${setupId}:${setup.checkoutSessionId}`,
        customerId: customer.id,
        to: customer.email,
        language,
        subject: text(language, 'mail.setupLink.subject', { shop: s.shopName }),
        text: compose(language, customer.name, text(language, 'mail.setupLink.body', { shop: s.shopName, url: setup.url, expires: formatDateTime(setup.expiresAt, language) })),
      });
    },
    async 'outbox.list'({ limit, cursor }) {
      return outbox.list(limit, cursor);
    },
    async 'outbox.forCustomer'({ customerId }) {
      await records.requireCustomer(customerId);
      return outbox.forCustomer(customerId);
    },
    async 'outbox.retry'({ messageId }) {
      if (!configured()) throw new AppError('mail_not_configured', 'No SMTP server is set in Settings.');
      return outbox.retry(messageId).catch(toCallError);
    },
  };

  return {
    handlers,
    outbox,
    settleOwed,
    configured,
    async stop() {
      stopping = true;
      for (const timer of retryTimers) clearTimeout(timer);
      retryTimers.clear();
      // what is being queued finishes first (an owed mark left behind is finished at the next start)
      await Promise.all([...settling.values()]);
      await outbox.close();
    },
  };
}
