/**
 * CI provenance as signed payload annotations (opt-in `annotate-ci`): the
 * signature then names the repository, commit, pipeline and run that made
 * it, and `verify` can require those values (`required-annotations`).
 */
export interface CiProvenance {
  /** Repository URL. */
  source?: string;
  /** Commit the run built. */
  revision?: string;
  /** Workflow or pipeline definition. */
  pipeline?: string;
  /** URL (or id) of the run. */
  run?: string;
}

export const PROVENANCE_KEYS = {
  source: 'org.opencontainers.image.source',
  revision: 'org.opencontainers.image.revision',
  pipeline: 'io.notary-sign.ci.pipeline',
  run: 'io.notary-sign.ci.run',
} as const;

export function provenanceAnnotations(p: CiProvenance): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, key] of Object.entries(PROVENANCE_KEYS)) {
    const value = p[field as keyof CiProvenance];
    if (value) out[key] = value;
  }
  return out;
}
