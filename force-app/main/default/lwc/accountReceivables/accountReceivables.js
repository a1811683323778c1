import { LightningElement, api, wire } from 'lwc';
import { gql, graphql } from 'lightning/graphql';
import isLiveRefreshEnabled from '@salesforce/apex/LiveRefreshController.isEnabled';
import { refreshApex } from '@salesforce/apex';
import { NavigationMixin } from 'lightning/navigation';
import TIME_ZONE from '@salesforce/i18n/timeZone';
import LOCALE from '@salesforce/i18n/locale';
import getSummary from '@salesforce/apex/ReceivablesController.getSummary';
import { LABELS, formatLabel, queryNodes, createLiveRefresh, reduceErrors, syncUpdateNames } from 'c/ledgerlineUtils';
import { ageReceivables, corporateTotal, fromCents, simpleDso, toCents, todayIn } from 'c/receivablesCalc';

// Custom names carry an alias equal to their unprefixed name, so the response keys stay the same when the platform
// prefixes them in the package (ldgr__Due_Date__c). The account's open billing plans and their next instalments
// (c-account-contracts) and the credit the customer holds (c-account-credit: overpayments and prepayments with credit
// remaining, and credit notes with theirs and their allocations) come in the same query, so one refresh reads all. Checked offline by the graphql gate
// (npm run check:force-app).
const ACCOUNT_QUERY = gql`
  query accountReceivables($recordId: ID) {
    uiapi {
      query {
        Account(where: { Id: { eq: $recordId } }, first: 1) {
          edges {
            node {
              Id
              Last_Payment_Date__c: Last_Payment_Date__c {
                value
              }
            }
          }
        }
        Invoice__c: Invoice__c(
          where: {
            and: [
              { Account__c: { eq: $recordId } }
              { Status__c: { in: ["Authorised", "Partially Paid"] } }
              { Amount_Due__c: { gt: 0 } }
            ]
          }
          orderBy: { Due_Date__c: { order: ASC, nulls: LAST } }
          first: 10
        ) {
          edges {
            node {
              Id
              Name {
                value
              }
              Invoice_Number__c: Invoice_Number__c {
                value
              }
              Currency_Code__c: Currency_Code__c {
                value
              }
              Total__c: Total__c {
                value
              }
              Amount_Paid__c: Amount_Paid__c {
                value
              }
              Amount_Credited__c: Amount_Credited__c {
                value
              }
              Amount_Due__c: Amount_Due__c {
                value
              }
              Due_Date__c: Due_Date__c {
                value
              }
              Status__c: Status__c {
                value
              }
              Approval_Status__c: Approval_Status__c {
                value
              }
            }
          }
        }
        Billing_Plan__c: Billing_Plan__c(
          where: { and: [{ Account__c: { eq: $recordId } }, { Status__c: { in: ["Planned", "Active"] } }] }
          orderBy: { Next_Instalment_Date__c: { order: ASC, nulls: LAST } }
          first: 200
        ) {
          edges {
            node {
              Id
              Status__c: Status__c {
                value
              }
              Currency_Code__c: Currency_Code__c {
                value
              }
              Contract_Value__c: Contract_Value__c {
                value
              }
              Invoiced_Amount__c: Invoiced_Amount__c {
                value
              }
            }
          }
        }
        Billing_Instalment__c: Billing_Instalment__c(
          where: { and: [{ Billing_Plan__r: { Account__c: { eq: $recordId } } }, { Status__c: { eq: "Planned" } }] }
          orderBy: { Issue_Date__c: { order: ASC } }
          first: 5
        ) {
          edges {
            node {
              Id
              Issue_Date__c: Issue_Date__c {
                value
              }
              Amount__c: Amount__c {
                value
              }
              Currency_Code__c: Currency_Code__c {
                value
              }
              Document_Type__c: Document_Type__c {
                value
                displayValue
              }
              Billing_Plan__r: Billing_Plan__r {
                Opportunity__c: Opportunity__c {
                  value
                }
                Opportunity__r: Opportunity__r {
                  Name {
                    value
                  }
                }
              }
            }
          }
        }
        Customer_Credit__c: Customer_Credit__c(
          where: {
            and: [
              { Account__c: { eq: $recordId } }
              { Status__c: { in: ["Authorised", "Paid"] } }
              { Remaining_Credit__c: { gt: 0 } }
            ]
          }
          orderBy: { Credit_Date__c: { order: ASC } }
          first: 50 # c-account-credit CREDIT_PAGE_SIZE: a full page is reported as possibly incomplete
        ) {
          edges {
            node {
              Id
              Name {
                value
              }
              Credit_Type__c: Credit_Type__c {
                value
              }
              Credit_Date__c: Credit_Date__c {
                value
              }
              Reference__c: Reference__c {
                value
              }
              Currency_Code__c: Currency_Code__c {
                value
              }
              Total__c: Total__c {
                value
              }
              Allocated__c: Allocated__c {
                value
              }
              Refunded__c: Refunded__c {
                value
              }
              Remaining_Credit__c: Remaining_Credit__c {
                value
              }
            }
          }
        }
        Credit_Note__c: Credit_Note__c(
          where: {
            and: [
              { Account__c: { eq: $recordId } }
              { Status__c: { in: ["Authorised", "Paid"] } }
              { Remaining_Credit__c: { gt: 0 } }
            ]
          }
          orderBy: { Issue_Date__c: { order: ASC } }
          first: 50 # c-account-credit CREDIT_PAGE_SIZE
        ) {
          edges {
            node {
              Id
              Name {
                value
              }
              Credit_Note_Number__c: Credit_Note_Number__c {
                value
              }
              Issue_Date__c: Issue_Date__c {
                value
              }
              Currency_Code__c: Currency_Code__c {
                value
              }
              Total__c: Total__c {
                value
              }
              Remaining_Credit__c: Remaining_Credit__c {
                value
              }
              Allocations__r: Allocations__r(where: { Status__c: { eq: "Active" } }, first: 200) {
                edges {
                  node {
                    Id
                    Amount__c: Amount__c {
                      value
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }
`;

