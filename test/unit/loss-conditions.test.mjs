// Breakpoint conditions: grammar and precedence, diagnostics and ranges, Python's %, IEEE NaN handling, the check()
// bitmask, agreement of the generated wasm with an independent JavaScript evaluation, and a fuzz test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadLoss, mulberry32, rangesAreValid } from './loss-helpers.mjs';

const { compileConditions, checkCondition, compileLoss, MAX_CONDITIONS } = await loadLoss();

const NAMES = ['step', 'loss', 'gradnorm', 'lr', 'x', 'y', 'grad_x', 'grad_y', 'm[1]', 'm[2]', 'm[3]'];
const MATH = {
  exp: Math.exp, expm1: Math.expm1, log: Math.log, log1p: Math.log1p, log2: Math.log2, log10: Math.log10,
  sin: Math.sin, cos: Math.cos, tan: Math.tan, asin: Math.asin, acos: Math.acos, atan: Math.atan,
  sinh: Math.sinh, cosh: Math.cosh, tanh: Math.tanh, cbrt: Math.cbrt, atan2: Math.atan2, pow: Math.pow, hypot: (a, b) => Math.hypot(a, b),
};
/** The context is placed away from address 0 to check that check() reads at its argument. */
const CONTEXT_AT = 64;

/** Instantiates compiled conditions; returns check(values) -> the raw i32 result. */
function instantiate(compiled) {
  assert.ok(compiled.ok, JSON.stringify(compiled.errors));
  assert.ok(WebAssembly.validate(compiled.wasm));
  const module = new WebAssembly.Module(compiled.wasm);
  const imports = WebAssembly.Module.imports(module);
  assert.deepEqual(imports.filter((i) => i.module !== 'math').map((i) => `${i.module}.${i.name}:${i.kind}`), ['env.memory:memory']);
  assert.deepEqual(imports.filter((i) => i.module === 'math').map((i) => i.name), compiled.imports);
  assert.deepEqual(WebAssembly.Module.exports(module), [{ name: 'check', kind: 'function' }]);
  const memory = new WebAssembly.Memory({ initial: 1 });
  const math = Object.fromEntries(compiled.imports.map((name) => [name, MATH[name]]));
  const { exports } = new WebAssembly.Instance(module, { env: { memory }, math });
  const f64 = new Float64Array(memory.buffer);
  return (values) => {
    f64.fill(NaN);
    f64.set(values, CONTEXT_AT / 8);
    return exports.check(CONTEXT_AT);
  };
}

/** Whether each condition holds at the context given as { name: value } (others are 0). */
function holds(conditions, context, names = NAMES) {
  const check = instantiate(compileConditions(conditions, names));
  const mask = check(names.map((name) => context[name] ?? 0));
  return conditions.map((_, i) => ((mask >>> i) & 1) === 1);
}

function holdsOne(condition, context = {}) {
  return holds([condition], context)[0];
}

/** The errors of one condition, as [message, startLine, startChar, endLine, endChar]. */
function errors(text, names = NAMES) {
  const diagnostics = checkCondition(text, names);
  assert.ok(diagnostics.length > 0, `${JSON.stringify(text)} should have errors`);
  assert.ok(rangesAreValid(text, diagnostics), JSON.stringify(diagnostics));
  const compiled = compileConditions([text], names);
  assert.equal(compiled.ok, false);
  assert.deepEqual(compiled.errors, [{ index: 0, diagnostics }]);
  return diagnostics.map((d) => [d.message, d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character]);
}

test('the examples of the issue', () => {
  const conditions = ['step % 100 == 0', 'loss < 1e-6', 'gradnorm > 1e3', 'x > 2', 'isnan(loss) or step >= 500', 'abs(grad_x) < 1e-8 and step > 10'];
  assert.deepEqual(holds(conditions, { step: 500, loss: 1e-7, gradnorm: 2e3, x: 3, grad_x: -1e-9 }), [true, true, true, true, true, true]);
  assert.deepEqual(holds(conditions, { step: 499, loss: 1e-5, gradnorm: 1e3, x: 2, grad_x: 1e-8 }), [false, false, false, false, false, false]);
  assert.deepEqual(holds(conditions, { step: 10, loss: NaN, grad_x: 0 }), [false, false, false, false, true, false]);
});

