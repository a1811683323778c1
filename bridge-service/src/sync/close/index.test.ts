/**
 * The close at start: each entity's closes of last month and this month are asked for, and each close still open is
 * proposed again the next morning, except one a later posted close carried (it never posts again).
 */
import type { CloseRecordRow } from '../../salesforce/close-queries';
import { createClose, type CloseDeps } from './index';

const close = (entity: string, month: string, status: string) =>
  ({
    Id: `a0f-${entity}-${month}`,
    Billing_Entity__c: entity,
    Period_Start__c: `${month}-01`,
    Status__c: status,
  }) as unknown as CloseRecordRow;

describe('close start-up', () => {
  it('queues the re-proposal of each open close, not of one a later posted close carried, in one read', async () => {
    const queued: string[] = [];
    let reads = 0;
    const deps = {
      jobs: {
        enqueueJob: async (job: { key: string }) => {
          queued.push(job.key);
          return { created: false };
        },
      },
      clock: { now: () => Date.parse('2026-09-10T12:00:00Z') },
      reference: {
        billingEntities: async () => [
          { developerName: 'UK_Ltd', timeZone: 'UTC' },
          { developerName: 'US_Inc', timeZone: 'UTC' },
        ],
      },
      closeQueries: {
        openAndPostedCloses: async () => {
          reads += 1;
          return [
            close('UK_Ltd', '2026-06', 'Refused'),
            close('UK_Ltd', '2026-07', 'Tied'),
            close('UK_Ltd', '2026-08', 'Proposed'),
            close('US_Inc', '2026-06', 'Refused'),
            close('US_Inc', '2026-05', 'Posted'),
          ];
        },
      },
    } as unknown as CloseDeps;
    await createClose(deps).start();
    expect(reads).toBe(1);
    expect(queued.filter((k) => k.split(':').length > 3)).toEqual([
      'CLOSE_PROPOSE:UK_Ltd:2026-08:2026-09-11',
      'CLOSE_PROPOSE:US_Inc:2026-06:2026-09-11',
    ]);
  });
});
