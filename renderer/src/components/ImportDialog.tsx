// Import a WAV: the file was chosen (Import WAV… button) or dropped on the timeline; this asks for
// the caption the take is explained against, then queues the import like any other job.
import { useState } from 'react';
import { MAX_PROMPT_CHARS } from '../../../electron/common/api';
import { getStore, useStudio } from '../state/store';
import { Dialog } from './Dialog';

function size(bytes: number): string {
  return bytes < 1024 * 1024 ? `${Math.max(1, Math.round(bytes / 1024))} KB` : `${(bytes / 1048576).toFixed(1)} MB`;
}

/** The caption dialog for a pending import (renders nothing when no file is waiting). */
export function ImportDialog() {
  const file = useStudio((s) => s.pendingImport);
  if (file === null) return null;
  // Keyed by the file so a second import starts from the prompt box again, not the last caption.
  return <ImportForm key={`${file.name}:${file.size}:${file.lastModified}`} file={file} />;
}

function ImportForm({ file }: { file: File }) {
  const store = getStore();
  const maxSec = useStudio((s) => s.info?.model.maxDurationSec ?? null);
  const [caption, setCaption] = useState(() => store.promptDraft.trim());
  const ok = caption.trim() !== '';
  const submit = (): void => {
    if (!ok) return;
    void store.guard(() => store.importWav(file, caption.trim()));
  };
  return (
    <Dialog title={`Import ${file.name}`} onClose={() => store.cancelImport()}>
      <p className="note">
        {size(file.size)}
        {maxSec !== null ? ` · the model takes clips up to ${maxSec} s` : ''}. The caption is the text the imported audio is explained against, like a prompt; Regenerate makes new takes from it.
      </p>
      <form
        className="import-form"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <label className="field" htmlFor="import-caption">
          Caption
        </label>
        <input
          id="import-caption"
          type="text"
          value={caption}
          maxLength={MAX_PROMPT_CHARS}
          required
          placeholder="Describe the sound, e.g. rain on a tin roof"
          aria-describedby="import-caption-hint"
          onChange={(e) => setCaption(e.target.value)}
          autoFocus
        />
        <span id="import-caption-hint" className="note">
          {ok ? '\u00a0' : 'A caption is needed to explain the audio.'}
        </span>
        <div className="buttons">
          <button type="button" className="btn" onClick={() => store.cancelImport()}>
            Cancel
          </button>
          <button type="submit" className="btn primary" disabled={!ok}>
            Import
          </button>
        </div>
      </form>
    </Dialog>
  );
}
