import DRAFT from '@salesforce/label/c.Invoice_Status_Draft';
import AWAITING_APPROVAL from '@salesforce/label/c.Invoice_Status_Awaiting_Approval';
import APPROVED from '@salesforce/label/c.Invoice_Status_Approved';
import AUTHORISED from '@salesforce/label/c.Invoice_Status_Authorised';
import PARTIALLY_PAID from '@salesforce/label/c.Invoice_Status_Partially_Paid';
import PAID from '@salesforce/label/c.Invoice_Status_Paid';
import OVERDUE from '@salesforce/label/c.Invoice_Status_Overdue';
import VOIDED from '@salesforce/label/c.Invoice_Status_Voided';
import CREDITED from '@salesforce/label/c.Invoice_Status_Credited';

const STATUSES = {
  draft: { key: 'draft', label: DRAFT, themeClass: '' },
  awaitingApproval: { key: 'awaitingApproval', label: AWAITING_APPROVAL, themeClass: 'slds-theme_warning' },
  approved: { key: 'approved', label: APPROVED, themeClass: 'slds-theme_info' },
  authorised: { key: 'authorised', label: AUTHORISED, themeClass: 'slds-theme_info' },
  partiallyPaid: { key: 'partiallyPaid', label: PARTIALLY_PAID, themeClass: 'slds-theme_warning' },
  paid: { key: 'paid', label: PAID, themeClass: 'slds-theme_success' },
  overdue: { key: 'overdue', label: OVERDUE, themeClass: 'slds-theme_error' },
  voided: { key: 'voided', label: VOIDED, themeClass: 'slds-badge_lightest' },
  credited: { key: 'credited', label: CREDITED, themeClass: 'slds-badge_lightest' },
};

const positive = (value) => Number(value ?? 0) > 0;

/**
 * What a rep should read for an invoice. Amounts come as numbers from the record and are only compared with zero
 * here, never added up. Overdue wins over the payment state: money that is late is the first thing to see.
 * @param {object} invoice Invoice__c values: status, approvalStatus, amountPaid, amountCredited, amountDue, dueDate
 * @param {string} today the current date as YYYY-MM-DD
 * @returns {{key: string, label: string, themeClass: string}}
 */
export function displayStatus(invoice, today) {
  const { status, approvalStatus, amountPaid, amountCredited, amountDue, dueDate } = invoice;
  if (status === 'Voided' || status === 'Deleted') return STATUSES.voided;
  if (status === 'Draft' || status === 'Awaiting Approval' || status === 'Approved') {
    if (approvalStatus === 'Pending' || status === 'Awaiting Approval') return STATUSES.awaitingApproval;
    if (approvalStatus === 'Approved' || status === 'Approved') return STATUSES.approved;
    return STATUSES.draft;
  }
  const due = positive(amountDue);
  if (due && dueDate && dueDate < today) return STATUSES.overdue;
  if (!due && positive(amountCredited) && !positive(amountPaid)) return STATUSES.credited;
  if (status === 'Paid' || !due) return STATUSES.paid;
  if (positive(amountPaid) || positive(amountCredited)) return STATUSES.partiallyPaid;
  return STATUSES.authorised;
}
