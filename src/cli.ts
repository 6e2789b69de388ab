// Command-line entry (dist/cli.js): trace, runs, export-py, landscape, losses, optimizers. Prints JSON on stdout (export-py: a Python script);
// a bad argument prints one line on stderr and exits with code 2; a .loss file's warnings go to stderr.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createEngine, trajectoryRows } from './engine/index';
import type { ScheduleSpec, StochasticSpec, StopSpec } from './shared/engineApi';
import { inlineDataFiles, parseLoss } from './loss/index';
import type { Diagnostic, Scenario } from './loss/index';
import { readLocalDataFiles } from './loss/localDataFiles';
import { scenarioFromFile } from './loss/launch';
import { pytorchScriptOf } from './loss/pytorchExport';

const USAGE = `Usage:
  node dist/cli.js trace --loss LOSS [--start X,Y] --optimizer NAME|--optimizer-file F.optim [--options JSON] --steps N
                         [--schedule JSON] [--grad-tol T] [--loss-params JSON] [--stochastic JSON]
                         [--break CONDITION]... [--record-every K]
  node dist/cli.js runs --loss FILE.loss [--start X,Y] [--steps N] [--break CONDITION]... [--record-every K]
  node dist/cli.js export-py --loss FILE.loss [--start X,Y] [--steps N]   (a PyTorch script of the runs, on stdout)
  node dist/cli.js landscape --loss LOSS [--x A,B] [--y C,D] [--size NX,NY] [--loss-params JSON]
  LOSS is a built-in name, an expression such as '(1 - x)^2 + 100*(y - x^2)^2', or a FILE.loss
  (whose start, optimizer, steps and stochastic lines stand in for missing flags; its data files are
  read from its folder and the folders below it: regular files of at most 50 MB). trace runs one
  optimizer from one start; runs runs every optimizer line of a FILE.loss from every start point
  (or --start). landscape takes the file's or the built-in's domain when --x or --y is missing, and
  a 64x64 grid when --size is. --stochastic is e.g.
  '{"batchSize": 8, "replacement": false, "seed": 1, "noise": 0}'.
  --record-every K keeps every K-th step's row (and the last one), for long runs.
  --optimizer-file runs an optimizer written in the optimizer language (a .optim file; --options
  sets its hyper-parameters by name).
  node dist/cli.js losses
  node dist/cli.js optimizers`;

class UsageError extends Error {}

