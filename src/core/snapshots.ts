/**
 * Flash snapshots kept inside the module's arena: a plain copy of `[0, flashSize)` (DESIGN.md,
 * "The boundary") followed by a copy of the flash digest's block table, with two refinements
 * the campaign lives on — a restore copies back only the sectors the flash model marked dirty
 * since the snapshot was last in sync, and recorded operations can be applied to a snapshot
 * itself, advancing it in place (inside the module: Core.applyToSnapshot). The digest's block hashes travel with the bytes they hash,
 * so a restore re-hashes nothing that did not change.
 */
import type { Geometry } from './geometry.js';
import { CTRL } from '../ctrl-layout.js';

const BLOCK = CTRL.DIGEST_BLOCK;
const ENTRY = CTRL.DIGEST_ENTRY_SIZE;

/** What snapshots need of the core that owns them. */
export interface SnapshotArena {
  readonly geometry: Geometry;
  readonly flashPtr: number;
  readonly flashSize: number;
  /** The flash digest's block table and dirty flags (CTRL_DIGEST_PTR's layout), and their size. */
  readonly digestPtr: number;
  readonly digestBytes: number;
  /** The memory view, for reading and for these copies (see Core.peek). */
  peek(): Uint8Array;
  /** `size` bytes of arena above everything allocated so far, 64-aligned. */
  allocate(size: number, what: string): number;
  /** The host changed flash behind the flash model's back (see Core.newEpoch). */
  newEpoch(): void;
}

export class Snapshots {
  /** Whether the host may have written flash since the last snapshot save or restore. */
  hostTouched = true;
  /** The snapshot flash equals, but for the sectors marked dirty. */
  private synced = -1;

  constructor(
    private readonly arena: SnapshotArena,
    /** The flash model's per-sector dirty flags (CTRL_DIRTY_PTR). */
    private readonly dirtyPtr: number,
  ) {}

  private clearDirty(u8: Uint8Array): void {
    u8.fill(0, this.dirtyPtr, this.dirtyPtr + this.arena.geometry.sectors.length);
  }

  /** Saves the whole flash inside the arena; returns a handle. */
  take(): number {
    const at = this.arena.allocate(this.arena.flashSize + this.arena.digestBytes, 'flash snapshot');
    this.save(at);
    return at;
  }

  /** Overwrites an existing snapshot with the current flash. */
  save(handle: number): void {
    const { flashPtr, flashSize, digestPtr, digestBytes } = this.arena;
    const u8 = this.arena.peek();
    u8.copyWithin(handle, flashPtr, flashPtr + flashSize);
    u8.copyWithin(handle + flashSize, digestPtr, digestPtr + digestBytes);
    this.clearDirty(u8);
    this.synced = handle;
    this.hostTouched = false;
  }

  /**
   * Puts a snapshot back into flash. When flash has only been changed by the flash model
   * since this snapshot was last saved or restored, only the sectors it marked dirty are
   * copied: measured, a campaign spent a quarter of its time copying the whole flash back.
   */
  restore(handle: number): void {
    const { flashPtr, flashSize, geometry } = this.arena;
    const u8 = this.arena.peek();
    if (this.synced === handle && !this.hostTouched) {
      const dirty = this.dirtyPtr;
      const sectors = geometry.sectors;
      for (let i = 0; i < sectors.length; i++) {
        if (!u8[dirty + i]) continue;
        // Copy runs of dirty sectors at once.
        let j = i;
        while (j + 1 < sectors.length && u8[dirty + j + 1]) j++;
        const from = sectors[i].start;
        const to = sectors[j].start + sectors[j].size;
        u8.copyWithin(flashPtr + from, handle + from, handle + to);
        this.restoreDigest(u8, handle, from, to);
        i = j;
      }
    } else {
      u8.copyWithin(flashPtr, handle, handle + flashSize);
      u8.copyWithin(this.arena.digestPtr, handle + flashSize, handle + flashSize + this.arena.digestBytes);
    }
    this.clearDirty(u8);
    this.synced = handle;
    this.hostTouched = false;
    this.arena.newEpoch();
  }

  /**
   * The digest blocks of flash bytes [from, to) just copied back from a snapshot: a block
   * wholly inside takes the snapshot's hash (and whether it was stale); a block the copy only
   * partly covers (sectors smaller than a block) is re-hashed at the next digest.
   */
  private restoreDigest(u8: Uint8Array, handle: number, from: number, to: number): void {
    const { flashSize, digestPtr } = this.arena;
    const blocks = Math.ceil(flashSize / BLOCK);
    const saved = handle + flashSize;
    for (let b = Math.floor(from / BLOCK); b * BLOCK < to; b++) {
      if (b * BLOCK >= from && Math.min((b + 1) * BLOCK, flashSize) <= to) {
        u8.copyWithin(digestPtr + b * ENTRY, saved + b * ENTRY, saved + (b + 1) * ENTRY);
        u8[digestPtr + blocks * ENTRY + b] = u8[saved + blocks * ENTRY + b];
      } else {
        u8[digestPtr + blocks * ENTRY + b] = 1;
      }
    }
  }
}
