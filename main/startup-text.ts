/**
 * What a person reads when the app cannot start: there is no window yet, so the line (or dialog)
 * is in the system's language, through main's catalog. Plain Node: the Electron entry, the browser
 * bridge and `scripts/start-browser.mjs` (through tsx) all use it.
 */
import type { Language } from '../preload/contract';
import { mainText, type MainTextKey } from './core/i18n';

/** Codes with a message of their own (mirrors StartupError's codes in services.ts). */
const KNOWN_CODES = new Set(['invalid_stripe_key', 'bad_arguments', 'emulator_unreachable', 'data_dir_in_use', 'port_in_use']);

/**
 * The language to speak before the shop's settings are known: the POSIX locale variables in
 * their order of precedence, then the runtime's own locale; Japanese for `ja…`, otherwise English.
 */
export function systemLanguage(env: NodeJS.ProcessEnv = process.env, runtimeLocale: string = Intl.DateTimeFormat().resolvedOptions().locale): Language {
  const locale = [env.LC_ALL, env.LC_MESSAGES, env.LANG].find((value) => value && value !== 'C' && value !== 'POSIX') ?? runtimeLocale;
  return /^ja([_.-]|$)/i.test(locale) ? 'ja' : 'en';
}

interface StartupLike {
  name: string;
  code: string;
  message: string;
  port?: number;
}

function isStartupError(error: unknown): error is StartupLike {
  return error instanceof Error && error.name === 'StartupError' && typeof (error as { code?: unknown }).code === 'string';
}

/** The one line for a busy `--port`. */
export function portInUseText(port: number, language: Language): string {
  return mainText(language, 'startup.couldNotStart', { reason: mainText(language, 'startup.port_in_use', { port }) });
}

/**
 * One line (or a dialog's text) for a start-up failure. English keeps the error's own message,
 * which already names the specifics; other languages get the translated reason, with the English
 * specifics in brackets where they add something (which process holds the folder, which option).
 */
export function startupErrorText(error: unknown, language: Language): string {
  const message = error instanceof Error ? error.message : String(error);
  if (isStartupError(error) && KNOWN_CODES.has(error.code)) {
    if (error.code === 'port_in_use' && typeof error.port === 'number') return portInUseText(error.port, language);
    if (language === 'en') return mainText('en', 'startup.couldNotStart', { reason: message });
    const reason = mainText(language, `startup.${error.code}` as MainTextKey);
    return mainText(language, 'startup.couldNotStart', { reason: `${reason}${mainText(language, 'startup.details', { details: message })}` });
  }
  if (language === 'en') return mainText('en', 'startup.couldNotStart', { reason: message });
  return mainText(language, 'startup.couldNotStart', { reason: `${mainText(language, 'startup.other')}${mainText(language, 'startup.details', { details: message })}` });
}
