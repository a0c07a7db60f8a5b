/**
 * The shop-level choices made at first start and in Settings: which currency and language a shop
 * starts with (guessed from the browser's languages), and the qualified-invoice registration number
 * as people type it.
 */
import { INVOICE_REGISTRATION_NUMBER_PATTERN, LANGUAGES, type Currency, type Language } from '../../preload/contract';

/** Where each supported currency is the everyday one (region subtags of BCP 47). */
const CURRENCY_OF_REGION: Record<string, Currency> = {
  JP: 'jpy', US: 'usd', GB: 'gbp', AU: 'aud', NZ: 'nzd', HK: 'hkd', DK: 'dkk', NO: 'nok', SE: 'sek', CH: 'chf', LI: 'chf', ZA: 'zar',
};
const EURO_REGIONS = new Set(['AT', 'BE', 'CY', 'DE', 'EE', 'ES', 'FI', 'FR', 'GR', 'HR', 'IE', 'IT', 'LT', 'LU', 'LV', 'MT', 'NL', 'PT', 'SI', 'SK']);

function regionOf(locale: string): string | null {
  try {
    // "ja" → ja-Jpan-JP, "en" → en-Latn-US: the likely region when the browser names only a language
    return new Intl.Locale(locale).maximize().region ?? null;
  } catch {
    return null;
  }
}

/**
 * The first start's suggestion from the browser's preferred languages (`navigator.languages`):
 * a Japanese browser suggests Japanese and yen; otherwise the first language the app has, and the
 * currency of the first language's region (euro when the region has none of its own here).
 */
export function shopDefaultsFor(locales: readonly string[]): { language: Language; currency: Currency } {
  const first = locales[0] ?? 'en';
  const language =
    locales.map((l) => l.toLowerCase().split('-')[0]).find((l): l is Language => (LANGUAGES as readonly string[]).includes(l)) ?? 'en';
  const region = regionOf(first);
  const currency = region ? (CURRENCY_OF_REGION[region] ?? (EURO_REGIONS.has(region) ? 'eur' : null)) : null;
  return { language, currency: currency ?? (language === 'ja' ? 'jpy' : 'eur') };
}

/**
 * A registration number as typed ("ｔ1234-5678-90123", "T 1234567890123") in its one written form
 * ("T1234567890123"); '' stays '' (not registered). The result may still be invalid: see
 * `isRegistrationNumber`.
 */
export function normalizeRegistrationNumber(text: string): string {
  return text.normalize('NFKC').replace(/[\s-]/g, '').toUpperCase();
}

/** "T" and 13 digits, as the contract requires ('' is "not registered" and passes). */
export function isRegistrationNumber(normalized: string): boolean {
  return normalized === '' || INVOICE_REGISTRATION_NUMBER_PATTERN.test(normalized);
}
