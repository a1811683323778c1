import { createMetrics } from './metrics';

const counts = { queued: 1, running: 0, failed: 2, dead: 3 };

describe('an org the process no longer serves (forget)', () => {
  it('drops its gauges and store reads, keeps its counters and the other orgs, and takes gauges set again', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const orgB = metrics.forOrg('org-b');
    const readsOfB = jest.fn(async () => counts);
    for (const org of [metrics, metrics.forOrg('org-c'), orgB]) {
      org.setOrgUp(true);
      org.setRoleHeld('salesforce-subscriber', true);
      org.recordXeroPoll('tenant-uk', true);
      org.recordXeroRemaining('tenant-uk', 'day', 900);
      org.observeEventLag('salesforce', 2);
      org.recordXeroCall('tenant-uk', 200);
      org.setJobCounts(org === orgB ? readsOfB : async () => counts);
      org.setOldestPendingJob(async () => null); // an age read at scrape time would differ between two scrapes
    }
    const seriesOf = (text: string, org: string) =>
      text.split('\n').filter((line) => !line.startsWith('#') && line.includes(`org="${org}"`));
    const before = await metrics.registry.metrics();
    expect(seriesOf(before, 'org-b')).toHaveLength(seriesOf(before, 'org-c').length);

    orgB.forget();
    readsOfB.mockClear();
    const after = await metrics.registry.metrics();
    // What is left of org-b: counters and histograms, which stop growing (the alerts read their increase).
    const names = (lines: string[]) => [...new Set(lines.map((line) => line.replace(/\{.*/, '')))].sort();
    expect(names(seriesOf(after, 'org-b'))).toEqual([
      'ledgerline_event_lag_seconds_bucket',
      'ledgerline_event_lag_seconds_count',
      'ledgerline_event_lag_seconds_sum',
      'ledgerline_xero_calls_total',
      'ledgerline_xero_polls_total',
    ]);
    expect(readsOfB).not.toHaveBeenCalled();
    expect(seriesOf(after, 'org-c')).toEqual(seriesOf(before, 'org-c'));
    expect(after).toMatch(/^ledgerline_org_up\{org="default"\} 1$/m);
    expect(after).toMatch(/^ledgerline_jobs\{state="dead"\} 3$/m);

    orgB.setOrgUp(false); // starting again
    expect(await metrics.registry.metrics()).toMatch(/^ledgerline_org_up\{org="org-b"\} 0$/m);
  });

  it('drops the counts of a scrape that was reading when the org was forgotten', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const orgB = metrics.forOrg('org-b');
    let answer: () => void = () => undefined;
    orgB.setJobCounts(() => new Promise((resolve) => (answer = () => resolve(counts))));
    const scrape = metrics.registry.metrics();
    await new Promise((resolve) => setImmediate(resolve));
    orgB.forget();
    answer();
    expect(await scrape).not.toContain('org="org-b"');
  });
});

describe('the retention prune', () => {
  it('counts the done jobs it deleted, per org (the default org unlabelled)', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    metrics.recordJobsPruned(1_000);
    metrics.recordJobsPruned(250);
    metrics.recordJobsPruned(0);
    metrics.forOrg('org-b').recordJobsPruned(7);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^ledgerline_jobs_pruned_total 1250$/m);
    expect(text).toMatch(/^ledgerline_jobs_pruned_total\{org="org-b"\} 7$/m);
  });
});
