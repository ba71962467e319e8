/**
 * brickproof viewer: the bootloader (flash map, stepper, cut and recover, campaign strip), a
 * device's life and a fleet, all on the package's WebAssembly engine, in the page and in
 * Web Workers. No server-side logic: any static host serves it.
 */
import './style.css';
import { BootTab } from './boot.js';
import { engineReady } from './engine.js';
import { FleetTab } from './fleet-tab.js';
import { LifeTab } from './life-tab.js';
import { $, h, typing } from './ui.js';

const status = $('#status');
function say(text: string, error = false): void {
  status.textContent = text;
  status.className = error ? 'status error' : 'status';
}

const boot = new BootTab(say);
const life = new LifeTab(say);
const fleet = new FleetTab(say);
const tabs = [
  { id: 'boot', label: 'Bootloader', panel: boot.root, key: '1' },
  { id: 'life', label: "Device life", panel: life.root, key: '2' },
  { id: 'fleet', label: 'Fleet', panel: fleet.root, key: '3' },
];
const nav = $('#tabs');
for (const t of tabs) {
  nav.append(h('button', { role: 'tab', id: `tab-${t.id}`, type: 'button', 'aria-controls': `view-${t.id}`, 'aria-selected': 'false', title: `${t.label} (${t.key})`, onclick: () => show(t.id) }, `${t.key} ${t.label}`));
  $('main').append(t.panel);
}

function show(id: string): void {
  for (const t of tabs) {
    t.panel.hidden = t.id !== id;
    $(`#tab-${t.id}`).setAttribute('aria-selected', String(t.id === id));
  }
  if (location.hash !== `#${id}`) history.replaceState(null, '', `#${id}`);
}

document.addEventListener('keydown', (e) => {
  if (e.ctrlKey || e.metaKey || e.altKey || typing(e)) return;
  // Space and Enter on a focused button press that button.
  if ((e.key === ' ' || e.key === 'Enter') && (e.target as HTMLElement | null)?.tagName === 'BUTTON') return;
  const tab = tabs.find((t) => t.key === e.key);
  if (tab) {
    show(tab.id);
    e.preventDefault();
    return;
  }
  if (e.key === '?') {
    $<HTMLDetailsElement>('#keys').open = !$<HTMLDetailsElement>('#keys').open;
    return;
  }
  if (!boot.root.hidden && boot.key(e)) e.preventDefault();
});

show(tabs.find((t) => `#${t.id}` === location.hash)?.id ?? 'boot');
say('compiling the WebAssembly core…');
engineReady().then(
  async () => {
    say('engine ready');
    document.body.dataset.ready = 'true';
    await boot.load();
  },
  (e: Error) => say(`the WebAssembly core did not load: ${e.message}`, true),
);
