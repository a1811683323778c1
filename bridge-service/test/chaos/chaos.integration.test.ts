/**
 * Issue 8, reliability: one bridge process on SQLite, killed with SIGKILL at random moments while both services
 * misbehave (scenario.ts). `npm run test:chaos` runs it at full size (1,000 deals, 50 kills); `npm test` reduced.
 */
import { loadConfig } from '../../src/config';
import { singleProcess } from './deployments';
import { describeChaos, FULL } from './scenario';

describeChaos({
  deals: FULL ? 1_000 : 45,
  kills: FULL ? 50 : 4,
  longDownEvery: 0,
  deploy: (_systems, env, dir) => singleProcess(env, loadConfig(env), dir),
});
