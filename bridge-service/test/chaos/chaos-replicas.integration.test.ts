/**
 * Issue 19, replicas: three bridge processes on one PostgreSQL, behind a load balancer, killed with SIGKILL at
 * random (every third kill keeps the replica down past its leases, so its event subscriber and pollers fail over to
 * the others) while both services misbehave (scenario.ts). The same end checks as one process, and no 429 from
 * Xero beyond the burst it was told to send: the replicas together kept every limit.
 * `npm run test:chaos` runs it at full size (1,000 deals, 3 replicas, 50 kills); `npm test` reduced.
 */
import { describePostgres } from '../postgres/test-database';
import { replicas } from './deployments';
import { describeChaos, FULL } from './scenario';

describePostgres('replicas', (database) => {
  describeChaos({
    deals: FULL ? 1_000 : 30,
    kills: FULL ? 50 : 4,
    longDownEvery: 3,
    deploy: async (_systems, env, dir) => replicas(env, database().url, dir, 3),
  });
});
