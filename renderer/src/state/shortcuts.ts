// Keyboard shortcuts: one table drives both the handler and the '?' list, so they cannot disagree.

/** Everything a shortcut can do. */
export type Action =
  | 'playPause'
  | 'playSelection'
  | 'toggleLoop'
  | 'addMarker'
  | 'addRegion'
  | 'undo'
  | 'redo'
  | 'zoomIn'
  | 'zoomOut'
  | 'zoomFit'
  | 'abSwitch'
  | 'playheadStart'
  | 'frameBack'
  | 'frameForward'
  | 'clearSelection'
  | 'showShortcuts';

/** The parts of a KeyboardEvent the table looks at. */
export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

/** One row of the table (keys as shown to the user). */
export interface Shortcut {
  action: Action;
  keys: string;
  description: string;
}

/** The shortcut list shown by '?'. */
export const SHORTCUTS: readonly Shortcut[] = [
  { action: 'playPause', keys: 'Space', description: 'Play or pause the selected (or soloed) take' },
  { action: 'playSelection', keys: 'Shift+Space', description: 'Play the selection' },
  { action: 'toggleLoop', keys: 'L', description: 'Loop the selection on or off' },
  { action: 'abSwitch', keys: 'B', description: 'A/B: switch between the selected take and the compared take at the same position' },
  { action: 'addMarker', keys: 'M', description: 'Add a marker at the playhead' },
  { action: 'addRegion', keys: 'R', description: 'Name the selection as a region' },
  { action: 'undo', keys: 'Ctrl+Z', description: 'Undo the last edit' },
  { action: 'redo', keys: 'Ctrl+Shift+Z', description: 'Redo (also Ctrl+Y)' },
  { action: 'zoomIn', keys: '+', description: 'Zoom in (also Ctrl+wheel)' },
  { action: 'zoomOut', keys: '-', description: 'Zoom out' },
  { action: 'zoomFit', keys: 'F', description: 'Fit the takes to the window' },
  { action: 'playheadStart', keys: 'Home', description: 'Playhead to the start' },
  { action: 'frameBack', keys: '←', description: 'Playhead one model frame back' },
  { action: 'frameForward', keys: '→', description: 'Playhead one model frame forward' },
  { action: 'clearSelection', keys: 'Escape', description: 'Clear the selection, close a dialog' },
  { action: 'showShortcuts', keys: '?', description: 'Show this list' },
];

/** The action a key press means, or null. Text fields keep their keys (the caller checks focus). */
export function actionFor(e: KeyLike): Action | null {
  const mod = e.ctrlKey || e.metaKey;
  const k = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  if (mod && !e.altKey) {
    if (k === 'z') return e.shiftKey ? 'redo' : 'undo';
    if (k === 'y' && !e.shiftKey) return 'redo';
    return null;
  }
  if (e.altKey) return null;
  switch (k) {
    case ' ':
      return e.shiftKey ? 'playSelection' : 'playPause';
    case 'l':
      return 'toggleLoop';
    case 'm':
      return 'addMarker';
    case 'r':
      return 'addRegion';
    case 'b':
      return 'abSwitch';
    case '+':
    case '=':
      return 'zoomIn';
    case '-':
      return 'zoomOut';
    case 'f':
      return 'zoomFit';
    case 'Home':
      return 'playheadStart';
    case 'ArrowLeft':
      return 'frameBack';
    case 'ArrowRight':
      return 'frameForward';
    case 'Escape':
      return 'clearSelection';
    case '?':
      return 'showShortcuts';
    default:
      return null;
  }
}
