/**
 * Staff, roles and the one session of this terminal. The session lives in memory (a restart signs
 * out); failed PIN counts and lock-outs live in the store, so a restart does not reset them.
 */
import type { AuthStatus, StaffView } from '../../preload/contract';
import type { StaffRecord } from './data';
import type { Handlers, SessionPort } from './dispatch';
import type { CoreEnv } from './env';
import { AppError } from './errors';
import { mainText } from './i18n';
import { hashPin, verifyPin, verifyPinDecoy } from './pin';

export const MAX_FAILED_ATTEMPTS = 5;
export const LOCK_MINUTES = 5;
/** Sign-in attempts that may wait or run at once, over all accounts (a person signs in once at a time). */
export const MAX_WAITING_SIGN_INS = 8;

type AuthHandlers = Pick<Handlers, 'auth.status' | 'auth.setupFirstManager' | 'auth.signIn' | 'auth.signOut' | 'staff.list' | 'staff.create' | 'staff.update'>;

export function toStaffView(record: StaffRecord): StaffView {
  return { id: record.id, name: record.name, role: record.role, active: record.active, createdAt: record.createdAt };
}

/** Names match ignoring case and full-width/half-width form ("ｂｏｂ" is "Bob"). */
const nameKey = (name: string) => name.normalize('NFKC').toLocaleLowerCase();
const sameName = (a: string, b: string) => nameKey(a) === nameKey(b);

function activeManagers(staff: readonly StaffRecord[]): number {
  return staff.filter((s) => s.active && s.role === 'manager').length;
}

