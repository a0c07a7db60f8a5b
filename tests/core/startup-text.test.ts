import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MAIN_TEXT_KEYS, mainText, type MainTextKey } from '../../main/core/i18n';
import { assertPortFree, PortInUse } from '../../main/port-check';
import { STARTUP_ERROR_CODES, StartupError } from '../../main/services';
import { portInUseText, startupErrorText, systemLanguage } from '../../main/startup-text';

describe('main’s catalog', () => {
  it('has Japanese for every message, different from the English one except names', () => {
    // names, and the TRAINING mark, which reads the same as the app's badge in both languages
    const names = new Set<MainTextKey>(['returnPage.title', 'pdf.trainingMark', 'mail.signature']); // mail.signature: the shop's own name and contact
    expect(MAIN_TEXT_KEYS.length).toBeGreaterThan(60);
    const same = MAIN_TEXT_KEYS.filter((key) => !names.has(key) && mainText('ja', key) === mainText('en', key));
    expect(same).toEqual([]);
  });

  it('has a start-up message for every StartupError code', () => {
    for (const code of STARTUP_ERROR_CODES) {
      expect(mainText('en', `startup.${code}`)).not.toBe(`startup.${code}`);
      expect(mainText('ja', `startup.${code}`)).toMatch(/[\u3040-\u30ff\u4e00-\u9faf]/);
    }
  });
});

describe('start-up errors in the system’s language', () => {
  it('picks Japanese from a ja locale, in POSIX precedence, else English', () => {
    expect(systemLanguage({ LANG: 'ja_JP.UTF-8' }, 'en-US')).toBe('ja');
    expect(systemLanguage({ LC_ALL: 'en_US.UTF-8', LANG: 'ja_JP.UTF-8' }, 'ja-JP')).toBe('en');
    expect(systemLanguage({ LANG: 'C' }, 'ja-JP')).toBe('ja');
    expect(systemLanguage({}, 'ja')).toBe('ja');
    expect(systemLanguage({}, 'en-GB')).toBe('en');
    expect(systemLanguage({ LANG: 'jv_ID' }, 'en-US')).toBe('en');
  });

  it('translates the reason and keeps the English specifics as details', () => {
    const error = new StartupError('data_dir_in_use', 'The data folder /d is in use by process 4242.');
    expect(startupErrorText(error, 'en')).toBe('Mandate Desk could not start: The data folder /d is in use by process 4242.');
    const ja = startupErrorText(error, 'ja');
    expect(ja).toMatch(/^Mandate Desk を起動できませんでした: このデータフォルダーは、別の Mandate Desk が使用中です。/);
    expect(ja).toContain('（詳細: The data folder /d is in use by process 4242.）');
    expect(startupErrorText(new Error('boom'), 'ja')).toBe('Mandate Desk を起動できませんでした: 予期しない問題が発生しました。（詳細: boom）');
  });

  describe('a busy port', () => {
    let holder: Server | undefined;
    afterEach(async () => {
      await new Promise((resolve) => (holder ? holder.close(resolve) : resolve(undefined)));
      holder = undefined;
    });

    it('is one line naming the port, in either language; a free port passes', async () => {
      holder = createServer();
      await new Promise<void>((resolve) => holder!.listen(0, '127.0.0.1', resolve));
      const port = (holder.address() as { port: number }).port;
      const error = await assertPortFree(port).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(PortInUse);
      expect((error as PortInUse).code).toBe('port_in_use');
      const en = startupErrorText(error, 'en');
      const ja = startupErrorText(error, 'ja');
      expect(en).toBe(portInUseText(port, 'en'));
      expect(en).toContain(`port ${port} on 127.0.0.1 is already in use`);
      expect(ja).toContain(`ポート ${port} は、ほかのプログラムが使用中です`);
      for (const line of [en, ja]) expect(line).not.toContain('\n');

      await new Promise((resolve) => holder!.close(resolve));
      holder = undefined;
      await expect(assertPortFree(port)).resolves.toBeUndefined();
      await expect(assertPortFree(0)).resolves.toBeUndefined();
    });
  });
});
