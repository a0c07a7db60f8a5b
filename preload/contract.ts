/**
 * The one typed list of every call the renderer may make and every event main may push.
 * Main, preload, the browser bridge, the renderer and the tests all take their types from here.
 * Imports zod only (DESIGN §1).
 */
import { z } from 'zod';

// ---------------------------------------------------------------- shared input schemas

export const LANGUAGES = ['en', 'ja'] as const;
export const Language = z.enum(LANGUAGES);
export type Language = z.infer<typeof Language>;

/** Presentment currencies Amazon Pay supports through Stripe (docs/ARCHITECTURE.md §4). */
export const CURRENCIES = ['usd', 'aud', 'gbp', 'dkk', 'eur', 'hkd', 'jpy', 'nzd', 'nok', 'zar', 'sek', 'chf'] as const;
export const Currency = z.enum(CURRENCIES);
export type Currency = z.infer<typeof Currency>;
/** Currencies whose minor unit is the major unit (no decimals). */
export const ZERO_DECIMAL_CURRENCIES: readonly Currency[] = ['jpy'];

/** An amount in the currency's own minor unit (cents for EUR, yen for JPY). */
export const MinorAmount = z.number().int('Amount must be a whole number of minor units').positive('Amount must be above zero').max(99_999_999);

const Id = z.string().trim().min(1).max(120);
/** A key the renderer makes once per intent of the user (e.g. when a charge form opens), so a double click is one request. */
export const RequestKey = z.string().uuid();
/** A real calendar date (zod checks month lengths and leap years: 2027-02-29 and 2027-00-00 are refused). */
const IsoDate = z.iso.date({ message: 'Use a real calendar date, like 2026-12-31' });
/** The shape only: what records written before dates were checked as real dates may hold. */
const StoredIsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

const DAY_MS = 86_400_000;
/**
 * A calendar date (YYYY-MM-DD) as a day number (days since 1970-01-01), or null when it is not a
 * real date. Dates are compared by this number, never as strings.
 */
export function calendarDay(date: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const at = new Date(0);
  at.setUTCFullYear(year, month - 1, day);
  // Date rolls 2027-02-29 over to March 1: a real date comes back unchanged
  if (at.getUTCFullYear() !== year || at.getUTCMonth() !== month - 1 || at.getUTCDate() !== day) return null;
  return Math.floor(at.getTime() / DAY_MS);
}
const Pin = z.string().regex(/^\d{4,8}$/, 'PIN must be 4 to 8 digits');
const StaffName = z.string().trim().min(1, 'Name is required').max(80);
const Empty = z.object({}).strict();
/** The shop's name and contact appear in every terms text and receipt. */
const ShopName = z.string().trim().min(1, 'Shop name is required').max(120);
const ShopContact = z.string().trim().min(1, 'Shop contact is required').max(300);

/**
 * A Japanese qualified-invoice issuer's registration number (適格請求書発行事業者の登録番号): "T" and
 * 13 digits. Empty means the shop is not registered (nothing is printed).
 */
export const INVOICE_REGISTRATION_NUMBER_PATTERN = /^T\d{13}$/;
export const InvoiceRegistrationNumber = z
  .string()
  .trim()
  .refine((value) => value === '' || INVOICE_REGISTRATION_NUMBER_PATTERN.test(value), 'Use T followed by 13 digits, like T1234567890123');
/** Consumption tax rate in whole percent (Japan: 10, or 8 for the reduced rate); amounts are tax-inclusive. */
export const TaxRatePercent = z.number().int('Use a whole percentage').min(0).max(100);

export const PersonName = z.string().trim().min(1, 'Name is required').max(120);
export const Email = z.string().trim().max(254).email('Enter a valid e-mail address');
export const Phone = z.string().trim().max(40).regex(/^[+0-9 ()-]*$/, 'Phone may contain digits, spaces, + ( ) -');

/**
 * The agreed parameters of a charge-later mandate (docs/ARCHITECTURE.md §3a).
 * `fixed`: every charge is exactly `amount`. `up_to_max` / `per_usage`: each charge is at most `maxAmount`.
 */
const mandateParams = (date: z.ZodType<string>) =>
  z
    .object({
      purpose: z.string().trim().min(3).max(300),
      frequency: z.enum(['one_off', 'recurring', 'as_needed']),
      timing: z.string().trim().min(3).max(300),
      amountRule: z.enum(['fixed', 'up_to_max', 'per_usage']),
      amount: MinorAmount.optional(),
      maxAmount: MinorAmount.optional(),
      currency: Currency,
      startDate: date,
      /** null: until cancelled */
      endDate: date.nullable(),
      cancellationPolicy: z.string().trim().min(3).max(600),
    })
    .strict()
    .superRefine((p, ctx) => {
      if (p.amountRule === 'fixed' && p.amount === undefined)
        ctx.addIssue({ code: 'custom', path: ['amount'], message: 'A fixed amount is required' });
      if (p.amountRule !== 'fixed' && p.maxAmount === undefined)
        ctx.addIssue({ code: 'custom', path: ['maxAmount'], message: 'A maximum amount is required' });
      const start = calendarDay(p.startDate);
      const end = p.endDate === null ? null : calendarDay(p.endDate);
      if (start !== null && end !== null && end < start)
        ctx.addIssue({ code: 'custom', path: ['endDate'], message: 'The end date is before the start date' });
    });
export const MandateParams = mandateParams(IsoDate);
/** Mandate parameters as consent records on disk hold them (see `StoredIsoDate`); new input is always `MandateParams`. */
export const StoredMandateParams = mandateParams(StoredIsoDate);

