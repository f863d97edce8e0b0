/**
 * The Azure clouds notary-sign signs in to, and what differs between them:
 * the Entra authority, and the audience an Entra token for ACR carries.
 * Key Vault needs no entry: its 401 challenge names its own resource.
 *
 * Authorities and ACR audiences: @azure/identity AzureAuthorityHosts and
 * @azure/container-registry KnownContainerRegistryAudience (its README,
 * "National Clouds"); the cloud names are the Azure DevOps service
 * connection's `environment` values (microsoft/azure-pipelines-tasks
 * common-npm-packages/azure-arm-rest azure-arm-endpoint.ts).
 */
export type AzureCloudName = 'AzureCloud' | 'AzureUSGovernment' | 'AzureChinaCloud';

export interface AzureCloud {
  name: AzureCloudName;
  authorityHost: string;
  /** The scope of the Entra token exchanged for an ACR refresh token. */
  acrScope: string;
  registrySuffix: string;
  vaultSuffix: string;
  authorityHostname: string;
}

export const CLOUDS: Record<AzureCloudName, AzureCloud> = {
  AzureCloud: {
    name: 'AzureCloud',
    authorityHost: 'https://login.microsoftonline.com',
    authorityHostname: 'login.microsoftonline.com',
    acrScope: 'https://containerregistry.azure.net/.default',
    registrySuffix: '.azurecr.io',
    vaultSuffix: '.vault.azure.net',
  },
  AzureUSGovernment: {
    name: 'AzureUSGovernment',
    authorityHost: 'https://login.microsoftonline.us',
    authorityHostname: 'login.microsoftonline.us',
    acrScope: 'https://management.usgovcloudapi.net/.default',
    registrySuffix: '.azurecr.us',
    vaultSuffix: '.vault.usgovcloudapi.net',
  },
  AzureChinaCloud: {
    name: 'AzureChinaCloud',
    authorityHost: 'https://login.chinacloudapi.cn',
    authorityHostname: 'login.chinacloudapi.cn',
    acrScope: 'https://management.chinacloudapi.cn/.default',
    registrySuffix: '.azurecr.cn',
    vaultSuffix: '.vault.azure.cn',
  },
};

const hostOf = (url: string | undefined) => {
  try {
    return url ? new URL(url).hostname.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
};

/**
 * The cloud a run is in: named explicitly (an Azure DevOps connection's
 * environment), else told by the authority host, the Key Vault host or a
 * registry's login server; the public cloud when nothing says otherwise.
 */
export function detectCloud(hints: {
  explicit?: string;
  authorityHost?: string;
  vaultUrl?: string;
  registries?: readonly string[];
}): AzureCloud {
  const explicit = Object.values(CLOUDS).find((c) => c.name.toLowerCase() === hints.explicit?.toLowerCase());
  if (explicit) return explicit;
  const authority = hostOf(hints.authorityHost);
  const vault = hostOf(hints.vaultUrl);
  const registries = (hints.registries ?? []).map((r) => r.replace(/:\d+$/, '').toLowerCase());
  return (
    Object.values(CLOUDS).find(
      (c) =>
        c.name !== 'AzureCloud' &&
        (authority === c.authorityHostname || vault?.endsWith(c.vaultSuffix) || registries.some((r) => r.endsWith(c.registrySuffix))),
    ) ?? CLOUDS.AzureCloud
  );
}
