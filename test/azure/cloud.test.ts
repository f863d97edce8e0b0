import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectCloud } from '../../src/azure/cloud.js';

test('the cloud comes from the CI, the authority, the vault or the registry, in that order; public otherwise', () => {
  const cases: [Parameters<typeof detectCloud>[0], string, string, string][] = [
    [{}, 'AzureCloud', 'https://login.microsoftonline.com', 'https://containerregistry.azure.net/.default'],
    [
      { registries: ['contoso.azurecr.io'] },
      'AzureCloud',
      'https://login.microsoftonline.com',
      'https://containerregistry.azure.net/.default',
    ],
    [
      { registries: ['contoso.azurecr.us'] },
      'AzureUSGovernment',
      'https://login.microsoftonline.us',
      'https://management.usgovcloudapi.net/.default',
    ],
    [
      { registries: ['contoso.azurecr.cn:443'] },
      'AzureChinaCloud',
      'https://login.chinacloudapi.cn',
      'https://management.chinacloudapi.cn/.default',
    ],
    [
      { vaultUrl: 'https://kv.vault.usgovcloudapi.net/keys/k' },
      'AzureUSGovernment',
      'https://login.microsoftonline.us',
      'https://management.usgovcloudapi.net/.default',
    ],
    [
      { vaultUrl: 'https://kv.vault.azure.cn/keys/k' },
      'AzureChinaCloud',
      'https://login.chinacloudapi.cn',
      'https://management.chinacloudapi.cn/.default',
    ],
    // A custom ACR domain says nothing; the authority does.
    [
      { authorityHost: 'https://login.microsoftonline.us/', registries: ['registry.contoso.com'] },
      'AzureUSGovernment',
      'https://login.microsoftonline.us',
      'https://management.usgovcloudapi.net/.default',
    ],
    [
      { authorityHost: 'https://login.chinacloudapi.cn' },
      'AzureChinaCloud',
      'https://login.chinacloudapi.cn',
      'https://management.chinacloudapi.cn/.default',
    ],
    // An Azure DevOps connection names its cloud outright.
    [
      { explicit: 'AzureUSGovernment', registries: ['registry.contoso.com'] },
      'AzureUSGovernment',
      'https://login.microsoftonline.us',
      'https://management.usgovcloudapi.net/.default',
    ],
    [{ explicit: 'azurechinacloud' }, 'AzureChinaCloud', 'https://login.chinacloudapi.cn', 'https://management.chinacloudapi.cn/.default'],
  ];
  for (const [hints, name, authority, acrScope] of cases) {
    const cloud = detectCloud(hints);
    assert.deepEqual([cloud.name, cloud.authorityHost, cloud.acrScope], [name, authority, acrScope], JSON.stringify(hints));
  }
});
