/**
 * What this desk shares at Stripe so any other desk of the shop can charge, check and rebuild from
 * it (docs/ARCHITECTURE.md §6b):
 *
 * - a consent's id, terms version, text SHA-256, language and agreed parameters in the metadata of
 *   the SetupIntent its setup creates (`setupIntentMetadata`, sent with the Checkout Session);
 * - its full evidence — one PDF (the consent as accepted, with the exact terms text and the
 *   consent record as JSON attached) uploaded through the Files API (`dispute_evidence`, which only
 *   takes PDF, JPEG or PNG: hence the JSON inside the PDF), its file id written into the metadata of
 *   the consent's SetupIntents and of the Customer;
 * - a withdrawal, in the same metadata, so every desk refuses further charges.
 *
 * Both writes are durable queued jobs: their state lives in the customer's document (the consent's
 * `stripeEvidence`, the withdrawal's `stripeShare`) and in the index's open work, so start-up finds
 * them without reading any other customer. They run in the background, never blocking the call that
 * queued them, and are retried with backoff until Stripe takes them.
 */
import { createHash } from 'node:crypto';
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFRawStream, PDFString, decodePDFRawStream } from 'pdf-lib';
import type Stripe from 'stripe';
import type { ConsentRecord, CustomerDoc, StripeShareState, WithdrawalRecord } from './data';
import type { CoreEnv } from './env';
import { consentPdfFilename } from './consent-pdf';
import { renderInWorker } from './pdf-thread';
import { consentView } from './views';
import { createPoller, pollIntervalOf } from './poller';

// ---------------------------------------------------------------- metadata (Stripe's limits)

/** Stripe's metadata limits: at most 50 keys, keys up to 40 characters, values up to 500. */
export const METADATA_LIMITS = { keys: 50, keyLength: 40, valueLength: 500 } as const;

/** Keys of what a desk writes on a consent's SetupIntent (all start with `mandate_desk_`). */
export const SHARE_KEYS = {
  consentId: 'mandate_desk_consent_id',
  setupId: 'mandate_desk_setup_id',
  customerId: 'mandate_desk_customer_id',
  termsVersion: 'mandate_desk_terms_version',
  textSha256: 'mandate_desk_text_sha256',
  language: 'mandate_desk_language',
  terminalId: 'mandate_desk_terminal_id',
  acceptedAt: 'mandate_desk_accepted_at',
  evidenceFile: 'mandate_desk_evidence_file',
  withdrawnAt: 'mandate_desk_withdrawn_at',
  withdrawalId: 'mandate_desk_withdrawal_id',
  withdrawnBy: 'mandate_desk_withdrawn_by',
  withdrawalReason: 'mandate_desk_withdrawal_reason',
} as const;
/** The agreed parameters, one key each (`mandate_desk_p_<name>`): a long text is cut at 500 characters, the evidence file has it whole. */
const PARAM_PREFIX = 'mandate_desk_p_';

/** Cuts values to 500 characters, drops keys over 40 and anything past 50 keys (the first ones win). */
export function fitMetadata(entries: Record<string, string | number | null | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, raw] of Object.entries(entries)) {
    if (raw === null || raw === undefined || key.length > METADATA_LIMITS.keyLength) continue;
    if (Object.keys(out).length >= METADATA_LIMITS.keys) break;
    const value = String(raw);
    out[key] = [...value].length > METADATA_LIMITS.valueLength ? `${[...value].slice(0, METADATA_LIMITS.valueLength - 1).join('')}…` : value;
  }
  return out;
}

