/**
 * The `brickproof` command: dispatches to one module per command (src/cli/<command>.ts),
 * each exporting `run(argv): Promise<number>` that returns the exit code. Errors a user
 * can cause (BrickproofError) become one line on stderr and their exit code (1 or 2);
 * anything else is a bug of brickproof's — never a finding about the device — and becomes
 * one line saying so, exit code 3 (the stack with BRICKPROOF_DEBUG=1).
 */
import { BrickproofError } from '../errors.js';

type Command = { summary: string; load: () => Promise<{ run(argv: string[]): Promise<number> }> };

const commands: Record<string, Command> = {
  sign: { summary: 'build and sign an MCUboot image (imgtool-compatible flags)', load: () => import('./sign.js') },
  verify: { summary: 'validate an image as the bootloader does (hash, key, signature, size)', load: () => import('./verify.js') },
  dumpinfo: { summary: 'print an image\'s header, TLVs and trailer', load: () => import('./dumpinfo.js') },
  keygen: { summary: 'generate a signing key (ecdsa-p256, ed25519, rsa-2048, rsa-3072)', load: () => import('./keygen.js') },
  getpub: { summary: 'print the public key of a key file (C array, PEM or raw DER)', load: () => import('./getpub.js') },
  getpubhash: { summary: 'print the KEYHASH of a key file', load: () => import('./getpubhash.js') },
  boot: { summary: 'power on the bootloader once over a whole-device flash dump, in place', load: () => import('./boot.js') },
  confirm: { summary: "the application's boot_set_confirmed() on a flash dump, in place", load: () => import('./confirm.js') },
  pending: { summary: "the application's boot_set_pending() on a flash dump, in place", load: () => import('./pending.js') },
  simulate: { summary: 'stage two images, request an upgrade and boot the device N times', load: () => import('./simulate.js') },
  life: { summary: "live one device's life (application, OTA task, server, network, power losses); print its milestones", load: () => import('./life.js') },
  fleet: { summary: 'live a fleet of devices through staged rollouts (hawkBit, AWS IoT Jobs, canary); stop a bad release', load: () => import('./fleet.js') },
  campaign: { summary: 'cut the power at every flash operation of an update; prove the device always boots', load: () => import('./campaign.js') },
  bench: { summary: 'compare upgrade strategies on a device: update time, flash wear, largest image, revert', load: () => import('./bench.js') },
  demo: { summary: 'stage two images on the default device, hash them in place, print the flash map', load: () => import('./demo.js') },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `usage: brickproof <command> [options]\n\ncommands:\n${lines.join('\n')}\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    if (!name) process.stderr.write('brickproof: no command given (see the list above)\n');
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`brickproof: unknown command '${name}' (expected one of: ${Object.keys(commands).join(', ')})\n`);
    return 2;
  }
  try {
    const mod = await command.load();
    return await mod.run(rest);
  } catch (e) {
    const { code, line } = describeError(name, e);
    process.stderr.write(`${line}\n`);
    if (code === INTERNAL_ERROR && process.env.BRICKPROOF_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    return code;
  }
}

/** Exit code of a bug of brickproof's (DESIGN.md: 0 ok, 1 check failed, 2 bad usage). */
export const INTERNAL_ERROR = 3;

/** The one line and exit code a command's error ends with. */
export function describeError(command: string, e: unknown): { code: 1 | 2 | 3; line: string } {
  if (e instanceof BrickproofError) return { code: e.exitCode, line: `brickproof ${command}: ${e.message}` };
  const message = (e instanceof Error ? `${e.name}: ${e.message}` : String(e)).split('\n')[0];
  return { code: INTERNAL_ERROR, line: `brickproof ${command}: internal error (a bug in brickproof, not a finding about the device): ${message}` };
}

/**
 * For the `brickproof` process itself: output piped into a reader that stops early
 * (`brickproof campaign --json | head`) ends the command quietly, as Unix tools do, instead
 * of an unhandled EPIPE stack trace.
 */
export function quietOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
      process.exit(process.exitCode ?? 0);
    });
  }
}

const invokedDirectly = process.argv[1] && /cli[\\/]main\.(ts|js)$/.test(process.argv[1]);
if (invokedDirectly) {
  quietOnClosedPipe();
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
