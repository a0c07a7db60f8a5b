import { useAction } from '../api';
import { useRouter } from '../router';

/** Starts an Amazon Pay setup (Checkout in setup mode) for a recorded consent and opens the waiting screen. */
export function useStartSetup(customerId: string) {
  const action = useAction();
  const { navigate } = useRouter();
  const start = async (consentId: string) => {
    const result = await action.run('setups.start', { consentId });
    if (result?.ok) navigate({ name: 'setup', customerId, setup: result.data });
  };
  return { start, busy: action.busy, error: action.error };
}