test('precedence: arithmetic, then comparisons, then not, and, or (loosest)', () => {
  assert.equal(holdsOne('1 + 2 < 4'), true);
  assert.equal(holdsOne('2 * 3 == 6 and 3 - 1 >= 2'), true);
  assert.equal(holdsOne('true or false and false'), true);
  assert.equal(holdsOne('(true or false) and false'), false);
  assert.equal(holdsOne('not x < 1', { x: 2 }), true);
  assert.equal(holdsOne('!x < 1', { x: 0 }), false);
  assert.equal(holdsOne('not true or true'), true);
  assert.equal(holdsOne('not (true or true)'), false);
  assert.equal(holdsOne('not not true'), true);
  assert.equal(holdsOne('!false && !!true || false'), true);
  assert.equal(holdsOne('false || true && false'), false);
  assert.equal(holdsOne('True and not False'), true);
  // % is at the level of * and /, left-associative; unary minus and ^ bind tighter
  assert.equal(holdsOne('2 * 7 % 3 == 2 and 7 % 3 * 2 == 2 and 2 + 7 % 3 == 3 and 2^3 % 3 == 2 and -7 % 3 == 2'), true);
  assert.equal(holdsOne('100 / 10 % 3 == 1 and 10 % 4 % 3 == 2'), true);
  // chained comparisons mean what they mean in Python
  assert.deepEqual([0.5, 0, 1, 2].map((x) => holdsOne('0 < x <= 1', { x })), [true, false, true, false]);
  assert.equal(holdsOne('1 < 2 > 0 != 5 == 5'), true);
  assert.equal(holdsOne('3 > 2 > 1'), true); // in C this would be (1 > 1): false
});

test('names, functions, constants and vectors of the state', () => {
  assert.equal(holdsOne('log10(loss) < -6', { loss: 1e-7 }), true);
  assert.equal(holdsOne('sqrt(grad_x^2 + grad_y^2) > 4.9 and hypot(grad_x, grad_y) == 5', { grad_x: 3, grad_y: 4 }), true);
  assert.equal(holdsOne('np.abs(x - pi) < 1e-12 and math.exp(0) == 1 and max(x, y, 4) == 4', { x: Math.PI, y: 1 }), true);
  assert.equal(holdsOne('m[2] > m[1] and sum(i = 1..3, m[i]) == 6 and max(m[1], m[3]) == 3', { 'm[1]': 1, 'm[2]': 2, 'm[3]': 3 }), true);
  assert.equal(holdsOne('lr * 1000 == 1', { lr: 1e-3 }), true);
  const compiled = compileConditions(['log10(loss) < -6', 'atan2(y, x) > 0', 'sin(x) > 0'], NAMES);
  assert.deepEqual(compiled.imports, ['log10', 'sin', 'atan2']);
  assert.deepEqual(compileConditions(['step % 7 == 0', 'x > 2'], NAMES).imports, []);
  // a context name shadows a constant of the same name
  assert.equal(holds(['e == 2'], { e: 2 }, ['e'])[0], true);
  // vector elements need not be contiguous in the context
  assert.equal(holds(['v[2] - v[1] == 1'], { 'v[1]': 4, 'v[2]': 5 }, ['v[2]', 'step', 'v[1]'])[0], true);
});

