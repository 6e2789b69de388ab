// Values quoted in error messages: numbers as JavaScript prints them (NaN, Infinity, where JSON says null),
// holes and undefined named, and everything cut to a short excerpt (a message never repeats a whole input).

const MAX_LENGTH = 80;
const MAX_ITEMS = 8;

/** An excerpt of text at most max characters long, its length said when cut. */
export function excerpt(text: string, max = MAX_LENGTH): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}… (${text.length} characters)`;
}

/** The value as it would be written in JavaScript, for a message: [NaN, 1], {"lr": Infinity}, 'adam'. */
export function describeValue(value: unknown, max = MAX_LENGTH): string {
  const text = write(value, 2);
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function write(value: unknown, depth: number): string {
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'string') return JSON.stringify(excerpt(value, 40));
  if (value === undefined || value === null || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (typeof value !== 'object') return typeof value;
  if (depth === 0) return Array.isArray(value) ? '[…]' : '{…}';
  if (Array.isArray(value)) {
    const items: string[] = [];
    for (let i = 0; i < Math.min(value.length, MAX_ITEMS); i++) items.push(i in value ? write(value[i], depth - 1) : '<empty>');
    if (value.length > MAX_ITEMS) items.push(`… ${value.length} items`);
    return `[${items.join(', ')}]`;
  }
  const entries = Object.entries(value);
  const items = entries.slice(0, MAX_ITEMS).map(([key, item]) => `${JSON.stringify(excerpt(key, 40))}: ${write(item, depth - 1)}`);
  if (entries.length > MAX_ITEMS) items.push(`… ${entries.length} keys`);
  return `{${items.join(', ')}}`;
}
