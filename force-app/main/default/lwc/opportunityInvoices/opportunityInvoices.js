import { LightningElement, api, wire } from 'lwc';
import { gql, graphql } from 'lightning/graphql';
import isLiveRefreshEnabled from '@salesforce/apex/LiveRefreshController.isEnabled';
import { ShowToastEvent } from 'lightning/platformShowToastEvent';
import TIME_ZONE from '@salesforce/i18n/timeZone';
import requestResync from '@salesforce/apex/InvoiceActions.requestResync';
import requestOnlineLink from '@salesforce/apex/InvoiceActions.requestOnlineLink';
import { LABELS, formatLabel, queryNodes, createLiveRefresh, reduceErrors, syncUpdateNames } from 'c/ledgerlineUtils';
import { fromCents, todayIn, totalsByCurrency } from 'c/receivablesCalc';
import INVOICES_PLANNED_TITLE from '@salesforce/label/c.Invoices_Planned_Title';
import INVOICES_PLANNED_HELP from '@salesforce/label/c.Invoices_Planned_Help';
import INVOICES_NEWEST_ONLY from '@salesforce/label/c.Invoices_Newest_Only';

// Every custom object, field and relationship carries an alias equal to its unprefixed name: in the package the
// platform prefixes them (ldgr__Total__c), and the alias keeps the response keys the code reads. The wire adapter
// allows one level of child relationships, so the allocations of the invoices' credit notes (a grandchild) come
// from a second object in the same query, filtered through their parents; the deal's billing plan (with its
// instalments) is a third. Checked offline by the graphql gate (npm run check:force-app).
const INVOICES_QUERY = gql`
  query opportunityInvoices($recordId: ID) {
    uiapi {
      query {
        Invoice__c: Invoice__c(
          where: { Opportunity__c: { eq: $recordId } }
          orderBy: { Issue_Date__c: { order: DESC, nulls: FIRST } }
          first: 50 # INVOICE_PAGE_SIZE: with more, the card says the list and totals are of the newest 50
        ) {
          pageInfo {
            hasNextPage
          }
          edges {
            node {
              Id
              Name {
                value
              }
              Invoice_Number__c: Invoice_Number__c {
                value
              }
              Billing_Entity__c: Billing_Entity__c {
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
              Issue_Date__c: Issue_Date__c {
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
              Approval_Comment__c: Approval_Comment__c {
                value
              }
              Online_Invoice_URL__c: Online_Invoice_URL__c {
                value
              }
              Sync_Status__c: Sync_Status__c {
                value
              }
              Sync_Message__c: Sync_Message__c {
                value
              }
              Last_Synced__c: Last_Synced__c {
                value
              }
              Payments__r: Payments__r(first: 50, orderBy: { Payment_Date__c: { order: ASC } }) {
                edges {
                  node {
                    Id
                    Amount__c: Amount__c {
                      value
                    }
                    Currency_Code__c: Currency_Code__c {
                      value
                    }
                    Payment_Date__c: Payment_Date__c {
                      value
                    }
                    Reference__c: Reference__c {
                      value
                    }
                    Status__c: Status__c {
                      value
                    }
                  }
                }
              }
              Credit_Allocations__r: Credit_Allocations__r(first: 20, orderBy: { Allocation_Date__c: { order: ASC } }) {
                edges {
                  node {
                    Id
                    Amount__c: Amount__c {
                      value
                    }
                    Allocation_Date__c: Allocation_Date__c {
                      value
                    }
                    Status__c: Status__c {
                      value
                    }
                    Credit_Note__c: Credit_Note__c {
                      value
                    }
                    Credit_Note__r: Credit_Note__r {
                      Credit_Note_Number__c: Credit_Note_Number__c {
                        value
                      }
                    }
                  }
                }
              }
              Credit_Notes__r: Credit_Notes__r(first: 20, orderBy: { Issue_Date__c: { order: ASC } }) {
                edges {
                  node {
                    Id
                    Credit_Note_Number__c: Credit_Note_Number__c {
                      value
                    }
                    Total__c: Total__c {
                      value
                    }
                    Remaining_Credit__c: Remaining_Credit__c {
                      value
                    }
                    Status__c: Status__c {
                      value
                    }
                    Currency_Code__c: Currency_Code__c {
                      value
                    }
                  }
                }
              }
            }
          }
        }
        Billing_Plan__c: Billing_Plan__c(where: { Opportunity__c: { eq: $recordId } }, first: 1) {
          edges {
            node {
              Id
              Name {
                value
              }
              Status__c: Status__c {
                value
                displayValue
              }
              Currency_Code__c: Currency_Code__c {
                value
              }
              Billing_Frequency__c: Billing_Frequency__c {
                value
                displayValue
              }
              Billing_Timing__c: Billing_Timing__c {
                value
                displayValue
              }
              Service_Start_Date__c: Service_Start_Date__c {
                value
              }
              Service_End_Date__c: Service_End_Date__c {
                value
              }
              Contract_Value__c: Contract_Value__c {
                value
              }
              Invoiced_Amount__c: Invoiced_Amount__c {
                value
              }
              Remaining_To_Bill__c: Remaining_To_Bill__c {
                value
              }
              Next_Instalment_Date__c: Next_Instalment_Date__c {
                value
              }
              Next_Instalment_Amount__c: Next_Instalment_Amount__c {
                value
              }
              Recognised_To_Date__c: Recognised_To_Date__c {
                value
              }
              Deferred_Revenue__c: Deferred_Revenue__c {
                value
              }
              Unbilled_Revenue__c: Unbilled_Revenue__c {
                value
              }
              Balances_As_Of__c: Balances_As_Of__c {
                value
              }
              Flags__c: Flags__c {
                value
              }
              Sync_Status__c: Sync_Status__c {
                value
              }
              Sync_Message__c: Sync_Message__c {
                value
              }
              Instalments__r: Instalments__r(first: 200, orderBy: { Issue_Date__c: { order: ASC } }) {
                edges {
                  node {
                    Id
                    Sequence__c: Sequence__c {
                      value
                    }
                    Issue_Date__c: Issue_Date__c {
                      value
                    }
                    Amount__c: Amount__c {
                      value
                    }
                    Document_Type__c: Document_Type__c {
                      value
                      displayValue
                    }
                    Status__c: Status__c {
                      value
                      displayValue
                    }
                    Status_Message__c: Status_Message__c {
                      value
                    }
                    Service_Start_Date__c: Service_Start_Date__c {
                      value
                    }
                    Service_End_Date__c: Service_End_Date__c {
                      value
                    }
                    Invoice__r: Invoice__r {
                      Invoice_Number__c: Invoice_Number__c {
                        value
                      }
                      Status__c: Status__c {
                        value
                        displayValue
                      }
                    }
                    Credit_Note__r: Credit_Note__r {
                      Credit_Note_Number__c: Credit_Note_Number__c {
                        value
                      }
                      Status__c: Status__c {
                        value
                        displayValue
                      }
                    }
                  }
                }
              }
            }
          }
        }
        Credit_Allocation__c: Credit_Allocation__c(
          where: { Credit_Note__r: { Invoice__r: { Opportunity__c: { eq: $recordId } } } }
          orderBy: { Allocation_Date__c: { order: ASC } }
          first: 200
        ) {
          edges {
            node {
              Id
              Amount__c: Amount__c {
                value
              }
              Allocation_Date__c: Allocation_Date__c {
                value
              }
              Status__c: Status__c {
                value
              }
              Credit_Note__c: Credit_Note__c {
                value
              }
              Invoice__c: Invoice__c {
                value
              }
              Invoice__r: Invoice__r {
                Name {
                  value
                }
                Invoice_Number__c: Invoice_Number__c {
                  value
                }
              }
            }
          }
        }
      }
    }
  }
`;

