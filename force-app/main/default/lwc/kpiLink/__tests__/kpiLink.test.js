import { createElement } from 'lwc';
import KpiLink from 'c/kpiLink';

// The stock navigation stub records nothing: this one records the page references asked for.
const mockNavigate = jest.fn();
const mockGenerateUrl = jest.fn(() => Promise.resolve('https://example.com/renewals'));
jest.mock('lightning/navigation', () => {
  const Navigate = Symbol('Navigate');
  const GenerateUrl = Symbol('GenerateUrl');
  const NavigationMixin = (Base) =>
    class extends Base {
      [Navigate](pageReference) {
        mockNavigate(pageReference);
      }

      [GenerateUrl](pageReference) {
        return mockGenerateUrl(pageReference);
      }
    };
  NavigationMixin.Navigate = Navigate;
  NavigationMixin.GenerateUrl = GenerateUrl;
  return { NavigationMixin };
});

// eslint-disable-next-line @lwc/lwc/no-async-operation
const flushPromises = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('c-kpi-link', () => {
  afterEach(() => {
    while (document.body.firstChild) document.body.removeChild(document.body.firstChild);
    jest.clearAllMocks();
  });

  it("links to the renewals due of the record it sits on, through the record's KPI_Renewals__r related list", async () => {
    const element = createElement('c-kpi-link', { is: KpiLink });
    element.recordId = '0015g00000AcCt01AA';
    element.objectApiName = 'Account';
    document.body.appendChild(element);
    await flushPromises();
    const expected = {
      type: 'standard__recordRelationshipPage',
      attributes: {
        recordId: '0015g00000AcCt01AA',
        objectApiName: 'Account',
        relationshipApiName: 'KPI_Renewals__r',
        actionName: 'view',
      },
    };
    expect(mockGenerateUrl).toHaveBeenCalledWith(expected);
    const link = element.shadowRoot.querySelector('a.renewals');
    expect(link.textContent).toBe('c.Kpi_Link_Renewals');
    link.click();
    expect(mockNavigate).toHaveBeenCalledWith(expected);
    expect(link.getAttribute('href')).toBe('https://example.com/renewals');
    await expect(element).toBeAccessible();
  });

  it('shows nothing without a record', async () => {
    const element = createElement('c-kpi-link', { is: KpiLink });
    document.body.appendChild(element);
    await flushPromises();
    expect(element.shadowRoot.querySelector('a')).toBeNull();
  });
});