export type MandateParams = z.infer<typeof MandateParams>;

// ---------------------------------------------------------------- output (view) types

export type Role = 'staff' | 'manager';
export type Mode = 'training' | 'test' | 'live';

export interface StaffView { id: string; name: string; role: Role; active: boolean; createdAt: string }
export interface AuthStatus { staff: StaffView | null; needsFirstManager: boolean; idleLockMinutes: number }

/** What was wrong with a data file, for the user's language (`problem` is the English for logs and support). */
export const STORE_PROBLEM_CODES = [
  'not_json', 'no_schema_version', 'no_migration', 'migration_failed', 'wrong_shape', 'file_missing', 'document_older',
  'checkpoint_damaged', 'index_damaged', 'journal_line_unreadable', 'audit_checkpoint_damaged', 'other',
] as const;
export type StoreProblemCode = (typeof STORE_PROBLEM_CODES)[number];
/**
 * What became of it: continued from a backup copy; everything recovered from the other files (the
 * journal, the documents, the whole log); not everything recovered (`missing` names what); or
 * nothing usable, so the file starts empty.
 */
export type StoreNoticeOutcome = 'restored_from_backup' | 'recovered' | 'incomplete' | 'started_empty';
export interface StoreNotice {
  file: string;
  code: StoreProblemCode;
  params: Record<string, string | number>;
  problem: string;
  outcome: StoreNoticeOutcome;
  /** What could not be brought back (record ids, change numbers), when the outcome is incomplete. */
  missing: string[];
  /** Where the unreadable file was kept aside (never overwritten); empty when nothing was moved. */
  keptAsidePath: string;
  /** The backup the app continued from, if any. */
  restoredFrom: string | null;
  at: string;
}
/** Why the audit chain breaks: each said in the user's language (`auditProblem.<code>`) with the status's `params`. */
export const AUDIT_CHAIN_PROBLEMS = ['entry_moved', 'entries_reordered', 'link_broken', 'entry_changed', 'entries_missing', 'log_replaced', 'segment_missing', 'line_unreadable'] as const;
export type AuditChainProblem = (typeof AUDIT_CHAIN_PROBLEMS)[number];
/** `problem` is the same in English, for logs and support. */
export interface AuditChainStatus { ok: boolean; entries: number; brokenAtSeq: number | null; problem: string | null; code: AuditChainProblem | null; params: Record<string, string | number> }
export interface AppInfo {
  mode: Mode;
  version: string;
  terminalId: string;
  terminalName: string;
  shopName: string;
  storeNotices: StoreNotice[];
  auditChain: AuditChainStatus;
  /** 'electron' or 'browser' (bridge): the renderer adapts how it shows external opens. */
  transport: 'electron' | 'browser';
}

export const SETUP_FINISH_ON = ['this_computer', 'phone'] as const;
export type SetupFinishOn = (typeof SETUP_FINISH_ON)[number];
/** Stripe's limits for a Checkout Session's `expires_at`: 30 minutes to 24 hours after creation. */
export const SETUP_EXPIRY_MINUTES = { min: 30, max: 24 * 60, default: 30 } as const;

export interface Settings {
  shopName: string;
  shopContact: string;
  defaultCurrency: Currency;
  defaultLanguage: Language;
  idleLockMinutes: number;
  terminalName: string;
  /** Where the customer usually finishes saving Amazon Pay: the counter computer's browser or their own phone (QR code). */
  setupFinishOn: SetupFinishOn;
  /** How long a setup's Checkout page stays valid. */
  setupExpiryMinutes: number;
  /** The shop's web page (https), where a customer's phone lands after Checkout; '' = the plain default. */
  shopWebPage: string;
  /** Consumption tax included in every amount, in whole percent (0: not stated on receipts). */
  taxRatePercent: number;
  /** "T" + 13 digits, or '' when the shop is not a registered qualified-invoice issuer. */
  invoiceRegistrationNumber: string;
}

/** An https web page address (the shop's page a customer's phone returns to), or '' for none. */
export const ShopWebPage = z
  .string()
  .trim()
  .max(500)
  .refine((value) => {
    if (value === '') return true;
    try {
      const url = new URL(value);
      return url.protocol === 'https:' && url.hostname.includes('.') && url.username === '' && url.password === '';
    } catch {
      return false;
    }
  }, 'Enter a web address starting with https://');

export interface CustomerView {
  id: string;
  name: string;
  email: string;
  phone: string;
  language: Language;
  stripeCustomerId: string;
  createdAt: string;
}
/** A Customer found at Stripe (e.g. created by another terminal) that has no local record yet. */
export interface StripeCustomerHit { stripeCustomerId: string; name: string; email: string; phone: string }
export interface CustomerSearchResult { local: CustomerView[]; stripeOnly: StripeCustomerHit[] }
/** Work still under way for a customer: an open setup, a charge or refund Stripe has not finished, a subscription not yet confirmed. */
export interface OpenWorkItem { kind: 'setup' | 'charge' | 'refund' | 'subscription'; id: string; status: string }
/** The customers screen before anything is typed: who was served last, and who has something still under way. */
export interface CustomersOverview { recent: CustomerView[]; inProgress: Array<{ customer: CustomerView; work: OpenWorkItem[] }> }

export interface RenderedTerms {
  version: string;
  language: Language;
  title: string;
  text: string;
  /** hex SHA-256 of `text` (UTF-8). */
  sha256: string;
}

