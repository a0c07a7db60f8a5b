/** The UI language (not the customer's terms language): chosen in the header, remembered in localStorage. */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { LANGUAGES, type Language } from '../../preload/contract';
import { translator, type Translate } from './translate';

const STORAGE_KEY = 'mandate-desk.language';

function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** `?lang=ja` in the address wins (handy for tests), then the remembered choice, then the browser's language, then English. */
export function initialLanguage(): Language {
  try {
    const fromUrl = new URLSearchParams(window.location.search).get('lang');
    if (isLanguage(fromUrl)) return fromUrl;
    const stored = window.localStorage.getItem(STORAGE_KEY);
    if (isLanguage(stored)) return stored;
    const fromBrowser = (navigator.languages ?? [navigator.language]).map((l) => l.toLowerCase().split('-')[0]).find(isLanguage);
    if (fromBrowser) return fromBrowser;
  } catch {
    // storage can be unavailable; English is a fine default
  }
  return 'en';
}

interface I18nValue { lang: Language; setLang(lang: Language): void; t: Translate }
const I18nContext = createContext<I18nValue | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Language>(initialLanguage);
  const setLang = useCallback((next: Language) => {
    setLangState(next);
    try {
      window.localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // not remembered; still switched for this session
    }
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const value = useMemo(() => ({ lang, setLang, t: translator(lang) }), [lang, setLang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

function useI18n(): I18nValue {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useT outside I18nProvider');
  return value;
}

/** The translate function for the current UI language. */
export function useT(): Translate {
  return useI18n().t;
}

export function useLanguage(): { lang: Language; setLang(lang: Language): void } {
  const { lang, setLang } = useI18n();
  return { lang, setLang };
}
