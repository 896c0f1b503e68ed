// Errors stay on screen in a role=alert until dismissed: nothing the studio reports is swallowed.
// Above them, while the studio cannot be reached, one banner says so and what to do about it.
import { useState } from 'react';
import type { ConnectionState } from '../api/client';
import { getStore, useStudio } from '../state/store';
import { Icon } from './Icon';

/**
 * The address to open after `agx serve` restarted, from what the user pasted: the whole printed URL,
 * or just its token (then this page's own address with it); null when it carries no token.
 */
export function reconnectUrl(pasted: string, here: string): string | null {
  const text = pasted.trim();
  if (text === '') return null;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    if (!/^[A-Za-z0-9_-]+$/.test(text)) return null;
    url = new URL(here);
    url.search = '';
    url.searchParams.set('token', text);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || (url.searchParams.get('token') ?? '') === '') return null;
  return url.toString();
}

function Disconnected({ conn }: { conn: ConnectionState }) {
  const [pasted, setPasted] = useState('');
  const target = reconnectUrl(pasted, window.location.href);
  if (conn.tokenRefused === true) {
    return (
      <div className="alert offline" role="alert" aria-label="Disconnected">
        <div>
          <strong>The studio restarted with a new access token, so this page cannot reconnect by itself.</strong> Open the address{' '}
          <code>agx serve</code> printed in its terminal (it ends in <code>?token=…</code>), or paste it here. Nothing is lost: your
          sessions are on disk.
          <form
            className="row-wrap"
            onSubmit={(e) => {
              e.preventDefault();
              if (target !== null) window.location.assign(target);
            }}
          >
            <input
              type="text"
              aria-label="New studio address"
              placeholder="http://127.0.0.1:…/?token=…"
              value={pasted}
              onChange={(e) => setPasted(e.target.value)}
            />
            <button type="submit" className="btn primary" disabled={target === null}>
              Reconnect
            </button>
          </form>
        </div>
      </div>
    );
  }
  return (
    <div className="alert offline" role="alert" aria-label="Disconnected">
      <span>
        <strong>Not connected to the studio</strong> ({conn.reason ?? 'the studio is not reachable'}). Retrying by itself;{' '}
        {conn.mode === 'browser' ? 'if agx serve stopped, start it again. ' : ''}Jobs show as disconnected and actions wait until it is
        back.
      </span>
    </div>
  );
}

export function Alerts() {
  const errors = useStudio((s) => s.errors);
  const conn = useStudio((s) => s.connection);
  const ready = useStudio((s) => s.ready);
  // Before the first connection the timeline says "Connecting…"; the banner is for a lost one, and
  // stays up through the retries (closed, connecting, closed…) until the studio answers again.
  const lost = conn.status !== 'open' && conn.reason !== null && (ready || conn.tokenRefused === true);
  if (errors.length === 0 && !lost) return <div className="alerts" />;
  return (
    <div className="alerts">
      {lost && <Disconnected conn={conn} />}
      {errors.map((e) => (
        <div key={e.id} className="alert" role="alert">
          <span>{e.message}</span>
          <button type="button" className="btn icon" aria-label="Dismiss error" onClick={() => getStore().dismissError(e.id)}>
            <Icon name="close" />
          </button>
        </div>
      ))}
    </div>
  );
}
