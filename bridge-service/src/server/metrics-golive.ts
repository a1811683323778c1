/**
 * The go-live metrics (historical imports, the drift check), on the bridge's own registry beside the rest
 * (metrics.ts): what each import wrote by kind, its steps by outcome, and the drift check's open findings per tenant.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

export const GOLIVE_METRIC_NAMES = {
  imported: 'ledgerline_import_documents_total',
  importSteps: 'ledgerline_import_steps_total',
  drift: 'ledgerline_drift_open_findings',
} as const;

export function createGoLiveMetrics(registry: Registry) {
  const imported = new Counter({
    name: GOLIVE_METRIC_NAMES.imported,
    help: 'Records a historical import read from Xero and wrote to Salesforce (contacts, invoices, payments…), by tenant and kind.',
    labelNames: ['tenant', 'kind'],
    registers: [registry],
  });
  const steps = new Counter({
    name: GOLIVE_METRIC_NAMES.importSteps,
    help: 'Historical import steps (one page each) by tenant, phase and outcome (done, retry, failed).',
    labelNames: ['tenant', 'phase', 'outcome'],
    registers: [registry],
  });
  const drift = new Gauge({
    name: GOLIVE_METRIC_NAMES.drift,
    help: 'Differences between Salesforce and Xero the latest drift check found open, by tenant.',
    labelNames: ['tenant'],
    registers: [registry],
  });
  return {
    recordImported(tenantId: string, kind: string, count: number): void {
      if (count > 0) imported.inc({ tenant: tenantId, kind }, count);
    },
    recordImportStep(tenantId: string, phase: string, outcome: 'done' | 'retry' | 'failed'): void {
      steps.inc({ tenant: tenantId, phase, outcome });
    },
    setDriftFindings(tenantId: string, open: number): void {
      drift.set({ tenant: tenantId }, open);
    },
  };
}

export type GoLiveMetrics = ReturnType<typeof createGoLiveMetrics>;
