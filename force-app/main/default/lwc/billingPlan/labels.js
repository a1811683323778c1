// Every custom label the billing plan section shows, imported as modules so the namespace resolves.
import TITLE from '@salesforce/label/c.Billing_Plan_Title';
import SYNC_ERROR from '@salesforce/label/c.Billing_Plan_Sync_Error';
import CONTRACT_VALUE from '@salesforce/label/c.Billing_Plan_Contract_Value';
import INVOICED from '@salesforce/label/c.Billing_Plan_Invoiced';
import REMAINING from '@salesforce/label/c.Billing_Plan_Remaining';
import PROGRESS from '@salesforce/label/c.Billing_Plan_Progress';
import NEXT_INVOICE from '@salesforce/label/c.Billing_Plan_Next_Invoice';
import NEXT_CREDIT from '@salesforce/label/c.Billing_Plan_Next_Credit';
import NOTHING_NEXT from '@salesforce/label/c.Billing_Plan_Nothing_Next';
import INSTALMENTS from '@salesforce/label/c.Billing_Plan_Instalments';
import INVOICE from '@salesforce/label/c.Billing_Plan_Invoice';
import CREDIT_NOTE from '@salesforce/label/c.Billing_Plan_Credit_Note';
import REPLACED from '@salesforce/label/c.Billing_Plan_Replaced';
import SHOW_REPLACED from '@salesforce/label/c.Billing_Plan_Show_Replaced';
import HIDE_REPLACED from '@salesforce/label/c.Billing_Plan_Hide_Replaced';
import REVENUE from '@salesforce/label/c.Billing_Plan_Revenue';
import AS_OF from '@salesforce/label/c.Billing_Plan_As_Of';
import RECOGNISED from '@salesforce/label/c.Billing_Plan_Recognised';
import DEFERRED from '@salesforce/label/c.Billing_Plan_Deferred';
import UNBILLED from '@salesforce/label/c.Billing_Plan_Unbilled';
import FOR_FINANCE from '@salesforce/label/c.Billing_Plan_For_Finance';
import SERVICE from '@salesforce/label/c.Billing_Plan_Service';
import RAISED_AS from '@salesforce/label/c.Billing_Plan_Raised_As';

export const LABELS = {
  title: TITLE,
  syncError: SYNC_ERROR,
  contractValue: CONTRACT_VALUE,
  invoiced: INVOICED,
  remaining: REMAINING,
  progress: PROGRESS,
  nextInvoice: NEXT_INVOICE,
  nextCredit: NEXT_CREDIT,
  nothingNext: NOTHING_NEXT,
  instalments: INSTALMENTS,
  invoice: INVOICE,
  creditNote: CREDIT_NOTE,
  replaced: REPLACED,
  showReplaced: SHOW_REPLACED,
  hideReplaced: HIDE_REPLACED,
  revenue: REVENUE,
  asOf: AS_OF,
  recognised: RECOGNISED,
  deferred: DEFERRED,
  unbilled: UNBILLED,
  forFinance: FOR_FINANCE,
  service: SERVICE,
  raisedAs: RAISED_AS,
};
