// lightning/platformShowToastEvent for the preview: the event bubbles to the page, which draws an SLDS toast.
export class ShowToastEvent extends CustomEvent {
  constructor(toast) {
    super('lightning__showtoast', { bubbles: true, composed: true, cancelable: true, detail: toast });
  }
}
