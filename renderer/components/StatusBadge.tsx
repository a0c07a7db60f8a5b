import type { ConsentStatus, RefundView, SetupStatus, SubscriptionView } from '../../preload/contract';
import { useT } from '../i18n/I18nProvider';
import type { ChargeDisplayStatus } from '../lib/describe';

type Tone = 'good' | 'bad' | 'neutral' | 'warn';

const TONES: Record<string, Tone> = {
  active: 'good',
  succeeded: 'good',
  trialing: 'good',
  open: 'warn',
  pending: 'warn',
  processing: 'warn',
  action_required: 'warn',
  past_due: 'warn',
  incomplete: 'warn',
  not_started: 'neutral',
  withdrawn: 'bad',
  expired: 'bad',
  failed: 'bad',
  declined: 'bad',
  unavailable: 'warn',
  canceled: 'neutral',
  detached: 'neutral',
  unpaid: 'bad',
  incomplete_expired: 'bad',
  paused: 'neutral',
  refunded: 'neutral',
  partly_refunded: 'neutral',
};

function Badge({ status, text }: { status: string; text: string }) {
  return <span className={`badge badge-${TONES[status] ?? 'neutral'}`}>{text}</span>;
}

export function ConsentStatusBadge({ status }: { status: ConsentStatus }) {
  const t = useT();
  return <Badge status={status} text={t(`consentStatus.${status}`)} />;
}
export function SetupStatusBadge({ status }: { status: SetupStatus }) {
  const t = useT();
  return <Badge status={status} text={t(`setupStatus.${status}`)} />;
}
export function ChargeStatusBadge({ status }: { status: ChargeDisplayStatus }) {
  const t = useT();
  return <Badge status={status} text={t(`chargeStatus.${status}`)} />;
}
export function RefundStatusBadge({ status }: { status: RefundView['status'] }) {
  const t = useT();
  return <Badge status={status} text={t(`refundStatus.${status}`)} />;
}
export function MethodStatusBadge({ status }: { status: 'active' | 'detached' }) {
  const t = useT();
  return <Badge status={status} text={t(`methodStatus.${status}`)} />;
}
export function SubscriptionStatusBadge({ status }: { status: SubscriptionView['status'] }) {
  const t = useT();
  return <Badge status={status} text={t(`subscriptionStatus.${status}`)} />;
}
