/**
 * Singleton roles among bridge processes sharing a store: "the event subscriber of this org", "the poller of this
 * Xero tenant". One process holds a role at a time, by a lease in the store (a named row with an expiry and a
 * fencing token); it renews the lease every few seconds and stops the role at once when a renewal fails. The
 * others try to take the lease every few seconds, so when the holder dies the role moves within ttl + interval.
 * Writes the role makes (a replay cursor, a watermark) are fenced with the token: a holder that stalled past its
 * lease and lost it cannot overwrite its successor's.
 *
 * The lease interface is the store's (LeaseRepository), restated here so this module stays below the store.
 */
import type { Clock } from './clock';
import { LedgerlineError } from './errors';
import type { Logger } from './logger';

export interface RoleLease {
  token: number;
  expiresAt: number;
}

export interface RoleLeases {
  acquireLease(name: string, owner: string, ttlMs: number): Promise<RoleLease | null>;
  renewLease(name: string, owner: string, token: number, ttlMs: number): Promise<RoleLease | null>;
  releaseLease(name: string, owner: string): Promise<void>;
}

/** What a fenced write presents: the lease it was made under. */
export interface RoleFence {
  name: string;
  owner: string;
  token: number;
}

export interface SingletonRoleOptions {
  /** The lease's name, e.g. `salesforce-subscriber`. */
  name: string;
  /** This process (Config.instanceId). */
  owner: string;
  leases: RoleLeases;
  clock: Clock;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** How long the lease lasts without renewal (default 10 s). */
  ttlMs?: number;
  /** How often the holder renews and the others try to take it (default 3 s). */
  everyMs?: number;
  /** This process took the role: start it. A throw gives the lease back (another process may do better). */
  onGained: (fence: RoleFence) => Promise<void>;
  /** The role was lost, or is being given up: stop it, and make no more fenced writes. */
  onLost: () => Promise<void>;
  /** Called with true or false whenever this process gains or loses the role (metrics). */
  onChange?: (held: boolean) => void;
}

export interface SingletonRole {
  /** Takes the role if it is free (running onGained, whose failure is thrown), then keeps trying in the background. */
  start(): Promise<void>;
  /** Stops trying; if this process holds the role, stops it and releases the lease at once (a clean hand-over). */
  stop(): Promise<void>;
  /** The fence to write under, while the role is held. */
  fence(): RoleFence | undefined;
  /** A fenced write was refused: check the lease now rather than at the next renewal. */
  checkNow(): void;
}

export const ROLE_DEFAULTS = { ttlMs: 10_000, everyMs: 3_000 } as const;

export function createSingletonRole(opts: SingletonRoleOptions): SingletonRole {
  const ttlMs = opts.ttlMs ?? ROLE_DEFAULTS.ttlMs;
  const everyMs = opts.everyMs ?? ROLE_DEFAULTS.everyMs;
  const { name, owner, leases, clock, log } = opts;
  let held: RoleLease | undefined;
  let running = false;
  let loop: Promise<void> | undefined;
  let idle: AbortController | undefined;
  /** One step at a time: a tick, a stop. */
  let step: Promise<void> = Promise.resolve();

  const serial = (fn: () => Promise<void>): Promise<void> => {
    const next = step.then(fn);
    step = next.catch(() => undefined);
    return next;
  };

  const lose = async (why: string) => {
    held = undefined;
    opts.onChange?.(false);
    log.warn({ role: name, why }, 'singleton role lost: stopping it');
    await opts.onLost().catch((err: unknown) => log.error({ err, role: name }, 'stopping a lost role failed'));
  };

  const tick = async (throwOnStartFailure: boolean): Promise<void> => {
    if (held) {
      let renewed: RoleLease | null | undefined;
      try {
        renewed = await leases.renewLease(name, owner, held.token, ttlMs);
      } catch (err) {
        // The store did not answer: the lease may still be ours, until it expires.
        if (clock.now() < held.expiresAt - everyMs) {
          log.warn({ err, role: name }, 'could not renew the role lease; trying again');
          return;
        }
        renewed = null;
      }
      if (renewed) held = renewed;
      else await lose('the lease was not renewed (taken over, or expired)');
      return;
    }
    const lease = await leases.acquireLease(name, owner, ttlMs);
    if (!lease) return;
    held = lease;
    try {
      await opts.onGained({ name, owner, token: lease.token });
      opts.onChange?.(true);
      log.info({ role: name, token: lease.token }, 'singleton role taken');
    } catch (err) {
      held = undefined;
      await opts.onLost().catch(() => undefined);
      await leases.releaseLease(name, owner).catch(() => undefined);
      if (throwOnStartFailure) throw err;
      log.error({ err, role: name }, 'could not start the role; giving the lease back and trying again later');
    }
  };

  const run = async () => {
    while (running) {
      idle = new AbortController();
      await clock.sleep(everyMs, idle.signal);
      if (!running) break;
      await serial(() => tick(false)).catch((err: unknown) =>
        log.warn({ err, role: name }, 'singleton role check failed; trying again'),
      );
    }
  };

  return {
    async start() {
      if (running) return;
      running = true;
      try {
        await serial(() => tick(true));
      } catch (err) {
        running = false;
        throw err;
      }
      loop = run();
    },
    async stop() {
      running = false;
      idle?.abort();
      await loop;
      await serial(async () => {
        if (!held) return;
        held = undefined;
        opts.onChange?.(false);
        await opts.onLost().catch((err: unknown) => log.error({ err, role: name }, 'stopping the role failed'));
        await leases
          .releaseLease(name, owner)
          .catch((err: unknown) => log.warn({ err, role: name }, 'could not release the role lease; it will expire'));
      });
    },
    fence: () => (held ? { name, owner, token: held.token } : undefined),
    checkNow() {
      idle?.abort();
    },
  };
}

