import { readFile } from 'node:fs/promises';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { NotarySignError } from '../errors.js';
import { memoizeByKey } from '../util/concurrency.js';
import { silentLogger, type Logger } from '../log.js';
import { RegistryClient } from '../registry/client.js';
import { dockerConfigCredentials, staticCredentials, type BasicCredential, type CredentialResolver } from '../registry/credentials.js';
import type { AzureAuthOptions, CredentialKind } from '../azure/credential.js';
import type { AzureCloud } from '../azure/cloud.js';
import { parseDuration } from './inputs.js';
import type { Signer } from '../crypto/signer.js';
import { VERSION } from '../version.js';
import { parseReference } from '../oci/reference.js';
import { inputNames, type InputNames } from '../util/input-names.js';

/**
 * Turns adapter inputs (CLI flags, action inputs, task inputs) into the
 * objects the core runs with. Every adapter goes through here, so an input
 * means the same thing in all of them.
 */
export interface SessionInputs {
  /** Key Vault key or certificate URL. */
  keyId?: string;
  /** Local PEM key path (the no-cloud signer). */
  key?: string;
  /** PEM chain file path; required with `key`, optional with `keyId`. */
  certificateChain?: string;
  azure?: AzureAuthOptions;
  /** Explicit registry credentials, used for `registries` (all registries contacted when empty). */
  registryCredentials?: BasicCredential;
  /** Credentials for particular hosts this run itself serves (OCI layouts), before anything else. */
  hostCredentials?: Record<string, BasicCredential>;
  registries?: readonly string[];
  /** The registries the command will contact (for choosing the Azure cloud). */
  targetRegistries?: readonly string[];
  insecureRegistries?: readonly string[];
  /** Login servers to treat as ACR besides *.azurecr.io. */
  acrHosts?: readonly string[];
  /** Total time for one registry request attempt, as a duration (`30s`, `2m`); default 60 s. */
  networkTimeout?: string;
  logger?: Logger;
  /** Where docker `config.json` lives; default $DOCKER_CONFIG or ~/.docker. */
  dockerConfigDir?: string;
  /** Told every token and credential obtained at run time, so the CI can mask it. */
  onSecret?: (value: string) => void;
  /** How the adapter spells an input in messages (kebab-case by default). */
  inputName?: InputNames;
}

/** Makes the run's Session once a command knows which registries it will contact. */
export interface SessionFactory {
  /** Explicit registry credentials were given: they go only to the registries a command names. */
  readonly hasExplicitCredentials: boolean;
  forRegistries(registries: readonly string[]): Session;
  /** The registries of these image references (an invalid reference is an input error here). */
  forImages(images: readonly string[]): Session;
}

export function sessionFactory(inputs: SessionInputs): SessionFactory {
  const forRegistries = (registries: readonly string[]) =>
    new Session({ ...inputs, targetRegistries: registries, registries: inputs.registries ?? [...new Set(registries)] });
  return {
    hasExplicitCredentials: inputs.registryCredentials !== undefined,
    forRegistries,
    forImages: (images) => forRegistries(images.map((i) => parseReference(i).registry)),
  };
}

export class Session {
  private credentialPromise?: Promise<{ credential: TokenCredential; kind: CredentialKind }>;
  readonly log: Logger;

  /** How the user's CI spells inputs, for every message this session's parts make. */
  readonly name: InputNames;

  /** From `network-timeout`, parsed up front so a bad value fails before anything is contacted. */
  private readonly timeoutMs: number | undefined;

  constructor(readonly inputs: SessionInputs) {
    this.log = inputs.logger ?? silentLogger;
    this.name = inputs.inputName ?? inputNames(undefined);
    this.timeoutMs = inputs.networkTimeout ? parseDuration(inputs.networkTimeout, this.name('network-timeout')) : undefined;
  }

  /** The Azure cloud this run signs in to: named by the CI, or told by the authority, vault or registry hosts. */
  async cloud(): Promise<AzureCloud> {
    const { detectCloud } = await import('../azure/cloud.js');
    const { azure, keyId, targetRegistries } = this.inputs;
    return detectCloud({
      ...(azure?.cloud ? { explicit: azure.cloud } : {}),
      ...(azure?.authorityHost ? { authorityHost: azure.authorityHost } : {}),
      ...(keyId ? { vaultUrl: keyId } : {}),
      registries: targetRegistries ?? [],
    });
  }

  /** The Azure credential, chosen once and only when something needs it. */
  azureCredential(): Promise<{ credential: TokenCredential; kind: CredentialKind }> {
    this.credentialPromise ??= import('../azure/credential.js').then(async (m) => {
      const cloud = await this.cloud();
      const selected = await m.selectCredential({
        ...this.inputs.azure,
        // A sovereign cloud's authority, unless the run named one.
        authorityHost: this.inputs.azure?.authorityHost ?? cloud.authorityHost,
        logger: this.log,
        inputName: this.name,
        ...(this.inputs.onSecret ? { onSecret: this.inputs.onSecret } : {}),
      });
      const onSecret = this.inputs.onSecret;
      const inner = selected.credential;
      // Key Vault's clients and ACR ask at once on a cold cache: one Entra request per scope, not one per client.
      const inFlight = new Map<string, Promise<AccessToken | null>>();
      const credential: TokenCredential = {
        getToken: (scopes, options) => {
          const key = JSON.stringify([scopes, options?.tenantId, options?.claims, options?.enableCae]);
          let pending = inFlight.get(key);
          if (!pending) {
            pending = inner.getToken(scopes, options).then((token) => {
              if (token) onSecret?.(token.token);
              return token;
            });
            inFlight.set(key, pending);
            void pending.finally(() => inFlight.delete(key)).catch(() => undefined);
          }
          return pending;
        },
      };
      return { ...selected, credential };
    });
    return this.credentialPromise;
  }

