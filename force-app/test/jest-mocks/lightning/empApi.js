// Test double for lightning/empApi: tests deliver events with jestMockPublish(channel, message).
const handlers = {};

export const subscribe = jest.fn((channel, replayId, onMessage) => {
  handlers[channel] = onMessage;
  return Promise.resolve({ id: `${channel}-subscription`, channel, replayId });
});

export const unsubscribe = jest.fn((subscription, callback) => {
  delete handlers[subscription.channel];
  if (callback) callback({ successful: true });
  return Promise.resolve({ successful: true });
});

export const onError = jest.fn();
export const setDebugFlag = jest.fn();
export const isEmpEnabled = jest.fn(() => Promise.resolve(true));

export function jestMockPublish(channel, message) {
  const handler = handlers[channel];
  if (handler) {
    handler(message);
    return Promise.resolve(true);
  }
  return Promise.resolve(false);
}
