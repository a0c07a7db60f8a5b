/**
 * What the local store keeps: the shape of each file (zod, checked on every load and write) and its
 * migrations. Records mirror the contract's views; views add what is joined at read time.
 */
import { z } from 'zod';
import { CURRENCIES, LANGUAGES, MAIL_KINDS, SETUP_EXPIRY_MINUTES, SETUP_FINISH_ON, StoredMandateParams } from '../../preload/contract';

const Iso = z.string(); // ISO 8601 timestamps, written by the clock
const Actor = z.object({ staffId: z.string(), name: z.string() });
const Failure = z.object({ code: z.string(), message: z.string() }).nullable();
const Currency = z.enum(CURRENCIES);
const Language = z.enum(LANGUAGES);
/**
 * Where a record came from when it was not made at this desk (absent: made here, and in older
 * files): learnt from Stripe, either imported from what another desk shared there (stripe-import.ts,
 * `via` absent or `import`) or from Stripe's events (stripe-events.ts, `via: 'events'`). `terminalId`
 * is the desk that made it (from the metadata), `recordId` its id for it there, `importedAt` when
 * this desk learnt of it. The one marker of a charge or refund made elsewhere.
 */
export const RecordOrigin = z.object({
  source: z.literal('stripe'),
  importedAt: Iso,
  terminalId: z.string().nullable().optional(),
  via: z.enum(['import', 'events']).optional(),
  recordId: z.string().nullable().optional(),
});
export type RecordOrigin = z.infer<typeof RecordOrigin>;
/**
 * A write to Stripe that waits in the customer's document until it is done (stripe-share.ts):
 * queued when the record is written, retried with backoff, never blocking the call that made it.
 */
export const StripeShareState = z.object({
  state: z.enum(['pending', 'uploaded', 'failed']),
  /** Files API ids of the evidence (empty until uploaded; unused for a withdrawal). */
  fileIds: z.array(z.string()),
  attempts: z.number().int().nonnegative(),
  nextAttemptAt: Iso.nullable(),
  lastError: z.string().nullable(),
  doneAt: Iso.nullable(),
});
export type StripeShareState = z.infer<typeof StripeShareState>;

export const StaffRecord = z.object({
  id: z.string(),
  name: z.string(),
  role: z.enum(['staff', 'manager']),
  active: z.boolean(),
  /** scrypt(pin, salt), hex; the PIN itself is never stored. */
  pinHash: z.string(),
  pinSalt: z.string(),
  failedAttempts: z.number().int(),
  lockedUntil: Iso.nullable(),
  createdAt: Iso,
});

export const CustomerRecord = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  phone: z.string(),
  language: Language,
  stripeCustomerId: z.string(),
  createdAt: Iso,
  createdBy: Actor,
  origin: RecordOrigin.optional(),
});

/** Immutable: written once when the customer accepts, never edited or deleted. */
export const ConsentRecord = z.object({
  id: z.string(),
  customerId: z.string(),
  stripeCustomerId: z.string(),
  termsVersion: z.string(),
  language: Language,
  title: z.string(),
  text: z.string(),
  textSha256: z.string(),
  params: StoredMandateParams,
  typedName: z.string(),
  signaturePng: z.string().nullable(),
  acceptedAtUtc: Iso,
  acceptedAtLocal: z.string(),
  timeZone: z.string(),
  witnessedBy: Actor,
  terminalId: z.string(),
  correctsConsentId: z.string().nullable(),
  origin: RecordOrigin.optional(),
  /**
   * The one part that changes after acceptance: how far sharing the evidence with Stripe got
   * (metadata and the evidence PDF through the Files API). The accepted text and terms never change.
   */
  stripeEvidence: StripeShareState.optional(),
});

/** Withdrawal of a consent: a separate record, so the consent itself is never edited. */
export const WithdrawalRecord = z.object({
  id: z.string(),
  consentId: z.string(),
  at: Iso,
  by: Actor,
  reason: z.string(),
  origin: RecordOrigin.optional(),
  /** Recording the withdrawal at Stripe (SetupIntent and Customer metadata), so every desk refuses charges. */
  stripeShare: StripeShareState.optional(),
});

