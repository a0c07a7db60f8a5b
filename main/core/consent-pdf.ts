/**
 * The consent record as accepted, as a PDF the customer can take home and a dispute handler can
 * read: the exact terms text with its SHA-256 and version, the agreed parameters, the typed name and
 * the drawn signature, UTC and local times, witness, terminal and shop, in the consent's language,
 * with a TRAINING mark on every page when it was made in training mode.
 *
 * The exact text is also attached to the PDF as `terms.txt` (UTF-8), so its hash can be checked
 * byte for byte; the visible text is wrapped for reading (Japanese may break between any two
 * characters, never before closing punctuation).
 *
 * Rendering takes a second or more (the Japanese font is subset and embedded): it runs in a worker
 * thread (pdf-thread.ts, main/pdf-worker.ts), never on main's event loop.
 */
import type { PdfFile } from '../../preload/contract';
import { fileDate } from './audit';
import type { ConsentPdfInput } from './consent-pdf-render';
import type { Handlers } from './dispatch';
import type { CoreEnv } from './env';
import { AppError } from './errors';
import { renderInWorker } from './pdf-thread';
import { consentView } from './views';

export type { ConsentPdfInput } from './consent-pdf-render';
export { wrapLine } from './consent-pdf-render';

/** The consent PDF, rendered in the PDF worker thread. */
export function renderConsentPdf(input: ConsentPdfInput): Promise<Uint8Array> {
  return renderInWorker({ kind: 'consent', input });
}

/** The PDF's file name, e.g. `consent-cons_123-2026-12-01.pdf`. */
export function consentPdfFilename(consentId: string, at: Date): string {
  return `consent-${consentId.replace(/[^A-Za-z0-9_-]/g, '_')}-${fileDate(at)}.pdf`;
}


// ---------------------------------------------------------------- the call

/** The PDF of a stored consent as this desk has it now (status and withdrawal included). */
export async function consentPdfFile(env: CoreEnv, consentId: string): Promise<PdfFile> {
  const doc = await env.records.ownerDoc(consentId, 'consent');
  const shop = env.records.shop.data;
  const record = doc.consents.find((c) => c.id === consentId);
  if (!record) throw new AppError('not_found', `There is no consent ${consentId}.`);
  const now = env.clock.now();
  const bytes = await renderConsentPdf({
    consent: consentView(doc, record, now),
    shop: { name: shop.settings.shopName, contact: shop.settings.shopContact },
    terminal: { id: record.terminalId, name: record.terminalId === shop.terminalId ? shop.settings.terminalName : null },
    mode: env.mode,
    generatedAt: now,
  });
  return { filename: consentPdfFilename(consentId, now), mimeType: 'application/pdf', base64: Buffer.from(bytes).toString('base64') };
}

export function consentPdfHandlers(env: CoreEnv): Pick<Handlers, 'consents.pdf'> {
  return {
    async 'consents.pdf'({ consentId }) {
      return consentPdfFile(env, consentId);
    },
  };
}
