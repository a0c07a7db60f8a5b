/**
 * The Checkout URL as a QR code for the customer's phone. Drawn by the `qrcode` package into a PNG
 * data URL (the renderer's CSP allows `img-src data:`); redrawn whenever the URL changes. The URL
 * it encodes is also on the element (`data-qr-url`) so tests and support can read it.
 */
import { useEffect, useState } from 'react';
import QRCode from 'qrcode';
import { useT } from '../i18n/I18nProvider';

/**
 * Large enough to scan from across a counter: at least 320 CSS px, and at least 6 px per module for
 * the long URLs real Stripe gives (up to 480 px); error correction M, the standard quiet zone.
 */
export const QR_OPTIONS = { errorCorrectionLevel: 'M', margin: 4, minWidth: 320, maxWidth: 480, pxPerModule: 6 } as const;

/** The drawn width for `url`: what its module count needs, within the limits above. */
export function qrWidthFor(url: string): number {
  const modules = QRCode.create(url, { errorCorrectionLevel: QR_OPTIONS.errorCorrectionLevel }).modules.size + 2 * QR_OPTIONS.margin;
  return Math.min(QR_OPTIONS.maxWidth, Math.max(QR_OPTIONS.minWidth, modules * QR_OPTIONS.pxPerModule));
}

export function CheckoutQr({ url }: { url: string }) {
  const t = useT();
  const [image, setImage] = useState<{ url: string; dataUrl: string } | null>(null);
  const width = qrWidthFor(url);
  useEffect(() => {
    let live = true;
    QRCode.toDataURL(url, { errorCorrectionLevel: QR_OPTIONS.errorCorrectionLevel, margin: QR_OPTIONS.margin, width }).then(
      (dataUrl) => {
        if (live) setImage({ url, dataUrl });
      },
      () => {
        if (live) setImage(null);
      },
    );
    return () => {
      live = false;
    };
  }, [url, width]);
  const current = image?.url === url ? image.dataUrl : null;
  return (
    <figure className="checkout-qr" data-qr-url={url}>
      {current ? (
        <img src={current} width={width} height={width} style={{ width, height: width }} alt={t('setup.qrAlt')} />
      ) : (
        <div className="qr-placeholder" style={{ width, height: width }} aria-hidden="true" />
      )}
      <figcaption>{t('setup.qrTitle')}</figcaption>
    </figure>
  );
}
