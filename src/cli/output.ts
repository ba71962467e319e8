/** What every command prints for machines (apart from image-io.ts, which loads the image and key code). */

/** One JSON document on stdout, the machine-readable form every command offers (bytes as hex). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, (_k, v) => (v instanceof Uint8Array ? Array.from(v, (b) => b.toString(16).padStart(2, '0')).join('') : v), 2)}\n`);
}
