// The Redis scripts of the stores, kept as .lua files in ./lua (as BullMQ keeps its `commands/`): each starts with
// a comment saying what it is for and what KEYS and ARGV hold. Read once, when the module that uses them loads.
import { readFileSync } from 'node:fs';

/**
 * A script's source: the files of `includes` (shared Lua functions) and then the script itself, with each `$NAME`
 * of `constants` replaced by its value (a bound shared with TypeScript, written once).
 */
export function luaScript(name: string, opts: { includes?: string[]; constants?: Record<string, number> } = {}): string {
  const read = (file: string) => readFileSync(new URL(`./lua/${file}.lua`, import.meta.url), 'utf8');
  let source = [...(opts.includes ?? []), name].map(read).join('\n');
  for (const [constant, value] of Object.entries(opts.constants ?? {})) source = source.replaceAll(`$${constant}`, String(value));
  if (/\$[A-Z_]+/.test(source)) throw new Error(`Lua script ${name}: a $CONSTANT was not given`);
  return source;
}
