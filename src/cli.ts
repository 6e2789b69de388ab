// Command-line entry (dist/cli.js): trace, landscape, losses, optimizers. Prints JSON on stdout;
// a bad argument prints one line on stderr and exits with code 2.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createEngine } from './engine/index';
import type { ScheduleSpec, StochasticSpec, StopSpec } from './engine/api';
import { dataFiles, inlineDataFiles, parseLoss } from './loss/index';
import type { Scenario } from './loss/index';

const USAGE = `Usage:
  node dist/cli.js trace --loss LOSS [--start X,Y] --optimizer NAME [--options JSON] --steps N
                         [--schedule JSON] [--grad-tol T] [--loss-params JSON] [--stochastic JSON]
                         [--break CONDITION]... [--record-every K]
  node dist/cli.js landscape --loss LOSS --x A,B --y C,D --size NX,NY [--loss-params JSON]
  LOSS is a built-in name, an expression such as '(1 - x)^2 + 100*(y - x^2)^2', or a FILE.loss
  (whose start, optimizer, steps and stochastic lines stand in for missing flags; its data files are
  read next to it). --stochastic is e.g. '{"batchSize": 8, "replacement": false, "seed": 1, "noise": 0}'.
  --record-every K keeps every K-th step's row (and the last one), for long runs.
  node dist/cli.js losses
  node dist/cli.js optimizers`;

class UsageError extends Error {}

const FLAGS: Record<string, string[]> = {
  trace: ['loss', 'start', 'optimizer', 'options', 'steps', 'schedule', 'grad-tol', 'loss-params', 'stochastic', 'break', 'record-every'],
  landscape: ['loss', 'x', 'y', 'size', 'loss-params'],
  losses: [],
  optimizers: [],
};

/** Flags that may be given more than once; their values are joined with REPEAT_SEPARATOR. */
const REPEATABLE = new Set(['break']);
const REPEAT_SEPARATOR = '\n';

function parseFlags(command: string, args: string[]): Map<string, string> {
  const allowed = FLAGS[command];
  const flags = new Map<string, string>();
  for (let i = 0; i < args.length; i += 2) {
    const flag = args[i];
    if (!flag.startsWith('--') || !allowed.includes(flag.slice(2))) {
      throw new UsageError(`Unknown argument '${flag}' for ${command}. Valid: ${allowed.map((f) => `--${f}`).join(' ') || 'none'}`);
    }
    if (i + 1 >= args.length) throw new UsageError(`${flag} needs a value`);
    const name = flag.slice(2);
    const earlier = flags.get(name);
    if (earlier !== undefined && !REPEATABLE.has(name)) throw new UsageError(`${flag} is given twice`);
    flags.set(name, earlier === undefined ? args[i + 1] : `${earlier}${REPEAT_SEPARATOR}${args[i + 1]}`);
  }
  return flags;
}

function required(flags: Map<string, string>, name: string): string {
  const value = flags.get(name);
  if (value === undefined) throw new UsageError(`Missing --${name}`);
  return value;
}

function numbers(text: string, name: string, count?: number): number[] {
  const values = text.split(',').map((part) => (part.trim() === '' ? NaN : Number(part)));
  if (values.some((v) => !Number.isFinite(v)) || (count !== undefined && values.length !== count)) {
    const shape = count === undefined ? 'comma-separated numbers' : `${count} comma-separated numbers`;
    throw new UsageError(`--${name} needs ${shape}, got '${text}'`);
  }
  return values;
}

function json<T>(text: string | undefined, name: string): T | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new UsageError(`--${name} is not valid JSON: ${text}`);
  }
}

function integer(text: string, name: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || text.trim() === '') throw new UsageError(`--${name} needs an integer, got '${text}'`);
  return value;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The --loss text: a .loss file's contents with its data files (read next to it) inline, or the argument itself. */
function lossText(argument: string): { text: string; scenario?: Scenario } {
  if (!argument.endsWith('.loss')) return { text: argument };
  const text = readText(argument);
  if (text === undefined) throw new UsageError(`Cannot read the loss file '${argument}'`);
  const files = Object.fromEntries(dataFiles(text).map((file) => [file, readText(resolve(dirname(argument), file))]));
  const parsed = parseLoss(text, files);
  if (!parsed.ok && Object.keys(files).length > 0) {
    const first = parsed.diagnostics.find((d) => d.severity === 'error') ?? parsed.diagnostics[0];
    throw new Error(`Invalid loss at line ${first.range.start.line + 1}, column ${first.range.start.character + 1}: ${first.message}`);
  }
  return { text: inlineDataFiles(text, files), scenario: parsed.ok ? parsed.loss.scenario : undefined };
}

