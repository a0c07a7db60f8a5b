/** The hosted test page standing in for Stripe Checkout + Amazon Pay's redirect. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Emulator } from '../engine/emulator.js';
import { ApiError } from '../engine/errors.js';
import type { Obj } from '../engine/store.js';
import { formatAmount } from '../engine/util.js';
import { authorizeSession, continueSession, failSession } from '../resources/checkout-flow.js';
import { failRedirect, refreshSession, sessionUrl, successRedirect } from '../resources/checkout-sessions.js';

function h(s: string): string {
  return s.replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;',
  );
}

type Lang = 'en' | 'ja';

const T = {
  en: {
    testMode: 'Test mode',
    banner: 'TEST MODE — this page is served by the local Stripe emulator. No real payment or Amazon Pay account is used.',
    shop: 'Emulator test shop',
    setup: 'Save a payment method for future payments',
    setupNote: 'You authorize the shop to charge this payment method later, according to the terms you accepted.',
    pay: (amt: string) => `Pay ${amt}`,
    subscribe: (amt: string, interval: string) => `Subscribe: ${amt} / ${interval}`,
    method: 'Payment method',
    amazonPay: 'Amazon Pay',
    continue: 'Continue to Amazon Pay',
    cancel: 'Cancel and return',
    amazonTitle: 'Amazon Pay (test)',
    amazonNote: 'This page stands in for the Amazon Pay sign-in and consent page.',
    authorizeSetup: 'Authorize test setup',
    failSetup: 'Fail test setup',
    authorizePayment: 'Authorize test payment',
    failPayment: 'Fail test payment',
    failedNotice: 'The last attempt failed. You can try again or choose to cancel.',
    expired: 'This checkout session has expired.',
    complete: 'This checkout session is already complete.',
    returnToShop: 'Return to the shop',
    notFound: 'No such checkout session.',
    customer: 'Customer',
    mode: 'Mode',
    session: 'Session',
    expires: 'Expires',
    doneTitle: 'Checkout finished',
    doneSaved: 'Your payment method has been saved.',
    doneCanceled: 'Nothing was saved.',
    doneClose: 'You can close this page and return to the shop counter.',
  },
  ja: {
    testMode: 'テストモード',
    banner: 'テストモード — このページはローカルの Stripe エミュレーターが表示しています。実際の支払いや Amazon Pay アカウントは使われません。',
    shop: 'エミュレーター テストショップ',
    setup: '今後のお支払いのために支払い方法を保存します',
    setupNote: '同意した規約に従って、ショップが後日この支払い方法に請求することを許可します。',
    pay: (amt: string) => `${amt} を支払う`,
    subscribe: (amt: string, interval: string) => `定期購入: ${amt} / ${interval}`,
    method: '支払い方法',
    amazonPay: 'Amazon Pay',
    continue: 'Amazon Pay で続ける (Continue to Amazon Pay)',
    cancel: 'キャンセルして戻る (Cancel and return)',
    amazonTitle: 'Amazon Pay（テスト）',
    amazonNote: 'このページは Amazon Pay のサインインと同意の画面の代わりです。',
    authorizeSetup: 'テスト設定を承認 (Authorize test setup)',
    failSetup: 'テスト設定を失敗させる (Fail test setup)',
    authorizePayment: 'テスト支払いを承認 (Authorize test payment)',
    failPayment: 'テスト支払いを失敗させる (Fail test payment)',
    failedNotice: '前回の試行は失敗しました。もう一度試すか、キャンセルしてください。',
    expired: 'このチェックアウトセッションは期限切れです。',
    complete: 'このチェックアウトセッションは完了しています。',
    returnToShop: 'ショップに戻る',
    notFound: 'チェックアウトセッションが見つかりません。',
    customer: 'お客様',
    mode: 'モード',
    session: 'セッション',
    expires: '有効期限',
    doneTitle: 'お手続きが終わりました',
    doneSaved: '支払い方法を保存しました。',
    doneCanceled: '何も保存されていません。',
    doneClose: 'このページを閉じて、店舗のカウンターにお戻りください。',
  },
};

function langOf(s: Obj | undefined, req: IncomingMessage): Lang {
  const l = s?.locale;
  if (l === 'ja') return 'ja';
  if (l === 'auto' && /^ja\b/i.test(String(req.headers['accept-language'] ?? ''))) return 'ja';
  return 'en';
}

function layout(lang: Lang, title: string, body: string): string {
  const t = T[lang];
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${h(title)}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#f6f9fc;color:#1a1f36}
.banner{background:#ffde92;color:#5d4100;padding:8px 16px;font-size:14px;text-align:center}
.badge{display:inline-block;background:#ffde92;border-radius:4px;padding:2px 6px;font-size:12px;font-weight:600;color:#5d4100;margin-left:8px}
main{max-width:480px;margin:32px auto;background:#fff;border-radius:8px;box-shadow:0 2px 8px rgba(0,0,0,.08);padding:24px}
h1{font-size:20px;margin:0 0 16px} h2{font-size:16px;margin:16px 0 8px}
dl{display:grid;grid-template-columns:auto 1fr;gap:4px 12px;font-size:13px;color:#4f566b} dd{margin:0;word-break:break-all}
button{display:block;width:100%;padding:12px;margin:12px 0 0;border:0;border-radius:6px;font-size:16px;cursor:pointer;background:#635bff;color:#fff}
button.secondary{background:#e3e8ee;color:#1a1f36}
.choice{border:1px solid #635bff;border-radius:6px;padding:12px;display:flex;gap:8px;align-items:center}
.notice{background:#fde8e8;color:#a4161a;padding:8px 12px;border-radius:6px;font-size:14px}
a{color:#635bff}
@media (max-width:520px){main{margin:16px 12px}}
</style></head>
<body><div class="banner" role="note">${h(t.banner)}</div><main>${body}</main></body></html>`;
}

function send(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(html);
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(303, { Location: location, 'Cache-Control': 'no-store', 'Content-Length': '0' });
  res.end();
}

function summary(em: Emulator, s: Obj, lang: Lang): string {
  const t = T[lang];
  if (s.mode === 'setup') return `<p><strong>${h(t.setup)}</strong></p><p>${h(t.setupNote)}</p>`;
  const amt = formatAmount(s.amount_total ?? 0, s.currency ?? 'usd');
  if (s.mode === 'subscription') {
    const li = em.store.internal.get(s.id)?.lineItems?.[0];
    const price = li ? em.store.objects.get(li.price) : undefined;
    return `<p><strong>${h(t.subscribe(amt, price?.recurring?.interval ?? 'month'))}</strong></p>`;
  }
  return `<p><strong>${h(t.pay(amt))}</strong></p>`;
}

function details(em: Emulator, s: Obj, lang: Lang): string {
  const t = T[lang];
  const c = s.customer ? em.store.objects.get(s.customer) : undefined;
  const who = c?.email ?? c?.name ?? s.customer_email ?? s.customer ?? '—';
  return `<dl><dt>${h(t.customer)}</dt><dd>${h(String(who))}</dd><dt>${h(t.mode)}</dt><dd>${h(s.mode)}</dd><dt>${h(t.session)}</dt><dd>${h(s.id)}</dd><dt>${h(t.expires)}</dt><dd>${h(new Date(s.expires_at * 1000).toISOString())}</dd></dl>`;
}

function cancelHref(em: Emulator, s: Obj): string {
  return s.cancel_url ?? sessionUrl(em, s.id);
}

function closedPage(em: Emulator, res: ServerResponse, s: Obj, lang: Lang): void {
  const t = T[lang];
  if (s.status === 'expired') {
    send(res, 410, layout(lang, t.expired, `<h1>${h(t.expired)}</h1>${s.cancel_url ? `<p><a href="${h(s.cancel_url)}">${h(t.returnToShop)}</a></p>` : ''}`));
    return;
  }
  const back = successRedirect(s);
  send(res, 200, layout(lang, t.complete, `<h1>${h(t.complete)}</h1>${back ? `<p><a href="${h(back)}">${h(t.returnToShop)}</a></p>` : ''}`));
}

function page1(em: Emulator, res: ServerResponse, s: Obj, lang: Lang, error: boolean): void {
  const t = T[lang];
  const base = sessionUrl(em, s.id);
  const body = `<h1>${h(t.shop)}<span class="badge">${h(t.testMode)}</span></h1>
${error ? `<p class="notice" role="alert">${h(t.failedNotice)}</p>` : ''}
${summary(em, s, lang)}
${details(em, s, lang)}
<form method="post" action="${h(base)}/continue">
<h2>${h(t.method)}</h2>
<label class="choice"><input type="radio" name="payment_method" value="amazon_pay" checked> ${h(t.amazonPay)}</label>
<button type="submit">${h(t.continue)}</button>
</form>
<p><a href="${h(cancelHref(em, s))}">${h(t.cancel)}</a></p>`;
  send(res, 200, layout(lang, `${t.shop} — ${t.testMode}`, body));
}

function page2(em: Emulator, res: ServerResponse, s: Obj, lang: Lang): void {
  const t = T[lang];
  const base = sessionUrl(em, s.id);
  const setup = s.mode === 'setup';
  const body = `<h1>${h(t.amazonTitle)}<span class="badge">${h(t.testMode)}</span></h1>
<p>${h(t.amazonNote)}</p>
${summary(em, s, lang)}
<form method="post" action="${h(base)}/authorize"><button type="submit">${h(setup ? t.authorizeSetup : t.authorizePayment)}</button></form>
<form method="post" action="${h(base)}/fail"><button type="submit" class="secondary">${h(setup ? t.failSetup : t.failPayment)}</button></form>
<p><a href="${h(cancelHref(em, s))}">${h(t.cancel)}</a></p>`;
  send(res, 200, layout(lang, t.amazonTitle, body));
}

function clientIp(req: IncomingMessage): string {
  const a = req.socket.remoteAddress ?? '127.0.0.1';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

/**
 * `/checkout/done`: a plain "you can close this page" page that a customer's own phone can open
 * after Checkout (it cannot reach the desk's loopback return page). `session_id` (Stripe fills it
 * into success_url) gives the language and outcome; `locale=ja` the language without a session.
 */