/** What a consent's SetupIntent carries (and a setup's own ids), within Stripe's limits. */
export function setupIntentMetadata(consent: ConsentRecord, extra: { setupId?: string; evidenceFileId?: string | null } = {}): Record<string, string> {
  const p = consent.params;
  return fitMetadata({
    [SHARE_KEYS.consentId]: consent.id,
    ...(extra.setupId ? { [SHARE_KEYS.setupId]: extra.setupId } : {}),
    [SHARE_KEYS.customerId]: consent.customerId,
    [SHARE_KEYS.termsVersion]: consent.termsVersion,
    [SHARE_KEYS.textSha256]: consent.textSha256,
    [SHARE_KEYS.language]: consent.language,
    [SHARE_KEYS.terminalId]: consent.terminalId,
    [SHARE_KEYS.acceptedAt]: consent.acceptedAtUtc,
    [`${PARAM_PREFIX}frequency`]: p.frequency,
    [`${PARAM_PREFIX}amount_rule`]: p.amountRule,
    [`${PARAM_PREFIX}amount`]: p.amount,
    [`${PARAM_PREFIX}max_amount`]: p.maxAmount,
    [`${PARAM_PREFIX}currency`]: p.currency,
    [`${PARAM_PREFIX}start_date`]: p.startDate,
    [`${PARAM_PREFIX}end_date`]: p.endDate ?? 'none',
    [`${PARAM_PREFIX}purpose`]: p.purpose,
    [`${PARAM_PREFIX}timing`]: p.timing,
    [`${PARAM_PREFIX}cancellation`]: p.cancellationPolicy,
    ...(extra.evidenceFileId ? { [SHARE_KEYS.evidenceFile]: extra.evidenceFileId } : {}),
  });
}

/** A short, fixed-length name for a consent in Customer metadata (a consent id is longer than a key may be). */
function consentTag(consentId: string): string {
  return createHash('sha256').update(consentId).digest('hex').slice(0, 16);
}
/** Customer metadata: `md_ev_<tag>` → `{ c: consentId, f: [fileIds] }`, the evidence of each consent. */
export const customerEvidenceKey = (consentId: string) => `md_ev_${consentTag(consentId)}`;
/** Customer metadata: `md_wd_<tag>` → `{ c: consentId, w: withdrawalId, at }`, each withdrawal. */
export const customerWithdrawalKey = (consentId: string) => `md_wd_${consentTag(consentId)}`;

export interface SharedEvidence { consentId: string; fileIds: string[] }
export interface SharedWithdrawal { consentId: string; withdrawalId: string; at: string; by: string; reason: string }

/** The consents' evidence and withdrawals named in a Customer's metadata (entries that do not parse are ignored). */
export function sharedOnCustomer(metadata: Record<string, string> | null | undefined): { evidence: SharedEvidence[]; withdrawals: SharedWithdrawal[] } {
  const evidence: SharedEvidence[] = [];
  const withdrawals: SharedWithdrawal[] = [];
  for (const [key, value] of Object.entries(metadata ?? {})) {
    try {
      if (key.startsWith('md_ev_')) {
        const v = JSON.parse(value) as { c?: unknown; f?: unknown };
        if (typeof v.c === 'string' && Array.isArray(v.f)) evidence.push({ consentId: v.c, fileIds: v.f.filter((f): f is string => typeof f === 'string') });
      } else if (key.startsWith('md_wd_')) {
        const v = JSON.parse(value) as { c?: unknown; w?: unknown; at?: unknown; by?: unknown; r?: unknown };
        if (typeof v.c === 'string' && typeof v.w === 'string' && typeof v.at === 'string')
          withdrawals.push({ consentId: v.c, withdrawalId: v.w, at: v.at, by: typeof v.by === 'string' ? v.by : '', reason: typeof v.r === 'string' ? v.r : '' });
      }
    } catch {
      // not ours, or cut short: the SetupIntent's metadata still says it
    }
  }
  return { evidence, withdrawals };
}

// ---------------------------------------------------------------- the evidence file

/** The attachment inside the evidence PDF that holds the consent record as JSON. */
export const EVIDENCE_RECORD_NAME = 'consent-record.json';
export const EVIDENCE_TEXT_NAME = 'terms.txt';

/** The consent record as accepted, as it travels in the evidence (without this desk's own bookkeeping). */
export function evidenceRecordOf(consent: ConsentRecord): Omit<ConsentRecord, 'stripeEvidence' | 'origin'> {
  const { stripeEvidence: _state, origin: _origin, ...record } = consent;
  return record;
}

/**
 * The evidence PDF of a consent: the consent PDF as it was at acceptance (so the same consent always
 * gives the same bytes, and a retried upload is the same request) with the record attached as JSON.
 */
