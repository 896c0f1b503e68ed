// Getting a file to the user: Electron's save dialog when the bridge offers one, else a download.
import type { ExportFile } from '../../../electron/common/api';
import { base64ToBytes, bytesToBase64 } from '../../../electron/common/base64';

/** What became of a save, in words for the status line: written, or cancelled by the user. */
export interface SaveOutcome {
  saved: boolean;
  message: string;
}

/**
 * Saves an exported file (browser: a download via Blob + <a download>; Electron: its save dialog).
 * A cancelled dialog resolves with saved false; a failed write rejects, so it shows as an error.
 */
export async function saveExport(file: ExportFile): Promise<SaveOutcome> {
  const bridge = window.studioBridge;
  if (bridge !== undefined) {
    const r = await bridge.saveFile(file);
    if (r.error !== undefined) throw new Error(`Could not save ${file.fileName}: ${r.error.message}`);
    if (!r.saved) return { saved: false, message: `Not saved: the save dialog for ${file.fileName} was cancelled.` };
    return { saved: true, message: `Saved ${r.path ?? file.fileName}.` };
  }
  const bytes = base64ToBytes(file.dataBase64);
  const blob = new Blob([bytes.buffer as ArrayBuffer], { type: file.mimeType });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = file.fileName;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Revoke later: some browsers start the download only after the click handler returns.
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return { saved: true, message: `Downloaded ${file.fileName}.` };
}

/** Wraps client-made bytes (the heat map PNG) as an ExportFile. */
export function bytesAsExport(fileName: string, mimeType: string, bytes: Uint8Array): ExportFile {
  return { fileName, mimeType, dataBase64: bytesToBase64(bytes) };
}
