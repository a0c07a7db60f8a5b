/** Every resource the emulator serves, in route order (the server derives its routes from this list). */
import type { Resource } from '../engine/emulator.js';
import { charges } from './charges.js';
import { checkoutSessions } from './checkout-sessions.js';
import { customers } from './customers.js';
import { disputes } from './disputes.js';
import { events } from './events.js';
import { files } from './files.js';
import { invoicePaymentResource } from './invoice-payments.js';
import { invoices } from './invoices.js';
import { mandates } from './mandates.js';
import { paymentIntents } from './payment-intents.js';
import { paymentMethods } from './payment-methods.js';
import { prices } from './prices.js';
import { products } from './products.js';
import { refunds } from './refunds.js';
import { setupIntents } from './setup-intents.js';
import { subscriptions } from './subscriptions.js';
import { webhookEndpoints } from './webhook-endpoints.js';

export const RESOURCES: readonly Resource[] = [
  customers,
  checkoutSessions,
  setupIntents,
  paymentMethods,
  mandates,
  paymentIntents,
  charges,
  refunds,
  disputes,
  products,
  prices,
  subscriptions,
  invoices,
  invoicePaymentResource,
  events,
  webhookEndpoints,
  files,
];
