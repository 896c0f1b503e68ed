// The jobs bar: every queued or running job with progress, ETA and Cancel; finished ones linger briefly.
import { useEffect, useState } from 'react';
import type { JobInfo } from '../../../electron/common/api';
import { getStore, useStudio } from '../state/store';

const LINGER_MS = 6000;

function eta(j: JobInfo): string {
  if (j.state === 'queued') return 'queued';
  if (j.state !== 'running') return j.state;
  if (j.etaSec === null) return `${Math.round(j.progress * 100)}%`;
  return `${Math.round(j.progress * 100)}% · ${j.etaSec < 1 ? '<1' : Math.round(j.etaSec)} s left`;
}

export function JobsBar() {
  const jobs = useStudio((s) => s.jobs);
  const store = getStore();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(t);
  }, []);
  const shown = Object.values(jobs)
    .filter((j) => j.state === 'queued' || j.state === 'running' || (j.finishedAt !== null && now - Date.parse(j.finishedAt) < LINGER_MS && j.state !== 'done'))
    .sort((a, b) => a.queuedAt.localeCompare(b.queuedAt));
  const active = shown.filter((j) => j.state === 'queued' || j.state === 'running').length;
  return (
    <section className="jobs" aria-label="Jobs">
      <h2>Jobs</h2>
      {shown.length === 0 && <span className="note">Idle</span>}
      <span className="sr-only" aria-live="polite">
        {active === 0 ? 'No jobs running' : `${active} job${active === 1 ? '' : 's'} running`}
      </span>
      {shown.map((j) => (
        <div key={j.id} className={`job ${j.state}`} role="group" aria-label={j.label}>
          <span className="lbl" title={j.label}>
            {j.label}
          </span>
          <progress max={1} value={j.progress} aria-label={`${j.label} progress`} />
          <span className="eta">{eta(j)}</span>
          {(j.state === 'queued' || j.state === 'running') && (
            <button type="button" className="btn" aria-label={`Cancel ${j.label}`} onClick={() => void store.guard(() => store.cancelJob(j.id))}>
              Cancel
            </button>
          )}
        </div>
      ))}
    </section>
  );
}
