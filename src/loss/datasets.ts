// Generated data sets (`data spiral arms=3 samples=300 noise=0.1 test=0.2 seed=1`) and the test split of any data line.
// The core generates the rows (core/assembly/datasets.ts); this checks the line and says what the rows will be.
import { closestName, type DiagnosticSink } from './diagnostics';
import type { Name, OptionValue } from './parser';
import {
  DEFAULT_GENERATED_SAMPLES, GENERATOR_NAMES, GENERATORS, MAX_SAMPLES, MAX_WILSON_SAMPLES, wilsonInputs, type GeneratorInfo, type GeneratorName,
} from '../shared/datasets';

export { GENERATORS, wilsonInputs, type GeneratorName };

/** A generated set as the core makes it: `a` and `inputs` are its own parameters (see GENERATORS). */
export interface DataGenerator {
  name: GeneratorName;
  samples: number;
  noise: number;
  seed: number;
  /** spiral: arms; blobs: centers; circles: the inner radius; teacher, relu_teacher: its width; wilson: P(y = +1); else 0. */
  a: number;
  /** The inputs (the teacher's; 2 for the planar sets, 1 for the curve). */
  inputs: number;
}

/**
 * A set defined by a formula: each input drawn uniformly from its range (by the core's RNG), the label the expression
 * at the inputs (a condition gives the classes 1 where it holds and 0, else a number: a regression target), evaluated
 * by the expression compiled by the loss language's compiler and run in the core.
 */
export interface FormulaData {
  inputs: { name: string; low: number; high: number }[];
  /** The label's expression, as written. */
  label: string;
  condition: boolean;
  samples: number;
  seed: number;
}

const NAMES = GENERATOR_NAMES;
const MAX_TEACHER_INPUTS = 32;

/** The columns of a generated set: x1, x2 (the teacher: x1 .. xn; the curve: x), then y. */
export function generatorColumns(g: Pick<DataGenerator, 'name' | 'inputs'>): string[] {
  if (g.name === 'curve') return ['x', 'y'];
  return [...Array.from({ length: g.inputs }, (_, i) => `x${i + 1}`), 'y'];
}

/** The classes of a generated set's label (0: a regression target). */
export function generatorClasses(g: Pick<DataGenerator, 'name' | 'a'>): number {
  return GENERATORS[g.name].classes(g.a);
}

type Constant = (value: OptionValue, what: string) => number | undefined;

/**
 * Checks a data line's options: a generator's (samples, noise, seed, test and its own) or, for rows and files, test.
 * Returns the generator (undefined for rows and files) and the test fraction, or undefined after reporting a problem.
 */
export function analyzeDataOptions(
  generator: Name | undefined, options: { name: Name; value: OptionValue }[], sink: DiagnosticSink, constant: Constant, formula = false,
): { generator?: DataGenerator; test: number; samples: number; seed: number } | undefined {
  let info: GeneratorInfo | undefined;
  if (generator) {
    if (!(NAMES as string[]).includes(generator.name)) {
      const suggestion = closestName(generator.name, NAMES);
      sink.error(`Unknown data set '${generator.name}'.${suggestion ? ` Did you mean '${suggestion}'?` : ''} The generated sets are ${NAMES.join(', ')}; `
        + 'or give columns and rows, as in: data x, y = [1, 2; 3, 4]', generator.start, generator.end);
      return undefined;
    }
    info = GENERATORS[generator.name as GeneratorName];
  }
  const allowed = info ? ['samples', 'noise', 'test', 'seed', ...(info.own ? [info.own.name] : []), ...(generator?.name === 'teacher' || generator?.name === 'relu_teacher' ? ['inputs'] : [])]
    : formula ? ['samples', 'test', 'seed'] : ['test'];
  const values = new Map<string, number>();
  let ok = true;
  for (const { name, value } of options) {
    if (!allowed.includes(name.name)) {
      const suggestion = closestName(name.name, allowed);
      const whose = generator ? `data ${generator.name}` : formula ? 'a data formula' : 'data rows or files';
      sink.error(`Unknown option '${name.name}' for ${whose}.${suggestion ? ` Did you mean '${suggestion}'?` : ''} The options are ${allowed.join(', ')}`, name.start, name.end);
      ok = false;
      continue;
    }
    if (values.has(name.name)) {
      sink.error(`Option '${name.name}' is given twice`, name.start, name.end);
      ok = false;
      continue;
    }
    const number = value.kind === 'expr' ? constant(value, name.name) : undefined;
    if (number === undefined) {
      if (value.kind !== 'expr') sink.error(`${name.name} is a number`, value.start, value.end);
      ok = false;
      continue;
    }
    const bad = (rule: string): void => {
      sink.error(`${name.name} is ${rule}, got ${number}`, value.start, value.end);
      ok = false;
    };
    const own = info?.own?.name === name.name ? info.own : undefined;
    if (name.name === 'test' && !(number >= 0 && number < 1)) bad('a fraction from 0 to below 1 (the share of samples held out for testing)');
    else if (name.name === 'samples' && !(Number.isInteger(number) && number >= 2 && number <= MAX_SAMPLES)) bad(`a whole number from 2 to ${MAX_SAMPLES}`);
    else if (name.name === 'samples' && generator?.name === 'wilson' && number > MAX_WILSON_SAMPLES) {
      bad(`at most ${MAX_WILSON_SAMPLES} for data wilson (it has 3 + 5 x samples inputs)`);
    }
    else if (name.name === 'noise' && !(number >= 0 && Number.isFinite(number))) bad('a number >= 0');
    else if (name.name === 'seed' && !(Number.isSafeInteger(number) && number >= 0)) bad('a whole number >= 0');
    else if (name.name === 'inputs' && !(Number.isInteger(number) && number >= 1 && number <= MAX_TEACHER_INPUTS)) bad(`a whole number from 1 to ${MAX_TEACHER_INPUTS}`);
    else if (own && !((!own.integer || Number.isInteger(number)) && number >= own.min && number <= own.max)) {
      bad(`${own.integer ? 'a whole number' : 'a number'} from ${own.min} to ${own.max}`);
    } else values.set(name.name, number);
  }
  if (!ok) return undefined;
  const test = values.get('test') ?? 0;
  const samples = values.get('samples') ?? DEFAULT_GENERATED_SAMPLES;
  const seed = values.get('seed') ?? 0;
  if (!info || !generator) return { test, samples, seed };
  const g: DataGenerator = {
    name: generator.name as GeneratorName,
    samples,
    noise: values.get('noise') ?? info.noise,
    seed,
    a: info.own ? values.get(info.own.name) ?? info.own.default : 0,
    inputs: generator.name === 'curve' ? 1 : generator.name === 'wilson' ? wilsonInputs(samples) : values.get('inputs') ?? 2,
  };
  return { generator: g, test, samples, seed };
}

/** The test split's size for count samples, round(test x count), or why it cannot be made (no sample on a side). */
export function splitSize(test: number, count: number): { test: number } | { problem: string } {
  const size = Math.round(test * count);
  if (test > 0 && size < 1) return { problem: `test=${test} of ${count} samples holds out no sample: use a larger fraction or more samples` };
  if (size >= count) return { problem: `test=${test} of ${count} samples leaves none to train on` };
  return { test: size };
}
