/** Dictionary lookup and `{name}` interpolation; pure, so tests and non-React code use it directly. */
import type { Language } from '../../preload/contract';
import { en, type MessageKey } from './en';
import { ja } from './ja';

export type { MessageKey };
export type Vars = Record<string, string | number>;
/** A message still to be translated: what validation helpers return. */
export interface Msg { key: MessageKey; vars?: Vars }
export type Translate = (key: MessageKey, vars?: Vars) => string;

export const DICTIONARIES: Record<Language, Record<MessageKey, string>> = { en, ja };

/** Replaces `{name}` with vars.name; a placeholder without a value stays visible rather than vanishing. */
export function interpolate(template: string, vars: Vars = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (Object.prototype.hasOwnProperty.call(vars, name) ? String(vars[name]) : whole));
}

export function translate(lang: Language, key: MessageKey, vars?: Vars): string {
  const template = DICTIONARIES[lang][key] ?? en[key] ?? key;
  return interpolate(template, vars);
}

export function translator(lang: Language): Translate {
  return (key, vars) => translate(lang, key, vars);
}

/** The placeholder names a template uses, for the completeness test. */
export function placeholdersOf(template: string): string[] {
  return [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
}
