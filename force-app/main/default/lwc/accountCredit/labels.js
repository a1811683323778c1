// Every custom label the customer credit section shows, imported as modules so the namespace resolves.
import TITLE from '@salesforce/label/c.Credit_Held_Title';
import HELP from '@salesforce/label/c.Credit_Held_Help';
import EMPTY from '@salesforce/label/c.Credit_Held_Empty';
import AVAILABLE from '@salesforce/label/c.Credit_Held_Available';
import WITH_DUE from '@salesforce/label/c.Credit_Held_With_Due';
import NOTHING_DUE from '@salesforce/label/c.Credit_Held_Nothing_Due';
import COUNT_ONE from '@salesforce/label/c.Credit_Held_Count_One';
import COUNT from '@salesforce/label/c.Credit_Held_Count';
import ORIGINAL from '@salesforce/label/c.Credit_Held_Original';
import ALLOCATED from '@salesforce/label/c.Credit_Held_Allocated';
import REFUNDED from '@salesforce/label/c.Credit_Held_Refunded';
import REMAINING from '@salesforce/label/c.Credit_Held_Remaining';
import TRUNCATED from '@salesforce/label/c.Credit_Held_Truncated';
import OVERPAYMENT from '@salesforce/label/c.Credit_Kind_Overpayment';
import PREPAYMENT from '@salesforce/label/c.Credit_Kind_Prepayment';
import CREDIT_NOTE from '@salesforce/label/c.Credit_Kind_Credit_Note';

export const LABELS = {
  title: TITLE,
  help: HELP,
  empty: EMPTY,
  available: AVAILABLE,
  withDue: WITH_DUE,
  nothingDue: NOTHING_DUE,
  countOne: COUNT_ONE,
  count: COUNT,
  original: ORIGINAL,
  allocated: ALLOCATED,
  refunded: REFUNDED,
  remaining: REMAINING,
  truncated: TRUNCATED,
  kinds: { overpayment: OVERPAYMENT, prepayment: PREPAYMENT, 'credit-note': CREDIT_NOTE },
};
