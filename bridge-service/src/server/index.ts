export { buildApp, DEFAULTS, type BridgeApp } from './app';
export type * from './deps';
export { HttpError, NotFoundError, ConflictError, BadRequestError, UnauthorizedError } from './errors';
export { createMetrics, METRIC_NAMES, type BridgeMetrics, type EventSource } from './metrics';
export { inMemoryPendingAuthorizations, type PendingAuthorizations } from './pkce';
export { runMain, type Bridge, type BridgeContext, type CreateBridge } from './main';
export { runShutdown } from './plugins/shutdown';
export {
  readinessFrom,
  xeroConnectFrom,
  xeroMetricsListener,
  type TokenManagerLike,
  type XeroCallEvent,
} from './adapters';
