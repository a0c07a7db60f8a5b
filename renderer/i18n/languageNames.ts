import type { Language } from '../../preload/contract';

/** Each language named in itself, the same whatever the UI language (so a customer finds their own). */
export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', ja: '日本語' };
