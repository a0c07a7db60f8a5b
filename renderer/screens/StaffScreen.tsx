/** Managers: the staff list; add someone, change a role, deactivate/reactivate, reset a PIN. */
import { useState } from 'react';
import type { Role, StaffView } from '../../preload/contract';
import { useAction, useLoad } from '../api';
import { ErrorAlert, StatusMessage } from '../components/ErrorAlert';
import { PinField, SelectField, TextField } from '../components/fields';
import { ScreenHeading } from '../components/ScreenHeading';
import { TableHead } from '../components/TableHead';
import { formatDateTime } from '../i18n/format';
import { useLanguage, useT } from '../i18n/I18nProvider';
import type { Msg } from '../i18n/translate';
import { fieldErrors } from '../lib/errors';
import { checkNewStaff, checkPinOnly } from '../lib/validation';
import { useSession } from '../session';

const ROLES: Role[] = ['staff', 'manager'];

export function StaffScreen() {
  const t = useT();
  const list = useLoad('staff.list', {});
  const [message, setMessage] = useState<string | null>(null);
  const changed = (text: string) => {
    setMessage(text);
    void list.reload();
  };
  return (
    <section>
      <ScreenHeading>{t('staff.title')}</ScreenHeading>
      {message && <StatusMessage tone="success">{message}</StatusMessage>}
      <ErrorAlert error={list.error} />
      {list.data && <StaffTable staff={list.data} onChanged={changed} />}
      <AddStaffForm onAdded={(s) => changed(t('staff.added', { name: s.name }))} />
    </section>
  );
}

function StaffTable({ staff, onChanged }: { staff: StaffView[]; onChanged(message: string): void }) {
  const t = useT();
  const { lang } = useLanguage();
  const { staff: me } = useSession();
  const update = useAction();
  const [resetting, setResetting] = useState<string | null>(null);

  const change = async (person: StaffView, patch: { role?: Role; active?: boolean }, message: string) => {
    const result = await update.run('staff.update', { staffId: person.id, ...patch });
    if (result?.ok) onChanged(message);
  };

  return (
    <section className="panel" aria-labelledby="staff-list-heading">
      <h2 id="staff-list-heading">{t('staff.list')}</h2>
      <ErrorAlert error={update.error} />
      <table>
        <TableHead columns={[t('staff.col.name'), t('staff.col.role'), t('staff.col.status'), t('staff.col.created'), t('common.actions')]} />
        <tbody>
          {staff.map((person) => (
            <tr key={person.id} className={person.active ? '' : 'inactive'}>
              <td>
                {person.name}
                {person.id === me.id && <span className="hint"> {t('staff.you')}</span>}
              </td>
              <td>
                <SelectField
                  className="compact"
                  label={t('staff.roleOf', { name: person.name })}
                  value={person.role}
                  disabled={update.busy}
                  onChange={(role) => void change(person, { role }, t('staff.roleChanged', { name: person.name, role: t(`role.${role}`) }))}
                  options={ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }))}
                />
              </td>
              <td>
                <span className={`badge badge-${person.active ? 'good' : 'neutral'}`}>{person.active ? t('staff.active') : t('staff.inactive')}</span>
              </td>
              <td>{formatDateTime(person.createdAt, lang)}</td>
              <td className="actions">
                <button
                  type="button"
                  disabled={update.busy}
                  onClick={() =>
                    void change(person, { active: !person.active }, person.active ? t('staff.deactivated', { name: person.name }) : t('staff.reactivated', { name: person.name }))
                  }
                >
                  {person.active ? t('staff.deactivate') : t('staff.reactivate')}
                </button>
                <button
                  type="button"
                  aria-expanded={resetting === person.id}
                  onClick={() => setResetting(resetting === person.id ? null : person.id)}
                >
                  {t('staff.resetPin')}
                </button>
                {resetting === person.id && (
                  <ResetPinForm
                    person={person}
                    onDone={() => {
                      setResetting(null);
                      onChanged(t('staff.pinReset', { name: person.name }));
                    }}
                  />
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function ResetPinForm({ person, onDone }: { person: StaffView; onDone(): void }) {
  const t = useT();
  const [pin, setPin] = useState('');
  const [problem, setProblem] = useState<Msg | null>(null);
  const action = useAction();
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const issue = checkPinOnly(pin);
    setProblem(issue);
    if (issue) return;
    const result = await action.run('staff.update', { staffId: person.id, pin });
    if (result?.ok) onDone();
  };
  return (
    <form className="inline-form" onSubmit={submit} noValidate>
      <ErrorAlert error={action.error} />
      <PinField
        label={t('staff.newPinFor', { name: person.name })}
        value={pin}
        onChange={setPin}
        autoComplete="new-password"
        error={problem ? t(problem.key, problem.vars) : undefined}
        autoFocus
      />
      <button type="submit" disabled={action.busy}>
        {t('staff.savePin')}
      </button>
    </form>
  );
}

function AddStaffForm({ onAdded }: { onAdded(person: StaffView): void }) {
  const t = useT();
  const [name, setName] = useState('');
  const [pin, setPin] = useState('');
  const [role, setRole] = useState<Role>('staff');
  const [clientErrors, setClientErrors] = useState<Record<string, Msg>>({});
  const action = useAction();
  const errors = fieldErrors(t, clientErrors, action.error);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const checked = checkNewStaff({ name, pin, role });
    setClientErrors(checked.ok ? {} : (checked.errors as Record<string, Msg>));
    if (!checked.ok) return;
    const result = await action.run('staff.create', checked.value);
    if (result?.ok) {
      setName('');
      setPin('');
      setRole('staff');
      onAdded(result.data);
    }
  };

  return (
    <form className="panel" onSubmit={submit} noValidate aria-labelledby="add-staff-heading">
      <h2 id="add-staff-heading">{t('staff.add')}</h2>
      <ErrorAlert error={action.error} />
      <div className="form-grid">
        <TextField label={t('staff.name')} value={name} onChange={setName} error={errors.name} required />
        <PinField label={t('staff.pin')} hint={t('firstManager.pinHint')} value={pin} onChange={setPin} error={errors.pin} autoComplete="new-password" required />
        <SelectField label={t('staff.role')} value={role} onChange={setRole} options={ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }))} />
      </div>
      <button type="submit" className="button-primary" disabled={action.busy}>
        {action.busy ? t('common.working') : t('staff.addSubmit')}
      </button>
    </form>
  );
}
