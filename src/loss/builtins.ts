// Built-in functions and constants of the loss language.
import { optimizerNames } from '../engine/optimizers';

/** Functions the generated module imports from the host as `math.<name>`. */
export type UnaryImport =
  | 'exp' | 'expm1' | 'log' | 'log1p' | 'log2' | 'log10'
  | 'sin' | 'cos' | 'tan' | 'asin' | 'acos' | 'atan'
  | 'sinh' | 'cosh' | 'tanh' | 'cbrt';
export type BinaryImport = 'atan2' | 'pow' | 'hypot';

export const UNARY_IMPORTS: readonly UnaryImport[] = [
  'exp', 'expm1', 'log', 'log1p', 'log2', 'log10', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh', 'cbrt',
];
export const BINARY_IMPORTS: readonly BinaryImport[] = ['atan2', 'pow', 'hypot'];

/** Functions computed by instructions or composed in the generated code. */
export type NativeUnary = 'sqrt' | 'abs' | 'sign' | 'sigmoid' | 'softplus' | 'relu';

export interface FunctionInfo {
  minArgs: number;
  /** Infinity for variadic functions. */
  maxArgs: number;
  doc: string;
}

export const FUNCTIONS: ReadonlyMap<string, FunctionInfo> = new Map<string, FunctionInfo>([
  ['sin', { minArgs: 1, maxArgs: 1, doc: 'sine' }],
  ['cos', { minArgs: 1, maxArgs: 1, doc: 'cosine' }],
  ['tan', { minArgs: 1, maxArgs: 1, doc: 'tangent' }],
  ['asin', { minArgs: 1, maxArgs: 1, doc: 'inverse sine' }],
  ['acos', { minArgs: 1, maxArgs: 1, doc: 'inverse cosine' }],
  ['atan', { minArgs: 1, maxArgs: 1, doc: 'inverse tangent' }],
  ['atan2', { minArgs: 2, maxArgs: 2, doc: 'atan2(a, b): angle of the point (b, a)' }],
  ['sinh', { minArgs: 1, maxArgs: 1, doc: 'hyperbolic sine' }],
  ['cosh', { minArgs: 1, maxArgs: 1, doc: 'hyperbolic cosine' }],
  ['tanh', { minArgs: 1, maxArgs: 1, doc: 'hyperbolic tangent' }],
  ['exp', { minArgs: 1, maxArgs: 1, doc: 'e to the power' }],
  ['expm1', { minArgs: 1, maxArgs: 1, doc: 'exp(a) - 1, accurate near 0' }],
  ['log', { minArgs: 1, maxArgs: 1, doc: 'natural logarithm' }],
  ['log1p', { minArgs: 1, maxArgs: 1, doc: 'log(1 + a), accurate near 0' }],
  ['log2', { minArgs: 1, maxArgs: 1, doc: 'base-2 logarithm' }],
  ['log10', { minArgs: 1, maxArgs: 1, doc: 'base-10 logarithm' }],
  ['sqrt', { minArgs: 1, maxArgs: 1, doc: 'square root' }],
  ['cbrt', { minArgs: 1, maxArgs: 1, doc: 'cube root' }],
  ['abs', { minArgs: 1, maxArgs: 1, doc: 'absolute value (gradient 0 at 0)' }],
  ['sign', { minArgs: 1, maxArgs: 1, doc: '-1, 0 or 1 (gradient 0)' }],
  ['min', { minArgs: 2, maxArgs: Infinity, doc: 'smallest argument (torch.minimum: a tie splits the gradient)' }],
  ['max', { minArgs: 2, maxArgs: Infinity, doc: 'largest argument (torch.maximum: a tie splits the gradient)' }],
  ['pow', { minArgs: 2, maxArgs: 2, doc: 'pow(a, b) = a^b' }],
  ['hypot', { minArgs: 2, maxArgs: 2, doc: 'sqrt(a^2 + b^2) without overflow' }],
  ['sigmoid', { minArgs: 1, maxArgs: 1, doc: '1 / (1 + exp(-a))' }],
  ['softplus', { minArgs: 1, maxArgs: 1, doc: 'log(1 + exp(a)), as torch (a above 20 gives a)' }],
  ['relu', { minArgs: 1, maxArgs: 1, doc: 'max(a, 0) (gradient 0 at 0)' }],
  ['sum', { minArgs: 2, maxArgs: 4, doc: 'sum(i = 1..n, term): the sum of term for i = 1, 2, ..., n' }],
  ['prod', { minArgs: 2, maxArgs: 4, doc: 'prod(i = 1..n, term): the product of term for i = 1, 2, ..., n' }],
]);

/** Functions giving true or false, allowed only in breakpoint conditions. */
export const PREDICATES: ReadonlyMap<string, string> = new Map([
  ['isnan', 'true when the value is NaN'],
  ['isfinite', 'true when the value is neither NaN nor infinite'],
  ['isinf', 'true when the value is +inf or -inf'],
]);

/** Other spellings (NumPy, JavaScript) of the functions above. */
export const FUNCTION_ALIASES: ReadonlyMap<string, string> = new Map([
  ['arcsin', 'asin'],
  ['arccos', 'acos'],
  ['arctan', 'atan'],
  ['arctan2', 'atan2'],
  ['maximum', 'max'],
  ['minimum', 'min'],
]);

export const CONSTANTS: ReadonlyMap<string, number> = new Map([
  ['pi', Math.PI],
  ['e', Math.E],
]);

/** Constant spellings accepted only after a library prefix (`Math.PI`). */
export const PREFIXED_CONSTANTS: ReadonlyMap<string, number> = new Map([
  ['PI', Math.PI],
  ['E', Math.E],
]);

/** Names that start a scenario line and cannot name a constant. */
export const SCENARIO_KEYWORDS = ['params', 'data', 'domain', 'start', 'minimum', 'minima', 'optimizer', 'schedule', 'stochastic', 'steps', 'builtin', 'network', 'record'] as const;

/** Optimizer names the engine knows (PyTorch's), for "did you mean" warnings. */
export const KNOWN_OPTIMIZERS = [...optimizerNames(), 'muon']; // muon: for networks (src/engine/muon.ts)
