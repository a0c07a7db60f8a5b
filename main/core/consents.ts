/**
 * Terms and consent. `consents.record` is the only code that writes a ConsentRecord, and it only
 * ever appends: records are immutable; a correction is a new record pointing at the old one, and a
 * withdrawal is a separate record (withdrawal.ts).
 */
import type { Language, MandateParams } from '../../preload/contract';
import type { ConsentRecord, CustomerRecord, ShopData } from './data';
import type { Handlers } from './dispatch';
import type { CoreEnv } from './env';
import { AppError } from './errors';
import { sameName } from './customers';
import { pendingShare } from './stripe-share';
import { renderTerms } from './terms';
import { consentView } from './views';

/** The terms as main renders them for this customer and shop right now. */
function termsFor(data: Readonly<ShopData>, customer: CustomerRecord, language: Language, params: MandateParams) {
  return renderTerms({
    language,
    shop: { name: data.settings.shopName, contact: data.settings.shopContact },
    customer: { name: customer.name, email: customer.email },
    params,
    terminalName: data.settings.terminalName,
  });
}

/** The machine's own time zone (IANA name), used when the renderer does not say. */
function machineTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

function assertTimeZone(timeZone: string): void {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    throw new AppError('invalid_input', `Unknown time zone "${timeZone}".`, { fields: { timeZone: 'Unknown time zone' } });
  }
}

/**
 * `at` as local ISO 8601 with the zone's offset at that moment, e.g. `2026-11-27T22:10:05.123+09:00`.
 */
export function localIsoWithOffset(at: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  const wallClockAsUtc = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second);
  const offsetMinutes = Math.round((wallClockAsUtc - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  const ms = String(at.getUTCMilliseconds()).padStart(3, '0');
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}.${ms}${offset}`;
}

export interface ConsentHooks {
  /** The consent is on disk with its evidence upload queued: start it (in the background). */
  recorded?(consentId: string): void;
}

export function consentHandlers(env: CoreEnv, hooks: ConsentHooks = {}): Pick<Handlers, 'terms.render' | 'consents.record' | 'consents.get'> {
  const { records, clock } = env;
  const shop = () => records.shop.data;

  return {
    async 'terms.render'({ customerId, language, params }) {
      const { customer } = await records.requireCustomer(customerId);
      return termsFor(shop(), customer, language, params);
    },

    async 'consents.record'(input, ctx) {
      if (!ctx.actor) throw new AppError('not_signed_in', 'Sign in first.');
      const doc = await records.requireCustomer(input.customerId);
      const { customer } = doc;
      if (input.correctsConsentId !== undefined && !doc.consents.some((c) => c.id === input.correctsConsentId))
        throw new AppError('not_found', `There is no consent ${input.correctsConsentId} of this customer to correct.`);
      const terms = termsFor(shop(), customer, input.language, input.params);
      if (terms.sha256 !== input.shownSha256)
        throw new AppError('terms_changed', 'The terms changed since they were shown (shop details, customer or parameters). Show them again and ask the customer to accept the new text.');
      if (!sameName(input.typedName, customer.name))
        throw new AppError('name_mismatch', `The typed name does not match the customer's name "${customer.name}".`);
      const timeZone = input.timeZone ?? machineTimeZone();
      assertTimeZone(timeZone);

      const now = clock.now();
      const record: ConsentRecord = {
        id: records.newId('consent', customer.id),
        customerId: customer.id,
        stripeCustomerId: customer.stripeCustomerId,
        termsVersion: terms.version,
        language: terms.language,
        title: terms.title,
        text: terms.text,
        textSha256: terms.sha256,
        params: input.params,
        typedName: input.typedName,
        signaturePng: input.signaturePng ?? null,
        acceptedAtUtc: now.toISOString(),
        acceptedAtLocal: localIsoWithOffset(now, timeZone),
        timeZone,
        witnessedBy: { staffId: ctx.actor.id, name: ctx.actor.name },
        terminalId: shop().terminalId,
        correctsConsentId: input.correctsConsentId ?? null,
        // its evidence goes to Stripe in the background, queued in this same write (stripe-share.ts)
        stripeEvidence: pendingShare(),
      };
      // The store's journal is fsynced before this resolves: the consent is on disk before anything can rely on it.
      const saved = await records.updateCustomer(customer.id, (draft) => {
        draft.consents.push(record);
        return draft;
      });
      hooks.recorded?.(record.id);
      return consentView(saved, record, now);
    },

    async 'consents.get'({ consentId }) {
      const doc = await records.ownerDoc(consentId, 'consent');
      const record = doc.consents.find((c) => c.id === consentId);
      if (!record) throw new AppError('not_found', `There is no consent with id ${consentId}.`);
      return consentView(doc, record, clock.now());
    },
  };
}
