// Every custom label the contact match review card shows, imported as modules so the namespace resolves.
import TITLE from '@salesforce/label/c.Match_Review_Title';
import EMPTY from '@salesforce/label/c.Match_Review_Empty';
import LOAD_ERROR from '@salesforce/label/c.Match_Review_Load_Error';
import ENTITY from '@salesforce/label/c.Match_Review_Entity';
import CANDIDATES from '@salesforce/label/c.Match_Review_Candidates';
import ANOTHER_CONTACT from '@salesforce/label/c.Match_Review_Another_Contact';
import ANOTHER_CONTACT_HELP from '@salesforce/label/c.Match_Review_Another_Contact_Help';
import NOTE from '@salesforce/label/c.Match_Review_Note';
import NOTE_PLACEHOLDER from '@salesforce/label/c.Match_Review_Note_Placeholder';
import CONFIRM from '@salesforce/label/c.Match_Review_Confirm';
import CREATE_NEW from '@salesforce/label/c.Match_Review_Create_New';
import REJECT from '@salesforce/label/c.Match_Review_Reject';
import CHOOSE_FIRST from '@salesforce/label/c.Match_Review_Choose_First';
import REJECT_NEEDS_NOTE from '@salesforce/label/c.Match_Review_Error_Reject_Needs_Note';
import DECIDED_TITLE from '@salesforce/label/c.Match_Review_Decided_Title';
import DECIDED_BY from '@salesforce/label/c.Match_Review_Decided_By';
import CHOSEN from '@salesforce/label/c.Match_Review_Chosen';
import SAVED_TITLE from '@salesforce/label/c.Match_Review_Saved_Title';
import SAVED from '@salesforce/label/c.Match_Review_Saved';
import ARCHIVED from '@salesforce/label/c.Match_Review_Archived';
import MATCHED_ON from '@salesforce/label/c.Match_Review_Matched_On';
import DIFFERS from '@salesforce/label/c.Match_Review_Differs';
import SYNC_PENDING from '@salesforce/label/c.Match_Review_Sync_Pending';
import SYNC_ERROR from '@salesforce/label/c.Match_Review_Sync_Error';
import SYNC_SYNCED from '@salesforce/label/c.Match_Review_Sync_Synced';
import SIGNAL_LINK from '@salesforce/label/c.Match_Review_Signal_Link';
import SIGNAL_CONTACT_NUMBER from '@salesforce/label/c.Match_Review_Signal_Contact_Number';
import SIGNAL_ACCOUNT_NUMBER from '@salesforce/label/c.Match_Review_Signal_Account_Number';
import SIGNAL_TAX_NUMBER from '@salesforce/label/c.Match_Review_Signal_Tax_Number';
import SIGNAL_EMAIL from '@salesforce/label/c.Match_Review_Signal_Email';
import SIGNAL_NAME from '@salesforce/label/c.Match_Review_Signal_Name';
import SIGNAL_NAME_FORM from '@salesforce/label/c.Match_Review_Signal_Name_Form';
import LOADING from '@salesforce/label/c.Ledgerline_Loading';
import REFRESH from '@salesforce/label/c.Ledgerline_Refresh';

export const LABELS = {
  title: TITLE,
  empty: EMPTY,
  loadError: LOAD_ERROR,
  entity: ENTITY,
  candidates: CANDIDATES,
  anotherContact: ANOTHER_CONTACT,
  anotherContactHelp: ANOTHER_CONTACT_HELP,
  note: NOTE,
  notePlaceholder: NOTE_PLACEHOLDER,
  confirm: CONFIRM,
  createNew: CREATE_NEW,
  reject: REJECT,
  chooseFirst: CHOOSE_FIRST,
  rejectNeedsNote: REJECT_NEEDS_NOTE,
  decidedTitle: DECIDED_TITLE,
  decidedBy: DECIDED_BY,
  chosen: CHOSEN,
  savedTitle: SAVED_TITLE,
  saved: SAVED,
  archived: ARCHIVED,
  matchedOn: MATCHED_ON,
  differs: DIFFERS,
  syncPending: SYNC_PENDING,
  syncError: SYNC_ERROR,
  syncSynced: SYNC_SYNCED,
  loading: LOADING,
  refresh: REFRESH,
};

/** What a candidate matched on, in words (the bridge's signals: contact-matching.ts MatchSignal). */
export const SIGNAL_WORDS = {
  link: SIGNAL_LINK,
  'contact-number': SIGNAL_CONTACT_NUMBER,
  'account-number': SIGNAL_ACCOUNT_NUMBER,
  'tax-number': SIGNAL_TAX_NUMBER,
  email: SIGNAL_EMAIL,
  name: SIGNAL_NAME,
  'name-form': SIGNAL_NAME_FORM,
};
