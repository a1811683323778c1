/**
 * PLAN_BILLING when a month-end close posts between its read and its write: Salesforce refuses the months it closed
 * (Closed_Month_Is_Frozen), and the handler plans those deals once more from a fresh read instead of failing the job.
 */
import { storedJob } from '../../store/__fixtures__/jobs';
import type { JobOf } from '../handler';
import type { ReplanResult } from './deal-plans';
import { planBillingHandler } from './plan-handler';

const DEAL = '006000000000501AAA';
const OTHER = '006000000000502AAA';
const CLOSED =
  'Revenue_Month__c: FIELD_CUSTOM_VALIDATION_EXCEPTION: This month is closed: its revenue schedule is frozen.';

const job = (id: number, opportunityIds: string[]): JobOf<'PLAN_BILLING'> =>
  storedJob(
    { key: `PLAN_BILLING:test:${id}`, action: 'PLAN_BILLING', payload: { opportunityIds, reason: 'test' } },
    id,
  ) as JobOf<'PLAN_BILLING'>;

const result = (over: Partial<ReplanResult> = {}): ReplanResult => ({
  planned: 1,
  unplanned: 0,
  due: 0,
  refused: new Map(),
  frozen: new Set(),
  ...over,
});

function handlerAnswering(...answers: ReplanResult[]) {
  const calls: string[][] = [];
  const handler = planBillingHandler({
    dealPlans: {
      replan: async (ids) => {
        calls.push([...ids]);
        const next = answers.shift();
        if (!next) throw new Error('replan called more often than expected');
        return next;
      },
    },
  });
  return { handler, calls };
}

describe('PLAN_BILLING and a month closed under it', () => {
  it('plans the deals a close refused once more, and the job is done', async () => {
    const { handler, calls } = handlerAnswering(
      result({ planned: 2, due: 1, refused: new Map([[DEAL, [CLOSED]]]), frozen: new Set([DEAL]) }),
      result({ planned: 1, due: 2 }),
    );
    const outcomes = await handler.run([job(1, [DEAL, OTHER])]);
    expect(calls).toEqual([[DEAL, OTHER], [DEAL]]);
    expect(outcomes.get(1)).toEqual({
      kind: 'done',
      result: { planned: 2, unplanned: 0, due: 3, replannedAfterClose: 1 },
    });
  });

  it('retries with what is still refused after the second read, and keeps other deals refusals', async () => {
    const { handler } = handlerAnswering(
      result({
        planned: 2,
        refused: new Map([
          [DEAL, [CLOSED]],
          [OTHER, ['Billing_Plan__c: STRING_TOO_LONG: too long']],
        ]),
        frozen: new Set([DEAL]),
      }),
      result({ refused: new Map([[DEAL, ['Revenue_Month__c: FIELD_CUSTOM_VALIDATION_EXCEPTION: customer rule']]]) }),
    );
    const outcome = (await handler.run([job(2, [DEAL, OTHER])])).get(2);
    expect(outcome).toEqual({
      kind: 'retry',
      error:
        `Salesforce refused part of the plan: ${OTHER}: Billing_Plan__c: STRING_TOO_LONG: too long | ` +
        `${DEAL}: Revenue_Month__c: FIELD_CUSTOM_VALIDATION_EXCEPTION: customer rule`,
    });
  });

  it('reads once when nothing was closed under it', async () => {
    const { handler, calls } = handlerAnswering(result({ due: 4 }));
    expect((await handler.run([job(3, [DEAL])])).get(3)).toEqual({
      kind: 'done',
      result: { planned: 1, unplanned: 0, due: 4 },
    });
    expect(calls).toHaveLength(1);
  });
});