const FLAGS: Record<string, string[]> = {
  trace: ['loss', 'start', 'optimizer', 'optimizer-file', 'options', 'steps', 'schedule', 'grad-tol', 'loss-params', 'stochastic', 'break', 'record-every'],
  runs: ['loss', 'start', 'steps', 'break', 'record-every'],
  'export-py': ['loss', 'start', 'steps'],
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

/** The text of a .optim file given to --optimizer-file. */
function optimizerText(path: string): string {
  const text = readText(path);
  if (text === undefined) throw new UsageError(`Cannot read the optimizer file '${path}'`);
  return text;
}

const LOSS_FOLDER = "the .loss file's folder";

/** A diagnostic as compilers print it: FILE:LINE:COLUMN: severity: message. */
function located(file: string, diagnostic: Diagnostic): string {
  const { line, character } = diagnostic.range.start;
  return `${file}:${line + 1}:${character + 1}: ${diagnostic.severity}: ${diagnostic.message}`;
}

/**
 * The --loss text: a .loss file's contents with its data files (read from its folder tree) inline, or the argument itself.
 * The file's warnings (an unknown optimizer, say) are printed with their place before the engine runs it.
 */
async function lossText(argument: string): Promise<{ text: string; scenario?: Scenario }> {
  if (!argument.endsWith('.loss')) return { text: argument };
  const text = readText(argument);
  if (text === undefined) throw new UsageError(`Cannot read the loss file '${argument}'`);
  const folder = resolve(dirname(argument));
  const files = await readLocalDataFiles(folder, text, LOSS_FOLDER);
  const parsed = parseLoss(text, files);
  if (!parsed.ok && Object.keys(files).length > 0) {
    const first = parsed.diagnostics.find((d) => d.severity === 'error') ?? parsed.diagnostics[0];
    throw new Error(`Invalid loss at line ${first.range.start.line + 1}, column ${first.range.start.character + 1}: ${first.message}`);
  }
  if (parsed.ok) for (const warning of parsed.loss.warnings) process.stderr.write(`${located(argument, warning)}\n`);
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
      const { text, scenario } = await lossText(required(flags, 'loss'));
      const gradTol = flags.get('grad-tol');
      const stop: StopSpec | undefined = gradTol === undefined ? undefined : { gradTol: numbers(gradTol, 'grad-tol', 1)[0] };
      const start = flags.get('start');
      const fileOptimizer = scenario?.optimizers[0];
      const optimizerFile = flags.get('optimizer-file');
      if (optimizerFile !== undefined && flags.has('optimizer')) throw new UsageError('Give --optimizer or --optimizer-file, not both');
      const optimizer = optimizerFile !== undefined ? optimizerText(optimizerFile) : flags.get('optimizer') ?? fileOptimizer?.name;
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
      const runCount = (scenario?.optimizers.length ?? 0) * Math.max(1, scenario?.start.length ?? 0);
      if (runCount > 1 && start === undefined && flags.get('optimizer') === undefined) {
        process.stderr.write(`optiscope: trace ran the first optimizer from the first start of ${runCount} runs in the file; \`runs --loss FILE.loss\` runs them all\n`);
      }
      const { trajectory, status, stoppedAt, pausedBy, evaluations, averaged } = result;
      return jsonObject({ trajectory, status, stoppedAt, pausedBy, evaluations, averaged }, ['trajectory', 'evaluations', 'averaged']);
    }
    case 'runs':
    case 'export-py': {
      const argument = required(flags, 'loss');
      if (!argument.endsWith('.loss')) throw new UsageError(`${command} needs a FILE.loss (its optimizer lines are the runs); for one expression use trace`);
      const { text, scenario } = await lossText(argument);
      if (!scenario) {
        // The engine reports the file's first error with its line and column.
        await engine.lossInfo(text);
        throw new Error(`Invalid loss file '${argument}'`);
      }
      const draft = scenarioFromFile(text, scenario);
      if (!draft.runs?.length) throw new UsageError(`${argument} has no optimizer line: add one, e.g. optimizer adam lr=0.05`);
      const steps = flags.get('steps') ?? (draft.steps === undefined ? undefined : String(draft.steps));
      if (steps === undefined) throw new UsageError('Missing --steps (or a steps line in the file)');
      const given = flags.get('start');
      const starts: (number[] | undefined)[] = given !== undefined ? [numbers(given, 'start')] : scenario.start.length ? scenario.start : [draft.start ?? undefined];
      // A run with its own init_seed starts from that initialization, whatever the file's start lines say (as in the panels).
      const runs = starts.flatMap((point) => draft.runs!.map((run) => ({ ...run, ...(point && run.initSeed === undefined ? { start: point } : {}) })));
      const recordEvery = flags.get('record-every');
      const traces = await engine.runs({
        ...draft,
        steps: integer(steps, 'steps'),
        runs,
        breakpoints: flags.get('break')?.split(REPEAT_SEPARATOR),
        recordEvery: recordEvery === undefined ? undefined : integer(recordEvery, 'record-every'),
      });
      if (command === 'export-py') return [(await pytorchScriptOf(engine, { ...draft, steps: integer(steps, 'steps'), runs }, traces)).trimEnd()];
      return (function* (): Output {
        yield '{"runs":[';
        for (const [i, trace] of traces.entries()) {
          if (i > 0) yield ',';
          yield* jsonObject({
            label: trace.label,
            optimizer: runs[i].optimizer,
            options: runs[i].options,
            start: Array.from(trace.rows.subarray(0, trace.dim)),
            trajectory: trajectoryRows(trace.rows, trace.rowCount, trace.dim),
            status: trace.status,
            stoppedAt: trace.stoppedAt,
            pausedBy: trace.pausedBy,
          }, ['trajectory']);
        }
        yield ']}';
      })();
    }
    case 'landscape': {
      const { text, scenario } = await lossText(required(flags, 'loss'));
      // Missing ranges come from the file's domain line, else the loss's own domain (built-ins and formulas have one).
      const domain = flags.has('x') && flags.has('y') ? undefined : (await engine.lossInfo(text, lossParams)).domain;
      const range = (axis: 'x' | 'y'): [number, number] => {
        const flag = flags.get(axis);
        if (flag !== undefined) return numbers(flag, axis, 2) as [number, number];
        return scenario?.domain[axis] ?? domain![axis];
      };
      const [x, y] = [range('x'), range('y')];
      const size = numbers(flags.get('size') ?? '64,64', 'size', 2) as [number, number];
      const result = await engine.landscape({ loss: text, x, y, size, lossParams });
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
