/**
 * Customers: local search (name, e-mail, phone) plus a Stripe search by e-mail that finds customers
 * another terminal created, and find-or-create of the Stripe Customer behind each local record.
 */
import { createHash } from 'node:crypto';
import Stripe from 'stripe';
import type { CustomerRecord } from './data';
import { nameKey } from './customer-index';
import type { Handlers } from './dispatch';
import type { CoreEnv } from './env';
import { AppError } from './errors';
import { customerDetail, customerView } from './views';
import type { CustomersOverview, OpenWorkItem, StripeCustomerHit } from '../../preload/contract';

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
/** How many recently served customers the customers screen lists. */
export const RECENT_LIMIT = 10;

export interface CustomerHooks {
  /** A Stripe customer that another desk made (our id in its metadata): imported with its records instead of linked anew. */
  importExisting?(stripeCustomerId: string): Promise<CustomerRecord>;
}

export function customerHandlers(env: CoreEnv, hooks: CustomerHooks = {}): Pick<Handlers, 'customers.search' | 'customers.create' | 'customers.get' | 'customers.overview' | 'customers.update'> {
  const { records, stripe, ids, clock, logger } = env;
  const { index } = records;

  /** One edit at a time per customer: two edits at once must not leave Stripe and our record with different answers. */
  const editing = new Map<string, Promise<unknown>>();
  function oneEditAtATime<T>(customerId: string, edit: () => Promise<T>): Promise<T> {
    const result = (editing.get(customerId) ?? Promise.resolve()).then(edit, edit);
    const tail = result.catch(() => {});
    editing.set(customerId, tail);
    void tail.then(() => {
      if (editing.get(customerId) === tail) editing.delete(customerId);
    });
    return result;
  }

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
      if (found?.metadata?.[LOCAL_ID_METADATA_KEY] && !index.customerByStripeId(found.id) && hooks.importExisting) {
        // another desk's customer: the same id and records here as there (stripe-import.ts)
        return { customer: customerView(await hooks.importExisting(found.id)), linkedExisting: true };
      }
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

    // From the index only: no customer's document is read.
    async 'customers.overview'() {
      const byCustomer = new Map<string, OpenWorkItem[]>();
      for (const { customerId, kind, id, status } of index.openWork()) {
        // writes to Stripe still queued are shown on the customer's page, not here; e-mail in the Outbox
        if (kind === 'evidence' || kind === 'withdrawalShare' || kind === 'mail') continue;
        const work = byCustomer.get(customerId) ?? [];
        work.push({ kind, id, status });
        byCustomer.set(customerId, work);
      }
      const inProgress: CustomersOverview['inProgress'] = [];
      for (const [customerId, work] of byCustomer) {
        const customer = index.customer(customerId);
        if (customer) inProgress.push({ customer: customerView(customer), work });
      }
      inProgress.sort((a, b) => a.customer.name.localeCompare(b.customer.name));
      return { recent: index.recent(RECENT_LIMIT).map(customerView), inProgress };
    },

    'customers.update': (input) => oneEditAtATime(input.customerId, async () => {
      const current = index.customer(input.customerId);
      if (!current) throw new AppError('not_found', `There is no customer with id ${input.customerId}.`);
      const name = normalizeText(input.name);
      const email = input.email.normalize('NFKC').trim().toLowerCase();
      const phone = normalizeText(input.phone ?? '');
      const { language } = input;
      const refuseTakenEmail = () => {
        const other = index.customerByEmail(email);
        if (other && other.id !== current.id) throw new AppError('conflict', `Another customer already has the e-mail ${email} (${other.name}).`);
      };
      refuseTakenEmail();
      if (current.name === name && current.email === email && current.phone === phone && current.language === language) return customerView(current);

      // Stripe first: if it fails, nothing changes locally. The key is this very change of this revision,
      // so a retry of it is one update at Stripe, and a later change is a new one.
      const change = { name, email, phone, preferred_locales: [language] };
      const key = createHash('sha256').update(JSON.stringify([current.id, index.rev(current.id), change])).digest('hex').slice(0, 32);
      await stripe.customers.update(current.stripeCustomerId, change, { idempotencyKey: `customer-update-${key}` });

      return records.updateCustomer(current.id, (draft) => {
        // Re-checked inside the write: another call may have taken the e-mail meanwhile.
        refuseTakenEmail();
        draft.customer = { ...draft.customer, name, email, phone, language };
        return customerView(draft.customer);
      });
    }),
  };
}
