/**
 * Waiting while the customer finishes Amazon Pay, on this computer's browser or on their own phone
 * (a QR code of the Checkout URL; Settings says which comes first): expiry with a countdown on
 * Stripe's clock, check now, open on this computer, cancel; then the outcome (saved method, or
 * failed / expired / canceled with "Try again"), shown the moment main learns it.
 */
import { useState } from 'react';
import type { Result, SetupView } from '../../preload/contract';
import { useAction, useApiEvent, useLoad } from '../api';
import { ConfirmButton } from '../components/ConfirmButton';
import { ErrorAlert, StatusMessage } from '../components/ErrorAlert';
import { ScreenHeading } from '../components/ScreenHeading';
import { MethodLabel } from '../components/MethodLabel';
import { SetupStatusBadge } from '../components/StatusBadge';
import { formatCountdown, formatDateTime } from '../i18n/format';
import { useLanguage, useT } from '../i18n/I18nProvider';
import { CheckoutQr } from '../components/CheckoutQr';
import { useNow } from '../lib/hooks';
import { msUntilOnStripeClock, useStripeOffset } from '../lib/stripeClock';
import { useStartSetup } from '../lib/useStartSetup';
import { useRouter } from '../router';
import { useSession } from '../session';
import { FailureReason } from '../components/FailureReason';
import { SendLinkByEmail } from '../components/SendLinkByEmail';

export function SetupScreen({ customerId, initial, notice }: { customerId: string; initial: SetupView; notice?: 'alreadyOpen' }) {
  const t = useT();
  const { lang } = useLanguage();
  const { navigate } = useRouter();
  const [latest, setLatest] = useState(initial);
  /** Set once main answered or pushed this setup: from then on `latest` is complete. */
  const [heardFromMain, setHeardFromMain] = useState(false);
  const setSetup = (next: SetupView) => {
    setLatest(next);
    setHeardFromMain(true);
  };
  const check = useAction();
  const reopen = useAction();
  const cancel = useAction();
  const retry = useStartSetup(customerId);
  const customer = useLoad('customers.get', { customerId });
  const settings = useLoad('settings.get', {});
  const onPhone = settings.data?.setupFinishOn === 'phone';

  useApiEvent('setup.updated', (s) => {
    if (s.id === latest.id) setSetup(s);
  });
  // The customer may have canceled on Checkout before this screen opened (the route's copy cannot
  // know, it comes from the stored record): main's open list says so.
  const openList = useLoad('setups.listOpen', {});
  const canceledBefore = openList.data?.find((s) => s.id === latest.id)?.customerCanceledAt;
  const setup = !heardFromMain && canceledBefore && latest.status === 'open' ? { ...latest, customerCanceledAt: canceledBefore } : latest;

  const apply = (result: Result<SetupView> | null) => {
    if (result?.ok) setSetup(result.data);
  };

  const consent = customer.data?.consents.find((c) => c.id === setup.consentId) ?? null;
  const backToCustomer = (
    <button type="button" onClick={() => navigate({ name: 'customer', customerId })}>
      {t('customer.backTo', { name: customer.data?.customer.name ?? '' })}
    </button>
  );

  return (
    <section>
      <ScreenHeading actions={backToCustomer}>{t('setup.title')}</ScreenHeading>
      <p className="lead">
        {t('setup.statusLabel')} <SetupStatusBadge status={setup.status} />
      </p>
      {notice === 'alreadyOpen' && setup.status === 'open' && <StatusMessage tone="warning">{t('setup.alreadyOpen')}</StatusMessage>}

      {setup.status === 'open' && setup.customerCanceledAt && (
        <section className="panel outcome outcome-error" aria-labelledby="customer-canceled-heading">
          <h2 id="customer-canceled-heading">{t('setup.customerCanceled')}</h2>
          <div role="alert">
            <p>{t('setup.customerCanceledMessage', { time: formatDateTime(setup.customerCanceledAt, lang) })}</p>
          </div>
          <ExternalLink setup={setup} onlyOnceOpened={onPhone} />
          <ErrorAlert error={reopen.error} />
          <ErrorAlert error={cancel.error} />
          <div className="form-actions">
            <button type="button" className="button-primary" onClick={async () => apply(await reopen.run('setups.reopen', { setupId: setup.id }))} disabled={reopen.busy || cancel.busy}>
              {reopen.busy ? t('common.working') : t('setup.customerCanceledRetry')}
            </button>
            <button type="button" className="button-danger" onClick={async () => apply(await cancel.run('setups.cancel', { setupId: setup.id }))} disabled={reopen.busy || cancel.busy}>
              {cancel.busy ? t('common.working') : t('setup.customerCanceledCancel')}
            </button>
          </div>
        </section>
      )}

      {setup.status === 'open' && !setup.customerCanceledAt && (
        <section className={`panel waiting${onPhone ? ' waiting-phone' : ''}`} aria-labelledby="waiting-heading">
          <h2 id="waiting-heading">{onPhone ? t('setup.waitingPhone') : t('setup.waiting')}</h2>
          <div role="status">
            <p>{onPhone ? t('setup.waitingPhoneHint') : t('setup.waitingHint')}</p>
          </div>
          <Expiry expiresAt={setup.expiresAt} />
          <div className={`setup-ways${onPhone ? '' : ' setup-ways-computer-first'}`}>
            {setup.url && (
              <div className="setup-way-phone">
                <CheckoutQr url={setup.url} />
                {!onPhone && <p className="hint">{t('setup.qrLoopbackNote')}</p>}
              </div>
            )}
            <div className="setup-way-other">
              {onPhone && <h3>{t('setup.otherWays')}</h3>}
              <button type="button" className={onPhone ? undefined : 'button-primary'} onClick={async () => apply(await reopen.run('setups.reopen', { setupId: setup.id }))} disabled={reopen.busy}>
                {t('setup.openHere')}
              </button>
              <ErrorAlert error={reopen.error} />
              <SendLinkByEmail setup={setup} email={customer.data?.customer.email ?? null} />
              <ExternalLink setup={setup} onlyOnceOpened={onPhone} />
            </div>
          </div>
          <ErrorAlert error={check.error} />
          <ErrorAlert error={cancel.error} />
          <div className="form-actions">
            <button type="button" className="button-primary" onClick={async () => apply(await check.run('setups.check', { setupId: setup.id }))} disabled={check.busy}>
              {check.busy ? t('common.working') : t('setup.checkNow')}
            </button>
            <ConfirmButton
              label={t('setup.cancel')}
              question={t('setup.cancelQuestion')}
              confirmLabel={t('setup.cancelConfirm')}
              cancelLabel={t('setup.keepWaiting')}
              busy={cancel.busy}
              danger
              onConfirm={async () => apply(await cancel.run('setups.cancel', { setupId: setup.id }))}
            />
          </div>
        </section>
      )}

      {setup.status === 'succeeded' && (
        <section className="panel outcome outcome-success" aria-labelledby="success-heading">
          <h2 id="success-heading">{t('setup.succeeded')}</h2>
          <StatusMessage tone="success">{t('setup.succeededMessage')}</StatusMessage>
          <dl className="details compact">
            <dt>{t('setup.paymentMethod')}</dt>
            <dd>{setup.paymentMethodId ? <MethodLabel paymentMethodId={setup.paymentMethodId} /> : '—'}</dd>
            <dt>{t('setup.savedAt')}</dt>
            <dd>{setup.finishedAt ? <DateTime iso={setup.finishedAt} /> : '—'}</dd>
            <dt>{t('setup.consent')}</dt>
            <dd>
              {consent ? consent.params.purpose : ''} <code className="id">{setup.consentId}</code>
            </dd>
            {setup.mandateId && (
              <>
                <dt>{t('setup.mandate')}</dt>
                <dd>
                  <code className="id">{setup.mandateId}</code>
                </dd>
              </>
            )}
          </dl>
          <div className="form-actions">
            <button type="button" className="button-primary" onClick={() => navigate({ name: 'customer', customerId })}>
              {t('setup.backToCustomer')}
            </button>
          </div>
        </section>
      )}

      {(setup.status === 'failed' || setup.status === 'expired' || setup.status === 'canceled') && (
        <section className="panel outcome outcome-error" aria-labelledby="ended-heading">
          <h2 id="ended-heading">{t(`setup.ended.${setup.status}`)}</h2>
          <div role="alert">
            <p>{t(`setup.endedMessage.${setup.status}`)}</p>
            {setup.finishedAt && (
              <p className="hint">
                {t('setup.endedAt')} <DateTime iso={setup.finishedAt} />
                {setup.status === 'expired' && (
                  <>
                    {' · '}
                    {t('setup.expiredAtLabel')} <DateTime iso={setup.expiresAt} />
                  </>
                )}
              </p>
            )}
            {setup.failure && <p><FailureReason failure={setup.failure} /></p>}
          </div>
          <p>{t('setup.consentKept')}</p>
          <ErrorAlert error={retry.error} />
          <div className="form-actions">
            <button type="button" className="button-primary" onClick={() => void retry.start(setup.consentId)} disabled={retry.busy || consent?.status === 'withdrawn'}>
              {retry.busy ? t('common.working') : t('setup.tryAgain')}
            </button>
            <button type="button" onClick={() => navigate({ name: 'customer', customerId })}>
              {t('setup.backToCustomer')}
            </button>
          </div>
        </section>
      )}
    </section>
  );
}