export const SetupRecord = z.object({
  id: z.string(),
  customerId: z.string(),
  consentId: z.string(),
  checkoutSessionId: z.string(),
  url: z.string().nullable(),
  status: z.enum(['open', 'succeeded', 'failed', 'expired', 'canceled']),
  expiresAt: Iso,
  createdAt: Iso,
  createdBy: Actor,
  finishedAt: Iso.nullable(),
  setupIntentId: z.string().nullable(),
  paymentMethodId: z.string().nullable(),
  mandateId: z.string().nullable(),
  failure: Failure,
  origin: RecordOrigin.optional(),
});

export const SavedMethodRecord = z.object({
  paymentMethodId: z.string(),
  type: z.literal('amazon_pay'),
  customerId: z.string(),
  consentId: z.string(),
  setupId: z.string(),
  setupIntentId: z.string(),
  mandateId: z.string().nullable(),
  savedAt: Iso,
  detachedAt: Iso.nullable(),
  // Added later (absent in older files): what Stripe's PaymentMethod says a person recognises it by.
  billingEmail: z.string().nullable().optional(),
  billingName: z.string().nullable().optional(),
  origin: RecordOrigin.optional(),
  /** Added later: true when Stripe reported the method detached by someone else (another desk, the Dashboard). */
  detachedElsewhere: z.boolean().optional(),
});

/**
 * The old second marker of a charge or refund made at another desk (`fromOtherDesk`, written by the
 * events poller before `origin` said it): read from older files and journals, turned into `origin`
 * (`via: 'events'`) as the record is parsed, never written any more.
 */
export const OtherDeskOrigin = z.object({ terminalId: z.string().nullable(), recordId: z.string().nullable(), seenAt: Iso });

/** A stored charge or refund as older versions wrote it → today's: `fromOtherDesk` becomes `origin`. */
export function withOneOrigin(raw: unknown, ctx?: { addIssue(issue: { code: 'custom'; message: string; path: string[] }): void }): unknown {
  if (typeof raw !== 'object' || raw === null || !('fromOtherDesk' in raw)) return raw;
  const { fromOtherDesk, ...record } = raw as Record<string, unknown> & { origin?: unknown };
  if (fromOtherDesk === undefined) return record;
  const old = OtherDeskOrigin.safeParse(fromOtherDesk);
  if (!old.success) {
    // not the old shape: refused (a record is never read with part of it dropped)
    ctx?.addIssue({ code: 'custom', message: 'fromOtherDesk is not a record origin', path: ['fromOtherDesk'] });
    return raw;
  }
  if (record.origin === undefined) record.origin = { source: 'stripe', importedAt: old.data.seenAt, terminalId: old.data.terminalId, via: 'events', recordId: old.data.recordId };
  return record;
}

/** A dispute (chargeback) on a charge, as Stripe last reported it, plus what this desk answered. Added later. */
export const DisputeRecord = z.object({
  id: z.string(),
  /** Stripe's status: needs_response, warning_needs_response, under_review, warning_under_review, won, lost, warning_closed, prevented. */
  status: z.string(),
  reason: z.string(),
  amount: z.number().int().nonnegative(),
  currency: Currency,
  openedAt: Iso,
  /** `evidence_details.due_by`: the last moment evidence is accepted (null when Stripe gives none). */
  dueBy: Iso.nullable(),
  pastDue: z.boolean(),
  submissionCount: z.number().int().nonnegative(),
  /** What this desk submitted (null: nothing yet, or it was submitted elsewhere). */
  evidence: z.object({ submittedAt: Iso, submittedBy: Actor, fileId: z.string(), consentId: z.string() }).nullable(),
});