export type ConsentStatus = 'active' | 'withdrawn' | 'expired' | 'not_started';
/** Where a record came from when another desk made it: imported from what that desk shared at Stripe. */
export interface RecordOriginView { source: 'stripe'; importedAt: string; terminalId: string | null }
/** A write to Stripe queued in the background (the consent's evidence, a withdrawal), retried until Stripe takes it. */
export interface StripeShareView {
  state: 'pending' | 'uploaded' | 'failed';
  fileIds: string[];
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  doneAt: string | null;
}
export interface ConsentView {
  id: string;
  customerId: string;
  stripeCustomerId: string;
  termsVersion: string;
  language: Language;
  title: string;
  text: string;
  textSha256: string;
  params: MandateParams;
  typedName: string;
  signaturePng: string | null;
  acceptedAtUtc: string;
  acceptedAtLocal: string;
  timeZone: string;
  witnessedBy: { staffId: string; name: string };
  terminalId: string;
  /** Links filled in later (kept outside the immutable record, joined here). */
  links: { checkoutSessionId: string | null; setupIntentId: string | null; paymentMethodId: string | null; mandateId: string | null };
  withdrawal: { at: string; byStaffId: string; byName: string; reason: string; /** recording it at Stripe (null: made elsewhere, or before this was shared) */ stripeShare: StripeShareView | null } | null;
  status: ConsentStatus;
  /** The evidence at Stripe (metadata and the evidence PDF): null for consents recorded before it was shared. */
  stripeEvidence: StripeShareView | null;
  origin: RecordOriginView | null;
  /** A correction references the record it corrects. */
  correctsConsentId: string | null;
}

export type SetupStatus = 'open' | 'succeeded' | 'failed' | 'expired' | 'canceled';
export interface SetupView {
  id: string;
  customerId: string;
  consentId: string;
  checkoutSessionId: string;
  status: SetupStatus;
  /** The Checkout URL while open (not secret: it is what the customer's browser shows). */
  url: string | null;
  expiresAt: string;
  createdAt: string;
  finishedAt: string | null;
  setupIntentId: string | null;
  paymentMethodId: string | null;
  mandateId: string | null;
  failure: { code: string; message: string } | null;
  /**
   * When the customer came back by Checkout's "Cancel and return" while the session stays open (so
   * staff can try again or cancel the setup). Known to this run of main only, never stored.
   */
  customerCanceledAt?: string | null;
}

export interface SavedMethodView {
  paymentMethodId: string;
  type: 'amazon_pay';
  customerId: string;
  consentId: string;
  setupId: string;
  setupIntentId: string;
  mandateId: string | null;
  savedAt: string;
  status: 'active' | 'detached';
  detachedAt: string | null;
  /** What the customer recognises the method by, as Stripe gave it when it was saved (null if it gave none). */
  billingEmail: string | null;
  billingName: string | null;
  /** Detached at Stripe by someone else (another desk, the Dashboard), learnt from Stripe's events. */
  detachedElsewhere?: boolean;
}

export type ChargeStatus = 'pending' | 'processing' | 'succeeded' | 'declined' | 'unavailable' | 'action_required' | 'failed';
export interface RefundView {
  id: string;
  chargeId: string;
  amount: number;
  currency: Currency;
  reason: 'requested_by_customer' | 'duplicate' | 'fraudulent';
  note: string;
  status: 'pending' | 'processing' | 'succeeded' | 'failed';
  stripeRefundId: string | null;
  failure: { code: string; message: string } | null;
  createdAt: string;
  createdBy: { staffId: string; name: string };
  /** Made at another desk (learnt from Stripe's events); absent or null when made here. */
  fromOtherDesk?: OtherDeskView | null;
}
/** Stripe's dispute statuses (a status Stripe adds later is shown as it is spelled). */
export const DISPUTE_STATUSES = ['needs_response', 'warning_needs_response', 'under_review', 'warning_under_review', 'won', 'lost', 'warning_closed', 'prevented'] as const;
export type DisputeStatus = (typeof DISPUTE_STATUSES)[number];
/** Statuses in which evidence can still be submitted. */
export const DISPUTE_OPEN_STATUSES: readonly string[] = ['needs_response', 'warning_needs_response'];
/** A dispute (chargeback) on a charge, as Stripe last reported it. */
export interface DisputeView {
  id: string;
  status: string;
  reason: string;
  amount: number;
  currency: Currency;
  openedAt: string;
  /** The evidence deadline (`evidence_details.due_by`). */
  dueBy: string | null;
  pastDue: boolean;
  submissionCount: number;
  /** What this desk submitted, if it did. */
  evidence: { submittedAt: string; submittedBy: { staffId: string; name: string }; fileId: string; consentId: string } | null;
}
/** A charge or refund made at another desk and learnt from Stripe's events. */
export interface OtherDeskView { terminalId: string | null; recordId: string | null; seenAt: string }

