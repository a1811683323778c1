// Every custom label the partial invoice card shows, imported as modules so the namespace resolves.
import TITLE from '@salesforce/label/c.Partial_Invoice_Title';
import LOAD_ERROR from '@salesforce/label/c.Partial_Invoice_Load_Error';
import DEAL_VALUE from '@salesforce/label/c.Partial_Invoice_Deal_Value';
import INVOICED from '@salesforce/label/c.Partial_Invoice_Invoiced';
import REMAINING from '@salesforce/label/c.Partial_Invoice_Remaining';
import MODE from '@salesforce/label/c.Partial_Invoice_Mode';
import MODE_AMOUNT from '@salesforce/label/c.Partial_Invoice_Mode_Amount';
import MODE_PERCENT_REMAINING from '@salesforce/label/c.Partial_Invoice_Mode_Percent_Remaining';
import MODE_PERCENT_DEAL from '@salesforce/label/c.Partial_Invoice_Mode_Percent_Deal';
import AMOUNT from '@salesforce/label/c.Partial_Invoice_Amount';
import AMOUNT_NO_CURRENCY from '@salesforce/label/c.Receivables_Amount';
import PERCENT from '@salesforce/label/c.Partial_Invoice_Percent';
import PURPOSE from '@salesforce/label/c.Partial_Invoice_Label';
import PURPOSE_PLACEHOLDER from '@salesforce/label/c.Partial_Invoice_Label_Placeholder';
import PREVIEW from '@salesforce/label/c.Partial_Invoice_Preview';
import RAISE from '@salesforce/label/c.Partial_Invoice_Raise';
import APPROVAL_NOTE from '@salesforce/label/c.Partial_Invoice_Approval_Note';
import REQUESTED_TITLE from '@salesforce/label/c.Partial_Invoice_Requested_Title';
import ERROR_POSITIVE from '@salesforce/label/c.Partial_Invoice_Error_Positive';
import ERROR_DECIMALS from '@salesforce/label/c.Partial_Invoice_Error_Decimals';
import ERROR_PERCENT from '@salesforce/label/c.Partial_Invoice_Error_Percent';
import ERROR_TOO_MUCH from '@salesforce/label/c.Partial_Invoice_Error_Too_Much';
import ERROR_NOTHING_REMAINS from '@salesforce/label/c.Partial_Invoice_Error_Nothing_Remains';
import LOADING from '@salesforce/label/c.Ledgerline_Loading';
import REFRESH from '@salesforce/label/c.Ledgerline_Refresh';

export const LABELS = {
  title: TITLE,
  loadError: LOAD_ERROR,
  dealValue: DEAL_VALUE,
  invoiced: INVOICED,
  remaining: REMAINING,
  mode: MODE,
  modeAmount: MODE_AMOUNT,
  modePercentRemaining: MODE_PERCENT_REMAINING,
  modePercentDeal: MODE_PERCENT_DEAL,
  amount: AMOUNT,
  amountNoCurrency: AMOUNT_NO_CURRENCY,
  percent: PERCENT,
  purpose: PURPOSE,
  purposePlaceholder: PURPOSE_PLACEHOLDER,
  preview: PREVIEW,
  raise: RAISE,
  approvalNote: APPROVAL_NOTE,
  requestedTitle: REQUESTED_TITLE,
  errorPositive: ERROR_POSITIVE,
  errorDecimals: ERROR_DECIMALS,
  errorPercent: ERROR_PERCENT,
  errorTooMuch: ERROR_TOO_MUCH,
  errorNothingRemains: ERROR_NOTHING_REMAINS,
  loading: LOADING,
  refresh: REFRESH,
};