/** How many invoices the query reads (its `first: 50`), newest first; a deal with more is said to have more. */
const INVOICE_PAGE_SIZE = 50;

/**
 * Hangs each credit note's allocations (queried apart: the wire adapter allows one level of child relationships) on
 * the note as `Allocations__r`, the name of that child relationship, so c-invoice-detail reads one shape.
 * @param {object[]} invoices plain invoices with Credit_Notes__r
 * @param {object[]} allocations plain Credit_Allocation__c records with Credit_Note__c
 * @returns {object[]}
 */
function withCreditNoteAllocations(invoices, allocations) {
  const byNote = new Map();
  for (const allocation of allocations) {
    byNote.set(allocation.Credit_Note__c, [...(byNote.get(allocation.Credit_Note__c) ?? []), allocation]);
  }
  return invoices.map((invoice) => ({
    ...invoice,
    Credit_Notes__r: (invoice.Credit_Notes__r ?? []).map((note) => ({
      ...note,
      Allocations__r: byNote.get(note.Id) ?? [],
    })),
  }));
}

/**
 * Invoices of an opportunity on its record page: the deal's billing plan (c-billing-plan: invoiced so far, what is
 * next, every instalment, revenue recognised, deferred and unbilled), each invoice with status, amounts in its own
 * currency, payments, credit notes, approval and Xero sync state (with Retry), the customer's online-invoice link (or,
 * for an approved invoice without one, Get customer link: the bridge reads it from Xero on request only, and the card
 * shows it when the bridge's Sync_Update__e for it arrives), totals per currency, and an empty state
 * that says what will happen (when the plan raises the first invoice, if there is a plan). Data comes from the GraphQL wire adapter (LDS); while the page is visible it refreshes live when
 * Sync_Update__e names the opportunity or one of its invoices (c/ledgerlineUtils createLiveRefresh: only while
 * visible, and only when Live_Refresh__c is on; otherwise on show and focus).
 */