const DAYS_FORMAT = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 1 });

const BUCKET_LABELS = [
  ['current', LABELS.bucketCurrent],
  ['days1to30', LABELS.bucket1to30],
  ['days31to60', LABELS.bucket31to60],
  ['days61to90', LABELS.bucket61to90],
  ['days90plus', LABELS.bucket90plus],
];

/**
 * Receivables of an account on its record page, per currency and never added across currencies: outstanding,
 * overdue, ageing by due date (Current, 1–30, 31–60, 61–90, 90+), open invoices and DSO over the last 90 days; a
 * corporate-currency total only when every currency has a conversion rate; the last payment and the oldest open
 * invoices; the credit the customer holds, apart from what is due (c-account-credit); its contracted revenue and next
 * billings (c-account-contracts). Aggregates come from
 * ReceivablesController (Apex, cacheable); the account field, the invoice list and the billing plans from the GraphQL
 * wire adapter. While the page is visible it refreshes live when Sync_Update__e names the account or
 * one of its invoices (c/ledgerlineUtils createLiveRefresh: only while visible, and only when Live_Refresh__c is on;
 * otherwise on show and focus).
 */
export default class AccountReceivables extends NavigationMixin(LightningElement) {
  @api recordId;

  labels = LABELS;
  today = todayIn(TIME_ZONE);

  summary;
  summaryError;
  wiredSummaryResult;

  lastPaymentDate;
  openInvoices = [];
  invoiceUrls = {};
  /** The GraphQL query failed: one error stands for everything it reads, so no empty state says a false thing. */
  invoicesError;
  /** The GraphQL query has answered once: until then the last payment, invoices, credit and plans are unknown. */
  accountAnswered = false;
  refreshQuery;
  /** The account's open billing plans and next instalments, as the query returned them (c-account-contracts). */
  planNodes = [];
  nextBillingNodes = [];
  /** The customer's credit with something remaining, as the query returned it (c-account-credit). */
  customerCreditNodes = [];
  creditNoteNodes = [];

