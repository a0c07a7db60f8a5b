import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import { QR_OPTIONS, qrWidthFor } from '../../renderer/components/CheckoutQr';
import { checkSetupSettings, isShopWebPage } from '../../renderer/lib/setupSettings';
import { msUntilOnStripeClock } from '../../renderer/lib/stripeClock';

describe('qrWidthFor', () => {
  it('gives short training URLs the minimum size and long Stripe URLs at least 6 px per module, up to the maximum', () => {
    const training = 'http://127.0.0.1:43123/checkout/pay/cs_test_a1b2c3d4e5f6g7h8i9j0';
    expect(qrWidthFor(training)).toBe(QR_OPTIONS.minWidth);
    // a real Checkout URL carries a long fragment
    const live = `https://checkout.stripe.com/c/pay/cs_live_${'a1B2c3D4'.repeat(8)}#${'fidkdWxOYHwnPyd1blpxYHZxWjA0'.repeat(9)}`;
    const modules = QRCode.create(live, { errorCorrectionLevel: 'M' }).modules.size + 2 * QR_OPTIONS.margin;
    const width = qrWidthFor(live);
    expect(width).toBeGreaterThan(QR_OPTIONS.minWidth);
    expect(width).toBeLessThanOrEqual(QR_OPTIONS.maxWidth);
    expect(width / modules).toBeGreaterThanOrEqual(Math.min(QR_OPTIONS.pxPerModule, QR_OPTIONS.maxWidth / modules));
  });
});

describe('setup settings form', () => {
  it('accepts an https page or nothing, and 30 to 1440 minutes', () => {
    expect(isShopWebPage('')).toBe(true);
    expect(isShopWebPage(' https://sakura.example/thanks ')).toBe(true);
    for (const bad of ['http://sakura.example/', 'https://localhost/', 'ftp://sakura.example', 'sakura.example', 'https://a:b@sakura.example/']) expect(isShopWebPage(bad), bad).toBe(false);
    expect(checkSetupSettings({ setupFinishOn: 'phone', setupExpiryMinutes: ' 45 ', shopWebPage: ' https://sakura.example/ ' })).toEqual({
      ok: true,
      value: { setupFinishOn: 'phone', setupExpiryMinutes: 45, shopWebPage: 'https://sakura.example/' },
    });
    const refused = checkSetupSettings({ setupFinishOn: 'this_computer', setupExpiryMinutes: '29', shopWebPage: 'http://x.example' });
    expect(refused).toEqual({
      ok: false,
      errors: { setupExpiryMinutes: { key: 'validation.range', vars: { min: 30, max: 1440 } }, shopWebPage: { key: 'validation.httpsUrl' } },
    });
    expect(checkSetupSettings({ setupFinishOn: 'phone', setupExpiryMinutes: '1441', shopWebPage: '' }).ok).toBe(false);
    expect(checkSetupSettings({ setupFinishOn: 'phone', setupExpiryMinutes: '30.5', shopWebPage: '' }).ok).toBe(false);
  });
});

describe('msUntilOnStripeClock', () => {
  it('counts down on Stripe’s clock: a training clock 135 days ahead does not leave 135 days on a 30-minute page', () => {
    const deskNow = Date.parse('2026-12-01T10:00:00Z');
    const offset = 135 * 86_400_000;
    const expiresAt = new Date(deskNow + offset + 30 * 60_000).toISOString();
    expect(msUntilOnStripeClock(expiresAt, deskNow, offset)).toBe(30 * 60_000);
    expect(msUntilOnStripeClock(expiresAt, deskNow, 0)).toBe(offset + 30 * 60_000); // what the screen showed before
  });
});