export const ChargeRecord = z.preprocess(withOneOrigin, z.object({
  id: z.string(),
  customerId: z.string(),
  consentId: z.string(),
  paymentMethodId: z.string(),
  amount: z.number().int().positive(),
  currency: Currency,
  description: z.string(),
  status: z.enum(['pending', 'processing', 'succeeded', 'declined', 'unavailable', 'action_required', 'failed']),
  /** Stored (fsynced) before the PaymentIntent request goes out; every retry reuses it. */
  idempotencyKey: z.string(),
  /** The renderer's key for this intent of the manager: a repeat of the same request finds this record. */
  requestKey: z.string(),
  paymentIntentId: z.string().nullable(),
  failure: Failure,
  createdAt: Iso,
  finishedAt: Iso.nullable(),
  createdBy: Actor,
  subscriptionId: z.string().nullable(),
  /** The human receipt number (`<terminal>-000123`), given once, when the charge succeeds or its receipt is first made; never changed. Absent in older files. */
  receiptNumber: z.string().optional(),
  /** The dispute on this charge, if one was opened (absent in older files: none). */
  dispute: DisputeRecord.optional(),
  /** Made elsewhere and learnt from Stripe (absent: made here); older files said it in `fromOtherDesk` too. */
  origin: RecordOrigin.optional(),
  /** The terminal the charge was made at (absent in older files: this desk). */
  terminalId: z.string().optional(),
}));

export const RefundRecord = z.preprocess(withOneOrigin, z.object({
  id: z.string(),
  chargeId: z.string(),
  amount: z.number().int().positive(),
  currency: Currency,
  reason: z.enum(['requested_by_customer', 'duplicate', 'fraudulent']),
  note: z.string(),
  status: z.enum(['pending', 'processing', 'succeeded', 'failed']),
  idempotencyKey: z.string(),
  /**
   * The exact parameters sent with `idempotencyKey`, stored with the record before the first send,
   * so a replay is the same request whatever this code computes now (Stripe refuses a key with other
   * parameters). Absent on refunds made before it was kept: see charges.ts `settleRefund`.
   */
  request: z
    .object({
      payment_intent: z.string(),
      amount: z.number().int().positive(),
      reason: z.enum(['requested_by_customer', 'duplicate', 'fraudulent']),
      metadata: z.record(z.string(), z.string()),
    })
    .optional(),
  requestKey: z.string(),
  stripeRefundId: z.string().nullable(),
  failure: Failure,
  createdAt: Iso,
  createdBy: Actor,
  /** Made elsewhere and learnt from Stripe (absent: made here); older files said it in `fromOtherDesk` too. */
  origin: RecordOrigin.optional(),
}));

/**
 * An e-mail a record owes its customer (the copy of accepted terms, a receipt): written in the same
 * commit as the consent, charge or refund it is about, so a crash right after that commit cannot
 * lose it; `owed` until the outbox holds the message (main/core/mail.ts), then `queued`. `skipped`
 * when there was nothing to send it to (the customer has no e-mail address). Added later: older
 * documents have none, and what they hold is never e-mailed.
 */
export const MailOwedRecord = z.object({
  /** `<kind>:<ref>`: one per kind and record. */
  id: z.string(),
  kind: z.enum(MAIL_KINDS),
  /** The consent, charge or refund id. */
  ref: z.string(),
  state: z.enum(['owed', 'queued', 'skipped']),
  owedAt: Iso,
  doneAt: Iso.nullable(),
  /** The outbox message (its id is derived from kind and ref). */
  outboxId: z.string().nullable(),
});

export const PriceRecord = z.object({
  id: z.string(), // Stripe price id
  productId: z.string(),
  productName: z.string(),
  amount: z.number().int().positive(),
  currency: Currency,
  interval: z.enum(['day', 'week', 'month', 'year']),
  intervalCount: z.number().int().positive(),
  requestKey: z.string(),
  createdAt: Iso,
});

export const SubscriptionRecord = z.object({
  id: z.string(),
  stripeSubscriptionId: z.string().nullable(),
  customerId: z.string(),
  consentId: z.string(),
  paymentMethodId: z.string(),
  priceId: z.string(),
  status: z.string(),
  idempotencyKey: z.string(),
  requestKey: z.string(),
  currentPeriodEnd: Iso.nullable(),
  cancelAtPeriodEnd: z.boolean(),
  canceledAt: Iso.nullable(),
  createdAt: Iso,
  createdBy: Actor,
  payments: z.array(
    z.object({ invoiceId: z.string(), amount: z.number().int(), currency: Currency, status: z.string(), paidAt: Iso.nullable() }),
  ),
  origin: RecordOrigin.optional(),
});