export interface ChargeView {
  id: string;
  customerId: string;
  consentId: string;
  paymentMethodId: string;
  amount: number;
  currency: Currency;
  description: string;
  status: ChargeStatus;
  idempotencyKey: string;
  paymentIntentId: string | null;
  failure: { code: string; message: string } | null;
  createdAt: string;
  finishedAt: string | null;
  createdBy: { staffId: string; name: string };
  refundedAmount: number;
  refunds: RefundView[];
  /** Set for charges made by a subscription renewal rather than by a manager. */
  subscriptionId: string | null;
  /** The human receipt number (`<terminal>-000123`), once the charge has succeeded; it never changes. */
  receiptNumber: string | null;
  /** Made at another desk (learnt from Stripe's events); absent or null when made here. */
  fromOtherDesk?: OtherDeskView | null;
  /** The dispute on this charge, if any. */
  dispute?: DisputeView | null;
  /** Set when another desk made this charge (imported from Stripe). */
  origin: RecordOriginView | null;
}
export interface ReceiptView {
  charge: ChargeView;
  customer: CustomerView;
  shopName: string;
  shopContact: string;
  consent: { id: string; purpose: string; acceptedAtUtc: string };
  language: Language;
  /**
   * The consumption tax included in the total (receipts in yen with a rate above 0), rounded down
   * to the yen: floor(taxable × rate / (100 + rate)). `taxableAmount` is the total after refunds.
   */
  tax: { ratePercent: number; taxableAmount: number; amount: number } | null;
  /** The shop's qualified-invoice registration number, on receipts in yen when it is set. */
  invoiceRegistrationNumber: string | null;
}

export interface PriceView {
  id: string;
  productName: string;
  amount: number;
  currency: Currency;
  interval: 'day' | 'week' | 'month' | 'year';
  intervalCount: number;
}
export interface SubscriptionView {
  id: string;
  stripeSubscriptionId: string;
  customerId: string;
  consentId: string;
  paymentMethodId: string;
  price: PriceView;
  status: 'incomplete' | 'active' | 'past_due' | 'canceled' | 'unpaid' | 'trialing' | 'incomplete_expired' | 'paused';
  currentPeriodEnd: string | null;
  nextPaymentAt: string | null;
  cancelAtPeriodEnd: boolean;
  canceledAt: string | null;
  createdAt: string;
  payments: Array<{ invoiceId: string; amount: number; currency: Currency; status: string; paidAt: string | null }>;
}

/** "Rebuild this desk from Stripe": where the walk through Stripe's customers stands. */
export interface RebuildStatus {
  /** `interrupted`: started and not finished (the app stopped meanwhile); starting again resumes after the last customer imported. */
  state: 'never' | 'running' | 'interrupted' | 'done';
  /** Customers at Stripe (counted first); null while counting. */
  total: number | null;
  done: number;
  failed: number;
  startedAt: string | null;
  finishedAt: string | null;
  lastError: string | null;
}
/** What importing one customer from Stripe brought. */
export interface ImportSummary {
  created: boolean;
  changed: boolean;
  counts: { consents: number; withdrawals: number; setups: number; savedMethods: number; charges: number; refunds: number; subscriptions: number };
  skipped: { withoutEvidence: string[]; hashMismatch: string[] };
}

export interface CustomerDetail {
  customer: CustomerView;
  consents: ConsentView[];
  setups: SetupView[];
  savedMethods: SavedMethodView[];
  charges: ChargeView[];
  subscriptions: SubscriptionView[];
}

export interface AuditEntryView {
  seq: number;
  at: string;
  actor: { staffId: string; name: string; role: Role } | null;
  action: string;
  outcome: 'ok' | 'refused' | 'error';
  customerId: string | null;
  summary: string;
  details: Record<string, unknown>;
  hash: string;
  prevHash: string;
}
export interface ExportFile { filename: string; mimeType: string; content: string }
/** A binary file from main (e.g. the consent PDF), base64-encoded for every transport. */
export interface PdfFile { filename: string; mimeType: 'application/pdf'; base64: string }

/**
 * How Stripe's clock (the emulator's in training mode, which can be moved forward) stands to this
 * desk's: Stripe time = desk time + `stripeOffsetMs`. Times of Stripe objects (a setup's expiry)
 * are on Stripe's clock; countdowns to them use desk time plus this offset.
 */
export interface ClockView { stripeOffsetMs: number; measuredAt: string }

// ---------------------------------------------------------------- e-mail (SMTP settings and the outbox)

export const SMTP_TLS_MODES = ['none', 'starttls', 'tls'] as const;
export type SmtpTlsMode = (typeof SMTP_TLS_MODES)[number];
/** The shop's outgoing mail server as the renderer sees it: never the password, only whether one is set. */
export interface MailSettingsView {
  host: string;
  port: number;
  /** none: plain SMTP; starttls: upgrade required (port 587); tls: implicit TLS (port 465). */
  tls: SmtpTlsMode;
  user: string;
  passwordSet: boolean;
  fromAddress: string;
  fromName: string;
  /**
   * Certificates trusted for this server besides the system's (a self-signed one, or a private CA),
   * as pasted by a manager (PEM): each with what identifies it. Empty: the system's only.
   */
  trustedCertificates: TrustedCertificateView[];
  /** The server's certificate is not checked at all (off by default; not safe on an open network). */
  allowUntrusted: boolean;
  /** Host and sender set: e-mails can be sent. */
  configured: boolean;
}
export interface TrustedCertificateView { subject: string; issuer: string; fingerprint256: string; validFrom: string; validTo: string }
export type MailTestResult =
  | { sent: true; messageId: string; response: string }
  | { sent: false; code: string; responseCode: number | null; response: string };

export const MAIL_KINDS = ['setup_link', 'consent_copy', 'receipt', 'refund_receipt'] as const;
export type MailKind = (typeof MAIL_KINDS)[number];
export const OUTBOX_STATES = ['queued', 'retrying', 'sent', 'failed'] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];
/** One e-mail of the outbox, in its newest state. */
export interface OutboxMessageView {
  id: string;
  kind: MailKind;
  customerId: string | null;
  to: string;
  subject: string;
  language: Language;
  state: OutboxState;
  /** Sending attempts made so far. */
  attempts: number;
  createdAt: string;
  /** When this state was reached. */
  updatedAt: string;
  /** When the next attempt is due (queued / retrying). */
  nextAttemptAt: string | null;
  /** The server's Message-ID and answer once sent. */
  smtpMessageId: string | null;
  /** Why the last attempt failed: a code (smtp_4xx, smtp_5xx, connection, timeout, …), the server's reply code and text. */
  error: { code: string; responseCode: number | null; message: string } | null;
  /** Names of attached files (the consent PDF). */
  attachments: string[];
}
export interface OutboxPage { messages: OutboxMessageView[]; nextCursor: string | null }

