/**
 * Japanese consumption tax on a receipt. Amounts are tax-inclusive (税込), so the tax is the part
 * of the total that is tax: floor(total × rate / (100 + rate)), rounded down to the yen (1 円未満
 * 切り捨て), one rounding per receipt and rate as the qualified-invoice rules ask.
 */
import type { Currency, ReceiptView } from '../../preload/contract';

/** The tax included in `taxInclusiveAmount` (integer minor units) at `ratePercent` (whole percent). */
export function includedTax(taxInclusiveAmount: number, ratePercent: number): number {
  if (!Number.isInteger(taxInclusiveAmount) || taxInclusiveAmount < 0) throw new RangeError(`Not an amount: ${taxInclusiveAmount}`);
  if (!Number.isInteger(ratePercent) || ratePercent < 0 || ratePercent > 100) throw new RangeError(`Not a tax rate: ${ratePercent}`);
  // integers throughout: amount ≤ 99,999,999 and rate ≤ 100 stay far below 2^53
  return Math.floor((taxInclusiveAmount * ratePercent) / (100 + ratePercent));
}

/** What a receipt states about tax: only receipts in yen, and only with a rate above 0. */
export function receiptTax(
  settings: { taxRatePercent: number; invoiceRegistrationNumber: string },
  currency: Currency,
  taxableAmount: number,
): Pick<ReceiptView, 'tax' | 'invoiceRegistrationNumber'> {
  if (currency !== 'jpy') return { tax: null, invoiceRegistrationNumber: null };
  return {
    tax: settings.taxRatePercent > 0 ? { ratePercent: settings.taxRatePercent, taxableAmount, amount: includedTax(taxableAmount, settings.taxRatePercent) } : null,
    invoiceRegistrationNumber: settings.invoiceRegistrationNumber || null,
  };
}
