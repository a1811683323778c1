import type { Clock } from '../lib/clock';
import type { Logger } from '../lib/logger';
import type { GoLiveQueries } from '../salesforce/golive-queries';
import type { Queries } from '../salesforce/queries';
import type { SalesforceNames } from '../salesforce/schema';
import type { Writeback } from '../salesforce/writeback';
import type {
  ContactMappingRepository,
  JobRepository,
  LeaseRepository,
  WatermarkRepository,
  XeroConnectionRepository,
  XeroResultRepository,
  ImportRunRepository,
} from '../store/types';
import type { XeroClient } from '../xero/client';
import type { XeroLedgerClient } from '../xero/ledger-client';
import type { RevenueQueries } from '../salesforce/revenue-queries';
import type { CloseQueries } from '../salesforce/close-queries';
import type { XeroJournalClient } from '../xero/journal-client';
import type { BillingTriggers } from './billing/triggers';
import type { KpiQueries } from '../salesforce/kpi-queries';
import type { KpiTriggers } from './insights/triggers';
import type { ReferenceData } from './services/reference-data';
import type { Summaries } from './services/summaries';

/**
 * What the sync layer is built from (bridge.ts makes each part once). Only the assembly in sync/index.ts sees all
 * of it: every handler and service gets the few parts it uses.
 */
export interface SyncDeps {
  jobs: JobRepository;
  /** Named leases, shared by every bridge on the store: a deal's partial invoices one at a time. */
  leases: LeaseRepository;
  /** This bridge process (BRIDGE_INSTANCE_ID), as a lease holder. */
  instanceId: string;
  xeroResults: XeroResultRepository;
  contactMappings: ContactMappingRepository;
  watermarks: WatermarkRepository;
  xeroConnections: XeroConnectionRepository;
  xero: XeroClient;
  queries: Queries;
  writeback: Writeback;
  reference: ReferenceData;
  summaries: Summaries;
  names: SalesforceNames;
  log: Logger;
  clock: Pick<Clock, 'now'>;
  /** The org's corporate currency: the invoice currency in single-currency orgs. */
  corporateCurrency: string;
  /** How amendments prorate the remaining term. */
  prorationMethod: 'daily' | 'monthly-daily';
  /** The Salesforce instance URL, for links from Xero back to the record. */
  instanceUrl: () => string;
  // go-live (issue 18): the ledger's reads and the go-live Salesforce reads, and the import runs' cursors
  ledger: XeroLedgerClient;
  goLive: GoLiveQueries;
  importRuns: ImportRunRepository;
  /** Billing plans: their reads, and how their work is asked for (stored jobs with run-at times). */
  revenueQueries: RevenueQueries;
  billingTriggers: BillingTriggers;
  /** KPIs: their reads, and how a refresh is asked for (stored jobs). */
  kpiQueries: KpiQueries;
  kpiTriggers: KpiTriggers;
  /** The month-end close: its Salesforce reads and its Xero calls (ManualJournals, lock dates, Trial Balance). */
  closeQueries: CloseQueries;
  journals: XeroJournalClient;
  /** Work became due now: stop the worker idling. */
  wake?: () => void;
}
