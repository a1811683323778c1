import DRAFT from '@salesforce/label/c.Invoice_Status_Draft';
import AWAITING_APPROVAL from '@salesforce/label/c.Invoice_Status_Awaiting_Approval';
import APPROVED from '@salesforce/label/c.Invoice_Status_Approved';
import AUTHORISED from '@salesforce/label/c.Invoice_Status_Authorised';
import PARTIALLY_PAID from '@salesforce/label/c.Invoice_Status_Partially_Paid';
import PAID from '@salesforce/label/c.Invoice_Status_Paid';
import OVERDUE from '@salesforce/label/c.Invoice_Status_Overdue';
import VOIDED from '@salesforce/label/c.Invoice_Status_Voided';
import CREDITED from '@salesforce/label/c.Invoice_Status_Credited';

/**
 * How each status looks: an SLDS theme, a utility icon and the status in words. No two statuses share a theme and
 * icon, and the pairs that used to share a colour (approved/authorised, awaiting approval/partially paid,
 * voided/credited) differ in both, so a status can be told by colour, by shape or by reading. The icon is white
 * (variant inverse) on the dark themes and dark on the light ones, like the words beside it.
 */
export const STATUSES = {
  draft: {
    key: 'draft',
    label: DRAFT,
    themeClass: '',
    iconName: 'utility:edit',
    iconVariant: '',
  },
  awaitingApproval: {
    key: 'awaitingApproval',
    label: AWAITING_APPROVAL,
    themeClass: 'slds-badge_lightest',
    iconName: 'utility:clock',
    iconVariant: '',
  },
  approved: {
    key: 'approved',
    label: APPROVED,
    themeClass: 'slds-theme_alt-inverse',
    iconName: 'utility:approval',
    iconVariant: 'inverse',
  },
  authorised: {
    key: 'authorised',
    label: AUTHORISED,
    themeClass: 'slds-theme_info',
    iconName: 'utility:send',
    iconVariant: 'inverse',
  },
  partiallyPaid: {
    key: 'partiallyPaid',
    label: PARTIALLY_PAID,
    themeClass: 'slds-theme_warning',
    iconName: 'utility:moneybag',
    iconVariant: '',
  },
  paid: {
    key: 'paid',
    label: PAID,
    themeClass: 'slds-theme_success',
    iconName: 'utility:check',
    iconVariant: 'inverse',
  },
  overdue: {
    key: 'overdue',
    label: OVERDUE,
    themeClass: 'slds-theme_error',
    iconName: 'utility:warning',
    iconVariant: 'inverse',
  },
  voided: {
    key: 'voided',
    label: VOIDED,
    themeClass: 'slds-theme_offline',
    iconName: 'utility:ban',
    iconVariant: 'inverse',
  },
  credited: {
    key: 'credited',
    label: CREDITED,
    themeClass: 'slds-theme_inverse',
    iconName: 'utility:reply',
    iconVariant: 'inverse',
  },
};

/** Status__c values as the bridge writes them (domain invoiceDisplayStatus) and the approval process sets them. */
const STORED = {
  Draft: STATUSES.draft,
  'Awaiting Approval': STATUSES.awaitingApproval,
  Approved: STATUSES.approved,
  Authorised: STATUSES.authorised,
  'Partially Paid': STATUSES.partiallyPaid,
  Paid: STATUSES.paid,
  Voided: STATUSES.voided,
  Deleted: STATUSES.voided,
};
const DRAFTS = ['Draft', 'Awaiting Approval', 'Approved'];

const positive = (value) => Number(value ?? 0) > 0;

/**
 * What a rep should read for an invoice. Status__c has one home, the bridge's domain (invoiceDisplayStatus: Xero's
 * state, paid or partly paid); the badge reads it and adds only what the record cannot hold: Overdue, which turns at
 * the user's midnight, and Credited, a Paid invoice settled by credit alone. Both ends are held to the worked cases in
 * bridge-service/src/domain/receivables.cases.json. Overdue wins: money that is late is the first thing to see.
 * @param {object} invoice Invoice__c values: status, approvalStatus, amountPaid, amountCredited, amountDue, dueDate
 * @param {string} today the current date as YYYY-MM-DD
 * @returns {{key: string, label: string, themeClass: string, iconName: string, iconVariant: string}}
 */
export function displayStatus(invoice, today) {
  const { status, approvalStatus, amountPaid, amountCredited, amountDue, dueDate } = invoice;
  if (DRAFTS.includes(status)) {
    // submitted in Salesforce: the approval process may be ahead of the last write-back from Xero
    if (approvalStatus === 'Pending') return STATUSES.awaitingApproval;
    if (approvalStatus === 'Approved') return STATUSES.approved;
    return STORED[status];
  }
  const stored = STORED[status];
  if (!stored || stored === STATUSES.voided) return stored ?? STATUSES.draft; // nothing more to say about these
  if (positive(amountDue) && dueDate && dueDate < today) return STATUSES.overdue;
  if (stored === STATUSES.paid && positive(amountCredited) && !positive(amountPaid)) return STATUSES.credited;
  return stored;
}
