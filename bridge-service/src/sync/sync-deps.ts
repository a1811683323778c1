import type { Clock } from '../lib/clock';
import type { Logger } from '../lib/logger';
import type { Queries } from '../salesforce/queries';
import type { SalesforceNames } from '../salesforce/schema';
import type { Writeback } from '../salesforce/writeback';
import type {
  ContactMappingRepository,
  JobRepository,
  WatermarkRepository,
  XeroConnectionRepository,
  XeroResultRepository,
} from '../store/types';
import type { XeroClient } from '../xero/client';
import type { ReferenceData } from './reference-data';
import type { Summaries } from './summaries';

/** Everything the job handlers use, built once by the bridge. */
export interface SyncDeps {
  jobs: JobRepository;
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
}
