/**
 * The PDF worker thread's entry (built to out/main/pdf-worker.js; see core/pdf-thread.ts): renders
 * consent and evidence PDFs off main's event loop. Pure rendering only — no store, no Stripe key.
 */
import { parentPort } from 'node:worker_threads';
import { renderConsentPdfHere, renderEvidencePdfHere } from './core/consent-pdf-render';
import type { PdfJobAnswer, PdfJobRequest } from './core/pdf-thread';

if (!parentPort) throw new Error('pdf-worker runs as a worker thread only');
const port = parentPort;

port.on('message', ({ id, job }: PdfJobRequest) => {
  void (async () => {
    let answer: PdfJobAnswer;
    try {
      const bytes = job.kind === 'consent' ? await renderConsentPdfHere(job.input) : await renderEvidencePdfHere(job.input, job.attachment);
      answer = { id, ok: true, bytes };
    } catch (error) {
      answer = { id, ok: false, message: error instanceof Error ? error.message : String(error) };
    }
    port.postMessage(answer, answer.ok ? [answer.bytes.buffer as ArrayBuffer] : []);
  })();
});
