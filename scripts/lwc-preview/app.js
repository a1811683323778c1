/* global window, document */
// The page the preview screenshots: one component in one state (window.__PREVIEW__), with a caption, a toast area
// and a refresh counter. Synthetic shadow first, so SLDS classes in the components' own templates apply.
import '@lwc/synthetic-shadow';
import { createElement } from 'lwc';
import OpportunityInvoices from 'c/opportunityInvoices';
import AccountReceivables from 'c/accountReceivables';

const COMPONENTS = {
  'c-opportunity-invoices': OpportunityInvoices,
  'c-account-receivables': AccountReceivables,
};

const state = window.__PREVIEW__;
const frame = document.getElementById('frame');
frame.style.width = `${state.width}px`;
document.getElementById('caption').innerHTML = `<strong></strong><br><span></span>`;
document.querySelector('#caption strong').textContent = state.title;
document.querySelector('#caption span').innerHTML =
  `${state.name} · ${state.width}px · ${state.locale ?? 'en-US'} · refreshes: <b data-preview-refreshes>0</b>`;

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

const element = createElement(state.component, { is: COMPONENTS[state.component] });
element.recordId = state.recordId;
document.getElementById('stage').appendChild(element);
window.__previewReady = true;
