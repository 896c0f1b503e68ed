// The session store could not be opened (damaged or not ours; the service never touches the file):
// say so plainly, list the rolling backups, and restore one after a confirmation.
import { useEffect, useState } from 'react';
import { getStore, useStudio, type BackupInfo } from '../state/store';
import { ConfirmDialog } from './Dialog';

function when(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString([], { dateStyle: 'medium', timeStyle: 'medium' });
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(0)} KB` : `${(bytes / 1048576).toFixed(1)} MB`;
}

/** Shown in place of the timeline while getInfo reports a storeError. */
export function StoreErrorPanel({ message, dataDir }: { message: string; dataDir: string }) {
  const store = getStore();
  const [backups, setBackups] = useState<BackupInfo[] | null>(null);
  const [confirm, setConfirm] = useState<BackupInfo | null>(null);
  const [restoring, setRestoring] = useState<string | null>(null);
  const connected = useStudio((s) => s.connection.status === 'open');

  useEffect(() => {
    if (!connected) return;
    let live = true;
    void store.guard(async () => {
      const list = await store.listBackups();
      if (live) setBackups(list);
    });
    return () => {
      live = false;
    };
  }, [connected]);

  const restore = async (b: BackupInfo): Promise<void> => {
    setRestoring(b.file);
    await store.guard(() => store.restoreBackup(b.file));
    setRestoring(null);
  };

  return (
    <main className="timeline" aria-label="Timeline">
      <section className="store-error" role="region" aria-labelledby="store-error-title">
        <h2 id="store-error-title">Sessions are unavailable: the session store could not be opened</h2>
        <p className="store-error-message">{message}</p>
        <p className="note">
          The file in <code>{dataDir}</code> was left exactly as it is. Restoring a backup puts the backup in its place and keeps the
          current file beside it (renamed), so nothing is lost either way.
        </p>
        {backups === null ? (
          <p className="note">Looking for backups…</p>
        ) : backups.length === 0 ? (
          <p className="note">
            There are no backups in this data folder. Start the studio with another data folder (--data-dir), or move the damaged file away
            to begin afresh.
          </p>
        ) : (
          <table className="backups" aria-label="Backups">
            <thead>
              <tr>
                <th scope="col">Backup</th>
                <th scope="col">Made</th>
                <th scope="col">Size</th>
                <th scope="col">
                  <span className="sr-only">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {backups.map((b) => (
                <tr key={b.file}>
                  <td>
                    <code>{b.file}</code>
                  </td>
                  <td>{when(b.createdAt)}</td>
                  <td>{size(b.bytes)}</td>
                  <td>
                    <button
                      type="button"
                      className="btn"
                      aria-label={`Restore ${b.file}`}
                      disabled={restoring !== null}
                      onClick={() => setConfirm(b)}
                    >
                      {restoring === b.file ? 'Restoring…' : 'Restore'}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {confirm !== null && (
        <ConfirmDialog
          title="Restore this backup?"
          message={`The sessions saved in ${confirm.file} (${when(confirm.createdAt)}) replace the damaged store; the damaged file is kept beside it. Anything saved after this backup was made is not in it.`}
          confirmLabel="Restore"
          onCancel={() => setConfirm(null)}
          onConfirm={() => {
            const b = confirm;
            setConfirm(null);
            void restore(b);
          }}
        />
      )}
    </main>
  );
}
