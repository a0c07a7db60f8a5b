/**
 * The loopback page the customer's browser comes back to after Checkout (DESIGN §3.5). It nudges
 * core to complete the setup at once, waits a moment for the answer, and shows a small page in the
 * customer's language saying what happened and that they may close it. No scripts, strict CSP.
 * Binds 127.0.0.1 only. No electron import.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Language, SetupStatus } from '../preload/contract';
import { mainText, type MainTextKey } from './core/i18n';
import type { Logger, ReturnUrls } from './core/ports';
import { loopbackHosts } from './loopback';

/** What the page needs of core (the real Core satisfies it). */
export interface ReturnSetup { status: SetupStatus; checkoutSessionId: string; language: Language }

export interface ReturnPageCore {
  completeFromReturn(setupId: string): Promise<void>;
  /** The setup the customer returns for, with its customer's language; null for an unknown id. */
  setupForReturn(setupId: string): Promise<ReturnSetup | null>;
  /** The shop's default language, for pages about no known setup. */
  defaultLanguage(): Language;
  /** The shop's name, shown in the page's title. */
  shopName(): string;
  /** The customer canceled on Checkout and the session is still open: the desk shows it at once. */
  noteCustomerCanceled(setupId: string): Promise<void>;
}

export interface ReturnServer {
  origin: string;
  port: number;
  urls: ReturnUrls;
  /** Connects the page to core (core needs `urls` before it exists, hence the late binding). */
  attach(core: ReturnPageCore): void;
  stop(): Promise<void>;
}

export interface ReturnServerOptions {
  logger: Logger;
  /** How long the page waits for core's answer before showing "still waiting" (ms). */
  completionWaitMs?: number;
  /**
   * Preferred port: the previous run's, so a customer still on Checkout when the app restarted
   * comes back to a live page. Taken → a random free port.
   */
  port?: number;
}

export const RETURN_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

type Outcome = 'succeeded' | 'failed' | 'canceled' | 'pending';

/** What to tell the customer, from the path they came back on and the setup's status after the refresh. */
export function returnOutcome(path: 'success' | 'cancel', status: SetupStatus): Outcome {
  switch (status) {
    case 'succeeded':
      return 'succeeded';
    case 'failed':
    case 'expired':
      return 'failed';
    case 'canceled':
      return 'canceled';
    case 'open':
      // Checkout's cancel link leaves the session open: for the customer, nothing was saved.
      return path === 'cancel' ? 'canceled' : 'pending';
  }
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** The customer came from the shop's counter: the page carries the shop's name (the app's name only when none is set). */
function renderReturnPage(language: Language, outcome: Outcome | null, shopName = ''): string {
  const title = shopName.trim() || mainText(language, 'returnPage.title');
  const messageKey: MainTextKey | null = outcome ? `returnPage.${outcome}` : null;
  const message = messageKey ? `<p class="status" data-outcome="${outcome}">${escapeHtml(mainText(language, messageKey))}</p>` : '';
  return `<!doctype html>
<html lang="${language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>
body{margin:0;padding:0 1rem;font-family:system-ui,-apple-system,"Segoe UI","Hiragino Sans","Noto Sans JP",sans-serif;background:#f4f5f7;color:#1d2330}
main{box-sizing:border-box;max-width:32rem;margin:12vh auto;padding:2rem;background:#fff;border-radius:12px;box-shadow:0 2px 12px rgba(0,0,0,.08)}
h1{font-size:1.2rem;margin:0 0 1rem}
.status{font-size:1.1rem;line-height:1.6}
.status[data-outcome="succeeded"]{color:#17663a}
.status[data-outcome="failed"]{color:#a1261b}
.hint{color:#5a6170;line-height:1.6}
/* Japanese has no spaces: break between phrases, never inside a word ("ございま/した") */
:lang(ja) p,:lang(ja) h1{word-break:auto-phrase;overflow-wrap:anywhere}
</style>
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
${message}
<p class="hint">${escapeHtml(mainText(language, 'returnPage.closeHint'))}</p>
</main>
</body>
</html>
`;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

export async function startReturnServer(options: ReturnServerOptions): Promise<ReturnServer> {
  const { logger } = options;
  const waitMs = options.completionWaitMs ?? 2000;
  let core: ReturnPageCore | null = null;
  // Set once the server listens (before any request can arrive).
  let allowedHosts: string[] = [];

  const send = (res: ServerResponse, status: number, body: string, method: string | undefined) => {
    res.writeHead(status, {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': RETURN_PAGE_CSP,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
      'X-Frame-Options': 'DENY',
    });
    res.end(method === 'HEAD' ? undefined : body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const fallbackLanguage: Language = core?.defaultLanguage() ?? 'en';
    const shopName = core?.shopName() ?? '';
    if (!allowedHosts.includes(req.headers.host ?? '')) return send(res, 403, renderReturnPage(fallbackLanguage, null), req.method);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return send(res, 405, renderReturnPage(fallbackLanguage, null), req.method);
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1'); // only the path and query are read
    const path = url.pathname === '/return/success' ? 'success' : url.pathname === '/return/cancel' ? 'cancel' : null;
    const setupId = url.searchParams.get('setup');
    const find = async () => (core && setupId ? core.setupForReturn(setupId) : null);
    const setup = await find();
    if (!path || !core || !setupId || !setup) return send(res, 404, renderReturnPage(fallbackLanguage, null), req.method);
    // A session id that is not this setup's means a forged or mixed-up link: nothing to complete.
    const sessionId = url.searchParams.get('session_id');
    if (sessionId && sessionId !== setup.checkoutSessionId) return send(res, 404, renderReturnPage(fallbackLanguage, null), req.method);

    const { language } = setup;
    if (setup.status === 'open') {
      // Stripe may be slow: the page never waits longer than `waitMs`; polling finishes the job.
      const completion = core.completeFromReturn(setupId).catch((error: unknown) => logger.warn('completion from the return page failed', { setupId, error: String(error) }));
      await Promise.race([completion, sleep(waitMs)]);
    }
    const status = (await find())?.status ?? setup.status;
    if (path === 'cancel' && status === 'open') await core.noteCustomerCanceled(setupId);
    logger.info('customer returned from Checkout', { setupId, path, status });
    send(res, 200, renderReturnPage(language, returnOutcome(path, status), shopName), req.method);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger.error('return page failed', { error: String(error) });
      if (!res.headersSent) send(res, 500, renderReturnPage('en', null), req.method);
      else res.end();
    });
  });
  const listen = (wanted: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(wanted, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  try {
    await listen(options.port ?? 0);
  } catch (error) {
    // The preferred port (last run's) is taken: any free port will do.
    if (!options.port || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    await listen(0);
  }
  const port = (server.address() as AddressInfo).port;
  allowedHosts = loopbackHosts(port);
  const origin = `http://127.0.0.1:${port}`;

  return {
    origin,
    port,
    urls: {
      success: (setupId) => `${origin}/return/success?setup=${encodeURIComponent(setupId)}`,
      cancel: (setupId) => `${origin}/return/cancel?setup=${encodeURIComponent(setupId)}`,
    },
    attach(target) {
      core = target;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
