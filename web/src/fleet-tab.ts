/** The fleet tab: waits for the fleet (issue 11, src/fleet), which has not landed on main yet. */
import { h } from './ui.js';

export class FleetTab {
  readonly root: HTMLElement;
  constructor(_say: (text: string, error?: boolean) => void) {
    this.root = h('div', { id: 'view-fleet', role: 'tabpanel', 'aria-labelledby': 'tab-fleet', hidden: true },
      h('section', { class: 'panel' }, h('h2', {}, 'Fleet'), h('p', {}, 'Not built yet: the fleet simulation (src/fleet) this view runs has not landed.')));
  }
}
