// The `network` line: a fully connected network trained on the file's data is the loss (the core computes it).
import { closestName, DiagnosticSink } from './diagnostics';
import type { LossData } from './data';
import { generatorClasses } from './datasets';
import type { OptionValue, Statement } from './parser';
import { ACTIVATIONS, INIT_SCHEMES, NETWORK_LIMITS, NETWORK_LOSSES, networkParamCount, networkTargets, type NetworkSpec } from '../shared/network';

const OPTIONS = ['activation', 'loss', 'batchnorm', 'residual', 'init', 'std', 'value', 'seed', 'bn_noise', 'noise_seed'];

/** The largest noisy-BN scale: at 5 a unit's scale exp(5 N) already spans many decades from step to step. */
const BN_NOISE_MAX = 5;

type NetworkStatement = Statement & { kind: 'network' };

/**
 * Checks a `network` line against the file's data; reports problems (with ranges) to sink. constant evaluates an
 * option's expression (undefined when it is not constant; it reports why).
 */
export function analyzeNetwork(
  s: NetworkStatement, data: LossData | undefined, sink: DiagnosticSink, constant: (value: OptionValue, what: string) => number | undefined,
): NetworkSpec | undefined {
  let ok = true;
  const bad = (message: string, start: number, end: number): void => {
    sink.error(message, start, end);
    ok = false;
  };
  const widths = s.widths.map((w) => w.value);
  for (const w of s.widths) {
    if (!Number.isInteger(w.value) || w.value < 1 || w.value > NETWORK_LIMITS.width) {
      bad(`A layer width is a whole number from 1 to ${NETWORK_LIMITS.width}, got ${w.value}`, w.start, w.end);
    }
  }
  const widthsStart = s.widths[0]?.start ?? s.keyword.end;
  const widthsEnd = s.widths[s.widths.length - 1]?.end ?? s.keyword.end;
  if (widths.length < 2) bad('A network needs at least an input and an output width, as in: network 2-8-1', widthsStart, widthsEnd);
  if (widths.length - 1 > NETWORK_LIMITS.layers) bad(`At most ${NETWORK_LIMITS.layers} Linear layers (${NETWORK_LIMITS.layers + 1} widths)`, widthsStart, widthsEnd);
  const spec: NetworkSpec = { widths, activation: 'tanh', loss: 'mse', batchnorm: false, residual: false, init: 'default', scale: Number.NaN, seed: 0 };
  const seen = new Set<string>();
  const choose = <T extends string>(list: readonly T[], value: OptionValue, what: string): T | undefined => {
    const word = value.kind === 'expr' && value.expr.kind === 'name' && !value.expr.prefix ? value.expr.name : undefined;
    if (word !== undefined && (list as readonly string[]).includes(word)) return word as T;
    const suggestion = word === undefined ? undefined : closestName(word, [...list]);
    bad(`Unknown ${what}${word === undefined ? '' : ` '${word}'`}.${suggestion ? ` Did you mean '${suggestion}'?` : ''} Choose one of ${list.join(', ')}`, value.start, value.end);
    return undefined;
  };
  for (const { name, value } of s.options) {
    if (!OPTIONS.includes(name.name)) {
      const suggestion = closestName(name.name, OPTIONS);
      bad(`Unknown network option '${name.name}'.${suggestion ? ` Did you mean '${suggestion}'?` : ''} The options are ${OPTIONS.join(', ')}`, name.start, name.end);
      continue;
    }
    if (seen.has(name.name)) {
      bad(`Option '${name.name}' is given twice`, name.start, name.end);
      continue;
    }
    seen.add(name.name);
    if (name.name === 'activation') spec.activation = choose(ACTIVATIONS, value, 'activation') ?? spec.activation;
    else if (name.name === 'loss') spec.loss = choose(NETWORK_LOSSES, value, 'network loss') ?? spec.loss;
    else if (name.name === 'init') spec.init = choose(INIT_SCHEMES, value, 'initialization') ?? spec.init;
    else if (name.name === 'batchnorm' || name.name === 'residual') {
      if (value.kind === 'bool') spec[name.name] = value.value;
      else bad(`${name.name} is true or false`, value.start, value.end);
    } else {
      const number = constant(value, name.name);
      if (number === undefined) {
        ok = false;
      } else if (name.name === 'seed') {
        if (Number.isSafeInteger(number) && number >= 0) spec.seed = number;
        else bad(`seed is a whole number >= 0, got ${number}`, value.start, value.end);
      } else if (name.name === 'bn_noise') {
        if (number >= 0 && number <= BN_NOISE_MAX) spec.bnNoise = number;
        else bad(`bn_noise is the noise's scale, from 0 to ${BN_NOISE_MAX}, got ${number}`, value.start, value.end);
      } else if (name.name === 'noise_seed') {
        if (Number.isSafeInteger(number) && number >= 0) spec.bnNoiseSeed = number;
        else bad(`noise_seed is a whole number >= 0, got ${number}`, value.start, value.end);
      } else if (name.name === 'std' && !(number >= 0 && Number.isFinite(number))) {
        bad(`std is a number >= 0, got ${number}`, value.start, value.end);
      } else if (!Number.isFinite(number)) {
        bad(`value is a finite number, got ${number}`, value.start, value.end);
      } else {
        spec.scale = number;
      }
    }
  }
  const initOption = s.options.find((o) => o.name.name === 'init');
  const at = initOption ? [initOption.value.start, initOption.value.end] as const : [s.keyword.start, s.keyword.end] as const;
  if (seen.has('std') && seen.has('value')) bad('Give std (for init=normal or uniform) or value (for init=constant), not both', ...at);
  else if (spec.init === 'constant' && !seen.has('value')) bad('init=constant needs the value, as in: init=constant value=0.1', ...at);
  else if ((spec.init === 'normal' || spec.init === 'uniform') && !seen.has('std')) spec.scale = 1;
  else if (seen.has('std') && spec.init !== 'normal' && spec.init !== 'uniform') bad(`std is for init=normal or init=uniform, not init=${spec.init}`, ...at);
  else if (seen.has('value') && spec.init !== 'constant') bad(`value is for init=constant, not init=${spec.init}`, ...at);
  const noiseOption = s.options.find((o) => o.name.name === 'bn_noise');
  if (noiseOption && spec.bnNoise && !spec.batchnorm) bad('bn_noise adds noise after each batch norm layer: it needs batchnorm=true', noiseOption.name.start, noiseOption.name.end);
  if (!ok) return undefined;
  const outputs = widths[widths.length - 1];
  if (spec.loss === 'bce' && outputs !== 1) return void bad(`loss=bce needs one output (the logit), got ${outputs}: end the widths with 1`, widthsStart, widthsEnd);
  if (spec.loss === 'cross_entropy' && outputs < 2) return void bad('loss=cross_entropy needs an output per class (at least 2)', widthsStart, widthsEnd);
  const count = networkParamCount(widths, spec.batchnorm);
  if (count > NETWORK_LIMITS.params) return void bad(`This network has ${count} parameters; at most ${NETWORK_LIMITS.params}`, widthsStart, widthsEnd);
  if (!data) return void bad("A network trains on data: add a data line, as in: data x1, x2, y = [0, 1, 1; 1, 0, 1]", s.start, s.end);
  const targets = networkTargets(spec);
  const columns = data.columns.length;
  if (columns !== widths[0] + targets) {
    const needs = `${widths[0]} input${widths[0] === 1 ? '' : 's'} and ${targets} target${targets === 1 ? '' : 's'}`;
    return void bad(`The data has ${columns} column${columns === 1 ? '' : 's'}; this network needs ${widths[0] + targets} (${needs}, in that order)`, widthsStart, widthsEnd);
  }
  const made = data.generator ? { name: `data ${data.generator.name}`, classes: generatorClasses(data.generator) }
    : data.formula ? { name: 'The formula', classes: data.formula.condition ? 2 : 0 } : undefined;
  if (made && spec.loss !== 'mse') {
    const { classes } = made;
    const fits = spec.loss === 'bce' ? classes === 2 : classes >= 2 && classes <= outputs;
    if (!fits) {
      const has = classes === 0 ? 'a regression target (use loss=mse)' : `${classes} classes`;
      const needs = spec.loss === 'bce' ? 'two classes' : `at most ${outputs} classes (one output each)`;
      return void bad(`${made.name} has ${has}; loss=${spec.loss} with ${outputs} output${outputs === 1 ? '' : 's'} takes ${needs}`, widthsStart, widthsEnd);
    }
  } else if (spec.loss !== 'mse') {
    for (let r = 0; r < data.count + data.testCount; r++) {
      const y = data.values[r * columns + columns - 1];
      const valid = spec.loss === 'bce' ? y === 0 || y === 1 : Number.isInteger(y) && y >= 0 && y < outputs;
      if (!valid) {
        const want = spec.loss === 'bce' ? '0 or 1' : `a class index from 0 to ${outputs - 1}`;
        sink.error(`Sample ${r + 1}: the target of loss=${spec.loss} is ${want}, got ${y}`, s.start, s.end);
        return undefined;
      }
    }
  }
  if (spec.batchnorm && data.count < 2) return void bad('Batch norm needs at least 2 samples (a batch of 1 has no variance)', s.start, s.end);
  return spec;
}