export function createAuth(env: CoreEnv): { handlers: AuthHandlers; session: SessionPort } {
  const store = env.records.shop;
  const { clock } = env;
  let signedInId: string | null = null;
  let lastActivityMs = 0;

  const now = () => clock.now();

  const status = (staff: StaffView | null): AuthStatus => ({
    staff,
    needsFirstManager: store.data.staff.length === 0,
    idleLockMinutes: store.data.settings.idleLockMinutes,
  });

  const endSession = () => {
    signedInId = null;
    env.emit('auth.changed', status(null));
  };

  const startSession = (record: StaffRecord) => {
    signedInId = record.id;
    lastActivityMs = now().getTime();
    env.emit('auth.changed', status(toStaffView(record)));
  };

  const session: SessionPort = {
    current() {
      if (signedInId === null) return null;
      const record = store.data.staff.find((s) => s.id === signedInId);
      const idleMs = store.data.settings.idleLockMinutes * 60_000;
      if (!record || !record.active || now().getTime() - lastActivityMs >= idleMs) {
        endSession();
        return null;
      }
      return toStaffView(record);
    },
    touch() {
      if (signedInId !== null) lastActivityMs = now().getTime();
    },
  };

  const findStaff = (staffId: string): StaffRecord => {
    const record = store.data.staff.find((s) => s.id === staffId);
    if (!record) throw new AppError('not_found', `There is no staff member ${staffId}.`);
    return record;
  };

  const assertNameFree = (staff: readonly StaffRecord[], name: string) => {
    if (staff.some((s) => sameName(s.name, name)))
      throw new AppError('conflict', `A staff member named "${name}" already exists. Names must be unique.`);
  };

  const newStaffRecord = async (name: string, pin: string, role: StaffRecord['role']): Promise<StaffRecord> => {
    const { hash, salt } = await hashPin(pin);
    return {
      id: env.ids.next('staff'),
      name,
      role,
      active: true,
      pinHash: hash,
      pinSalt: salt,
      failedAttempts: 0,
      lockedUntil: null,
      createdAt: now().toISOString(),
    };
  };

  const badCredentials = () => new AppError('bad_credentials', 'That name and PIN do not match an active staff member.');
  const lockedOut = (until: string) =>
    new AppError('locked_out', `Too many wrong PINs: this account is locked until ${until} (UTC). Try again then, or ask a manager to reset the PIN.`);

  const tooManyAttempts = () => new AppError('too_many_attempts', 'Too many sign-in attempts are already waiting. Wait a moment and try again.');

  // Attempts on one account run one after another, so a lock set by one attempt holds for every
  // attempt queued behind it (checked before the PIN is, never before the queue).
  let signInsWaiting = 0;
  const accountQueues = new Map<string, Promise<unknown>>();
  const oneAtATime = <T>(staffId: string, task: () => Promise<T>): Promise<T> => {
    const run = (accountQueues.get(staffId) ?? Promise.resolve()).then(task);
    const settled = run.catch(() => {});
    accountQueues.set(staffId, settled);
    void settled.then(() => {
      if (accountQueues.get(staffId) === settled) accountQueues.delete(staffId);
    });
    return run;
  };

  const attemptSignIn = async (staffId: string, pin: string): Promise<AuthStatus> => {
    const candidate = store.data.staff.find((s) => s.id === staffId && s.active);
    if (!candidate) throw badCredentials();
    if (candidate.lockedUntil && Date.parse(candidate.lockedUntil) > now().getTime()) throw lockedOut(candidate.lockedUntil);

    const ok = await verifyPin(pin, { hash: candidate.pinHash, salt: candidate.pinSalt });
    const at = now();
    const updated = await store.update((draft) => {
      const record = draft.staff.find((s) => s.id === candidate.id);
      if (!record) return null;
      if (ok) {
        record.failedAttempts = 0;
        record.lockedUntil = null;
      } else {
        record.failedAttempts += 1;
        if (record.failedAttempts >= MAX_FAILED_ATTEMPTS) {
          record.failedAttempts = 0;
          record.lockedUntil = new Date(at.getTime() + LOCK_MINUTES * 60_000).toISOString();
        }
      }
      return { ...record };
    });
    if (!updated) throw badCredentials();
    if (!ok) throw updated.lockedUntil ? lockedOut(updated.lockedUntil) : badCredentials();
    startSession(updated);
    return status(toStaffView(updated));
  };

  const handlers: AuthHandlers = {
    async 'auth.status'() {
      return status(session.current());
    },

    async 'auth.setupFirstManager'({ name, pin, shopName, shopContact, currency, language }) {
      const record = await newStaffRecord(name, pin, 'manager');
      await store.update((draft) => {
        // checked inside the queued update, so two first starts cannot both win
        if (draft.staff.length > 0) throw new AppError('conflict', 'The first manager has already been set up. Sign in instead.');
        draft.staff.push(record);
        // the terms every customer accepts name the shop and how to reach it
        draft.settings.shopName = shopName;
        draft.settings.shopContact = shopContact;
        // new consents start in the shop's currency, new customers in its language
        if (currency) draft.settings.defaultCurrency = currency;
        if (language) {
          draft.settings.defaultLanguage = language;
          // the counter's name is printed on terms: an untouched default follows the shop's language
          if (draft.settings.terminalName === mainText('en', 'defaults.terminalName')) draft.settings.terminalName = mainText(language, 'defaults.terminalName');
        }
      });
      startSession(record);
      return status(toStaffView(record));
    },

    async 'auth.signIn'({ name, pin }) {
      // each attempt costs one scrypt: beyond the cap, refuse at once rather than queue more work
      if (signInsWaiting >= MAX_WAITING_SIGN_INS) throw tooManyAttempts();
      signInsWaiting += 1;
      try {
        const candidate = store.data.staff.find((s) => s.active && sameName(s.name, name));
        if (!candidate) {
          await verifyPinDecoy(pin);
          throw badCredentials();
        }
        return await oneAtATime(candidate.id, () => attemptSignIn(candidate.id, pin));
      } finally {
        signInsWaiting -= 1;
      }
    },

    async 'auth.signOut'() {
      if (signedInId !== null) endSession();
      return status(null);
    },

    async 'staff.list'() {
      return store.data.staff.map(toStaffView);
    },

    async 'staff.create'({ name, pin, role }) {
      assertNameFree(store.data.staff, name);
      const record = await newStaffRecord(name, pin, role);
      await store.update((draft) => {
        assertNameFree(draft.staff, name);
        draft.staff.push(record);
      });
      return toStaffView(record);
    },

    async 'staff.update'({ staffId, role, active, pin }) {
      findStaff(staffId);
      const newPin = pin === undefined ? null : await hashPin(pin);
      const updated = await store.update((draft) => {
        const record = draft.staff.find((s) => s.id === staffId);
        if (!record) throw new AppError('not_found', `There is no staff member ${staffId}.`);
        if (role !== undefined) record.role = role;
        if (active !== undefined) record.active = active;
        if (newPin) {
          // a new PIN set by a manager also lifts a lock-out
          record.pinHash = newPin.hash;
          record.pinSalt = newPin.salt;
          record.failedAttempts = 0;
          record.lockedUntil = null;
        }
        if (activeManagers(draft.staff) === 0)
          throw new AppError('conflict', 'This is the last active manager: add or activate another manager first.');
        return { ...record };
      });
      if (signedInId === updated.id && !updated.active) endSession();
      return toStaffView(updated);
    },
  };

  return { handlers, session };
}
