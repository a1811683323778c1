/**
 * Reports the granular scopes allow and the month-end tie-out reads: GET /Reports/TrialBalance?date=YYYY-MM-DD
 * (`accounting.reports.trialbalance.read`), computed from the emulator's ledger (../ledger.ts, ../trial-balance.ts).
 * Cash basis (`paymentsOnly=true`) is not modelled and is refused rather than answered on the accrual basis. Other
 * reports are not modelled (404, as an unknown path).
 */
import type { FastifyInstance } from 'fastify';
import { ledgerPostings } from '../ledger';
import { trialBalanceReport } from '../trial-balance';
import { parseDay } from '../wire';
import { query, sendJson, type Kit } from './kit';

const reportQuery = {
  type: 'object',
  properties: { date: { type: 'string' }, paymentsOnly: { type: 'string', enum: ['true', 'false'] } },
} as const;

export function registerReports(app: FastifyInstance, kit: Kit): void {
  const { deps, tenantOf, envelope } = kit;
  app.get('/Reports/TrialBalance', { schema: { querystring: reportQuery } }, async (req, reply) => {
    const q = query(req);
    const date = q.date === undefined ? deps.store.today() : parseDay(q.date);
    if (date === undefined || (q.date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(q.date))) {
      return sendJson(reply, 400, {
        ErrorNumber: 10,
        Type: 'ValidationException',
        Message: `date '${q.date}' is not a date (YYYY-MM-DD)`,
      });
    }
    if (q.paymentsonly === 'true') {
      return sendJson(reply, 400, {
        ErrorNumber: 10,
        Type: 'ValidationException',
        Message: 'paymentsOnly=true (cash basis) is not modelled by the emulator',
      });
    }
    const tenant = tenantOf(req);
    const report = trialBalanceReport(tenant, ledgerPostings(tenant, deps.store.rounding), date, deps.clock.now());
    return sendJson(reply, 200, envelope({ Reports: [report] }));
  });
}