const SmtpHost = z
  .string()
  .trim()
  .max(253)
  .regex(/^[A-Za-z0-9.-]*$|^\[[0-9A-Fa-f:.]+\]$/, 'Enter a host name or IP address, like smtp.example.com');
/** Where following Stripe's events stands. */
export interface StripeEventsStatus {
  /** The newest event seen (null before the first one). */
  lastEventId: string | null;
  /** When events were last read successfully. */
  polledAt: string | null;
  /** Changes applied by the poll this answer comes from. */
  applied: number;
  /** Why the last poll failed (null when it worked). */
  error: string | null;
}
/** Pushed after a poll applied changes from Stripe's events: screens showing these customers reload. */
export interface StripeChanges { customerIds: string[]; applied: number }

// ---------------------------------------------------------------- the calls

/** `public`: callable while signed out. Otherwise the minimum role; a manager may do all a staff member may. */
export type CallRole = 'public' | Role;

export interface CallDef<I extends z.ZodType = z.ZodType, O = unknown> {
  input: I;
  role: CallRole;
  /** Changes something: the dispatcher appends an audit entry for it (and for every refusal). */
  mutates: boolean;
  /** Phantom: carries the output type only. */
  readonly __output?: O;
}
const def =
  <O>() =>
  <I extends z.ZodType>(spec: { input: I; role: CallRole; mutates: boolean }): CallDef<I, O> =>
    spec;

// ---------------------------------------------------------------- payments ledger (managers)

export const PAYMENT_STATUSES = ['pending', 'processing', 'succeeded', 'declined', 'unavailable', 'action_required', 'failed'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];
/** Longest date range one payments call reads (its day files). */
export const PAYMENTS_MAX_DAYS = 31;

/** One charge or refund as the Payments screen shows it (its newest state in the ledger). */
export interface PaymentRowView {
  kind: 'charge' | 'refund';
  id: string;
  /** For a refund: the charge it gives money back on. */
  chargeId: string | null;
  customerId: string;
  /** From the customer index (null when the customer is not known on this desk). */
  customerName: string | null;
  amount: number;
  currency: Currency;
  status: PaymentStatus;
  description: string;
  staff: { staffId: string; name: string };
  terminal: { id: string; name: string };
  createdAt: string;
  /** The day file it is in (YYYY-MM-DD, the terminal's time zone). */
  day: string;
  /** A charge's dispute, if one was opened (status and evidence deadline). */
  dispute?: { id: string; status: string; reason: string; amount: number; dueBy: string | null } | null;
  /** Made at another desk (learnt from Stripe's events). */
  fromOtherDesk?: boolean;
}
/** Succeeded charges minus succeeded refunds, per day and currency, for the call's filter. */
export interface PaymentDayTotal {
  day: string;
  currency: Currency;
  charged: number;
  refunded: number;
  net: number;
  succeededCharges: number;
  succeededRefunds: number;
  /** Rows of any status that day in this currency. */
  rows: number;
}
export interface PaymentsPage { rows: PaymentRowView[]; totals: PaymentDayTotal[]; nextCursor: string | null; matched: number }

const Day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Use a date like 2026-12-01')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'Not a calendar date');
const PaymentsFilter = {
  from: Day,
  to: Day,
  status: z.enum(PAYMENT_STATUSES).optional(),
  customerId: Id.optional(),
};
const daySpan = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
function checkRange(value: { from: string; to: string }, ctx: z.RefinementCtx): void {
  const span = daySpan(value.from, value.to);
  if (Number.isNaN(span)) return;
  if (span < 1) ctx.addIssue({ code: 'custom', path: ['to'], message: 'The end date is before the start date' });
  else if (span > PAYMENTS_MAX_DAYS) ctx.addIssue({ code: 'custom', path: ['to'], message: `At most ${PAYMENTS_MAX_DAYS} days at a time` });
}

const SearchAuditFilter = z
  .object({
    action: z.string().max(60).optional(),
    actorId: z.string().max(120).optional(),
    customerId: z.string().max(120).optional(),
    outcome: z.enum(['ok', 'refused', 'error']).optional(),
    from: z.string().datetime().optional(),
    to: z.string().datetime().optional(),
  })
  .strict();

