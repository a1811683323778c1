/**
 * The go-live metrics (historical imports, the drift check), on the bridge's own registry beside the rest
 * (metrics.ts): what each import wrote by kind, its steps by outcome, and the drift check's open findings per tenant.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import { DEFAULT_ORG_ID } from '../store/types';

export const GOLIVE_METRIC_NAMES = {
  imported: 'ledgerline_import_documents_total',
  importSteps: 'ledgerline_import_steps_total',
  drift: 'ledgerline_drift_open_findings',
} as const;

/** One set of instruments per registry: every org's bridge in a host records on the same ones, labelled by org. */
const instrumentsByRegistry = new WeakMap<Registry, ReturnType<typeof makeInstruments>>();

function makeInstruments(registry: Registry) {
  const imported = new Counter({
    name: GOLIVE_METRIC_NAMES.imported,
    help: 'Records a historical import read from Xero and wrote to Salesforce (contacts, invoices, payments…), by tenant and kind.',
    labelNames: ['tenant', 'kind', 'org'],
    registers: [registry],
  });
  const steps = new Counter({
    name: GOLIVE_METRIC_NAMES.importSteps,
    help: 'Historical import steps (one page each) by tenant, phase and outcome (done, retry, failed).',
    labelNames: ['tenant', 'phase', 'outcome', 'org'],
    registers: [registry],
  });
  const drift = new Gauge({
    name: GOLIVE_METRIC_NAMES.drift,
    help: 'Differences between Salesforce and Xero the latest drift check found open, by tenant.',
    labelNames: ['tenant', 'org'],
    registers: [registry],
  });
  return { imported, steps, drift };
}

/**
 * The go-live metrics of one org. The default org's series carry no org label, as the bridge's other metrics
 * (metrics.ts); another org's carry `org="<orgId>"`.
 */
export function createGoLiveMetrics(registry: Registry, orgId?: string) {
  let instruments = instrumentsByRegistry.get(registry);
  if (!instruments) {
    instruments = makeInstruments(registry);
    instrumentsByRegistry.set(registry, instruments);
  }
  const { imported, steps, drift } = instruments;
  const org = orgId === undefined || orgId === DEFAULT_ORG_ID ? {} : { org: orgId };
  return {
    recordImported(tenantId: string, kind: string, count: number): void {
      if (count > 0) imported.inc({ tenant: tenantId, kind, ...org }, count);
    },
    recordImportStep(tenantId: string, phase: string, outcome: 'done' | 'retry' | 'failed'): void {
      steps.inc({ tenant: tenantId, phase, outcome, ...org });
    },
    setDriftFindings(tenantId: string, open: number): void {
      drift.set({ tenant: tenantId, ...org }, open);
    },
  };
}

export type GoLiveMetrics = ReturnType<typeof createGoLiveMetrics>;