function donePage(em: Emulator, req: IncomingMessage, res: ServerResponse, query: string): void {
  const params = new URLSearchParams(query);
  const s = em.store.objects.get(params.get('session_id') ?? '');
  const session = s?.object === 'checkout.session' ? s : undefined;
  if (session) refreshSession(em, session);
  const lang: Lang = session ? langOf(session, req) : params.get('locale') === 'ja' ? 'ja' : 'en';
  const t = T[lang];
  const outcome = session?.status === 'complete' ? t.doneSaved : t.doneCanceled;
  send(res, 200, layout(lang, t.doneTitle, `<h1>${h(t.doneTitle)}</h1><p class="done" data-outcome="${session?.status === 'complete' ? 'saved' : 'not_saved'}">${h(outcome)}</p><p>${h(t.doneClose)}</p>`));
}

export function handlePage(em: Emulator, req: IncomingMessage, res: ServerResponse, method: string, path: string, query: string): void {
  if (path === '/checkout/done' && (method === 'GET' || method === 'HEAD')) return donePage(em, req, res, query);
  const m = /^\/checkout\/pay\/([^/]+)(?:\/(continue|amazon_pay|authorize|fail))?\/?$/.exec(path);
  const s = m ? em.store.objects.get(decodeURIComponent(m[1])) : undefined;
  if (!m || !s || s.object !== 'checkout.session') {
    send(res, 404, layout('en', T.en.notFound, `<h1>${h(T.en.notFound)}</h1>`));
    return;
  }
  refreshSession(em, s);
  em.flush();
  const lang = langOf(s, req);
  if (s.status !== 'open') return closedPage(em, res, s, lang);
  const action = m[2];
  try {
    if (method === 'GET' && !action) return page1(em, res, s, lang, /(^|&)error=/.test(query));
    if (method === 'GET' && action === 'amazon_pay') return page2(em, res, s, lang);
    if (method === 'POST' && action === 'continue') {
      continueSession(em, s);
      em.flush();
      return redirect(res, `${sessionUrl(em, s.id)}/amazon_pay`);
    }
    if (method === 'POST' && action === 'authorize') {
      authorizeSession(em, s, { ip: clientIp(req), userAgent: String(req.headers['user-agent'] ?? '') });
      em.flush();
      const next = successRedirect(s);
      return next ? redirect(res, next) : closedPage(em, res, s, lang);
    }
    if (method === 'POST' && action === 'fail') {
      failSession(em, s);
      em.flush();
      return redirect(res, failRedirect(em, s));
    }
  } catch (e) {
    em.flush();
    if (e instanceof ApiError) {
      send(res, 400, layout(lang, 'Error', `<h1>Error</h1><p class="notice" role="alert">${h(e.message)}</p><p><a href="${h(sessionUrl(em, s.id))}">Back</a></p>`));
      return;
    }
    throw e;
  }
  res.writeHead(405, { Allow: 'GET, POST' });
  res.end();
}