function DateTime({ iso }: { iso: string }) {
  const { lang } = useLanguage();
  return <time dateTime={iso}>{formatDateTime(iso, lang)}</time>;
}

/** The countdown runs on Stripe's clock (the training clock may be days ahead of this computer's). */
function Expiry({ expiresAt }: { expiresAt: string }) {
  const t = useT();
  const now = useNow(1000);
  const stripeOffset = useStripeOffset();
  const left = msUntilOnStripeClock(expiresAt, now, stripeOffset);
  return (
    <p className="expiry">
      {t('setup.expiresLabel')} <DateTime iso={expiresAt} />{' '}
      <span className="countdown">
        {left > 0 ? t('setup.remaining', { time: formatCountdown(left, (days) => t('setup.days', { days })) }) : t('setup.expiredLocally')}
      </span>
    </p>
  );
}

/** In the browser bridge a popup can be blocked: offer the page the app asked to open as a plain link. */
function ExternalLink({ setup, onlyOnceOpened }: { setup: SetupView; onlyOnceOpened: boolean }) {
  const t = useT();
  const { info, lastExternalUrl } = useSession();
  if (info.transport !== 'browser') return null;
  // On the phone nothing is opened here until staff choose "Open on this computer".
  if (onlyOnceOpened && lastExternalUrl !== setup.url) return null;
  const url = lastExternalUrl ?? setup.url;
  if (!url) return null;
  return (
    <p className="external-link">
      {t('setup.popupBlocked')}{' '}
      <a href={url} target="_blank" rel="noopener noreferrer">
        {t('setup.openCheckout')}
      </a>
    </p>
  );
}
