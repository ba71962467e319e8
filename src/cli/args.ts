/**
 * The shared command-line flag parser for every `brickproof <command>`.
 *
 * Accepts `--flag value`, `--flag=value`, short aliases (`-k value`, `-k=value`), boolean
 * switches, repeatable flags, flags that take several values (imgtool's
 * `--custom-tlv TAG VALUE`), positional arguments, and `--` to end the flags. Anything it
 * cannot make sense of is a UsageError (exit 2) that names the offending argument.
 */
import { UsageError } from '../errors.js';

export interface FlagSpec {
  /** 'boolean' flags take no value; 'string' flags take `arity` values (default 1). */
  type: 'string' | 'boolean';
  /** One-letter alias, without the dash: `k` for `-k`. */
  short?: string;
  /** May be given more than once; every occurrence is kept, in order. */
  multiple?: boolean;
  /** Values taken by one occurrence (string flags only); `--custom-tlv 0xa0 hello` has 2. */
  arity?: number;
  /** Shown by `--help`. */
  help?: string;
  /** Placeholder for the value in `--help`, e.g. `FILE`. */
  metavar?: string;
}

export type FlagSpecs = Record<string, FlagSpec>;

export interface PositionalSpec {
  min: number;
  max: number;
  /** Names for the usage line, e.g. ['INFILE', 'OUTFILE']. */
  names?: string[];
}

/** The parsed command line; accessors check that a flag was declared, so typos fail loudly. */
export class ParsedArgs {
  constructor(
    private readonly specs: FlagSpecs,
    private readonly values: Map<string, string[][]>,
    private readonly switches: Set<string>,
    readonly positionals: string[],
  ) {}

  private spec(name: string): FlagSpec {
    const spec = this.specs[name];
    if (!spec) throw new Error(`flag --${name} was read but never declared`);
    return spec;
  }

  has(name: string): boolean {
    this.spec(name);
    return this.values.has(name) || this.switches.has(name);
  }

  bool(name: string): boolean {
    this.spec(name);
    return this.switches.has(name);
  }

  /** The (last) value of a single-valued string flag. */
  string(name: string): string | undefined {
    this.spec(name);
    const all = this.values.get(name);
    return all ? all[all.length - 1]![0] : undefined;
  }

  /** Every value given to a repeatable single-valued flag, in order. */
  strings(name: string): string[] {
    this.spec(name);
    return (this.values.get(name) ?? []).map((v) => v[0]!);
  }

  /** Every occurrence of a multi-value flag (arity > 1), each as its list of values. */
  tuples(name: string): string[][] {
    this.spec(name);
    return this.values.get(name) ?? [];
  }
}

/** Parses `argv` against `specs`; `--help`/`-h` is always accepted as a boolean `help`. */
export function parseArgs(argv: readonly string[], specs: FlagSpecs, positional: PositionalSpec = { min: 0, max: 0 }): ParsedArgs {
  const all: FlagSpecs = { help: { type: 'boolean', short: 'h', help: 'show this help' }, ...specs };
  const byShort = new Map<string, string>();
  for (const [name, spec] of Object.entries(all)) if (spec.short) byShort.set(spec.short, name);

  const values = new Map<string, string[][]>();
  const switches = new Set<string>();
  const positionals: string[] = [];

  let i = 0;
  while (i < argv.length) {
    const arg = argv[i++]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i));
      break;
    }
    // A lone '-' (stdin/stdout by convention) and negative numbers are positional values.
    if (!arg.startsWith('-') || arg === '-' || /^-\d/.test(arg)) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const flagText = eq >= 0 ? arg.slice(0, eq) : arg;
    const inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
    const name = flagText.startsWith('--') ? flagText.slice(2) : byShort.get(flagText.slice(1));
    const spec = name === undefined ? undefined : all[name];
    if (name === undefined || !spec || (!flagText.startsWith('--') && flagText.length !== 2)) {
      const known = Object.keys(all).map((n) => `--${n}`).join(', ');
      throw new UsageError(`unknown flag '${flagText}' (expected one of: ${known})`);
    }
    if (spec.type === 'boolean') {
      if (inline !== undefined) throw new UsageError(`flag ${flagText} takes no value (got '${inline}')`);
      switches.add(name);
      continue;
    }
    const arity = spec.arity ?? 1;
    const taken: string[] = [];
    if (inline !== undefined) taken.push(inline);
    while (taken.length < arity) {
      if (i >= argv.length) {
        throw new UsageError(`flag ${flagText} expects ${arity} value${arity > 1 ? 's' : ''}, got ${taken.length}`);
      }
      taken.push(argv[i++]!);
    }
    if (values.has(name) && !spec.multiple) {
      throw new UsageError(`flag ${flagText} given more than once`);
    }
    values.set(name, [...(values.get(name) ?? []), taken]);
  }

  if (!switches.has('help')) {
    if (positionals.length < positional.min) {
      const missing = positional.names?.slice(positionals.length, positional.min).join(' ') ?? `${positional.min - positionals.length} more`;
      throw new UsageError(`missing argument${positional.min - positionals.length > 1 ? 's' : ''}: ${missing}`);
    }
    if (positionals.length > positional.max) {
      throw new UsageError(`unexpected argument '${positionals[positional.max]}'`);
    }
  }
  return new ParsedArgs(all, values, switches, positionals);
}

/** A `--help` text built from the same specs the parser uses. */
export function helpText(command: string, summary: string, specs: FlagSpecs, positional?: PositionalSpec): string {
  const args = (positional?.names ?? []).join(' ');
  const rows = Object.entries(specs).map(([name, spec]) => {
    const value = spec.type === 'boolean' ? '' : ` ${spec.metavar ?? 'VALUE'}`;
    const flag = `${spec.short ? `-${spec.short}, ` : '    '}--${name}${value}`;
    return [flag, spec.help ?? ''] as const;
  });
  const width = Math.max(0, ...rows.map(([f]) => f.length));
  const lines = rows.map(([f, h]) => `  ${f.padEnd(width)}  ${h}`.trimEnd());
  return `usage: brickproof ${command} [options]${args ? ` ${args}` : ''}\n\n${summary}\n\noptions:\n${lines.join('\n')}\n`;
}

/**
 * An integer the way imgtool reads one (Python's `int(x, 0)`): decimal, `0x` hex, `0o`
 * octal or `0b` binary, optional underscores. `what` names the flag in the error.
 */
export function parseInteger(text: string, what: string, range?: { min?: number; max?: number }): number {
  const t = text.trim().replace(/_/g, '');
  let value: number;
  if (/^[+]?(0|[1-9]\d*)$/.test(t)) value = Number(t);
  else if (/^0x[0-9a-f]+$/i.test(t)) value = Number.parseInt(t.slice(2), 16);
  else if (/^0o[0-7]+$/i.test(t)) value = Number.parseInt(t.slice(2), 8);
  else if (/^0b[01]+$/i.test(t)) value = Number.parseInt(t.slice(2), 2);
  else throw new UsageError(`${what}: '${text}' is not an integer (expected decimal or 0x-prefixed hex)`);
  if (!Number.isSafeInteger(value)) throw new UsageError(`${what}: '${text}' is too large`);
  if (range?.min !== undefined && value < range.min) throw new UsageError(`${what}: ${text} is below the minimum ${range.min}`);
  if (range?.max !== undefined && value > range.max) throw new UsageError(`${what}: ${text} is above the maximum ${range.max}`);
  return value;
}
