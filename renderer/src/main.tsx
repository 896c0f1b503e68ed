// Entry: connect to the studio, install the store, render.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createClient } from './api/client';
import { App } from './App';
import { installStore, StudioStore } from './state/store';
import './styles.css';

const store = new StudioStore(createClient());
installStore(store);
store.start();

// Anything that escapes a handler still reaches the user as a visible alert.
window.addEventListener('unhandledrejection', (e) => store.error(e.reason instanceof Error ? e.reason.message : String(e.reason)));
window.addEventListener('error', (e) => store.error(e.message));

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
