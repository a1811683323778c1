import { XeroClient } from 'xero-node';
import type { XeroEmulator, XeroEmulatorOptions } from './emulator';
import { startXeroEmulator } from './emulator';
import { openApiChecker } from './openapi-check';

export const UK = '11111111-1111-4111-8111-111111111111';
export const US = '22222222-2222-4222-8222-222222222222';
export const EU = '33333333-3333-4333-8333-333333333333';

export interface Harness {
  emulator: XeroEmulator;
  xero: XeroClient;
  /** A fresh xero-node client with its own token set. */
  client(): XeroClient;
  close(): Promise<void>;
}

/**
 * Starts an emulator and a real xero-node client pointed at it (the recipe from reference §1, option 1).
 * `close()` also validates the suite's recorded bodies against the OpenAPI spec unless `conformance: false`.
 * Rate limits are off unless the test asks for them, so functional suites need not pace themselves.
 */
export async function startHarness(
  options: XeroEmulatorOptions = {},
  harness: { conformance?: boolean } = {},
): Promise<Harness> {
  const emulator = await startXeroEmulator({ ...options, rateLimits: { enabled: false, ...options.rateLimits } });
  const client = () => {
    const tokens = emulator.control.issueTokens();
    const xero = new XeroClient();
    xero.setTokenSet({ ...tokens, expires_at: Math.floor(emulator.control.now() / 1000) + tokens.expires_in });
    xero.accountingApi.basePath = emulator.apiUrl;
    return xero;
  };
  // On close every request and response body the suite exchanged is checked against Xero's OpenAPI
  // spec (vendored in openapi/), so each suite doubles as a conformance run.
  const close = async () => {
    await emulator.close();
    if (harness.conformance === false) return;
    const checker = openApiChecker();
    if ('skipped' in checker) return;
    const report = checker.check(emulator.control.calls());
    if (report.problems.length > 0)
      throw new Error(`bodies that break the Xero OpenAPI spec:\n${report.problems.join('\n')}`);
  };
  return { emulator, xero: client(), client, close };
}

export interface XeroFailure {
  statusCode: number;
  body: unknown;
  headers: Record<string, string>;
}

/** xero-node rejects with a JSON string; this awaits a call expected to fail and parses it. */
export async function failure(promise: Promise<unknown>): Promise<XeroFailure> {
  try {
    await promise;
  } catch (err) {
    const parsed = JSON.parse(typeof err === 'string' ? err : String(err)) as { response: XeroFailure };
    return parsed.response;
  }
  throw new Error('expected the Xero call to fail');
}

/** Days from the emulator's "today", as YYYY-MM-DD. */
export function day(offsetDays = 0, from = Date.now()): string {
  return new Date(from + offsetDays * 86_400_000).toISOString().slice(0, 10);
}
