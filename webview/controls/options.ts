// Editing PyTorch-named optimizer options as text (pure).
import type { OptionValue } from '../../src/shared/protocol';

/** Text for an option's field. */
export function formatOption(value: OptionValue): string {
  return Array.isArray(value) ? value.join(', ') : String(value);
}

/** Parses a field's text like the option's default (a number, or a list of as many numbers); undefined when invalid. */
export function parseOption(text: string, like: OptionValue): OptionValue | undefined {
  if (typeof like === 'boolean') return text === 'true' ? true : text === 'false' ? false : undefined;
  const parseNumber = (part: string) => (part.trim() === '' ? NaN : Number(part));
  if (Array.isArray(like)) {
    const parts = text.split(/[,\s]+/).filter((p) => p !== '').map(parseNumber);
    return parts.length === like.length && parts.every(Number.isFinite) ? parts : undefined;
  }
  const value = parseNumber(text);
  return Number.isFinite(value) ? value : undefined;
}

/** Options shown outside the collapsed "more options" section. */
export const PRIMARY_OPTIONS = ['lr'];
