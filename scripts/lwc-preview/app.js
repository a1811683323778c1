/* global window, document */
// The page the preview screenshots: one component in one state (window.__PREVIEW__), with a caption, a toast area
// and a refresh counter. Synthetic shadow first, so SLDS classes in the components' own templates apply.
import '@lwc/synthetic-shadow';
import { createElement } from 'lwc';
import OpportunityInvoices from 'c/opportunityInvoices';
import AccountReceivables from 'c/accountReceivables';
import InvoiceStatusBadge from 'c/invoiceStatusBadge';
import ContactMatchReview from 'c/contactMatchReview';
import PartialInvoice from 'c/partialInvoice';
import FinanceCockpit from 'c/financeCockpit';

const COMPONENTS = {
  'c-opportunity-invoices': OpportunityInvoices,
  'c-account-receivables': AccountReceivables,
  'c-contact-match-review': ContactMatchReview,
  'c-partial-invoice': PartialInvoice,
  'c-finance-cockpit': FinanceCockpit,
};

const state = window.__PREVIEW__;
const frame = document.getElementById('frame');
frame.style.width = `${state.width}px`;
document.getElementById('caption').innerHTML = `<strong></strong><br><span></span>`;
document.querySelector('#caption strong').textContent = state.title;
document.querySelector('#caption span').innerHTML =
  `${state.name} · ${state.width}px · ${state.locale ?? 'en-US'} · refreshes: <b data-preview-refreshes>0</b>` +
  ` · streaming subscriptions: <b data-preview-subscriptions>0</b>`;

document.addEventListener('lightning__showtoast', (event) => {
  const { title, message, variant = 'info' } = event.detail ?? {};
  const toast = document.createElement('div');
  toast.className = `slds-notify slds-notify_toast slds-theme_${variant} slds-m-around_none slds-m-bottom_x-small`;
  toast.setAttribute('role', 'status');
  toast.style.minWidth = '0';
  toast.style.width = '100%';
  const body = document.createElement('div');
  body.className = 'slds-notify__content';
  body.innerHTML = '<h2 class="slds-text-heading_small"></h2><p></p>';
  body.querySelector('h2').textContent = title ?? '';
  body.querySelector('p').textContent = message ?? '';
  toast.appendChild(body);
  document.getElementById('toasts').appendChild(toast);
});

/** A card of status badges, one per worked case, each with what it shows. */
function renderBadges(badges) {
  const card = document.createElement('article');
  card.className = 'slds-card slds-p-around_small';
  const list = document.createElement('ul');
  list.className = 'slds-list_dividers';
  for (const badge of badges) {
    const item = document.createElement('li');
    item.className = 'slds-item slds-grid slds-grid_vertical-align-center slds-p-vertical_xx-small';
    const element = createElement('c-invoice-status-badge', { is: InvoiceStatusBadge });
    element.invoice = badge.invoice;
    element.today = badge.today;
    const holder = document.createElement('div');
    holder.style.flex = '0 0 9.5rem';
    holder.appendChild(element);
    const caption = document.createElement('div');
    caption.className = 'slds-text-body_small slds-text-color_weak';
    caption.textContent = badge.caption;
    item.append(holder, caption);
    list.appendChild(item);
  }
  card.appendChild(list);
  document.getElementById('stage').appendChild(card);
}

if (state.component === 'badges') {
  renderBadges(state.badges);
} else {
  const element = createElement(state.component, { is: COMPONENTS[state.component] });
  element.recordId = state.recordId;
  document.getElementById('stage').appendChild(element);
}
window.__previewReady = true;
