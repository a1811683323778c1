// Every custom label the Ledgerline invoice components show, imported as modules so the namespace resolves.
import RECEIVABLES_AGEING_BUCKET from '@salesforce/label/c.Receivables_Ageing_Bucket';
import RECEIVABLES_AGEING_CAPTION from '@salesforce/label/c.Receivables_Ageing_Caption';
import CREDIT_ALLOCATED_TO_INVOICE from '@salesforce/label/c.Credit_Allocated_To_Invoice';
import CREDIT_ALLOCATED_TO_THIS_INVOICE from '@salesforce/label/c.Credit_Allocated_To_This_Invoice';
import INVOICE_AMOUNT_DUE from '@salesforce/label/c.Invoice_Amount_Due';
import RECEIVABLES_AMOUNT from '@salesforce/label/c.Receivables_Amount';
import INVOICE_APPROVAL from '@salesforce/label/c.Invoice_Approval';
import APPROVAL_STATUS_APPROVED from '@salesforce/label/c.Approval_Status_Approved';
import APPROVAL_STATUS_NOT_SUBMITTED from '@salesforce/label/c.Approval_Status_Not_Submitted';
import APPROVAL_STATUS_PENDING from '@salesforce/label/c.Approval_Status_Pending';
import APPROVAL_STATUS_REJECTED from '@salesforce/label/c.Approval_Status_Rejected';
import RECEIVABLES_AGEING_1_30 from '@salesforce/label/c.Receivables_Ageing_1_30';
import RECEIVABLES_AGEING_31_60 from '@salesforce/label/c.Receivables_Ageing_31_60';
import RECEIVABLES_AGEING_61_90 from '@salesforce/label/c.Receivables_Ageing_61_90';
import RECEIVABLES_AGEING_OVER_90 from '@salesforce/label/c.Receivables_Ageing_Over_90';
import RECEIVABLES_AGEING_CURRENT from '@salesforce/label/c.Receivables_Ageing_Current';
import RECEIVABLES_CORPORATE_TOTAL from '@salesforce/label/c.Receivables_Corporate_Total';
import RECEIVABLES_CORPORATE_MISSING from '@salesforce/label/c.Receivables_Corporate_Missing';
import RECEIVABLES_CORPORATE_NOTE from '@salesforce/label/c.Receivables_Corporate_Note';
import CREDIT_APPLIED_FROM from '@salesforce/label/c.Credit_Applied_From';
import INVOICE_CREDIT_NOTE from '@salesforce/label/c.Invoice_Credit_Note';
import INVOICE_CREDIT_NOTES from '@salesforce/label/c.Invoice_Credit_Notes';
import INVOICE_CREDITED from '@salesforce/label/c.Invoice_Credited';
import INVOICE_CUSTOMER_LINK_FAILED from '@salesforce/label/c.Invoice_Customer_Link_Failed';
import INVOICE_CUSTOMER_LINK_GET from '@salesforce/label/c.Invoice_Customer_Link_Get';
import INVOICE_CUSTOMER_LINK_GET_TITLE from '@salesforce/label/c.Invoice_Customer_Link_Get_Title';
import INVOICE_CUSTOMER_LINK_PENDING from '@salesforce/label/c.Invoice_Customer_Link_Pending';
import INVOICE_CUSTOMER_LINK_REQUESTED from '@salesforce/label/c.Invoice_Customer_Link_Requested';
import INVOICE_CUSTOMER_LINK_REQUESTED_MESSAGE from '@salesforce/label/c.Invoice_Customer_Link_Requested_Message';
import INVOICE_DAY_OVERDUE from '@salesforce/label/c.Invoice_Day_Overdue';
import INVOICE_DAYS_OVERDUE from '@salesforce/label/c.Invoice_Days_Overdue';
import RECEIVABLES_DETAILS_LOAD_ERROR from '@salesforce/label/c.Receivables_Details_Load_Error';
import INVOICE_DRAFT_TITLE from '@salesforce/label/c.Invoice_Draft_Title';
import RECEIVABLES_DSO from '@salesforce/label/c.Receivables_DSO';
import RECEIVABLES_DSO_DAYS from '@salesforce/label/c.Receivables_DSO_Days';
import RECEIVABLES_DSO_HELP from '@salesforce/label/c.Receivables_DSO_Help';
import INVOICE_DUE_DATE from '@salesforce/label/c.Invoice_Due_Date';
import INVOICE_TOTALS_DRAFT from '@salesforce/label/c.Invoice_Totals_Draft';
import RECEIVABLES_INCOMPLETE from '@salesforce/label/c.Receivables_Incomplete';
import INVOICE_TOTALS_INVOICED from '@salesforce/label/c.Invoice_Totals_Invoiced';
import INVOICES_LOAD_ERROR from '@salesforce/label/c.Invoices_Load_Error';
import INVOICES_TITLE from '@salesforce/label/c.Invoices_Title';
import INVOICE_ISSUED from '@salesforce/label/c.Invoice_Issued';
import RECEIVABLES_LAST_PAYMENT from '@salesforce/label/c.Receivables_Last_Payment';
import LEDGERLINE_LOADING from '@salesforce/label/c.Ledgerline_Loading';
import INVOICES_EMPTY_TITLE from '@salesforce/label/c.Invoices_Empty_Title';
import INVOICES_EMPTY_HELP from '@salesforce/label/c.Invoices_Empty_Help';
import RECEIVABLES_NO_PAYMENT from '@salesforce/label/c.Receivables_No_Payment';
import RECEIVABLES_EMPTY from '@salesforce/label/c.Receivables_Empty';
import INVOICE_OPEN_IN_XERO from '@salesforce/label/c.Invoice_Open_In_Xero';
import RECEIVABLES_OPEN_INVOICES from '@salesforce/label/c.Receivables_Open_Invoices';
import LEDGERLINE_OPENS_NEW_TAB from '@salesforce/label/c.Ledgerline_Opens_New_Tab';
import RECEIVABLES_OUTSTANDING from '@salesforce/label/c.Receivables_Outstanding';
import RECEIVABLES_OVERDUE from '@salesforce/label/c.Receivables_Overdue';
import INVOICE_PAID from '@salesforce/label/c.Invoice_Paid';
import INVOICE_PAYMENTS from '@salesforce/label/c.Invoice_Payments';
import RECEIVABLES_LOAD_ERROR from '@salesforce/label/c.Receivables_Load_Error';
import RECEIVABLES_TITLE from '@salesforce/label/c.Receivables_Title';
import LEDGERLINE_REFRESH from '@salesforce/label/c.Ledgerline_Refresh';
import CREDIT_NOTE_REMAINING from '@salesforce/label/c.Credit_Note_Remaining';
import SYNC_RETRY from '@salesforce/label/c.Sync_Retry';
import SYNC_RETRY_FAILED from '@salesforce/label/c.Sync_Retry_Failed';
import SYNC_RETRY_REQUESTED from '@salesforce/label/c.Sync_Retry_Requested';
import SYNC_RETRY_REQUESTED_MESSAGE from '@salesforce/label/c.Sync_Retry_Requested_Message';
import SYNC_RETRY_TITLE from '@salesforce/label/c.Sync_Retry_Title';
import SYNC_RETRYING from '@salesforce/label/c.Sync_Retrying';
import RECEIVABLES_SHOWING from '@salesforce/label/c.Receivables_Showing';
import SYNC_ERROR_DETAILS from '@salesforce/label/c.Sync_Error_Details';
import SYNC_STATUS_ERROR from '@salesforce/label/c.Sync_Status_Error';
import SYNC_ERROR_BUSY from '@salesforce/label/c.Sync_Error_Busy';
import SYNC_ERROR_CONNECTION from '@salesforce/label/c.Sync_Error_Connection';
import SYNC_ERROR_REJECTED from '@salesforce/label/c.Sync_Error_Rejected';
import SYNC_ERROR_UNKNOWN from '@salesforce/label/c.Sync_Error_Unknown';
import SYNC_ERROR_UNREACHABLE from '@salesforce/label/c.Sync_Error_Unreachable';
import SYNC_STATUS_PENDING from '@salesforce/label/c.Sync_Status_Pending';
import SYNC_STATUS_SYNCED from '@salesforce/label/c.Sync_Status_Synced';
import INVOICE_TOTAL from '@salesforce/label/c.Invoice_Total';
import INVOICE_TOTALS_CAPTION from '@salesforce/label/c.Invoice_Totals_Caption';