export const calls = {
  // --- app and session
  'app.info': def<AppInfo>()({ input: Empty, role: 'public', mutates: false }),
  /** Measures Stripe's clock against this desk's (at most once a minute; at once after the training clock moved). */
  'app.clock': def<ClockView>()({ input: Empty, role: 'staff', mutates: false }),
  'auth.status': def<AuthStatus>()({ input: Empty, role: 'public', mutates: false }),
  'auth.setupFirstManager': def<AuthStatus>()({
    input: z
      .object({
        name: StaffName,
        pin: Pin,
        shopName: ShopName,
        shopContact: ShopContact,
        /** The shop's currency and language: new consents and new customers start with them. */
        currency: Currency.optional(),
        language: Language.optional(),
      })
      .strict(),
    role: 'public',
    mutates: true,
  }),
  'auth.signIn': def<AuthStatus>()({ input: z.object({ name: StaffName, pin: Pin }).strict(), role: 'public', mutates: true }),
  'auth.signOut': def<AuthStatus>()({ input: Empty, role: 'public', mutates: true }),

  // --- staff and settings (managers)
  'staff.list': def<StaffView[]>()({ input: Empty, role: 'manager', mutates: false }),
  'staff.create': def<StaffView>()({ input: z.object({ name: StaffName, pin: Pin, role: z.enum(['staff', 'manager']) }).strict(), role: 'manager', mutates: true }),
  'staff.update': def<StaffView>()({
    input: z.object({ staffId: Id, role: z.enum(['staff', 'manager']).optional(), active: z.boolean().optional(), pin: Pin.optional() }).strict(),
    role: 'manager',
    mutates: true,
  }),
  'settings.get': def<Settings>()({ input: Empty, role: 'staff', mutates: false }),
  'settings.update': def<Settings>()({
    input: z
      .object({
        shopName: ShopName,
        shopContact: ShopContact,
        defaultCurrency: Currency,
        defaultLanguage: Language,
        idleLockMinutes: z.number().int().min(1).max(240),
        terminalName: z.string().trim().min(1).max(60),
        setupFinishOn: z.enum(SETUP_FINISH_ON),
        setupExpiryMinutes: z.number().int().min(SETUP_EXPIRY_MINUTES.min).max(SETUP_EXPIRY_MINUTES.max),
        shopWebPage: ShopWebPage,
        taxRatePercent: TaxRatePercent,
        invoiceRegistrationNumber: InvoiceRegistrationNumber,
      })
      .partial()
      .strict(),
    role: 'manager',
    mutates: true,
  }),

  // --- customers
  'customers.search': def<CustomerSearchResult>()({ input: z.object({ query: z.string().trim().min(1).max(200) }).strict(), role: 'staff', mutates: false }),
  'customers.create': def<{ customer: CustomerView; linkedExisting: boolean }>()({
    input: z.object({ name: PersonName, email: Email, phone: Phone.optional(), language: Language }).strict(),
    role: 'staff',
    mutates: true,
  }),
  'customers.get': def<CustomerDetail>()({ input: z.object({ customerId: Id }).strict(), role: 'staff', mutates: false }),
  'customers.overview': def<CustomersOverview>()({ input: Empty, role: 'staff', mutates: false }),
  /** Opens a customer found at Stripe (another desk's): imports them and what the desks shared (consents with checked evidence, methods, charges, refunds, subscriptions). */
  'customers.importFromStripe': def<{ customer: CustomerView; summary: ImportSummary }>()({
    input: z.object({ stripeCustomerId: z.string().trim().regex(/^cus_[A-Za-z0-9]+$/, 'A Stripe customer id (cus_…)') }).strict(),
    role: 'staff',
    mutates: true,
  }),
  /** Name, e-mail, phone and language; the Stripe Customer follows. Consents keep the name as accepted. */
  'customers.update': def<CustomerView>()({
    input: z.object({ customerId: Id, name: PersonName, email: Email, phone: Phone.optional(), language: Language }).strict(),
    role: 'staff',
    mutates: true,
  }),

  // --- terms and consent
  'terms.render': def<RenderedTerms>()({
    input: z.object({ customerId: Id, language: Language, params: MandateParams }).strict(),
    role: 'staff',
    mutates: false,
  }),
  'consents.record': def<ConsentView>()({
    input: z
      .object({
        customerId: Id,
        language: Language,
        params: MandateParams,
        /** SHA-256 of the text the customer was shown; main re-renders and refuses a mismatch. */
        shownSha256: z.string().regex(/^[0-9a-f]{64}$/),
        typedName: PersonName,
        accepted: z.literal(true, { message: 'The customer must accept the terms' }),
        staffConfirmed: z.literal(true, { message: 'The staff member must confirm' }),
        signaturePng: z.string().max(400_000).regex(/^data:image\/png;base64,[A-Za-z0-9+/=]+$/).nullable().optional(),
        timeZone: z.string().max(64).optional(),
        correctsConsentId: Id.optional(),
      })
      .strict(),
    role: 'staff',
    mutates: true,
  }),
  'consents.get': def<ConsentView>()({ input: z.object({ consentId: Id }).strict(), role: 'staff', mutates: false }),
  'consents.withdraw': def<ConsentView>()({
    input: z.object({ consentId: Id, reason: z.string().trim().min(3, 'Give a reason').max(500) }).strict(),
    role: 'manager',
    mutates: true,
  }),
  /** The consent record as accepted, as a PDF in the consent's language (for the customer's copy and for print). */
  'consents.pdf': def<PdfFile>()({ input: z.object({ consentId: Id }).strict(), role: 'staff', mutates: false }),
  'consents.exportEvidence': def<ExportFile>()({ input: z.object({ consentId: Id }).strict(), role: 'manager', mutates: false }),

  // --- setup sessions (Checkout, setup mode)
  'setups.start': def<SetupView>()({ input: z.object({ consentId: Id }).strict(), role: 'staff', mutates: true }),
  'setups.check': def<SetupView>()({ input: z.object({ setupId: Id }).strict(), role: 'staff', mutates: true }),
  'setups.cancel': def<SetupView>()({ input: z.object({ setupId: Id }).strict(), role: 'staff', mutates: true }),
  'setups.reopen': def<SetupView>()({ input: z.object({ setupId: Id }).strict(), role: 'staff', mutates: false }),
  'setups.listOpen': def<SetupView[]>()({ input: Empty, role: 'staff', mutates: false }),

  // --- charges and refunds (managers)
  'charges.create': def<ChargeView>()({
    input: z
      .object({
        customerId: Id,
        consentId: Id,
        paymentMethodId: Id,
        amount: MinorAmount,
        currency: Currency,
        description: z.string().trim().min(1, 'Describe the charge').max(300),
        requestKey: RequestKey,
      })
      .strict(),
    role: 'manager',
    mutates: true,
  }),
  'charges.resolve': def<ChargeView>()({ input: z.object({ chargeId: Id }).strict(), role: 'manager', mutates: true }),
  'charges.receipt': def<ReceiptView>()({ input: z.object({ chargeId: Id }).strict(), role: 'staff', mutates: false }),
  'refunds.create': def<ChargeView>()({
    input: z
      .object({
        chargeId: Id,
        amount: MinorAmount,
        reason: z.enum(['requested_by_customer', 'duplicate', 'fraudulent']),
        note: z.string().trim().max(300).default(''),
        requestKey: RequestKey,
      })
      .strict(),
    role: 'manager',
    mutates: true,
  }),

  /**
   * Answers the charge's dispute in one step: the consent's PDF uploaded as a File (purpose
   * `dispute_evidence`), the consent's summary and terms in the evidence text, submitted to Stripe.
   */
  'disputes.submitEvidence': def<ChargeView>()({ input: z.object({ chargeId: Id }).strict(), role: 'manager', mutates: true }),

  // --- changes made at other desks (Stripe's Events API)
  /**
   * Reads Stripe's events since the last one seen and applies what concerns this desk's customers
   * (also done every 20 s on its own). Each applied change writes its own audit entry.
   */
  'stripeEvents.poll': def<StripeEventsStatus>()({ input: Empty, role: 'staff', mutates: false }),

  // --- subscriptions (managers)
  'prices.list': def<PriceView[]>()({ input: Empty, role: 'manager', mutates: false }),
  'prices.create': def<PriceView>()({
    input: z
      .object({
        productName: z.string().trim().min(1).max(120),
        amount: MinorAmount,
        currency: Currency,
        interval: z.enum(['day', 'week', 'month', 'year']),
        intervalCount: z.number().int().min(1).max(12),
        requestKey: RequestKey,
      })
      .strict(),
    role: 'manager',
    mutates: true,
  }),
  'subscriptions.create': def<SubscriptionView>()({
    input: z.object({ customerId: Id, consentId: Id, paymentMethodId: Id, priceId: Id, requestKey: RequestKey }).strict(),
    role: 'manager',
    mutates: true,
  }),
  'subscriptions.cancel': def<SubscriptionView>()({
    input: z.object({ subscriptionId: Id, atPeriodEnd: z.boolean() }).strict(),
    role: 'manager',
    mutates: true,
  }),
  /** Refreshes the customer's subscriptions from Stripe (renewals, status) and returns them. */
  'subscriptions.refresh': def<SubscriptionView[]>()({ input: z.object({ customerId: Id }).strict(), role: 'manager', mutates: true }),

  // --- audit (managers)
  /**
   * Newest first. One call looks through at most 20,000 entries: `nextBeforeSeq` is where the next
   * page starts (null at the first entry), so a filter that rarely matches pages on instead of
   * reading the whole log at once.
   */
  'audit.list': def<{ entries: AuditEntryView[]; chain: AuditChainStatus; nextBeforeSeq: number | null }>()({
    input: z.object({ filter: SearchAuditFilter.default({}), limit: z.number().int().min(1).max(500).default(100), beforeSeq: z.number().int().positive().optional() }).strict(),
    role: 'manager',
    mutates: false,
  }),
  'audit.export': def<ExportFile>()({
    input: z.object({ filter: SearchAuditFilter.default({}), format: z.enum(['json', 'csv']) }).strict(),
    role: 'manager',
    mutates: false,
  }),

  // --- payments (managers): the shop-wide ledger, read by day file
  /** Newest first; only the day files from `from` to `to` (at most 31 days) are read. */
  'payments.list': def<PaymentsPage>()({
    input: z
      .object({ ...PaymentsFilter, limit: z.number().int().min(1).max(500).default(100), cursor: z.string().max(300).optional() })
      .strict()
      .superRefine(checkRange),
    role: 'manager',
    mutates: false,
  }),
  'payments.export': def<ExportFile>()({
    input: z.object(PaymentsFilter).strict().superRefine(checkRange),
    role: 'manager',
    mutates: false,
  }),

  // --- the desk (managers)
  /** Imports every customer at Stripe, in the background (progress: `rebuild.progress`); resumes an interrupted rebuild. */
  'desk.rebuildFromStripe': def<RebuildStatus>()({ input: Empty, role: 'manager', mutates: true }),
  'desk.rebuildStatus': def<RebuildStatus>()({ input: Empty, role: 'manager', mutates: false }),

  // --- e-mail (SMTP settings: managers; the outbox)
  /** Whether e-mail can be sent (SMTP configured): staff see it to offer "send the link by e-mail". */
  'mail.status': def<{ configured: boolean }>()({ input: Empty, role: 'staff', mutates: false }),
  'mail.settings.get': def<MailSettingsView>()({ input: Empty, role: 'manager', mutates: false }),
  /** `password`: a new password; null removes it; left out keeps the stored one. Never returned. */
  'mail.settings.update': def<MailSettingsView>()({
    input: z
      .object({
        host: SmtpHost,
        port: z.number().int().min(1).max(65_535),
        tls: z.enum(SMTP_TLS_MODES),
        user: z.string().trim().max(254),
        password: z.string().max(500).nullable().optional(),
        fromAddress: z.union([Email, z.literal('')]),
        fromName: z.string().trim().max(120),
        /** PEM text of the certificate(s) to trust; '' or null removes them; left out keeps them. */
        trustedCertificatePem: z.string().max(30_000).nullable().optional(),
        /** Left out keeps the saved choice (off unless a manager turned it on). */
        allowUntrusted: z.boolean().optional(),
      })
      .strict(),
    role: 'manager',
    mutates: true,
  }),
  /** Sends one e-mail now with the saved settings (not through the outbox) and says what the server answered. */
  'mail.test': def<MailTestResult>()({ input: z.object({ to: Email }).strict(), role: 'manager', mutates: true }),
  /** Queues the setup's Checkout link to the customer's e-mail address, in their language. */
  'mail.sendSetupLink': def<OutboxMessageView>()({ input: z.object({ setupId: Id }).strict(), role: 'staff', mutates: true }),
  /** The shop's outbox, newest first; `cursor` is the previous page's `nextCursor`. */
  'outbox.list': def<OutboxPage>()({
    input: z.object({ limit: z.number().int().min(1).max(200).default(50), cursor: z.string().max(100).optional() }).strict(),
    role: 'manager',
    mutates: false,
  }),
  /** One customer's e-mails, newest first. */
  'outbox.forCustomer': def<OutboxMessageView[]>()({ input: z.object({ customerId: Id }).strict(), role: 'staff', mutates: false }),
  /** Queues a failed e-mail again (attempts start over). */
  'outbox.retry': def<OutboxMessageView>()({ input: z.object({ messageId: Id }).strict(), role: 'manager', mutates: true }),

  // --- training mode only (refused with `not_training` against real Stripe)
  'training.advanceClock': def<{ now: string }>()({ input: z.object({ days: z.number().int().min(1).max(400) }).strict(), role: 'manager', mutates: true }),
} as const;