export default class OpportunityInvoices extends LightningElement {
  @api recordId;

  labels = { ...LABELS, plannedTitle: INVOICES_PLANNED_TITLE, plannedHelp: INVOICES_PLANNED_HELP };
  invoices = [];
  /** The deal has more invoices than the query read: the list and the totals are of the newest INVOICE_PAGE_SIZE. */
  hasMoreInvoices = false;
  /** The deal's billing plan as the query returned it (c-billing-plan shows it), if it has one. */
  planNode;
  errors;
  loaded = false;
  retryingIds = [];
  /** Invoices whose customer link is being asked for, and those it was asked for (it appears once written). */
  linkRequestingIds = [];
  linkRequestedIds = [];
  today = todayIn(TIME_ZONE);

  liveRefresh = createLiveRefresh({
    onMessage: (message) => this.handleSyncUpdate(message),
    refresh: () => this.refresh(),
  });
  refreshQuery;

  @wire(graphql, { query: INVOICES_QUERY, variables: '$variables' })
  wiredInvoices(result) {
    const { data, errors } = result ?? {};
    this.refreshQuery = result?.refresh;
    if (errors) {
      this.errors = errors;
      this.loaded = true;
    } else if (data) {
      this.invoices = withCreditNoteAllocations(
        queryNodes(data, 'Invoice__c'),
        queryNodes(data, 'Credit_Allocation__c'),
      );
      this.hasMoreInvoices = data.uiapi?.query?.Invoice__c?.pageInfo?.hasNextPage === true;
      this.planNode = data.uiapi?.query?.Billing_Plan__c?.edges?.[0]?.node;
      this.errors = undefined;
      this.loaded = true;
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
    const ids = [this.recordId, ...this.invoices.map((invoice) => invoice.Id)];
    if (syncUpdateNames(message, ids)) this.refresh();
  }

  /** Re-runs the query (refresh button, a matching Sync_Update__e, after a retry). */
  async refresh() {
    this.today = todayIn(TIME_ZONE);
    if (typeof this.refreshQuery === 'function') await this.refreshQuery();
  }

  get hasPlan() {
    return this.loaded && !this.errors && !!this.planNode;
  }

  /** When the billing plan raises the first invoice, while there is none yet. */
  get firstPlannedDate() {
    return this.planNode?.Next_Instalment_Date__c?.value ?? null;
  }

  handleRefresh() {
    this.refresh();
  }

  async handleRetry(event) {
    const { invoiceId, title } = event.detail;
    this.retryingIds = [...this.retryingIds, invoiceId];
    try {
      // Apex says what happened in the user's words (e.g. that read-only mode holds the request until it ends).
      const said = await requestResync({ invoiceId });
      this.dispatchEvent(
        new ShowToastEvent({
          title: LABELS.retryRequested,
          message: said || formatLabel(LABELS.retryRequestedMessage, title),
          variant: 'success',
        }),
      );
      await this.refresh();
    } catch (error) {
      this.toastRefusal(LABELS.retryFailed, error);
    } finally {
      this.retryingIds = this.retryingIds.filter((id) => id !== invoiceId);
    }
  }

  async handleRequestLink(event) {
    const { invoiceId, title } = event.detail;
    this.linkRequestingIds = [...this.linkRequestingIds, invoiceId];
    try {
      // Apex says when to look: the bridge reads the link from Xero and writes it within seconds, and its
      // Sync_Update__e refreshes this card (live refresh; otherwise on focus or with the refresh button).
      const said = await requestOnlineLink({ invoiceId });
      this.linkRequestedIds = [...this.linkRequestedIds, invoiceId];
      this.dispatchEvent(
        new ShowToastEvent({
          title: LABELS.customerLinkRequested,
          message: said || formatLabel(LABELS.customerLinkRequestedMessage, title),
          variant: 'success',
        }),
      );
    } catch (error) {
      this.toastRefusal(LABELS.customerLinkFailed, error);
    } finally {
      this.linkRequestingIds = this.linkRequestingIds.filter((id) => id !== invoiceId);
    }
  }

  /** Why Apex refused a request, in its words; sticky, so the user can read it. */
  toastRefusal(title, error) {
    this.dispatchEvent(
      new ShowToastEvent({ title, message: reduceErrors(error).join(' '), variant: 'error', mode: 'sticky' }),
    );
  }

  get isLoading() {
    return !this.loaded;
  }

  get hasError() {
    return this.loaded && !!this.errors;
  }

  get errorMessages() {
    return reduceErrors(this.errors).join(' ');
  }

  get isEmpty() {
    return this.loaded && !this.errors && this.invoices.length === 0;
  }

  get hasInvoices() {
    return this.loaded && !this.errors && this.invoices.length > 0;
  }

  get invoiceViews() {
    return this.invoices.map((invoice) => ({
      invoice,
      key: invoice.Id,
      retrying: this.retryingIds.includes(invoice.Id),
      requestingLink: this.linkRequestingIds.includes(invoice.Id),
      linkRequested: this.linkRequestedIds.includes(invoice.Id),
    }));
  }

  /**
   * Per-currency totals, only when there is more than one invoice to add up: invoiced = paid + credited + due (what
   * credit notes settled is shown when there is any, so the due is explained).
   */
  get totals() {
    if (this.invoices.length < 2) return [];
    const amounts = this.invoices.map((invoice) => ({
      status: invoice.Status__c,
      currencyCode: invoice.Currency_Code__c,
      total: invoice.Total__c,
      amountPaid: invoice.Amount_Paid__c,
      amountCredited: invoice.Amount_Credited__c,
      amountDue: invoice.Amount_Due__c,
      dueDate: invoice.Due_Date__c,
    }));
    return totalsByCurrency(amounts, this.today)
      .filter((entry) => entry.invoicedCents !== 0 || entry.draftCents !== 0)
      .map((entry) => ({
        currencyCode: entry.currencyCode,
        caption: formatLabel(LABELS.totalsCaption, entry.currencyCode),
        figures: [
          { key: 'invoiced', label: LABELS.invoiced, cents: entry.invoicedCents },
          { key: 'paid', label: LABELS.paid, cents: entry.paidCents },
          { key: 'credited', label: LABELS.credited, cents: entry.creditedCents },
          { key: 'due', label: LABELS.amountDue, cents: entry.dueCents },
          { key: 'overdue', label: LABELS.overdue, cents: entry.overdueCents, alert: true },
          { key: 'draft', label: LABELS.inDraft, cents: entry.draftCents },
        ]
          .filter((figure) => figure.cents !== 0 || ['invoiced', 'due'].includes(figure.key))
          .map((figure) => ({
            ...figure,
            value: fromCents(figure.cents),
            className:
              figure.alert && figure.cents > 0
                ? `figure figure-${figure.key} slds-text-color_error`
                : `figure figure-${figure.key}`,
          })),
      }));
  }

  /** Said above the totals when the deal has more invoices than the card read (the oldest, most overdue, are not). */
  get newestOnlyText() {
    return this.hasMoreInvoices ? formatLabel(INVOICES_NEWEST_ONLY, INVOICE_PAGE_SIZE) : null;
  }

  get hasTotals() {
    return this.totals.length > 0;
  }
}
