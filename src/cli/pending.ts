import { command } from './dump-step.js';

export const run = command('pending');
