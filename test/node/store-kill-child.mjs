// Child process of store-kill.test.ts: opens the store compiled to JavaScript, makes numbered timeline
// saves and acknowledges each one on stdout only after saveTimeline has returned. The parent kills it
// with SIGKILL at a random moment and checks that every acknowledged save is in the file.
// argv: <compiled store.js> <db file> <backups dir> <edit|view> <saves>
import { pathToFileURL } from 'node:url';

const [storeJs, file, backupsDir, mode, savesArg] = process.argv.slice(2);
const { Store } = await import(pathToFileURL(storeJs).href);
const saves = Number(savesArg);

const store = Store.open({ file, backupsDir });
const session = store.listSessions()[0] ?? store.createSession('kill test');
// Stdout to a pipe is synchronous on Linux: once a line is written, the parent can read it.
process.stdout.write(`session ${session.id}\n`);
let state = store.getTimeline(session.id);
for (let n = 1; n <= saves; n++) {
  if (mode === 'edit') {
    // An edit: the marker carries the save number, and every save is one undo step.
    state = { ...state, markers: [{ id: 'save', timeSec: n, label: `save ${n}` }] };
    store.saveTimeline(session.id, state, `Move marker to ${n}`);
  } else {
    // A view autosave (no label): only the current state carries the number.
    state = { ...state, scrollSec: n };
    store.saveTimeline(session.id, state);
  }
  process.stdout.write(`ack ${n}\n`);
}
store.close();
process.stdout.write('done\n');
