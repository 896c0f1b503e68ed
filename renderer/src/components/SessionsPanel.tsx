// The sessions list: open, rename, duplicate, delete (with confirmation), new; collapsible.
import { useState } from 'react';
import type { SessionSummary } from '../../../electron/common/api';
import { getStore, useStudio } from '../state/store';
import { ConfirmDialog } from './Dialog';
import { Icon } from './Icon';

function date(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
}

function SessionItem({ s, current, onDelete }: { s: SessionSummary; current: boolean; onDelete: () => void }) {
  const store = getStore();
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(s.name);
  return (
    <li className={current ? 'current' : undefined} aria-current={current ? 'true' : undefined}>
      {editing ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            setEditing(false);
            void store.guard(() => store.renameSession(s.id, name));
          }}
        >
          <input
            type="text"
            aria-label={`New name for ${s.name}`}
            value={name}
            autoFocus
            onChange={(e) => setName(e.target.value)}
            onKeyDown={(e) => e.key === 'Escape' && setEditing(false)}
            style={{ width: '100%' }}
          />
        </form>
      ) : (
        <button
          type="button"
          className="open"
          onClick={() => void store.guard(() => store.openSession(s.id))}
          aria-label={`Open session ${s.name}`}
        >
          <div className="name" title={s.name}>
            {s.name}
          </div>
          <div className="date">
            {date(s.updatedAt)} · {s.takeCount} take{s.takeCount === 1 ? '' : 's'}
          </div>
        </button>
      )}
      {current && !editing && (
        <div className="actions">
          <button
            type="button"
            className="btn icon"
            aria-label={`Rename session ${s.name}`}
            title="Rename"
            onClick={() => {
              setName(s.name);
              setEditing(true);
            }}
          >
            <Icon name="pencil" />
          </button>
          <button
            type="button"
            className="btn icon"
            aria-label={`Duplicate session ${s.name}`}
            title="Duplicate"
            onClick={() => void store.guard(() => store.duplicateSession(s.id))}
          >
            <Icon name="copy" />
          </button>
          <button type="button" className="btn icon danger" aria-label={`Delete session ${s.name}`} title="Delete" onClick={onDelete}>
            <Icon name="trash" />
          </button>
        </div>
      )}
    </li>
  );
}

export function SessionsPanel() {
  const sessions = useStudio((s) => s.sessions);
  const session = useStudio((s) => s.session);
  const store = getStore();
  const [confirm, setConfirm] = useState<SessionSummary | null>(null);
  const collapsed = session?.timeline.sessionsCollapsed ?? false;
  const toggle = (): void => store.updateTimeline({ sessionsCollapsed: !collapsed }, { kind: 'view' });
  if (collapsed) {
    return (
      <nav className="sessions collapsed" aria-label="Sessions">
        <header>
          <button type="button" className="btn icon" aria-label="Show sessions" aria-expanded="false" onClick={toggle}>
            <Icon name="chevron-right" />
          </button>
        </header>
      </nav>
    );
  }
  return (
    <nav className="sessions" aria-label="Sessions">
      <header>
        <h2>Sessions</h2>
        <span style={{ display: 'flex', gap: 4 }}>
          <button
            type="button"
            className="btn icon"
            aria-label="New session"
            title="New session"
            onClick={() => void store.guard(() => store.createSession())}
          >
            <Icon name="plus" />
          </button>
          <button
            type="button"
            className="btn icon"
            aria-label="Hide sessions"
            aria-expanded="true"
            disabled={session === null}
            onClick={toggle}
          >
            <Icon name="chevron-left" />
          </button>
        </span>
      </header>
      <ul>
        {sessions.length === 0 && <li className="note">No sessions yet. Generating a take starts one.</li>}
        {sessions.map((s) => (
          <SessionItem key={s.id} s={s} current={s.id === session?.session.id} onDelete={() => setConfirm(s)} />
        ))}
      </ul>
      {confirm !== null && (
        <ConfirmDialog
          title="Delete session?"
          message={`“${confirm.name}” and its ${confirm.takeCount} take${confirm.takeCount === 1 ? '' : 's'} and explanations will be deleted.`}
          confirmLabel="Delete"
          onCancel={() => setConfirm(null)}
          onConfirm={() => {
            const id = confirm.id;
            setConfirm(null);
            void store.guard(() => store.deleteSession(id));
          }}
        />
      )}
    </nav>
  );
}
