/* global window */
// lightning/empApi for the preview: subscriptions are kept in the page; preview.mjs delivers the state's
// Sync_Update__e messages with window.__previewDeliverEvents().
import { state } from './runtime';

const handlers = [];

window.__previewDeliverEvents = () => {
  for (const message of state().events ?? []) {
    for (const handler of handlers) if (handler.channel === message.channel) handler.onMessage(message);
  }
  return handlers.length;
};

export function isEmpEnabled() {
  return Promise.resolve(true);
}

export function subscribe(channel, replayId, onMessage) {
  handlers.push({ channel, onMessage });
  return Promise.resolve({ id: handlers.length, channel, replayId });
}

export function unsubscribe(subscription, callback) {
  if (callback) callback({ successful: true });
  return Promise.resolve(true);
}

export function onError() {}

export function setDebugFlag() {}
