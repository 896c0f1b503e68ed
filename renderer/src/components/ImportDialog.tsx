// Import a WAV: the file was chosen (Import WAV… button) or dropped on the timeline; this reads its
// header here (duration, rate, channels) so limits show before the click, lets the designer pick a
// span on a small waveform when the clip is longer than the model takes, asks for the caption the
// take is explained against, then queues the import like any other job.
import { useEffect, useState, type PointerEvent } from 'react';
import { MAX_PROMPT_CHARS } from '../../../electron/common/api';
import { cutWav, describeWav, readWavHeader, wavPeaks, type WavInfo } from '../api/wav';
import { getStore, useStudio } from '../state/store';
import { Dialog } from './Dialog';

function size(bytes: number): string {
  return bytes < 1024 * 1024 ? `${Math.max(1, Math.round(bytes / 1024))} KB` : `${(bytes / 1048576).toFixed(1)} MB`;
}

/** The file as read here: its bytes and header, or why it cannot be imported. */
type Read = { bytes: Uint8Array; wav: WavInfo } | { error: string };

/** The caption dialog for a pending import (renders nothing when no file is waiting). */
export function ImportDialog() {
  const file = useStudio((s) => s.pendingImport);
  if (file === null) return null;
  // Keyed by the file so a second import starts from the prompt box again, not the last caption.
  return <ImportForm key={`${file.name}:${file.size}:${file.lastModified}`} file={file} />;
}

const PEAK_COLUMNS = 240;
const WAVE_W = 480;
const WAVE_H = 56;

/** The clip's waveform with the span that will be imported; a click or drag moves the span. */
export function SpanPicker({ read, spanSec, startSec, onStart }: { read: { bytes: Uint8Array; wav: WavInfo }; spanSec: number; startSec: number; onStart: (s: number) => void }) {
  const { wav } = read;
  const [peaks] = useState(() => wavPeaks(read.bytes, wav, PEAK_COLUMNS));
  const maxStart = Math.max(0, wav.durationSec - spanSec);
  const place = (e: PointerEvent<SVGSVGElement>): void => {
    const box = e.currentTarget.getBoundingClientRect();
    const t = ((e.clientX - box.left) / box.width) * wav.durationSec;
    onStart(Math.round(Math.max(0, Math.min(maxStart, t - spanSec / 2)) * 100) / 100);
  };
  const x = (sec: number): number => (sec / wav.durationSec) * WAVE_W;
  const bar = WAVE_W / PEAK_COLUMNS;
  return (
    <div className="span-picker">
      <svg
        viewBox={`0 0 ${WAVE_W} ${WAVE_H}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={`Waveform of the whole clip; the imported span is ${startSec.toFixed(2)}–${(startSec + spanSec).toFixed(2)} s`}
        onPointerDown={(e) => {
          e.currentTarget.setPointerCapture(e.pointerId);
          place(e);
        }}
        onPointerMove={(e) => e.buttons === 1 && place(e)}
      >
        <rect className="span" x={x(startSec)} y={0} width={x(spanSec)} height={WAVE_H} />
        {[...peaks].map((p, i) => (
          <rect key={i} className="peak" x={i * bar} y={(WAVE_H / 2) * (1 - p)} width={Math.max(1, bar - 0.5)} height={Math.max(1, WAVE_H * p)} />
        ))}
      </svg>
      <label className="field">
        Start of the span
        <input type="range" min={0} max={maxStart} step={0.01} value={startSec} aria-label="Start of the imported span (seconds)" onChange={(e) => onStart(Number(e.target.value))} />
        <span className="num">
          {startSec.toFixed(2)}–{(startSec + spanSec).toFixed(2)} s
        </span>
      </label>
    </div>
  );
}

function ImportForm({ file }: { file: File }) {
  const store = getStore();
  const maxSec = useStudio((s) => s.info?.model.maxDurationSec ?? null);
  const [caption, setCaption] = useState(() => store.promptDraft.trim());
  const [read, setRead] = useState<Read | null>(null);
  const [startSec, setStartSec] = useState(0);
  useEffect(() => {
    let live = true;
    void file.arrayBuffer().then(
      (buf) => {
        if (!live) return;
        const bytes = new Uint8Array(buf);
        try {
          setRead({ bytes, wav: readWavHeader(bytes) });
        } catch (err) {
          setRead({ error: err instanceof Error ? err.message : String(err) });
        }
      },
      (err: unknown) => live && setRead({ error: `the file could not be read (${err instanceof Error ? err.message : String(err)})` }),
    );
    return () => {
      live = false;
    };
  }, [file]);
  const wav = read !== null && 'wav' in read ? read : null;
  const tooLong = wav !== null && maxSec !== null && wav.wav.durationSec > maxSec;
  const ok = caption.trim() !== '' && wav !== null && wav.wav.frames > 0;
  const submit = (): void => {
    if (!ok) return;
    const bytes = tooLong ? cutWav(wav.bytes, wav.wav, { startSec, endSec: startSec + maxSec }) : wav.bytes;
    const sent = tooLong ? new File([bytes as Uint8Array<ArrayBuffer>], file.name, { type: 'audio/wav' }) : file;
    void store.guard(() => store.importWav(sent, caption.trim()));
  };
  return (
    <Dialog title={`Import ${file.name}`} onClose={() => store.cancelImport()}>
      <p className="note" aria-label="File">
        {size(file.size)}
        {wav !== null ? ` · ${describeWav(wav.wav)}` : read === null ? ' · reading…' : ''}
        {maxSec !== null ? ` · the model takes clips up to ${maxSec} s` : ''}.
      </p>
      {read !== null && 'error' in read && (
        <p className="warning" role="alert">
          {file.name} cannot be imported: {read.error}.
        </p>
      )}
      {wav !== null && wav.wav.frames === 0 && <p className="warning">{file.name} holds no audio.</p>}
      {tooLong && (
        <>
          <p className="note">
            The clip is {wav.wav.durationSec.toFixed(1)} s, longer than the model takes: the {maxSec} s span shaded below is imported. Click or drag on the
            waveform to move it.
          </p>
          <SpanPicker read={wav} spanSec={maxSec} startSec={startSec} onStart={setStartSec} />
        </>
      )}
      <p className="note">The caption is the text the imported audio is explained against, like a prompt; Regenerate makes new takes from it.</p>
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
          {caption.trim() !== '' ? '\u00a0' : 'A caption is needed to explain the audio.'}
        </span>
        <div className="buttons">
          <button type="button" className="btn" onClick={() => store.cancelImport()}>
            Cancel
          </button>
          <button type="submit" className="btn primary" disabled={!ok}>
            {tooLong ? `Import ${startSec.toFixed(2)}–${(startSec + maxSec).toFixed(2)} s` : 'Import'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
