import { LightningElement, api, wire } from 'lwc';
import { refreshApex } from '@salesforce/apex';
import { ShowToastEvent } from 'lightning/platformShowToastEvent';
import LOCALE from '@salesforce/i18n/locale';
import TIME_ZONE from '@salesforce/i18n/timeZone';
import getReviews from '@salesforce/apex/ContactMatchController.getReviews';
import decide from '@salesforce/apex/ContactMatchController.decide';
import { formatLabel, reduceErrors } from 'c/ledgerlineUtils';
import { LABELS, SIGNAL_WORDS } from './labels';

const CONTACT_ID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const STATUS_THEME = {
  Confirmed: 'slds-theme_success',
  'Created New': 'slds-theme_info',
  Rejected: 'slds-theme_offline',
};

/**
 * The Xero contact matches of an account that need a person (ContactMatchController.getReviews): for each open
 * review, why the bridge could not decide, the candidates with what each matched on, and finance's choice: use a listed
 * contact (or another by its ContactID), create a new contact, or none of these (with a note). The decision is saved
 * and sent to the bridge in one Apex call (ContactMatchController.decide); decided reviews are listed below with what
 * the bridge did with them.
 */
export default class ContactMatchReview extends LightningElement {
  @api recordId;

  labels = LABELS;
  reviews;
  loadError;
  wiredReviews;
  /** reviewId → the candidate's ContactID chosen, the other ContactID typed, the note, an error, a flag while sending */
  choices = {};
  others = {};
  notes = {};
  errors = {};
  sendingId;

  @wire(getReviews, { accountId: '$recordId' })
  wired(result) {
    this.wiredReviews = result;
    if (result.data) {
      this.reviews = result.data;
      this.loadError = undefined;
    } else if (result.error) {
      this.reviews = undefined;
      this.loadError = result.error;
    }
  }

  get isLoading() {
    return !this.reviews && !this.loadError;
  }

  get loadErrorText() {
    return reduceErrors(this.loadError).join(' ');
  }

  get isEmpty() {
    return !!this.reviews && this.reviews.length === 0;
  }

  get openReviews() {
    return (this.reviews ?? [])
      .filter((review) => review.status === 'Open')
      .map((review) => ({
        ...review,
        entityText: formatLabel(LABELS.entity, review.billingEntity),
        headingId: `review-${review.id}`,
        otherValue: this.others[review.id] ?? '',
        noteValue: this.notes[review.id] ?? '',
        error: this.errors[review.id],
        busy: this.sendingId === review.id,
        candidates: (review.candidates ?? []).map((candidate, index) => ({
          ...candidate,
          key: `${review.id}-${candidate.contactId}`,
          inputId: `candidate-${review.id}-${index}`,
          checked: this.choices[review.id] === candidate.contactId,
          archived: candidate.status === 'ARCHIVED',
          matchedOn: formatLabel(
            LABELS.matchedOn,
            (candidate.signals ?? []).map((signal) => SIGNAL_WORDS[signal] ?? signal).join(', '),
          ),
          details: [candidate.emailAddress, candidate.accountNumber, candidate.taxNumber]
            .filter((d) => !!d)
            .join(' · '),
          conflictText: candidate.conflicts?.length
            ? formatLabel(LABELS.differs, candidate.conflicts.join('; '))
            : null,
        })),
      }));
  }

  get hasOpen() {
    return this.openReviews.length > 0;
  }

  get decidedReviews() {
    return (this.reviews ?? [])
      .filter((review) => review.status !== 'Open')
      .map((review) => ({
        ...review,
        badgeClass: `slds-badge ${STATUS_THEME[review.status] ?? ''}`,
        chosenText:
          review.chosenContactName || review.chosenContactId
            ? formatLabel(LABELS.chosen, review.chosenContactName || review.chosenContactId)
            : null,
        decidedText: formatLabel(
          LABELS.decidedBy,
          review.billingEntity,
          review.decidedBy ?? '',
          this.dateText(review.decidedAt),
        ),
        syncText:
          review.syncStatus === 'Error'
            ? formatLabel(LABELS.syncError, review.syncMessage ?? '')
            : review.syncStatus === 'Synced'
              ? LABELS.syncSynced
              : LABELS.syncPending,
        syncClass: review.syncStatus === 'Error' ? 'sync slds-text-color_error' : 'sync slds-text-color_weak',
      }));
  }

  get hasDecided() {
    return this.decidedReviews.length > 0;
  }

  dateText(value) {
    return value
      ? new Intl.DateTimeFormat(LOCALE, { dateStyle: 'medium', timeZone: TIME_ZONE }).format(new Date(value))
      : '';
  }

  handleChoose(event) {
    const reviewId = event.target.dataset.review;
    this.choices = { ...this.choices, [reviewId]: event.target.value };
    this.others = { ...this.others, [reviewId]: '' };
    this.errors = { ...this.errors, [reviewId]: undefined };
  }

  handleOther(event) {
    const reviewId = event.target.dataset.review;
    this.others = { ...this.others, [reviewId]: event.detail.value };
    if (event.detail.value) this.choices = { ...this.choices, [reviewId]: undefined };
    this.errors = { ...this.errors, [reviewId]: undefined };
  }

  handleNote(event) {
    this.notes = { ...this.notes, [event.target.dataset.review]: event.detail.value };
  }

  /** The same checks as the Apex, before the call: a contact to confirm, a note to reject. */
  problemWith(reviewId, decision) {
    const other = (this.others[reviewId] ?? '').trim();
    if (decision === 'CONFIRM' && !this.choices[reviewId] && !CONTACT_ID.test(other)) return LABELS.chooseFirst;
    if (decision === 'REJECT' && !(this.notes[reviewId] ?? '').trim()) return LABELS.rejectNeedsNote;
    return null;
  }

  async handleDecision(event) {
    const { review: reviewId, decision } = event.target.dataset;
    const problem = this.problemWith(reviewId, decision);
    if (problem) {
      this.errors = { ...this.errors, [reviewId]: problem };
      return;
    }
    this.sendingId = reviewId;
    try {
      const saved = await decide({
        reviewId,
        decision,
        contactId: decision === 'CONFIRM' ? (this.choices[reviewId] ?? this.others[reviewId].trim()) : null,
        note: (this.notes[reviewId] ?? '').trim() || null,
      });
      this.dispatchEvent(
        new ShowToastEvent({
          title: LABELS.savedTitle,
          message: formatLabel(LABELS.saved, saved?.status ?? decision),
          variant: 'success',
        }),
      );
      this.choices = { ...this.choices, [reviewId]: undefined };
      this.others = { ...this.others, [reviewId]: undefined };
      this.notes = { ...this.notes, [reviewId]: undefined };
      await refreshApex(this.wiredReviews);
    } catch (error) {
      this.errors = { ...this.errors, [reviewId]: reduceErrors(error).join(' ') };
    } finally {
      this.sendingId = undefined;
    }
  }

  handleRefresh() {
    refreshApex(this.wiredReviews);
  }
}
