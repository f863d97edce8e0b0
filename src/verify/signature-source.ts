import { NotarySignError } from '../errors.js';
import { parseReference, repositoryName, type Reference } from '../oci/reference.js';

/**
 * Where the signatures of a mirrored image live. A mirror or pull-through cache serves the same bytes under
 * another name but not the referrers; a signature signs a digest, so the source's signatures of that digest
 * vouch for the mirror's copy. Rules map `mirror-registry/path` (optionally ending in `/*`) to the source's.
 */
export interface SourceRule {
  mirror: string;
  source: string;
  wildcard: boolean;
}

/** `mirror.example.com/hub/* = docker.io/*` or `mirror.example.com/app = registry.example.com/team/app`, one per line. */
export function parseSignatureSources(lines: readonly string[], input: string): SourceRule[] {
  return lines.map((line) => {
    const m = /^\s*([^\s=]+)\s*=\s*([^\s=]+)\s*$/.exec(line);
    if (!m) throw new NotarySignError('INPUT', `${input}: "${line}" is not <mirror>[/*] = <source>[/*]`);
    const [mirror, source] = [m[1]!, m[2]!];
    const wildcard = mirror.endsWith('/*');
    if (wildcard !== source.endsWith('/*')) throw new NotarySignError('INPUT', `${input}: "${line}": both sides end in /* or neither does`);
    const strip = (s: string) => (wildcard ? s.slice(0, -2) : s);
    for (const side of [strip(mirror), strip(source)]) {
      // Each side must read as a repository (or a registry/path prefix of one).
      try {
        parseReference(`${side}${wildcard ? '/x' : ''}`);
      } catch {
        throw new NotarySignError('INPUT', `${input}: "${side}" is not a registry/repository`);
      }
    }
    return { mirror: strip(mirror), source: strip(source), wildcard };
  });
}

/** The source repository whose signatures vouch for `ref`, or undefined when no rule maps it. */
export function signatureSource(ref: Reference, rules: readonly SourceRule[]): Reference | undefined {
  const name = repositoryName(ref);
  for (const rule of rules) {
    const mapped = rule.wildcard
      ? name.startsWith(`${rule.mirror}/`)
        ? `${rule.source}/${name.slice(rule.mirror.length + 1)}`
        : undefined
      : name === rule.mirror || name === repositoryName(parseReference(rule.mirror))
        ? rule.source
        : undefined;
    if (mapped) {
      const source = parseReference(mapped);
      return { registry: source.registry, repository: source.repository, ...(ref.digest ? { digest: ref.digest } : {}) };
    }
  }
  return undefined;
}
