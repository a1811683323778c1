/* global window, document */
// Browser side of the preview: what the current state asked for (window.__PREVIEW__, set by preview.mjs before any
// script runs) and a few counters the caption shows.

/** The state being rendered: fixtures per wire/method, events, locale. */
export function state() {
  return window.__PREVIEW__ ?? {};
}

/** Counts a refresh (GraphQL refresh or refreshApex) so a screenshot can show whether one happened. */
export function countRefresh(source) {
  window.__previewLog = window.__previewLog ?? [];
  window.__previewLog.push(`refresh:${source}`);
  const counter = document.querySelector('[data-preview-refreshes]');
  if (counter) counter.textContent = String(Number(counter.textContent) + 1);
}

/** Records an Apex call for the caption. */
export function logCall(name, params) {
  window.__previewLog = window.__previewLog ?? [];
  window.__previewLog.push(`apex:${name}:${JSON.stringify(params)}`);
}

/** Settles like a server round trip would, after the current task. */
export function later(fn) {
  return Promise.resolve().then(fn);
}
