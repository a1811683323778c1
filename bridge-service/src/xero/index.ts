import type { Config } from '../config';
import type { Clock } from '../lib/clock';
import type { Logger } from '../lib/logger';
import type { Store } from '../store';
import { XeroClient } from './client';
import { XeroScheduler, type SchedulerEvent } from './scheduler';
import { XeroTokenManager } from './tokens';
import type { XeroReauthorisationRequired } from './errors';

export { MAX_BATCH, XeroClient, XeroRequestInvalid, toXeroApiError, type XeroClientOptions } from './client';
export * from './errors';
export {
  defaultObserve,
  SchedulerClosedError,
  XERO_LIMITS,
  XeroScheduler,
  type SchedulerEvent,
  type TenantSnapshot,
  type XeroLimits,
  type XeroSchedulerOptions,
} from './scheduler';
export {
  buildAuthorizeUrl,
  createPkcePair,
  XeroTokenManager,
  type XeroAuthConfig,
  type XeroTenantConnection,
  type XeroTokenManagerOptions,
} from './tokens';
export type * from './types';

export interface XeroServices {
  tokens: XeroTokenManager;
  scheduler: XeroScheduler;
  client: XeroClient;
}

/**
 * Wires the Xero side from configuration: one token manager, one scheduler (limits from config) and the
 * client that uses both. `onSchedulerEvent` feeds metrics (calls and 429s by tenant); `onReauthorisationRequired`
 * reports a connection that needs a person.
 */
export function createXeroServices(deps: {
  config: Pick<Config, 'xero' | 'httpTimeoutMs' | 'instanceId'>;
  store: Store;
  logger?: Logger;
  clock?: Clock;
  onSchedulerEvent?: (event: SchedulerEvent) => void;
  onReauthorisationRequired?: (err: XeroReauthorisationRequired) => void;
}): XeroServices {
  const { config, store, logger, clock } = deps;
  const tokens = new XeroTokenManager({
    connections: store.xeroConnections,
    config: config.xero,
    owner: config.instanceId,
    httpTimeoutMs: config.httpTimeoutMs,
    ...(logger ? { logger } : {}),
    ...(clock ? { clock } : {}),
    ...(deps.onReauthorisationRequired ? { onReauthorisationRequired: deps.onReauthorisationRequired } : {}),
  });
  const scheduler = new XeroScheduler({
    limits: config.xero.limits,
    ...(clock ? { clock } : {}),
    ...(logger ? { logger } : {}),
    ...(deps.onSchedulerEvent ? { onEvent: deps.onSchedulerEvent } : {}),
  });
  const client = new XeroClient({
    config: { apiBaseUrl: config.xero.apiBaseUrl, httpTimeoutMs: config.httpTimeoutMs },
    tokens,
    scheduler,
    ...(logger ? { logger } : {}),
    ...(clock ? { retry: { clock } } : {}),
  });
  return { tokens, scheduler, client };
}
