import { describe, expect, it } from 'vitest';
import { MENU_COMMANDS } from '../../electron/common/bridge';
import { routeMenuCommand, type MenuContext } from '../../renderer/src/state/menu';

const idle: MenuContext = { textFieldFocused: false, dialogOpen: false, sessionOpen: true, hasTakes: true };

describe('Electron menu commands', () => {
  it('routes each command to the action its button or shortcut performs', () => {
    expect(routeMenuCommand('undo', idle)).toEqual({ kind: 'timeline', action: 'undo' });
    expect(routeMenuCommand('redo', idle)).toEqual({ kind: 'timeline', action: 'redo' });
    expect(routeMenuCommand('new-session', idle)).toEqual({ kind: 'newSession' });
    expect(routeMenuCommand('export', idle)).toEqual({ kind: 'export' });
  });

  it('leaves undo and redo to a focused text field, even inside a dialog', () => {
    const typing = { ...idle, textFieldFocused: true };
    expect(routeMenuCommand('undo', typing)).toEqual({ kind: 'text', action: 'undo' });
    expect(routeMenuCommand('redo', { ...typing, dialogOpen: true })).toEqual({ kind: 'text', action: 'redo' });
    // Other commands do not depend on the focus.
    expect(routeMenuCommand('new-session', typing)).toEqual({ kind: 'newSession' });
  });

  it('does nothing behind an open dialog, or without a session or a take', () => {
    const dialog = { ...idle, dialogOpen: true };
    for (const c of MENU_COMMANDS) expect(routeMenuCommand(c, dialog).kind).toBe('ignore');
    const none = { ...idle, sessionOpen: false, hasTakes: false };
    expect(routeMenuCommand('undo', none).kind).toBe('ignore');
    expect(routeMenuCommand('export', none).kind).toBe('ignore');
    expect(routeMenuCommand('export', { ...idle, hasTakes: false }).kind).toBe('ignore');
    // A new session needs no open one.
    expect(routeMenuCommand('new-session', none)).toEqual({ kind: 'newSession' });
  });

  it('does something for every command the preload accepts when nothing is in the way', () => {
    for (const c of MENU_COMMANDS) expect(routeMenuCommand(c, idle).kind).not.toBe('ignore');
  });
});
