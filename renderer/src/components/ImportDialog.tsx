// Import an audio file (WAV, FLAC, MP3, Ogg Vorbis/Opus, AIFF): chosen (Import audio… button) or dropped
// on the timeline. Its header is read here with the engine's readers (duration where the format has
// it, rate, channels) so limits show before the click; a clip longer than the model takes gets a span
// picker on a small waveform (a WAV is cut on its bytes; a compressed file is decoded here and the span
// sent as a WAV); then the caption the take is explained against, and the import is queued.
import { useEffect, useMemo, useState, type PointerEvent } from 'react';
import { MAX_PROMPT_CHARS } from '../../../electron/common/api';
import {
  cutWav,
  decodeInBrowser,
  describeAudio,
  readAudioInfo,
  samplePeaks,
  spanWav,
  wavPeaks,
  type AudioInfo,
  type Samples,
} from '../api/wav';
import { getStore, useStudio } from '../state/store';
import { Dialog } from './Dialog';

function size(bytes: number): string {
  return bytes < 1024 * 1024 ? `${Math.max(1, Math.round(bytes / 1024))} KB` : `${(bytes / 1048576).toFixed(1)} MB`;
}

/** The file as read here: its bytes and header, or why it cannot be imported. */
type Read = { bytes: Uint8Array; info: AudioInfo } | { error: string };

/** A compressed file decoded here (for its length and the span picker), or why the browser could not. */
type Decoded = Samples | { error: string };

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

/** The clip's waveform (peaks of its first channel) with the span that will be imported; a click or drag moves the span. */
export function SpanPicker({
  peaks,
  durationSec,
  spanSec,
  startSec,
  onStart,
}: {
  peaks: Float32Array;
  durationSec: number;
  spanSec: number;
  startSec: number;
  onStart: (s: number) => void;
}) {
  const maxStart = Math.max(0, durationSec - spanSec);
  const place = (e: PointerEvent<SVGSVGElement>): void => {
    const box = e.currentTarget.getBoundingClientRect();
    const t = ((e.clientX - box.left) / box.width) * durationSec;
    onStart(Math.round(Math.max(0, Math.min(maxStart, t - spanSec / 2)) * 100) / 100);
  };
  const x = (sec: number): number => (sec / durationSec) * WAVE_W;
  const bar = WAVE_W / peaks.length;
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
          <rect
            key={i}
            className="peak"
            x={i * bar}
            y={(WAVE_H / 2) * (1 - p)}
            width={Math.max(1, bar - 0.5)}
            height={Math.max(1, WAVE_H * p)}
          />
        ))}
      </svg>
      <label className="field">
        Start of the span
        <input
          type="range"
          min={0}
          max={maxStart}
          step={0.01}
          value={startSec}
          aria-label="Start of the imported span (seconds)"
          onChange={(e) => onStart(Number(e.target.value))}
        />
        <span className="num">
          {startSec.toFixed(2)}–{(startSec + spanSec).toFixed(2)} s
        </span>
      </label>
    </div>
  );
}

/** The name a picked span of a compressed file travels under: it is a WAV now (the original's name, for the take). */
function spanName(name: string): string {
  return /\.wav$/i.test(name) ? name : `${name.replace(/\.[^.]*$/, '')}.wav`;
}