export type Calls = typeof calls;
export type Channel = keyof Calls;
export type CallInput<C extends Channel> = z.input<Calls[C]['input']>;
export type ParsedInput<C extends Channel> = z.output<Calls[C]['input']>;
export type CallOutput<C extends Channel> = NonNullable<Calls[C]['__output']>;
export const CHANNELS = Object.keys(calls) as Channel[];
export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(calls, name);
}

// ---------------------------------------------------------------- results

/** Error codes a renderer can translate; `message` is an English fallback with specifics. */
export const ERROR_CODES = [
  'invalid_input', // zod rejected the input
  'unknown_channel',
  'forbidden_sender',
  'not_signed_in',
  'forbidden_role',
  'locked_out', // too many wrong PINs
  'bad_credentials',
  'not_found',
  'conflict', // e.g. a second setup while one is open
  'consent_required',
  'consent_inactive', // withdrawn / expired / not yet started
  'terms_changed', // shownSha256 does not match what main renders
  'name_mismatch', // typed name does not match the customer
  'amount_not_allowed', // outside the consent's amount rule
  'method_detached',
  'frequency_not_allowed',
  'over_refund',
  'url_not_allowed',
  'not_training',
  'stripe_error',
  'stripe_unreachable',
  'store_error',
  'audit_unavailable', // the call's change WAS made, but its audit entry could not be written
  'changes_paused', // refused: no changes are taken while the audit log cannot be written
  'too_many_attempts', // refused at once: too many sign-in attempts are already waiting
  'mail_not_configured', // no SMTP server is set in Settings
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];
export interface CallError {
  code: ErrorCode;
  /** main's detail in English (logs, audit) */
  message: string;
  /** main's detail in each language it has text for (the renderer shows the UI language's; en is `message`) */
  localized?: Partial<Record<Language, string>>;
  /** field → message, for invalid_input */
  fields?: Record<string, string>;
  stripeCode?: string;
  /** Stripe's own text (English, as Stripe sent it), shown only as a secondary detail labelled as Stripe's */
  stripeMessage?: string;
}
export type Result<T> = { ok: true; data: T } | { ok: false; error: CallError };