export const SettingsRecord = z.object({
  shopName: z.string(),
  shopContact: z.string(),
  defaultCurrency: Currency,
  defaultLanguage: Language,
  idleLockMinutes: z.number().int(),
  terminalName: z.string(),
  // Added after version 1 was released: a file without them reads as the defaults.
  setupFinishOn: z.enum(SETUP_FINISH_ON).default('this_computer'),
  setupExpiryMinutes: z.number().int().default(SETUP_EXPIRY_MINUTES.default),
  shopWebPage: z.string().default(''),
  // added after version 1 was released: files written before them read as the defaults
  taxRatePercent: z.number().int().min(0).max(100).default(10),
  invoiceRegistrationNumber: z.string().default(''),
});

export type StaffRecord = z.infer<typeof StaffRecord>;
export type CustomerRecord = z.infer<typeof CustomerRecord>;
export type ConsentRecord = z.infer<typeof ConsentRecord>;
export type WithdrawalRecord = z.infer<typeof WithdrawalRecord>;
export type SetupRecord = z.infer<typeof SetupRecord>;
export type SavedMethodRecord = z.infer<typeof SavedMethodRecord>;
export type ChargeRecord = z.infer<typeof ChargeRecord>;
export type RefundRecord = z.infer<typeof RefundRecord>;
export type PriceRecord = z.infer<typeof PriceRecord>;
export type SubscriptionRecord = z.infer<typeof SubscriptionRecord>;
export type SettingsRecord = z.infer<typeof SettingsRecord>;
export type DisputeRecord = z.infer<typeof DisputeRecord>;
export type OtherDeskOrigin = z.infer<typeof OtherDeskOrigin>;
export type MailOwedRecord = z.infer<typeof MailOwedRecord>;

/**
 * The shop's own small document (`shop.json`): the terminal, its settings, staff and prices.
 * Rewritten whole on each change: it stays small whatever the number of customers.
 */
export const SHOP_DATA_VERSION = 1;
export const ShopData = z.object({
  schemaVersion: z.literal(SHOP_DATA_VERSION),
  terminalId: z.string(),
  settings: SettingsRecord,
  staff: z.array(StaffRecord),
  prices: z.array(PriceRecord),
  /** The last receipt number this terminal gave (absent in older files: none given yet). */
  receiptCounter: z.number().int().nonnegative().optional(),
  /**
   * "Rebuild this desk from Stripe" (stripe-rebuild.ts): where the walk through Stripe's customers
   * stands, so a crash resumes after the last customer imported. Absent: never started.
   */
  stripeRebuild: z
    .object({
      startedAt: Iso,
      finishedAt: Iso.nullable(),
      /** The last Stripe customer id fully imported (the list's `starting_after`), null before the first. */
      cursor: z.string().nullable(),
      /** Stripe customers counted before the walk (Stripe's lists give no total). */
      total: z.number().int().nonnegative().nullable(),
      done: z.number().int().nonnegative(),
      failed: z.number().int().nonnegative(),
      lastError: z.string().nullable(),
    })
    .optional(),
});
export type ShopData = z.infer<typeof ShopData>;
export const shopDataMigrations = {};

/**
 * One customer's document (`customers/docs/<shard>/<id>.json`): the customer and everything that
 * belongs to them. A change journals only the records that changed (main/store/document-store.ts).
 */
