import { LightningElement, api } from 'lwc';
import { displayStatus } from './invoiceDisplayStatus';

/**
 * The status badge a sales rep reads on an invoice: Draft, Awaiting approval, Approved, Authorised,
 * Partially paid, Paid, Overdue, Voided or Credited, derived from the Invoice__c fields the bridge keeps current.
 */
export default class InvoiceStatusBadge extends LightningElement {
  /** Invoice values: { status, approvalStatus, total, amountPaid, amountCredited, amountDue, dueDate }. */
  @api invoice;
  /** Today as YYYY-MM-DD; defaults to the browser's date. Set by parents and tests for a stable "overdue". */
  @api today;

  get view() {
    return displayStatus(this.invoice ?? {}, this.today ?? new Date().toISOString().slice(0, 10));
  }

  get label() {
    return this.view.label;
  }

  get badgeClass() {
    return `slds-badge ${this.view.themeClass}`;
  }
}
