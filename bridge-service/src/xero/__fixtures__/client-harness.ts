/** The real bridge pieces against the Xero emulator, for the client's tests. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startXeroEmulator, type XeroEmulator } from '../../../sandbox/xero/emulator';
import { ScaledClock } from '../../../sandbox/shared/clock';
import type { Clock } from '../../lib/clock';
import { SqliteStore } from '../../store';
import { XeroClient } from '../client';
import { XeroScheduler } from '../scheduler';
import { XeroTokenManager } from '../tokens';

export const UK = '11111111-1111-4111-8111-111111111111';
export const US = '22222222-2222-4222-8222-222222222222';
export const EU = '33333333-3333-4333-8333-333333333333';

export interface Harness {
  emu: XeroEmulator;
  store: SqliteStore;
  tokens: XeroTokenManager;
  scheduler: XeroScheduler;
  client: XeroClient;
  dir: string;
}

/** The real bridge pieces against the Xero emulator: tokens issued by it, tenants listed by its /connections. */
export async function harness(opts: { scale?: number; clock?: Clock } = {}): Promise<Harness> {
  const emu = await startXeroEmulator(opts.scale ? { clock: new ScaledClock({ scale: opts.scale }) } : {});
  const dir = mkdtempSync(join(tmpdir(), 'ledgerline-client-'));
  const store = new SqliteStore({ path: join(dir, 'bridge.sqlite'), encryptionKey: randomBytes(32) });
  const tokens = new XeroTokenManager({
    connections: store.xeroConnections,
    owner: 'test',
    clock: opts.clock,
    config: {
      tokenUrl: `${emu.identityUrl}/connect/token`,
      connectionsUrl: `${emu.url}/connections`,
      authorizeUrl: `${emu.identityUrl}/identity/connect/authorize`,
      clientId: emu.seed.app.clientId,
      clientSecret: emu.seed.app.clientSecret,
      redirectUri: 'http://localhost:3000/xero/callback',
      scopes: ['offline_access'],
    },
  });
  const issued = emu.control.issueTokens();
  await store.xeroConnections.saveXeroTokenSet('conn-1', {
    accessToken: issued.access_token,
    refreshToken: issued.refresh_token ?? '',
    expiresAt: (opts.clock ?? { now: () => Date.now() }).now() + issued.expires_in * 1000,
  });
  const tenants = await tokens.listConnections(issued.access_token);
  await store.xeroConnections.saveXeroTenants('conn-1', tenants);
  const scheduler = new XeroScheduler({ clock: opts.clock });
  const client = new XeroClient({
    config: { apiBaseUrl: emu.apiUrl, httpTimeoutMs: 5_000 },
    tokens,
    scheduler,
    retry: { baseDelayMs: 20, ...(opts.clock ? { clock: opts.clock } : {}) },
  });
  return { emu, store, tokens, scheduler, client, dir };
}

export async function teardown(h: Harness): Promise<void> {
  await h.scheduler.close();
  await h.store.close();
  await h.emu.close();
  rmSync(h.dir, { recursive: true, force: true });
}
