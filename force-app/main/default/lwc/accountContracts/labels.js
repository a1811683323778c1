// Every custom label the contracted revenue section shows, imported as modules so the namespace resolves.
import TITLE from '@salesforce/label/c.Contracts_Title';
import EMPTY from '@salesforce/label/c.Contracts_Empty';
import CONTRACTED from '@salesforce/label/c.Contracts_Contracted';
import INVOICED from '@salesforce/label/c.Contracts_Invoiced';
import REMAINING from '@salesforce/label/c.Contracts_Remaining';
import PLANS from '@salesforce/label/c.Contracts_Plans';
import PLAN from '@salesforce/label/c.Contracts_Plan';
import NEXT_BILLINGS from '@salesforce/label/c.Contracts_Next_Billings';

export const LABELS = {
  title: TITLE,
  empty: EMPTY,
  contracted: CONTRACTED,
  invoiced: INVOICED,
  remaining: REMAINING,
  plans: PLANS,
  plan: PLAN,
  nextBillings: NEXT_BILLINGS,
};
