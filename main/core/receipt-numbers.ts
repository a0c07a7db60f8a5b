/**
 * Human receipt numbers: `<terminal code>-000123`, counted per terminal in the shop's own file
 * (each terminal has its own), so two receipts never share a number. The code is taken from the
 * terminal id, not its name: every terminal starts out named "Counter 1".
 */
import type { Records } from './records';

const DIGITS = 6;

/** Four letters or digits from the terminal id (`term_3f2a…` → `3F2A`). */
export function terminalCode(terminalId: string): string {
  const code = terminalId.replace(/^term_/, '').replace(/[^0-9a-z]/gi, '').slice(0, 4).toUpperCase();
  return code || 'T';
}

export function formatReceiptNumber(terminalId: string, counter: number): string {
  return `${terminalCode(terminalId)}-${String(counter).padStart(DIGITS, '0')}`;
}

/** Takes the next number from the counter (written durably before it is used). */
export function takeReceiptNumber(records: Records): Promise<string> {
  return records.shop.update((shop) => {
    const counter = (shop.receiptCounter ?? 0) + 1;
    shop.receiptCounter = counter;
    return formatReceiptNumber(shop.terminalId, counter);
  });
}