test('numbers and NaN follow IEEE: a comparison with NaN is false except !=', () => {
  for (const op of ['<', '<=', '>', '>=', '==']) {
    assert.equal(holdsOne(`x ${op} 1`, { x: NaN }), false, op);
    assert.equal(holdsOne(`1 ${op} x`, { x: NaN }), false, op);
    assert.equal(holdsOne(`x ${op} x`, { x: NaN }), false, op);
  }
  assert.equal(holdsOne('x != x', { x: NaN }), true);
  assert.equal(holdsOne('x != 1', { x: NaN }), true);
  assert.equal(holdsOne('not x < 1', { x: NaN }), true);
  const predicates = ['isnan(x)', 'isfinite(x)', 'isinf(x)'];
  assert.deepEqual(holds(predicates, { x: NaN }), [true, false, false]);
  assert.deepEqual(holds(predicates, { x: Infinity }), [false, false, true]);
  assert.deepEqual(holds(predicates, { x: -Infinity }), [false, false, true]);
  assert.deepEqual(holds(predicates, { x: -0 }), [false, true, false]);
  assert.deepEqual(holds(predicates, { x: 1.7976931348623157e308 }), [false, true, false]);
  assert.deepEqual(holds(['isnan(x - x)', 'x == x + 1', 'x * 0 == 0'], { x: Infinity }), [true, true, false]);
  assert.deepEqual(holds(['-0 == 0', 'x == 0', '1 / x < 0'], { x: -0 }), [true, true, true]);
  assert.equal(holdsOne('isnan(0 / 0) and isinf(1 / 0) and isfinite(1e308) and not isfinite(1e309)'), true);
});

// a % b in Python (float operands), from CPython 3.
const PYTHON_MODULO = [
  [-7, 3, 2], [7, -3, -2], [7, 3, 1], [-7, -3, -1], [5.5, 2, 1.5], [-5.5, 2, 0.5], [-0.5, 1, 0.5], [1e17, 3, 1],
  [-1e-300, 1, 1], [5, Infinity, 5], [-5, Infinity, Infinity], [5, -Infinity, -Infinity], [-5, -Infinity, -5],
  [6, -3, -0], [-6, 3, 0], [0.3, 0.1, 0.09999999999999998], [1e308, 3e-308, 5.476144900572913e-309], [5e-324, 3, 5e-324],
  [-5e-324, 3, 3], [1e300, 7, 1], [123.456, 0.001, 4.996003610813204e-16], [-0, 3, 0], [0, -3, -0],
  [9007199254740994, 10, 4], [-1e22, 0.7, 0.5430713390795099], [1.5, -0.25, -0],
];

test('% has Python semantics: the sign of the divisor, exact, NaN for x % 0', () => {
  assert.equal(holdsOne('-7 % 3 == 2 and 7 % -3 == -2'), true);
  const names = ['a', 'b', 'r'];
  const check = instantiate(compileConditions(['a % b == r', '1 / (a % b) > 0', '1 / r > 0', 'isnan(a % b)'], names));
  for (const [a, b, r] of PYTHON_MODULO) {
    const mask = check([a, b, r]);
    assert.equal(mask & 1, 1, `${a} % ${b} should be ${r}`);
    assert.equal((mask >> 1) & 1, (mask >> 2) & 1, `sign of ${a} % ${b}`);
    // the same, folded at compile time
    const literal = (v) => (Object.is(v, -0) ? '-0' : v === Infinity ? '(1/0)' : v === -Infinity ? '(-1/0)' : `(${v})`);
    assert.equal(holdsOne(`${literal(a)} % ${literal(b)} == ${literal(r)}`), true, `folded ${a} % ${b}`);
  }
  for (const [a, b] of [[7, 0], [7, -0], [Infinity, 3], [-Infinity, 3], [NaN, 3], [3, NaN], [0, 0]]) {
    assert.equal(check([a, b, 0]) >>> 3, 1, `${a} % ${b} is NaN`);
  }
  assert.deepEqual(holds(['x % 0 == x % 0', 'x % 0 != 0', 'step % 0 == 0'], { x: 5, step: 100 }), [false, true, false]);
  assert.deepEqual([0, 1, 99, 100, 200, 250].map((step) => holdsOne('step % 100 == 0', { step })), [true, false, false, true, true, false]);
});

