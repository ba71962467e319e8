import type { Strategy } from '../../src/device/strategy.js';

/** Strategies whose bootloader is built; the conformance suites replay the vectors of these. */
export const IMPLEMENTED: readonly Strategy[] = ['overwrite-only', 'swap-scratch', 'swap-move', 'swap-offset'];
