import { renameSync, unlinkSync, writeFileSync } from 'node:fs';

/**
 * Writes a whole file or nothing: the bytes go to a temporary sibling first and are renamed
 * over the target only when complete, so an interrupted or failed command never leaves a
 * truncated output behind. `mode` sets the new file's permissions (0o600 for a private key).
 */
export function writeFileAtomic(path: string, data: Uint8Array | string, mode?: number): void {
  const tmp = `${path}.${process.pid}.${Date.now().toString(36)}.tmp`;
  try {
    // The mode is set as the file is created, so a private key is never readable by others, not even briefly.
    writeFileSync(tmp, data, mode === undefined ? undefined : { mode });
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
