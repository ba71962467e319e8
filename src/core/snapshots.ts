/**
 * Flash snapshots kept inside the module's arena: a plain copy of `[0, flashSize)` (DESIGN.md,
 * "The boundary"), with two refinements the campaign lives on — a restore copies back only
 * the sectors the flash model marked dirty since the snapshot was last in sync, and recorded
 * operations can be applied to a snapshot itself, advancing it in place.
 */
import type { Geometry, ResolvedArea } from './geometry.js';
import { erasedValueOf } from './geometry.js';

/** What snapshots need of the core that owns them. */
export interface SnapshotArena {
  readonly geometry: Geometry;
  readonly flashPtr: number;
  readonly flashSize: number;
  /** The memory view, for reading and for these copies (see Core.peek). */
  peek(): Uint8Array;
  /** `size` bytes of arena above everything allocated so far, 64-aligned. */
  allocate(size: number, what: string): number;
  /** The host changed flash behind the flash model's back (see Core.newEpoch). */
  newEpoch(): void;
  area(id: number): ResolvedArea;
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
    const at = this.arena.allocate(this.arena.flashSize, 'flash snapshot');
    this.save(at);
    return at;
  }

  /** Overwrites an existing snapshot with the current flash. */
  save(handle: number): void {
    const { flashPtr, flashSize } = this.arena;
    const u8 = this.arena.peek();
    u8.copyWithin(handle, flashPtr, flashPtr + flashSize);
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
        i = j;
      }
    } else {
      u8.copyWithin(flashPtr, handle, handle + flashSize);
    }
    this.clearDirty(u8);
    this.synced = handle;
    this.hostTouched = false;
    this.arena.newEpoch();
  }

  /**
   * Applies a recorded flash operation to a snapshot (not to flash), NOR-style: an erase
   * sets the erased value, a program ANDs (erased 0xff) or ORs (erased 0x00) its bytes. The
   * next restore of that snapshot copies the sectors it touched.
   */
  apply(handle: number, op: { kind: 'E' | 'W' | 'F'; area: number; offset: number; length: number; bytes?: Uint8Array }): void {
    if (op.kind === 'F') return;
    const geometry = this.arena.geometry;
    const a = this.arena.area(op.area);
    const erased = erasedValueOf(geometry, a);
    const u8 = this.arena.peek();
    const at = handle + a.start + op.offset;
    if (op.kind === 'E') u8.fill(erased, at, at + op.length);
    else if (erased === 0xff) for (let i = 0; i < op.length; i++) u8[at + i] &= op.bytes![i];
    else for (let i = 0; i < op.length; i++) u8[at + i] |= op.bytes![i];
    // The sectors of the snapshot that changed now differ from flash: mark them dirty.
    const dirty = this.dirtyPtr;
    for (let i = a.firstSector; i < a.firstSector + a.sectorCount; i++) {
      const s = geometry.sectors[i];
      if (s.start < a.start + op.offset + op.length && s.start + s.size > a.start + op.offset) u8[dirty + i] = 1;
    }
  }
}