test('check() returns bit i for condition i, for up to 32 conditions', () => {
  const conditions = Array.from({ length: MAX_CONDITIONS }, (_, i) => `step % ${i + 2} == 0`);
  const check = instantiate(compileConditions(conditions, NAMES));
  for (const step of [0, 1, 2, 6, 12, 33, 720720, 2 ** 40]) {
    const mask = check([step]);
    for (let i = 0; i < MAX_CONDITIONS; i++) assert.equal((mask >>> i) & 1, step % (i + 2) === 0 ? 1 : 0, `step ${step}, bit ${i}`);
  }
  assert.equal(check([0]), -1, 'bit 31 makes the i32 negative');
  assert.equal(instantiate(compileConditions([], NAMES))([1]), 0);
  assert.equal(instantiate(compileConditions(['true', 'false', 'true'], NAMES))([]), 0b101);
  const tooMany = compileConditions([...conditions, 'loss < 1', 'x > 1'], NAMES);
  assert.equal(tooMany.ok, false);
  assert.deepEqual(tooMany.errors.map((e) => [e.index, e.diagnostics[0].message]), [
    [32, 'At most 32 conditions can be checked together; this is number 33'],
    [33, 'At most 32 conditions can be checked together; this is number 34'],
  ]);
});

test('errors are reported per condition with exact ranges', () => {
  assert.deepEqual(errors('gradnrm > 1e3'), [["Unknown name 'gradnrm'. Did you mean 'gradnorm'?", 0, 0, 0, 7]]);
  assert.deepEqual(errors('loss < 1 and isNaN(x)'), [["Unknown name 'isNaN'. Did you mean 'isnan'?", 0, 13, 0, 18]]);
  assert.deepEqual(errors('foo > 1', ['step', 'loss']), [["Unknown name 'foo'. The run's state has step and loss", 0, 0, 0, 3]]);
  assert.deepEqual(errors('loss'), [['A condition must compare something, e.g. loss < 1e-6', 0, 0, 0, 4]]);
  assert.deepEqual(errors('step % 100'), [['A condition must compare something, e.g. loss < 1e-6', 0, 0, 0, 10]]);
  assert.deepEqual(errors('x < 1 and y'), [['A condition must compare something, e.g. loss < 1e-6', 0, 10, 0, 11]]);
  assert.deepEqual(errors('not loss'), [['A condition must compare something, e.g. loss < 1e-6', 0, 4, 0, 8]]);
  assert.deepEqual(errors('step = 500'), [["Use '==' to compare ('=' is not a comparison)", 0, 5, 0, 6]]);
  assert.deepEqual(errors('(x < 1) * 2 > 0'), [['A comparison gives true or false, not a number', 0, 0, 0, 7]]);
  assert.deepEqual(errors('abs(isnan(x)) > 0'), [["'isnan(...)' gives true or false, not a number", 0, 4, 0, 12]]);
  assert.deepEqual(errors('isnan(x, y)'), [["'isnan' takes 1 argument, got 2", 0, 0, 0, 11]]);
  assert.deepEqual(errors('x < 1 +'), [["Expected an expression after '+'", 0, 6, 0, 7]]);
  assert.deepEqual(errors('x < 1 and'), [["Expected an expression after 'and'", 0, 6, 0, 9]]);
  assert.deepEqual(errors('x < and 1'), [["Expected an expression before 'and'", 0, 4, 0, 7]]);
  assert.deepEqual(errors('loss < 1\nstep > 3'), [["A condition is a single expression: combine conditions with 'and' or 'or'", 1, 0, 1, 4]]);
  assert.deepEqual(errors('x & y'), [["Unexpected character '&'", 0, 2, 0, 3], ["Missing operator before 'y' (write a*y for a product)", 0, 4, 0, 5]]);
  assert.deepEqual(errors(''), [['Empty condition: write one, e.g. loss < 1e-6', 0, 0, 0, 0]]);
  assert.deepEqual(errors('  # nothing'), [['Empty condition: write one, e.g. loss < 1e-6', 0, 0, 0, 11]]);
  assert.deepEqual(errors('m[4] > 0'), [["Index 4 is out of range: 'm' has indices 1..3", 0, 2, 0, 3]]);
  assert.deepEqual(errors('m > 0'), [["'m' is a vector of 3 values: write m[i] with i in 1..3", 0, 0, 0, 1]]);
  assert.deepEqual(errors('sum(i = 1..step, x) > 0'), [["A sum bound must be a constant, not depend on the run's state", 0, 11, 0, 15]]);
  assert.deepEqual(errors('x < ('.repeat(300) + 'x'), [['Expression nested too deeply (more than 200 levels)', 0, 1000, 0, 1001]]);
  const compiled = compileConditions(['loss < 1', 'gradnrm > 1', 'x > 1', 'x <'], NAMES);
  assert.deepEqual(compiled.errors.map((e) => [e.index, e.diagnostics.map((d) => d.message)]), [
    [1, ["Unknown name 'gradnrm'. Did you mean 'gradnorm'?"]],
    [3, ["Expected an expression after '<'"]],
  ]);
  assert.deepEqual(checkCondition('loss < 1e-6 # converged', NAMES), []);
  assert.deepEqual(checkCondition('\n  x > 1  \n', NAMES), []);
});