export const LABELS = Object.freeze({
  ageingBucket: RECEIVABLES_AGEING_BUCKET,
  ageingCaption: RECEIVABLES_AGEING_CAPTION,
  allocatedToInvoice: CREDIT_ALLOCATED_TO_INVOICE,
  allocatedToThisInvoice: CREDIT_ALLOCATED_TO_THIS_INVOICE,
  amountDue: INVOICE_AMOUNT_DUE,
  amountHeader: RECEIVABLES_AMOUNT,
  approval: INVOICE_APPROVAL,
  approvalApproved: APPROVAL_STATUS_APPROVED,
  approvalNotSubmitted: APPROVAL_STATUS_NOT_SUBMITTED,
  approvalPending: APPROVAL_STATUS_PENDING,
  approvalRejected: APPROVAL_STATUS_REJECTED,
  bucket1to30: RECEIVABLES_AGEING_1_30,
  bucket31to60: RECEIVABLES_AGEING_31_60,
  bucket61to90: RECEIVABLES_AGEING_61_90,
  bucket90plus: RECEIVABLES_AGEING_OVER_90,
  bucketCurrent: RECEIVABLES_AGEING_CURRENT,
  corporateTotal: RECEIVABLES_CORPORATE_TOTAL,
  corporateTotalMissing: RECEIVABLES_CORPORATE_MISSING,
  corporateTotalNote: RECEIVABLES_CORPORATE_NOTE,
  creditAppliedFrom: CREDIT_APPLIED_FROM,
  creditNote: INVOICE_CREDIT_NOTE,
  creditNotes: INVOICE_CREDIT_NOTES,
  credited: INVOICE_CREDITED,
  customerLinkFailed: INVOICE_CUSTOMER_LINK_FAILED,
  customerLinkGet: INVOICE_CUSTOMER_LINK_GET,
  customerLinkGetTitle: INVOICE_CUSTOMER_LINK_GET_TITLE,
  customerLinkPending: INVOICE_CUSTOMER_LINK_PENDING,
  customerLinkRequested: INVOICE_CUSTOMER_LINK_REQUESTED,
  customerLinkRequestedMessage: INVOICE_CUSTOMER_LINK_REQUESTED_MESSAGE,
  dayOverdue: INVOICE_DAY_OVERDUE,
  daysOverdue: INVOICE_DAYS_OVERDUE,
  detailsLoadError: RECEIVABLES_DETAILS_LOAD_ERROR,
  draftInvoice: INVOICE_DRAFT_TITLE,
  dso: RECEIVABLES_DSO,
  dsoDays: RECEIVABLES_DSO_DAYS,
  dsoHelp: RECEIVABLES_DSO_HELP,
  dueDate: INVOICE_DUE_DATE,
  inDraft: INVOICE_TOTALS_DRAFT,
  incomplete: RECEIVABLES_INCOMPLETE,
  invoiced: INVOICE_TOTALS_INVOICED,
  invoicesLoadError: INVOICES_LOAD_ERROR,
  invoicesTitle: INVOICES_TITLE,
  issued: INVOICE_ISSUED,
  lastPayment: RECEIVABLES_LAST_PAYMENT,
  loading: LEDGERLINE_LOADING,
  noInvoices: INVOICES_EMPTY_TITLE,
  noInvoicesHelp: INVOICES_EMPTY_HELP,
  noPayment: RECEIVABLES_NO_PAYMENT,
  noReceivables: RECEIVABLES_EMPTY,
  openInXero: INVOICE_OPEN_IN_XERO,
  openInvoices: RECEIVABLES_OPEN_INVOICES,
  opensInNewTab: LEDGERLINE_OPENS_NEW_TAB,
  outstanding: RECEIVABLES_OUTSTANDING,
  overdue: RECEIVABLES_OVERDUE,
  paid: INVOICE_PAID,
  payments: INVOICE_PAYMENTS,
  receivablesLoadError: RECEIVABLES_LOAD_ERROR,
  receivablesTitle: RECEIVABLES_TITLE,
  refresh: LEDGERLINE_REFRESH,
  remainingCredit: CREDIT_NOTE_REMAINING,
  retry: SYNC_RETRY,
  retryFailed: SYNC_RETRY_FAILED,
  retryRequested: SYNC_RETRY_REQUESTED,
  retryRequestedMessage: SYNC_RETRY_REQUESTED_MESSAGE,
  retryTitle: SYNC_RETRY_TITLE,
  retrying: SYNC_RETRYING,
  showingOf: RECEIVABLES_SHOWING,
  syncDetails: SYNC_ERROR_DETAILS,
  syncError: SYNC_STATUS_ERROR,
  syncErrorBusy: SYNC_ERROR_BUSY,
  syncErrorConnection: SYNC_ERROR_CONNECTION,
  syncErrorRejected: SYNC_ERROR_REJECTED,
  syncErrorUnknown: SYNC_ERROR_UNKNOWN,
  syncErrorUnreachable: SYNC_ERROR_UNREACHABLE,
  syncPending: SYNC_STATUS_PENDING,
  synced: SYNC_STATUS_SYNCED,
  total: INVOICE_TOTAL,
  totalsCaption: INVOICE_TOTALS_CAPTION,
});
