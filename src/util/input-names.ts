/**
 * How the user's CI spells an input, so that every message, wherever in the
 * core it is made, names the input the user can change: `--key-id` in the
 * CLI, `key-id` in the action, `keyId` in the task.
 */

/** An adapter's spelling of a core (kebab-case) input name; undefined for an input it does not have. */
export type InputNamer = (kebab: string) => string | undefined;

/** Names for messages: the adapter's spelling, kebab-case when it has none. */
export interface InputNames {
  (kebab: string): string;
  /** Whether this adapter offers the input at all. */
  has(kebab: string): boolean;
}

export function inputNames(namer: InputNamer | undefined): InputNames {
  const name = (kebab: string) => (namer ? (namer(kebab) ?? kebab) : kebab);
  return Object.assign(name, { has: (kebab: string) => !namer || namer(kebab) !== undefined });
}

/** Where registry credentials come from, as this adapter spells it. */
export function registryCredentialsHint(name: InputNames): string {
  if (name.has('registry-username')) return `${name('registry-username')}/${name('registry-password')} or your docker login`;
  if (name.has('container-registry')) return `the ${name('container-registry')} service connection`;
  return 'your docker login';
}