function ImportForm({ file }: { file: File }) {
  const store = getStore();
  const maxSec = useStudio((s) => s.info?.model.maxDurationSec ?? null);
  const [caption, setCaption] = useState(() => store.promptDraft.trim());
  const [read, setRead] = useState<Read | null>(null);
  const [decoded, setDecoded] = useState<Decoded | null>(null);
  const [startSec, setStartSec] = useState(0);
  useEffect(() => {
    let live = true;
    void file.arrayBuffer().then(
      (buf) => {
        if (!live) return;
        const bytes = new Uint8Array(buf);
        try {
          setRead({ bytes, info: readAudioInfo(bytes) });
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
  const ready = read !== null && 'info' in read ? read : null;
  const header = ready?.info.header ?? null;
  // A compressed file is decoded here only when a span may have to be picked: its header says it is too
  // long, or says nothing of its length (Ogg, an MP3 without an estimate) or estimates it too long.
  const guess = header?.durationSec ?? header?.estimatedSec;
  const mustDecode = header !== null && header.format !== 'wav' && maxSec !== null && (guess === undefined || guess > maxSec);
  useEffect(() => {
    if (!mustDecode || ready === null) return;
    let live = true;
    decodeInBrowser(ready.bytes, ready.info.header).then(
      (audio) => live && setDecoded(audio),
      (err: unknown) => live && setDecoded({ error: err instanceof Error ? err.message : String(err) }),
    );
    return () => {
      live = false;
    };
  }, [mustDecode, ready]);
  const samples = decoded !== null && 'channels' in decoded ? decoded : null;
  const decodedSec = samples !== null ? (samples.channels[0]?.length ?? 0) / samples.sampleRate : undefined;
  const durationSec = header?.durationSec ?? decodedSec;
  const tooLong = ready !== null && maxSec !== null && durationSec !== undefined && durationSec > maxSec;
  const empty = header !== null && (header.frames === 0 || decodedSec === 0);
  const decoding = mustDecode && decoded === null;
  // A long compressed clip can only be cut once decoded here; if that failed the engine would refuse it whole.
  const cuttable = !tooLong || ready?.info.wav != null || samples !== null;
  const ok = caption.trim() !== '' && ready !== null && !empty && !decoding && cuttable;
  const submit = (): void => {
    if (!ok) return;
    let sent = file;
    if (tooLong) {
      const span = { startSec, endSec: startSec + maxSec };
      const wav = ready.info.wav;
      const bytes = wav !== null ? cutWav(ready.bytes, wav, span) : spanWav(samples!, span);
      sent = new File([bytes as Uint8Array<ArrayBuffer>], spanName(file.name), { type: 'audio/wav' });
    }
    void store.guard(() => store.importWav(sent, caption.trim()));
  };
  const peaks = useMemo(
    () =>
      !tooLong
        ? null
        : ready.info.wav !== null
          ? wavPeaks(ready.bytes, ready.info.wav, PEAK_COLUMNS)
          : samples !== null
            ? samplePeaks(samples.channels[0]!, PEAK_COLUMNS)
            : null,
    [tooLong, ready, samples],
  );
  return (
    <Dialog title={`Import ${file.name}`} onClose={() => store.cancelImport()}>
      <p className="note" aria-label="File">
        {size(file.size)}
        {ready !== null ? ` · ${describeAudio(ready.info, decodedSec)}` : read === null ? ' · reading…' : ''}
        {maxSec !== null ? ` · the model takes clips up to ${maxSec} s` : ''}.
      </p>
      {read !== null && 'error' in read && (
        <p className="warning" role="alert">
          {file.name} cannot be imported: {read.error}.
        </p>
      )}
      {decoding && <p className="note">Measuring the clip…</p>}
      {decoded !== null && 'error' in decoded && (
        <p className={tooLong || guess === undefined ? 'warning' : 'note'}>
          The clip could not be decoded here ({decoded.error})
          {header?.durationSec !== undefined && header.durationSec > (maxSec ?? Infinity)
            ? `; trim it to ${maxSec} s first`
            : '; the engine decodes it on import'}
          .
        </p>
      )}
      {empty && <p className="warning">{file.name} holds no audio.</p>}
      {tooLong && (
        <>
          <p className="note">
            The clip is {durationSec.toFixed(1)} s, longer than the model takes: the {maxSec} s span shaded below is imported. Click or drag
            on the waveform to move it.
          </p>
          {peaks !== null && (
            <SpanPicker peaks={peaks} durationSec={durationSec} spanSec={maxSec} startSec={startSec} onStart={setStartSec} />
          )}
        </>
      )}
      <p className="note">
        The caption is the text the imported audio is explained against, like a prompt; Regenerate makes new takes from it.
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