test('a loss rejects what only conditions allow, with a clear message', () => {
  const lossErrors = (text) => {
    const result = compileLoss(text);
    assert.equal(result.ok, false, text);
    assert.ok(rangesAreValid(text, result.diagnostics));
    return result.diagnostics.map((d) => [d.message, d.range.start.character, d.range.end.character]);
  };
  assert.deepEqual(lossErrors('x^2 + (y < 1)'), [["'<' is only allowed in breakpoint conditions, not in a loss", 9, 10]]);
  assert.deepEqual(lossErrors('f == x^2'), [["'==' is only allowed in breakpoint conditions, not in a loss; write '=' to define a name", 2, 4]]);
  assert.deepEqual(lossErrors('x % 2 + y'), [["'%' is only allowed in breakpoint conditions, not in a loss", 2, 3]]);
  assert.deepEqual(lossErrors('x and y'), [["'and' is only allowed in breakpoint conditions, not in a loss", 2, 5]]);
  assert.deepEqual(lossErrors('x^2 || y'), [["'||' is only allowed in breakpoint conditions, not in a loss", 4, 6]]);
  assert.deepEqual(lossErrors('!x'), [["'!' is only allowed in breakpoint conditions, not in a loss", 0, 1]]);
  assert.deepEqual(lossErrors('x + np.isnan(y)'), [["'np.isnan' is only allowed in breakpoint conditions, not in a loss", 4, 12]]);
  assert.deepEqual(lossErrors('x * true'), [["'true' is only allowed in breakpoint conditions, not in a loss", 4, 8]]);
  assert.deepEqual(lossErrors('not = 2\nf = x'), [["'not' is a keyword", 0, 3]]);
  // scenario lines keep true/false option values and '=' assignments
  const ok = compileLoss('f = x^2 + y^2\noptimizer sgd lr=0.1 nesterov=true momentum=0.9\nstart = (1, 2)');
  assert.ok(ok.ok);
  assert.deepEqual(ok.scenario.optimizers, [{ name: 'sgd', options: { lr: 0.1, nesterov: true, momentum: 0.9 } }]);
});

// --- property test: random conditions, printed to text, evaluated by the module and by this reference ---

function pythonModulo(a, b) {
  const r = a % b;
  if (r === 0) return b < 0 ? -0 : 0;
  return (r < 0) !== (b < 0) ? r + b : r;
}

