import { describe, expect, it } from 'vitest';
import {
  chipName,
  globalWeight,
  nudgeWeight,
  regionalWeights,
  resetToken,
  sameWeights,
  setWeight,
  switchScope,
  toggleMute,
  weightIn,
} from '../../renderer/src/state/weights';
import { actionFor, SHORTCUTS } from '../../renderer/src/state/shortcuts';

describe('draft weights', () => {
  it('the popover carries the value set since it opened to "Only inside the selection" (issue 15, item 4)', () => {
    const opened = [{ token: 1, weight: 0.5 }];
    const sel = { startSec: 1, endSec: 2 };
    // Slider moved to 1.6 and released (committed for the whole clip), then ticked: 1.6 now applies
    // inside the selection only, and the whole clip is back to its 0.5.
    const committed = setWeight(opened, 1, 1.6, null);
    const ticked = switchScope(opened, committed, 1, null, sel, 1.6);
    expect(ticked).toEqual({
      value: 1.6,
      weights: [
        { token: 1, weight: 0.5 },
        { token: 1, weight: 1.6, startSec: 1, endSec: 2 },
      ],
    });
    // Not yet released: the same.
    expect(switchScope(opened, opened, 1, null, sel, 1.6)).toEqual(ticked);
    // Unticked again: back to the whole clip, the selection as it was.
    expect(switchScope(opened, ticked.weights!, 1, sel, null, 1.6).weights).toEqual([{ token: 1, weight: 1.6 }]);
    // Nothing moved: the new scope shows its own weight and nothing changes.
    expect(switchScope(opened, opened, 1, null, sel, null)).toEqual({ value: 1, weights: null });
    expect(switchScope(opened, ticked.weights!, 1, null, sel, null).value).toBe(1.6);
    expect(weightIn(ticked.weights!, 1, null)).toBe(0.5);
  });

  it('click mutes, a second click unmutes (back to no entry)', () => {
    const muted = toggleMute([], 2);
    expect(muted).toEqual([{ token: 2, weight: 0 }]);
    expect(toggleMute(muted, 2)).toEqual([]);
  });

  it('a weight of 1 is no entry; weights clamp to 0..2 and round to 0.01', () => {
    expect(setWeight([{ token: 0, weight: 1.5 }], 0, 1, null)).toEqual([]);
    expect(setWeight([], 1, 3.7, null)).toEqual([{ token: 1, weight: 2 }]);
    expect(setWeight([], 1, 0.333, null)).toEqual([{ token: 1, weight: 0.33 }]);
  });

  it('interval weights live beside the whole-clip weight and replace only the same interval', () => {
    let w = setWeight([], 1, 0.5, null);
    w = setWeight(w, 1, 1.8, { startSec: 1, endSec: 2 });
    w = setWeight(w, 1, 1.2, { startSec: 1, endSec: 2 });
    w = setWeight(w, 0, 0, { startSec: 3, endSec: 4 });
    expect(w).toEqual([
      { token: 0, weight: 0, startSec: 3, endSec: 4 },
      { token: 1, weight: 0.5 },
      { token: 1, weight: 1.2, startSec: 1, endSec: 2 },
    ]);
    expect(globalWeight(w, 1)).toBe(0.5);
    expect(globalWeight(w, 0)).toBe(1);
    expect(regionalWeights(w, 1)).toHaveLength(1);
    expect(resetToken(w, 1)).toEqual([{ token: 0, weight: 0, startSec: 3, endSec: 4 }]);
  });

  it('wheel notches move the weight by 0.1 within 0..2', () => {
    let w = nudgeWeight([], 0, 3);
    expect(globalWeight(w, 0)).toBeCloseTo(1.3);
    w = nudgeWeight(w, 0, -20);
    expect(globalWeight(w, 0)).toBe(0);
  });

  it('sameWeights ignores order', () => {
    expect(
      sameWeights(
        [
          { token: 1, weight: 0 },
          { token: 0, weight: 2 },
        ],
        [
          { token: 0, weight: 2 },
          { token: 1, weight: 0 },
        ],
      ),
    ).toBe(true);
    expect(sameWeights([{ token: 1, weight: 0 }], [])).toBe(false);
  });
});

describe('chip names', () => {
  it('say token, importance and the edit', () => {
    expect(chipName('dog', 0.4249, [], 0)).toBe('dog, importance 0.42');
    // A muted word has no importance to report: it could not act (0a1422f).
    expect(chipName('dog', 0.4251, [{ token: 0, weight: 0 }], 0)).toBe('dog, muted');
    expect(chipName('dog', 0, [{ token: 0, weight: 1.5 }], 0)).toBe('dog, importance 0.00, weight 1.5');
    expect(chipName('dog', null, [{ token: 0, weight: 0.5, startSec: 1, endSec: 2.2 }], 0)).toBe(
      'dog, importance not computed, weight 0.5 from 1.00 to 2.20 s',
    );
  });
});

describe('shortcuts', () => {
  const key = (k: string, mods: Partial<{ ctrlKey: boolean; shiftKey: boolean; metaKey: boolean; altKey: boolean }> = {}) => ({
    key: k,
    ctrlKey: false,
    metaKey: false,
    shiftKey: false,
    altKey: false,
    ...mods,
  });

  it('maps the DAW keys', () => {
    expect(actionFor(key(' '))).toBe('playPause');
    expect(actionFor(key(' ', { shiftKey: true }))).toBe('playSelection');
    expect(actionFor(key('L', { shiftKey: true }))).toBe('toggleLoop');
    expect(actionFor(key('m'))).toBe('addMarker');
    expect(actionFor(key('r'))).toBe('addRegion');
    expect(actionFor(key('r', { ctrlKey: true }))).toBeNull();
    expect(actionFor(key('z', { ctrlKey: true }))).toBe('undo');
    expect(actionFor(key('Z', { ctrlKey: true, shiftKey: true }))).toBe('redo');
    expect(actionFor(key('z', { metaKey: true }))).toBe('undo');
    expect(actionFor(key('y', { ctrlKey: true }))).toBe('redo');
    expect(actionFor(key('?', { shiftKey: true }))).toBe('showShortcuts');
    expect(actionFor(key('x'))).toBeNull();
    expect(actionFor(key('l', { altKey: true }))).toBeNull();
  });

  it('every action in the handler is in the list', () => {
    const listed = new Set(SHORTCUTS.map((s) => s.action));
    for (const k of [' ', 'l', 'm', 'r', 'b', '+', '-', 'f', 'Home', 'ArrowLeft', 'ArrowRight', 'Escape', '?'])
      expect(listed.has(actionFor(key(k))!)).toBe(true);
  });
});
