/* global window, document */
// lightning/empApi for the preview: subscriptions are kept in the page; preview.mjs delivers the state's
// Sync_Update__e messages with window.__previewDeliverEvents(). The caption shows how many are open.
import { state } from './runtime';

let handlers = [];
let nextId = 1;

function showCount() {
  const counter = document.querySelector('[data-preview-subscriptions]');
  if (counter) counter.textContent = String(handlers.length);
}

window.__previewDeliverEvents = () => {
  for (const message of state().events ?? []) {
    for (const handler of handlers) if (handler.channel === message.channel) handler.onMessage(message);
  }
  return handlers.length;
};
window.__previewSubscriptions = () => handlers.length;

export function isEmpEnabled() {
  return Promise.resolve(true);
}

export function subscribe(channel, replayId, onMessage) {
  const id = nextId++;
  handlers.push({ id, channel, onMessage });
  showCount();
  return Promise.resolve({ id, channel, replayId });
}

export function unsubscribe(subscription, callback) {
  handlers = handlers.filter((handler) => handler.id !== subscription?.id);
  showCount();
  if (callback) callback({ successful: true });
  return Promise.resolve(true);
}

export function onError() {}

export function setDebugFlag() {}
