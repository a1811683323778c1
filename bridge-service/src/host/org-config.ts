/**
 * An org kept in the store, as a bridge configuration: the deployment's settings (server, store, timeouts, Xero
 * endpoints and limits, from the environment) with the org's profile and secrets over them.
 */
import { jwtAudience, type Config, type HostConfig } from '../config';
import type { Org } from '../store/types';

const stripSlash = (url: string) => url.replace(/\/+$/, '');

/** '' or `<ns>__`, as the profile's schema already checked. */
const namespacePrefix = (prefix: string): '' | `${string}__` => (prefix === '' ? '' : `${prefix.slice(0, -2)}__`);

export function orgConfig(host: HostConfig, org: Pick<Org, 'profile' | 'secrets'>): Config {
  const { profile, secrets } = org;
  const { orgDefaults, defaultOrg: _envOrg, ...deployment } = host;
  const endpoints = profile.xero.endpoints ?? {};
  const loginUrl = stripSlash(profile.salesforce.loginUrl);
  return {
    ...deployment,
    orgDefaults,
    pollIntervalMs: profile.settings.pollIntervalMs,
    prorationMethod: profile.settings.prorationMethod,
    salesforce: {
      loginUrl,
      instanceUrl:
        profile.salesforce.instanceUrl === undefined ? undefined : stripSlash(profile.salesforce.instanceUrl),
      apiVersion: profile.salesforce.apiVersion ?? orgDefaults.salesforceApiVersion,
      clientId: profile.salesforce.clientId,
      username: profile.salesforce.username,
      privateKey: secrets.salesforcePrivateKey,
      audience: stripSlash(profile.salesforce.audience ?? jwtAudience(loginUrl)),
      namespacePrefix: namespacePrefix(profile.salesforce.namespacePrefix),
    },
    xero: {
      apiBaseUrl: stripSlash(endpoints.apiBaseUrl ?? orgDefaults.xero.apiBaseUrl),
      tokenUrl: endpoints.tokenUrl ?? orgDefaults.xero.tokenUrl,
      authorizeUrl: endpoints.authorizeUrl ?? orgDefaults.xero.authorizeUrl,
      connectionsUrl: stripSlash(endpoints.connectionsUrl ?? orgDefaults.xero.connectionsUrl),
      clientId: profile.xero.clientId,
      clientSecret: secrets.xeroClientSecret,
      redirectUri: profile.xero.redirectUri,
      scopes: profile.xero.scopes,
      webhookKey: secrets.xeroWebhookKey,
      webhookKeyPrevious: secrets.xeroWebhookKeyPrevious,
      limits: {
        ...orgDefaults.xeroLimits,
        tenantPerDay: profile.xero.dailyCallLimit ?? orgDefaults.xeroLimits.tenantPerDay,
      },
    },
  };
}
