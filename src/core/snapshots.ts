/**
 * Flash snapshots kept inside the module's arena: a plain copy of `[0, flashSize)` (DESIGN.md,
 * "The boundary") followed by a copy of the flash digest's block table, with two refinements
 * the campaign lives on — a restore copies back only the sectors the flash model marked dirty
 * since the snapshot was last in sync, and recorded operations can be applied to a snapshot
 * itself, advancing it in place (both inside the module: assembly/flash.ts). The digest's
 * block hashes travel with the bytes they hash, so a restore re-hashes nothing unchanged.
 */
import type { Geometry } from './geometry.js';

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
  /**
   * Copies back from the snapshot the sectors marked dirty (and their digest entries) and
   * clears the marks (inside the module: assembly/flash.ts snapshotRestore).
   */
  restoreDirty(handle: number): void;
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
    const { flashPtr, flashSize } = this.arena;
    if (this.synced === handle && !this.hostTouched) {
      this.arena.restoreDirty(handle);
    } else {
      const u8 = this.arena.peek();
      u8.copyWithin(flashPtr, handle, handle + flashSize);
      u8.copyWithin(this.arena.digestPtr, handle + flashSize, handle + flashSize + this.arena.digestBytes);
      this.clearDirty(u8);
    }
    this.synced = handle;
    this.hostTouched = false;
    this.arena.newEpoch();
  }
}
