/** Turning a call's error into words: the translated code, plus main's specifics where they help. */
import type { CallError, ErrorCode, Language } from '../../preload/contract';
import type { Msg, Translate } from '../i18n/translate';

/** Codes whose translated message already says everything; main's English text would only repeat it. */
const SELF_EXPLAINING: ReadonlySet<ErrorCode> = new Set(['bad_credentials', 'not_signed_in', 'forbidden_role', 'unknown_channel']);

/** The language `t` speaks (its dictionary says which). */
const languageOf = (t: Translate): Language => (t('meta.language') === 'ja' ? 'ja' : 'en');

/**
 * The translated code, main's detail in the UI language (never English under Japanese text: a detail
 * main has no text for in this language is left out), and Stripe's own text as a separate line.
 */
export function errorText(t: Translate, error: CallError): { message: string; details: string | null; stripeMessage: string | null } {
  const lang = languageOf(t);
  const message = t(`error.${error.code}`);
  const localized = lang === 'en' ? error.message : (error.localized?.[lang] ?? null);
  const stripeMessage = error.stripeMessage ? t('error.stripeMessage', { message: error.stripeMessage }) : null;
  // a detail that is only Stripe's text is shown once, as Stripe's
  const details = SELF_EXPLAINING.has(error.code) || !localized || localized === error.stripeMessage ? null : localized;
  return { message, details, stripeMessage };
}

/** Field errors shown next to inputs: the client's own (translated) first, then what main said. */
export function fieldErrors(t: Translate, client: Record<string, Msg>, server: CallError | null, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  if (server?.code === 'invalid_input' && server.fields) {
    for (const [path, message] of Object.entries(server.fields)) {
      // main's field messages are English: in another language the field says so in its own words
      if (path.startsWith(prefix)) out[path.slice(prefix.length)] = languageOf(t) === 'en' ? message : t('error.fieldRefused');
    }
  }
  for (const [field, msg] of Object.entries(client)) out[field] = t(msg.key, msg.vars);
  return out;
}