  async signer(): Promise<Signer> {
    const { keyId, key, certificateChain } = this.inputs;
    if (keyId && key)
      throw new NotarySignError(
        'INPUT',
        `give either ${this.name('key-id')} (Azure Key Vault) or ${this.name('key')} (a local PEM file), not both`,
      );
    if (keyId) {
      const { KeyVaultSigner } = await import('../azure/keyvault-signer.js');
      const chainText = certificateChain ? await readText(certificateChain, this.name('certificate-chain')) : undefined;
      // The vault's challenge needs no token: it goes out first, and the sign-in (the Azure identity library, the
      // largest part of a run) loads while it travels.
      const credential: TokenCredential = {
        getToken: async (scopes, options) => (await this.azureCredential()).credential.getToken(scopes, options),
      };
      return KeyVaultSigner.create({
        keyId,
        credential,
        onFirstRequests: () => this.azureCredential(),
        ...(chainText !== undefined ? { certificateChain: chainText, certificateChainSource: certificateChain } : {}),
        logger: this.log,
        inputName: this.name,
      });
    }
    if (key) {
      if (!certificateChain)
        throw new NotarySignError(
          'INPUT',
          `${this.name('certificate-chain')} is required with a local key: PEM certificates, signing certificate first`,
        );
      const { LocalKeySigner } = await import('../crypto/signer.js');
      return LocalKeySigner.fromFiles(key, certificateChain, this.name);
    }
    throw new NotarySignError(
      'INPUT',
      this.name.has('key')
        ? `${this.name('key-id')} (Azure Key Vault key URL) or ${this.name('key')} (local PEM private key) is required`
        : `${this.name('key-id')} is required: the Azure Key Vault key or certificate URL to sign with`,
    );
  }

  /**
   * A registry client: explicit credentials, then ACR via Entra, then docker config. `sameCredentials` maps a
   * host to the registry whose credentials it gets (a notary server is sent its registry's, as Docker does);
   * `signal` stops every request and retry wait of the client.
   */
  async registry({ sameCredentials = {}, signal }: { sameCredentials?: Record<string, string>; signal?: AbortSignal } = {}) {
    const { registryCredentials, registries = [], acrHosts = [], azure } = this.inputs;
    const acr = await import('../azure/acr.js');
    const docker = dockerConfigCredentials(this.inputs.dockerConfigDir);
    // ACR through Entra only when the run was given an Azure identity to use.
    const azureConfigured = Boolean(this.inputs.keyId || azure?.clientId || azure?.github || azure?.azurePipelines);
    let viaEntra: Promise<CredentialResolver> | undefined;
    let credentials: CredentialResolver = async (registry) => {
      if (!azureConfigured || !acr.isAcrHost(registry, acrHosts)) return docker(registry);
      viaEntra ??= Promise.all([this.azureCredential(), this.cloud()]).then(([{ credential }, cloud]) =>
        acr.acrCredentials({
          credential,
          acrHosts,
          scope: cloud.acrScope,
          ...(azure?.tenantId ? { tenantId: azure.tenantId } : {}),
          ...(this.inputs.onSecret ? { onSecret: this.inputs.onSecret } : {}),
          logger: this.log,
          inputName: this.name,
        }),
      );
      return (await viaEntra)(registry);
    };
    if (registryCredentials) {
      const explicit = registryCredentials;
      const fallback = credentials;
      credentials =
        registries.length > 0
          ? staticCredentials(Object.fromEntries(registries.map((r) => [r, explicit])), fallback)
          : () => Promise.resolve(explicit);
    }
    const hosts = this.inputs.hostCredentials ?? {};
    const general = credentials;
    const resolver: CredentialResolver = (host) => {
      const registry = sameCredentials[host] ?? host;
      return hosts[registry] ? Promise.resolve(hosts[registry]) : general(registry);
    };
    return new RegistryClient({
      insecureRegistries: [...(this.inputs.insecureRegistries ?? []), ...Object.keys(hosts)],
      credentials: memoizeByKey(resolver),
      userAgent: `notary-sign/${VERSION}`,
      logger: this.log,
      inputName: this.name,
      ...(this.inputs.onSecret ? { onSecret: this.inputs.onSecret } : {}),
      ...(this.timeoutMs ? { timeoutMs: this.timeoutMs } : {}),
      ...(signal ? { signal } : {}),
    });
  }
}

async function readText(path: string, input: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new NotarySignError('INPUT', `${input}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}