/** JSON written in pieces, so that a long trace never becomes one string (V8 caps a string at 512 MiB). */
type Output = Iterable<string>;

/** JSON.stringify of an object (its undefined fields left out), the fields named in long written a batch of items at a time. */
function* jsonObject(fields: Record<string, unknown>, long: string[]): Output {
  const entries = Object.entries(fields).filter(([, value]) => value !== undefined);
  yield '{';
  for (const [n, [key, value]] of entries.entries()) {
    yield `${n === 0 ? '' : ','}${JSON.stringify(key)}:`;
    if (!long.includes(key)) {
      yield JSON.stringify(value);
      continue;
    }
    const items = value as ArrayLike<unknown>;
    const batch = 4096;
    yield '[';
    for (let i = 0; i < items.length; i += batch) {
      const parts: string[] = [];
      for (let j = i; j < Math.min(i + batch, items.length); j++) parts.push(JSON.stringify(items[j]));
      yield `${i === 0 ? '' : ','}${parts.join(',')}`;
    }
    yield ']';
  }
  yield '}';
}

async function main(argv: string[]): Promise<Output> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h') {
    if (command === undefined) throw new UsageError(`Missing command. ${USAGE.split('\n')[0]} trace|landscape|losses|optimizers`);
    return [USAGE];
  }
  if (!Object.hasOwn(FLAGS, command)) throw new UsageError(`Unknown command '${command}'. Commands: ${Object.keys(FLAGS).join(', ')}`);
  const flags = parseFlags(command, rest);
  const engine = await createEngine();
  const lossParams = json<Record<string, number>>(flags.get('loss-params'), 'loss-params');
  switch (command) {
    case 'trace': {
      const { text, scenario } = lossText(required(flags, 'loss'));
      const gradTol = flags.get('grad-tol');
      const stop: StopSpec | undefined = gradTol === undefined ? undefined : { gradTol: numbers(gradTol, 'grad-tol', 1)[0] };
      const start = flags.get('start');
      const fileOptimizer = scenario?.optimizers[0];
      const optimizer = flags.get('optimizer') ?? fileOptimizer?.name;
      if (optimizer === undefined) throw new UsageError('Missing --optimizer');
      const options = json<Record<string, unknown>>(flags.get('options'), 'options');
      const steps = flags.get('steps') ?? (scenario?.steps === undefined ? undefined : String(scenario.steps));
      if (steps === undefined) throw new UsageError('Missing --steps');
      const recordEvery = flags.get('record-every');
      const result = await engine.trace({
        loss: text,
        start: start === undefined ? undefined : numbers(start, 'start'),
        optimizer,
        options: { ...(optimizer === fileOptimizer?.name ? fileOptimizer.options : {}), ...options },
        steps: integer(steps, 'steps'),
        schedule: json<ScheduleSpec>(flags.get('schedule'), 'schedule'),
        stop,
        lossParams,
        stochastic: json<StochasticSpec>(flags.get('stochastic'), 'stochastic'),
        breakpoints: flags.get('break')?.split(REPEAT_SEPARATOR),
        recordEvery: recordEvery === undefined ? undefined : integer(recordEvery, 'record-every'),
      });
      const { trajectory, status, stoppedAt, pausedBy } = result;
      return jsonObject({ trajectory, status, stoppedAt, pausedBy }, ['trajectory']);
    }
    case 'landscape': {
      const x = numbers(required(flags, 'x'), 'x', 2) as [number, number];
      const y = numbers(required(flags, 'y'), 'y', 2) as [number, number];
      const size = numbers(required(flags, 'size'), 'size', 2) as [number, number];
      const result = await engine.landscape({ loss: lossText(required(flags, 'loss')).text, x, y, size, lossParams });
      return jsonObject({ x, y, size, min: result.min, max: result.max, values: result.values }, ['values']);
    }
    case 'losses':
      return [JSON.stringify(engine.losses(), null, 2)];
    default:
      return [JSON.stringify(engine.optimizers(), null, 2)];
  }
}

/** Writes the pieces in order, waiting whenever stdout's buffer is full. */
async function print(output: Output): Promise<void> {
  for (const piece of output) {
    if (!process.stdout.write(piece)) await new Promise((resolve) => process.stdout.once('drain', resolve));
  }
  process.stdout.write('\n');
}

main(process.argv.slice(2)).then(
  print,
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`optiscope: ${message.split('\n')[0]}\n`);
    process.exitCode = 2;
  },
);