const UNARY = { abs: Math.abs, sqrt: Math.sqrt, exp: Math.exp, log: Math.log, sin: Math.sin, tanh: Math.tanh, log10: Math.log10 };
const BINARY = { atan2: Math.atan2, hypot: (a, b) => Math.hypot(a, b), pow: Math.pow, min: Math.min, max: Math.max };
const ARITHMETIC = {
  '+': (a, b) => a + b, '-': (a, b) => a - b, '*': (a, b) => a * b, '/': (a, b) => a / b, '%': pythonModulo,
};
const COMPARE = {
  '<': (a, b) => a < b, '<=': (a, b) => a <= b, '>': (a, b) => a > b, '>=': (a, b) => a >= b, '==': (a, b) => a === b, '!=': (a, b) => a !== b,
};
const LITERALS = [1, 2, 3, 0.5, 100, 1e-6, 1e3, 2.5, 7, 1e300, 5e-324];
const STATE = ['step', 'loss', 'gradnorm', 'lr', 'x', 'y', 'grad_x', 'grad_y', 'm[1]', 'm[2]', 'm[3]'];

// Precedence levels of the printed text (higher binds tighter).
const LEVEL = { or: 1, and: 2, not: 3, compare: 4, sum: 5, product: 6, negate: 7, power: 8, atom: 9 };

function randomNumber(random, depth) {
  const pick = (items) => items[Math.floor(random() * items.length)];
  const r = random();
  if (depth <= 0 || r < 0.3) return random() < 0.5 ? { kind: 'literal', value: pick(LITERALS) } : { kind: 'name', name: pick(STATE) };
  if (r < 0.6) return { kind: 'arith', op: pick(Object.keys(ARITHMETIC)), left: randomNumber(random, depth - 1), right: randomNumber(random, depth - 1) };
  if (r < 0.68) return { kind: 'negate', operand: randomNumber(random, depth - 1) };
  if (r < 0.76) return { kind: 'square', base: randomNumber(random, depth - 1) };
  if (r < 0.88) return { kind: 'call', fn: pick(Object.keys(UNARY)), args: [randomNumber(random, depth - 1)] };
  // (pow's exponent is a state value: a constant exponent means PyTorch's pow(Tensor, Scalar), e.g. ^0.5 is sqrt)
  if (r < 0.96) {
    const fn = pick(Object.keys(BINARY));
    const second = fn === 'pow' ? { kind: 'name', name: pick(STATE) } : randomNumber(random, depth - 1);
    return { kind: 'call', fn, args: [randomNumber(random, depth - 1), second] };
  }
  return { kind: 'sum' };
}

function randomCondition(random, depth) {
  const pick = (items) => items[Math.floor(random() * items.length)];
  const r = random();
  if (depth <= 0 || r < 0.45) {
    if (r < 0.03) return { kind: 'bool', value: random() < 0.5 };
    if (r < 0.1) return { kind: 'predicate', fn: pick(['isnan', 'isfinite', 'isinf']), arg: randomNumber(random, 2) };
    const count = random() < 0.8 ? 1 : 2;
    const operands = [randomNumber(random, 2)];
    const ops = [];
    for (let k = 0; k < count; k++) {
      ops.push(pick(Object.keys(COMPARE)));
      operands.push(randomNumber(random, 2));
    }
    return { kind: 'compare', ops, operands };
  }
  if (r < 0.6) return { kind: 'not', operand: randomCondition(random, depth - 1), spelling: pick(['not ', '!']) };
  const op = random() < 0.5 ? 'and' : 'or';
  const operands = Array.from({ length: 2 + Math.floor(random() * 2) }, () => randomCondition(random, depth - 1));
  return { kind: 'logic', op, operands, spelling: op === 'and' ? pick([' and ', ' && ']) : pick([' or ', ' || ']) };
}

