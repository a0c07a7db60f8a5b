/** Turning a call's error into words: the translated code, plus main's specifics where they help. */
import type { CallError, ErrorCode } from '../../preload/contract';
import type { Msg, Translate } from '../i18n/translate';

/** Codes whose translated message already says everything; main's English text would only repeat it. */
const SELF_EXPLAINING: ReadonlySet<ErrorCode> = new Set(['bad_credentials', 'not_signed_in', 'forbidden_role', 'unknown_channel']);

export function errorText(t: Translate, error: CallError): { message: string; details: string | null } {
  const message = t(`error.${error.code}`);
  const details = SELF_EXPLAINING.has(error.code) || !error.message ? null : error.message;
  return { message, details };
}

/** Field errors shown next to inputs: the client's own (translated) first, then what main said. */
export function fieldErrors(t: Translate, client: Record<string, Msg>, server: CallError | null, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  if (server?.code === 'invalid_input' && server.fields) {
    for (const [path, message] of Object.entries(server.fields)) {
      if (path.startsWith(prefix)) out[path.slice(prefix.length)] = message;
    }
  }
  for (const [field, msg] of Object.entries(client)) out[field] = t(msg.key, msg.vars);
  return out;
}
