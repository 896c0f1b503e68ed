// The keyboard shortcut list ('?'), drawn from the same table the key handler uses.
import { SHORTCUTS } from '../state/shortcuts';
import { Dialog } from './Dialog';

const GESTURES: readonly [string, string][] = [
  ['Drag on the timeline', 'Select a region (snaps to the model’s frames)'],
  ['Click on the timeline', 'Move the playhead, select the take'],
  ['Ctrl+wheel', 'Zoom at the pointer'],
  ['Shift+wheel', 'Scroll in time'],
  ['Click a word chip (Enter)', 'Mute or unmute the word'],
  ['Wheel or ↑/↓ on a chip', 'Weight 0..2 in steps of 0.1'],
  ['Right-click a chip (Shift+Enter)', 'Weight popover, optionally only inside the selection'],
];

export function ShortcutsDialog({ onClose }: { onClose: () => void }) {
  return (
    <Dialog title="Keyboard shortcuts" onClose={onClose}>
      <table className="shortcuts">
        <tbody>
          {SHORTCUTS.map((s) => (
            <tr key={s.action}>
              <td>
                <kbd>{s.keys}</kbd>
              </td>
              <td>{s.description}</td>
            </tr>
          ))}
          {GESTURES.map(([k, d]) => (
            <tr key={k}>
              <td>
                <kbd>{k}</kbd>
              </td>
              <td>{d}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="buttons">
        <button type="button" className="btn" onClick={onClose}>
          Close
        </button>
      </div>
    </Dialog>
  );
}
