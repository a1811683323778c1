import { LightningElement, api } from 'lwc';
import TIME_ZONE from '@salesforce/i18n/timeZone';
import { todayIn } from 'c/receivablesCalc';
import { displayStatus } from './invoiceDisplayStatus';

/**
 * The status badge a sales rep reads on an invoice: Draft, Awaiting approval, Approved, Authorised,
 * Partially paid, Paid, Overdue, Voided or Credited, derived from the Invoice__c fields the bridge keeps current;
 * each in words, with its own SLDS theme and icon (see STATUSES in invoiceDisplayStatus.js).
 */
export default class InvoiceStatusBadge extends LightningElement {
  /** Invoice values: { status, approvalStatus, total, amountPaid, amountCredited, amountDue, dueDate }. */
  @api invoice;
  /** Today as YYYY-MM-DD; defaults to the date in the user's time zone (not UTC), so "overdue" turns at their midnight. */
  @api today;

  get view() {
    return displayStatus(this.invoice ?? {}, this.today ?? todayIn(TIME_ZONE));
  }

  get label() {
    return this.view.label;
  }

  get badgeClass() {
    return `slds-badge ${this.view.themeClass}`.trim();
  }
}
