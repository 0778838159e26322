/**
 * Whether this Node was started with a flag matching `pattern`, on its command line or in NODE_OPTIONS: where
 * the user chose a V8 or Node setting themselves, hopscope leaves it to them.
 */
export function startedWith(pattern: RegExp): boolean {
  return pattern.test(`${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`);
}