/**
 * One singleton role per key (the poller of each Xero tenant): the keys are read again every `everyMs`, a role is
 * started for each new key and stopped for each key that went away.
 */
export function createRolePerKey(
  opts: Omit<SingletonRoleOptions, 'name' | 'onGained' | 'onLost' | 'onChange'> & {
    keys: () => Promise<string[]>;
    name: (key: string) => string;
    onGained: (key: string, fence: RoleFence) => Promise<void>;
    onLost: (key: string) => Promise<void>;
    onChange?: (key: string, held: boolean) => void;
  },
) {
  const roles = new Map<string, SingletonRole>();
  const everyMs = opts.everyMs ?? ROLE_DEFAULTS.everyMs;
  let running = false;
  let loop: Promise<void> | undefined;
  let idle: AbortController | undefined;

  const sync = async () => {
    const keys = new Set(await opts.keys());
    for (const key of keys) {
      if (roles.has(key)) continue;
      const role = createSingletonRole({
        ...opts,
        name: opts.name(key),
        onGained: (fence) => opts.onGained(key, fence),
        onLost: () => opts.onLost(key),
        onChange: (held) => opts.onChange?.(key, held),
      });
      roles.set(key, role);
      await role.start().catch((err: unknown) => opts.log.warn({ err, key }, 'could not start a role'));
    }
    for (const [key, role] of roles) {
      if (keys.has(key)) continue;
      roles.delete(key);
      await role.stop();
    }
  };

  const run = async () => {
    while (running) {
      idle = new AbortController();
      await opts.clock.sleep(everyMs, idle.signal);
      if (!running) break;
      await sync().catch((err: unknown) => opts.log.warn({ err }, 'could not read the keys of the roles'));
    }
  };

  return {
    async start(): Promise<void> {
      if (running) return;
      running = true;
      await sync().catch((err: unknown) => opts.log.warn({ err }, 'could not read the keys of the roles'));
      loop = run();
    },
    async stop(): Promise<void> {
      running = false;
      idle?.abort();
      await loop;
      await Promise.all([...roles.values()].map((r) => r.stop()));
      roles.clear();
    },
    /** The fence for this key's role, while this process holds it. */
    fence: (key: string): RoleFence | undefined => roles.get(key)?.fence(),
    holds: (key: string): boolean => roles.get(key)?.fence() !== undefined,
    checkNow(key: string): void {
      roles.get(key)?.checkNow();
    },
  };
}

export type RolePerKey = ReturnType<typeof createRolePerKey>;

/** A write fenced by a singleton role was refused: this process no longer holds the role. */
export class RoleLostError extends LedgerlineError {
  constructor(role: string) {
    super('ROLE_LOST', `${role}: this process no longer holds the role's lease; another process has taken it over`);
  }
}
