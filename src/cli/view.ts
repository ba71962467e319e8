/**
 * `brickproof view`: serves the viewer (built into dist/web by `npm install`, rebuilt by `npm run build`) on
 * 127.0.0.1 and prints its address; it runs until interrupted. The page itself runs
 * brickproof in the browser — the server only hands out its files.
 *
 *   brickproof view              # a free port, printed
 *   brickproof view --port 8080
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors.js';
import { serveStatic, type StaticServer } from '../node/static-server.js';
import { type FlagSpecs, helpText, parseArgs, parseInteger } from './args.js';

const SPECS: FlagSpecs = {
  port: { type: 'string', metavar: 'N', help: 'the port on 127.0.0.1 (default: a free one)' },
  dir: { type: 'string', metavar: 'DIR', help: 'serve this built viewer instead of the package\'s dist/web' },
};

/** Where `npm run build` puts the viewer: dist/web, from src/cli or dist/cli alike. */
export const VIEWER_DIR = fileURLToPath(new URL('../../dist/web/', import.meta.url));
const PACKAGE_DIR = fileURLToPath(new URL('../../', import.meta.url));

/**
 * A file the viewer is built from (web/, src/, the core, the example fleet) changed after the
 * viewer in `dir` was built, if any: a checkout pulled or edited since its last build. An
 * installed package has no web/ and npm gives all its files one date, so it never says so.
 */
export function newerSource(dir: string, packageDir = PACKAGE_DIR): string | undefined {
  const built = statSync(join(dir, 'index.html')).mtimeMs;
  if (!existsSync(join(packageDir, 'web'))) return undefined;
  const newer = (path: string): string | undefined => {
    const s = statSync(path, { throwIfNoEntry: false });
    if (!s) return undefined;
    if (!s.isDirectory()) return s.mtimeMs > built ? path : undefined;
    for (const e of readdirSync(path)) {
      const found = newer(join(path, e));
      if (found) return found;
    }
    return undefined;
  };
  for (const source of ['web/index.html', 'web/src', 'web/vite.config.ts', 'src', 'build/brickproof.wasm', 'examples/fleet.json']) {
    const found = newer(join(packageDir, source));
    if (found) return relative(packageDir, found);
  }
  return undefined;
}

/**
 * Parses the flags, checks the built viewer is there, listens and prints the address.
 * Returns the server (`run` then waits for Ctrl-C; tests close it).
 */
export async function start(argv: string[], out: (line: string) => void = (l) => process.stdout.write(l)): Promise<StaticServer | undefined> {
  const args = parseArgs(argv, SPECS);
  if (args.bool('help')) {
    out(helpText('view', 'Serve the viewer (flash map and stepper, campaign strip, a device\'s life, a fleet) on 127.0.0.1.', SPECS));
    return undefined;
  }
  const port = args.has('port') ? parseInteger(args.string('port')!, '--port', { min: 1, max: 65535 }) : 0;
  const dir = args.has('dir') ? args.string('dir')! : VIEWER_DIR;
  if (!existsSync(join(dir, 'index.html'))) {
    throw new UsageError(args.has('dir') ? `--dir ${dir} holds no index.html (a built viewer)` : `the viewer is not built (no ${join(dir, 'index.html')}): run npm run build`);
  }
  let served: StaticServer;
  try {
    served = await serveStatic(dir, port);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'EADDRINUSE' ? `--port ${port} is in use` : `cannot listen on 127.0.0.1:${port}: ${(e as Error).message}`);
  }
  out(`brickproof viewer: ${served.url}  (Ctrl-C to stop)\n`);
  // After listening: an error stays the one line on stderr.
  const changed = args.has('dir') ? undefined : newerSource(dir);
  if (changed) process.stderr.write(`brickproof view: note: ${changed} changed after the viewer was built (npm run build rebuilds it)\n`);
  return served;
}

export async function run(argv: string[]): Promise<number> {
  // Ctrl-C is caught from before the address is printed: a script that interrupts as soon as it
  // reads the address gets a clean exit 0, not a process killed between the print and the listener.
  let interrupt!: () => void;
  const interrupted = new Promise<void>((resolve) => (interrupt = resolve));
  const stop = () => interrupt();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    const served = await start(argv);
    if (!served) return 0;
    await interrupted;
    await served.close();
    return 0;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
