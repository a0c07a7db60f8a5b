/**
 * The Payments screen's calls: every charge and refund of a date range from the payments ledger
 * (only that range's day files are read), filtered, paged newest first, with day totals per
 * currency, and the same as CSV.
 */
import {
  PAYMENT_STATUSES,
  ZERO_DECIMAL_CURRENCIES,
  type Currency,
  type ExportFile,
  type PaymentDayTotal,
  type PaymentRowView,
  type PaymentStatus,
} from '../../preload/contract';
import { csvField } from './audit';
import type { Handlers } from './dispatch';
import type { CoreEnv } from './env';
import { StoreReadError } from '../store/files';
import { AppError } from './errors';

interface PaymentsFilter { from: string; to: string; status?: PaymentStatus | undefined; customerId?: string | undefined }

/** The days from `from` to `to`, newest first (the contract bounds the span). */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let at = Date.parse(`${to}T00:00:00Z`); at >= Date.parse(`${from}T00:00:00Z`); at -= 86_400_000) days.push(new Date(at).toISOString().slice(0, 10));
  return days;
}

const newestFirst = (a: PaymentRowView, b: PaymentRowView) => (a.createdAt === b.createdAt ? (a.id < b.id ? 1 : a.id > b.id ? -1 : 0) : a.createdAt < b.createdAt ? 1 : -1);
const cursorOf = (row: PaymentRowView) => `${row.createdAt}|${row.id}`;

/** Whole rows of the range that match, newest first. */
async function rowsOf(env: CoreEnv, filter: PaymentsFilter): Promise<PaymentRowView[]> {
  const rows: PaymentRowView[] = [];
  for (const day of daysBetween(filter.from, filter.to)) {
    const lines = await env.records.payments.readDay(day).catch((error: unknown) => {
      // a day file that cannot be read is reported with its cause, never shown as a day without payments
      throw error instanceof StoreReadError ? new AppError('store_error', error.message) : error;
    });
    for (const line of lines.values()) {
      if (filter.customerId && line.customerId !== filter.customerId) continue;
      if (filter.status && line.status !== filter.status) continue;
      const status = (PAYMENT_STATUSES as readonly string[]).includes(line.status) ? (line.status as PaymentStatus) : 'failed';
      rows.push({
        kind: line.kind,
        id: line.id,
        chargeId: line.chargeId,
        customerId: line.customerId,
        customerName: env.records.index.customer(line.customerId)?.name ?? null,
        amount: line.amount,
        currency: line.currency,
        status,
        description: line.description,
        staff: line.staff,
        terminal: line.terminal,
        createdAt: line.createdAt,
        day,
        dispute: line.dispute ?? null,
        fromOtherDesk: line.fromOtherDesk ?? false,
      });
    }
  }
  return rows.sort(newestFirst);
}

/** Per day and currency: succeeded charges minus succeeded refunds, newest day first. */
export function dayTotals(rows: readonly PaymentRowView[]): PaymentDayTotal[] {
  const totals = new Map<string, PaymentDayTotal>();
  for (const row of rows) {
    const key = `${row.day}|${row.currency}`;
    let total = totals.get(key);
    if (!total) totals.set(key, (total = { day: row.day, currency: row.currency, charged: 0, refunded: 0, net: 0, succeededCharges: 0, succeededRefunds: 0, rows: 0 }));
    total.rows += 1;
    if (row.status !== 'succeeded') continue;
    if (row.kind === 'charge') {
      total.charged += row.amount;
      total.succeededCharges += 1;
    } else {
      total.refunded += row.amount;
      total.succeededRefunds += 1;
    }
    total.net = total.charged - total.refunded;
  }
  return [...totals.values()].sort((a, b) => (a.day === b.day ? a.currency.localeCompare(b.currency) : a.day < b.day ? 1 : -1));
}

/** An amount in major units as a spreadsheet reads it ("42.50", "1200" for yen). */
export function majorAmount(amount: number, currency: Currency): string {
  return ZERO_DECIMAL_CURRENCIES.includes(currency) ? String(amount) : (amount / 100).toFixed(2);
}

const CSV_COLUMNS = ['created', 'day', 'kind', 'id', 'charge_id', 'customer_id', 'customer_name', 'amount', 'currency', 'status', 'description', 'staff', 'terminal'];

/** One row per charge or refund, every cell neutralised against spreadsheet formulas; a BOM for Japanese text. */
export function paymentsCsv(rows: readonly PaymentRowView[]): string {
  const lines = rows.map((r) =>
    [r.createdAt, r.day, r.kind, r.id, r.chargeId ?? '', r.customerId, r.customerName ?? '', majorAmount(r.amount, r.currency), r.currency, r.status, r.description, r.staff.name, r.terminal.name]
      .map(csvField)
      .join(','),
  );
  return `\uFEFF${[CSV_COLUMNS.join(','), ...lines].join('\r\n')}\r\n`;
}

export function paymentsHandlers(env: CoreEnv): Pick<Handlers, 'payments.list' | 'payments.export'> {
  return {
    async 'payments.list'({ limit, cursor, ...filter }) {
      const rows = await rowsOf(env, filter);
      let start = 0;
      if (cursor !== undefined) {
        const at = rows.findIndex((r) => cursorOf(r) === cursor);
        if (at < 0) throw new AppError('invalid_input', 'This page of payments is no longer available: start again from the first page.', { fields: { cursor: 'Unknown cursor' } });
        start = at + 1;
      }
      const page = rows.slice(start, start + limit);
      const more = start + limit < rows.length;
      return { rows: page, totals: dayTotals(rows), nextCursor: more && page.length ? cursorOf(page[page.length - 1]!) : null, matched: rows.length };
    },
    async 'payments.export'(filter): Promise<ExportFile> {
      const rows = await rowsOf(env, filter);
      return { filename: `payments-${filter.from}-to-${filter.to}.csv`, mimeType: 'text/csv', content: paymentsCsv(rows) };
    },
  };
}