// ---------------------------------------------------------------- events main pushes

export interface Events {
  'setup.updated': SetupView;
  'charge.updated': ChargeView;
  'auth.changed': AuthStatus;
  /** The app asked the system browser to open this URL (the bridge mirrors it to the page). */
  'external.opened': { url: string };
  'store.notice': StoreNotice;
  /** Stripe's clock moved against the desk's (the training clock was advanced). */
  'clock.changed': ClockView;
  /** "Rebuild this desk from Stripe" moved on (after each page of customers, and when it ends). */
  'rebuild.progress': RebuildStatus;
  /** An e-mail of the outbox changed state (queued, retrying, sent, failed). */
  'outbox.updated': OutboxMessageView;
  /** Changes made elsewhere (another desk, Stripe) were applied from Stripe's events. */
  'stripe.changed': StripeChanges;
}
export type EventName = keyof Events;
export const EVENT_NAMES: EventName[] = ['setup.updated', 'charge.updated', 'auth.changed', 'external.opened', 'store.notice', 'clock.changed', 'outbox.updated', 'stripe.changed', 'rebuild.progress'];

/** What `window.api` looks like, in Electron (contextBridge) and in the browser bridge alike. */
export interface MandateDeskApi {
  invoke<C extends Channel>(channel: C, input: CallInput<C>): Promise<Result<CallOutput<C>>>;
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
}