  liveRefresh = createLiveRefresh({
    onMessage: (message) => this.handleSyncUpdate(message),
    refresh: () => this.refresh(),
  });

  @wire(getSummary, { accountId: '$recordId', asOf: '$today' })
  wiredSummary(result) {
    this.wiredSummaryResult = result;
    if (result.data) {
      this.summary = result.data;
      this.summaryError = undefined;
    } else if (result.error) {
      this.summary = undefined;
      this.summaryError = result.error;
    }
  }

  @wire(graphql, { query: ACCOUNT_QUERY, variables: '$variables' })
  wiredAccount(result) {
    const { data, errors } = result ?? {};
    this.refreshQuery = result?.refresh;
    if (errors) {
      this.invoicesError = errors;
    } else if (data) {
      this.invoicesError = undefined;
      this.accountAnswered = true;
      this.lastPaymentDate = queryNodes(data, 'Account')[0]?.Last_Payment_Date__c;
      this.planNodes = data.uiapi?.query?.Billing_Plan__c?.edges?.map((edge) => edge.node) ?? [];
      this.nextBillingNodes = data.uiapi?.query?.Billing_Instalment__c?.edges?.map((edge) => edge.node) ?? [];
      this.customerCreditNodes = data.uiapi?.query?.Customer_Credit__c?.edges?.map((edge) => edge.node) ?? [];
      this.creditNoteNodes = data.uiapi?.query?.Credit_Note__c?.edges?.map((edge) => edge.node) ?? [];
      this.openInvoices = queryNodes(data, 'Invoice__c');
      this.generateInvoiceUrls();
    }
  }

  get variables() {
    return { recordId: this.recordId };
  }

  /** Live refresh on or off for this user (Ledgerline_Settings__c.Live_Refresh__c). Unreadable: off, costs nothing. */
  @wire(isLiveRefreshEnabled)
  wiredLiveRefresh({ data, error }) {
    if (data !== undefined) this.liveRefresh.setEnabled(data);
    else if (error) this.liveRefresh.setEnabled(false);
  }

  connectedCallback() {
    this.liveRefresh.connect();
  }

  disconnectedCallback() {
    this.liveRefresh.disconnect();
  }

  handleSyncUpdate(message) {
    const ids = [this.recordId, ...this.openInvoices.map((invoice) => invoice.Id)];
    if (syncUpdateNames(message, ids)) this.refresh();
  }

  async refresh() {
    const today = todayIn(TIME_ZONE);
    if (today !== this.today) {
      this.today = today; // a new day is a new cache key: the wire fetches again by itself
    } else if (this.wiredSummaryResult) {
      await refreshApex(this.wiredSummaryResult);
    }
    if (typeof this.refreshQuery === 'function') await this.refreshQuery();
  }

  handleRefresh() {
    this.refresh();
  }

  async generateInvoiceUrls() {
    const entries = await Promise.all(
      this.openInvoices.map(async (invoice) => [
        invoice.Id,
        await this[NavigationMixin.GenerateUrl](this.pageReference(invoice.Id)),
      ]),
    );
    this.invoiceUrls = Object.fromEntries(entries);
  }

  pageReference(recordId) {
    return { type: 'standard__recordPage', attributes: { recordId, actionName: 'view' } };
  }

  handleOpenInvoice(event) {
    event.preventDefault();
    this[NavigationMixin.Navigate](this.pageReference(event.currentTarget.dataset.id));
  }

  get isLoading() {
    return !this.summary && !this.summaryError;
  }

  get hasError() {
    return !!this.summaryError;
  }

  get errorMessages() {
    return reduceErrors(this.summaryError).join(' ');
  }

  get hasSummary() {
    return !!this.summary;
  }

  get aged() {
    return ageReceivables(this.summary?.openByDueDate, this.today);
  }

  get isEmpty() {
    return this.hasSummary && this.aged.length === 0;
  }

  get isIncomplete() {
    return this.hasSummary && this.summary.complete === false;
  }

