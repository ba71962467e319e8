import { renameSync, unlinkSync, writeFileSync } from 'node:fs';

/**
 * Writes a whole file or nothing: the bytes go to a temporary sibling first and are renamed
 * over the target only when complete, so an interrupted or failed command never leaves a
 * truncated output behind.
 */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const tmp = `${path}.${process.pid}.${Date.now().toString(36)}.tmp`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing was written
    }
    throw e;
  }
}
