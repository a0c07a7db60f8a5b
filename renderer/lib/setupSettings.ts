/** Client-side checks for the setup settings, mirroring the contract (`settings.update`). */
import { SETUP_EXPIRY_MINUTES, type SetupFinishOn } from '../../preload/contract';
import type { Msg } from '../i18n/translate';

export interface SetupSettingsForm { setupFinishOn: SetupFinishOn; setupExpiryMinutes: string; shopWebPage: string }
export interface SetupSettingsValue { setupFinishOn: SetupFinishOn; setupExpiryMinutes: number; shopWebPage: string }
type Field = 'setupExpiryMinutes' | 'shopWebPage';

/** An https address with a dotted host and no user info, or '' (as the contract's ShopWebPage). */
export function isShopWebPage(text: string): boolean {
  const value = text.trim();
  if (value === '') return true;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && url.hostname.includes('.') && url.username === '' && url.password === '' && value.length <= 500;
  } catch {
    return false;
  }
}

export function checkSetupSettings(form: SetupSettingsForm): { ok: true; value: SetupSettingsValue } | { ok: false; errors: Partial<Record<Field, Msg>> } {
  const errors: Partial<Record<Field, Msg>> = {};
  const minutes = Number(form.setupExpiryMinutes);
  if (!/^\d+$/.test(form.setupExpiryMinutes.trim()) || minutes < SETUP_EXPIRY_MINUTES.min || minutes > SETUP_EXPIRY_MINUTES.max)
    errors.setupExpiryMinutes = { key: 'validation.range', vars: { min: SETUP_EXPIRY_MINUTES.min, max: SETUP_EXPIRY_MINUTES.max } };
  if (!isShopWebPage(form.shopWebPage)) errors.shopWebPage = { key: 'validation.httpsUrl' };
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value: { setupFinishOn: form.setupFinishOn, setupExpiryMinutes: minutes, shopWebPage: form.shopWebPage.trim() } };
}
