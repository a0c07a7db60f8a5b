/** Shop and terminal settings, kept in the app store. The contract's schema has already trimmed and range-checked the input. */
import type { Settings } from '../../preload/contract';
import type { Handlers } from './dispatch';
import type { CoreEnv } from './env';

export function settingsHandlers(env: CoreEnv): Pick<Handlers, 'settings.get' | 'settings.update'> {
  const store = env.records.shop;
  return {
    async 'settings.get'() {
      return { ...store.data.settings } satisfies Settings;
    },
    async 'settings.update'(changes) {
      return store.update((draft) => {
        const given = Object.entries(changes).filter(([, value]) => value !== undefined);
        Object.assign(draft.settings, Object.fromEntries(given));
        return { ...draft.settings };
      });
    },
  };
}
