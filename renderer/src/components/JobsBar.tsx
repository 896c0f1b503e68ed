// The jobs bar: every queued or running job with progress, ETA and Cancel; finished ones linger briefly.
// While the studio cannot be reached no job's progress is known, so each active one says so instead
// of freezing at its last percentage, and Cancel is disabled with the reason.
import { useEffect, useState } from 'react';
import type { JobInfo } from '../../../electron/common/api';
import { offlineReason } from '../api/client';
import { getStore, useStudio } from '../state/store';

const LINGER_MS = 6000;

function eta(j: JobInfo): string {
  if (j.state === 'queued') return 'queued';
  if (j.state !== 'running') return j.state;
  if (j.etaSec === null) return `${Math.round(j.progress * 100)}%`;
  return `${Math.round(j.progress * 100)}% · ${j.etaSec < 1 ? '<1' : Math.round(j.etaSec)} s left`;
}

const isActive = (j: JobInfo): boolean => j.state === 'queued' || j.state === 'running';

export function JobsBar() {
  const jobs = useStudio((s) => s.jobs);
  const offline = useStudio((s) => offlineReason(s.connection));
  const store = getStore();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(t);
  }, []);
  const shown = Object.values(jobs)
    .filter((j) => isActive(j) || (j.finishedAt !== null && now - Date.parse(j.finishedAt) < LINGER_MS && j.state !== 'done'))
    .sort((a, b) => a.queuedAt.localeCompare(b.queuedAt));
  const active = shown.filter(isActive).length;
  return (
    <section className="jobs" aria-label="Jobs">
      <h2>Jobs</h2>
      {shown.length === 0 && <span className="note">Idle</span>}
      <span className="sr-only" aria-live="polite">
        {active === 0
          ? 'No jobs running'
          : offline !== null
            ? `${active} job${active === 1 ? '' : 's'} not known while disconnected`
            : `${active} job${active === 1 ? '' : 's'} running`}
      </span>
      {shown.map((j) => {
        const lost = offline !== null && isActive(j);
        return (
          <div key={j.id} className={`job ${lost ? 'disconnected' : j.state}`} role="group" aria-label={j.label}>
            <span className="lbl" title={j.label}>
              {j.label}
            </span>
            {/* No value while disconnected: an indeterminate bar, not a frozen percentage. */}
            {lost ? (
              <progress max={1} aria-label={`${j.label} progress`} />
            ) : (
              <progress max={1} value={j.progress} aria-label={`${j.label} progress`} />
            )}
            <span className="eta" title={lost ? offline : undefined}>
              {lost ? (j.state === 'queued' ? 'disconnected (was queued)' : `disconnected at ${Math.round(j.progress * 100)}%`) : eta(j)}
            </span>
            {isActive(j) && (
              <button
                type="button"
                className="btn"
                aria-label={`Cancel ${j.label}`}
                disabled={offline !== null}
                title={offline ?? undefined}
                onClick={() => void store.guard(() => store.cancelJob(j.id))}
              >
                Cancel
              </button>
            )}
          </div>
        );
      })}
    </section>
  );
}