export async function evidencePdf(env: Pick<CoreEnv, 'mode' | 'records'>, doc: Readonly<CustomerDoc>, consent: ConsentRecord): Promise<{ bytes: Uint8Array; filename: string }> {
  const shop = env.records.shop.data;
  const acceptedAt = new Date(consent.acceptedAtUtc);
  const asAccepted = { ...doc, withdrawals: [] };
  const input = {
    consent: consentView(asAccepted, consent, acceptedAt),
    shop: { name: shop.settings.shopName, contact: shop.settings.shopContact },
    terminal: { id: consent.terminalId, name: consent.terminalId === shop.terminalId ? shop.settings.terminalName : null },
    mode: env.mode,
    generatedAt: acceptedAt,
  };
  // rendered in the PDF worker thread (pdf-thread.ts): main's event loop stays free
  const bytes = await renderInWorker({
    kind: 'evidence',
    input,
    attachment: { name: EVIDENCE_RECORD_NAME, json: JSON.stringify(evidenceRecordOf(consent), null, 2), description: 'The consent record as accepted (Mandate Desk)', at: acceptedAt },
  });
  return { bytes, filename: consentPdfFilename(consent.id, acceptedAt) };
}

/** The files attached to a PDF (its EmbeddedFiles name tree, one level), by name. */
export async function pdfAttachments(bytes: Uint8Array): Promise<Map<string, Uint8Array>> {
  const pdf = await PDFDocument.load(bytes, { updateMetadata: false });
  const found = new Map<string, Uint8Array>();
  const names = pdf.catalog.lookupMaybe(PDFName.of('Names'), PDFDict);
  const embedded = names?.lookupMaybe(PDFName.of('EmbeddedFiles'), PDFDict);
  const list = embedded?.lookupMaybe(PDFName.of('Names'), PDFArray);
  if (!list) return found;
  for (let i = 0; i + 1 < list.size(); i += 2) {
    const name = list.lookup(i);
    const spec = list.lookup(i + 1);
    if (!(spec instanceof PDFDict) || !(name instanceof PDFString || name instanceof PDFHexString)) continue;
    const stream = spec.lookupMaybe(PDFName.of('EF'), PDFDict)?.lookup(PDFName.of('F'));
    if (stream instanceof PDFRawStream) found.set(name.decodeText(), decodePDFRawStream(stream).decode());
  }
  return found;
}

export const sha256Of = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

/** Downloads a file's contents through the SDK (Stripe serves them from its files host, behind the key). */
export async function downloadStripeFile(stripe: Stripe, fileId: string): Promise<Uint8Array> {
  // `streaming` (as the SDK's own quotes.pdf does): the answer is the response stream, not parsed JSON
  const stream = (await stripe.rawRequest('GET', `/v1/files/${encodeURIComponent(fileId)}/contents`, undefined, {
    apiBase: 'files',
    streaming: true,
  } as Stripe.RawRequestOptions)) as unknown as AsyncIterable<Uint8Array>;
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return new Uint8Array(Buffer.concat(chunks));
}

// ---------------------------------------------------------------- the queued jobs

/** See CoreDeps.shareDelayMs. */
export const DEFAULT_SHARE_DELAY_MS = 0;

/** Backoff after the n-th failed attempt: 5 s, 10 s, 20 s … at most one hour. */
export function retryDelayMs(attempts: number): number {
  return Math.min(3600_000, 5000 * 2 ** Math.max(0, attempts - 1));
}

export const pendingShare = (): StripeShareState => ({ state: 'pending', fileIds: [], attempts: 0, nextAttemptAt: null, lastError: null, doneAt: null });

export interface StripeShare {
  /** Starts a consent's evidence upload in the background (its state must be queued in the same write as the consent). */
  kick(kind: 'evidence' | 'withdrawalShare', id: string): void;
  /** Runs every queued job whose time has come (start-up, the poller, tests); resolves when they are done. */
  runDue(): Promise<void>;
  /** Resolves once no job is running (tests). */
  idle(): Promise<void>;
  startPolling(): void;
  stopPolling(): void;
}

