// A function of the loss language applied to lowered arguments: one lowering for losses, conditions and optimizer rules.
import { UNARY_IMPORTS, UnaryImport } from './builtins';
import { Graph } from './graph';

/** name is a FUNCTIONS entry (aliases resolved) other than sum and prod; args have the count it takes. */
export function applyFunction(g: Graph, name: string, args: number[]): number {
  const [a, b] = args;
  switch (name) {
    case 'sqrt': return g.sqrt(a);
    case 'abs': return g.abs(a);
    case 'sign': return g.sign(a);
    case 'relu': return g.relu(a);
    case 'sigmoid':
    case 'softplus': return g.unary(name, a);
    case 'min': return args.reduce((acc, next) => g.min(acc, next));
    case 'max': return args.reduce((acc, next) => g.max(acc, next));
    case 'pow': return g.pow(a, b);
    case 'atan2':
    case 'hypot': return g.call2(name, a, b);
    default:
      if ((UNARY_IMPORTS as readonly string[]).includes(name)) return g.call1(name as UnaryImport, a);
      throw new Error(`no lowering for function ${name}`);
  }
}