/** Prints node, in parentheses when its level is below min. */
function print(node, min = 0) {
  const wrap = (level, text) => (level < min ? `(${text})` : text);
  switch (node.kind) {
    case 'literal': return String(node.value);
    case 'name': return node.name;
    case 'sum': return 'sum(i = 1..3, m[i])';
    case 'bool': return String(node.value);
    case 'arith': {
      const level = node.op === '+' || node.op === '-' ? LEVEL.sum : LEVEL.product;
      return wrap(level, `${print(node.left, level)} ${node.op} ${print(node.right, level + 1)}`);
    }
    case 'negate': return wrap(LEVEL.negate, `-${print(node.operand, LEVEL.negate)}`);
    case 'square': return wrap(LEVEL.power, `${print(node.base, LEVEL.atom)}^2`);
    case 'call':
    case 'predicate': return `${node.fn}(${(node.args ?? [node.arg]).map((a) => print(a)).join(', ')})`;
    case 'compare': return wrap(LEVEL.compare, node.operands.map((o, k) => (k === 0 ? '' : ` ${node.ops[k - 1]} `) + print(o, LEVEL.sum)).join(''));
    case 'not': return wrap(LEVEL.not, `${node.spelling}${print(node.operand, LEVEL.not)}`);
    case 'logic': return wrap(LEVEL[node.op], node.operands.map((o) => print(o, LEVEL[node.op] + 1)).join(node.spelling));
  }
  throw new Error(node.kind);
}

function evaluate(node, context) {
  switch (node.kind) {
    case 'literal': return node.value;
    case 'name': return context[node.name];
    case 'sum': return context['m[1]'] + context['m[2]'] + context['m[3]'];
    case 'bool': return node.value;
    case 'arith': return ARITHMETIC[node.op](evaluate(node.left, context), evaluate(node.right, context));
    case 'negate': return -evaluate(node.operand, context);
    case 'square': {
      const base = evaluate(node.base, context);
      return base * base;
    }
    case 'call': return (UNARY[node.fn] ?? BINARY[node.fn])(...node.args.map((a) => evaluate(a, context)));
    case 'predicate': {
      const v = evaluate(node.arg, context);
      return node.fn === 'isnan' ? Number.isNaN(v) : node.fn === 'isfinite' ? Number.isFinite(v) : Math.abs(v) === Infinity;
    }
    case 'compare': {
      const values = node.operands.map((o) => evaluate(o, context));
      return node.ops.every((op, k) => COMPARE[op](values[k], values[k + 1]));
    }
    case 'not': return !evaluate(node.operand, context);
    case 'logic': {
      const values = node.operands.map((o) => evaluate(o, context));
      return node.op === 'and' ? values.every(Boolean) : values.some(Boolean);
    }
  }
  throw new Error(node.kind);
}

function randomValue(random) {
  const r = random();
  if (r < 0.25) return [0, -0, 1, -1, 2, 3, 100, 500, 1e-6, 0.5, NaN, Infinity, -Infinity, 5e-324, 1e300, -1e300][Math.floor(random() * 16)];
  if (r < 0.5) return Math.floor(random() * 1000);
  if (r < 0.75) return (random() - 0.5) * 20;
  return (random() < 0.5 ? -1 : 1) * 10 ** (random() * 600 - 300);
}

test('property: random conditions agree with an independent JavaScript evaluation, NaN and infinities included', () => {
  const random = mulberry32(6);
  let evaluations = 0;
  const seen = new Set();
  for (let round = 0; round < 1500; round++) {
    const asts = Array.from({ length: 1 + Math.floor(random() * 6) }, () => randomCondition(random, 3));
    const texts = asts.map((ast) => print(ast));
    const compiled = compileConditions(texts, NAMES);
    assert.ok(compiled.ok, `${JSON.stringify(texts)}: ${JSON.stringify(compiled.errors)}`);
    const check = instantiate(compiled);
    for (let k = 0; k < 20; k++) {
      const context = Object.fromEntries(STATE.map((name) => [name, randomValue(random)]));
      const mask = check(NAMES.map((name) => context[name]));
      asts.forEach((ast, i) => {
        const expected = evaluate(ast, context);
        seen.add(expected);
        assert.equal(((mask >>> i) & 1) === 1, expected, `${texts[i]} at ${JSON.stringify(context, (_, v) => (typeof v === 'number' ? String(v) : v))}`);
        evaluations++;
      });
    }
  }
  assert.deepEqual([...seen].sort(), [false, true]);
  console.log(`# property: ${evaluations} condition evaluations agree`);
});

