import { NotarySignError } from '../errors.js';

/** An image reference split the way Docker splits it. */
export interface Reference {
  /** Registry host as written (with port), `docker.io` by default. */
  readonly registry: string;
  /** Repository path, `library/` prefixed for official Docker Hub images. */
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

export const DEFAULT_REGISTRY = 'docker.io';

// Grammar from distribution/reference (regexp.go), anchored piecewise.
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*$/;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]{1,5})?$`);
/** The distribution spec's tag grammar: `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`. */
export const TAG = /^[\w][\w.-]{0,127}$/;
const DIGESTS: Record<string, RegExp> = {
  sha256: /^[a-f0-9]{64}$/,
  sha512: /^[a-f0-9]{128}$/,
};
const MAX_NAME_LENGTH = 255;

const invalid = (input: string, why: string): NotarySignError =>
  new NotarySignError(
    'INPUT',
    `invalid image reference "${truncate(input)}": ${why} (expected e.g. myregistry.azurecr.io/app@sha256:<64 hex> or registry/app:tag)`,
  );

const truncate = (s: string): string => (s.length > 120 ? `${s.slice(0, 117)}...` : s);

export function isDigest(value: string): boolean {
  const [alg, hex, extra] = value.split(':');
  if (extra !== undefined || alg === undefined || hex === undefined) return false;
  return DIGESTS[alg]?.test(hex) ?? false;
}

export function parseReference(input: string): Reference {
  if (typeof input !== 'string' || input.length === 0) throw invalid(String(input), 'it is empty');
  if (input !== input.trim() || /\s/.test(input)) throw invalid(input, 'it contains whitespace');
  if (/^[a-z]+:\/\//i.test(input)) throw invalid(input, 'remove the URL scheme');

  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!isDigest(digest)) throw invalid(input, `"${truncate(digest)}" is not a sha256 or sha512 digest`);
  }

  // A tag follows the last colon that comes after the last slash (a colon before it is a port).
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw invalid(input, `"${truncate(tag)}" is not a valid tag`);
  }

  let registry = DEFAULT_REGISTRY;
  let path = rest;
  const slash = rest.indexOf('/');
  // Docker reads `myacr.azurecr.io` or `127.0.0.1:5000` as a Docker Hub image; nobody means that.
  if (slash < 0 && (rest.includes('.') || rest === 'localhost')) {
    const host = tag !== undefined && /^\d{1,5}$/.test(tag) ? `${rest}:${tag}` : rest;
    throw invalid(
      input,
      `"${truncate(host)}" is a registry, not an image; name the repository too, e.g. ${truncate(host)}/<repository>:<tag>`,
    );
  }
  const first = slash >= 0 ? rest.slice(0, slash) : '';
  if (slash >= 0 && (/[.:]/.test(first) || first === 'localhost' || first.startsWith('[') || first !== first.toLowerCase())) {
    registry = first;
    path = rest.slice(slash + 1);
    if (!DOMAIN.test(registry)) throw invalid(input, `"${truncate(registry)}" is not a valid registry host`);
    if (registry === 'index.docker.io') registry = DEFAULT_REGISTRY;
  }
  if (path.length === 0) throw invalid(input, 'the repository name is missing');
  for (const component of path.split('/')) {
    if (!PATH_COMPONENT.test(component)) {
      throw invalid(
        input,
        component === ''
          ? 'the repository path has an empty component'
          : `repository component "${truncate(component)}" must be lowercase letters, digits and separators`,
      );
    }
  }
  if (registry === DEFAULT_REGISTRY && !path.includes('/')) path = `library/${path}`;
  if (registry.length + 1 + path.length > MAX_NAME_LENGTH) throw invalid(input, 'the name is longer than 255 characters');

  return { registry, repository: path, ...(tag === undefined ? {} : { tag }), ...(digest === undefined ? {} : { digest }) };
}

/** `registry/repository` — the form trust policy scopes use. */
export const repositoryName = (ref: Reference): string => `${ref.registry}/${ref.repository}`;

export function formatReference(ref: Reference): string {
  let out = repositoryName(ref);
  if (ref.tag !== undefined) out += `:${ref.tag}`;
  if (ref.digest !== undefined) out += `@${ref.digest}`;
  return out;
}

export const withDigest = (ref: Reference, digest: string): Reference => ({
  registry: ref.registry,
  repository: ref.repository,
  digest,
});
