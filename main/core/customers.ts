/**
 * Customers: local search (name, e-mail, phone) plus a Stripe search by e-mail that finds customers
 * another terminal created, and find-or-create of the Stripe Customer behind each local record.
 */
import Stripe from 'stripe';
import type { CustomerRecord } from './data';
import { nameKey } from './customer-index';
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

/** True when two personal names are the same person's name as typed: NFKC, case, and spaces ("佐藤太郎" is "佐藤 太郎") ignored. */
export function sameName(a: string, b: string): boolean {
  return nameKey(a) === nameKey(b);
}

const EMAIL_LIKE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** A Stripe search clause matching one e-mail exactly; quotes and backslashes escaped. */
export function stripeEmailQuery(email: string): string {
  return `email:'${email.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The most local results one search returns (the index stops looking once it has them). */
export const SEARCH_LIMIT = 50;

export function customerHandlers(env: CoreEnv): Pick<Handlers, 'customers.search' | 'customers.create' | 'customers.get'> {
  const { records, stripe, ids, clock, logger } = env;
  const { index } = records;

  async function searchStripeByEmail(email: string): Promise<Stripe.Customer[]> {
    const result = await stripe.customers.search({ query: stripeEmailQuery(email), limit: 10 });
    return result.data;
  }

  return {
    async 'customers.search'({ query }) {
      const text = query.normalize('NFKC').trim();
      const local = index
        .search(text, SEARCH_LIMIT)
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
        for (const hit of hits) {
          if (index.customerByStripeId(hit.id)) continue;
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
      const existingLocal = index.customerByEmail(email);
      if (existingLocal) throw new AppError('conflict', `A customer with the e-mail ${email} already exists (${existingLocal.name}).`);

      const localId = ids.next('cust');
      // Find-or-create at Stripe first: if Stripe fails, nothing is written locally.
      const [found] = await searchStripeByEmail(email);
      let stripeCustomerId: string;
      let linkedExisting = false;
      if (found) {
        if (index.customerByStripeId(found.id))
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
      await records.createCustomer(record, () => {
        // Re-checked inside the write: another call may have added the same e-mail meanwhile.
        if (index.customerByEmail(email)) throw new AppError('conflict', `A customer with the e-mail ${email} already exists.`);
      });
      return { customer: customerView(record), linkedExisting };
    },

    async 'customers.get'({ customerId }) {
      return customerDetail(await records.requireCustomer(customerId), records.shop.data.prices, clock.now());
    },
  };
}
