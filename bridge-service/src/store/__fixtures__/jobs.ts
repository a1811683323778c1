import type { Job, NewJob } from '../jobs';

/** The job a store would hand back for a new job, for fakes of JobRepository.enqueueJob. */
export function storedJob<P>(job: NewJob<P>, id: number): Job<P> {
  return {
    id,
    key: job.key,
    action: job.action,
    payload: job.payload,
    tenantId: job.tenantId ?? null,
    state: 'queued',
    attempts: 0,
    nextRunAt: job.runAt ?? 0,
    lastError: null,
    result: null,
    leaseOwner: null,
    leaseExpiresAt: null,
    createdAt: 0,
    updatedAt: 0,
  };
}
