// Electron's application menu sends commands to the renderer (it owns the session and the undo
// stack). This decides what each command does, as pure logic, so it can be tested without Electron;
// App carries the decision out with the same functions the buttons and keyboard shortcuts use.
import type { MenuCommand } from '../../../electron/common/bridge';

/** Where the keyboard focus is when a menu command arrives. */
export interface MenuContext {
  /** A text field (prompt, caption, rename box) has the focus. */
  textFieldFocused: boolean;
  /** A modal dialog is open. */
  dialogOpen: boolean;
  /** A session is open. */
  sessionOpen: boolean;
  /** The open session has a take on the timeline (something to export). */
  hasTakes: boolean;
}

/** What a menu command comes to. */
export type MenuRoute =
  /** The timeline's undo / redo (the same as Ctrl+Z / Ctrl+Shift+Z outside text fields). */
  | { kind: 'timeline'; action: 'undo' | 'redo' }
  /** The focused text field's own undo / redo: the user was typing, not editing the timeline. */
  | { kind: 'text'; action: 'undo' | 'redo' }
  /** The New session button. */
  | { kind: 'newSession' }
  /** The Export dialog for the selected take. */
  | { kind: 'export' }
  /** Nothing to do, with the reason (for the status line and the tests). */
  | { kind: 'ignore'; reason: string };

/** Decides what one menu command does in the given context. */
export function routeMenuCommand(command: MenuCommand, ctx: MenuContext): MenuRoute {
  switch (command) {
    case 'undo':
    case 'redo':
      // Electron's Edit menu shows Ctrl+Z, so a click while typing means the text, never the timeline.
      if (ctx.textFieldFocused) return { kind: 'text', action: command };
      // Like the keyboard shortcuts: a modal dialog keeps the timeline still underneath it.
      if (ctx.dialogOpen) return { kind: 'ignore', reason: 'a dialog is open' };
      if (!ctx.sessionOpen) return { kind: 'ignore', reason: 'no session is open' };
      return { kind: 'timeline', action: command };
    case 'new-session':
      if (ctx.dialogOpen) return { kind: 'ignore', reason: 'a dialog is open' };
      return { kind: 'newSession' };
    case 'export':
      if (ctx.dialogOpen) return { kind: 'ignore', reason: 'a dialog is open' };
      if (!ctx.hasTakes) return { kind: 'ignore', reason: 'there is no take to export' };
      return { kind: 'export' };
  }
}