  get currencies() {
    const sales = new Map((this.summary?.creditSales ?? []).map((row) => [row.currencyCode, toCents(row.total)]));
    const periodDays = this.summary?.periodDays ?? 90;
    return this.aged.map((entry) => {
      const dso = simpleDso(entry.outstandingCents, sales.get(entry.currencyCode) ?? 0, periodDays);
      return {
        currencyCode: entry.currencyCode,
        headingId: `receivables-${entry.currencyCode}`,
        outstanding: fromCents(entry.outstandingCents),
        overdue: fromCents(entry.overdueCents),
        overdueClass: entry.overdueCents > 0 ? 'overdue slds-text-color_error' : 'overdue',
        openCount: entry.openCount,
        dsoText: dso === null ? '—' : formatLabel(LABELS.dsoDays, DAYS_FORMAT.format(dso)),
        ageingCaption: formatLabel(LABELS.ageingCaption, entry.currencyCode),
        buckets: BUCKET_LABELS.map(([key, label]) => ({
          key,
          label,
          value: fromCents(entry.buckets[key]),
          className: entry.buckets[key] === 0 ? `bucket bucket-${key} zero` : `bucket bucket-${key}`,
        })),
      };
    });
  }

  /** The corporate-currency figures, or why there are none; only worth showing when another currency is involved. */
  get corporate() {
    const corporateCurrency = this.summary?.corporateCurrency;
    const aged = this.aged;
    if (aged.length === 0 || aged.every((entry) => entry.currencyCode === corporateCurrency)) return null;
    const rates = this.summary.rates ?? {};
    const outstanding = corporateTotal(
      aged.map((entry) => ({ currencyCode: entry.currencyCode, cents: entry.outstandingCents })),
      rates,
      corporateCurrency,
    );
    if (outstanding.missing) {
      return { missing: true, text: formatLabel(LABELS.corporateTotalMissing, outstanding.missing.join(', ')) };
    }
    const overdue = corporateTotal(
      aged.map((entry) => ({ currencyCode: entry.currencyCode, cents: entry.overdueCents })),
      rates,
      corporateCurrency,
    );
    return {
      missing: false,
      currencyCode: corporateCurrency,
      heading: formatLabel(LABELS.corporateTotal, corporateCurrency),
      outstanding: fromCents(outstanding.cents),
      overdue: fromCents(overdue.cents),
    };
  }

  /** What is due per currency, in cents, for the credit section's wording; credit is never taken off it. */
  get outstandingByCurrency() {
    return this.aged.map((entry) => ({ currencyCode: entry.currencyCode, cents: entry.outstandingCents }));
  }

  get openCount() {
    return this.aged.reduce((sum, entry) => sum + entry.openCount, 0);
  }

  get invoiceRows() {
    return this.openInvoices.map((invoice) => ({
      id: invoice.Id,
      title: invoice.Invoice_Number__c || invoice.Name,
      url: this.invoiceUrls[invoice.Id],
      currencyCode: invoice.Currency_Code__c,
      amountDue: fromCents(toCents(invoice.Amount_Due__c)),
      dueDate: invoice.Due_Date__c,
      badge: {
        status: invoice.Status__c,
        approvalStatus: invoice.Approval_Status__c,
        total: invoice.Total__c,
        amountPaid: invoice.Amount_Paid__c,
        amountCredited: invoice.Amount_Credited__c,
        amountDue: invoice.Amount_Due__c,
        dueDate: invoice.Due_Date__c,
      },
    }));
  }

  get hasOpenInvoices() {
    return this.openInvoices.length > 0;
  }

  get showingText() {
    return this.openCount > this.openInvoices.length
      ? formatLabel(LABELS.showingOf, this.openInvoices.length, this.openCount)
      : null;
  }

  /** Waiting for the query's first answer (and no error): nothing it reads is shown yet, not even "None yet". */
  get detailsLoading() {
    return !this.accountAnswered && !this.invoicesError;
  }

  get invoicesErrorMessages() {
    return reduceErrors(this.invoicesError).join(' ');
  }
}
