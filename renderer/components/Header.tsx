/** App name, shop, mode badge, navigation, who is signed in, and the UI language switch. */
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

type NavTarget = Extract<Route['name'], 'customers' | 'staff' | 'settings' | 'audit'>;

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
  const nav: NavTarget[] = staff?.role === 'manager' ? ['customers', 'staff', 'settings', 'audit'] : staff ? ['customers'] : [];
  return (
    <header className="app-header no-print">
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
      {nav.length > 0 && (
        <nav aria-label={t('nav.label')}>
          {nav.map((target) => (
            <button
              key={target}
              type="button"
              className="nav-link"
              aria-current={props.current === target || (target === 'customers' && isCustomerArea(props.current)) ? 'page' : undefined}
              onClick={() => props.onNavigate?.(target)}
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
            <button type="button" onClick={props.onSignOut}>
              {t('header.signOut')}
            </button>
          </>
        )}
        <LanguageSwitch />
      </div>
    </header>
  );
}

function isCustomerArea(name: Route['name'] | undefined): boolean {
  return name !== undefined && !['staff', 'settings', 'audit'].includes(name);
}
