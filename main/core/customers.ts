/**
 * Customers: local search (name, e-mail, phone) plus a Stripe search by e-mail that finds customers
 * another terminal created, and find-or-create of the Stripe Customer behind each local record.
 */
import Stripe from 'stripe';
import type { CustomerRecord } from './data';
import type { Handlers } from './dispatch';
import type { CoreEnv } from './env';
import { AppError } from './errors';
import { customerDetail, customerView } from './views';
import type { StripeCustomerHit } from '../../preload/contract';

/** Metadata key at Stripe that points back to our local customer id. */
export const LOCAL_ID_METADATA_KEY = 'mandate_desk_customer_id';

/** How text is stored: NFKC (full-width Latin → ASCII, half-width kana → full-width), trimmed, single spaces. */
export function normalizeText(text: string): string {
  return text.normalize('NFKC').trim().replace(/\s+/g, ' ');
}

/** How text is compared: normalized and case-folded. */
export function foldForMatch(text: string): string {
  return normalizeText(text).toLowerCase();
}

/** True when two personal names are the same person's name as typed (NFKC, spaces, case ignored). */
export function sameName(a: string, b: string): boolean {
  return foldForMatch(a) === foldForMatch(b);
}

function digitsOf(text: string): string {
  return text.normalize('NFKC').replace(/\D/g, '');
}

const EMAIL_LIKE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE_LIKE = /^[+0-9 ()-]+$/;
/** A phone query needs this many digits, so "1" does not match every number. */
const MIN_PHONE_DIGITS = 3;

/** A Stripe search clause matching one e-mail exactly; quotes and backslashes escaped. */
export function stripeEmailQuery(email: string): string {
  return `email:'${email.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** A match test for one search text, folded once for the whole customer list. */
function localMatcher(query: string): (record: CustomerRecord) => boolean {
  const folded = foldForMatch(query);
  const digits = PHONE_LIKE.test(folded) ? digitsOf(folded) : '';
  return (record) =>
    foldForMatch(record.name).includes(folded) ||
    record.email.includes(folded) ||
    (digits.length >= MIN_PHONE_DIGITS && digitsOf(record.phone).includes(digits));
}

export function customerHandlers(env: CoreEnv): Pick<Handlers, 'customers.search' | 'customers.create' | 'customers.get'> {
  const { store, stripe, ids, clock, logger } = env;

  async function searchStripeByEmail(email: string): Promise<Stripe.Customer[]> {
    const result = await stripe.customers.search({ query: stripeEmailQuery(email), limit: 10 });
    return result.data;
  }

  return {
    async 'customers.search'({ query }) {
      const text = query.normalize('NFKC').trim();
      const local = store.data.customers
        .filter(localMatcher(text))
        .sort((a, b) => a.name.localeCompare(b.name))
        .map(customerView);

      const stripeOnly: StripeCustomerHit[] = [];
      if (EMAIL_LIKE.test(text)) {
        let hits: Stripe.Customer[] = [];
        try {
          hits = await searchStripeByEmail(text.toLowerCase());
        } catch (error) {
          // Offline must not hide the local results; creating a customer will report Stripe's state.
          if (!(error instanceof Stripe.errors.StripeConnectionError)) throw error;
          logger.warn('Stripe customer search failed; showing local results only', { error: error.message });
        }
        const known = new Set(store.data.customers.map((c) => c.stripeCustomerId));
        for (const hit of hits) {
          if (known.has(hit.id)) continue;
          stripeOnly.push({ stripeCustomerId: hit.id, name: hit.name ?? '', email: hit.email ?? '', phone: hit.phone ?? '' });
        }
      }
      return { local, stripeOnly };
    },

    async 'customers.create'(input, ctx) {
      if (!ctx.actor) throw new AppError('not_signed_in', 'Sign in first.');
      const name = normalizeText(input.name);
      const email = input.email.normalize('NFKC').trim().toLowerCase();
      const phone = normalizeText(input.phone ?? '');
      const duplicate = (data: { customers: readonly CustomerRecord[] }) => data.customers.find((c) => c.email === email);
      const existingLocal = duplicate(store.data);
      if (existingLocal) throw new AppError('conflict', `A customer with the e-mail ${email} already exists (${existingLocal.name}).`);

      const localId = ids.next('cust');
      // Find-or-create at Stripe first: if Stripe fails, nothing is written locally.
      const [found] = await searchStripeByEmail(email);
      let stripeCustomerId: string;
      let linkedExisting = false;
      if (found) {
        if (store.data.customers.some((c) => c.stripeCustomerId === found.id))
          throw new AppError('conflict', `The Stripe customer ${found.id} with this e-mail is already linked to another local customer.`);
        stripeCustomerId = found.id;
        linkedExisting = true;
        if (!found.metadata?.[LOCAL_ID_METADATA_KEY]) {
          await stripe.customers.update(found.id, { metadata: { [LOCAL_ID_METADATA_KEY]: localId } }, { idempotencyKey: `customer-link-${localId}` });
        }
      } else {
        const created = await stripe.customers.create(
          {
            name,
            email,
            ...(phone ? { phone } : {}),
            preferred_locales: [input.language],
            metadata: { [LOCAL_ID_METADATA_KEY]: localId },
          },
          { idempotencyKey: `customer-create-${localId}` },
        );
        stripeCustomerId = created.id;
      }

      const record: CustomerRecord = {
        id: localId,
        name,
        email,
        phone,
        language: input.language,
        stripeCustomerId,
        createdAt: clock.now().toISOString(),
        createdBy: { staffId: ctx.actor.id, name: ctx.actor.name },
      };
      await store.update((draft) => {
        // Re-checked inside the write: another call may have added the same e-mail meanwhile.
        if (duplicate(draft)) throw new AppError('conflict', `A customer with the e-mail ${email} already exists.`);
        draft.customers.push(record);
      });
      return { customer: customerView(record), linkedExisting };
    },

    async 'customers.get'({ customerId }) {
      return customerDetail(store.data, customerId, clock.now());
    },
  };
}
