import { ManualClock } from './clock';
import { isTransient, TimeoutError } from './errors';
import { backoffDelay, parseRetryAfter, retry, withTimeout } from './retry';

const httpError = (status: number, retryAfterMs?: number) =>
  Object.assign(new Error(`HTTP ${status}`), { status, retryAfterMs });

describe('isTransient', () => {
  it('retries 5xx, 429, network errors and timeouts, never other 4xx', () => {
    expect(isTransient(httpError(500))).toBe(true);
    expect(isTransient(httpError(503))).toBe(true);
    expect(isTransient(httpError(429))).toBe(true);
    expect(isTransient(httpError(0))).toBe(true);
    expect(isTransient(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isTransient(new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }))).toBe(true);
    expect(isTransient(new TimeoutError('call', 10))).toBe(true);
    for (const status of [400, 401, 403, 404, 409, 422]) expect(isTransient(httpError(status))).toBe(false);
    expect(isTransient(new Error('plain'))).toBe(false);
  });

  it("retries Salesforce's transient codes as jsforce carries them (errorCode, no status), never a refusal", () => {
    // jsforce's HttpApiError: name and errorCode from the body, ERROR_HTTP_<status> when it had none
    const salesforceError = (errorCode: string) => Object.assign(new Error('x'), { name: errorCode, errorCode });
    for (const code of ['SERVER_UNAVAILABLE', 'UNKNOWN_EXCEPTION', 'UNABLE_TO_LOCK_ROW', 'REQUEST_LIMIT_EXCEEDED'])
      expect([code, isTransient(salesforceError(code))]).toEqual([code, true]);
    for (const code of ['ERROR_HTTP_502', 'ERROR_HTTP_503', 'ERROR_HTTP_429'])
      expect([code, isTransient(salesforceError(code))]).toEqual([code, true]);
    for (const code of [
      'INVALID_FIELD',
      'REQUIRED_FIELD_MISSING',
      'DUPLICATE_VALUE',
      'INVALID_SESSION_ID',
      'ERROR_HTTP_404',
    ])
      expect([code, isTransient(salesforceError(code))]).toEqual([code, false]);
  });
});

describe('retry', () => {
  const instantClock = { sleep: jest.fn(async () => undefined) };
  beforeEach(() => instantClock.sleep.mockClear());

  it('retries transient failures and returns the eventual result', async () => {
    let calls = 0;
    const result = await retry(
      async () => {
        calls += 1;
        if (calls < 3) throw httpError(502);
        return 'ok';
      },
      { clock: instantClock, random: () => 0.5 },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    expect(instantClock.sleep).toHaveBeenCalledTimes(2);
  });

  it('does not retry a 400', async () => {
    const fn = jest.fn(async () => {
      throw httpError(400);
    });
    await expect(retry(fn, { clock: instantClock })).rejects.toThrow('HTTP 400');
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('work cut off by a shutdown is transient for the job, but never retried here: the process is stopping', async () => {
    // what the Xero scheduler rejects its queued calls with once closed (SchedulerClosedError)
    const closed = Object.assign(new Error('Xero call cancelled: the scheduler is shutting down'), {
      code: 'SCHEDULER_CLOSED',
    });
    expect(isTransient(closed)).toBe(true); // a handler retries the job (nothing on the record), it is not refused
    const fn = jest.fn(async () => {
      throw closed;
    });
    // as the Xero client retries its calls: the closed scheduler refuses each at once, 4 backoffs a call
    await expect(retry(fn, { clock: instantClock, isRetryable: isTransient })).rejects.toBe(closed);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('gives up after the configured retries', async () => {
    const fn = jest.fn(async () => {
      throw httpError(500);
    });
    await expect(retry(fn, { retries: 2, clock: instantClock })).rejects.toThrow('HTTP 500');
    expect(fn).toHaveBeenCalledTimes(3);
  });

  it('waits at least Retry-After on a 429', async () => {
    let calls = 0;
    await retry(
      async () => {
        calls += 1;
        if (calls === 1) throw httpError(429, 7000);
        return 'ok';
      },
      { clock: instantClock, random: () => 0 },
    );
    expect(instantClock.sleep).toHaveBeenCalledWith(7000);
  });

  it('jitters ±half of an exponentially growing delay, capped', () => {
    expect(backoffDelay(0, { baseDelayMs: 100, random: () => 0 })).toBe(50);
    expect(backoffDelay(0, { baseDelayMs: 100, random: () => 0.999 })).toBeLessThanOrEqual(150);
    expect(backoffDelay(3, { baseDelayMs: 100, random: () => 0.5 })).toBe(800);
    expect(backoffDelay(30, { baseDelayMs: 100, maxDelayMs: 5000, random: () => 0 })).toBe(2500);
    expect(backoffDelay(30, { baseDelayMs: 100, maxDelayMs: 5000, random: () => 0.999 })).toBeLessThanOrEqual(7500);
    expect(() => backoffDelay(0, { jitter: 1 })).toThrow(RangeError);
  });

  it('never retries a 5xx sooner than half the nominal delay, however the jitter falls', async () => {
    // Full jitter drew the delay from [0, 250 ms): a retry could follow a 5xx 16 ms later.
    const draws = [0, 0.001, 0.064, 0.5, 0.999];
    for (const draw of draws) {
      instantClock.sleep.mockClear();
      let calls = 0;
      await retry(
        async () => {
          calls += 1;
          if (calls < 3) throw httpError(503);
          return 'ok';
        },
        { clock: instantClock, random: () => draw },
      );
      const [first, second] = instantClock.sleep.mock.calls.map((c) => (c as unknown as [number])[0]);
      expect(first).toBeGreaterThanOrEqual(125);
      expect(second).toBeGreaterThanOrEqual(250);
    }
  });

  it('works with a manual clock', async () => {
    const clock = new ManualClock();
    let calls = 0;
    const done = retry(
      async () => {
        calls += 1;
        if (calls === 1) throw httpError(503, 1000);
        return calls;
      },
      { clock, random: () => 0 },
    );
    await clock.advance(0); // let the first attempt fail and start waiting
    await clock.advance(999);
    expect(calls).toBe(1);
    await clock.advance(1);
    await expect(done).resolves.toBe(2);
  });
});

describe('withTimeout / parseRetryAfter', () => {
  it('rejects with TimeoutError when the promise is too slow', async () => {
    await expect(withTimeout(new Promise(() => undefined), 20, 'slow call')).rejects.toBeInstanceOf(TimeoutError);
    await expect(withTimeout(Promise.resolve(1), 1000)).resolves.toBe(1);
  });

  it('parses seconds and HTTP dates', () => {
    expect(parseRetryAfter('30')).toBe(30_000);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    const now = Date.UTC(2026, 0, 1, 0, 0, 0);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000);
  });
});
