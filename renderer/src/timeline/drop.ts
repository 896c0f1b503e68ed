// Dropping an audio file (WAV, FLAC, MP3, Ogg, AIFF) on the timeline opens the import dialog for it, like Import audio… does.
import { useState, type DragEvent } from 'react';
import { getStore } from '../state/store';

function carriesFiles(e: DragEvent): boolean {
  return [...e.dataTransfer.types].includes('Files');
}

/** Drag-and-drop handlers for the timeline, and whether a file is being held over it. */
export function useWavDrop(): {
  over: boolean;
  handlers: { onDragOver: (e: DragEvent) => void; onDragLeave: (e: DragEvent) => void; onDrop: (e: DragEvent) => void };
} {
  const [over, setOver] = useState(false);
  return {
    over,
    handlers: {
      onDragOver(e) {
        if (!carriesFiles(e)) return;
        // Without preventDefault the browser would open the file in place of the studio.
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
        setOver(true);
      },
      onDragLeave(e) {
        if (e.currentTarget.contains(e.relatedTarget as Node | null)) return;
        setOver(false);
      },
      onDrop(e) {
        if (!carriesFiles(e)) return;
        e.preventDefault();
        setOver(false);
        const files = [...e.dataTransfer.files];
        const file = files[0];
        if (file === undefined) return;
        const store = getStore();
        // Any file goes to the dialog, whose header reader (the engine's) names exactly what is wrong with
        // one it cannot read, whatever its name; only more than one file at a time is refused here (the
        // dialog asks for one caption).
        if (files.length > 1) {
          store.error(`Drop one audio file at a time (${files.length} were dropped).`);
          return;
        }
        store.requestImport(file);
      },
    },
  };
}
