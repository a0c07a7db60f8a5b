/**
 * The audit trail edited behind the app's back: at the next start the app says which entry and
 * why, in the staff's language, on the notice every screen shows and on the audit screen; the
 * English text stays there for support.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from './fixtures';
import { createCustomer, createFirstManager, deskOf, goToNav, heading1, MANAGER, screen, signIn, switchLanguage } from './steps';

test('an audit entry edited on disk: the app names the entry and says why, in Japanese', async ({ app }, testInfo) => {
  const desk = deskOf(app, 'ja');
  const { page, t } = desk;
  await switchLanguage(desk);
  await createFirstManager(desk);
  await createCustomer(desk, { name: '山田 花子', email: 'hanako.audit@example.jp', language: 'ja' });

  // someone edits entry 2 in the file while the app is closed
  await app.stop();
  const segment = join(app.dataDir, 'training', 'audit', 'segment-000001.jsonl');
  const lines = (await readFile(segment, 'utf8')).trimEnd().split('\n');
  const edited = JSON.parse(lines[1]) as { seq: number; summary: string };
  expect(edited.seq).toBe(2);
  lines[1] = JSON.stringify({ ...edited, summary: 'nothing happened here' });
  await writeFile(segment, `${lines.join('\n')}\n`);

  await app.start();
  await switchLanguage(desk);
  await signIn(desk, MANAGER, 'manager');
  const said = t('auditProblem.entry_changed', { seq: 2 });
  const notice = page.getByRole('alert').filter({ hasText: t('notice.auditBroken') }).first();
  await expect(notice).toContainText(said);
  await expect(notice).toContainText('Entry 2 was changed after it was written');

  await goToNav(desk, 'audit');
  await expect(heading1(desk, t('audit.title'))).toBeVisible();
  await expect(page.getByRole('main').getByRole('alert').filter({ hasText: said })).toBeVisible();
  // the finding is itself an entry of the log, said the same way
  await expect(page.getByRole('row').filter({ hasText: `${t('auditAction.audit.chainBroken')} — ${said}` })).toBeVisible();
  await screen(page, testInfo, 'ja-audit-chain-broken');
});