export function createStripeShare(env: CoreEnv): StripeShare {
  const { records, stripe, clock, logger } = env;
  const running = new Map<string, Promise<void>>();

  const due = (work: { kind: string; id: string; customerId: string }) => `${work.kind}:${work.id}`;
  /** When each job may run next, in memory (the document has it too; a restart runs each once at start). */
  const nextAt = new Map<string, number>();

  async function updateSetupIntents(doc: Readonly<CustomerDoc>, consentId: string, metadata: Record<string, string>): Promise<void> {
    const intents = new Set<string>();
    for (const s of doc.setups) if (s.consentId === consentId && s.setupIntentId) intents.add(s.setupIntentId);
    for (const m of doc.savedMethods) if (m.consentId === consentId) intents.add(m.setupIntentId);
    for (const id of intents) await stripe.setupIntents.update(id, { metadata });
  }

  /** Adds keys to the Customer's metadata when they fit in its 50 (the SetupIntents carry them anyway). */
  async function updateCustomerMetadata(stripeCustomerId: string, entries: Record<string, string>): Promise<void> {
    const customer = await stripe.customers.retrieve(stripeCustomerId);
    if ('deleted' in customer && customer.deleted) return;
    const present = new Set(Object.keys(customer.metadata ?? {}));
    const added = Object.keys(entries).filter((k) => !present.has(k)).length;
    if (present.size + added > METADATA_LIMITS.keys) {
      logger.warn('the Stripe customer has no metadata room left; the SetupIntent carries it', { stripeCustomerId });
      return;
    }
    await stripe.customers.update(stripeCustomerId, { metadata: fitMetadata(entries) });
  }

  async function uploadEvidence(customerId: string, consentId: string): Promise<void> {
    let doc = await records.requireCustomer(customerId);
    let consent = doc.consents.find((c) => c.id === consentId);
    if (!consent?.stripeEvidence || consent.stripeEvidence.state === 'uploaded') return;
    let fileIds = consent.stripeEvidence.fileIds;
    if (fileIds.length === 0) {
      const { bytes, filename } = await evidencePdf(env, doc, consent);
      // the same consent gives the same bytes: a retry after a lost answer is a replay, not a second file
      const file = await stripe.files.create(
        { purpose: 'dispute_evidence', file: { data: Buffer.from(bytes), name: filename, type: 'application/pdf' } },
        { idempotencyKey: `evidence-${consentId}-${sha256Of(bytes).slice(0, 16)}` },
      );
      fileIds = [file.id];
      // kept at once, so a later failure never uploads it again
      await records.updateCustomer(customerId, (draft) => {
        const c = draft.consents.find((x) => x.id === consentId)!;
        c.stripeEvidence = { ...c.stripeEvidence!, fileIds };
      });
      doc = await records.requireCustomer(customerId);
      consent = doc.consents.find((c) => c.id === consentId)!;
    }
    await updateSetupIntents(doc, consentId, setupIntentMetadata(consent, { evidenceFileId: fileIds[0] }));
    await updateCustomerMetadata(consent.stripeCustomerId, { [customerEvidenceKey(consentId)]: JSON.stringify({ c: consentId, f: fileIds }) });
    const doneAt = clock.now().toISOString();
    await records.updateCustomer(customerId, (draft) => {
      const c = draft.consents.find((x) => x.id === consentId)!;
      c.stripeEvidence = { ...c.stripeEvidence!, state: 'uploaded', attempts: c.stripeEvidence!.attempts + 1, nextAttemptAt: null, lastError: null, doneAt };
    });
  }

  async function shareWithdrawal(customerId: string, withdrawalId: string): Promise<void> {
    const doc = await records.requireCustomer(customerId);
    const withdrawal = doc.withdrawals.find((w) => w.id === withdrawalId);
    if (!withdrawal?.stripeShare || withdrawal.stripeShare.state === 'uploaded') return;
    await updateSetupIntents(doc, withdrawal.consentId, withdrawalMetadata(withdrawal));
    await updateCustomerMetadata(doc.customer.stripeCustomerId, {
      [customerWithdrawalKey(withdrawal.consentId)]: JSON.stringify({ c: withdrawal.consentId, w: withdrawal.id, at: withdrawal.at, by: withdrawal.by.name, r: withdrawal.reason.slice(0, 300) }),
    });
    const doneAt = clock.now().toISOString();
    await records.updateCustomer(customerId, (draft) => {
      const w = draft.withdrawals.find((x) => x.id === withdrawalId)!;
      w.stripeShare = { ...w.stripeShare!, state: 'uploaded', attempts: w.stripeShare!.attempts + 1, nextAttemptAt: null, lastError: null, doneAt };
    });
  }

  /** Records a failed attempt and when the next one is due. */
  async function noteFailure(kind: 'evidence' | 'withdrawalShare', customerId: string, id: string, error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    logger.warn('sharing with Stripe failed; will try again', { kind, id, error: message });
    const now = clock.now().getTime();
    await records.updateCustomer(customerId, (draft) => {
      const record = kind === 'evidence' ? draft.consents.find((c) => c.id === id) : draft.withdrawals.find((w) => w.id === id);
      const state = record && ('stripeEvidence' in record ? record.stripeEvidence : (record as WithdrawalRecord).stripeShare);
      if (!record || !state || state.state === 'uploaded') return;
      const attempts = state.attempts + 1;
      const next: StripeShareState = { ...state, state: 'failed', attempts, nextAttemptAt: new Date(now + retryDelayMs(attempts)).toISOString(), lastError: message.slice(0, 500) };
      if (kind === 'evidence') (record as ConsentRecord).stripeEvidence = next;
      else (record as WithdrawalRecord).stripeShare = next;
      nextAt.set(`${kind}:${id}`, now + retryDelayMs(attempts));
    });
  }

  function run(kind: 'evidence' | 'withdrawalShare', id: string): Promise<void> {
    const key = `${kind}:${id}`;
    const existing = running.get(key);
    if (existing) return existing;
    const customerId = records.index.ownerOf(id);
    if (!customerId) return Promise.resolve();
    const job = (async () => {
      try {
        await (kind === 'evidence' ? uploadEvidence(customerId, id) : shareWithdrawal(customerId, id));
        nextAt.delete(key);
      } catch (error) {
        await noteFailure(kind, customerId, id, error).catch((e) => logger.warn('could not record a failed share', { id, error: String(e) }));
      }
    })().finally(() => running.delete(key));
    running.set(key, job);
    return job;
  }

  const queued = () => records.index.openWork().filter((w) => w.kind === 'evidence' || w.kind === 'withdrawalShare');
  const isDue = (work: { kind: string; id: string; customerId: string }) => (nextAt.get(due(work)) ?? 0) <= clock.now().getTime();

  const poller = createPoller({
    intervalMs: pollIntervalOf(env.pollIntervalMs),
    waiting: () => queued().filter(isDue).map(due),
    refresh: (key) => {
      const [kind, id] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
      return run(kind as 'evidence' | 'withdrawalShare', id);
    },
    onError: (key, error) => logger.warn('sharing with Stripe failed', { key, error: String(error) }),
  });

  return {
    kick(kind, id) {
      const delay = kind === 'evidence' ? (env.shareDelayMs ?? DEFAULT_SHARE_DELAY_MS) : 0;
      const go = () => void run(kind, id).then(() => poller.wake());
      if (delay <= 0) return go();
      nextAt.set(`${kind}:${id}`, clock.now().getTime() + delay);
      setTimeout(() => {
        nextAt.delete(`${kind}:${id}`);
        go();
      }, delay).unref();
    },
    async runDue() {
      // the document's nextAttemptAt counts too (after a restart, memory is empty)
      const work = queued().filter(isDue);
      await Promise.all(
        work.map(async (w) => {
          const doc = await records.customer(w.customerId);
          const record = w.kind === 'evidence' ? doc?.consents.find((c) => c.id === w.id)?.stripeEvidence : doc?.withdrawals.find((x) => x.id === w.id)?.stripeShare;
          if (record?.nextAttemptAt && Date.parse(record.nextAttemptAt) > clock.now().getTime() && !nextAt.has(due(w))) {
            nextAt.set(due(w), Date.parse(record.nextAttemptAt));
            return;
          }
          await run(w.kind as 'evidence' | 'withdrawalShare', w.id);
        }),
      );
      poller.wake();
    },
    async idle() {
      while (running.size > 0) await Promise.all([...running.values()]);
    },
    startPolling: poller.start,
    stopPolling: poller.stop,
  };
}

/** What a withdrawn consent's SetupIntents carry: when, which record, by whom, why (cut to fit). */
export function withdrawalMetadata(withdrawal: WithdrawalRecord): Record<string, string> {
  return fitMetadata({
    [SHARE_KEYS.withdrawnAt]: withdrawal.at,
    [SHARE_KEYS.withdrawalId]: withdrawal.id,
    [SHARE_KEYS.withdrawnBy]: withdrawal.by.name,
    [SHARE_KEYS.withdrawalReason]: withdrawal.reason,
  });
}
