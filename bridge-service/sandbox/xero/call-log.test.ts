import { Agent, request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { billedBytes, wireBytes, type CallRecord } from './call-log';
import type { Harness } from './test-helpers';
import { startHarness, UK } from './test-helpers';

/** A GET the way a bare HTTP client makes it, counting every byte the socket delivers. */
function rawGet(
  url: string,
  headers: Record<string, string>,
  agent: Agent,
): Promise<{ status: number; bytesRead: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const socket = req.socket!;
        resolve({ status: res.statusCode ?? 0, bytesRead: socket.bytesRead, body: Buffer.concat(chunks) });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

const lastCall = (h: Harness): CallRecord => h.emulator.control.calls().at(-1)!;

describe('xero emulator: egress per call', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({}, { conformance: false });
  });
  afterEach(async () => {
    await h.close();
  });

  it('counts the bytes the client reads (status line, headers, body), call by call on one connection', async () => {
    const tokens = h.emulator.control.issueTokens();
    const headers = { authorization: `Bearer ${tokens.access_token}`, 'xero-tenant-id': UK };
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await rawGet(`${h.emulator.apiUrl}/Contacts`, headers, agent);
      const firstCall = lastCall(h);
      const second = await rawGet(`${h.emulator.apiUrl}/TaxRates`, headers, agent);
      const secondCall = lastCall(h);
      expect([first.status, second.status]).toEqual([200, 200]);
      // the same socket: the second answer's count must not include the first's
      expect(firstCall.egress && wireBytes(firstCall.egress)).toBe(first.bytesRead);
      expect(secondCall.egress && wireBytes(secondCall.egress)).toBe(second.bytesRead - first.bytesRead);
      expect(secondCall.egress?.bodyBytes).toBe(second.body.length);
      // no Accept-Encoding: nothing would be compressed
      expect(secondCall.egress?.gzipBodyBytes).toBeUndefined();
      expect(billedBytes(secondCall.egress!)).toBe(second.bytesRead - first.bytesRead);
    } finally {
      agent.destroy();
    }
  });

  it('measures the body gzipped when the client accepts gzip, as xero-node does', async () => {
    await h.xero.accountingApi.getAccounts(UK);
    const call = lastCall(h);
    const egress = call.egress!;
    expect(egress.acceptEncoding).toMatch(/\bgzip\b/);
    expect(egress.gzipBodyBytes).toBeGreaterThan(0);
    expect(egress.gzipBodyBytes).toBeLessThan(egress.bodyBytes);
    expect(billedBytes(egress)).toBeLessThan(wireBytes(egress));
    expect(billedBytes(egress)).toBe(egress.headerBytes + 'content-encoding: gzip\r\n'.length + egress.gzipBodyBytes!);
  });

  it('counts an answer without a body (a 429) by its headers alone', async () => {
    h.emulator.control.forceRateLimit('minute', 1, UK);
    await expect(h.xero.accountingApi.getTaxRates(UK)).rejects.toBeDefined();
    const call = lastCall(h);
    expect(call.status).toBe(429);
    expect(call.egress?.bodyBytes).toBe(0);
    expect(call.egress?.headerBytes).toBeGreaterThan(100);
    expect(call.egress?.gzipBodyBytes).toBeUndefined();
  });

  it('sends the body uncompressed and measures its gzipped size from exactly what was sent', async () => {
    const tokens = h.emulator.control.issueTokens();
    const agent = new Agent({ keepAlive: false });
    try {
      const got = await rawGet(
        `${h.emulator.apiUrl}/Organisation`,
        { authorization: `Bearer ${tokens.access_token}`, 'xero-tenant-id': UK, 'accept-encoding': 'gzip' },
        agent,
      );
      const egress = lastCall(h).egress!;
      expect(got.body.subarray(0, 1).toString()).toBe('{');
      expect(egress.bodyBytes).toBe(got.body.length);
      expect(egress.gzipBodyBytes).toBe(gzipSync(got.body).length);
    } finally {
      agent.destroy();
    }
  });
});
