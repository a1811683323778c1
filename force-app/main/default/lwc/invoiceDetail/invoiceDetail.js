import { LightningElement, api } from 'lwc';
import { LABELS, formatLabel } from 'c/ledgerlineUtils';
import { daysPastDue, toCents, fromCents, syncProblem } from 'c/receivablesCalc';

const APPROVAL_LABELS = {
  'Not Submitted': LABELS.approvalNotSubmitted,
  Pending: LABELS.approvalPending,
  Approved: LABELS.approvalApproved,
  Rejected: LABELS.approvalRejected,
};

const SYNC_PROBLEM_LABELS = {
  connection: LABELS.syncErrorConnection,
  busy: LABELS.syncErrorBusy,
  unreachable: LABELS.syncErrorUnreachable,
  rejected: LABELS.syncErrorRejected,
  unknown: LABELS.syncErrorUnknown,
};

const SETTLED_STATUSES = ['Paid', 'Voided', 'Deleted'];
// Xero has an online invoice (the page a customer views and pays it on) only once it is approved in Xero.
const WITH_CUSTOMER_LINK = ['Authorised', 'Partially Paid', 'Paid'];
const isPaymentLive = (payment) => payment.Status__c !== 'Deleted';
const isAllocationLive = (allocation) => allocation.Status__c !== 'Deleted';
const isCreditNoteLive = (note) => note.Status__c !== 'Voided' && note.Status__c !== 'Deleted';

/**
 * One invoice as a sales rep reads it: number, billing entity, status, amounts in the invoice's own currency, due
 * date and days overdue, payments, credit notes and their allocations, approval, and whether Xero has the latest
 * version (with a Retry when it does not; when it does, the notes the bridge left for finance to check before
 * approving, as a note), and the customer's online-invoice link, or a Get customer link button for
 * an approved invoice without one (the bridge reads it from Xero on request only). Stateless: the parent owns the data
 * and answers the `retry` and `requestlink` events.
 */
export default class InvoiceDetail extends LightningElement {
  /** The invoice as a plain object (GraphQL node unwrapped by c/ledgerlineUtils.unwrapNode). */
  @api invoice;
  /** Today as YYYY-MM-DD in the user's time zone. */
  @api today;
  /** True while a retry request for this invoice is on its way. */
  @api retrying = false;
  /** True while the request for the customer link is on its way. */
  @api requestingLink = false;
  /** True once the customer link was asked for: it appears when the bridge has written it. */
  @api linkRequested = false;

  labels = LABELS;
  /** What the user chose with the toggle; until then settled invoices start collapsed and open ones expanded. */
  expandedByUser;

  get inv() {
    return this.invoice ?? {};
  }

  get headingId() {
    return `invoice-heading-${this.inv.Id}`;
  }

  get bodyId() {
    return `invoice-body-${this.inv.Id}`;
  }

  /** Paid, credited or voided, and nothing to fix: there is little to read, so it starts collapsed. */
  get isSettled() {
    return SETTLED_STATUSES.includes(this.inv.Status__c) && !this.isSyncError;
  }

  get isExpanded() {
    return this.expandedByUser ?? !this.isSettled;
  }

  get ariaExpanded() {
    return String(this.isExpanded);
  }

  get chevronIcon() {
    return this.isExpanded ? 'utility:chevrondown' : 'utility:chevronright';
  }

  get totalValue() {
    return fromCents(toCents(this.inv.Total__c));
  }

  handleToggle() {
    this.expandedByUser = !this.isExpanded;
  }

  get title() {
    return this.inv.Invoice_Number__c || this.inv.Name || LABELS.draftInvoice;
  }

  get currencyCode() {
    return this.inv.Currency_Code__c;
  }

  /** What c-invoice-status-badge reads. */
  get badgeInput() {
    const inv = this.inv;
    return {
      status: inv.Status__c,
      approvalStatus: inv.Approval_Status__c,
      total: inv.Total__c,
      amountPaid: inv.Amount_Paid__c,
      amountCredited: inv.Amount_Credited__c,
      amountDue: inv.Amount_Due__c,
      dueDate: inv.Due_Date__c,
    };
  }

  get isVoided() {
    return this.inv.Status__c === 'Voided' || this.inv.Status__c === 'Deleted';
  }

  get amounts() {
    const inv = this.inv;
    const rows = [
      { key: 'total', label: LABELS.total, value: inv.Total__c },
      { key: 'paid', label: LABELS.paid, value: inv.Amount_Paid__c },
      { key: 'credited', label: LABELS.credited, value: inv.Amount_Credited__c, hideWhenZero: true },
      { key: 'due', label: LABELS.amountDue, value: inv.Amount_Due__c },
    ];
    return rows
      .filter((row) => !(row.hideWhenZero && toCents(row.value) === 0))
      .map((row) => ({
        ...row,
        value: fromCents(toCents(row.value)),
        className: `amount amount-${row.key}`,
      }));
  }