// --- fuzz: never throws, never hangs ---

const VOCABULARY = [
  'step', 'loss', 'gradnorm', 'x', 'm[1]', 'm[i]', 'm', 'gradnrm', '1', '0', '1e-6', '1e309', '.5', 'pi', 'true', 'False',
  '+', '-', '*', '/', '%', '^', '**', '(', ')', '[', ']', ',', '=', '==', '!=', '<', '<=', '>', '>=', '!', '&&', '||', '&', '|',
  'and', 'or', 'not', 'isnan(', 'isfinite(', 'isinf(', 'abs(', 'sqrt(', 'max(', 'np.', 'sum(i = 1..3, ', '..', ';', '\n', ' ', '#', '@', 'é',
];

test('fuzz: 30 000 random and mutated conditions compile or give valid diagnostics', () => {
  const random = mulberry32(33);
  const seeds = ['step % 100 == 0', 'isnan(loss) or step >= 500', 'abs(grad_x) < 1e-8 and step > 10', 'not (0 < x <= 1) || !isfinite(m[2])'];
  const started = performance.now();
  let compiled = 0;
  for (let k = 0; k < 30_000; k++) {
    let text = '';
    if (k % 2 === 0) {
      const count = 1 + Math.floor(random() * 16);
      for (let j = 0; j < count; j++) text += VOCABULARY[Math.floor(random() * VOCABULARY.length)] + (random() < 0.4 ? ' ' : '');
    } else {
      text = seeds[Math.floor(random() * seeds.length)];
      const at = Math.floor(random() * text.length);
      text = text.slice(0, at) + VOCABULARY[Math.floor(random() * VOCABULARY.length)] + text.slice(at + Math.floor(random() * 4));
    }
    const diagnostics = checkCondition(text, NAMES);
    assert.ok(rangesAreValid(text, diagnostics), `bad range for ${JSON.stringify(text)}: ${JSON.stringify(diagnostics)}`);
    assert.ok(!diagnostics.some((d) => d.message.startsWith('Internal error')), JSON.stringify([text, diagnostics]));
    const result = compileConditions([text, 'x > 1'], NAMES);
    assert.equal(result.ok, diagnostics.length === 0, text);
    if (result.ok) {
      compiled++;
      if (compiled % 100 === 1) assert.ok(WebAssembly.validate(result.wasm), text);
    }
  }
  assert.ok(compiled > 500, `only ${compiled} compiled`);
  const adversarial = [
    'not '.repeat(100_000) + 'x > 1',
    '!'.repeat(100_000) + 'true',
    '('.repeat(100_000),
    'x < '.repeat(50_000) + 'x',
    'x > 1 or '.repeat(30_000) + 'true',
    'x % '.repeat(50_000) + 'x == 0',
    'sum(i = 1..1000000000, x) > 0',
    'sum(i = 1..3000, sum(j = 1..3000, x*i + j)) > 0',
    'isnan('.repeat(10_000) + 'x' + ')'.repeat(10_000),
    '\n'.repeat(100_000) + 'x > 1',
    'gradnrm > 1 and '.repeat(5_000) + 'true',
  ];
  for (const text of adversarial) {
    const diagnostics = checkCondition(text, NAMES);
    const result = compileConditions([text], NAMES);
    assert.ok(rangesAreValid(text, diagnostics) && diagnostics.length <= 100, text.slice(0, 40));
    assert.equal(result.ok, diagnostics.length === 0);
  }
  console.log(`# fuzz: 30000 conditions (${compiled} compiled) and ${adversarial.length} adversarial in ${((performance.now() - started) / 1000).toFixed(1)} s`);
});
