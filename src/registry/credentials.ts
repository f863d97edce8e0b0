import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { NotarySignError } from '../errors.js';

export interface BasicCredential {
  username: string;
  password: string;
  /** What to check when the registry refuses an action with it (who grants it what), instead of the generic hint. */
  refusedHint?: string;
}
/**
 * An OAuth2 refresh token for the registry's token service, as `docker login` stores it for
 * registries that hand one out (`identitytoken` in config.json; `az acr login` writes ACR's).
 * It is never sent as Basic auth: it is exchanged at the token endpoint (distribution
 * docs/spec/auth/oauth.md, grant_type=refresh_token).
 */
export interface IdentityTokenCredential {
  identityToken: string;
}
export type RegistryCredential = BasicCredential | IdentityTokenCredential;
export const isIdentityToken = (c: RegistryCredential): c is IdentityTokenCredential => 'identityToken' in c;

/** Finds credentials for a registry host; undefined means anonymous. */
export type CredentialResolver = (registry: string) => Promise<RegistryCredential | undefined>;

const DOCKER_HUB_KEYS = ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io'];

/** Host names docker writes as keys in config.json for this registry. */
function configKeys(registry: string): string[] {
  if (registry === 'docker.io') return DOCKER_HUB_KEYS;
  return [registry, `https://${registry}`, `http://${registry}`, `https://${registry}/v1/`, `https://${registry}/v2/`];
}

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

/**
 * Credentials as `docker login` left them: $DOCKER_CONFIG/config.json or
 * ~/.docker/config.json, including credential helpers (docker-credential-*).
 */
export function dockerConfigCredentials(configDir = process.env.DOCKER_CONFIG ?? join(homedir(), '.docker')): CredentialResolver {
  let config: Promise<DockerConfig> | undefined;
  const load = (): Promise<DockerConfig> =>
    (config ??= readFile(join(configDir, 'config.json'), 'utf8').then(
      (text) => {
        try {
          return JSON.parse(text) as DockerConfig;
        } catch {
          throw new NotarySignError('INPUT', `${join(configDir, 'config.json')} is not valid JSON; fix or remove it`);
        }
      },
      () => ({}),
    ));
  return async (registry) => {
    const cfg = await load();
    const keys = configKeys(registry);
    const helper = keys.map((k) => cfg.credHelpers?.[k]).find(Boolean) ?? cfg.credsStore;
    for (const key of keys) {
      const entry = cfg.auths?.[key];
      if (!entry) continue;
      if (entry.identitytoken) return { identityToken: entry.identitytoken };
      if (entry.auth) {
        const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
        const i = decoded.indexOf(':');
        if (i > 0) return { username: decoded.slice(0, i), password: decoded.slice(i + 1) };
      }
      if (entry.username && entry.password) return { username: entry.username, password: entry.password };
    }
    if (helper) return fromHelper(helper, registry === 'docker.io' ? DOCKER_HUB_KEYS[0]! : registry);
    return undefined;
  };
}

/** A docker credential helper's answer. node:child_process loads only here: most runs name no helper. */
async function fromHelper(helper: string, serverUrl: string): Promise<RegistryCredential | undefined> {
  const { execFile } = await import('node:child_process');
  return new Promise((resolve) => {
    const child = execFile(`docker-credential-${helper}`, ['get'], { timeout: 10_000 }, (err, stdout) => {
      if (err) return resolve(undefined); // helper absent or no entry: anonymous, as docker does
      try {
        const r = JSON.parse(stdout) as { Username?: string; Secret?: string };
        // Helpers report an identity token with the user name "<token>" (docker/docker-credential-helpers, credentials.go).
        if (r.Username === '<token>' && r.Secret) return resolve({ identityToken: r.Secret });
        resolve(r.Username && r.Secret ? { username: r.Username, password: r.Secret } : undefined);
      } catch {
        resolve(undefined);
      }
    });
    child.stdin?.end(serverUrl);
  });
}

/** Explicit credentials for one or more registries take precedence over others. */
export function staticCredentials(map: Record<string, RegistryCredential>, fallback?: CredentialResolver): CredentialResolver {
  return async (registry) => map[registry] ?? (await fallback?.(registry));
}
