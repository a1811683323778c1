// lightning/navigation and force/navigation for the preview: record URLs are fake but well-formed; navigating is a no-op.
const Navigate = Symbol('Navigate');
const GenerateUrl = Symbol('GenerateUrl');

export const NavigationMixin = (Base) =>
  class extends Base {
    [Navigate]() {}

    [GenerateUrl](pageReference) {
      return Promise.resolve(`/lightning/r/${pageReference?.attributes?.recordId ?? ''}/view`);
    }
  };
NavigationMixin.Navigate = Navigate;
NavigationMixin.GenerateUrl = GenerateUrl;

export class CurrentPageReference {
  constructor(dataCallback) {
    this.dataCallback = dataCallback;
  }

  update() {}

  connect() {
    this.dataCallback({ type: 'standard__recordPage', attributes: {}, state: {} });
  }

  disconnect() {}
}
