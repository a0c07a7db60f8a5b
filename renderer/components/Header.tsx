/**
 * App name, shop, mode badge, navigation, who is signed in, and the UI language switch. On a narrow
 * window (below 1100 px) navigation and the rest fold into a "Menu" button, so the bar is always one line.
 */
import { useEffect, useId, useState } from 'react';
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
  const go = (target: NavTarget) => {
    setMenuOpen(false);
    props.onNavigate?.(target);
  };
  return (
    <header className={`app-header no-print${menuOpen ? ' menu-open' : ''}`}>
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
              <span className="signed-in" title={signedInAs}>
                {signedInAs}
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

function isCustomerArea(name: Route['name'] | undefined): boolean {
  return name !== undefined && !['staff', 'settings', 'audit', 'payments', 'outbox'].includes(name);
}
