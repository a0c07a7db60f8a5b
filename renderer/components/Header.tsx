/**
 * App name, shop, mode badge, navigation, who is signed in, and the UI language switch. On a narrow
 * window (below 1100 px), or wherever the bar's content does not fit whole (a long name, Japanese
 * labels), navigation and the rest fold into a "Menu" button: the bar stays one line and nothing in
 * it is cut short.
 */
import { useEffect, useId, useLayoutEffect, useRef, useState, type RefObject } from 'react';
import type { AppInfo, Language, StaffView } from '../../preload/contract';
import { useLanguage, useT } from '../i18n/I18nProvider';
import type { Route } from '../router';

const LANGUAGE_BUTTONS: Array<{ lang: Language; label: string }> = [
  { lang: 'en', label: 'EN' },
  { lang: 'ja', label: '日本語' },
];

export function LanguageSwitch() {
  const t = useT();
  const { lang, setLang } = useLanguage();
  return (
    <div className="language-switch" role="group" aria-label={t('header.displayLanguage')}>
      {LANGUAGE_BUTTONS.map((b) => (
        <button key={b.lang} type="button" lang={b.lang} aria-pressed={lang === b.lang} onClick={() => setLang(b.lang)}>
          {b.label}
        </button>
      ))}
    </div>
  );
}

type NavTarget = Extract<Route['name'], 'customers' | 'staff' | 'settings' | 'audit' | 'payments' | 'outbox'>;

export function Header(props: {
  info: AppInfo | null;
  staff: StaffView | null;
  current?: Route['name'];
  onNavigate?(target: NavTarget): void;
  onSignOut?(): void;
}) {
  const t = useT();
  const { lang } = useLanguage();
  const { info, staff } = props;
  const signedInAs = staff ? t('header.signedInAs', { name: staff.name, role: t(`role.${staff.role}`) }) : '';
  const nav: NavTarget[] = staff?.role === 'manager' ? ['customers', 'payments', 'outbox', 'staff', 'settings', 'audit'] : staff ? ['customers'] : [];
  const [menuOpen, setMenuOpen] = useState(false);
  const menuId = useId();
  // Escape closes the folded menu; so does any navigation (below).
  useEffect(() => {
    if (!menuOpen) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setMenuOpen(false);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [menuOpen]);
  const headerRef = useRef<HTMLElement>(null);
  const folded = useFold(headerRef, `${lang}|${signedInAs}|${nav.join()}|${info?.shopName ?? ''}|${info?.mode ?? ''}`);
  const go = (target: NavTarget) => {
    setMenuOpen(false);
    props.onNavigate?.(target);
  };
  return (
    <header ref={headerRef} className={`app-header no-print${folded ? ' folded' : ''}${folded && menuOpen ? ' menu-open' : ''}`}>
      <div className="brand">
        <span className="app-name">{t('app.name')}</span>
        {info && <span className="shop-name" title={info.shopName}>{info.shopName}</span>}
        {info && (
          <span className={`mode-badge mode-${info.mode}`}>
            <span className="visually-hidden">{t('header.modeLabel')} </span>
            {t(`mode.${info.mode}`)}
          </span>
        )}
      </div>
      <button type="button" className="menu-toggle" aria-expanded={menuOpen} aria-controls={menuId} onClick={() => setMenuOpen((open) => !open)}>
        {t('header.menu')}
      </button>
      <div className="header-menu" id={menuId}>
        {nav.length > 0 && (
          <nav aria-label={t('nav.label')}>
            {nav.map((target) => (
              <button
                key={target}
                type="button"
                className="nav-link"
                aria-current={props.current === target || (target === 'customers' && isCustomerArea(props.current)) ? 'page' : undefined}
                onClick={() => go(target)}
              >
                {t(`nav.${target}`)}
              </button>
            ))}
          </nav>
        )}
        <div className="header-end">
          {staff && (
            <>
              {/* two short lines (role, then the whole name) so a long name fits; read out as one sentence */}
              <span className="signed-in">
                <span className="visually-hidden">{signedInAs}</span>
                <span className="signed-in-role" aria-hidden="true">
                  {t('header.signedInRole', { role: t(`role.${staff.role}`) })}
                </span>
                <span className="signed-in-name" aria-hidden="true">
                  {staff.name}
                </span>
              </span>
              <button
                type="button"
                onClick={() => {
                  setMenuOpen(false);
                  props.onSignOut?.();
                }}
              >
                {t('header.signOut')}
              </button>
            </>
          )}
          <LanguageSwitch />
        </div>
      </div>
    </header>
  );
}

const NARROW = '(max-width: 1099px)';

/**
 * Whether the header folds into its menu: always below 1100 px; above, when its content would not
 * fit whole. Measured before paint; `needed` is the width at which the unfolded bar last fitted,
 * forgotten whenever what the bar holds changes (language, who is signed in).
 */
function useFold(ref: RefObject<HTMLElement | null>, contentKey: string): boolean {
  const [narrow, setNarrow] = useState(() => typeof window !== 'undefined' && window.matchMedia(NARROW).matches);
  const [width, setWidth] = useState(0);
  const [fit, setFit] = useState<{ key: string; needed: number | null }>({ key: contentKey, needed: null });
  if (fit.key !== contentKey) setFit({ key: contentKey, needed: null });
  const folded = narrow || (fit.needed !== null && width < fit.needed);
  useEffect(() => {
    const query = window.matchMedia(NARROW);
    const onChange = () => setNarrow(query.matches);
    query.addEventListener('change', onChange);
    const header = ref.current;
    const observer = new ResizeObserver(() => setWidth(header?.clientWidth ?? 0));
    if (header) observer.observe(header);
    return () => {
      query.removeEventListener('change', onChange);
      observer.disconnect();
    };
  }, [ref]);
  useLayoutEffect(() => {
    const header = ref.current;
    if (!header || folded) return;
    const signed = header.querySelector('.signed-in-name');
    const over = Math.max(header.scrollWidth - header.clientWidth, signed ? signed.scrollWidth - signed.clientWidth : 0);
    if (over > 0) setFit({ key: contentKey, needed: header.clientWidth + over + 1 });
  }, [ref, folded, contentKey, width]);
  return folded;
}

function isCustomerArea(name: Route['name'] | undefined): boolean {
  return name !== undefined && !['staff', 'settings', 'audit', 'payments', 'outbox'].includes(name);
}
