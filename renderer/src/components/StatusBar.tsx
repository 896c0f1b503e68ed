// The bottom line: connection, model, execution provider, version, data folder.
import { useStudio } from '../state/store';

export function StatusBar() {
  const conn = useStudio((s) => s.connection);
  const info = useStudio((s) => s.info);
  const note = useStudio((s) => s.note);
  const connText =
    conn.status === 'open'
      ? conn.mode === 'electron'
        ? 'Connected'
        : 'Connected (browser mode)'
      : conn.status === 'connecting'
        ? 'Connecting…'
        : `Disconnected: ${conn.reason ?? ''}; retrying in ${Math.ceil((conn.retryInMs ?? 0) / 1000)} s`;
  return (
    <footer className="status" role="status" aria-label="Status">
      <span className={`conn ${conn.status}`} title={connText}>
        ● {connText}
      </span>
      {info !== null && (
        <>
          <span>
            Model {info.model.id} {info.model.version} · {info.model.sampleRate / 1000} kHz · {info.model.frameRate} steps/s
          </span>
          <span title={info.providerNote}>
            Runs on {info.provider.toUpperCase()}
            {info.providerNote !== undefined && ' (fallback)'}
          </span>
          <span>Studio {info.version}</span>
          <span title="Data folder">{info.dataDir}</span>
        </>
      )}
      {note !== null && <span>{note}…</span>}
      <span style={{ marginLeft: 'auto' }}>Press ? for shortcuts</span>
    </footer>
  );
}