export const CUSTOMER_DOC_VERSION = 1;
export const CustomerDoc = z.object({
  schemaVersion: z.literal(CUSTOMER_DOC_VERSION),
  rev: z.number().int().nonnegative(),
  customer: CustomerRecord,
  consents: z.array(ConsentRecord),
  withdrawals: z.array(WithdrawalRecord),
  setups: z.array(SetupRecord),
  savedMethods: z.array(SavedMethodRecord),
  charges: z.array(ChargeRecord),
  refunds: z.array(RefundRecord),
  subscriptions: z.array(SubscriptionRecord),
  /** E-mail owed by the records above (absent in older documents: none). */
  mail: z.array(MailOwedRecord).optional(),
});
export type CustomerDoc = z.infer<typeof CustomerDoc>;
export const customerDocMigrations = {};
/** The key of each record list in a customer's document (records are never removed, only added or replaced). */
export const CUSTOMER_DOC_KEYS = {
  consents: (r: ConsentRecord) => r.id,
  withdrawals: (r: WithdrawalRecord) => r.id,
  setups: (r: SetupRecord) => r.id,
  savedMethods: (r: SavedMethodRecord) => r.paymentMethodId,
  charges: (r: ChargeRecord) => r.id,
  refunds: (r: RefundRecord) => r.id,
  subscriptions: (r: SubscriptionRecord) => r.id,
  mail: (r: MailOwedRecord) => r.id,
};
/** The record lists of a customer's document (the e-mail it owes is this desk's bookkeeping, not a record). */
export const CUSTOMER_DOC_LISTS = ['consents', 'withdrawals', 'setups', 'savedMethods', 'charges', 'refunds', 'subscriptions'] as const satisfies ReadonlyArray<keyof typeof CUSTOMER_DOC_KEYS>;
/** What a journaled change of each field is parsed with: a list's element, or the field itself. */
export const CUSTOMER_DOC_FIELDS: Record<string, z.ZodType> = {
  schemaVersion: CustomerDoc.shape.schemaVersion,
  customer: CustomerRecord,
  consents: ConsentRecord,
  withdrawals: WithdrawalRecord,
  setups: SetupRecord,
  savedMethods: SavedMethodRecord,
  charges: ChargeRecord,
  refunds: RefundRecord,
  subscriptions: SubscriptionRecord,
  mail: MailOwedRecord,
};

export function defaultSettings(): SettingsRecord {
  return {
    shopName: 'My Shop',
    shopContact: 'Shop contact not set',
    defaultCurrency: 'eur',
    defaultLanguage: 'en',
    idleLockMinutes: 10,
    terminalName: 'Counter 1',
    setupFinishOn: 'this_computer',
    setupExpiryMinutes: SETUP_EXPIRY_MINUTES.default,
    shopWebPage: '',
    taxRatePercent: 10,
    invoiceRegistrationNumber: '',
  };
}

export function defaultShopData(terminalId: string): ShopData {
  return { schemaVersion: SHOP_DATA_VERSION, terminalId, settings: defaultSettings(), staff: [], prices: [] };
}

export function emptyCustomerDoc(customer: CustomerRecord): CustomerDoc {
  return { schemaVersion: CUSTOMER_DOC_VERSION, rev: 0, customer, consents: [], withdrawals: [], setups: [], savedMethods: [], charges: [], refunds: [], subscriptions: [] };
}

/**
 * What versions up to 0.1 kept in one file (`mandate-desk.json`), rewritten whole on every change.
 * Read once, by the migration to the layout above (store-migration.ts).
 */
export const LEGACY_APP_DATA_VERSION = 1;
export const LegacyAppData = z.object({
  schemaVersion: z.literal(LEGACY_APP_DATA_VERSION),
  terminalId: z.string(),
  settings: SettingsRecord,
  staff: z.array(StaffRecord),
  customers: z.array(CustomerRecord),
  consents: z.array(ConsentRecord),
  withdrawals: z.array(WithdrawalRecord),
  setups: z.array(SetupRecord),
  savedMethods: z.array(SavedMethodRecord),
  charges: z.array(ChargeRecord),
  refunds: z.array(RefundRecord),
  prices: z.array(PriceRecord),
  subscriptions: z.array(SubscriptionRecord),
});
export type LegacyAppData = z.infer<typeof LegacyAppData>;

/** The audit trail: its own file, append-only, each entry chained to the previous by hash. */
export const AuditRecord = z.object({
  seq: z.number().int().positive(),
  at: Iso,
  actor: z.object({ staffId: z.string(), name: z.string(), role: z.enum(['staff', 'manager']) }).nullable(),
  action: z.string(),
  outcome: z.enum(['ok', 'refused', 'error']),
  customerId: z.string().nullable(),
  summary: z.string(),
  details: z.record(z.string(), z.unknown()),
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditRecord = z.infer<typeof AuditRecord>;
/** The version-1 audit file (`audit.json`, one document) and its head file: read once, by the migration. */
export const LegacyAuditData = z.object({ schemaVersion: z.literal(1), entries: z.array(AuditRecord) });
export type LegacyAuditData = z.infer<typeof LegacyAuditData>;
export const LegacyAuditHeadData = z.object({ schemaVersion: z.literal(1), head: z.object({ seq: z.number().int().positive(), hash: z.string() }).nullable() });
