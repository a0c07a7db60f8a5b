/**
 * The renderer's only way to main: `window.api.invoke` → Result, `window.api.on` → events.
 * `call` never throws; hooks add loading state, errors and double-click protection.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { CallError, CallInput, CallOutput, Channel, EventName, Events, Result } from '../preload/contract';

type SignedOutListener = () => void;
const signedOutListeners = new Set<SignedOutListener>();

/** Called whenever main answers `not_signed_in` (e.g. locked by idleness), so the app can show sign-in. */
export function onSignedOut(listener: SignedOutListener): () => void {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

export async function call<C extends Channel>(channel: C, input: CallInput<C>): Promise<Result<CallOutput<C>>> {
  let result: Result<CallOutput<C>>;
  try {
    result = await window.api.invoke(channel, input);
  } catch (error) {
    // the transport itself failed (bridge stopped, IPC broken): nothing reached main's handlers
    result = { ok: false, error: { code: 'internal', message: `The app could not be reached: ${error instanceof Error ? error.message : String(error)}` } };
  }
  if (!result.ok && result.error.code === 'not_signed_in') for (const listener of signedOutListeners) listener();
  return result;
}

/** Subscribes to an event from main for the component's lifetime; the latest listener is always used. */
export function useApiEvent<E extends EventName>(event: E, listener: (payload: Events[E]) => void): void {
  const latest = useRef(listener);
  useEffect(() => {
    latest.current = listener;
  });
  useEffect(() => window.api.on(event, (payload) => latest.current(payload)), [event]);
}

export interface Loaded<T> {
  data: T | null;
  error: CallError | null;
  loading: boolean;
  reload(): Promise<void>;
  setData(data: T): void;
}

/** Loads a call's data when the component mounts and whenever the input changes. */
export function useLoad<C extends Channel>(channel: C, input: CallInput<C> | null): Loaded<CallOutput<C>> {
  const key = input === null ? null : JSON.stringify(input);
  const [loaded, setLoaded] = useState<{ key: string | null; data: CallOutput<C> | null; error: CallError | null }>({ key: null, data: null, error: null });
  const [reloading, setReloading] = useState(false);
  const generation = useRef(0);

  const fetchFor = useCallback(
    async (forKey: string) => {
      const mine = ++generation.current;
      const result = await call(channel, JSON.parse(forKey) as CallInput<C>);
      if (mine !== generation.current) return; // a newer load started; drop this answer
      setLoaded((prev) => (result.ok ? { key: forKey, data: result.data, error: null } : { key: forKey, data: prev.data, error: result.error }));
    },
    [channel],
  );

  useEffect(() => {
    if (key !== null) void fetchFor(key);
  }, [fetchFor, key]);

  const reload = useCallback(async () => {
    if (key === null) return;
    setReloading(true);
    try {
      await fetchFor(key);
    } finally {
      setReloading(false);
    }
  }, [fetchFor, key]);

  const setData = useCallback((data: CallOutput<C>) => setLoaded({ key, data, error: null }), [key]);
  return { data: loaded.data, error: loaded.error, loading: key !== null && (loaded.key !== key || reloading), reload, setData };
}

export interface Action {
  busy: boolean;
  error: CallError | null;
  /** Runs the call unless one is already running (a double click); returns null in that case. */
  run<C extends Channel>(channel: C, input: CallInput<C>): Promise<Result<CallOutput<C>> | null>;
  setError(error: CallError | null): void;
}

/** One user action at a time, with its error kept for display. */
export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<CallError | null>(null);
  const running = useRef(false);
  const run = useCallback(async <C extends Channel>(channel: C, input: CallInput<C>) => {
    if (running.current) return null;
    running.current = true;
    setBusy(true);
    setError(null);
    try {
      const result = await call(channel, input);
      if (!result.ok) setError(result.error);
      return result;
    } finally {
      running.current = false;
      setBusy(false);
    }
  }, []);
  return { busy, error, run, setError };
}