  get overdueDays() {
    const inv = this.inv;
    if (this.isVoided || toCents(inv.Amount_Due__c) <= 0) return 0;
    if (!['Authorised', 'Partially Paid'].includes(inv.Status__c)) return 0;
    return Math.max(0, daysPastDue(inv.Due_Date__c, this.today));
  }

  get isOverdue() {
    return this.overdueDays > 0;
  }

  get overdueText() {
    return this.overdueDays === 1 ? LABELS.dayOverdue : formatLabel(LABELS.daysOverdue, this.overdueDays);
  }

  get payments() {
    return (this.inv.Payments__r ?? []).filter(isPaymentLive).map((payment) => ({
      ...payment,
      amount: fromCents(toCents(payment.Amount__c)),
      currencyCode: payment.Currency_Code__c || this.currencyCode,
    }));
  }

  get hasPayments() {
    return this.payments.length > 0;
  }

  get creditNotes() {
    return (this.inv.Credit_Notes__r ?? []).filter(isCreditNoteLive).map((note) => ({
      ...note,
      title: note.Credit_Note_Number__c || LABELS.creditNote,
      total: fromCents(toCents(note.Total__c)),
      remaining: fromCents(toCents(note.Remaining_Credit__c)),
      hasRemaining: toCents(note.Remaining_Credit__c) > 0,
      currencyCode: note.Currency_Code__c || this.currencyCode,
      allocations: (note.Allocations__r ?? []).filter(isAllocationLive).map((allocation) => ({
        ...allocation,
        amount: fromCents(toCents(allocation.Amount__c)),
        target:
          !allocation.Invoice__c || allocation.Invoice__c === this.inv.Id
            ? LABELS.allocatedToThisInvoice
            : formatLabel(
                LABELS.allocatedToInvoice,
                allocation.Invoice__r?.Invoice_Number__c || allocation.Invoice__r?.Name || allocation.Invoice__c,
              ),
      })),
    }));
  }

  /** Credit from credit notes raised elsewhere (for example on the account) and allocated to this invoice. */
  get appliedCredits() {
    const ownNotes = new Set((this.inv.Credit_Notes__r ?? []).map((note) => note.Id));
    return (this.inv.Credit_Allocations__r ?? [])
      .filter((allocation) => isAllocationLive(allocation) && !ownNotes.has(allocation.Credit_Note__c))
      .map((allocation) => ({
        ...allocation,
        amount: fromCents(toCents(allocation.Amount__c)),
        source: formatLabel(
          LABELS.creditAppliedFrom,
          allocation.Credit_Note__r?.Credit_Note_Number__c || LABELS.creditNote,
        ),
      }));
  }

  get hasCreditNotes() {
    return this.creditNotes.length > 0 || this.appliedCredits.length > 0;
  }

  get approvalText() {
    return APPROVAL_LABELS[this.inv.Approval_Status__c] ?? this.inv.Approval_Status__c;
  }

  get hasApprovalComment() {
    return !!this.inv.Approval_Comment__c;
  }

  get approvalClass() {
    return this.inv.Approval_Status__c === 'Rejected' ? 'slds-text-color_error' : '';
  }

  get syncStatus() {
    return this.inv.Sync_Status__c;
  }

  get isSyncError() {
    return this.syncStatus === 'Error';
  }

  get isSyncPending() {
    return this.syncStatus === 'Pending';
  }

  get isSynced() {
    return this.syncStatus === 'Synced';
  }

  get syncProblemText() {
    return SYNC_PROBLEM_LABELS[syncProblem(this.inv.Sync_Message__c)];
  }

  get retryLabel() {
    return this.retrying ? LABELS.retrying : LABELS.retry;
  }

  get retryTitle() {
    return formatLabel(LABELS.retryTitle, this.title);
  }

  /** Only https links are offered, so a bad value can never become a javascript: URL. */
  get xeroUrl() {
    const url = this.inv.Online_Invoice_URL__c;
    return typeof url === 'string' && /^https:\/\//i.test(url) ? url : null;
  }

  /** An approved invoice without a link: Xero has one, and the rep may ask for it. */
  get canRequestLink() {
    return !this.xeroUrl && WITH_CUSTOMER_LINK.includes(this.inv.Status__c);
  }

  get requestLinkTitle() {
    return formatLabel(LABELS.customerLinkGetTitle, this.title);
  }

  handleRequestLink() {
    this.dispatchEvent(new CustomEvent('requestlink', { detail: { invoiceId: this.inv.Id, title: this.title } }));
  }

  handleRetry() {
    this.dispatchEvent(new CustomEvent('retry', { detail: { invoiceId: this.inv.Id, title: this.title } }));
  }
}
