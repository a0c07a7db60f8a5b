/**
 * The PDF worker thread, from main's side: consent and evidence PDFs are rendered there
 * (main/pdf-worker.ts), because subsetting and embedding the Japanese font holds a thread for one to
 * five seconds, and on main that would freeze every call, the counter screen's included.
 *
 * One worker per process, started on first use and ended after a minute without work (it holds
 * the 4.5 MB font and pdf-lib). Jobs are answered by id; a worker that dies fails the jobs it had
 * (the callers retry: evidence uploads are queued jobs, a PDF download can be asked for again) and
 * the next job starts a new one.
 *
 * Where the worker's file is:
 * - built (electron-vite): the entry `pdf-worker` in electron.vite.config.ts, `out/main/pdf-worker.js`,
 *   next to index.js and browser.js; this module is then bundled into out/main/chunks/ (or an entry);
 * - from source (vitest, tsx): `main/pdf-worker-source.mjs`, which loads `main/pdf-worker.ts` through tsx
 *   (a worker thread inherits no loader, and vitest's processes have none to pass on).
 */
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { ConsentPdfInput, EvidenceAttachment } from './consent-pdf-render';

export type PdfJob = { kind: 'consent'; input: ConsentPdfInput } | { kind: 'evidence'; input: ConsentPdfInput; attachment: EvidenceAttachment };
export type PdfJobRequest = { id: number; job: PdfJob };
export type PdfJobAnswer = { id: number; ok: true; bytes: Uint8Array } | { id: number; ok: false; message: string };

const IDLE_MS = 60_000;

/** The worker's entry file (see the module comment); throws when a build lacks it. */
export function pdfWorkerFile(here: string = import.meta.url): { url: URL; fromSource: boolean } {
  if (/\.[cm]?ts$/.test(new URL(here).pathname)) return { url: new URL('../pdf-worker-source.mjs', here), fromSource: true };
  for (const candidate of ['./pdf-worker.js', '../pdf-worker.js']) {
    const url = new URL(candidate, here);
    if (existsSync(url)) return { url, fromSource: false };
  }
  throw new Error(`The PDF worker (pdf-worker.js) is missing next to ${here}: the build is incomplete.`);
}

interface Pending {
  resolve(bytes: Uint8Array): void;
  reject(error: Error): void;
}

let worker: Worker | null = null;
const pending = new Map<number, Pending>();
let nextId = 1;
let idleTimer: NodeJS.Timeout | null = null;

function failAll(error: Error): void {
  for (const job of pending.values()) job.reject(error);
  pending.clear();
}

function start(): Worker {
  const { url } = pdfWorkerFile();
  const started = new Worker(url, { name: 'mandate-desk-pdf' });
  started.on('message', (answer: PdfJobAnswer) => {
    const job = pending.get(answer.id);
    if (!job) return;
    pending.delete(answer.id);
    if (answer.ok) job.resolve(answer.bytes);
    else job.reject(new Error(answer.message));
    settle();
  });
  started.on('error', (error) => {
    if (worker === started) worker = null;
    failAll(error instanceof Error ? error : new Error(String(error)));
  });
  started.on('exit', (code) => {
    if (worker === started) worker = null;
    if (pending.size > 0) failAll(new Error(`The PDF worker stopped (exit code ${code}).`));
  });
  return started;
}

/** While jobs are out the worker keeps the process alive; idle, it does not, and ends after a while. */
function settle(): void {
  if (!worker) return;
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = null;
  if (pending.size > 0) {
    worker.ref();
    return;
  }
  worker.unref();
  const idle = worker;
  idleTimer = setTimeout(() => {
    if (worker === idle && pending.size === 0) {
      worker = null;
      void idle.terminate();
    }
  }, IDLE_MS);
  idleTimer.unref();
}

/** Renders a PDF in the worker thread. */
export function renderInWorker(job: PdfJob): Promise<Uint8Array> {
  return new Promise<Uint8Array>((resolve, reject) => {
    try {
      worker ??= start();
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    const id = nextId++;
    pending.set(id, { resolve, reject });
    const request: PdfJobRequest = { id, job };
    worker.postMessage(request);
    settle();
  });
}

/** Ends the worker now (tests; a stopping process does not need it: the worker never holds it open when idle). */
export async function stopPdfWorker(): Promise<void> {
  const current = worker;
  worker = null;
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = null;
  if (current) await current.terminate();
}
